"""Tests for impossibility.symbolic.normal: φ, Φ and Φ⁻¹ as SymPy expressions."""

from __future__ import annotations

import numpy as np
import sympy as sp
from scipy import stats

from impossibility import symbolic as S


def test_standard_normal_identities_and_values():
    t = sp.Symbol("t", real=True)
    assert sp.simplify(sp.diff(S.std_normal_cdf(t), t) - S.std_normal_pdf(t)) == 0
    assert sp.simplify(S.std_normal_quantile(S.std_normal_cdf(t)) - t) == 0
    pts = np.linspace(-3.0, 3.0, 13)
    pdf = sp.lambdify(t, S.std_normal_pdf(t), modules=["scipy", "numpy"])
    cdf = sp.lambdify(t, S.std_normal_cdf(t), modules=["scipy", "numpy"])
    np.testing.assert_allclose(pdf(pts), stats.norm.pdf(pts), rtol=1e-14)
    np.testing.assert_allclose(cdf(pts), stats.norm.cdf(pts), rtol=1e-14)
