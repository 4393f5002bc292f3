r"""An N(0, I)-preserving map transported to a factorized prior: :math:`G^{-1}\circ T\circ G`.

If :math:`T_\#\mathcal N(0,I)=\mathcal N(0,I)` then :math:`f_\#p=p` (docs/theory.md §4.0), with
:math:`\log|\det J_f|` from the chain rule and :math:`J_f=D_{\rm out}J_TD_{\rm in}` assembled from
diagonal factors. Every prior-preserving family of the package is such a conjugation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._typing import Array
from ..bijections import Bijector, Gaussianize, Inverse
from ..priors import FactorizedPrior, check_factorized_prior

__all__ = ["Conjugated"]


class Conjugated(Bijector):
    r"""The transport :math:`f=G^{-1}\circ T\circ G` of an N(0, I)-preserving bijector T to a prior.

    forward :math:`f(u)=G^{-1}(T(G(u)))`; inverse :math:`f^{-1}(v)=G^{-1}(T^{-1}(G(v)))`;
    :math:`\log|\det J_f(u)|=\log|\det J_G(u)|+\log|\det J_T(y)|+\log|\det J_{G^{-1}}(y')|`;
    :math:`J_f(u)=D_{\rm out}\,J_T(y)\,D_{\rm in}` with the diagonal
    :math:`D_{\rm in}=\operatorname{diag}(p_j(u_j)/\varphi(y_j))` and
    :math:`D_{\rm out}=\operatorname{diag}(\varphi(y'_i)/p_i(v_i))`.

    If T preserves :math:`\mathcal N(0,I)` then f preserves the prior (docs/theory.md §4.0).
    Equivalent to ``Chain([Gaussianize(prior).inv, T, Gaussianize(prior)])``, with the Jacobian
    assembled from the diagonal factors instead of matrix products.

    Parameters
    ----------
    prior : FactorizedPrior
    inner : Bijector
        The map T in Gaussian space, acting on the same d.
    """

    def __init__(self, prior: FactorizedPrior, inner: Bijector, *, name: str = "f"):
        check_factorized_prior(prior)
        if not isinstance(inner, Bijector):
            raise TypeError(f"inner must be a Bijector; got {type(inner).__name__}")
        if inner.d != prior.d:
            raise ValueError(f"inner map acts on d = {inner.d} but the prior has d = {prior.d}")
        self.prior = prior
        self.gaussianize = Gaussianize(prior)
        self.inner = inner
        self.d = prior.d
        self.name = name
        self.is_constant_jacobian = (
            self.gaussianize.is_constant_jacobian and inner.is_constant_jacobian
        )
        self.is_isometry = self.gaussianize.is_identity and inner.is_isometry

    def _check_domain(self, x: Array) -> None:
        self.gaussianize._check_domain(x)

    def _check_codomain(self, y: Array) -> None:
        self.gaussianize._check_domain(y)

    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        g = self.gaussianize
        y, ld_in = g._forward_and_log_det(x)
        y2, ld_t = self.inner._forward_and_log_det(y)
        v, ld_out = g._inverse_and_log_det(y2)
        return v, ld_in + ld_t + ld_out

    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        g = self.gaussianize
        w, ld_in = g._forward_and_log_det(y)
        w2, ld_t = self.inner._inverse_and_log_det(w)
        u, ld_out = g._inverse_and_log_det(w2)
        return u, ld_in + ld_t + ld_out

    def _forward(self, x: Array) -> Array:
        g = self.gaussianize
        return g._inverse(self.inner._map_values(g._forward(x), inverse=False))

    def _inverse(self, y: Array) -> Array:
        g = self.gaussianize
        return g._inverse(self.inner._map_values(g._forward(y), inverse=True))

    def jacobian_factors(self, u: ArrayLike) -> tuple[Array, Array, Array]:
        r"""The factors of :math:`J_f(u)=D_{\rm out}\,J_T\,D_{\rm in}`.

        Returns
        -------
        d_out : ndarray of shape (n, d)
            Diagonal of :math:`D_{\rm out}`, :math:`\varphi(y'_i)/p_i(v_i)>0`.
        j_inner : ndarray of shape (n, d, d)
            :math:`J_T(y)` at :math:`y=G(u)`.
        d_in : ndarray of shape (n, d)
            Diagonal of :math:`D_{\rm in}`, :math:`p_j(u_j)/\varphi(y_j)>0`.
        """
        arr, single = self._prepare(u, "u", inverse=False)
        out = self._factors(arr)
        return tuple(o[0] for o in out) if single else out

    def _factors(self, x: Array) -> tuple[Array, Array, Array]:
        g = self.gaussianize
        y, ld_in = g._forward_and_log_diag(x)
        j_inner = self.inner._jacobian(y)
        y2, _ = self.inner._forward_and_log_det(y)
        _, ld_out = g._inverse_and_log_diag(y2)
        return np.exp(ld_out), j_inner, np.exp(ld_in)

    def _jacobian(self, x: Array) -> Array:
        d_out, j_inner, d_in = self._factors(x)
        return d_out[:, :, None] * j_inner * d_in[:, None, :]

    def _inverse_jacobian(self, y: Array) -> Array:
        g = self.gaussianize
        w, ld_in = g._forward_and_log_diag(y)
        w2, _ = self.inner._inverse_and_log_det(w)
        j_inner = Inverse(self.inner)._jacobian(w)
        _, ld_out = g._inverse_and_log_diag(w2)
        return np.exp(ld_out)[:, :, None] * j_inner * np.exp(ld_in)[:, None, :]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.prior!r}, {self.inner!r})"
