r"""The generic variables of the subpackage and the maps of :math:`\mathbb R` onto open intervals.

:math:`x` (pdf and CDF), :math:`p` (quantile) and :math:`t` (Gaussian space, one coordinate) are
the real symbols the one-dimensional expressions are written in; :math:`y_1,\dots,y_d` are those
of Gaussian space. A point of an open interval :math:`(l, h)` is written as the image of a real
:math:`s` under an increasing bijection, so a statement "for every x in (l, h)" becomes one "for
every real s", and a symbol carries the sign information SymPy's assumptions can express.
"""

from __future__ import annotations

from typing import Sequence

import sympy as sp

__all__ = [
    "X_SYMBOL",
    "P_SYMBOL",
    "T_SYMBOL",
    "gaussian_symbols",
    "interval_point",
    "interval_symbol",
    "piecewise_over",
]

#: The variable of the pdf and CDF expressions of :class:`~impossibility.symbolic.PriorPiece`.
X_SYMBOL = sp.Symbol("x", real=True)
#: The variable of the quantile expressions.
P_SYMBOL = sp.Symbol("p", real=True)
#: A coordinate of Gaussian space (the argument of :math:`G^{-1}`).
T_SYMBOL = sp.Symbol("t", real=True)


def gaussian_symbols(d: int) -> tuple[sp.Symbol, ...]:
    r"""The real variables :math:`y_1,\dots,y_d` of Gaussian space."""
    return tuple(sp.symbols(f"y1:{d + 1}", real=True))


def interval_point(lower: sp.Expr, upper: sp.Expr, s: sp.Expr) -> sp.Expr:
    """A smooth bijection of the real line onto the open interval (lower, upper).

    Increasing in s, except on a half-line (−∞, upper), where it is ``upper − exp(s)``, decreasing.
    """
    lo_inf, hi_inf = lower == -sp.oo, upper == sp.oo
    if lo_inf and hi_inf:
        return s
    if hi_inf:
        return lower + sp.exp(s)
    if lo_inf:
        return upper - sp.exp(s)
    return lower + (upper - lower) / (1 + sp.exp(-s))


def interval_symbol(name: str, lower: sp.Expr, upper: sp.Expr) -> sp.Symbol:
    """A real symbol with the sign information SymPy's assumptions can express on (lower, upper)."""
    if lower.is_extended_nonnegative:
        return sp.Symbol(name, positive=True)
    if upper.is_extended_nonpositive:
        return sp.Symbol(name, negative=True)
    return sp.Symbol(name, real=True)


def piecewise_over(arg: sp.Expr, exprs: Sequence[sp.Expr], bounds: Sequence[sp.Expr]) -> sp.Expr:
    """``exprs[k]`` where ``arg < bounds[k]`` first holds (adjacent pieces), as a ``Piecewise``.

    A single expression is returned as it is; the last piece is the ``True`` branch.
    """
    if len(exprs) == 1:
        return exprs[0]
    cases = [(e, arg < b) for e, b in zip(exprs[:-1], bounds[:-1], strict=True)] + [
        (exprs[-1], True)
    ]
    return sp.Piecewise(*cases)
