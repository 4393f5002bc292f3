"""Samples of the Gaussian scale mixture follow its CDF (one KS test at the suite's level)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from impossibility import biases


def test_mixture_samples_follow_the_cdf(stat_check):
    m = biases.gaussian_scale_mixture([0.3, 0.7], [0.4, 1.5])
    x = m.rvs(size=5000, random_state=np.random.default_rng(0))
    stat_check(stats.kstest(x, m.cdf).pvalue, "KS of mixture samples against its CDF")
