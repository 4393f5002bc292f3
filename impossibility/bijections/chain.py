r"""Composition of bijectors in TFP order: ``Chain([b1, ..., bk]) = b1 ∘ ... ∘ bk``, ``bk`` first.

:math:`\log|\det J|` is the sum of the components' log-determinants along the way. The order is
TensorFlow Probability's and distrax's, so ``Chain([G.inv, Orthogonal(A), G])`` reads as
:math:`G^{-1}\circ A\circ G` (``torch.distributions.ComposeTransform`` uses the opposite order).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .._typing import Array
from .base import Bijector

__all__ = ["Chain"]


class Chain(Bijector):
    r"""Composition in TFP order: ``Chain([b1, …, bk]) = b1 ∘ … ∘ bk`` (``bk`` first).

    log|det J| is the sum of the components' log-dets along the way, and the Jacobian is the
    product :math:`J_{b_1}(x_{1})\cdots J_{b_k}(x_k)` with :math:`x_k=x`,
    :math:`x_{i}=b_{i+1}(x_{i+1})`.
    """

    def __init__(self, bijectors: Sequence[Bijector], *, name: str | None = None):
        bijectors = list(bijectors)
        if not bijectors:
            raise ValueError("Chain needs at least one bijector")
        dims = {b.d for b in bijectors}
        if len(dims) != 1:
            raise ValueError(
                f"all bijectors in a Chain must act on the same d; got {[b.d for b in bijectors]}"
            )
        self.bijectors = bijectors
        self.d = bijectors[0].d
        self.is_constant_jacobian = all(b.is_constant_jacobian for b in bijectors)
        self.is_isometry = all(b.is_isometry for b in bijectors)
        self.name = name or " ∘ ".join(b.name for b in bijectors)

    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        total = np.zeros(x.shape[0])
        for b in reversed(self.bijectors):
            x, ldj = b._forward_and_log_det(x)
            total = total + ldj
        return x, total

    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        total = np.zeros(y.shape[0])
        for b in self.bijectors:
            y, ldj = b._inverse_and_log_det(y)
            total = total + ldj
        return y, total

    def _forward(self, x: Array) -> Array:
        for b in reversed(self.bijectors):
            x = b._map_values(x, inverse=False)
        return x

    def _inverse(self, y: Array) -> Array:
        for b in self.bijectors:
            y = b._map_values(y, inverse=True)
        return y

    def _jacobian(self, x: Array) -> Array:
        jac = None
        for b in reversed(self.bijectors):
            jb = b._jacobian(x)
            jac = jb if jac is None else jb @ jac
            x, _ = b._forward_and_log_det(x)
        return jac

    def _check_domain(self, x: Array) -> None:
        self.bijectors[-1]._check_domain(x)

    def _check_codomain(self, y: Array) -> None:
        self.bijectors[0]._check_codomain(y)

    def __repr__(self) -> str:
        return f"Chain([{', '.join(repr(b) for b in self.bijectors)}])"
