"""Tests for impossibility.symbolic.numeric: the lambdified map against impossibility.entangle."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp

from impossibility import Conjugated, FactorizedPrior, Swirl, entangling_bijection
from impossibility import symbolic as S
from impossibility.tolerances import SYMBOLIC_VS_NUMERIC as TOL

PRIOR_NAMES = sorted(S.PRIORS)
_PARAMS = {2: {"theta": 0.7}, 3: {"k1": 0.3, "k2": -0.5, "k3": 0.8}}


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("name", PRIOR_NAMES)
def test_lambdified_map_matches_entangle(name, d, max_rel_error, bulk_points, numeric_A):
    rng = np.random.default_rng(100 + d)
    m = S.symbolic_map(name, d)
    nm = m.numeric(_PARAMS[d])
    A = numeric_A(m, _PARAMS[d])
    f = entangling_bijection(FactorizedPrior.iid(S.PRIORS[name].scipy(), d), A)
    u = bulk_points(name, 40, d, rng)
    v = f.forward(u)
    assert max_rel_error(nm.forward(u), v) < TOL
    assert max_rel_error(nm.inverse(v), u) < TOL
    assert max_rel_error(nm.jacobian(u), f.jacobian(u)) < TOL
    assert max_rel_error(nm.log_abs_det_jacobian(u), f.forward_log_det_jacobian(u)) < TOL
    # the identity itself, from the symbolic Jacobian: log-space sums of O(1) terms, ≤ ~1e-14 seen
    assert np.max(np.abs(nm.density_ratio_minus_one(u))) < TOL


def test_piecewise_laplace_matches_closed_form_laplace(max_rel_error, bulk_points):
    """Without its Abs/sign closed forms the Laplace prior falls back to Piecewise: same numbers."""
    lap_pw = dataclasses.replace(S.PRIORS["laplace"], name="laplace-piecewise", closed_forms=None)
    assert isinstance(lap_pw.gaussianize(sp.Symbol("x", real=True)), sp.Piecewise)
    assert S.prove_density_invariance(lap_pw, 2)
    u = bulk_points("laplace", 30, 2, np.random.default_rng(21))
    a = S.symbolic_map(lap_pw, 2).numeric({"theta": 0.7})
    b = S.symbolic_map("laplace", 2).numeric({"theta": 0.7})
    assert max_rel_error(a.forward(u), b.forward(u)) < TOL
    assert max_rel_error(a.jacobian(u), b.jacobian(u)) < TOL


@pytest.mark.parametrize("name", ["normal", "logistic", "cauchy", "exponential", "uniform"])
def test_direct_and_chain_rule_jacobians_agree(name, max_rel_error, bulk_points):
    m = S.symbolic_map(name, 2)
    nm = m.numeric({"theta": 1.1})
    u = bulk_points(name, 20, 2, np.random.default_rng(11))
    assert max_rel_error(nm.jacobian(u, direct=True), nm.jacobian(u)) < TOL


@pytest.mark.parametrize("name", PRIOR_NAMES)
def test_lambdified_swirl_matches_entangle(name, max_rel_error, bulk_points):
    m = S.symbolic_map(name, 2, inner=S.swirl_map(2, "quadratic"))
    nm = m.numeric({"a": 0.3, "b": 0.8})
    f = Conjugated(
        FactorizedPrior.iid(S.PRIORS[name].scipy(), 2),
        Swirl(np.array([[0.0, -1.0], [1.0, 0.0]]), 0.3, 0.8),
    )
    u = bulk_points(name, 30, 2, np.random.default_rng(5))
    v = f.forward(u)
    assert max_rel_error(nm.forward(u), v) < TOL
    assert max_rel_error(nm.inverse(v), u) < TOL
    assert max_rel_error(nm.jacobian(u), f.jacobian(u)) < TOL
    assert max_rel_error(nm.log_abs_det_jacobian(u), f.forward_log_det_jacobian(u)) < TOL


def test_high_precision_reference(max_rel_error, bulk_points, numeric_A):
    """mpmath at 40 digits: a reference free of float64 round-off in the closed forms."""
    m = S.symbolic_map("cauchy", 2)
    ref = m.numeric({"theta": 0.7}, dps=40)
    f = entangling_bijection(
        FactorizedPrior.iid(S.PRIORS["cauchy"].scipy(), 2), numeric_A(m, {"theta": 0.7})
    )
    u = bulk_points("cauchy", 5, 2, np.random.default_rng(9))
    assert max_rel_error(ref.forward(u), f.forward(u)) < TOL
    assert max_rel_error(ref.jacobian(u), f.jacobian(u)) < TOL
    assert max_rel_error(ref.log_abs_det_jacobian(u), f.forward_log_det_jacobian(u)) < TOL
    # at 40 digits the identity's residual is pure float64 rounding of the inputs/outputs
    assert np.max(np.abs(ref.density_ratio_minus_one(u))) < 1e-13


def test_numeric_map_validation():
    m = S.symbolic_map("exponential", 2)
    with pytest.raises(ValueError, match=r"missing values for parameters \['theta'\]"):
        m.numeric()
    with pytest.raises(ValueError, match="unknown parameter 'phi'"):
        m.numeric({"theta": 0.1, "phi": 1.0})
    with pytest.raises(ValueError, match="must be finite"):
        m.numeric({"theta": np.nan})
    with pytest.raises(ValueError, match="dps must be an integer >= 15"):
        m.numeric({"theta": 0.1}, dps=5)
    nm = m.numeric({"theta": 0.1})
    with pytest.raises(ValueError, match=r"u must have shape \(n, 2\)"):
        nm.forward(np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"u\[1, 0\] = -1.0 is outside the open support"):
        nm.forward(np.array([[1.0, 1.0], [-1.0, 2.0]]))
    with pytest.raises(ValueError, match="u contains 1 non-finite value"):
        nm.forward(np.array([[np.inf, 1.0]]))
    assert nm.forward(np.array([0.5, 1.5])).shape == (2,)


def test_numeric_map_type_errors():
    m = S.symbolic_map("exponential", 2)
    with pytest.raises(TypeError, match="values must be a mapping from parameter"):
        m.numeric([("theta", 0.1)])
    with pytest.raises(TypeError, match=r"parameter 'theta' must be a real number; got '0\.1'"):
        m.numeric({"theta": "0.1"})
    with pytest.raises(TypeError, match="dps must be an integer; got 20.0"):
        m.numeric({"theta": 0.1}, dps=20.0)
    nm = m.numeric({"theta": 0.1})
    with pytest.raises(TypeError, match="u must be an array of real numbers"):
        nm.forward([["a", "b"]])
    with pytest.raises(TypeError, match="v must be an array of real numbers"):
        nm.inverse(np.array([[1.0 + 1j, 2.0]]))
    # exact SymPy numbers are numbers: θ = π/4 is accepted
    exact = m.numeric({"theta": sp.pi / 4})
    assert exact.values[m.params[0]] == float(sp.pi / 4)
