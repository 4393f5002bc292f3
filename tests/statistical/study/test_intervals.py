"""Coverage of the study's intervals on simulated data with a known answer.

Spearman's ρ of a bivariate normal with Pearson correlation r is (6/π) arcsin(r/2); the
Bonett–Wright interval must cover it at about its level, and agree with a bootstrap over
exchangeable rows. The seed share of a nested design with known cell means and noise is
(n − C)/(λ + n − 1); the noncentral-F interval must cover it. Wilson's interval must agree with
a bootstrap of independent trials.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from impossibility.study.bootstrap import percentile_interval
from impossibility.study.intervals import (
    binomial_interval,
    seed_share_interval,
    spearman_interval,
)


@pytest.mark.parametrize(("n", "rho"), [(18, 0.0), (18, 0.6), (108, 0.4)])
def test_spearman_interval_covers_simulated_bivariate_normals(n, rho, stat_check):
    rng = np.random.default_rng(n)
    r = 2 * np.sin(np.pi * rho / 6)  # the Pearson r whose Spearman ρ is rho
    reps = 1000
    x = rng.multivariate_normal([0, 0], [[1, r], [r, 1]], size=(reps, n))
    rs = np.array([stats.spearmanr(a[:, 0], a[:, 1])[0] for a in x])
    lo, hi = spearman_interval(rs, n)
    hits = int(np.sum((lo <= rho) & (rho <= hi)))
    # two-sided binomial test of the coverage against the nominal 0.95 (measured 0.95-0.96)
    stat_check(stats.binomtest(hits, reps, 0.95).pvalue, f"coverage {hits}/{reps} at n={n}")
    assert 0.92 < hits / reps < 0.975


def test_spearman_interval_agrees_with_a_bootstrap_over_rows():
    rng = np.random.default_rng(3)
    n, r = 40, 0.6
    x = rng.multivariate_normal([0, 0], [[1, r], [r, 1]], size=n)
    rho = stats.spearmanr(x[:, 0], x[:, 1])[0]
    idx = rng.integers(0, n, size=(2000, n))
    boot = np.array([stats.spearmanr(x[i, 0], x[i, 1])[0] for i in idx])
    b_lo, b_hi = percentile_interval(boot)
    lo, hi = spearman_interval(rho, n)
    # the two intervals' ends agree to within a tenth of the interval's width
    assert abs(lo - b_lo) < 0.1 * (hi - lo) + 0.03 and abs(hi - b_hi) < 0.1 * (hi - lo) + 0.03


def test_seed_share_interval_covers_a_known_share(stat_check):
    rng = np.random.default_rng(0)
    cells = np.repeat(np.arange(36), 3)  # 6 objectives x 6 values x 3 seeds, as in the study
    mu = rng.normal(0, 0.6, 6)[cells // 6] + rng.normal(0, 0.6, 36)[cells]
    n, C = cells.size, 36
    truth = (n - C) / (((mu - mu.mean()) ** 2).sum() + n - 1)  # σ = 1
    reps, hits = 300, 0
    for _ in range(reps):
        share, lo, hi = seed_share_interval(mu + rng.standard_normal(n), list(cells))
        hits += lo <= truth <= hi
        assert lo <= share <= hi
    stat_check(stats.binomtest(hits, reps, 0.95).pvalue, f"seed-share coverage {hits}/{reps}")
    assert hits / reps > 0.9


def test_wilson_interval_agrees_with_a_bootstrap_of_independent_trials():
    rng = np.random.default_rng(1)
    trials = rng.random(200) < 0.3
    lo, hi = binomial_interval(int(trials.sum()), trials.size)
    boot = trials[rng.integers(0, 200, size=(4000, 200))].mean(1)
    b_lo, b_hi = percentile_interval(boot)
    assert abs(lo - b_lo) < 0.015 and abs(hi - b_hi) < 0.015
