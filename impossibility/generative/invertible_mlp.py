r"""An invertible network :math:`g:\mathbb R^d\to\mathbb R^d` with analytic inverse and log-det.

.. math::

    p_1 = W_1 z + b_1,\quad p_l = W_l\,h(p_{l-1}) + b_l\ (l=2,\dots,L),\qquad g(z)=p_L,\qquad
    \log|\det J_g(z)| = \sum_{l=1}^{L}\log|\det W_l| + \sum_{l=1}^{L-1}\sum_i \log h'(p_{l,i}).

:math:`L` affine layers with the elementwise bijection :math:`h` between them (none after the last),
each :math:`W_l` nonsingular; a :class:`~impossibility.bijections.Bijector`, so it composes with
Theorem 1's map in a :class:`~impossibility.bijections.Chain`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from .._typing import Array
from .._validation import as_array, as_matrix, check_int, check_rng, check_scalar
from ..bijections import Bijector
from ._checks import check_nonlinearity
from .nonlinearities import InvertibleNonlinearity, TanhResidual

__all__ = ["InvertibleMLP"]

#: Largest accepted condition number of a weight matrix.
MAX_CONDITION = 1e10


class InvertibleMLP(Bijector):
    r"""The invertible MLP :math:`g=A_L\circ h\circ A_{L-1}\circ\dots\circ h\circ A_1`, affine A_l.

    .. math::

        J_g(z) = W_L\,\mathrm{diag}(h'(p_{L-1}))\,W_{L-1}\cdots\mathrm{diag}(h'(p_1))\,W_1,

    and :math:`g^{-1}` runs the layers backwards: :math:`p_L=x`,
    :math:`p_{l-1}=h^{-1}(W_l^{-1}(p_l-b_l))`, :math:`z=W_1^{-1}(p_1-b_1)`.

    Parameters
    ----------
    weights : sequence of (d, d) arrays
        :math:`W_1,\dots,W_L`, each nonsingular (condition number below ``1e10``).
    biases : sequence of (d,) arrays
        :math:`b_1,\dots,b_L`.
    nonlinearity : InvertibleNonlinearity, default=TanhResidual(1.0)
        The elementwise bijection :math:`h`.

    Examples
    --------
    >>> g = InvertibleMLP.random(3, np.random.default_rng(0))
    >>> z = np.random.default_rng(1).normal(size=(4, 3))
    >>> np.allclose(g.inverse(g.forward(z)), z)
    True
    """

    name = "g"

    def __init__(
        self,
        weights: Sequence[ArrayLike],
        biases: Sequence[ArrayLike],
        nonlinearity: InvertibleNonlinearity | None = None,
    ) -> None:
        if len(weights) == 0 or len(weights) != len(biases):
            raise ValueError(
                f"need L >= 1 weight matrices and as many biases; got {len(weights)} weights and "
                f"{len(biases)} biases"
            )
        d = as_matrix(weights[0], "weights[0]", square=True).shape[0]
        self.d = d
        self.dim_x = d
        self.weights = [as_matrix(W, f"weights[{i}]", shape=(d, d)) for i, W in enumerate(weights)]
        self.biases = [
            as_array(b, f"biases[{i}]", shape=(d,), copy=True) for i, b in enumerate(biases)
        ]
        self._inv = []
        self._logdet_w = 0.0
        for i, W in enumerate(self.weights):
            cond = np.linalg.cond(W)
            if not np.isfinite(cond) or cond > MAX_CONDITION:
                raise ValueError(
                    f"weights[{i}] is singular or badly conditioned "
                    f"(condition number {cond:.3g} > {MAX_CONDITION:g})"
                )
            self._inv.append(np.linalg.inv(W))
            self._logdet_w += float(np.linalg.slogdet(W)[1])
        self.nonlinearity = check_nonlinearity(
            TanhResidual(1.0) if nonlinearity is None else nonlinearity, "nonlinearity", d
        )
        # affine exactly when no nonlinearity is applied (one layer) or h itself is affine
        self.is_constant_jacobian = len(self.weights) == 1 or self.nonlinearity.is_constant_jacobian

    @classmethod
    def random(
        cls,
        d: int,
        rng: np.random.Generator,
        *,
        n_layers: int = 3,
        nonlinearity: InvertibleNonlinearity | None = None,
        bias_scale: float = 0.5,
    ) -> "InvertibleMLP":
        """Random orthogonal weights (Haar, ``scipy.stats.ortho_group``), N(0, bias_scale²) biases.

        With orthogonal weights :math:`\\log|\\det W_l|=0` and all the volume change comes from
        :math:`h`. Default nonlinearity ``TanhResidual(2.0)`` (slope 3 at 0, 1 in the tails).
        """
        d = check_int(d, "d", minimum=1)
        n_layers = check_int(n_layers, "n_layers", minimum=1)
        rng = check_rng(rng)
        bias_scale = check_scalar(bias_scale, "bias_scale", minimum=0.0)
        if d == 1:
            weights = [np.array([[1.0]]) for _ in range(n_layers)]
        else:
            weights = [stats.ortho_group.rvs(d, random_state=rng) for _ in range(n_layers)]
        biases = [bias_scale * rng.standard_normal(d) for _ in range(n_layers)]
        return cls(weights, biases, TanhResidual(2.0) if nonlinearity is None else nonlinearity)

    def __repr__(self) -> str:
        return (
            f"InvertibleMLP(d={self.d}, n_layers={len(self.weights)}, "
            f"nonlinearity={self.nonlinearity!r})"
        )

    # ---------------------------------------------------------------- passes
    def _forward_pass(self, z: Array) -> tuple[Array, list[Array]]:
        pre = []
        a = z
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            p = a @ W.T + b
            if i < len(self.weights) - 1:
                pre.append(p)
                a = self.nonlinearity._apply(p)
            else:
                a = p
        return a, pre

    def _inverse_pass(self, x: Array) -> tuple[Array, list[Array]]:
        pre = []
        p = x
        L = len(self.weights)
        for i in range(L - 1, -1, -1):
            a = (p - self.biases[i]) @ self._inv[i].T
            if i > 0:
                p = self.nonlinearity._invert(a)
                pre.append(p)
            else:
                p = a
        return p, pre

    def _log_det(self, pre: list[Array], n: int) -> Array:
        ld = np.full(n, self._logdet_w)
        for p in pre:
            ld = ld + self.nonlinearity.log_derivative(p).sum(axis=1)
        return ld

    # ---------------------------------------------------------------- Bijector primitives
    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        out, pre = self._forward_pass(x)
        return out, self._log_det(pre, x.shape[0])

    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        # log|det J_{g⁻¹}(x)| = −log|det J_g(g⁻¹(x))|
        z, pre = self._inverse_pass(y)
        return z, -self._log_det(pre, y.shape[0])

    def _jacobian(self, x: Array) -> Array:
        _, pre = self._forward_pass(x)
        J = np.broadcast_to(self.weights[0], (x.shape[0], self.d, self.d)).copy()
        for W, p in zip(self.weights[1:], pre, strict=True):
            J = W[None] @ (self.nonlinearity.derivative(p)[:, :, None] * J)
        return J

    def forward(self, x: ArrayLike) -> Array:
        """:math:`g(z)`, shape like the input (the log-determinant is not computed)."""
        arr, single = self._prepare(x, "z", inverse=False)
        return self._finish(self._forward_pass(arr)[0], np.zeros(arr.shape[0]), single, "image")[0]

    def inverse(self, y: ArrayLike) -> Array:
        """:math:`g^{-1}(x)`, shape like the input (the log-determinant is not computed)."""
        arr, single = self._prepare(y, "x", inverse=True)
        z = self._inverse_pass(arr)[0]
        return self._finish(z, np.zeros(arr.shape[0]), single, "preimage")[0]
