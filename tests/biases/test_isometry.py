"""Local isometry: zero defect for a rotation of N(0, I), positive for Theorem 1's nonlinear f."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from impossibility.biases import isometry as iso
from impossibility.biases.diagonal import plane_rotation
from impossibility.entangle import entangling_bijection
from impossibility.priors import FactorizedPrior

R45 = plane_rotation(math.pi / 4)
LOGISTIC = FactorizedPrior([stats.logistic(), stats.logistic()])


def test_jacobian_of_the_twin_map_against_finite_differences():
    f = entangling_bijection(LOGISTIC, R45, require_complete=False)
    z = LOGISTIC.sample(10, np.random.default_rng(0))
    h = 1e-6
    fd = np.stack([(f.inverse(z + h * e) - f.inverse(z - h * e)) / (2 * h) for e in np.eye(2)], -1)
    J = f.inv.jacobian(z)
    np.testing.assert_allclose(J, fd, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(
        iso.pointwise_isometry_defect(J), iso.pointwise_isometry_defect(fd), rtol=1e-5, atol=1e-9
    )


def test_gaussian_rotation_is_exactly_isometric():
    gp = FactorizedPrior.standard_normal(2)
    for theta in (0.3, math.pi / 4):
        f = entangling_bijection(gp, plane_rotation(theta), require_complete=False)
        assert iso.isometry_defect_quadrature(gp, f, n_panels=4)["defect"] < 1e-28


def test_nonlinear_twin_is_not_isometric_quadrature_converges():
    f = entangling_bijection(LOGISTIC, R45, require_complete=False)
    q = iso.isometry_defect_quadrature(LOGISTIC, f, n_panels=16)
    assert q["defect"] > 0.1 and q["error_estimate"] < 1e-8


def test_permutation_control():
    f = entangling_bijection(LOGISTIC, np.eye(2)[[1, 0]], require_complete=False)
    assert iso.isometry_defect_quadrature(LOGISTIC, f, n_panels=4)["defect"] < 1e-25


def test_bad_input_types():
    f = entangling_bijection(LOGISTIC, R45, require_complete=False)
    with pytest.raises(TypeError):
        iso.isometry_defect_mc("prior", f, 10, np.random.default_rng(0))
    with pytest.raises(TypeError):
        iso.isometry_defect_mc(LOGISTIC, "f", 10, np.random.default_rng(0))
    with pytest.raises(TypeError):
        iso.isometry_defect_mc(LOGISTIC, f, 10, np.random.RandomState(0))


def test_bad_input():
    with pytest.raises(ValueError, match="d, d"):
        iso.pointwise_isometry_defect(np.ones((3, 2)))
    with pytest.raises(ValueError, match="d = 2"):
        iso.isometry_defect_quadrature(
            FactorizedPrior.standard_normal(3),
            entangling_bijection(
                FactorizedPrior.standard_normal(3), np.eye(3), require_complete=False
            ),
        )
