"""Twin codes: exact for normal priors, Monte Carlo posterior means otherwise, or refused."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility.auditing import audit
from impossibility.auditing.representation import twin_codes

LAPLACE_LOGISTIC = im.FactorizedPrior([stats.laplace(), stats.logistic()])


def test_standard_normal_is_exact_rotation():
    rng = np.random.default_rng(0)
    mu = rng.standard_normal((50, 3))
    a = stats.ortho_group.rvs(3, random_state=1)
    for prior in (None, im.FactorizedPrior.iid(stats.norm(), 3)):
        t = twin_codes(mu, prior, None, rng)
        assert t.kind.startswith("exact: codes @ A.T")
        np.testing.assert_allclose(t(a), mu @ a.T, atol=1e-15)
        # the same through Theorem 1's map, built by the package
        np.testing.assert_allclose(
            t(a),
            im.entangling_bijection(
                im.FactorizedPrior.iid(stats.norm(), 3), a, require_complete=False
            ).forward(mu),
            atol=1e-14,
        )


def test_affine_prior_is_f_of_mean():
    prior = im.FactorizedPrior([stats.norm(1.0, 2.0), stats.norm(-1.0, 0.5)])
    mu = np.random.default_rng(0).standard_normal((20, 2))
    a = im.rotation_2d(0.4)
    t = twin_codes(mu, prior, None, np.random.default_rng(0))
    assert t.kind.startswith("exact: f_A(mu)")
    f = im.entangling_bijection(prior, a)
    np.testing.assert_allclose(t(a), f.forward(mu), atol=1e-13)


def test_monte_carlo_mean_matches_quadrature():
    rng = np.random.default_rng(0)
    mu = np.array([[0.3, -0.8], [1.2, 0.4]])
    log_var = np.log(np.array([[0.2, 0.5], [0.1, 0.3]]) ** 2)
    a = im.rotation_2d(0.7)
    t = twin_codes(mu, LAPLACE_LOGISTIC, log_var, rng, n_mc=20_000)
    assert t.kind.startswith("Monte Carlo")
    # independent check: Gauss–Hermite quadrature of E[f(mu + sigma eps)], 60 × 60 nodes
    x, w = np.polynomial.hermite_e.hermegauss(60)
    w = w / w.sum()
    f = im.entangling_bijection(LAPLACE_LOGISTIC, a)
    sd = np.exp(0.5 * log_var)
    for r in range(2):
        g0, g1 = np.meshgrid(x, x, indexing="ij")
        pts = np.column_stack([mu[r, 0] + sd[r, 0] * g0.ravel(), mu[r, 1] + sd[r, 1] * g1.ravel()])
        exact = (np.outer(w, w).ravel()[:, None] * f.forward(pts)).sum(axis=0)
        # MC standard error ≈ sd(f) / √20000 ≤ 0.5 / 141; 5 standard errors
        np.testing.assert_allclose(t(a)[r], exact, atol=0.02)


def test_identity_twin_is_the_mean_exactly():
    rng = np.random.default_rng(0)
    mu = rng.standard_normal((30, 2))
    t = twin_codes(mu, LAPLACE_LOGISTIC, np.full((30, 2), -2.0), rng, n_mc=8)
    np.testing.assert_allclose(t(np.eye(2)), mu, atol=1e-13)  # antithetic pairs


def test_non_normal_prior_needs_log_var_or_labelled_approximation(make_aligned):
    z, y = make_aligned(200, 2, 0)
    with pytest.raises(ValueError, match="pass log_var"):
        audit(z, y, prior=LAPLACE_LOGISTIC, rng=np.random.default_rng(0))
    r = audit(
        z,
        y,
        prior=LAPLACE_LOGISTIC,
        approximate=True,
        metrics=["mig"],
        budget=10,
        rng=np.random.default_rng(0),
    )
    assert r.representation.startswith("approximate: f_A(mu), NOT the twin's encoder mean")
    r = audit(
        z,
        y,
        prior=LAPLACE_LOGISTIC,
        log_var=np.full(z.shape, -3.0),
        metrics=["mig"],
        budget=10,
        rng=np.random.default_rng(0),
    )
    assert r.representation.startswith("Monte Carlo")


def test_bad_prior_inputs():
    mu = np.zeros((5, 2))
    with pytest.raises(ValueError, match="d = 3"):
        twin_codes(mu, im.FactorizedPrior.iid(stats.laplace(), 3), None, np.random.default_rng(0))
    with pytest.raises(ValueError, match="shape of codes"):
        twin_codes(mu, LAPLACE_LOGISTIC, np.zeros((5, 3)), np.random.default_rng(0))
    with pytest.raises(ValueError, match="even"):
        twin_codes(mu, LAPLACE_LOGISTIC, np.zeros((5, 2)), np.random.default_rng(0), n_mc=3)
    gamma = im.FactorizedPrior.iid(stats.gamma(3), 2)
    with pytest.raises(ValueError, match="outside the prior's support"):
        twin_codes(mu + 0.1, gamma, np.zeros((5, 2)), np.random.default_rng(0))
    with pytest.raises(TypeError, match="FactorizedPrior"):
        twin_codes(mu, "laplace", None, np.random.default_rng(0))
