"""Statistical tests for impossibility.data.mixing (stat_check budget)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from impossibility import FactorizedPrior
from impossibility.data import ContinuousMixingData

MIXED = FactorizedPrior([stats.norm(), stats.laplace(scale=2), stats.beta(2, 5), stats.gamma(3)])


def test_mixing_latents_follow_the_prior(stat_check):
    prior = MIXED
    ds = ContinuousMixingData.random(
        4, np.random.default_rng(3), prior=prior, num_bins=[2, 5, 7, 10]
    )
    f, z, _ = ds.sample_with_latents(20_000, np.random.default_rng(4))
    for i, m in enumerate(prior.marginals):
        stat_check(stats.kstest(z[:, i], m.cdf).pvalue, f"latent {i} ~ prior marginal")
        stat_check(
            stats.chisquare(np.bincount(f[:, i], minlength=ds.factors_num_values[i])).pvalue,
            f"factor {i} uniform",
        )
