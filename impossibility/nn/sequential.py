r"""Composition :math:`y=m_K\circ\dots\circ m_1(x)` and the builder :func:`mlp`.

The backward pass runs the chain rule in reverse,
:math:`\bar x_{k-1}=\bar x_k\,\partial m_k/\partial x_{k-1}`; :meth:`Sequential.input_gradient`
runs it for :math:`\bar x` alone, without forming weight gradients.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np
from numpy.typing import DTypeLike

from impossibility._typing import Array
from impossibility._validation import check_choice, check_int, check_rng

from .activations import ACTIVATIONS, LeakyReLU
from .dtypes import check_dtype
from .linear import Linear
from .module import Module

__all__ = ["Sequential", "mlp"]


class Sequential(Module):
    r"""Composition :math:`y=m_K\circ\dots\circ m_1(x)`; backward runs the chain rule in reverse.

    Parameter names are ``"<index>.<name>"`` (e.g. ``"0.W"``).
    """

    def __init__(self, layers: Iterable[Module]):
        self.layers: list[Module] = list(layers)
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Module):
                raise TypeError(f"layer {i} is a {type(layer).__name__}, not an nn.Module")
        # consecutive widths must agree (a mismatch used to surface as a matmul error later)
        width, where = None, None
        for i, layer in enumerate(self.layers):
            d_in, d_out = getattr(layer, "d_in", None), getattr(layer, "d_out", None)
            if d_in is not None and width is not None and d_in != width:
                raise ValueError(
                    f"layers[{i}] ({layer!r}) takes {d_in} inputs but layers[{where}] outputs "
                    f"{width}; consecutive widths must match"
                )
            if d_out is not None:
                width, where = d_out, i

    @property
    def dtype(self) -> np.dtype:
        """The dtype of the first layer with parameters (float64 if there is none)."""
        for layer in self.layers:
            if layer.parameters():
                return layer.dtype
        return np.dtype(np.float64)

    def parameters(self) -> dict[str, Array]:
        out: dict[str, Array] = {}
        for i, layer in enumerate(self.layers):
            for k, v in layer.parameters().items():
                out[f"{i}.{k}"] = v
        return out

    def init(self, rng: np.random.Generator) -> "Sequential":
        check_rng(rng)
        for layer in self.layers:
            layer.init(rng)
        return self

    def forward(self, x: Array) -> tuple[Array, Any]:
        caches = []
        for layer in self.layers:
            x, c = layer.forward(x)
            caches.append(c)
        return x, caches

    def backward(
        self, cache: Any, dy: Array, *, input_grad: bool = True
    ) -> tuple[Array, dict[str, Array]]:
        """Chain rule in reverse. With ``input_grad=False`` and a first :class:`Linear` layer, the
        (unused) gradient with respect to the input is not computed and ``None`` is returned."""
        grads: dict[str, Array] = {}
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            if i == 0 and not input_grad and isinstance(layer, Linear):
                x = cache[0]
                grads["0.W"], grads["0.b"] = x.T @ dy, dy.sum(axis=0)
                return None, grads  # type: ignore[return-value]
            dy, g = layer.backward(cache[i], dy)
            for k, v in g.items():
                grads[f"{i}.{k}"] = v
        return dy, grads

    def input_gradient(self, cache: Any, dy: Array) -> Array:
        r""":math:`\bar x=\partial L/\partial x` from ``dy`` :math:`=\partial L/\partial y`,
        without forming the weight gradients (a :class:`Linear` layer contributes
        :math:`\bar yW^\top`).

        ``cache`` is the one returned by :meth:`forward`.
        """
        for layer, c in zip(reversed(self.layers), reversed(cache), strict=True):
            if isinstance(layer, Linear):
                dy = dy @ layer.W.T
            else:
                dy, _ = layer.backward(c, dy)
        return dy

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]

    def __repr__(self) -> str:
        return "Sequential(" + ", ".join(repr(m) for m in self.layers) + ")"


def mlp(
    sizes: Sequence[int],
    *,
    rng: np.random.Generator | None = None,
    activation: str = "relu",
    output_activation: str = "identity",
    init: str = "glorot_uniform",
    negative_slope: float = 0.2,
    dtype: DTypeLike = np.float64,
) -> Sequential:
    """Multilayer perceptron ``Linear → act → … → Linear → output_activation``.

    Parameters
    ----------
    sizes : sequence of int
        Widths ``(d_in, h_1, …, h_k, d_out)``, at least two entries.
    rng : numpy.random.Generator, optional
        Initialise the weights from ``rng`` (zeros otherwise, until ``.init(rng)``).
    activation : str, default="relu"
        Hidden activation, a key of :data:`~impossibility.nn.ACTIVATIONS`.
    output_activation : str, default="identity"
        Activation after the last layer.
    init : str, default="glorot_uniform"
        Weight initialisation of every :class:`Linear`.
    negative_slope : float, default=0.2
        Slope used when an activation is ``"leaky_relu"``.
    dtype : {float64, float32}, default=float64
        Dtype of every parameter (:class:`Linear`).

    Examples
    --------
    >>> net = mlp([3, 16, 2], rng=np.random.default_rng(0), activation="tanh")
    >>> net(np.ones((5, 3))).shape
    (5, 2)
    """
    sizes = [check_int(s, f"sizes[{i}]", minimum=1) for i, s in enumerate(sizes)]
    if len(sizes) < 2:
        raise ValueError(f"sizes must have ≥ 2 positive widths; got {list(sizes)}")
    check_choice(activation, "activation", ACTIVATIONS)
    check_choice(output_activation, "output_activation", ACTIVATIONS)
    dtype = check_dtype(dtype)

    def act(name: str) -> Module:
        return LeakyReLU(negative_slope) if name == "leaky_relu" else ACTIVATIONS[name]()

    layers: list[Module] = []
    for i in range(len(sizes) - 1):
        layers.append(Linear(sizes[i], sizes[i + 1], init=init, dtype=dtype))
        name = activation if i < len(sizes) - 2 else output_activation
        if name not in ("identity", "linear"):
            layers.append(act(name))
    net = Sequential(layers)
    if rng is not None:
        net.init(rng)
    return net
