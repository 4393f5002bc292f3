r"""The affine layer :math:`y=xW+b`, with Glorot-uniform or He-normal initialisation.

Backward: :math:`\bar x=\bar yW^\top`, :math:`\bar W=x^\top\bar y`, :math:`\bar b=\sum_n\bar y_n`.
The kernel :math:`W` has shape (d_in, d_out), as in TensorFlow, so a batch multiplies from the left.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from impossibility._typing import Array
from impossibility._validation import as_array, check_choice, check_int, check_rng

from .dtypes import check_dtype
from .module import Module

__all__ = ["Linear", "Dense"]


class Linear(Module):
    r"""Affine layer :math:`y = xW + b` with :math:`W` of shape (d_in, d_out).

    Parameters
    ----------
    d_in, d_out : int
        Input and output widths.
    rng : numpy.random.Generator, optional
        If given, initialise immediately (otherwise the weights are zero until :meth:`init`).
    init : {"glorot_uniform", "he_normal", "zeros"}, default="glorot_uniform"
        Weight initialisation; biases start at zero. Glorot-uniform draws
        :math:`W_{ij}\sim U(-a,a)`, :math:`a=\sqrt{6/(d_{in}+d_{out})}` (TensorFlow's default, used
        by the reference study); He-normal draws :math:`N(0, 2/d_{in})`.
    dtype : {float64, float32}, default=float64
        Dtype of :math:`W` and :math:`b`. The weights are drawn in float64 and rounded, so a
        float32 layer starts from the float64 layer's weights rounded to float32. The output has
        the promoted dtype of input and weights: float32 weights on a float32 batch compute in
        float32 (training), on a float64 batch in float64 (evaluation, exact for the float32
        weights).
    """

    _INITS = ("glorot_uniform", "he_normal", "zeros")

    def __init__(
        self,
        d_in: int,
        d_out: int,
        *,
        rng: np.random.Generator | None = None,
        init: str = "glorot_uniform",
        dtype: DTypeLike = np.float64,
    ):
        self.d_in = check_int(d_in, "d_in", minimum=1)
        self.d_out = check_int(d_out, "d_out", minimum=1)
        self.init_scheme = check_choice(init, "init", self._INITS)
        dt = check_dtype(dtype)
        self.W = np.zeros((self.d_in, self.d_out), dtype=dt)
        self.b = np.zeros(self.d_out, dtype=dt)
        if rng is not None:
            self.init(rng)

    def parameters(self) -> dict[str, Array]:
        return {"W": self.W, "b": self.b}

    @property
    def dtype(self) -> np.dtype:
        return self.W.dtype

    def init(self, rng: np.random.Generator) -> "Linear":
        check_rng(rng)
        if self.init_scheme == "glorot_uniform":
            a = np.sqrt(6.0 / (self.d_in + self.d_out))
            self.W[...] = rng.uniform(-a, a, size=self.W.shape)
        elif self.init_scheme == "he_normal":
            self.W[...] = rng.normal(0.0, np.sqrt(2.0 / self.d_in), size=self.W.shape)
        else:
            self.W[...] = 0.0
        self.b[...] = 0.0
        return self

    def forward(self, x: Array) -> tuple[Array, Any]:
        # shape and dtype only (cheap, on every step): a wrong width or a complex input must
        # not reach matmul, which would answer with a shape error or a complex result
        if getattr(x, "dtype", None) is None or x.dtype.kind not in "biuf":
            x = as_array(x, "x")
        if x.ndim != 2 or x.shape[1] != self.d_in:
            raise ValueError(
                f"x must have shape (n, {self.d_in}) for {self!r}; got shape {np.shape(x)}"
            )
        y = x @ self.W
        y += self.b
        return y, x

    def backward(self, cache: Any, dy: Array) -> tuple[Array, dict[str, Array]]:
        x = cache
        return dy @ self.W.T, {"W": x.T @ dy, "b": dy.sum(axis=0)}

    def __repr__(self) -> str:
        return f"Linear({self.d_in}, {self.d_out})"


#: Alias of :class:`Linear`.
Dense = Linear
