r"""The bijector contract: one primitive per direction, everything else derived (TFP / distrax).

A bijector :math:`b:\mathbb R^d\supset U\to V` implements ``_forward_and_log_det(x)`` →
:math:`(y, \log|\det J_b(x)|)` and ``_inverse_and_log_det(y)`` →
:math:`(x, \log|\det J_{b^{-1}}(y)|)` on validated float64 rows; the public ``forward``,
``inverse``, ``forward_log_det_jacobian``,
``inverse_log_det_jacobian``, ``jacobian``, ``inv`` and ``__call__`` derive from them. Inputs have
shape (n, d), or (d,) for one point (outputs then drop the batch axis); they are validated once at
the public boundary (shape, finiteness, domain), and outputs are checked to be finite, so no method
returns a silent NaN or infinity. :class:`Inverse` lives here because ``inv`` returns one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike

from .._typing import Array
from .._validation import all_below, all_finite, as_array, as_points, check_finite

__all__ = ["Bijector", "Inverse"]


@lru_cache(maxsize=None)
def _fast_is_consistent(cls: type, inverse: bool) -> bool:
    fast, primitive = (
        ("_inverse", "_inverse_and_log_det") if inverse else ("_forward", "_forward_and_log_det")
    )

    def owner(name: str) -> type:
        return next(c for c in cls.__mro__ if name in c.__dict__)

    return issubclass(owner(fast), owner(primitive))


class Bijector(ABC):
    """Base class: a differentiable bijection of (a subset of) R^d, batched over rows.

    Subclasses implement ``_forward_and_log_det`` and ``_inverse_and_log_det`` on
    validated float64 arrays of shape (n, d), and optionally ``_jacobian``,
    ``_check_domain`` and ``_check_codomain``.
    """

    #: Number of coordinates the bijector acts on.
    d: int
    #: Short name used in messages and ``repr``.
    name: str = "bijector"
    #: Whether the Jacobian is the same at every point (the map is affine), as in distrax: then
    #: ``jacobian`` at any one point describes the map everywhere. Declared, never probed.
    is_constant_jacobian: bool = False
    #: Whether the map preserves N(0, I) by construction (an isometry, a swirl): declared, so
    #: that a twin can check f_#p = p without probing (``impossibility._preserves``).
    preserves_standard_normal: bool = False
    #: Whether ‖b(x)‖ = ‖x‖ for every row (a rotation): then rows with entries below 1e300 have a
    #: finite image, and ``forward`` / ``inverse`` skip the output check. Declared, never probed.
    is_isometry: bool = False

    # ----------------------------------------------------------------- to implement
    @abstractmethod
    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        """y = b(x) and log|det J_b(x)| for validated x of shape (n, d)."""

    @abstractmethod
    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        """x = b⁻¹(y) and log|det J_{b⁻¹}(y)| for validated y of shape (n, d)."""

    def _forward(self, x: Array) -> Array:
        """y = b(x) without the log-det (default: drop it from the primitive)."""
        return self._forward_and_log_det(x)[0]

    def _inverse(self, y: Array) -> Array:
        """x = b⁻¹(y) without the log-det (default: drop it from the primitive)."""
        return self._inverse_and_log_det(y)[0]

    def _jacobian(self, x: Array) -> Array:
        raise NotImplementedError(f"{type(self).__name__} does not provide an analytic Jacobian")

    def _check_domain(self, x: Array) -> None:
        """Raise ValueError if a row of x is outside the domain (default: all of R^d)."""
        return None

    def _check_codomain(self, y: Array) -> None:
        """Raise ValueError if a row of y is outside the image (default: all of R^d)."""
        return None

    # ----------------------------------------------------------------- plumbing
    def _prepare(self, x: ArrayLike, name: str, inverse: bool) -> tuple[Array, bool]:
        return self._prepare_bounded(x, name, inverse)[:2]

    def _prepare_bounded(self, x: ArrayLike, name: str, inverse: bool) -> tuple[Array, bool, bool]:
        """Validated rows, whether one point was given, and whether the image is known finite."""
        arr = as_array(x, name, finite=False)  # TypeError for complex or text, never a cast
        single = arr.ndim == 1
        arr = as_points(arr, self.d, name=name, finite=False)
        # an isometry's image of rows with entries below 1e300 is finite: check the input only
        bounded = self.is_isometry and all_below(arr)
        if not bounded:
            check_finite(arr, name)
        (self._check_codomain if inverse else self._check_domain)(arr)
        return arr, single, bounded

    def _map_values(self, x: Array, inverse: bool) -> Array:
        """b(x) or b⁻¹(x) without the log-det, through ``_forward``/``_inverse`` only where the
        class that defines them also defines (or inherits below them) the primitive: a subclass
        that overrides only the primitive keeps its own behaviour."""
        if _fast_is_consistent(type(self), inverse):
            return self._inverse(x) if inverse else self._forward(x)
        return (self._inverse_and_log_det(x) if inverse else self._forward_and_log_det(x))[0]

    def _map(self, x: ArrayLike, inverse: bool) -> Array:
        what, name = ("preimage", "y") if inverse else ("image", "x")
        if type(self)._prepare is Bijector._prepare:
            arr, single, known_finite = self._prepare_bounded(x, name, inverse)
        else:  # a subclass that validates its own way (e.g. any number of coordinates) keeps it
            (arr, single), known_finite = self._prepare(x, name, inverse), False
        out = self._map_values(arr, inverse)
        if not known_finite:
            self._check_out(out, what)
        return out[0] if single else out

    def _check_out(self, out: Array, what: str) -> None:
        if not all_finite(out):
            r = int(np.argwhere(~np.isfinite(out))[0, 0])
            raise ValueError(
                f"{self.name}: the {what} of row {r} is not finite in float64 ({out[r]}); the "
                "point is too close to a finite support endpoint (or too deep in a tail) for its "
                "image to be representable"
            )

    def _finish(self, out: Array, ldj: Array, single: bool, what: str) -> tuple[Array, Array]:
        self._check_out(out, what)
        if not all_finite(ldj):
            r = int(np.argwhere(~np.isfinite(ldj))[0])
            raise ValueError(
                f"{self.name}: log|det J| of row {r} is {ldj[r]} (the density vanishes or "
                "overflows there: the point is at the edge of the support)"
            )
        if single:
            return out[0], ldj[0]
        return out, ldj

    # ----------------------------------------------------------------- public API
    def forward_and_log_det(self, x: ArrayLike) -> tuple[Array, Array]:
        """Compute y = b(x) and log|det J_b(x)|.

        Parameters
        ----------
        x : array_like of shape (n, d) or (d,)

        Returns
        -------
        y : ndarray of shape (n, d) or (d,)
        log_det : ndarray of shape (n,) or ()
        """
        arr, single = self._prepare(x, "x", inverse=False)
        y, ldj = self._forward_and_log_det(arr)
        return self._finish(y, ldj, single, "image")

    def inverse_and_log_det(self, y: ArrayLike) -> tuple[Array, Array]:
        """Compute x = b⁻¹(y) and log|det J_{b⁻¹}(y)| = −log|det J_b(x)|.

        Parameters
        ----------
        y : array_like of shape (n, d) or (d,)

        Returns
        -------
        x : ndarray of shape (n, d) or (d,)
        log_det : ndarray of shape (n,) or ()
        """
        arr, single = self._prepare(y, "y", inverse=True)
        x, ldj = self._inverse_and_log_det(arr)
        return self._finish(x, ldj, single, "preimage")

    def forward(self, x: ArrayLike) -> Array:
        """y = b(x), shape like ``x`` (the log-det is not computed)."""
        return self._map(x, inverse=False)

    def inverse(self, y: ArrayLike) -> Array:
        """x = b⁻¹(y), shape like ``y`` (the log-det is not computed)."""
        return self._map(y, inverse=True)

    def forward_log_det_jacobian(self, x: ArrayLike) -> Array:
        """log|det J_b(x)|, shape (n,)."""
        return self.forward_and_log_det(x)[1]

    def inverse_log_det_jacobian(self, y: ArrayLike) -> Array:
        """log|det J_{b⁻¹}(y)|, shape (n,)."""
        return self.inverse_and_log_det(y)[1]

    def jacobian(self, x: ArrayLike) -> Array:
        """The Jacobian matrices J_b(x)[k, i, j] = ∂b_i/∂x_j at each row x_k, shape (n, d, d)."""
        arr, single = self._prepare(x, "x", inverse=False)
        jac = self._jacobian(arr)
        return jac[0] if single else jac

    def __call__(self, x: ArrayLike) -> Array:
        return self.forward(x)

    @property
    def inv(self) -> "Bijector":
        """The inverse bijector b⁻¹ (forward and inverse swapped)."""
        return Inverse(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(d={self.d})"


class Inverse(Bijector):
    """The inverse b⁻¹ of a bijector b; ``Inverse(b).inv`` is ``b`` itself."""

    def __init__(self, bijector: Bijector):
        self.bijector = bijector
        self.d = bijector.d
        self.name = f"{bijector.name}⁻¹"
        self.is_constant_jacobian = bijector.is_constant_jacobian
        self.preserves_standard_normal = getattr(bijector, "preserves_standard_normal", False)
        self.is_isometry = bijector.is_isometry

    @property
    def inv(self) -> Bijector:
        return self.bijector

    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        return self.bijector._inverse_and_log_det(x)

    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        return self.bijector._forward_and_log_det(y)

    def _forward(self, x: Array) -> Array:
        return self.bijector._map_values(x, inverse=True)

    def _inverse(self, y: Array) -> Array:
        return self.bijector._map_values(y, inverse=False)

    def _jacobian(self, x: Array) -> Array:
        # J_{b⁻¹}(y) = J_b(b⁻¹(y))⁻¹ (inverse function theorem)
        inner = getattr(self.bijector, "_inverse_jacobian", None)
        if inner is not None:
            return inner(x)
        pre, _ = self.bijector._inverse_and_log_det(x)
        return np.linalg.inv(self.bijector._jacobian(pre))

    def _inverse_jacobian(self, y: Array) -> Array:
        return self.bijector._jacobian(y)

    def _check_domain(self, x: Array) -> None:
        self.bijector._check_codomain(x)

    def _check_codomain(self, y: Array) -> None:
        self.bijector._check_domain(y)

    def __repr__(self) -> str:
        return f"{self.bijector!r}.inv"
