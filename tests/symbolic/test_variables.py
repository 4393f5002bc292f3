"""Tests for impossibility.symbolic._variables: maps of ℝ onto open intervals, signed symbols."""

from __future__ import annotations

import pytest
import sympy as sp

from impossibility.symbolic._variables import interval_point, interval_symbol, piecewise_over


@pytest.mark.parametrize(
    "lo, hi, increasing",
    [
        (-sp.oo, sp.oo, True),
        (sp.S.Zero, sp.oo, True),
        (-sp.oo, sp.S.Zero, False),  # upper − exp(s)
        (sp.S.Zero, sp.pi, True),
    ],
)
def test_interval_point_is_a_monotone_bijection_onto_the_interval(lo, hi, increasing):
    s = sp.Symbol("s", real=True)
    x = interval_point(lo, hi, s)
    ends = (sp.limit(x, s, -sp.oo), sp.limit(x, s, sp.oo))
    assert ends == ((lo, hi) if increasing else (hi, lo))
    slope = sp.simplify(sp.diff(x, s))
    assert slope.is_positive if increasing else slope.is_negative


def test_interval_symbol_and_piecewise_over():
    assert interval_symbol("u", sp.S.Zero, sp.oo).is_positive
    assert interval_symbol("u", -sp.oo, sp.S.Zero).is_negative
    assert interval_symbol("u", -sp.oo, sp.oo).is_positive is None
    x = sp.Symbol("x", real=True)
    assert piecewise_over(x, [x], [sp.oo]) == x
    pw = piecewise_over(x, [-x, x], [sp.S.Zero, sp.oo])
    assert pw.subs(x, -2) == 2 and pw.subs(x, 3) == 3
