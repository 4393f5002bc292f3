"""Tests for impossibility.generative.likelihood_quadrature: log p(x) of a noisy decoder."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from impossibility import FactorizedPrior, entangling_bijection
from impossibility.generative import (
    GaussianNoiseDecoder,
    InjectiveMLP,
    InvertibleMLP,
    TanhResidual,
    entangle_generator,
    log_px_quadrature,
    quadrature_nodes,
)


def _linear_gaussian(d: int, D: int, sigma: float, rng):
    W, b = rng.normal(size=(D, d)), rng.normal(size=D)
    mean = InjectiveMLP(InvertibleMLP([np.eye(d)], [np.zeros(d)]), W, b, None)
    dec = GaussianNoiseDecoder(mean, sigma)
    exact = stats.multivariate_normal(b, W @ W.T + sigma**2 * np.eye(D))
    return dec, exact


def _gentle_decoder(d: int, D: int, sigma: float, rng) -> GaussianNoiseDecoder:
    # moderate slopes keep the posterior ≳ 0.1 wide, which the quadrature resolves
    mean = InjectiveMLP.random(
        d, D, rng, nonlinearity=TanhResidual(1.0), out_nonlinearity=TanhResidual(0.5)
    )
    return GaussianNoiseDecoder(mean, sigma)


def test_quadrature_matches_closed_form_linear_gaussian():
    rng = np.random.default_rng(8)
    prior = FactorizedPrior.iid(stats.norm(), 2)
    dec, exact = _linear_gaussian(2, 4, 0.4, rng)
    x = dec.sample(prior.sample(6, rng), rng)
    truth = exact.logpdf(x)
    for panels in (8, 16, 32):  # measured errors 2e-3, 3e-7, 3e-12: the estimate is conservative
        est, err = log_px_quadrature(dec, prior, x, n_panels=panels)
        assert np.all(np.abs(est - truth) <= err)  # the error estimate bounds the actual error
    assert np.all(err < 1e-6)
    # the twin of a standard-normal model is a rotation: exact p(x) unchanged
    twin = entangle_generator(dec, entangling_bijection(prior, rng=rng))
    est2, err2 = log_px_quadrature(twin, prior, x, n_panels=32)
    assert np.all(np.abs(est2 - truth) <= err2)
    # quantile-space nodes agree too (less accurate in the tails, hence the coarser bound)
    est3, err3 = log_px_quadrature(dec, prior, x, space="quantile", n_panels=32)
    assert np.all(np.abs(est3 - truth) <= err3) and np.all(err3 < 1e-2)


QUADRATURE_CASES = {
    "logistic-laplace": ([stats.logistic(), stats.laplace()], 32),
    "normal-gamma": ([stats.norm(), stats.gamma(3)], 16),
    "beta-gamma": ([stats.beta(2, 5), stats.gamma(3)], 16),
}


@pytest.mark.parametrize("case", list(QUADRATURE_CASES))
def test_quadrature_twin_agrees(case):
    marg, panels = QUADRATURE_CASES[case]
    prior = FactorizedPrior(marg)
    rng = np.random.default_rng(len(case))
    f = entangling_bijection(prior, rng=rng)
    dec = _gentle_decoder(2, 5, 0.5, rng)
    twin = entangle_generator(dec, f)
    x = dec.sample(prior.sample(6, rng), rng)
    a, ea = log_px_quadrature(dec, prior, x, n_panels=panels)
    b, eb = log_px_quadrature(twin, prior, x, n_panels=panels)
    assert np.all(np.maximum(ea, eb) < 1e-3)  # both resolved, so the comparison means something
    assert np.all(np.abs(a - b) <= ea + eb)
    # negative control: the twin built with the wrong bijection differs by far more than the error
    f_normal = entangling_bijection(FactorizedPrior.iid(stats.norm(), 2), rng=rng)
    with pytest.raises(ValueError, match="the twin's f"):
        log_px_quadrature(entangle_generator(dec, f_normal), prior, x, n_panels=panels)
    wrong = entangle_generator(dec, f_normal, check_prior=False)
    if case == "logistic-laplace":  # defined on all of R², so the wrong f can be applied
        c, ec = log_px_quadrature(wrong, prior, x, n_panels=panels)
        assert np.max(np.abs(a - c) - ea - ec) > 1e-3


def _nodes_as_written_before(prior, space, n_panels, order, half_width):
    """The node construction the committed results were computed with, written out again."""
    t, w = special.roots_legendre(order)
    if space == "normal":
        edges = np.linspace(-half_width, half_width, n_panels + 1)
        mid = 0.5 * (edges[1:] + edges[:-1])[:, None]
        half = 0.5 * (edges[1:] - edges[:-1])[:, None]
        y = (mid + half * t[None, :]).ravel()
        logw = np.log(half * w[None, :]).ravel() - 0.5 * y**2 - 0.5 * np.log(2 * np.pi)
        low = y <= 0
        p_low, p_high = special.ndtr(y[low]), special.ndtr(-y[~low])
    else:
        j = np.arange(n_panels)[:, None]
        u = ((j + 0.5 * (1.0 + t)[None, :]) / n_panels).ravel()
        omu = (((n_panels - 1 - j) + 0.5 * (1.0 - t)[None, :]) / n_panels).ravel()
        logw = np.log(np.broadcast_to(0.5 * w[None, :] / n_panels, (n_panels, order)).ravel())
        low = u <= 0.5
        p_low, p_high = u[low], omu[~low]
    z1 = np.empty((low.size, len(prior.marginals)))
    for i, m in enumerate(prior.marginals):
        z1[low, i] = m.ppf(p_low)
        z1[~low, i] = m.isf(p_high)
    return z1, logw


@pytest.mark.parametrize("space", ["normal", "quantile"])
@pytest.mark.parametrize("panels", [8, 32, 64])
def test_nodes_are_the_prior_quantiles_bit_for_bit(space, panels):
    # G⁻¹ at the nodes comes from the prior's ppf/isf; the numbers are those of the marginals'
    # own ppf/isf that experiments/px_invariance.py's committed results were computed with
    for marg in (
        [stats.logistic(), stats.gamma(3)],
        [stats.norm(), stats.laplace(scale=2), stats.beta(2, 5)],
        [stats.t(4), stats.norm(1, 3)],
    ):
        prior = FactorizedPrior(marg)
        z1, logw = quadrature_nodes(prior, space, panels, 8, 9.0)
        z0, logw0 = _nodes_as_written_before(prior, space, panels, 8, 9.0)
        np.testing.assert_array_equal(z1, z0)
        np.testing.assert_array_equal(logw, logw0)


def test_quadrature_bad_input():
    rng = np.random.default_rng(0)
    prior = FactorizedPrior.iid(stats.norm(), 2)
    g = InvertibleMLP.random(2, rng)
    dec = _gentle_decoder(2, 3, 0.5, rng)
    with pytest.raises(TypeError, match="GaussianNoiseDecoder"):
        log_px_quadrature(g, prior, np.zeros((1, 2)))
    with pytest.raises(ValueError, match="coordinates"):
        log_px_quadrature(dec, FactorizedPrior.iid(stats.norm(), 3), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="max_nodes"):
        log_px_quadrature(dec, prior, np.zeros((1, 3)), n_panels=1000)
    with pytest.raises(ValueError, match="space"):
        log_px_quadrature(dec, prior, np.zeros((1, 3)), space="chebyshev")
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        log_px_quadrature(dec, prior, np.zeros((1, 2)))
    with pytest.raises(ValueError, match="half_width"):
        log_px_quadrature(dec, prior, np.zeros((1, 3)), half_width=40.0)
    with pytest.raises(TypeError, match="n_panels"):
        log_px_quadrature(dec, prior, np.zeros((1, 3)), n_panels=8.0)
    with pytest.raises(TypeError, match="ppf"):  # a prior without quantiles cannot place nodes

        class NoQuantiles:
            marginals = prior.marginals
            log_prob, sample = prior.log_prob, prior.sample

        log_px_quadrature(dec, NoQuantiles(), np.zeros((1, 3)))
