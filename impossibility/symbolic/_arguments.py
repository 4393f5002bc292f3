r"""The arguments of every construction and proof of :math:`f=G^{-1}\circ T\circ G`, checked.

``d`` (an integer :math:`\ge2`: Theorem 1 needs :math:`d>1`), ``prior`` (a name, a
:class:`~impossibility.symbolic.SymbolicPrior`, or d of them) and the inner map (a matrix ``A``,
default :func:`~impossibility.symbolic.default_rotation`, or a
:class:`~impossibility.symbolic.GaussianMap` ``inner``, not both). The package's rule holds: a
wrong type raises ``TypeError``, a wrong value ``ValueError``.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from .._validation import check_dimension
from .gaussian_maps import GaussianMap, linear_map
from .matrices import MatrixLike, default_rotation
from .priors import SymbolicPrior, get_prior

__all__ = ["check_dimension", "check_gaussian_map", "resolve_priors", "resolve_inner"]

# the package's one dimension check (d ≥ 2, with the reason), re-exported for the symbolic modules


def check_gaussian_map(inner: Any) -> GaussianMap:
    """``inner`` if it is a :class:`GaussianMap`, else ``TypeError``."""
    if not isinstance(inner, GaussianMap):
        raise TypeError(f"inner must be a GaussianMap; got {type(inner).__name__}")
    return inner


def resolve_priors(
    prior: str | SymbolicPrior | Sequence[str | SymbolicPrior], d: int
) -> tuple[SymbolicPrior, ...]:
    """One :class:`SymbolicPrior` per coordinate: a single prior is repeated d times."""
    if isinstance(prior, (str, SymbolicPrior)):
        return (get_prior(prior),) * d
    if not isinstance(prior, Iterable):
        raise TypeError(
            "prior must be a prior name, a SymbolicPrior, or a sequence of d of them; got "
            f"{prior!r} ({type(prior).__name__})"
        )
    priors = tuple(get_prior(p) for p in prior)
    if len(priors) != d:
        raise ValueError(
            f"got {len(priors)} priors for d = {d}; expected one prior or exactly d of them"
        )
    return priors


def resolve_inner(d: int, A: MatrixLike | None, inner: GaussianMap | None) -> GaussianMap:
    """The map T of Gaussian space: ``inner``, else :math:`T(y)=Ay` (default rotation if no A)."""
    if inner is not None:
        if A is not None:
            raise ValueError("give either A or inner, not both")
        check_gaussian_map(inner)
        if inner.d != d:
            raise ValueError(f"inner map acts on d = {inner.d}, expected d = {d}")
        return inner
    G = linear_map(default_rotation(d) if A is None else A)
    if G.d != d:
        raise ValueError(f"A has shape {G.A.shape}, expected ({d}, {d})")
    return G
