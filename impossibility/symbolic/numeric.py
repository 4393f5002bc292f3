r"""Numbers from the SymPy expressions of :math:`f=G^{-1}\circ T\circ G` (``lambdify``).

.. math:: p(f(u))\,|\det J_f(u)|\,/\,p(u)-1=0\quad\text{(up to round-off)}

:class:`NumericMap` evaluates :math:`f`, :math:`f^{-1}`, :math:`J_f`, :math:`\log|\det J_f|`
and the density ratio of a :class:`~impossibility.symbolic.SymbolicMap` with NumPy/SciPy, or with
mpmath at ``dps`` digits. None of it uses the chain-rule formula of :mod:`impossibility.entangle`,
so it checks that implementation independently. The closed forms are the textbook (naive) ones,
accurate in the bulk of the distribution and not meant for far tails (docs/theory.md §7).
"""

from __future__ import annotations

from typing import Callable, Mapping, Protocol, Sequence

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from .._typing import Array
from .._validation import as_points, check_int, check_scalar

__all__ = ["NumericMap"]


class SymbolicMapLike(Protocol):
    """What numeric evaluation reads of a :class:`~impossibility.symbolic.SymbolicMap`."""

    u: tuple[sp.Symbol, ...]
    f: sp.ImmutableMatrix

    @property
    def d(self) -> int: ...

    @property
    def params(self) -> tuple[sp.Symbol, ...]: ...

    def inverse(self) -> sp.ImmutableMatrix: ...

    def jacobian(self, *, direct: bool = False) -> sp.ImmutableMatrix: ...

    def density(self, x: Sequence[sp.Expr] | None = None) -> sp.Expr: ...


class NumericMap:
    r"""Numeric evaluation of a :class:`SymbolicMap` (``lambdify``), to check the numeric package.

    Methods take points of shape (n, d) (or (d,)) and return arrays: :meth:`forward` (n, d),
    :meth:`inverse` (n, d), :meth:`jacobian` (n, d, d), :meth:`log_abs_det_jacobian` (n,) — the
    log-determinant of the lambdified symbolic Jacobian (``slogdet``, or mpmath's ``det``) — and
    :meth:`density_ratio_minus_one` (n,), :math:`p(f(u))|\det J_f(u)|/p(u)-1` from the same Jacobian
    and the lambdified densities (0 up to round-off). None of them uses the chain-rule formula
    of the numeric package, so they are independent checks of it.
    With ``dps`` set, everything is evaluated by mpmath at that precision and rounded to float64.
    """

    def __init__(
        self, smap: SymbolicMapLike, values: Mapping[str | sp.Symbol, float], dps: int | None
    ):
        self.smap = smap
        self.d = smap.d
        if not isinstance(values, Mapping):
            raise TypeError(
                "values must be a mapping from parameter (name or symbol) to number; got "
                f"{type(values).__name__}"
            )
        names = {p.name: p for p in smap.params}
        vals: dict[sp.Symbol, float] = {}
        for k, v in values.items():
            sym = names.get(k) if isinstance(k, str) else k
            if sym not in smap.params:
                known = [p.name for p in smap.params]
                raise ValueError(f"unknown parameter {k!r}; the map's parameters are {known}")
            if isinstance(v, sp.Basic) and v.is_number:
                v = float(v)  # an exact SymPy number such as pi/4
            vals[sym] = check_scalar(v, f"parameter {k!r}")
        missing = [p.name for p in smap.params if p not in vals]
        if missing:
            raise ValueError(f"missing values for parameters {missing}")
        if dps is not None:
            dps = check_int(dps, "dps", minimum=15)
        self.values = vals
        self.dps = dps
        self._cache: dict[str, Callable] = {}

    def _expr(self, what: str) -> sp.Expr | list[sp.Expr]:
        m = self.smap
        if what == "forward":
            return list(m.f)
        if what == "inverse":
            return list(m.inverse())
        if what == "jacobian":
            return list(m.jacobian())
        if what == "jacobian_direct":
            return list(m.jacobian(direct=True))
        if what == "log_density":
            return sp.log(m.density())
        raise ValueError(what)

    def _fun(self, what: str) -> Callable:
        if what not in self._cache:
            expr = self._expr(what)
            expr = (
                sp.sympify(expr).subs(self.values)
                if not isinstance(expr, list)
                else [sp.sympify(e).subs(self.values) for e in expr]
            )
            modules = "mpmath" if self.dps is not None else ["scipy", "numpy"]
            self._cache[what] = sp.lambdify(self.smap.u, expr, modules=modules, cse=True)
        return self._cache[what]

    def _points(self, x: ArrayLike, name: str) -> tuple[Array, bool]:
        single = np.ndim(x) == 1
        arr = as_points(x, self.d, name=name)
        for j, pr in enumerate(self.smap.priors):
            lo, hi = float(pr.lower), float(pr.upper)
            col = arr[:, j]
            if np.any(col <= lo) or np.any(col >= hi):
                k = int(np.argmax((col <= lo) | (col >= hi)))
                raise ValueError(
                    f"{name}[{k}, {j}] = {float(col[k])!r} is outside the open support "
                    f"({lo}, {hi}) of {pr.name}"
                )
        return arr, single

    def _eval(self, what: str, x: ArrayLike, name: str) -> Array:
        arr, single = self._points(x, name)
        fun = self._fun(what)
        if self.dps is None:
            # Piecewise expressions evaluate every branch; the unused ones may overflow harmlessly.
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                out = fun(*arr.T)
            if isinstance(out, list):
                out = np.stack(
                    [np.broadcast_to(np.asarray(o, dtype=np.float64), arr.shape[:1]) for o in out],
                    axis=1,
                )
            out = np.asarray(out, dtype=np.float64)
        else:
            import mpmath

            rows = []
            with mpmath.workdps(self.dps):
                for row in arr:
                    val = fun(*[mpmath.mpf(float(c)) for c in row])
                    rows.append([float(v) for v in val] if isinstance(val, list) else float(val))
            out = np.asarray(rows, dtype=np.float64)
        if not np.all(np.isfinite(out)):
            raise ValueError(
                f"non-finite result for {what}: a point beyond the numeric range of the closed "
                "forms"
            )
        return out[0] if single else out

    def forward(self, u: ArrayLike) -> Array:
        """f(u), shape (n, d)."""
        return self._eval("forward", u, "u")

    def inverse(self, v: ArrayLike) -> Array:
        r""":math:`f^{-1}(v)`, shape (n, d)."""
        return self._eval("inverse", v, "v")

    def jacobian(self, u: ArrayLike, *, direct: bool = False) -> Array:
        r""":math:`J_f(u)`, shape (n, d, d) (``direct``: see :meth:`SymbolicMap.jacobian`)."""
        out = self._eval("jacobian_direct" if direct else "jacobian", u, "u")
        return out.reshape(out.shape[:-1] + (self.d, self.d))

    def log_abs_det_jacobian(self, u: ArrayLike) -> Array:
        r""":math:`\log|\det J_f(u)|` of the symbolic Jacobian, shape (n,)."""
        arr, single = self._points(u, "u")
        if self.dps is None:
            _, out = np.linalg.slogdet(self.jacobian(arr))
        else:
            import mpmath

            fun = self._fun("jacobian")
            out = np.empty(arr.shape[0])
            with mpmath.workdps(self.dps):
                for k, row in enumerate(arr):
                    vals = fun(*[mpmath.mpf(float(c)) for c in row])
                    mat = mpmath.matrix(
                        [vals[i * self.d : (i + 1) * self.d] for i in range(self.d)]
                    )
                    out[k] = float(mpmath.log(abs(mpmath.det(mat))))
        return out[0] if single else out

    def log_density(self, u: ArrayLike) -> Array:
        r""":math:`\log p(u)=\sum_j\log p_j(u_j)`, shape (n,)."""
        return self._eval("log_density", u, "u")

    def density_ratio_minus_one(self, u: ArrayLike) -> Array:
        r""":math:`p(f(u))\,|\det J_f(u)|/p(u)-1` from the symbolic Jacobian, shape (n,)."""
        arr, single = self._points(u, "u")
        v = self.forward(arr)
        out = np.expm1(self.log_density(v) + self.log_abs_det_jacobian(arr) - self.log_density(arr))
        return out[0] if single else out
