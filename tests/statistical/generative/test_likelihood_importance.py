"""Statistical tests for impossibility.generative.likelihood_importance (stat_check budget)."""

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
    log_px_importance,
    log_px_quadrature,
)


def _two_sided_p(zscore: np.ndarray) -> float:
    """Smallest two-sided normal p-value of a batch of z-scores (Bonferroni over the batch)."""
    return float(min(1.0, len(zscore) * 2 * special.ndtr(-np.max(np.abs(zscore)))))


def _linear_gaussian(d: int, D: int, sigma: float, rng):
    W, b = rng.normal(size=(D, d)), rng.normal(size=D)
    mean = InjectiveMLP(InvertibleMLP([np.eye(d)], [np.zeros(d)]), W, b, None)
    dec = GaussianNoiseDecoder(mean, sigma)
    exact = stats.multivariate_normal(b, W @ W.T + sigma**2 * np.eye(D))
    return dec, exact


def _gentle_decoder(d: int, D: int, sigma: float, rng) -> GaussianNoiseDecoder:
    mean = InjectiveMLP.random(
        d, D, rng, nonlinearity=TanhResidual(1.0), out_nonlinearity=TanhResidual(0.5)
    )
    return GaussianNoiseDecoder(mean, sigma)


def test_importance_sampling_calibrated_against_closed_form(stat_check):
    # normal prior, linear decoder, d = 5: IS estimates vs the exact log N(x; b, WWᵀ + σ²I);
    # z-scores use the delta-method standard error (ESS checked to be large enough for it)
    rng = np.random.default_rng(9)
    prior = FactorizedPrior.iid(stats.norm(), 5)
    dec, exact = _linear_gaussian(5, 7, 1.5, rng)
    x = dec.sample(prior.sample(5, rng), rng)
    est, se, ess = log_px_importance(dec, prior, x, rng, 100_000, return_ess=True)
    assert np.all(ess > 200)
    stat_check(_two_sided_p((est - exact.logpdf(x)) / se), "IS vs closed form")
    # the stderr is honest: not hugely larger than the actual error either
    assert np.all(se < 0.1)


IS_CASES = {
    "d3-prior": ([stats.logistic(), stats.laplace(), stats.norm()], None),
    "d4-prior": ([stats.beta(2, 5), stats.gamma(3), stats.norm(), stats.logistic()], None),
    "d5-student": (
        [stats.norm(), stats.laplace(scale=2), stats.logistic(), stats.gamma(3), stats.beta(2, 5)],
        "t",
    ),
}


@pytest.mark.parametrize("case", list(IS_CASES))
def test_importance_sampling_twin_agrees(case, stat_check):
    marg, prop = IS_CASES[case]
    prior = FactorizedPrior(marg)
    d = prior.d
    rng = np.random.default_rng(d)
    f = entangling_bijection(prior, rng=rng)
    dec = _gentle_decoder(d, d + 3, 1.0, rng)
    twin = entangle_generator(dec, f)
    x = dec.sample(prior.sample(4, rng), rng)
    proposal = None
    if prop == "t":  # a fixed heavy-tailed proposal built from the prior's quartiles only
        proposal = FactorizedPrior(
            [stats.t(df=5, loc=m.median(), scale=m.ppf(0.75) - m.ppf(0.25)) for m in marg]
        )
    a, sa, ea = log_px_importance(
        dec, prior, x, np.random.default_rng(100), 60_000, proposal=proposal, return_ess=True
    )
    b, sb, eb = log_px_importance(
        twin, prior, x, np.random.default_rng(200), 60_000, proposal=proposal, return_ess=True
    )
    assert np.all(np.minimum(ea, eb) > 50)  # enough effective samples for the normal approximation
    # independent draws: a − b ≈ N(0, sa² + sb²) if both estimate the same p(x)
    stat_check(_two_sided_p((a - b) / np.hypot(sa, sb)), f"IS twin agreement {case}")


def test_importance_sampling_agrees_with_quadrature(stat_check):
    prior = FactorizedPrior([stats.logistic(), stats.gamma(3)])
    rng = np.random.default_rng(11)
    f = entangling_bijection(prior, rng=rng)
    dec = _gentle_decoder(2, 4, 0.5, rng)
    x = dec.sample(prior.sample(4, rng), rng)
    q, eq = log_px_quadrature(dec, prior, x, n_panels=16)
    assert np.all(eq < 1e-4)
    for i, model in enumerate([dec, entangle_generator(dec, f)]):
        m, s = log_px_importance(model, prior, x, np.random.default_rng(300 + i), 40_000)
        stat_check(_two_sided_p((m - q) / s), f"IS vs quadrature (model {i})")


def test_importance_stderr_matches_spread(stat_check):
    # 40 independent estimates at n = 3000: Σ((m_r − m̄)/s_r)² ~ χ²(39) if the stderr is right
    prior = FactorizedPrior.iid(stats.norm(), 2)
    rng = np.random.default_rng(12)
    dec = _gentle_decoder(2, 3, 0.7, rng)
    x = dec.sample(prior.sample(1, rng), rng)
    ms, ss = [], []
    for r in range(40):
        m, s = log_px_importance(dec, prior, x, np.random.default_rng(1000 + r), 3000)
        ms.append(m[0])
        ss.append(s[0])
    ms, ss = np.array(ms), np.array(ss)
    chi2 = np.sum(((ms - ms.mean()) / ss) ** 2)
    p = 2 * min(stats.chi2.cdf(chi2, 39), stats.chi2.sf(chi2, 39))
    stat_check(p, "IS stderr calibration")
