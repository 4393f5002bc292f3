"""Richardson finite differences: accurate, inside the support, honest about their error."""

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility.invariance.finite_differences import (
    CONDITIONED,
    forward_where_defined,
    jacobian_check,
    richardson_jacobian,
)

PRIOR = im.FactorizedPrior([stats.gamma(0.5), stats.beta(0.5, 0.5), stats.logistic()])


def _points(prior, n, seed=0):
    return prior.ppf(np.random.default_rng(seed).uniform(1e-3, 1 - 1e-3, size=(n, prior.d)))


def test_richardson_matches_the_analytic_jacobian_next_to_infinite_densities():
    f = im.entangling_bijection(PRIOR, rng=np.random.default_rng(1))
    u = _points(PRIOR, 50)
    lo, hi = PRIOR.support
    D, E = richardson_jacobian(f, u, 0.1 * np.maximum(np.abs(u), 1.0), lower=lo, upper=hi)
    J = f.jacobian(u)
    rel = np.abs(J - D) / np.abs(J)
    ok = E <= CONDITIONED * np.abs(D)
    assert ok.mean() > 0.9
    # where the estimate says it is good to 1e-8, it is (against the analytic Jacobian)
    assert np.all(rel[ok] <= 10 * CONDITIONED + 1e-9)


def test_steps_never_leave_the_support():
    prior = im.FactorizedPrior([stats.uniform(0, 0.125), stats.norm()])
    seen = []

    class Spy(im.Orthogonal):
        def _forward_and_log_det(self, x):
            seen.append(x.copy())
            return super()._forward_and_log_det(x)

    f = Spy(np.eye(2))
    u = np.array([[1e-9, 0.0], [0.125 - 1e-9, 1.0]])
    D, E = richardson_jacobian(f, u, 1.0, lower=prior.support[0], upper=prior.support[1])
    x = np.vstack(seen)
    assert np.all((x[:, 0] > 0) & (x[:, 0] < 0.125))
    np.testing.assert_allclose(D, np.broadcast_to(np.eye(2), D.shape), atol=1e-9)


def test_linear_map_is_exact_and_a_wrong_jacobian_fails():
    A = im.random_entangling_rotation(3, np.random.default_rng(5))
    u = np.random.default_rng(6).normal(size=(4, 3))
    D, E = richardson_jacobian(im.Orthogonal(A), u, 1.0)
    J = np.broadcast_to(A, D.shape)
    good = jacobian_check(J, D, E, tolerance=1e-6)
    assert good.passed and good.max_relative_error < 1e-12 and good.n_excluded == 0
    bad = jacobian_check(J * 1.001, D, E, tolerance=1e-6)
    assert bad.passed is False and bad.max_relative_error == pytest.approx(1e-3, rel=1e-6)
    none = jacobian_check(J, D, np.full_like(E, 1.0), tolerance=1e-6)
    assert none.passed is None and none.n_excluded == 4  # no verdict, never a false FAIL


def test_forward_where_defined_isolates_rows_that_raise():
    f = im.entangling_bijection(
        im.FactorizedPrior([stats.gamma(0.01), stats.norm()]), rng=np.random.default_rng(0)
    )
    x = np.array([[1.0, 0.0], [1.0, -38.0], [2.0, 0.5]])
    out, ok = forward_where_defined(f, x)
    assert ok[0] and ok[2] and np.isfinite(out[ok]).all()
    np.testing.assert_array_equal(out[0], f.forward(x[:1])[0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"step": 0.0}, "step must be positive"),
        ({"step": -1.0}, "step must be positive"),
        ({"step": np.nan}, "step contains"),
        ({"step": 1.0, "levels": 1}, "levels"),
        ({"step": 1.0, "factor": 1.0}, "factor"),
        ({"step": 1.0, "lower": [0.5, -np.inf]}, "not strictly inside"),
    ],
)
def test_richardson_rejects_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        richardson_jacobian(im.Orthogonal(np.eye(2)), [[0.1, 0.2]], **kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"rel_step": 0}, "rel_step must be > 0.0"),
        ({"rel_step": -1e-6}, "rel_step must be > 0.0"),
        ({"rel_step": np.nan}, "rel_step must be finite"),
        ({"rel_step": 1.0}, "rel_step must be"),
        ({"scale": [1.0, 0.0]}, "scale must be positive"),
        ({"scale": [1.0, np.inf]}, "scale contains"),
        ({"scale": [1.0, 1.0, 1.0]}, "scale must broadcast"),
    ],
)
def test_finite_difference_jacobian_rejects_bad_parameters(kwargs, match):
    # rel_step=0 used to return NaN
    with pytest.raises(ValueError, match=match):
        im.finite_difference_jacobian(im.Orthogonal(np.eye(2)), [[0.1, 0.2]], **kwargs)
