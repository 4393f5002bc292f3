"""Auxiliary variables (issue 5, item 2): f preserves p(x) but not p(z | u) nor p(x, u)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

import impossibility as im
from impossibility.biases import auxiliary as ax


def _mixture_cdf(x, w, s):
    return sum(wk * stats.norm.cdf(x / sk) for wk, sk in zip(w, s))


# ------------------------------------------------------------------------ the scale mixture
def test_mixture_against_direct_sums_and_theory_references():
    w, s = [0.5, 0.5], [0.5, 2.0]
    m = ax.gaussian_scale_mixture(w, s)
    x = np.linspace(-6, 6, 25)
    np.testing.assert_allclose(m.cdf(x), _mixture_cdf(x, w, s), atol=2e-16)
    np.testing.assert_allclose(
        m.pdf(x), sum(wk * stats.norm.pdf(x, scale=sk) for wk, sk in zip(w, s)), rtol=1e-14
    )
    # theory.md §5.2 (measured with scipy.stats.Mixture): logcdf(−30) = −116.82, icdf(1e-12) = −13.874
    assert m.logcdf(-30.0) == pytest.approx(-116.82, abs=0.005)
    assert m.ppf(1e-12) == pytest.approx(-13.874, abs=5e-4)
    assert m.isf(1e-12) == pytest.approx(13.874, abs=5e-4)
    # symmetric tails; normalised density; variance Σ w s²
    np.testing.assert_allclose(m.logsf(x), m.logcdf(-x), rtol=0, atol=0)
    assert integrate.quad(m.pdf, -np.inf, np.inf)[0] == pytest.approx(1.0, abs=1e-10)
    assert m.var() == pytest.approx(0.5 * 0.25 + 0.5 * 4.0, rel=1e-14)
    assert m.median() == 0.0


def test_mixture_quantiles_invert_the_log_cdf_deep_in_the_tails():
    m = ax.gaussian_scale_mixture([0.2, 0.3, 0.5], [0.3, 1.0, 4.0])
    logq = -np.geomspace(1e-3, 690.0, 400)
    q = np.exp(logq)
    x = m.ppf(q)
    # relative accuracy of log F at the computed quantile: a few ulps of |log q|
    np.testing.assert_allclose(m.logcdf(x), logq, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(m.isf(q), -x, rtol=0, atol=0)
    # upper half through 1 − q (exact for q ≥ 1/2)
    qq = np.linspace(0.5, 1 - 1e-9, 50)
    np.testing.assert_allclose(m.cdf(m.ppf(qq)), qq, rtol=1e-14)


def test_mixture_samples_follow_the_cdf(stat_check):
    m = ax.gaussian_scale_mixture([0.3, 0.7], [0.4, 1.5])
    x = m.rvs(size=5000, random_state=np.random.default_rng(0))
    stat_check(stats.kstest(x, m.cdf).pvalue, "KS of mixture samples against its CDF")


def test_mixture_in_a_factorized_prior_gives_a_prior_preserving_f():
    aux = ax.AuxiliaryPrior([[0.5, 2.0], [0.7, 1.5], [1.0, 3.0]])
    prior = aux.marginal
    assert isinstance(prior, im.FactorizedPrior) and prior.d == 3
    f = im.entangling_bijection(prior, rng=np.random.default_rng(1))
    u = prior.sample(300, np.random.default_rng(2))
    # p(f(u)) |det J_f(u)| = p(u): rounding of the generic Gaussianizing route
    assert np.max(im.density_invariance_error(f, prior, u)) < 1e-10
    np.testing.assert_allclose(f.inverse(f.forward(u)), u, atol=1e-10)


def test_mixture_errors():
    with pytest.raises(ValueError, match="sum to 1"):
        ax.gaussian_scale_mixture([0.5, 0.6], [1.0, 2.0])
    with pytest.raises(ValueError, match="scales"):
        ax.gaussian_scale_mixture([0.5, 0.5], [1.0, -2.0])
    with pytest.raises(ValueError, match="equal length"):
        ax.gaussian_scale_mixture([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="shape"):
        ax.AuxiliaryPrior([1.0, 2.0])
    aux = ax.AuxiliaryPrior([[1.0, 2.0], [1.0, 2.0]])
    with pytest.raises(ValueError, match="integers"):
        aux.conditional_log_prob(np.zeros((1, 2)), np.array([[0, 2]]))
    with pytest.raises(ValueError, match="d = 2"):
        ax.auxiliary_gap_quadrature(ax.AuxiliaryPrior(np.ones((3, 2))), None)


# ----------------------------------------------------------------------------------- the gaps
def _setup(scales=(0.5, 2.0), theta=math.pi / 4):
    aux = ax.AuxiliaryPrior([list(scales), list(scales)])
    f = im.entangling_bijection(aux.marginal, im.rotation_2d(theta))
    return aux, f


def test_conditional_log_prob_against_scipy():
    aux = ax.AuxiliaryPrior([[0.5, 2.0], [1.0, 3.0]], probs=[0.3, 0.7])
    u, z = aux.sample(50, np.random.default_rng(3))
    sd = np.where(u == 0, [[0.5, 1.0]], [[2.0, 3.0]])
    want = stats.norm.logpdf(z, scale=sd).sum(axis=1)
    np.testing.assert_allclose(aux.conditional_log_prob(z, u), want, rtol=1e-13)
    np.testing.assert_allclose(
        aux.log_prob_u(u), np.log(np.where(u == 0, 0.3, 0.7)).sum(1), rtol=1e-14
    )
    assert abs(np.mean(u == 1) - 0.7) < 0.15  # 100 draws: 5 standard deviations


@pytest.fixture(scope="module")
def quad16():
    aux, f = _setup()
    return ax.auxiliary_gap_quadrature(aux, f, n_panels=16)


def test_symmetry_broken_with_auxiliary_variable_but_not_for_px(quad16):
    aux, f = _setup()
    q = quad16
    # p(x) is preserved pointwise (rounding of f and its log-det) ...
    assert q["marginal_max_abs"] < 1e-12
    assert abs(q["marginal"]) < 1e-13
    # ... but p(z | u) is not: a KL of order 1 nat (1.5709 for these scales, n_panels = 32)
    assert q["conditional"] > 1.0
    assert q["error_estimate"] < 1e-3
    assert np.all(q["per_u"] > 0)
    mc = ax.auxiliary_gap_mc(aux, f, 20_000, np.random.default_rng(4))
    # independent Monte-Carlo estimate: within 5 standard errors of the quadrature
    assert abs(mc["conditional"] - q["conditional"]) < 5 * mc["conditional_stderr"]
    assert mc["marginal_max_abs"] < 1e-12


def test_observed_gap_through_an_invertible_generator(quad16):
    aux, f = _setup()
    g = im.generative.InvertibleMLP.random(2, np.random.default_rng(5))
    res = ax.observed_gap(aux, f, g, 20_000, np.random.default_rng(6))
    q = quad16
    # the Jacobian of g cancels: the (x, u) gap equals the latent one (5 standard errors)
    assert abs(res["joint"] - q["conditional"]) < 5 * res["joint_stderr"]
    # p(x) alone: model and twin agree to rounding in g⁻¹, f and the log-dets
    assert res["marginal_max_abs"] < 1e-9


def test_no_modulation_no_gap():
    # σ(u) constant: z | u = z, the prior is N(0, I) and f a rotation preserving every conditional
    aux, f = _setup(scales=(1.3, 1.3))
    q = ax.auxiliary_gap_quadrature(aux, f, n_panels=8)
    assert abs(q["conditional"]) < 1e-12


@pytest.mark.parametrize("theta", [0.3, math.pi / 4, 1.1])
def test_variability_isotropic_vs_anisotropic_shared_u(theta):
    A = im.rotation_2d(theta)
    iso = ax.shared_rotation_gap(
        [[0.5, 0.5], [2.0, 2.0]], A, rng=np.random.default_rng(7), n_mc=5000
    )
    # isotropic modulation: every rotation preserves each p(z|u) and the spherical marginal
    assert abs(iso["conditional"]) < 1e-14  # rounding of tr(Aᵀ D⁻¹ A D) − d
    assert abs(iso["marginal"]) < 1e-12
    a, b = 0.5**2, 2.0**2
    an = ax.shared_rotation_gap(
        [[0.5, 2.0], [2.0, 0.5]], A, rng=np.random.default_rng(7), n_mc=5000
    )
    # anisotropic: ½ sin²θ (a − b)² / (ab) per value of u (hand-derived for d = 2)
    want = 0.5 * math.sin(theta) ** 2 * (a - b) ** 2 / (a * b)
    assert an["conditional"] == pytest.approx(want, rel=1e-12)
    assert an["conditional"] > 0.1
    # and the rotation is not even a twin of the (non-factorized) marginal there
    assert an["marginal"] > 5 * an["marginal_stderr"]


def test_quadrature_converges(quad16):
    aux, f = _setup()
    coarse = ax.auxiliary_gap_quadrature(aux, f, n_panels=8)["conditional"]
    fine = quad16
    # error estimate |Q(16) − Q(8)| bounds the coarse error; the fine one is much smaller
    assert abs(fine["conditional"] - coarse) == pytest.approx(fine["error_estimate"], rel=1e-12)
    assert fine["error_estimate"] < 1e-3
