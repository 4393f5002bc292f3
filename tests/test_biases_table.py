"""One number per inductive bias (issue 5, item 4): unsupervised gap exactly 0, biases > 0."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility.biases import table as tb


@pytest.fixture(scope="module")
def result():
    return tb.bias_table(np.random.default_rng(0), n_mc=4000, quadrature_panels=8)


def test_unsupervised_row_is_zero_and_every_bias_moves_the_likelihood(result):
    rows = result["rows"]
    assert list(rows) == list(tb.BIAS_ORDER)
    # no bias: log p(x) of model and twin agree pointwise up to rounding in f and its log-det
    assert rows["unsupervised"]["max_abs"] < 1e-12
    assert abs(rows["unsupervised"]["gap"]) < 1e-13
    for key in tb.BIAS_ORDER[1:]:
        row = rows[key]
        # each bias: a gap of at least 0.1 nat per observation, far outside its Monte-Carlo error
        assert row["gap"] > 0.1 and row["gap"] > 10 * row["stderr"], key
        # and its control (the bias removed) is back at 0 up to rounding
        assert abs(row["control_gap"]) < 1e-9, key
    # the linear-VAE number is theory.md's reference at θ = π/4
    assert rows["diagonal"]["gap"] == pytest.approx(0.32268431, abs=5e-9)
    assert rows["pairs"]["fraction_shared_true"] == 1.0
    assert rows["pairs"]["fraction_shared_twin"] == 0.0


def test_ar1_pair_gap_against_monte_carlo():
    rho = np.array([0.8, -0.2])
    A = im.rotation_2d(0.6)
    D = np.diag(rho)
    S1 = np.block([[np.eye(2), D], [D, np.eye(2)]])
    D2 = A.T @ D @ A
    S2 = np.block([[np.eye(2), D2], [D2, np.eye(2)]])
    x = stats.multivariate_normal(np.zeros(4), S1).rvs(
        40_000, random_state=np.random.default_rng(1)
    )
    r = stats.multivariate_normal(np.zeros(4), S1).logpdf(x) - stats.multivariate_normal(
        np.zeros(4), S2
    ).logpdf(x)
    got = tb.ar1_pair_gap(rho, A)
    # independent estimate through scipy's densities: 5 standard errors
    assert abs(got - r.mean()) < 5 * r.std() / math.sqrt(r.size)
    assert got > 0.05
    assert abs(tb.ar1_pair_gap([0.5, 0.5], A)) < 1e-14  # equal autocorrelations: no bias
    with pytest.raises(ValueError, match="autocorrelations"):
        tb.ar1_pair_gap([1.0, 0.2], A)
    with pytest.raises(ValueError, match="orthogonal"):
        tb.ar1_pair_gap([0.1, 0.2], np.ones((2, 2)))
