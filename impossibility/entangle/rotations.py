r"""Orthogonal matrices with every entry nonzero: the :math:`A` that make Theorem 1's map entangle.

Haar-random draws conditioned on :math:`\min_{ij}|A_{ij}|\ge\tau`, the Householder reflections of
the paper's appendix and plane rotations. Since every row has unit norm,
:math:`\min_{ij}|A_{ij}|\le1/\sqrt d` for every orthogonal matrix.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from .._typing import Array
from .._validation import check_dimension, check_int, check_rng, check_scalar

__all__ = [
    "default_min_abs_entry",
    "random_entangling_rotation",
    "householder_rotation",
    "rotation_2d",
]


def default_min_abs_entry(d: int) -> float:
    r"""Default threshold :math:`\tau=\tfrac12 d^{-5/2}` on the smallest :math:`|A_{ij}|`.

    Entries of a Haar orthogonal matrix are roughly :math:`\mathcal N(0,1/d)`, so
    :math:`P(\min|A_{ij}|\ge\tau)\approx\exp(-0.8\,\tau\,d^{5/2})`: with this τ about 2/3 of the
    draws
    are accepted for every d (measured 0.73, 0.70, 0.65 at d = 4, 8, 16), while a fixed τ would
    make rejection sampling hopeless as d grows.
    """
    return 0.5 * float(check_dimension(d)) ** -2.5


def random_entangling_rotation(
    d: int,
    rng: np.random.Generator,
    *,
    min_abs_entry: float | None = None,
    proper: bool = False,
    max_tries: int = 10_000,
) -> Array:
    r"""A Haar-random orthogonal matrix whose entries all satisfy :math:`|A_{ij}|\ge\tau`.

    Procedure: draw :math:`A` from the Haar measure on :math:`O(d)` (or :math:`SO(d)` if
    ``proper``) with ``scipy.stats.ortho_group``; reject and redraw until
    :math:`\min_{ij}|A_{ij}|\ge\tau`. The accepted matrix is Haar-distributed conditioned on that
    event. Since rows have unit norm, :math:`\min|A_{ij}|\le1/\sqrt d` for every orthogonal matrix,
    so τ must be below that bound.

    Parameters
    ----------
    d : int
        Dimension, at least 2.
    rng : numpy.random.Generator
        Source of randomness.
    min_abs_entry : float, optional
        τ; default :func:`default_min_abs_entry` (:math:`\tfrac12d^{-5/2}`, acceptance ≈ 0.7).
    proper : bool, default=False
        Draw a rotation (det = +1) instead of any orthogonal matrix.
    max_tries : int, default=10000

    Returns
    -------
    ndarray of shape (d, d)
    """
    d = check_dimension(d)
    check_rng(rng)
    max_tries = check_int(max_tries, "max_tries", minimum=1)
    tau = (
        default_min_abs_entry(d)
        if min_abs_entry is None
        else check_scalar(min_abs_entry, "min_abs_entry", minimum=0.0)
    )
    if tau >= 1 / np.sqrt(d):
        raise ValueError(
            f"min_abs_entry = {tau} is impossible: every orthogonal {d}×{d} matrix has an entry of "
            f"absolute value at most 1/√d = {1 / np.sqrt(d):.4g}"
        )
    group = stats.special_ortho_group if proper else stats.ortho_group
    for _ in range(max_tries):
        A = group.rvs(d, random_state=rng)
        if np.min(np.abs(A)) >= tau:
            return A
    raise RuntimeError(
        f"no orthogonal matrix with all |A_ij| ≥ {tau} in {max_tries} draws; lower min_abs_entry "
        f"(the default {default_min_abs_entry(d):.3g} is accepted about 70% of the time)"
    )


def householder_rotation(d: int, alpha: float = 0.3) -> Array:
    r"""The Householder reflection :math:`A=I-2vv^\top` of the paper's appendix.

    :math:`v_1=\sqrt\alpha`, :math:`v_i=\sqrt{\beta}` with :math:`\beta=(1-\alpha)/(d-1)` for
    :math:`i\ge2`. Entries: :math:`A_{11}=1-2\alpha`, :math:`A_{1j}=A_{j1}=-2\sqrt{\alpha\beta}`,
    :math:`A_{jj}=1-2\beta`, :math:`A_{jk}=-2\beta`. All are nonzero for every
    :math:`\alpha\in(0,1)\setminus\{\tfrac12\}` and :math:`d\ge2` except when :math:`\beta=\tfrac12`
    (α = 0 at d = 3, excluded), so each α gives a different completely entangling f.
    """
    d = check_dimension(d)
    alpha = check_scalar(
        alpha, "alpha", minimum=0.0, maximum=1.0, include_min=False, include_max=False
    )
    if alpha == 0.5:
        raise ValueError(f"alpha must lie in (0, 1) and differ from 1/2; got {alpha}")
    v = np.full(d, np.sqrt((1 - alpha) / (d - 1)))
    v[0] = np.sqrt(alpha)
    return np.eye(d) - 2.0 * np.outer(v, v)


def rotation_2d(theta: float) -> Array:
    r"""The plane rotation by θ, completely entangling iff :math:`\theta\notin\tfrac\pi2\mathbb Z`.

    .. math:: R(\theta)=\begin{pmatrix}\cos\theta&-\sin\theta\\\sin\theta&\cos\theta\end{pmatrix}
    """
    theta = check_scalar(theta, "theta")
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s], [s, c]])
