r"""A nonlinear map preserving :math:`\mathcal N(0,I)`: :math:`T(y)=e^{\theta(\lVert y\rVert)S}y`.

Rotations about the origin preserve every radius, and the Gaussian density depends on the radius
only; with :math:`\theta(r)=a+br^2`, :math:`\det J_T=1+2b\,y^\top Sy=1`. Transported to any prior
by :class:`~impossibility.entangle.Conjugated` (docs/theory.md §4.2).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._typing import Array
from .._validation import as_matrix, check_dimension, check_scalar
from ..bijections import Bijector

__all__ = ["Swirl"]


class Swirl(Bijector):
    r"""Radius-dependent rotation :math:`T(y)=\exp(\theta(\lVert y\rVert)S)\,y`, preserving N(0, I).

    With :math:`\theta(r)=a+br^2` (smooth at the origin):
    forward :math:`T(y)=e^{\theta(r)S}y`; inverse :math:`T^{-1}(w)=e^{-\theta(\lVert w\rVert)S}w`
    (the norm is preserved); :math:`J_T=e^{\theta S}(I+2b\,Syy^\top)` and
    :math:`\det J_T=1+2b\,y^\top Sy=1` since :math:`y^\top Sy=0`, so log|det J| = 0.
    Transport it to any prior with :class:`Conjugated`. Its Jacobian entries are analytic, hence
    nonzero almost everywhere, but unlike Theorem 1 there is no sign guarantee.

    Parameters
    ----------
    S : array_like of shape (d, d)
        Skew-symmetric generator.
    a, b : float
        Angle offset and curvature: :math:`\theta(r)=a+br^2`.
    """

    name = "swirl"
    preserves_standard_normal = True

    def __init__(self, S: ArrayLike, a: float = 0.0, b: float = 0.5):
        S = as_matrix(S, "S", square=True)
        asym = float(np.max(np.abs(S + S.T)))
        if asym > 1e-12:
            raise ValueError(f"S must be skew-symmetric (Sᵀ = −S); got max|S + Sᵀ| = {asym:.3g}")
        self.S, self.a, self.b = S, check_scalar(a, "a"), check_scalar(b, "b")
        self.d = check_dimension(S.shape[0], "S.shape[0]")
        # S is normal: S = V diag(iω) V⁻¹, so exp(θS) = V diag(e^{iθω}) V⁻¹ for a batch of θ.
        self._w, self._V = np.linalg.eig(S)
        self._Vinv = np.linalg.inv(self._V)

    def _expm(self, theta: Array) -> Array:
        phase = np.exp(theta[:, None] * self._w[None, :])
        return np.real(np.einsum("ik,nk,kj->nij", self._V, phase, self._Vinv))

    def _rotate(self, y: Array, sign: float) -> Array:
        theta = self.a + self.b * np.einsum("ni,ni->n", y, y)
        return np.einsum("nij,nj->ni", self._expm(sign * theta), y)

    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        return self._rotate(x, 1.0), np.zeros(x.shape[0])

    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        return self._rotate(y, -1.0), np.zeros(y.shape[0])

    def _jacobian(self, x: Array) -> Array:
        theta = self.a + self.b * np.einsum("ni,ni->n", x, x)
        E = self._expm(theta)
        Sy = x @ self.S.T
        inner = np.eye(self.d)[None] + 2.0 * self.b * Sy[:, :, None] * x[:, None, :]
        return E @ inner
