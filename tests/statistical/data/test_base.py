"""Statistical tests for impossibility.data.base: factor sampling (stat_check budget)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from impossibility.data import ProceduralSprites


def test_factor_uniformity_and_independence(stat_check):
    # chi-square goodness of fit per factor and a contingency test between two factors; p-values
    # are compared with the suite level α = 1e-10 (conftest), so a correct sampler fails with
    # probability ≤ 1e-10 per assertion
    sprites = ProceduralSprites()
    f = sprites.sample_factors(40_000, np.random.default_rng(7))
    for k, n in enumerate(sprites.factors_num_values):
        counts = np.bincount(f[:, k], minlength=n)
        stat_check(stats.chisquare(counts).pvalue, f"uniformity of factor {k}")
    table = np.zeros((3, 6))
    np.add.at(table, (f[:, 0], f[:, 1]), 1)
    stat_check(stats.chi2_contingency(table).pvalue, "independence of shape and scale")
    # the same check must be able to fail: a biased sampler is rejected
    biased = np.bincount(np.minimum(f[:, 2], 38), minlength=40)
    assert stats.chisquare(biased).pvalue < 1e-10
