"""Tests for impossibility.symbolic._proof: proof steps and results as data."""

from __future__ import annotations

import sympy as sp

from impossibility import symbolic as S
from impossibility.symbolic._proof import equality_step, positivity_step, proof_result


def test_proof_result_reporting():
    res = S.prove_density_invariance("uniform", 2)
    text = res.summary()
    assert text.startswith("PROVED") and "✓" in text and "(ii)" in text
    bad = S.prove_gaussian_invariance(sp.Matrix([[1, 1], [0, 1]]))
    assert str(bad).startswith("NOT PROVED") and "✗" in str(bad) and "witness" in str(bad)
    assert len(bad.failed_steps) == 3


def test_steps_prove_refute_or_leave_open():
    x = sp.Symbol("x", real=True)
    proved = equality_step("sin² + cos² = 1", sp.sin(x) ** 2 + sp.cos(x) ** 2, sp.S.One)
    assert proved.status == "proved" and proved.residual == 0 and proved.holds
    refuted = equality_step("x² = x", x**2, x)
    assert refuted.status == "refuted" and not refuted.holds
    w = dict(refuted.witness)
    assert abs(abs(w["x"] ** 2 - w["x"]) - w["residual"]) < 1e-12
    f = sp.Function("f")(x)
    open_step = equality_step("f(x) = x", f, x)
    assert open_step.status == "not proved" and open_step.witness is None
    assert positivity_step("eˣ > 0", sp.exp(x)).status == "proved"
    assert positivity_step("x > 0", x).status == "refuted"
    res = proof_result("mixed", sp.S.Zero, [proved, refuted])
    assert not res and res.failed_steps == (refuted,)
