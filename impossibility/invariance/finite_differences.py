r"""Error-controlled finite differences: Richardson extrapolation that stays inside the support.

:math:`D_{k,0}=(f(u+h_ke_j)-f(u-h_ke_j))/(2h_k)` with :math:`h_k=h_0c^{-k}` has the error
expansion :math:`J_{\cdot j}+a_1h_k^2+a_2h_k^4+\dots` for a smooth f, so the Neville tableau
:math:`D_{k,m}=D_{k,m-1}+(D_{k,m-1}-D_{k-1,m-1})/(c^{2m}-1)` removes one power of
:math:`h^2` per column (Ridders' method). Each entry of the tableau carries the error estimate
:math:`\max(|D_{k,m}-D_{k,m-1}|,|D_{k,m}-D_{k-1,m-1}|)`: it grows when rounding
(:math:`O(\varepsilon|f|/h)`) takes over at small steps and when truncation does at large ones,
so the entry with the smallest estimate balances the two, per point and per entry of J.

The map is a black box here: only ``f.forward`` is called, on steps that never leave the open
box ``(lower, upper)`` (each step is at most half the distance to the nearer finite endpoint).
:func:`jacobian_check` turns the estimate and its error into a verdict with a stated tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .._typing import Array, BijectorLike
from .._validation import as_array, as_points, check_int, check_scalar

__all__ = ["richardson_jacobian", "JacobianCheck", "jacobian_check", "forward_where_defined"]

#: Entries whose error estimate exceeds this share of |J_FD| are too poorly conditioned to judge.
CONDITIONED = 1e-8
#: Rounding error of one evaluation of f, in ulps of its value (a floor under the estimate).
ROUNDING_ULPS = 8.0
#: Bound on how much the extrapolation amplifies the rounding of the smallest step it uses
#: (the sum of the absolute tableau weights is below 2.5 for c = 2).
AMPLIFICATION = 3.0
#: Safety factor on Ridders' error estimate (a heuristic: the estimate is a difference of two
#: extrapolations, and picking the smallest of many makes it optimistic).
SAFETY = 10.0


def forward_where_defined(f: BijectorLike, x: Array) -> tuple[Array, Array]:
    """``f.forward`` row by row where it answers: (values, defined), NaN rows where it raises.

    A bijector raises ``ValueError`` for a batch with one row it cannot map (an image float64
    cannot represent); halving the batch finds those rows in O(k log n) calls for k of them.
    """
    out = np.full(x.shape, np.nan)
    ok = np.zeros(len(x), dtype=bool)
    todo = [(0, len(x))] if len(x) else []
    while todo:
        a, b = todo.pop()
        try:
            with np.errstate(all="ignore"):
                out[a:b] = np.asarray(f.forward(x[a:b]), dtype=float).reshape(b - a, -1)
            ok[a:b] = np.all(np.isfinite(out[a:b]), axis=1)
        except ValueError:
            if b - a > 1:
                todo += [(a, (a + b) // 2), ((a + b) // 2, b)]
    return out, ok


def _steps(u: Array, step: ArrayLike, lower: ArrayLike | None, upper: ArrayLike | None) -> Array:
    h = np.broadcast_to(as_array(step, "step"), u.shape).astype(float)
    if np.any(h <= 0):
        raise ValueError(f"step must be positive; got minimum {h.min()!r}")
    for bound, name, sign in ((lower, "lower", 1.0), (upper, "upper", -1.0)):
        if bound is None:
            continue
        b = np.broadcast_to(as_array(bound, name, finite=False), u.shape[1:])
        if np.isnan(b).any():
            raise ValueError(f"{name} must not contain NaN")
        dist = sign * (u - b)
        if np.any(dist <= 0):
            r, c = np.argwhere(dist <= 0)[0]
            raise ValueError(
                f"u[{r}, {c}] = {u[r, c]!r} is not strictly inside ({name} bound {b[c]!r})"
            )
        h = np.minimum(h, 0.5 * dist)  # u ± h stays strictly inside (lower, upper)
    return h


def richardson_jacobian(
    f: BijectorLike,
    u: ArrayLike,
    step: ArrayLike,
    *,
    lower: ArrayLike | None = None,
    upper: ArrayLike | None = None,
    levels: int = 10,
    factor: float = 2.0,
) -> tuple[Array, Array]:
    r"""Jacobian of ``f`` at ``u`` by Richardson-extrapolated central differences, with its error.

    Parameters
    ----------
    f : Bijector
        Only ``f.forward`` and ``f.d`` are used.
    u : array_like of shape (n, d)
        Points strictly inside ``(lower, upper)``.
    step : array_like, broadcastable to (n, d)
        Largest step :math:`h_0` per point and coordinate (shrunk to half the distance to a
        finite bound).
    lower, upper : array_like of shape (d,), optional
        The open box the steps must stay in (e.g. the prior's support); default unbounded.
    levels : int, default=10
        Number of step sizes :math:`h_0, h_0/c, \dots`.
    factor : float, default=2
        The ratio :math:`c>1` between successive steps.

    Returns
    -------
    J, err : ndarrays of shape (n, d, d)
        The estimate of :math:`\partial f_i/\partial u_j` and its error estimate (``inf`` where no
        step gave finite values).
    """
    d = check_int(getattr(f, "d", None), "f.d", minimum=1)
    u = as_points(u, d, name="u")
    levels = check_int(levels, "levels", minimum=2)
    factor = check_scalar(factor, "factor", minimum=1.0, include_min=False, maximum=16.0)
    h0 = _steps(u, step, lower, upper)
    n = u.shape[0]
    # one batch: rows (level, coordinate, sign, point)
    hk = h0[None] * factor ** -np.arange(levels)[:, None, None]  # (K, n, d)
    pts = np.broadcast_to(u, (levels, d, 2, n, d)).copy()
    for j in range(d):
        pts[:, j, 0, :, j] += hk[:, :, j]
        pts[:, j, 1, :, j] -= hk[:, :, j]
    out = forward_where_defined(f, pts.reshape(-1, d))[0].reshape(levels, d, 2, n, d)
    with np.errstate(all="ignore"):
        # the step actually taken (u ± h rounds), so rounding of the abscissa is not an error
        width = pts[:, :, 0, :, :] - pts[:, :, 1, :, :]  # (K, j, n, d)
        width = np.stack([width[:, j, :, j] for j in range(d)], axis=1)  # (K, j, n)
        D = (out[:, :, 0] - out[:, :, 1]) / width[..., None]  # (K, j, n, i)
        # rounding floor: f's values are only known to a few ulps, and quantized differences
        # can agree exactly across levels, which would fake a zero error estimate
        ulp = np.spacing(np.maximum(np.abs(out[:, :, 0]), np.abs(out[:, :, 1])))
        noise = (ROUNDING_ULPS * ulp / width[..., None]).transpose(0, 2, 3, 1)
    D = np.where(np.isfinite(D), D, np.nan).transpose(0, 2, 3, 1)  # (K, n, i, j)
    best = np.full(D.shape[1:], np.nan)
    err = np.full(D.shape[1:], np.inf)
    prev = [D[0]]
    for k in range(1, levels):
        row = [D[k]]
        for m in range(1, k + 1):
            c = factor ** (2 * m)
            t = row[m - 1] + (row[m - 1] - prev[m - 1]) / (c - 1.0)
            e = np.maximum(np.abs(t - row[m - 1]), np.abs(t - prev[m - 1]))
            e = np.maximum(e, AMPLIFICATION * noise[k])
            better = e < err  # NaN compares False: a non-finite evaluation never wins
            best = np.where(better, t, best)
            err = np.where(better, e, err)
            row.append(t)
        prev = row
    return best, err


@dataclass(frozen=True)
class JacobianCheck:
    r"""An analytic Jacobian compared with :func:`richardson_jacobian`.

    Attributes
    ----------
    max_relative_error : float
        :math:`\max|J-J_{FD}|/|J_{FD}|` over the conditioned entries (0 when J = J_FD = 0).
    n_points, n_excluded : int
        Points compared, and points with an entry whose finite-difference error estimate exceeds
        ``CONDITIONED`` · |J_FD| (excluded: finite differences cannot judge them).
    tolerance : float
        The bound every conditioned entry must meet.
    passed : bool or None
        False if a conditioned entry is off by more than ``tolerance``; else True when at least
        half the points were conditioned, None (no verdict) when fewer were.
    """

    max_relative_error: float
    n_points: int
    n_excluded: int
    tolerance: float
    passed: bool | None


def jacobian_check(
    J: ArrayLike,
    J_fd: ArrayLike,
    err: ArrayLike,
    *,
    tolerance: float,
    n_points: int | None = None,
) -> JacobianCheck:
    r"""Compare an analytic Jacobian with a Richardson estimate whose error estimate is ``err``.

    An entry is *conditioned* when :math:`E\le` ``CONDITIONED`` :math:`\cdot|J_{FD}|` (or
    :math:`J_{FD}=E=0`: the output does not move at all). There the finite-difference error is at
    most ``SAFETY`` · E ≤ 1e-7 relative (E is a heuristic; the margin to the package's 1e-6 is
    100× E, and over 40 priors of the strategies the worst accepted entry was off by 5e-10), so a
    correct J meets :math:`|J-J_{FD}|\le` ``tolerance``
    :math:`\cdot|J_{FD}|` for any tolerance ≥ 1e-7 plus J's own rounding; a J that is wrong by more
    than ``tolerance`` relative fails. Points with an unconditioned entry are excluded and counted;
    ``n_points`` (default: the rows given) is the number of points meant to be compared, so rows
    dropped beforehand count as excluded. With more than half excluded there is no verdict.
    """
    J = np.asarray(J, dtype=float).reshape(np.shape(J_fd))
    J_fd = np.asarray(J_fd, dtype=float)
    err = np.asarray(err, dtype=float)
    tolerance = check_scalar(tolerance, "tolerance", minimum=SAFETY * CONDITIONED)
    absd = np.abs(J_fd)
    cond = (err <= CONDITIONED * absd) & np.isfinite(J_fd)
    good = np.all(cond, axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(J == J_fd, 0.0, np.abs(J - J_fd) / absd)
    worst = float(np.max(rel[good], initial=0.0))
    total = len(J) if n_points is None else check_int(n_points, "n_points", minimum=len(J))
    n_ex = int(np.sum(~good)) + total - len(J)
    passed: bool | None = bool(worst <= tolerance)
    if passed and 2 * n_ex > total:
        passed = None
    return JacobianCheck(worst, total, n_ex, tolerance, passed)
