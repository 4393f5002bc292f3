r"""Negative controls: maps that preserve the prior but do *not* entangle.

Both are conjugations :math:`G^{-1}\circ P\circ G` by a signed permutation :math:`P`; their
Jacobians are permutation or diagonal matrices, so the package must report them as not entangling.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..bijections import Orthogonal
from ..priors import FactorizedPrior, check_factorized_prior
from .conjugated import Conjugated

__all__ = ["permutation_bijection", "quantile_reflection"]


def _as_indices(idx: ArrayLike, name: str, d: int) -> np.ndarray:
    """Coordinate indices in 0..d-1 (negative indices are refused: they would wrap silently)."""
    arr = np.asarray(idx)
    if arr.ndim > 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise TypeError(f"{name} must be a sequence of integer coordinate indices; got {idx!r}")
    arr = arr.astype(np.int64).ravel()
    bad = (arr < 0) | (arr >= d)
    if np.any(bad):
        raise ValueError(f"{name} must hold coordinate indices in 0..{d - 1}; got {arr[bad][0]}")
    return arr


def permutation_bijection(prior: FactorizedPrior, perm: ArrayLike) -> Conjugated:
    r"""The permutation :math:`u\mapsto(u_{\pi(1)},\dots,u_{\pi(d)})` as a conjugated map.

    It preserves the prior only if the permuted marginals are identical (checked), and it is
    *not* entangling: its Jacobian is a permutation matrix. A negative control.
    """
    check_factorized_prior(prior)
    d = prior.d
    perm = _as_indices(perm, "perm", d)
    if sorted(perm.tolist()) != list(range(d)):
        raise ValueError(f"perm must be a permutation of 0..{d - 1}; got {perm.tolist()}")
    reprs = [repr(FactorizedPrior([m])) for m in prior.marginals]
    if any(reprs[i] != reprs[int(perm[i])] for i in range(d)):
        raise ValueError(
            "this permutation exchanges coordinates with different marginals: it does not "
            "preserve the prior"
        )
    P = np.eye(d)[perm]
    return Conjugated(prior, Orthogonal(P), name="permutation")


def quantile_reflection(prior: FactorizedPrior, coords: ArrayLike) -> Conjugated:
    r"""The reflections :math:`u_i\mapsto F_i^{-1}(1-F_i(u_i))` for ``i in coords``.

    That is :math:`G^{-1}\circ\operatorname{diag}(\pm1)\circ G`.

    Preserves every factorized prior; its Jacobian is diagonal (with negative entries on the
    reflected coordinates), so it is *not* entangling. A negative control.
    """
    check_factorized_prior(prior)
    signs = np.ones(prior.d)
    signs[_as_indices(coords, "coords", prior.d)] = -1.0
    return Conjugated(prior, Orthogonal(np.diag(signs)), name="reflection")
