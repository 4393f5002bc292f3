"""Tests for impossibility.symbolic.map: the map f = G⁻¹∘T∘G as SymPy expressions."""

from __future__ import annotations

import numpy as np
import sympy as sp

from impossibility import symbolic as S
from impossibility.tolerances import SYMBOLIC_VS_NUMERIC as TOL


def test_normal_prior_map_is_exactly_linear():
    m = S.symbolic_map("normal", 2)
    assert sp.simplify(m.f - m.A * sp.Matrix(m.u)) == sp.zeros(2, 1)


def test_structured_jacobian_equals_symbolic_jacobian_numerically(
    max_rel_error, bulk_points, numeric_A
):
    """J_f = D_out·A·D_in with the (i)/(ii) forms, on the concrete expressions."""
    rng = np.random.default_rng(7)
    for name in ("logistic", "laplace", "cauchy"):
        m = S.symbolic_map(name, 2)
        th = m.params[0]
        structured = sp.lambdify(
            m.u, m.structured_jacobian().subs(th, 0.4), modules=["scipy", "numpy"]
        )
        nm = m.numeric({"theta": 0.4})
        u = bulk_points(name, 20, 2, rng)
        J = nm.jacobian(u)
        Js = np.stack([np.asarray(structured(*row), dtype=float) for row in u])
        assert max_rel_error(J, Js) < TOL
        # sign pattern of J equals that of A (all entries nonzero for θ = 0.4)
        A = numeric_A(m, {"theta": 0.4})
        assert np.all(np.sign(J) == np.sign(A))


def test_symbolic_map_api():
    m = S.symbolic_map("logistic", 2)
    assert m.d == 2 and len(m.u) == 2 and m.f.shape == (2, 1)
    assert [p.name for p in m.params] == ["theta"]
    assert m.A == S.rotation_2d()
    m3 = S.symbolic_map("exponential", 3)
    assert [p.name for p in m3.params] == ["k1", "k2", "k3"]
    assert all(u.is_positive for u in m3.u)  # support (0, ∞)
