r"""Complete entanglement: every :math:`\partial f_i/\partial u_j` nonzero, checked two ways.

:func:`entanglement_report` reads the smallest :math:`|\partial f_i/\partial u_j|`, the share of
nonzero entries and the sign pattern off the analytic Jacobian, and compares it with central
differences (:func:`finite_difference_jacobian`), two independent ways of computing the same matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .._typing import Array
from .._validation import as_array, as_points, check_scalar
from ..bijections import Bijector

__all__ = ["finite_difference_jacobian", "EntanglementReport", "entanglement_report"]


def finite_difference_jacobian(
    f: Bijector, u: ArrayLike, *, rel_step: float = 1e-6, scale: ArrayLike | None = None
) -> Array:
    r"""Central-difference Jacobian :math:`(f(u+he_j)-f(u-he_j))/(2h)`, shape (n, d, d).

    The step is :math:`h_j=` ``rel_step`` :math:`\cdot s_j` with the coordinate's ``scale``
    :math:`s_j` (e.g. the marginal's standard deviation), or :math:`\max(|u_j|,1)` when no scale is
    given, so truncation (:math:`O(h^2)`) and rounding (:math:`O(\varepsilon/h)`) errors are both
    about 1e-10 relative for smooth maps. Keep points at least :math:`10^3h` away from finite
    support endpoints, or use :func:`~.finite_differences.richardson_jacobian`, which stays inside
    the support and estimates its own error.

    Raises
    ------
    ValueError
        If ``rel_step`` is not in (0, 0.1], or ``scale`` is not positive and finite with a shape
        that broadcasts to u's.
    """
    u = as_points(u, f.d, name="u")
    rel_step = check_scalar(rel_step, "rel_step", minimum=0.0, maximum=0.1, include_min=False)
    if scale is None:
        h = rel_step * np.maximum(np.abs(u), 1.0)
    else:
        s = as_array(scale, "scale")
        try:
            s = np.broadcast_to(s, u.shape)
        except ValueError:
            raise ValueError(
                f"scale must broadcast to the points' shape {u.shape}; got shape {s.shape}"
            ) from None
        if np.any(s <= 0):
            raise ValueError(f"scale must be positive; got minimum {s.min()!r}")
        h = rel_step * s
    jac = np.empty((u.shape[0], f.d, f.d))
    for j in range(f.d):
        e = np.zeros_like(u)
        e[:, j] = h[:, j]
        jac[:, :, j] = (f.forward(u + e) - f.forward(u - e)) / (2.0 * h[:, j : j + 1])
    return jac


@dataclass(frozen=True)
class EntanglementReport:
    """Summary of how every output of a map depends on every input, over a set of points.

    Attributes
    ----------
    min_abs_partial : float
        :math:`\\min_{k,i,j}|\\partial f_i/\\partial u_j(u_k)|`.
    min_abs_partial_per_entry : ndarray of shape (d, d)
        The same minimum for each entry (i, j) separately.
    fraction_nonzero : float
        Share of the n·d² partial derivatives above ``tol``.
    completely_entangling : bool
        Every partial derivative at every point exceeds ``tol``.
    max_fd_error : float or None
        :math:`\\max|J-J_{FD}|/(|J|+a)` over points and entries when finite differences were run.
    sign_pattern : ndarray of shape (d, d)
        Sign of each entry if it is the same at every point, else 0.
    """

    min_abs_partial: float
    min_abs_partial_per_entry: Array
    fraction_nonzero: float
    completely_entangling: bool
    max_fd_error: float | None
    sign_pattern: Array


def entanglement_report(
    f: Bijector,
    u: ArrayLike,
    *,
    tol: float = 1e-12,
    finite_differences: bool = True,
    fd_abs: float = 1e-8,
) -> EntanglementReport:
    """Measure complete entanglement of ``f`` at the points ``u`` from its analytic Jacobian.

    Parameters
    ----------
    f : Bijector
        A map with an analytic ``jacobian``.
    u : array_like of shape (n, d)
        Points in the domain of f.
    tol : float, default=1e-12
        A partial derivative counts as nonzero when its absolute value exceeds ``tol``.
    finite_differences : bool, default=True
        Also compare the analytic Jacobian with :func:`finite_difference_jacobian`.
    fd_abs : float, default=1e-8
        Absolute floor in the relative comparison :math:`|J-J_{FD}|/(|J|+a)`.
    """
    J = f.jacobian(u)
    if J.ndim == 2:
        J = J[None]
    absJ = np.abs(J)
    per_entry = absJ.min(axis=0)
    signs = np.sign(J)
    pattern = np.where(np.all(signs == signs[:1], axis=0), signs[0], 0.0)
    fd_err = None
    if finite_differences:
        Jfd = finite_difference_jacobian(f, u)
        fd_err = float(np.max(np.abs(J - Jfd) / (absJ + fd_abs)))
    return EntanglementReport(
        min_abs_partial=float(per_entry.min()),
        min_abs_partial_per_entry=per_entry,
        fraction_nonzero=float(np.mean(absJ > tol)),
        completely_entangling=bool(np.all(absJ > tol)),
        max_fd_error=fd_err,
        sign_pattern=pattern,
    )
