"""Statistical tests for impossibility.data.gaussian_sprites (stat_check budget)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from impossibility.data import ProceduralSprites, factors_from_gaussian


def test_gaussian_factors_are_uniform_over_the_combinations(stat_check):
    # z ~ N(0, I): every factor index uniform, so g(z) has the data set's own law
    data = ProceduralSprites(num_scales=3, num_orientations=8, num_positions=6)
    nv = data.factors_num_values
    k = factors_from_gaussian(np.random.default_rng(4).standard_normal((60_000, 5)), nv)
    for j, n in enumerate(nv):
        stat_check(stats.chisquare(np.bincount(k[:, j], minlength=n)).pvalue, f"factor {j} uniform")
    table = np.zeros((nv[2], nv[3]))
    np.add.at(table, (k[:, 2], k[:, 3]), 1)
    stat_check(stats.chi2_contingency(table).pvalue, "orientation independent of x")
