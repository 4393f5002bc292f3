"""AR(1) latents: the lag-1 pair law separates a model from its rotated twin."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility import biases as tb


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


def test_validation_types_and_values():
    A = im.rotation_2d(0.6)
    # the package's one orthogonality tolerance (1e3·ε·d), not a private 1e-10
    with pytest.raises(ValueError, match="A is not orthogonal"):
        tb.ar1_pair_gap([0.1, 0.2], A + 1e-11)
    with pytest.raises(ValueError, match=r"A must be an orthogonal \(2, 2\) matrix"):
        tb.ar1_pair_gap([0.1, 0.2], np.eye(3))
    with pytest.raises(TypeError, match="rho must be an array of real numbers"):
        tb.ar1_pair_gap(["a", "b"], A)
    with pytest.raises(ValueError, match="rho contains 1 non-finite"):
        tb.ar1_pair_gap([np.nan, 0.2], A)
