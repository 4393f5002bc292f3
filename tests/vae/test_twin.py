"""Tests for impossibility.vae.twin: the entangled twin agrees with its VAE sample by sample
(docs/theory.md §3.4) while its codes are entangled."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from impossibility import (
    Chain,
    FactorizedPrior,
    Orthogonal,
    entangling_bijection,
    random_entangling_rotation,
    rotation_2d,
)
from impossibility.vae import VAE, AnnealedVAE, BetaVAE, EntangledVAE, affine_part

# Model vs twin with common random numbers: the identities of docs/theory.md §3.4 hold exactly, so
# the
# only differences are rounding in f, f⁻¹ and log|det J_f| (≈ 1e-14 on ELBO terms of size ≈ 40).
CRN_ATOL = 1e-10

PRIORS = {
    "normal": lambda d: None,
    "laplace": lambda d: FactorizedPrior.iid(stats.laplace(), d),
    "logistic": lambda d: FactorizedPrior.iid(stats.logistic(scale=0.7), d),
}


def full_prior(vae):
    return vae.prior if vae.prior is not None else FactorizedPrior.standard_normal(vae.latent_dim)


@pytest.fixture(scope="module")
def trained(binary_patterns):
    """Tiny models trained briefly, one per prior: Bernoulli on 8×8 patterns."""
    rng = np.random.default_rng(12345)
    x = binary_patterns(rng, 600)
    models = {}
    for name, make in PRIORS.items():
        vae = VAE((8, 8), 3, hidden=(32, 32), prior=make(3), rng=rng)
        vae.fit(x, n_steps=300, batch_size=64, lr=3e-3, rng=rng, progress=False)
        f = entangling_bijection(full_prior(vae), random_entangling_rotation(3, rng))
        models[name] = (vae, vae.entangled(f))
    return x, models


@pytest.mark.parametrize("prior_name", sorted(PRIORS))
def test_twin_elbo_and_log_weights_agree_with_common_random_numbers(trained, prior_name):
    x, models = trained
    vae, twin = models[prior_name]
    assert twin.is_affine == (prior_name == "normal")  # f is a rotation only for N(0, I)
    rng = np.random.default_rng(20)
    xb = x[:100]
    eps = rng.standard_normal((4, 100, 3))
    a = vae.elbo_terms(xb, eps=eps, kl="mc")
    b = twin.elbo_terms(xb, eps=eps, kl="mc")
    np.testing.assert_allclose(b["elbo_samples"], a["elbo_samples"], rtol=0, atol=CRN_ATOL)
    np.testing.assert_allclose(b["rec"], a["rec"], rtol=0, atol=CRN_ATOL)
    np.testing.assert_allclose(b["kl"], a["kl"], rtol=0, atol=CRN_ATOL)
    eps_iw = rng.standard_normal((64, 100, 3))
    np.testing.assert_allclose(
        twin.log_importance_weights(xb, eps=eps_iw),
        vae.log_importance_weights(xb, eps=eps_iw),
        rtol=0,
        atol=CRN_ATOL,
    )
    np.testing.assert_allclose(
        twin.log_px(xb, eps=eps_iw), vae.log_px(xb, eps=eps_iw), rtol=0, atol=CRN_ATOL
    )


@pytest.mark.parametrize("prior_name", sorted(PRIORS))
def test_twin_agrees_within_monte_carlo_error_with_independent_samples(trained, prior_name):
    x, models = trained
    vae, twin = models[prior_name]
    xb = x[:200]
    a = vae.elbo_terms(xb, np.random.default_rng(21), n_samples=8, kl="mc")["elbo_samples"]
    b = twin.elbo_terms(xb, np.random.default_rng(22), n_samples=8, kl="mc")["elbo_samples"]
    # the data-set mean ELBO of each is an average of 1600 single-sample terms whose per-point
    # MC noise is independent between the two; the x-variation is common, so compare per point
    diff = (b - a).mean(0)  # (n,), each with variance (var_a + var_b)/8
    se = np.sqrt((a.var(0, ddof=1) + b.var(0, ddof=1)) / 8)
    z = diff.sum() / np.sqrt((se**2).sum())
    assert abs(z) < 4, z  # standard-normal statistic; 4 ⇒ false alarm ≈ 6e-5
    # and the importance-weighted log p(x): delta-method SEs
    la, sa = vae.log_px(xb[:50], np.random.default_rng(23), n_importance=256, return_stderr=True)
    lb, sb = twin.log_px(xb[:50], np.random.default_rng(24), n_importance=256, return_stderr=True)
    zz = (lb - la).sum() / np.sqrt((sa**2 + sb**2).sum())
    assert abs(zz) < 4, zz


def test_twin_closed_form_kl_for_a_rotation_equals_the_models(trained):
    x, models = trained
    vae, twin = models["normal"]
    eps = np.random.default_rng(25).standard_normal((100, 3))
    a = vae.elbo_terms(x[:100], eps=eps, kl="analytic")
    b = twin.elbo_terms(x[:100], eps=eps, kl="analytic")
    # full-covariance Gaussian KL (trace, norm, slogdet of AΣAᵀ) vs the diagonal formula
    np.testing.assert_allclose(b["kl"], a["kl"], rtol=0, atol=CRN_ATOL)
    np.testing.assert_allclose(b["rec"], a["rec"], rtol=0, atol=CRN_ATOL)
    # and mixing MC with closed form does NOT agree sample by sample (pitfall 1)
    c = twin.elbo_terms(x[:100], eps=eps, kl="mc")
    assert np.max(np.abs(c["kl"] - a["kl"])) > 1e-3
    _, twin_l = models["laplace"]
    with pytest.raises(ValueError, match="affine f and the N\\(0, I\\) prior"):
        twin_l.elbo(x[:2], np.random.default_rng(0), kl="analytic")
    with pytest.raises(ValueError, match="kl must be one of"):
        twin.elbo(x[:2], np.random.default_rng(0), kl="closed")


@pytest.mark.parametrize("prior_name", sorted(PRIORS))
def test_invariant_objectives_beta_vae_and_annealed_vae(trained, prior_name):
    x, models = trained
    vae, twin = models[prior_name]
    eps = np.random.default_rng(26).standard_normal((64, 3))
    fp, fpt = vae.forward(x[:64], eps, kl="mc"), twin.forward(x[:64], eps, kl="mc")
    for obj in (BetaVAE(4.0), BetaVAE(16.0), AnnealedVAE(5.0, anneal_steps=100)):
        for step in (0, 50, 200):
            assert abs(obj.loss(fpt, step=step)[0] - obj.loss(fp, step=step)[0]) < 1e3 * CRN_ATOL
            # (AnnealedVAE multiplies the KL by γ = 1000)


@pytest.mark.parametrize("prior_name", sorted(PRIORS))
def test_twin_log_q_through_inverse_matches_sampling_path(trained, prior_name):
    x, models = trained
    vae, twin = models[prior_name]
    eps = np.random.default_rng(27).standard_normal((50, 3))
    fp = twin.forward(x[:50], eps, kl="mc")
    np.testing.assert_allclose(twin.log_q(fp.z, x[:50]), fp.log_q, rtol=0, atol=CRN_ATOL)
    # and it is a different density from the original encoder's at the same point
    assert np.max(np.abs(vae.log_q(fp.z, x[:50]) - fp.log_q)) > 0.1


@pytest.mark.parametrize("prior_name", sorted(PRIORS))
def test_twin_is_entangled_and_generates_the_same_distribution(trained, prior_name):
    x, models = trained
    vae, twin = models[prior_name]
    z = np.random.default_rng(28).normal(size=(5, 3))
    assert np.max(np.abs(twin.decode(z) - vae.decode(z))) > 1e-3  # a different decoder
    np.testing.assert_allclose(twin.decode(twin.f.forward(z)), vae.decode(z), atol=1e-12)
    # every twin code depends on every original code: the Jacobian of f is dense (sign pattern of A)
    jac = twin.f.jacobian(vae.sample_codes(x[:10], np.random.default_rng(29)))
    assert np.all(np.abs(jac) > 1e-6)
    # same p(x): mean generated image agrees within Monte Carlo error
    n = 4000
    ma = vae.sample(n, np.random.default_rng(30)).reshape(n, -1)
    mb = twin.sample(n, np.random.default_rng(31)).reshape(n, -1)
    w = np.random.default_rng(32).normal(size=(64, 3))  # three fixed projections of the images
    pa, pb = ma @ w, mb @ w
    zstat = (pb.mean(0) - pa.mean(0)) / np.sqrt((pa.var(0) + pb.var(0)) / n)
    assert np.max(np.abs(zstat)) < 4  # three N(0, 1) statistics: false alarm ≈ 2e-4


def test_twin_moments_for_a_rotation_are_exact(trained):
    x, models = trained
    vae, twin = models["normal"]
    A = twin.f.A
    mu, lv = vae.encode(x[:10])
    m, cov = twin.encoder_moments(x[:10])
    np.testing.assert_allclose(m, mu @ A.T, atol=1e-14)
    np.testing.assert_allclose(cov, A @ (np.exp(lv)[:, :, None] * np.eye(3)) @ A.T, atol=1e-14)
    # Monte-Carlo moments of a nonlinear twin converge to the sample moments
    _, twin_l = models["laplace"]
    m1, c1 = twin_l.encoder_moments(x[:3], rng=np.random.default_rng(0), n_mc=20000)
    zs = twin_l.sample_codes(np.tile(x[:3], (3000, 1, 1)), np.random.default_rng(1)).reshape(
        3000, 3, 3
    )
    assert np.max(np.abs(m1 - zs.mean(0))) < 0.05  # SE ≈ sd/√3000 ≈ 0.02
    with pytest.raises(ValueError, match="need rng"):
        twin_l.encoder_moments(x[:3])
    with pytest.raises(ValueError, match="n_mc must be an integer >= 2"):
        twin_l.encoder_moments(x[:3], rng=np.random.default_rng(0), n_mc=1)


def test_affine_part_detection():
    rng = np.random.default_rng(32)
    A = random_entangling_rotation(3, rng)
    j, c = affine_part(Orthogonal(A), 3)
    np.testing.assert_array_equal(j, A)
    np.testing.assert_array_equal(c, np.zeros(3))
    j, c = affine_part(entangling_bijection(FactorizedPrior.standard_normal(3), A), 3)
    np.testing.assert_array_equal(j, A)  # exactly (A, 0) for Theorem 1's map with N(0, I)
    assert np.all(c == 0) and not np.any(np.signbit(c))
    shifted = entangling_bijection(
        FactorizedPrior([stats.norm(1, 2), stats.norm(-1, 0.5), stats.norm()]), A
    )
    jc = affine_part(shifted, 3)
    assert jc is not None
    z = rng.normal(size=(4, 3))
    np.testing.assert_allclose(shifted.forward(z), z @ jc[0].T + jc[1], atol=1e-12)
    assert affine_part(entangling_bijection(FactorizedPrior.iid(stats.laplace(), 3), A), 3) is None
    chain = Chain([Orthogonal(A), Orthogonal(A.T)])
    np.testing.assert_allclose(affine_part(chain, 3)[0], np.eye(3), atol=1e-14)


def test_affine_part_uses_the_declared_constant_jacobian():
    # a linear map that does not declare a constant Jacobian is not treated as affine: never probed
    class Undeclared(Orthogonal):
        is_constant_jacobian = False

    class DeclaredWithoutJacobian(Orthogonal):
        def _jacobian(self, x):
            raise NotImplementedError

    A = rotation_2d(0.3)
    assert affine_part(Undeclared(A), 2) is None
    assert affine_part(DeclaredWithoutJacobian(A), 2) is None
    vae = VAE(4, 2, hidden=(3,), rng=np.random.default_rng(0))
    assert not vae.entangled(Undeclared(A)).is_affine and vae.entangled(Orthogonal(A)).is_affine


def test_entangled_validation():
    rng = np.random.default_rng(33)
    vae = VAE(4, 2, hidden=(3,), rng=rng)
    with pytest.raises(ValueError, match="d = 3"):
        vae.entangled(Orthogonal(random_entangling_rotation(3, rng)))
    with pytest.raises(TypeError, match="Bijector"):
        EntangledVAE(vae, np.eye(2))
    with pytest.raises(TypeError, match=r"vae must provide .* \(a VAE"):
        EntangledVAE("vae", Orthogonal(rotation_2d(0.3)))
    twin = vae.entangled(Orthogonal(rotation_2d(0.3)))
    with pytest.raises(ValueError, match="mode must be one of"):
        twin.represent(rng.random((2, 4)), mode="median")
    assert repr(twin).startswith("EntangledVAE(VAE(")


def test_twin_of_a_gaussian_decoder_vae_on_continuous_data(continuous_mixing):
    # Continuous mixing data, learned observation noise, Laplace prior (nonlinear f).
    rng = np.random.default_rng(36)
    x = continuous_mixing(rng, 400, d=3, D=6)
    prior = FactorizedPrior.iid(stats.laplace(scale=0.8), 3)
    vae = VAE(6, 3, hidden=(32, 32), likelihood="gaussian", prior=prior, rng=rng)
    vae.fit(x, n_steps=300, lr=3e-3, rng=rng, progress=False)
    twin = vae.entangled(entangling_bijection(prior, random_entangling_rotation(3, rng)))
    assert not twin.is_affine
    eps = rng.standard_normal((3, 200, 3))
    a = vae.elbo_terms(x[:200], eps=eps, kl="mc")["elbo_samples"]
    b = twin.elbo_terms(x[:200], eps=eps, kl="mc")["elbo_samples"]
    np.testing.assert_allclose(b, a, rtol=0, atol=CRN_ATOL)
    e2 = rng.standard_normal((32, 200, 3))
    np.testing.assert_allclose(
        twin.log_px(x[:200], eps=e2), vae.log_px(x[:200], eps=e2), rtol=0, atol=CRN_ATOL
    )
    # the chunked log-weights of the twin do not depend on the chunk size
    np.testing.assert_allclose(
        twin.log_importance_weights(x[:20], eps=e2[:, :20]),
        twin.log_importance_weights(x[:20], eps=e2[:, :20], chunk_elements=30),
        rtol=0,
        atol=1e-12,
    )
