"""IMA contrast: Hadamard's gap of the Jacobian's columns, linear values and the nonlinear twin."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from impossibility.biases import ima
from impossibility.biases.diagonal import plane_rotation
from impossibility.entangle import entangling_bijection
from impossibility.priors import FactorizedPrior

R45 = plane_rotation(math.pi / 4)


def _fd_jacobian(fun, z, h=1e-6):
    cols = [(fun(z + h * e) - fun(z - h * e)) / (2 * h) for e in np.eye(z.shape[1])]
    return np.stack(cols, axis=-1)


def test_linear_values_against_column_norms():
    W = np.diag([1.0, 2.0])
    # independent route: the twin's columns are (c, −2s) and (s, 2c), norms² = c² + 4s² = 2.5
    Wt = W @ R45.T
    by_hand = float(np.sum(np.log(np.linalg.norm(Wt, axis=0))) - math.log(abs(np.linalg.det(Wt))))
    assert ima.linear_ima_contrast(W) == pytest.approx(0.0, abs=1e-15)
    assert ima.linear_ima_contrast(W, R45) == pytest.approx(by_hand, rel=1e-13)
    assert by_hand == pytest.approx(math.log(1.25), rel=1e-13)


@pytest.mark.parametrize("theta", [0.1, 0.7, math.pi / 4, 2.0])
def test_isotropic_control_stays_zero(theta):
    assert abs(ima.linear_ima_contrast(2.0 * np.eye(2), plane_rotation(theta))) < 1e-14


def test_contrast_is_nonnegative_and_zero_only_for_orthogonal_columns():
    rng = np.random.default_rng(3)
    J = rng.standard_normal((200, 4, 3))
    c = ima.ima_contrast(J)
    assert np.all(c > 0)
    Q, _ = np.linalg.qr(rng.standard_normal((4, 3)))
    assert abs(float(ima.ima_contrast(Q * [1.0, 3.0, 0.2]))) < 1e-14


def test_generator_jacobian_against_finite_differences():
    g = ima.OrthogonalColumnsGenerator(np.linalg.qr(np.ones((3, 2)) + np.eye(3, 2))[0], [0.5, 1.5])
    z = np.random.default_rng(0).standard_normal((20, 2))
    np.testing.assert_allclose(g.jacobian(z), _fd_jacobian(g.forward, z), atol=1e-8)
    assert np.max(np.abs(ima.ima_contrast(g.jacobian(z)))) < 1e-14


def test_twin_jacobian_against_finite_differences():
    prior = FactorizedPrior([stats.logistic(), stats.logistic()])
    f = entangling_bijection(prior, R45, require_complete=False)
    g = ima.OrthogonalColumnsGenerator(np.eye(2), [0.5, 1.5])
    z = prior.sample(20, np.random.default_rng(1))
    fd = _fd_jacobian(lambda u: g.forward(f.inverse(u)), z)
    np.testing.assert_allclose(ima.twin_jacobian(g.jacobian, f, z), fd, rtol=1e-6, atol=1e-7)


def test_quadrature_converges_and_true_model_is_zero():
    prior = FactorizedPrior([stats.logistic(), stats.logistic()])
    f = entangling_bijection(prior, R45, require_complete=False)
    g = ima.OrthogonalColumnsGenerator(np.eye(2), [0.5, 1.5])
    q = ima.twin_contrast_quadrature(g.jacobian, prior, f, n_panels=16)
    assert q["twin"] > 0.01 and q["error_estimate"] < 1e-7
    # the true model (f = identity) has contrast 0 on every node
    ident = entangling_bijection(prior, np.eye(2), require_complete=False)
    assert abs(ima.twin_contrast_quadrature(g.jacobian, prior, ident, n_panels=4)["twin"]) < 1e-14
    # the quadrature rule integrates E[y²] = 1 under N(0, 1)
    t, w = ima.gauss_legendre_normal(16)
    assert float(w @ (t * t)) == pytest.approx(1.0, abs=1e-13)


def test_bad_input():
    with pytest.raises(ValueError, match="D ≥ d"):
        ima.ima_contrast(np.ones((2, 3)))
    with pytest.raises(ValueError, match="full column rank"):
        ima.ima_contrast(np.ones((2, 2)))
    with pytest.raises(ValueError, match="orthonormal"):
        ima.OrthogonalColumnsGenerator(np.ones((2, 2)), [1.0, 1.0])
    with pytest.raises(TypeError):
        ima.ima_contrast("J")
