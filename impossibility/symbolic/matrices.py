r"""Exact and symbolic orthogonal matrices for :math:`A` in :math:`f=G^{-1}\circ A\circ G`.

.. math:: R(\theta)=\begin{pmatrix}\cos\theta&-\sin\theta\\\sin\theta&\cos\theta\end{pmatrix},\qquad
          A=(I-K)(I+K)^{-1}\ (K^\top=-K),\qquad A=I-2vv^\top\ (v^\top v=1).

The rotation by a symbol θ (d = 2), the Cayley transform of a symbolic skew matrix (d = 3) and
the appendix's Householder reflection (any d) are exact, so orthogonality :math:`A^\top A=I`
simplifies to an identity; :func:`default_rotation` is the matrix every construction and proof
uses when none is given.
"""

from __future__ import annotations

import functools
from typing import Any, Sequence, TypeAlias

import sympy as sp

from .._validation import check_dimension
from ._proof import is_zero

__all__ = [
    "MatrixLike",
    "rotation_2d",
    "skew_symmetric",
    "cayley_transform",
    "householder_matrix",
    "default_rotation",
]

#: What the constructions accept as a matrix: a SymPy matrix or nested rows of exact entries.
MatrixLike: TypeAlias = sp.MatrixBase | Sequence[Sequence[Any]]


def _real_parameter(value: Any, name: str) -> sp.Expr:
    """``value`` as a SymPy expression that can be a real number: text, a bool or a complex
    number is a ``TypeError``; NaN or ±∞ a ``ValueError``."""
    try:
        expr = sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError):
        expr = None
    wrong = f"{name} must be a real number or a SymPy expression; got {value!r}"
    if not isinstance(expr, sp.Expr):
        raise TypeError(wrong)
    if expr.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise ValueError(f"{name} must be finite; got {value!r}")
    if expr.is_real is False:  # a complex number, e.g. 1j
        raise TypeError(wrong)
    return expr


def rotation_2d(theta: sp.Expr | None = None) -> sp.ImmutableMatrix:
    r"""The rotation by θ in the plane.

    .. math:: R(\theta)=\begin{pmatrix}\cos\theta&-\sin\theta\\\sin\theta&\cos\theta\end{pmatrix}

    ``theta`` defaults to a real symbol θ. All entries are nonzero iff
    :math:`\theta\notin\frac\pi2\mathbb Z`.
    """
    th = sp.Symbol("theta", real=True) if theta is None else _real_parameter(theta, "theta")
    return sp.ImmutableMatrix([[sp.cos(th), -sp.sin(th)], [sp.sin(th), sp.cos(th)]])


def skew_symmetric(k: Sequence[sp.Expr] | None = None) -> sp.ImmutableMatrix:
    r"""The 3×3 skew matrix :math:`[k]_\times` (:math:`[k]_\times w=k\times w`).

    ``k`` defaults to real symbols k1, k2, k3.
    """
    k1, k2, k3 = (
        sp.symbols("k1 k2 k3", real=True)
        if k is None
        else tuple(_real_parameter(c, f"k[{i}]") for i, c in enumerate(k))
    )
    return sp.ImmutableMatrix([[0, -k3, k2], [k3, 0, -k1], [-k2, k1, 0]])


def cayley_transform(K: MatrixLike) -> sp.ImmutableMatrix:
    r"""The Cayley transform :math:`A=(I-K)(I+K)^{-1}` of a skew-symmetric K: a rotation (det = +1).

    :math:`I+K` is invertible for real skew K (its eigenvalues are :math:`1+i\lambda`). The entries
    are rational functions of the entries of K; orthogonality :math:`A^\top A=I` is a rational
    identity.
    """
    K = sp.Matrix(K)
    if K.shape[0] != K.shape[1]:
        raise ValueError(f"K must be square; got shape {K.shape}")
    if not is_zero(sp.simplify(K + K.T)):
        raise ValueError(f"K must be skew-symmetric (Kᵀ = −K); got {K}")
    n = K.shape[0]
    A = (sp.eye(n) - K) * (sp.eye(n) + K).inv()
    return sp.ImmutableMatrix(A.applyfunc(sp.factor))


def householder_matrix(d: int, alpha: sp.Expr | None = None) -> sp.ImmutableMatrix:
    r"""The appendix's Householder reflection :math:`A=I-2vv^\top`.

    :math:`v_1=\sqrt\alpha`, :math:`v_i=\sqrt{(1-\alpha)/(d-1)}`; ``alpha`` defaults to a positive
    symbol α; :math:`v^\top v=1` exactly, so A is orthogonal with :math:`\det A=-1`. All entries are
    nonzero for :math:`\alpha\in(0,1)\setminus\{\tfrac12\}` (docs/theory.md §1.3).
    """
    d = check_dimension(d)
    a = sp.Symbol("alpha", positive=True) if alpha is None else _real_parameter(alpha, "alpha")
    v = sp.Matrix([sp.sqrt(a)] + [sp.sqrt((1 - a) / (d - 1))] * (d - 1))
    return sp.ImmutableMatrix(sp.eye(d) - 2 * v * v.T)


def default_rotation(d: int) -> sp.ImmutableMatrix:
    """The symbolic rotation used when none is given.

    The rotation by a symbol θ for d = 2, the Cayley transform of [k]ₓ for d = 3; no default for
    d ≥ 4 (``ValueError``).
    """
    d = check_dimension(d)
    if d > 3:
        raise ValueError(
            f"no default symbolic rotation for d = {d}: pass A explicitly (e.g. "
            f"householder_matrix({d}) or cayley_transform of a skew matrix); for the argument in "
            "arbitrary dimension see prove_general_d"
        )
    return _default_rotation(d)


@functools.lru_cache(maxsize=8)
def _default_rotation(d: int) -> sp.ImmutableMatrix:
    if d == 2:
        return rotation_2d()
    return cayley_transform(skew_symmetric())
