r"""Maps T of Gaussian space :math:`\mathbb R^d`: the inner map of :math:`f=G^{-1}\circ T\circ G`.

.. math:: \varphi_d(T(y))\,|\det J_T(y)|=\varphi_d(y)

is what T must satisfy for f to preserve the prior. Theorem 1's T is linear, :math:`T(y)=Ay`
with A orthogonal (:func:`linear_map`); a :class:`GaussianMap` may be any map given by
expressions in the symbols :math:`y_1,\dots,y_d`, such as the swirl
(:func:`~impossibility.symbolic.swirl_map`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from ._proof import is_zero
from ._variables import gaussian_symbols
from .matrices import MatrixLike

__all__ = ["GaussianMap", "linear_map"]


@dataclass(frozen=True)
class GaussianMap:
    r"""A map :math:`T` of Gaussian space :math:`\mathbb R^d`, as expressions in the symbols ``y``.

    Attributes
    ----------
    name : str
    y : tuple of Symbol
        The real variables :math:`y_1,\dots,y_d`.
    T : ImmutableMatrix of shape (d, 1)
        :math:`T(y)`.
    T_inv : ImmutableMatrix of shape (d, 1), optional
        :math:`T^{-1}` as expressions in the same symbols ``y`` (used to build :math:`f^{-1}`).
    A : ImmutableMatrix, optional
        The matrix when T is linear, :math:`T(y)=Ay`.
    """

    name: str
    y: tuple[sp.Symbol, ...]
    T: sp.ImmutableMatrix
    T_inv: sp.ImmutableMatrix | None = None
    A: sp.ImmutableMatrix | None = None

    @property
    def d(self) -> int:
        """Dimension."""
        return len(self.y)

    @property
    def params(self) -> tuple[sp.Symbol, ...]:
        """The free parameters (symbols other than y), sorted by name."""
        free = set(self.T.free_symbols) - set(self.y)
        return tuple(sorted(free, key=lambda s: s.name))

    def jacobian(self) -> sp.ImmutableMatrix:
        r""":math:`J_T(y)`."""
        return sp.ImmutableMatrix(self.T.jacobian(self.y))


def linear_map(A: MatrixLike) -> GaussianMap:
    r"""The linear map :math:`T(y)=Ay` (Theorem 1's inner map).

    ``A`` may hold symbols; exact entries (integers, rationals, ``sqrt``) are needed for the proofs
    to succeed — floating-point entries make :math:`A^\top A-I` a nonzero round-off residual.
    :math:`T^{-1}` is :math:`A^\top` when :math:`A^\top A=I` simplifies, else :math:`A^{-1}`.
    """
    A = sp.ImmutableMatrix(sp.Matrix(A))
    if A.shape[0] != A.shape[1] or A.shape[0] < 2:
        raise ValueError(f"A must be a square d×d matrix with d ≥ 2; got shape {A.shape}")
    return _linear_map(A)


@functools.lru_cache(maxsize=64)
def _linear_map(A: sp.ImmutableMatrix) -> GaussianMap:
    d = A.shape[0]
    y = gaussian_symbols(d)
    if not (A.free_symbols & set(y)) == set():
        raise ValueError("A must not contain the Gaussian-space symbols y1, y2, ...")
    Y = sp.Matrix(y)
    orth = is_zero(sp.simplify(A.T * A - sp.eye(d)))
    Ainv = A.T if orth else sp.Matrix(A).inv()
    return GaussianMap("linear", y, sp.ImmutableMatrix(A * Y), sp.ImmutableMatrix(Ainv * Y), A)
