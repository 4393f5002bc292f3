r"""Coordinatewise bijections :math:`y_i=\beta_i(x_i)`: a diagonal Jacobian and a summed log-det.

:math:`\log|\det J(x)|=\sum_i\log|\beta_i'(x_i)|`. Subclasses return the per-coordinate
log-derivatives; the generic constructor wraps three vectorised functions.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .._typing import Array
from .._validation import check_int
from .base import Bijector

__all__ = ["Elementwise"]


class Elementwise(Bijector):
    r"""A coordinatewise bijection :math:`y_i=\beta_i(x_i)` with a diagonal Jacobian.

    Subclasses implement ``_forward_and_log_diag`` / ``_inverse_and_log_diag``, returning
    the per-coordinate log-derivatives :math:`\log|\beta_i'(x_i)|`; log|det J| is their sum.
    The generic constructor wraps plain functions:

    Parameters
    ----------
    d : int
        Number of coordinates.
    forward_fn, inverse_fn : callable
        Vectorised maps acting on arrays of shape (n, d).
    log_deriv_fn : callable
        ``log|β'(x)|`` as an array of shape (n, d), evaluated at the forward input.
    name : str, default="elementwise"
    """

    def __init__(
        self,
        d: int,
        forward_fn: Callable[[Array], Array] | None = None,
        inverse_fn: Callable[[Array], Array] | None = None,
        log_deriv_fn: Callable[[Array], Array] | None = None,
        *,
        name: str = "elementwise",
    ):
        self.d = check_int(d, "d", minimum=1)
        self.name = name
        self._f, self._fi, self._ld = forward_fn, inverse_fn, log_deriv_fn

    def _forward_and_log_diag(self, x: Array) -> tuple[Array, Array]:
        if self._f is None:
            raise NotImplementedError
        return self._f(x), self._ld(x)

    def _inverse_and_log_diag(self, y: Array) -> tuple[Array, Array]:
        if self._fi is None:
            raise NotImplementedError
        x = self._fi(y)
        return x, -self._ld(x)

    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        y, ld = self._forward_and_log_diag(x)
        return y, ld.sum(axis=1)

    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        x, ld = self._inverse_and_log_diag(y)
        return x, ld.sum(axis=1)

    def _jacobian(self, x: Array) -> Array:
        _, ld = self._forward_and_log_diag(x)
        jac = np.zeros((x.shape[0], self.d, self.d))
        idx = np.arange(self.d)
        jac[:, idx, idx] = np.exp(ld)
        return jac

    def _inverse_jacobian(self, y: Array) -> Array:
        _, ld = self._inverse_and_log_diag(y)
        jac = np.zeros((y.shape[0], self.d, self.d))
        idx = np.arange(self.d)
        jac[:, idx, idx] = np.exp(ld)
        return jac
