"""Embrace the gap: the mean-field gap of the linear twin, closed form against BFGS, → C_IMA."""

from __future__ import annotations

import math

import numpy as np
import pytest

from impossibility.biases import embrace_gap as eg
from impossibility.biases.diagonal import plane_rotation
from impossibility.biases.ima import linear_ima_contrast
from impossibility.biases.linear_vae import (
    REFERENCE_GAPS,
    linear_posterior_precision,
    mean_field_gap,
    reference_linear_decoder,
)

R45 = plane_rotation(math.pi / 4)
W = np.diag([1.0, 2.0])


def test_closed_form_against_bfgs():
    sigmas = [1.0, 0.3, 0.1]
    cf = eg.embrace_gap(W, R45, sigmas)
    # BFGS-optimal diagonal encoders and the exact log p(x): the optimiser converges to ~1e-10
    bfgs = eg.gap_curve_bfgs(W, R45, sigmas, 3, np.random.default_rng(0))
    np.testing.assert_allclose(cf, bfgs, atol=1e-8)


def test_values_derived_by_hand():
    # σ = 1: Λ = diag(2, 5), rotated diagonal (3.5, 3.5): log 3.5 − ½ log 10
    assert eg.embrace_gap(W, R45, 1.0)[0] == pytest.approx(
        math.log(3.5) - 0.5 * math.log(10), 1e-13
    )
    # σ = 0.1: Λ = diag(101, 401): log 251 − ½ log(101 · 401)
    v = math.log(251) - 0.5 * math.log(101 * 401)
    assert eg.embrace_gap(W, R45, 0.1)[0] == pytest.approx(v, rel=1e-13)


def test_limit_is_the_ima_contrast_and_curve_increases():
    s = np.geomspace(3.0, 1e-4, 30)
    c = eg.embrace_gap_curve(W, R45, s)
    assert np.all(np.diff(c["twin"]) > 0)
    assert float(c["limit"]) == pytest.approx(math.log(1.25), rel=1e-13)
    assert c["twin"][-1] == pytest.approx(float(c["limit"]), abs=1e-7)
    assert eg.embrace_gap(W, R45, 0.0)[0] == pytest.approx(linear_ima_contrast(W, R45), rel=1e-13)
    assert np.max(np.abs(c["true"])) < 1e-15


@pytest.mark.parametrize("theta", [math.pi / 8, math.pi / 4])
def test_reference_gaps_are_points_of_the_family(theta):
    Wr, _, s2 = reference_linear_decoder()
    got = eg.embrace_gap(Wr, plane_rotation(theta), math.sqrt(s2))[0]
    assert got == pytest.approx(REFERENCE_GAPS[theta], abs=5e-9)
    lam = linear_posterior_precision(Wr, s2)
    assert got == pytest.approx(mean_field_gap(lam, plane_rotation(theta)), rel=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match="non-negative"):
        eg.embrace_gap(W, R45, -1.0)
    with pytest.raises(ValueError, match="σ > 0"):
        eg.gap_curve_bfgs(W, R45, [0.0], 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="orthogonal"):
        eg.embrace_gap(W, np.ones((2, 2)), 1.0)
