"""Tests for impossibility._preserves: every twin refuses a bijection that does not preserve the
model's prior, and a model and its twin use the same KL estimator by default."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from impossibility import (
    Chain,
    FactorizedPrior,
    Gaussianize,
    Orthogonal,
    entangling_bijection,
    random_entangling_rotation,
)
from impossibility._preserves import NUMERIC_TOLERANCE, check_preserves_prior
from impossibility.entangle import Conjugated, Swirl, random_skew
from impossibility.generative import (
    GaussianNoiseDecoder,
    InvertibleMLP,
    entangle_generator,
    log_px_exact,
    log_px_importance,
)
from impossibility.vae import VAE, EntangledVAE

D = 3
A = random_entangling_rotation(D, np.random.default_rng(3))
LAPLACE = FactorizedPrior.iid(stats.laplace(), D)
LOGISTIC = FactorizedPrior.iid(stats.logistic(), D)
NORMAL = FactorizedPrior.standard_normal(D)


def _vae(prior=None, seed=0):
    return VAE(
        6, D, hidden=(8,), likelihood="gaussian", prior=prior, rng=np.random.default_rng(seed)
    )


def _mismatch(f, prior):
    """|log p(f(u)) + log|det J_f(u)| − log p(u)| at draws of p, computed here directly."""
    u = (prior or NORMAL).sample(400, np.random.default_rng(9))
    v, ld = f.forward_and_log_det(u)
    return np.abs((prior or NORMAL).log_prob(v) + ld - (prior or NORMAL).log_prob(u)).max()


def test_the_issues_example_is_refused_and_was_a_real_mismatch():
    vae = _vae()
    f = entangling_bijection(LAPLACE, A)
    assert _mismatch(f, None) > 0.1  # the twin would be a different model
    with pytest.raises(ValueError, match=r"f preserves FactorizedPrior\(\[laplace"):
        vae.entangled(f)
    with pytest.raises(ValueError, match="N\\(0, I\\)"):
        EntangledVAE(vae, f)
    # the escape hatch of a negative control still builds it, and its log p(x) differs
    wrong = vae.entangled(f, check_prior=False)
    x = np.random.default_rng(1).standard_normal((4, 6))
    eps = np.random.default_rng(2).standard_normal((64, 4, D))
    assert np.abs(vae.log_px(x, eps=eps) - wrong.log_px(x, eps=eps)).max() > 1e-3


@pytest.mark.parametrize(
    "prior, f, ok",
    [
        (None, entangling_bijection(NORMAL, A), True),
        (None, Orthogonal(A), True),
        (None, Orthogonal(A).inv, True),
        (None, Swirl(random_skew(D, np.random.default_rng(0))), True),
        (LAPLACE, entangling_bijection(LAPLACE, A), True),
        (LAPLACE, Orthogonal(A), False),  # preserves N(0, I) only
        (LAPLACE, entangling_bijection(LOGISTIC, A), False),
        (LAPLACE, Conjugated(LAPLACE, Swirl(random_skew(D, np.random.default_rng(1)))), True),
        (LOGISTIC, Chain([Gaussianize(LOGISTIC).inv, Orthogonal(A), Gaussianize(LOGISTIC)]), True),
        (LOGISTIC, Chain([Orthogonal(A)]), False),  # numeric route: no declaration
        (None, Chain([Orthogonal(A), Orthogonal(A.T)]), True),
        (None, Chain([Gaussianize(LAPLACE).inv, Orthogonal(A), Gaussianize(LAPLACE)]), False),
    ],
)
def test_structural_and_numeric_routes_agree_with_the_density_identity(prior, f, ok):
    # two ways: the guard's verdict, and the identity measured here on other draws
    assert (_mismatch(f, prior) <= NUMERIC_TOLERANCE) == ok
    if ok:
        check_preserves_prior(f, prior, D)
        _vae(prior).entangled(f)
    else:
        with pytest.raises(ValueError, match="not the model's prior|does not preserve"):
            _vae(prior).entangled(f)


def test_check_prior_must_be_a_bool():
    with pytest.raises(TypeError, match="check_prior"):
        _vae().entangled(Orthogonal(A), check_prior=1)
    with pytest.raises(TypeError, match="check_prior"):
        entangle_generator(
            InvertibleMLP.random(D, np.random.default_rng(0)), Orthogonal(A), check_prior="no"
        )


def test_generative_twins_are_checked_where_the_prior_meets_them():
    rng = np.random.default_rng(4)
    g = InvertibleMLP.random(D, rng)
    x = g.forward(LAPLACE.sample(50, rng))
    wrong = entangle_generator(g, Orthogonal(A))
    with pytest.raises(ValueError, match="the twin's f"):
        log_px_exact(wrong, LAPLACE, x)
    with pytest.raises(ValueError, match="not the model's prior"):
        entangle_generator(g, Orthogonal(A), prior=LAPLACE)
    right = entangle_generator(g, entangling_bijection(LAPLACE, A), prior=LAPLACE)
    np.testing.assert_allclose(
        log_px_exact(right, LAPLACE, x), log_px_exact(g, LAPLACE, x), atol=1e-9
    )
    unchecked = entangle_generator(g, Orthogonal(A), check_prior=False)
    assert np.abs(log_px_exact(unchecked, LAPLACE, x) - log_px_exact(g, LAPLACE, x)).max() > 0.1
    noisy = entangle_generator(GaussianNoiseDecoder(g, 0.5), Orthogonal(A))
    with pytest.raises(ValueError, match="the twin's f"):
        log_px_importance(noisy, LAPLACE, x[:2], rng, 16)


def test_same_generator_gives_the_same_estimator_and_numbers():
    vae = _vae()
    twin = vae.entangled(entangling_bijection(NORMAL, A))
    x = np.random.default_rng(5).standard_normal((20, 6))
    a = vae.elbo_terms(x, np.random.default_rng(1), n_samples=3)
    b = twin.elbo_terms(x, np.random.default_rng(1), n_samples=3)
    # the closed-form KL of the diagonal encoder vs that of the rotated full-covariance one
    np.testing.assert_allclose(b["elbo_samples"], a["elbo_samples"], rtol=0, atol=1e-10)
    mc = twin.elbo_terms(x, np.random.default_rng(1), n_samples=3, kl="mc")
    assert np.abs(mc["elbo_samples"] - a["elbo_samples"]).max() > 1e-3  # what it used to mix
    # a non-Gaussian prior: both default to Monte Carlo, sample by sample equal
    lap = _vae(LAPLACE)
    lt = lap.entangled(entangling_bijection(LAPLACE, A))
    np.testing.assert_allclose(
        lt.elbo(x, np.random.default_rng(7)), lap.elbo(x, np.random.default_rng(7)), atol=1e-9
    )


def test_nonlinear_twin_of_a_normal_vae_refuses_to_mix_estimators():
    vae = _vae()
    twin = vae.entangled(Swirl(random_skew(D, np.random.default_rng(0))))
    x = np.random.default_rng(5).standard_normal((5, 6))
    with pytest.raises(ValueError, match="kl='mc' passed to both"):
        twin.elbo(x, np.random.default_rng(1))
    with pytest.raises(ValueError, match="closed-form KL needs an affine f"):
        twin.elbo(x, np.random.default_rng(1), kl="analytic")
    np.testing.assert_allclose(
        twin.elbo(x, np.random.default_rng(1), kl="mc"),
        vae.elbo(x, np.random.default_rng(1), kl="mc"),
        atol=1e-10,
    )


def test_bias_gaps_are_defined_for_twins_only():
    from impossibility import biases

    rng = np.random.default_rng(8)
    with pytest.raises(ValueError, match="not the model's prior"):
        biases.pair_gap(LAPLACE, Orthogonal(A), 1, 0.1, 50, rng)
    with pytest.raises(ValueError, match="not the model's prior"):
        biases.pair_gap_leading_term(LAPLACE, Orthogonal(A), 1, 50, rng)
    aux = biases.AuxiliaryPrior([[1.0, 2.0, 0.5], [0.5, 1.0, 2.0]])
    with pytest.raises(ValueError, match="preserves|does not preserve"):
        biases.auxiliary_gap_mc(aux, Orthogonal(rotation(0.3)), 100, rng)
    right = entangling_bijection(aux.marginal, rotation(0.3))
    assert np.isfinite(biases.auxiliary_gap_mc(aux, right, 100, rng)["conditional"])


def rotation(theta):
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s], [s, c]])
