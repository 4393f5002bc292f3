r"""A continuum of entangling maps: :math:`A(t)=\exp(tS)` for a skew-symmetric :math:`S`.

Every :math:`A(t)` is a rotation, and on a certified interval :math:`0<|t|<t_{\max}` every entry is
nonzero, so :math:`t\mapsto G^{-1}\circ A(t)\circ G` is an uncountable family of distinct
completely entangling maps (docs/theory.md §1.5); beyond it entries vanish only at isolated t.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import linalg, optimize

from .._typing import Array
from .._validation import as_matrix, check_dimension, check_int, check_rng, check_scalar

__all__ = ["RotationPath", "random_skew"]


def random_skew(d: int, rng: np.random.Generator) -> Array:
    """A random skew-symmetric S (Sᵀ = −S) with standard-normal entries above the diagonal."""
    d = check_dimension(d)
    check_rng(rng)
    upper = np.triu(rng.standard_normal((d, d)), 1)
    return upper - upper.T


class RotationPath:
    r"""The continuous family :math:`A(t)=\exp(tS)`, :math:`S^\top=-S`: one f for every t.

    Every :math:`A(t)` is a rotation. Certified interval (docs/theory.md §1.5): with
    :math:`\sigma=\lVert S\rVert_2`, :math:`m=\min_{i\ne j}|S_{ij}|` and :math:`\tau=|t|\sigma`,
    every entry
    is bounded away from zero as long as :math:`e^\tau-1<1` and :math:`e^\tau-1-\tau<|t|m`, because
    :math:`|A_{ij}(t)-\delta_{ij}-tS_{ij}|\le e^\tau-1-\tau`. So all entries are nonzero for
    :math:`0<|t|<t_{\max}` — a continuum of distinct completely entangling maps. Beyond
    :math:`t_{\max}` the entries are trigonometric polynomials in t that vanish only at isolated
    points, located by :meth:`entry_zeros`.

    Parameters
    ----------
    S : array_like of shape (d, d)
        Skew-symmetric, with every off-diagonal entry nonzero.
    """

    def __init__(self, S: ArrayLike):
        S = as_matrix(S, "S", square=True)
        check_dimension(S.shape[0], "S.shape[0]")
        asym = float(np.max(np.abs(S + S.T)))
        if asym > 1e-12 * max(1.0, float(np.max(np.abs(S)))):
            raise ValueError(f"S must be skew-symmetric (Sᵀ = −S); got max|S + Sᵀ| = {asym:.3g}")
        off = S[~np.eye(S.shape[0], dtype=bool)]
        if np.any(off == 0):
            raise ValueError(
                "every off-diagonal entry of S must be nonzero for A(t) to entangle all pairs"
            )
        self.S = S
        self.d = S.shape[0]

    def __call__(self, t: float) -> Array:
        """A(t) = expm(t S)."""
        return linalg.expm(check_scalar(t, "t") * self.S)

    @property
    def t_max(self) -> float:
        r"""The certified :math:`t_{\max}`: no entry of A(t) vanishes for :math:`0<|t|<t_{\max}`."""
        sigma = float(np.linalg.norm(self.S, 2))
        m = float(np.min(np.abs(self.S[~np.eye(self.d, dtype=bool)])))
        t2 = np.log(2.0) / sigma
        h = lambda t: np.expm1(t * sigma) - t * sigma - t * m  # noqa: E731  convex, h(0)=0, h'(0)<0
        hi = t2
        if h(hi) < 0:
            return t2
        return min(t2, optimize.brentq(h, 1e-12 / sigma, hi, xtol=1e-15))

    def entry_zeros(
        self, t_lo: float, t_hi: float, *, num: int = 2001
    ) -> list[tuple[int, int, float]]:
        """Values of t in [t_lo, t_hi] where some entry A_ij(t) vanishes: (i, j, t), sorted by t.

        Sign changes on a grid of ``num`` points are refined with Brent's method (isolated
        tangential zeros between grid points could be missed; refine ``num`` if it matters).
        """
        t_lo, t_hi = check_scalar(t_lo, "t_lo"), check_scalar(t_hi, "t_hi")
        if not t_lo < t_hi:
            raise ValueError(f"t_lo must be < t_hi; got t_lo = {t_lo}, t_hi = {t_hi}")
        ts = np.linspace(t_lo, t_hi, check_int(num, "num", minimum=2))
        w, V = np.linalg.eig(self.S)
        Vinv = np.linalg.inv(V)
        entries = lambda t: np.real((V * np.exp(t * w)) @ Vinv)  # noqa: E731
        vals = np.real(np.einsum("ik,tk,kj->tij", V, np.exp(ts[:, None] * w[None, :]), Vinv))
        zeros = []
        for i in range(self.d):
            for j in range(self.d):
                s = vals[:, i, j]
                for k in np.nonzero(np.sign(s[:-1]) * np.sign(s[1:]) < 0)[0]:
                    t0 = optimize.brentq(
                        lambda t, i=i, j=j: entries(t)[i, j], ts[k], ts[k + 1], xtol=1e-14
                    )
                    zeros.append((i, j, float(t0)))
        return sorted(zeros, key=lambda z: z[2])
