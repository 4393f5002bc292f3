r"""A small bijector interface, batched over rows, in the conventions of TFP and distrax.

A bijector :math:`b:\mathbb R^d\supset U\to V` implements one primitive per direction,

* ``forward_and_log_det(x)`` → :math:`(y, \log|\det J_b(x)|)`,
* ``inverse_and_log_det(y)`` → :math:`(x, \log|\det J_{b^{-1}}(y)|)`,

and everything else is derived from them: ``forward``, ``inverse``,
``forward_log_det_jacobian``, ``inverse_log_det_jacobian``, ``inv`` (the inverse bijector) and
``__call__`` (= ``forward``). ``jacobian(x)`` returns the full matrices, shape (n, d, d).

Inputs have shape (n, d) (or (d,) for a single point, in which case outputs drop the batch axis).
Inputs are validated at the public boundary (shape, finiteness, domain), outputs are checked to
be finite, so no method returns a silent NaN or infinity.

:class:`Chain` composes in TFP order: ``Chain([b1, b2, b3])(x) == b1(b2(b3(x)))``, i.e. the last
element is applied first, so ``Chain([G.inv, Orthogonal(A), G])`` reads as :math:`G^{-1}\circ A\circ G`.
(``torch.distributions.ComposeTransform`` uses the opposite order.)
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .priors import all_finite, as_points

__all__ = [
    "Bijector",
    "Inverse",
    "Chain",
    "Elementwise",
    "Orthogonal",
    "check_orthogonal",
]

Array = NDArray[np.float64]


class Bijector(ABC):
    """Base class: a differentiable bijection of (a subset of) R^d, batched over rows.

    Subclasses implement :meth:`_forward_and_log_det` and :meth:`_inverse_and_log_det` on
    validated float64 arrays of shape (n, d), and optionally :meth:`_jacobian`,
    :meth:`_check_domain` and :meth:`_check_codomain`.
    """

    #: Number of coordinates the bijector acts on.
    d: int
    #: Short name used in messages and ``repr``.
    name: str = "bijector"
    #: Whether the Jacobian is the same at every point (the map is affine), as in distrax: then
    #: ``jacobian`` at any one point describes the map everywhere. Declared, never probed.
    is_constant_jacobian: bool = False

    # ----------------------------------------------------------------- to implement
    @abstractmethod
    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        """y = b(x) and log|det J_b(x)| for validated x of shape (n, d)."""

    @abstractmethod
    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        """x = b⁻¹(y) and log|det J_{b⁻¹}(y)| for validated y of shape (n, d)."""

    def _jacobian(self, x: Array) -> Array:
        raise NotImplementedError(f"{type(self).__name__} does not provide an analytic Jacobian")

    def _check_domain(self, x: Array) -> None:
        """Raise ValueError if a row of x is outside the domain (default: all of R^d)."""

    def _check_codomain(self, y: Array) -> None:
        """Raise ValueError if a row of y is outside the image (default: all of R^d)."""

    # ----------------------------------------------------------------- plumbing
    def _prepare(self, x: ArrayLike, name: str, inverse: bool) -> tuple[Array, bool]:
        arr = np.asarray(x, dtype=np.float64)
        single = arr.ndim == 1
        arr = as_points(arr, self.d, name=name)
        (self._check_codomain if inverse else self._check_domain)(arr)
        return arr, single

    def _finish(self, out: Array, ldj: Array, single: bool, what: str) -> tuple[Array, Array]:
        if not all_finite(out):
            r = int(np.argwhere(~np.isfinite(out))[0, 0])
            raise ValueError(
                f"{self.name}: the {what} of row {r} is not finite in float64 ({out[r]}); the point is "
                "too close to a finite support endpoint (or too deep in a tail) for its image to be "
                "representable"
            )
        if not all_finite(ldj):
            r = int(np.argwhere(~np.isfinite(ldj))[0])
            raise ValueError(
                f"{self.name}: log|det J| of row {r} is {ldj[r]} (the density vanishes or overflows "
                "there: the point is at the edge of the support)"
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
        """y = b(x), shape like ``x``."""
        return self.forward_and_log_det(x)[0]

    def inverse(self, y: ArrayLike) -> Array:
        """x = b⁻¹(y), shape like ``y``."""
        return self.inverse_and_log_det(y)[0]

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

    @property
    def inv(self) -> Bijector:
        return self.bijector

    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        return self.bijector._inverse_and_log_det(x)

    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        return self.bijector._forward_and_log_det(y)

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


class Chain(Bijector):
    r"""Composition in TFP order: ``Chain([b1, ..., bk]) = b1 ∘ ... ∘ bk`` (``bk`` first).

    log|det J| is the sum of the components' log-dets along the way, and the Jacobian is the
    product :math:`J_{b_1}(x_{1})\cdots J_{b_k}(x_k)` with :math:`x_k=x`, :math:`x_{i}=b_{i+1}(x_{i+1})`.
    """

    def __init__(self, bijectors: Sequence[Bijector], *, name: str | None = None):
        bijectors = list(bijectors)
        if not bijectors:
            raise ValueError("Chain needs at least one bijector")
        dims = {b.d for b in bijectors}
        if len(dims) != 1:
            raise ValueError(f"all bijectors in a Chain must act on the same d; got {[b.d for b in bijectors]}")
        self.bijectors = bijectors
        self.d = bijectors[0].d
        self.is_constant_jacobian = all(b.is_constant_jacobian for b in bijectors)
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


class Elementwise(Bijector):
    r"""A coordinatewise bijection :math:`y_i=\beta_i(x_i)` with a diagonal Jacobian.

    Subclasses implement :meth:`_forward_and_log_diag` / :meth:`_inverse_and_log_diag`, returning
    the per-coordinate log-derivatives :math:`\log|\beta_i'(x_i)|`; log|det J| is their sum.
    The generic constructor wraps plain functions:

    Parameters
    ----------
    d : int
        Number of coordinates.
    forward_fn, inverse_fn : callable
        Vectorised maps acting on arrays of shape (n, d).
    log_deriv_fn : callable
        ``log|β'(x)|`` as an array of shape (n, d), evaluated at the forward input.
    name : str, default="elementwise"
    """

    def __init__(
        self,
        d: int,
        forward_fn: Callable[[Array], Array] | None = None,
        inverse_fn: Callable[[Array], Array] | None = None,
        log_deriv_fn: Callable[[Array], Array] | None = None,
        *,
        name: str = "elementwise",
    ):
        self.d = int(d)
        self.name = name
        self._f, self._fi, self._ld = forward_fn, inverse_fn, log_deriv_fn

    def _forward_and_log_diag(self, x: Array) -> tuple[Array, Array]:
        if self._f is None:
            raise NotImplementedError
        return self._f(x), self._ld(x)

    def _inverse_and_log_diag(self, y: Array) -> tuple[Array, Array]:
        if self._fi is None:
            raise NotImplementedError
        x = self._fi(y)
        return x, -self._ld(x)

    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        y, ld = self._forward_and_log_diag(x)
        return y, ld.sum(axis=1)

    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        x, ld = self._inverse_and_log_diag(y)
        return x, ld.sum(axis=1)

    def _jacobian(self, x: Array) -> Array:
        _, ld = self._forward_and_log_diag(x)
        jac = np.zeros((x.shape[0], self.d, self.d))
        idx = np.arange(self.d)
        jac[:, idx, idx] = np.exp(ld)
        return jac

    def _inverse_jacobian(self, y: Array) -> Array:
        _, ld = self._inverse_and_log_diag(y)
        jac = np.zeros((y.shape[0], self.d, self.d))
        idx = np.arange(self.d)
        jac[:, idx, idx] = np.exp(ld)
        return jac


def check_orthogonal(A: ArrayLike, *, atol: float | None = None, name: str = "A") -> Array:
    r"""Validate an orthogonal matrix and return it as float64.

    Orthogonality is accepted when :math:`\lVert A^\top A-I\rVert_\infty\le` ``atol``, by default
    :math:`10^3\,\varepsilon\,d` (a product of d rounded rotations stays well inside it, a matrix
    that is only approximately orthogonal, e.g. to 1e-8, does not).

    Raises
    ------
    ValueError
        If ``A`` is not square, contains NaN/inf, or is not orthogonal within ``atol``.
    """
    arr = np.asarray(A, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square matrix; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    d = arr.shape[0]
    tol = 1e3 * np.finfo(float).eps * d if atol is None else float(atol)
    err = float(np.max(np.abs(arr.T @ arr - np.eye(d))))
    if err > tol:
        raise ValueError(
            f"{name} is not orthogonal: max|{name}ᵀ{name} − I| = {err:.3g} > tolerance {tol:.3g}; "
            "only orthogonal maps preserve the standard normal N(0, I)"
        )
    return arr


class Orthogonal(Bijector):
    r"""The linear isometry :math:`y=Ax` with :math:`A^\top A=I`.

    forward :math:`y=Ax`; inverse :math:`x=A^\top y`; :math:`\log|\det A|=0` (stored as computed by
    ``slogdet`` so that it is the honest floating-point value, about 1e-16).

    Parameters
    ----------
    A : array_like of shape (d, d)
        Orthogonal matrix, validated by :func:`check_orthogonal`.
    atol : float, optional
        Orthogonality tolerance, see :func:`check_orthogonal`.
    """

    name = "A"
    is_constant_jacobian = True

    def __init__(self, A: ArrayLike, *, atol: float | None = None):
        self.A = check_orthogonal(A, atol=atol)
        self.d = self.A.shape[0]
        self.log_abs_det = float(np.linalg.slogdet(self.A)[1])

    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        return x @ self.A.T, np.full(x.shape[0], self.log_abs_det)

    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        return y @ self.A, np.full(y.shape[0], -self.log_abs_det)

    def _jacobian(self, x: Array) -> Array:
        return np.broadcast_to(self.A, (x.shape[0], self.d, self.d)).copy()

    def _inverse_jacobian(self, y: Array) -> Array:
        return np.broadcast_to(self.A.T, (y.shape[0], self.d, self.d)).copy()

    def __repr__(self) -> str:
        return f"Orthogonal(d={self.d})"
