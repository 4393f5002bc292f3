"""Tests for impossibility.vae.objectives.total_correlation: the MWS estimator."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from impossibility.vae import (
    BetaTCVAE,
    gaussian_pairwise_log_density,
    mws_total_correlation,
    mws_total_correlation_gaussian,
    tc_constant,
)


def test_mws_estimator_against_a_direct_double_loop(small_vae):
    rng = np.random.default_rng(3)
    m, d = 6, 3
    mu, lv = rng.normal(size=(m, d)), rng.normal(size=(m, d)) * 0.3
    z = mu + np.exp(lv / 2) * rng.normal(size=(m, d))
    # direct implementation with scipy densities
    joint = np.zeros(m)
    margs = np.zeros(m)
    for j in range(m):
        dens = [stats.norm(mu[i], np.exp(lv[i] / 2)).logpdf(z[j]) for i in range(m)]  # (m, d)
        dens = np.array(dens)
        joint[j] = np.log(np.exp(dens.sum(1)).sum())
        margs[j] = np.log(np.exp(dens).sum(0)).sum()
    direct = np.mean(joint - margs)
    tc, *_ = mws_total_correlation_gaussian(z, mu, lv)
    assert tc == pytest.approx(direct, rel=1e-12, abs=1e-12)
    n_data = 50_000
    with_const = BetaTCVAE(2.0, dataset_size=n_data)
    vae = small_vae(rng)
    fp = vae.forward(rng.random((m, 5)), rng.standard_normal((m, 3)))
    logs = with_const.loss(fp)[2]
    assert logs["tc"] - logs["tc_reference"] == pytest.approx((d - 1) * math.log(m * n_data))
    with pytest.raises(ValueError, match="shape"):
        mws_total_correlation(np.zeros((3, 3)), np.zeros((3, 2, 2)))


def test_the_two_estimators_agree():
    rng = np.random.default_rng(4)
    mu, lv = rng.normal(size=(5, 2)), rng.normal(size=(5, 2)) * 0.3
    z = mu + np.exp(lv / 2) * rng.normal(size=(5, 2))
    marg = gaussian_pairwise_log_density(z, mu, lv)
    tc, *_ = mws_total_correlation_gaussian(z, mu, lv)
    assert mws_total_correlation(marg.sum(2), marg) == pytest.approx(tc, rel=1e-13)
    assert mws_total_correlation(marg.sum(2), marg, dataset_size=10) == pytest.approx(
        tc + tc_constant(5, 2, 10), rel=1e-13
    )
    assert tc_constant(5, 2, None) == 0.0
    with pytest.raises(TypeError, match="log_q_joint must be an array of real numbers"):
        mws_total_correlation("joint", marg)
