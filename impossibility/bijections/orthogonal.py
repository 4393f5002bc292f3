r"""The linear isometry :math:`y=Ax`, :math:`A^\top A=I`: the map of Theorem 1 in Gaussian space.

Orthogonal maps are exactly the linear maps that preserve :math:`\mathcal N(0,I)`; the matrix is
validated by :func:`impossibility._validation.check_orthogonal` with the package's one tolerance.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._typing import Array
from .._validation import check_orthogonal
from .base import Bijector

__all__ = ["Orthogonal"]


class Orthogonal(Bijector):
    r"""The linear isometry :math:`y=Ax` with :math:`A^\top A=I`.

    forward :math:`y=Ax`; inverse :math:`x=A^\top y`; :math:`\log|\det A|=0` (stored as computed by
    ``slogdet`` so that it is the honest floating-point value, about 1e-16).

    Parameters
    ----------
    A : array_like of shape (d, d)
        Orthogonal matrix, validated by :func:`check_orthogonal`.
    atol : float, optional
        Orthogonality tolerance, see :func:`check_orthogonal`.
    """

    name = "A"
    is_constant_jacobian = True
    preserves_standard_normal = True
    is_isometry = True

    def __init__(self, A: ArrayLike, *, atol: float | None = None):
        self.A = check_orthogonal(A, atol=atol)
        self.d = self.A.shape[0]
        self.log_abs_det = float(np.linalg.slogdet(self.A)[1])

    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        return x @ self.A.T, np.full(x.shape[0], self.log_abs_det)

    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        return y @ self.A, np.full(y.shape[0], -self.log_abs_det)

    def _jacobian(self, x: Array) -> Array:
        return np.broadcast_to(self.A, (x.shape[0], self.d, self.d)).copy()

    def _inverse_jacobian(self, y: Array) -> Array:
        return np.broadcast_to(self.A.T, (y.shape[0], self.d, self.d)).copy()

    def __repr__(self) -> str:
        return f"Orthogonal(d={self.d})"
