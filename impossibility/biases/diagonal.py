r"""When a rotation keeps a diagonal Gaussian diagonal: the exact condition (docs/theory.md §3.7).

.. math:: R\,\operatorname{diag}(s^2)R^\top\ \text{diagonal}
          \iff\forall i,k:\ R_{ik}\neq0\Rightarrow s_k^2=s_i'^2:=\textstyle\sum_lR_{il}^2s_l^2 .

With the prior :math:`\mathcal N(0,I)` Theorem 1's map is a rotation :math:`z'=Rz`, and the
pushforward of a diagonal posterior :math:`\mathcal N(\mu,D)` is :math:`\mathcal N(R\mu,RDR^\top)`:
each row of :math:`R` may only mix coordinates of equal posterior variance, so a completely
entangling :math:`R` keeps the diagonal family only for an isotropic posterior. This is why the
diagonal encoders of the 2019 study can tell a model from its rotated twin.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from impossibility._typing import Array
from impossibility._validation import as_array, check_int, check_orthogonal, check_scalar

__all__ = ["rotated_offdiagonal", "stays_diagonal", "plane_rotation"]


def _positive_variances(variances: ArrayLike, d: int) -> Array:
    """Posterior variances: shape (d,), finite and positive."""
    s2 = as_array(variances, "variances", shape=(d,))
    if np.any(s2 <= 0):
        raise ValueError(f"variances must be positive; got {s2.tolist()}")
    return s2


def rotated_offdiagonal(R: ArrayLike, variances: ArrayLike) -> float:
    r""":math:`\max_{i\ne j}|(R\,\operatorname{diag}(s^2)R^\top)_{ij}|`, largest off-diagonal entry.

    The covariance of the pushforward :math:`R_\#\mathcal N(\mu,\operatorname{diag}s^2)`; zero iff
    the rotated posterior is still diagonal (the direct check of :func:`stays_diagonal`).

    Parameters
    ----------
    R : array_like of shape (d, d)
        Orthogonal.
    variances : array_like of shape (d,)
        :math:`s^2 > 0`.
    """
    R = check_orthogonal(R, name="R")
    s2 = _positive_variances(variances, R.shape[0])
    C = (R * s2[None, :]) @ R.T
    off = C - np.diag(np.diag(C))
    return float(np.max(np.abs(off))) if R.shape[0] > 1 else 0.0


def stays_diagonal(
    R: ArrayLike, variances: ArrayLike, *, zero_tol: float = 1e-12, rtol: float = 1e-10
) -> bool:
    r"""Whether :math:`R_\#\mathcal N(\mu,\operatorname{diag}s^2)` is again diagonal, exactly.

    .. math:: \forall i,k:\ R_{ik}\ne0\Rightarrow s_k^2=\textstyle\sum_lR_{il}^2s_l^2 .

    Proof sketch: :math:`C=RDR^\top` is diagonal (:math:`=D'`) iff :math:`RD=D'R` (multiply by
    :math:`R` on the right), whose :math:`(i,k)` entry reads :math:`R_{ik}s_k^2=s_i'^2R_{ik}`.

    Parameters
    ----------
    R : array_like of shape (d, d)
        Orthogonal matrix.
    variances : array_like of shape (d,)
        Posterior variances :math:`s_k^2 > 0`.
    zero_tol : float, default=1e-12
        Entries with :math:`|R_{ik}|\le` ``zero_tol`` count as zero.
    rtol : float, default=1e-10
        Relative tolerance for the equality :math:`s_k^2=s_i'^2`.

    Returns
    -------
    bool
    """
    R = check_orthogonal(R, name="R")
    s2 = _positive_variances(variances, R.shape[0])
    zero_tol = check_scalar(zero_tol, "zero_tol", minimum=0)
    rtol = check_scalar(rtol, "rtol", minimum=0)
    s2_new = (R * R) @ s2
    mixes = np.abs(R) > zero_tol
    equal = np.abs(s2[None, :] - s2_new[:, None]) <= rtol * np.maximum(s2[None, :], s2_new[:, None])
    return bool(np.all(equal | ~mixes))


def plane_rotation(theta: float, d: int = 2, plane: tuple[int, int] = (0, 1)) -> Array:
    r""":math:`R(\theta)`: the rotation by :math:`\theta` in the plane of two coordinates.

    The identity on the other coordinates.

    For ``d = 2``:
    :math:`\begin{pmatrix}\cos\theta&-\sin\theta\\\sin\theta&\cos\theta\end{pmatrix}`.

    Parameters
    ----------
    theta : float
        Angle in radians.
    d : int, default=2
        Dimension, at least 2.
    plane : (int, int), default=(0, 1)
        Two distinct coordinates in ``[0, d)``.
    """
    d = check_int(d, "d", minimum=2)
    if len(plane) != 2:
        raise ValueError(f"plane must be two distinct coordinates in [0, {d}); got {plane!r}")
    i, j = (check_int(p, f"plane[{k}]", minimum=0, maximum=d - 1) for k, p in enumerate(plane))
    if i == j:
        raise ValueError(f"plane must be two distinct coordinates in [0, {d}); got {plane!r}")
    theta = check_scalar(theta, "theta")
    R = np.eye(d)
    c, s = math.cos(theta), math.sin(theta)
    R[i, i], R[i, j], R[j, i], R[j, j] = c, -s, s, c
    return R
