r"""The layer contract: ``y, cache = m.forward(x)`` and ``dx, grads = m.backward(cache, dy)``.

Given :math:`\bar y=\partial L/\partial y`, ``backward`` returns
:math:`\bar x=\partial L/\partial x` and ``{name: ∂L/∂θ}`` keyed like :meth:`Module.parameters`.
The design is functional, so a layer can be applied several times before any backward pass (e.g. a
discriminator on real and on permuted codes); parameters are the *live* arrays, so an optimiser
updates a layer in place.

Precision: ``forward``/``backward`` compute in the promoted dtype of the input and the parameters,
so a float32 network on a float32 batch trains in float32; ``m(x)`` (:meth:`Module.__call__`, the
evaluation path) converts ``x`` to float64 and so evaluates a float32 network in float64, exactly
for its float32 weights.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from numpy.typing import ArrayLike

from impossibility._typing import Array
from impossibility._validation import as_array, check_rng

__all__ = ["Module"]


class Module:
    """Base class: a differentiable map of a batch ``x`` of shape (n, d_in) to (n, d_out).

    Subclasses implement :meth:`forward` and :meth:`backward`; layers with weights also
    :meth:`parameters` and :meth:`init`. Everything is vectorised over the batch (the first
    axis); parameters are float64 unless built with ``dtype=np.float32`` (:attr:`dtype`).
    """

    def parameters(self) -> dict[str, Array]:
        """The live parameter arrays, keyed by name (empty for parameter-free layers)."""
        return {}

    @property
    def dtype(self) -> np.dtype:
        """The dtype of the parameters (float64 for a layer without any)."""
        return np.dtype(np.float64)

    def init(self, rng: np.random.Generator) -> "Module":
        """(Re-)initialise the parameters from ``rng``; returns ``self``."""
        check_rng(rng)
        return self

    def forward(self, x: Array) -> tuple[Array, Any]:
        """Compute ``y = layer(x)``; return ``(y, cache)`` for :meth:`backward`."""
        raise NotImplementedError

    def backward(self, cache: Any, dy: Array) -> tuple[Array, dict[str, Array]]:
        """Given ``dy = ∂L/∂y`` return ``(∂L/∂x, {name: ∂L/∂θ})``."""
        raise NotImplementedError

    def __call__(self, x: ArrayLike) -> Array:
        """Forward pass without keeping a cache, in float64 (whatever the parameters' dtype)."""
        return self.forward(np.asarray(x, dtype=np.float64))[0]

    def set_parameters(self, values: Mapping[str, ArrayLike]) -> None:
        """Copy ``values`` into the live parameters (same names, same shapes).

        Raises
        ------
        ValueError
            If a name is missing or unexpected, or a shape differs.
        """
        own = self.parameters()
        missing = sorted(set(own) - set(values))
        extra = sorted(set(values) - set(own))
        if missing or extra:
            raise ValueError(f"parameter names do not match: missing {missing}, unexpected {extra}")
        for k, p in own.items():
            v = as_array(values[k], f"parameter {k!r}", finite=False)
            if v.shape != p.shape:
                raise ValueError(f"parameter {k!r} has shape {p.shape}; got {v.shape}")
            p[...] = v

    @property
    def n_parameters(self) -> int:
        """Total number of scalar parameters."""
        return int(sum(p.size for p in self.parameters().values()))
