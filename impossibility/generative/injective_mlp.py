r"""A smooth injective map :math:`g:\mathbb R^d\to\mathbb R^D`, :math:`D\ge d`, with a left inverse.

.. math:: g(z) = h_{\rm out}\big(Q\,m(z) + c\big),\qquad
          g^{-1}(x)=m^{-1}\big(Q^{+}(h_{\rm out}^{-1}(x)-c)\big)\ \text{on the image of }g,

with :math:`m` an :class:`~impossibility.generative.InvertibleMLP` on :math:`\mathbb R^d`,
:math:`Q\in\mathbb R^{D\times d}` of full column rank and :math:`h_{\rm out}` an elementwise
bijection (or none). It is not a bijector (its image is a d-dimensional surface in
:math:`\mathbb R^D`); it is the mean of a noisy decoder or the mixing of a data set.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from .._typing import Array
from .._validation import as_array, as_matrix, as_points, check_int, check_rng, check_scalar
from ._checks import check_nonlinearity
from .invertible_mlp import InvertibleMLP
from .nonlinearities import InvertibleNonlinearity, TanhResidual

__all__ = ["InjectiveMLP"]


class InjectiveMLP:
    r"""The injective network :math:`g(z) = h_{\rm out}(Q\,m(z) + c)` from R^d to R^D.

    Parameters
    ----------
    core : InvertibleMLP
        The map :math:`m`.
    lift : (D, d) array
        :math:`Q`, full column rank.
    offset : (D,) array
        :math:`c`.
    out_nonlinearity : InvertibleNonlinearity or None, default=None
        :math:`h_{\rm out}`; ``None`` for the identity.
    """

    def __init__(
        self,
        core: InvertibleMLP,
        lift: ArrayLike,
        offset: ArrayLike,
        out_nonlinearity: InvertibleNonlinearity | None = None,
    ) -> None:
        if not isinstance(core, InvertibleMLP):
            raise TypeError(f"core must be an InvertibleMLP; got {type(core).__name__}")
        Q = as_matrix(lift, "lift")
        if Q.shape[1] != core.d or Q.shape[0] < core.d:
            raise ValueError(
                f"lift must have shape (D, {core.d}) with D >= {core.d}; got shape {Q.shape}"
            )
        self.core, self.d, self.dim_x = core, core.d, Q.shape[0]
        self.lift = Q
        if np.linalg.matrix_rank(self.lift) < self.d:
            raise ValueError("lift must have full column rank (otherwise g is not injective)")
        self._pinv = np.linalg.pinv(self.lift)
        self.offset = as_array(offset, "offset", shape=(self.dim_x,), copy=True)
        self.out_nonlinearity = (
            None
            if out_nonlinearity is None
            else check_nonlinearity(out_nonlinearity, "out_nonlinearity", self.dim_x)
        )

    @classmethod
    def random(
        cls,
        d: int,
        D: int,
        rng: np.random.Generator,
        *,
        n_layers: int = 2,
        nonlinearity: InvertibleNonlinearity | None = None,
        out_nonlinearity: InvertibleNonlinearity | None | str = "default",
        bias_scale: float = 0.5,
    ) -> "InjectiveMLP":
        """Random core (:meth:`InvertibleMLP.random`), :math:`Q` = d orthonormal columns of a Haar
        orthogonal D×D matrix, :math:`c\\sim\\mathcal N(0, \\text{bias\\_scale}^2 I)`, and
        :math:`h_{\\rm out}` = ``TanhResidual(1.0)`` by default (the image is a curved surface)."""
        d = check_int(d, "d", minimum=1)
        D = check_int(D, "D", minimum=1)
        if D < d:
            raise ValueError(f"D must be >= d for an injective map; got d={d}, D={D}")
        rng = check_rng(rng)
        bias_scale = check_scalar(bias_scale, "bias_scale", minimum=0.0)
        core = InvertibleMLP.random(
            d, rng, n_layers=n_layers, nonlinearity=nonlinearity, bias_scale=bias_scale
        )
        Q = stats.ortho_group.rvs(D, random_state=rng)[:, :d] if D > 1 else np.ones((1, 1))
        c = bias_scale * rng.standard_normal(D)
        if isinstance(out_nonlinearity, str):
            if out_nonlinearity != "default":
                raise ValueError(
                    "out_nonlinearity must be an InvertibleNonlinearity, None or 'default'; "
                    f"got {out_nonlinearity!r}"
                )
            out_nonlinearity = TanhResidual(1.0)
        return cls(core, Q, c, out_nonlinearity)

    def __repr__(self) -> str:
        return f"InjectiveMLP(d={self.d}, D={self.dim_x}, core={self.core!r})"

    def _lifted(self, z: Array) -> Array:
        return self.core.forward(z) @ self.lift.T + self.offset

    def forward(self, z: ArrayLike) -> Array:
        """:math:`x=g(z)`, shape (n, D) (or (D,) for one point)."""
        arr = as_points(z, self.d, name="z")
        y = self._lifted(arr)
        x = y if self.out_nonlinearity is None else self.out_nonlinearity._apply(y)
        return x[0] if np.ndim(z) == 1 else x

    def left_inverse(self, x: ArrayLike) -> Array:
        """:math:`m^{-1}(Q^+(h_{\\rm out}^{-1}(x)-c))`, shape (n, d) (or (d,)): exact :math:`g^{-1}`
        on the image of :math:`g`."""
        arr = as_points(x, self.dim_x, name="x")
        y = arr if self.out_nonlinearity is None else self.out_nonlinearity._invert(arr)
        z = self.core.inverse((y - self.offset) @ self._pinv.T)
        return z[0] if np.ndim(x) == 1 else z

    def jacobian(self, z: ArrayLike) -> Array:
        """:math:`J_g(z)`, shape (n, D, d) (or (D, d))."""
        arr = as_points(z, self.d, name="z")
        J = self.lift[None] @ self.core.jacobian(arr)
        if self.out_nonlinearity is not None:
            J = self.out_nonlinearity.derivative(self._lifted(arr))[:, :, None] * J
        return J[0] if np.ndim(z) == 1 else J
