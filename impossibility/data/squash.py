r"""The algebraic squash :math:`s:\mathbb R\to(0,1)`, an elementwise bijector with its log-det.

.. math::

    s(y)=\tfrac12\Big(1+\frac{y}{\sqrt{1+y^2}}\Big),\qquad
    s^{-1}(x)=\frac{2x-1}{2\sqrt{x(1-x)}},\qquad
    \log\Big|\frac{ds^{-1}}{dx}\Big| = \log2+\tfrac32\log(1+y^2),\ y=s^{-1}(x).

It puts the continuous-mixing observations into (0, 1). Algebraic rather than logistic tails keep
the inverse well conditioned: an error :math:`\varepsilon` in :math:`x` moves :math:`y` by
:math:`2(1+y^2)^{3/2}\varepsilon`, about :math:`2\times10^{-13}` at :math:`|y|=10`; :math:`2x-1` and
:math:`1-x` are exact in floating point for :math:`x\ge\tfrac14` (Sterbenz).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._typing import Array
from .._validation import check_int
from ..bijections import Elementwise

__all__ = ["AlgebraicSquash"]

_LOG2 = np.log(2.0)


def _squash(y: Array) -> Array:
    return 0.5 + 0.5 * (y / np.hypot(1.0, y))


def _unsquash(x: Array) -> Array:
    return (2.0 * x - 1.0) / (2.0 * np.sqrt(x * (1.0 - x)))


def _log_unsquash_derivative(y: Array) -> Array:
    # s'(y) = ½(1 + y²)^{-3/2}, so log|ds⁻¹/dx| = log 2 + (3/2) log(1 + y²)
    return _LOG2 + 1.5 * np.log1p(y * y)


class AlgebraicSquash(Elementwise):
    r"""The bijector :math:`x_i=s(y_i)=\tfrac12(1+y_i/\sqrt{1+y_i^2})` onto the open cube.

    forward :math:`s`; inverse :math:`s^{-1}(x)=(2x-1)/(2\sqrt{x(1-x)})`;
    :math:`\log|\det J_{s^{-1}}(x)|=\sum_i[\log2+\tfrac32\log(1+y_i^2)]`, :math:`y=s^{-1}(x)`.
    ``forward`` and ``inverse`` skip the log-determinant; ``inverse_and_log_det`` gives both.

    Parameters
    ----------
    d : int
        Number of coordinates D.
    """

    name = "s"

    def __init__(self, d: int) -> None:
        self.d = check_int(d, "d", minimum=1)

    def __repr__(self) -> str:
        return f"AlgebraicSquash(d={self.d})"

    def _check_codomain(self, y: Array) -> None:
        outside = (y <= 0) | (y >= 1)
        if np.any(outside):
            r, c = np.argwhere(outside)[0]
            raise ValueError(
                f"observations[{r}, {c}] = {y[r, c]} is not in the open interval (0, 1), the "
                "range of the squash"
            )

    def _forward_and_log_diag(self, x: Array) -> tuple[Array, Array]:
        return _squash(x), -_log_unsquash_derivative(x)

    def _inverse_and_log_diag(self, y: Array) -> tuple[Array, Array]:
        x = _unsquash(y)
        return x, _log_unsquash_derivative(x)

    def forward(self, x: ArrayLike) -> Array:
        """:math:`s(y)` elementwise, validated, shape like the input."""
        arr, single = self._prepare(x, "y", inverse=False)
        return self._finish(_squash(arr), np.zeros(arr.shape[0]), single, "image")[0]

    def inverse(self, y: ArrayLike) -> Array:
        """:math:`s^{-1}(x)` elementwise, validated (inside (0, 1)), shape like the input."""
        arr, single = self._prepare(y, "observations", inverse=True)
        return self._finish(_unsquash(arr), np.zeros(arr.shape[0]), single, "preimage")[0]
