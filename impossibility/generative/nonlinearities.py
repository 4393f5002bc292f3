r"""Increasing elementwise bijections :math:`h:\mathbb R\to\mathbb R`, the activations of the MLPs.

.. math:: y_i = h(a_i),\qquad \log|\det J(a)| = \sum_i \log h'(a_i).

Each is an :class:`~impossibility.bijections.Elementwise` bijector. ``d=None`` (the default) makes
it act on any number of coordinates, taken from the input, which is how the networks use it;
give ``d`` to compose it with other bijectors in a :class:`~impossibility.bijections.Chain`.
``derivative`` and ``log_derivative`` evaluate :math:`h'` and :math:`\log h'` on arrays of any
shape without validation (the networks call them on their own pre-activations).
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np
from numpy.typing import ArrayLike

from .._typing import Array
from .._validation import as_array, check_int, check_scalar
from ..bijections import Bijector, Elementwise, Inverse

__all__ = ["InvertibleNonlinearity", "TanhResidual", "InvertibleLeakyReLU"]

_EPS = np.finfo(np.float64).eps


class InvertibleNonlinearity(Elementwise):
    r"""Base class: an increasing bijection :math:`h` of :math:`\mathbb R` applied coordinatewise.

    Subclasses implement ``_apply`` (:math:`h`), ``_invert`` (:math:`h^{-1}`),
    :meth:`derivative` (:math:`h'`) and :meth:`log_derivative` (:math:`\log h'`), all elementwise on
    arrays of any shape.

    Parameters
    ----------
    d : int, optional
        Number of coordinates; ``None`` accepts any number (the input decides).
    """

    def __init__(self, *, d: int | None = None) -> None:
        self.d = None if d is None else check_int(d, "d", minimum=1)  # type: ignore[assignment]

    # ------------------------------------------------------------------ to implement
    @abstractmethod
    def _apply(self, a: Array) -> Array:
        """:math:`h(a)` elementwise."""

    @abstractmethod
    def _invert(self, y: Array) -> Array:
        """:math:`h^{-1}(y)` elementwise."""

    @abstractmethod
    def derivative(self, a: ArrayLike) -> Array:
        """:math:`h'(a)` elementwise (no validation)."""

    @abstractmethod
    def log_derivative(self, a: ArrayLike) -> Array:
        """:math:`\\log h'(a)` elementwise (no validation)."""

    # ------------------------------------------------------------------ Elementwise primitives
    def _forward_and_log_diag(self, x: Array) -> tuple[Array, Array]:
        return self._apply(x), self.log_derivative(x)

    def _inverse_and_log_diag(self, y: Array) -> tuple[Array, Array]:
        x = self._invert(y)
        return x, -self.log_derivative(x)

    def _jacobian(self, x: Array) -> Array:
        return _diagonal(self.derivative(x))

    def _inverse_jacobian(self, y: Array) -> Array:
        return _diagonal(1.0 / self.derivative(self._invert(y)))

    # ------------------------------------------------------------------ plumbing
    def _prepare(self, x: ArrayLike, name: str, inverse: bool) -> tuple[Array, bool]:
        if self.d is not None:
            return super()._prepare(x, name, inverse)
        arr = as_array(x, name)  # any number of coordinates: only (n, k) or (k,) and finite
        if arr.ndim not in (1, 2):
            raise ValueError(f"{name} must have shape (n, k) or (k,); got shape {arr.shape}")
        return (arr[None, :], True) if arr.ndim == 1 else (arr, False)

    @property
    def inv(self) -> Bijector:
        """The inverse bijector :math:`h^{-1}` (for any number of coordinates, like ``self``)."""
        return _InverseNonlinearity(self)

    def forward(self, x: ArrayLike) -> Array:
        """:math:`h(x)` elementwise, validated, shape like ``x`` (no log-determinant computed)."""
        arr, single = self._prepare(x, "x", inverse=False)
        return self._finish(self._apply(arr), np.zeros(arr.shape[0]), single, "image")[0]

    def inverse(self, y: ArrayLike) -> Array:
        """:math:`h^{-1}(y)` elementwise, validated, shape like ``y``."""
        arr, single = self._prepare(y, "y", inverse=True)
        return self._finish(self._invert(arr), np.zeros(arr.shape[0]), single, "preimage")[0]


class _InverseNonlinearity(Inverse):
    """:math:`h^{-1}`, validated as :math:`h` validates (any number of coordinates if d is None)."""

    def _prepare(self, x: ArrayLike, name: str, inverse: bool) -> tuple[Array, bool]:
        return self.bijector._prepare(x, name, not inverse)


def _diagonal(diag: Array) -> Array:
    n, k = diag.shape
    jac = np.zeros((n, k, k))
    idx = np.arange(k)
    jac[:, idx, idx] = diag
    return jac


class TanhResidual(InvertibleNonlinearity):
    r"""Smooth strictly increasing map :math:`h(a)=a+\alpha\tanh(a)`, :math:`\alpha>-1`.

    :math:`h'(a)=1+\alpha\,\mathrm{sech}^2(a)` lies between :math:`1` and :math:`1+\alpha` (both
    positive), so :math:`h` is a bijection of :math:`\mathbb R`. The inverse has no closed form: it
    is Newton's method safeguarded by bisection on :math:`[y-|\alpha|,\,y+|\alpha|]` (which holds
    :math:`h^{-1}(y)` because :math:`|h(a)-a|<|\alpha|`), iterated until the step is a few ulps.

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the nonlinearity; :math:`\alpha>-1`. ``alpha=0`` is the identity.
    d : int, optional
        Number of coordinates (``None``: any).
    """

    name = "tanh_residual"

    def __init__(self, alpha: float = 1.0, *, d: int | None = None) -> None:
        super().__init__(d=d)
        self.alpha = check_scalar(alpha, "alpha", minimum=-1.0, include_min=False)
        self.is_constant_jacobian = self.alpha == 0.0

    def __repr__(self) -> str:
        dim = "" if self.d is None else f", d={self.d}"
        return f"TanhResidual(alpha={self.alpha!r}{dim})"

    def _apply(self, a: Array) -> Array:
        return a + self.alpha * np.tanh(a)

    @staticmethod
    def _sech2(a: Array) -> Array:
        # sech^2(a) = 4 e^{-2|a|} / (1 + e^{-2|a|})^2: no overflow for any finite a
        e = np.exp(-2.0 * np.abs(a))
        return 4.0 * e / (1.0 + e) ** 2

    def derivative(self, a: ArrayLike) -> Array:
        """:math:`h'(a)=1+\\alpha\\,\\mathrm{sech}^2 a`."""
        return 1.0 + self.alpha * self._sech2(a)

    def log_derivative(self, a: ArrayLike) -> Array:
        """:math:`\\log h'(a)=\\log(1+\\alpha\\,\\mathrm{sech}^2 a)`, computed with ``log1p``."""
        return np.log1p(self.alpha * self._sech2(a))

    def _invert(self, y: Array) -> Array:
        y = np.asarray(y, dtype=np.float64)
        if self.alpha == 0.0:
            return y.copy()
        width = abs(self.alpha)
        lo, hi = y - width, y + width
        a = y - self.alpha * np.tanh(y / (1.0 + self.alpha))  # good start, inside the bracket
        a = np.clip(a, lo, hi)
        for _ in range(200):
            r = self._apply(a) - y
            hi = np.where(r > 0, a, hi)
            lo = np.where(r < 0, a, lo)
            step = r / self.derivative(a)
            new = a - step
            outside = (new <= lo) | (new >= hi)
            new = np.where(outside & (hi > lo), 0.5 * (lo + hi), new)
            new = np.where(r == 0, a, new)
            done = np.abs(new - a) <= 4.0 * _EPS * np.maximum(np.abs(new), 1e-300)
            a = new
            if np.all(done | (r == 0)):
                break
        else:  # pragma: no cover - Newton with a bisection fallback always converges
            raise RuntimeError("TanhResidual.inverse did not converge in 200 iterations")
        return a


class InvertibleLeakyReLU(InvertibleNonlinearity):
    r"""Piecewise-linear increasing bijection: :math:`h(a)=a` for :math:`a\ge0`, :math:`s\,a` else.

    Exact inverse :math:`h^{-1}(y)=y` or :math:`y/s`; :math:`\log h'` is :math:`0` or :math:`\log s`
    (at :math:`a=0` the right derivative). Not to be confused with the network layer
    :class:`impossibility.nn.LeakyReLU`, which is not used as a bijection.

    Parameters
    ----------
    slope : float, default=0.3
        Negative-side slope :math:`s>0`.
    d : int, optional
        Number of coordinates (``None``: any).
    """

    name = "leaky_relu"

    def __init__(self, slope: float = 0.3, *, d: int | None = None) -> None:
        super().__init__(d=d)
        # s > 0 keeps h increasing, hence invertible
        self.slope = check_scalar(slope, "slope", minimum=0.0, include_min=False)
        self.is_constant_jacobian = self.slope == 1.0

    def __repr__(self) -> str:
        dim = "" if self.d is None else f", d={self.d}"
        return f"InvertibleLeakyReLU(slope={self.slope!r}{dim})"

    def _apply(self, a: Array) -> Array:
        return np.where(a >= 0, a, self.slope * a)

    def derivative(self, a: ArrayLike) -> Array:
        return np.where(np.asarray(a) >= 0, 1.0, self.slope)

    def log_derivative(self, a: ArrayLike) -> Array:
        return np.where(np.asarray(a) >= 0, 0.0, np.log(self.slope))

    def _invert(self, y: Array) -> Array:
        return np.where(y >= 0, y, y / self.slope)
