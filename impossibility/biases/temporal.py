r"""Time: stationary AR(1) latents, whose lag-1 pair law a rotation does not preserve.

.. math:: \Delta_{\rm time}=\tfrac12\big[\operatorname{tr}(\Sigma_2^{-1}\Sigma_1)-2d
          +\log\det\Sigma_2-\log\det\Sigma_1\big],\qquad
          \Sigma_1=\begin{pmatrix}I&D\\D&I\end{pmatrix},\ \Sigma_2=\begin{pmatrix}I&A^\top DA\\
          A^\top DA&I\end{pmatrix}

:math:`z_{i,t}=\rho_iz_{i,t-1}+\sqrt{1-\rho_i^2}\,\epsilon_{i,t}` has :math:`\mathcal N(0,I)`
marginals, so Theorem 1's map is a rotation :math:`A` and the twin models every single frame
exactly; the pair :math:`(z_t,z_{t-1})` is :math:`\mathcal N(0,\Sigma_1)` with
:math:`D=\operatorname{diag}\rho`, which the twin (decoder :math:`g\circ A^{-1}`) sees as
:math:`\mathcal N(0,\Sigma_2)` (docs/theory.md §5.4). Unequal autocorrelations break the symmetry.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from impossibility._validation import as_array, check_orthogonal

__all__ = ["ar1_pair_gap"]


def ar1_pair_gap(rho: ArrayLike, A: ArrayLike) -> float:
    r""":math:`\Delta_{\rm time}`, the KL of the lag-1 pair laws of AR(1) latents and their twin.

    The gap per observed transition (the latent chains are Markov with equal marginals, so this is
    also the KL rate per time step). Zero iff :math:`A^\top DA=D`, e.g. all :math:`\rho_i` equal.

    Parameters
    ----------
    rho : array_like of shape (d,)
        Autocorrelations in :math:`(-1, 1)`.
    A : array_like of shape (d, d)
        Orthogonal.
    """
    r = as_array(rho, "rho").reshape(-1)
    d = r.size
    if d < 1 or not np.all(np.abs(r) < 1):
        raise ValueError(f"rho must hold autocorrelations in (-1, 1); got {r.tolist()}")
    Am = check_orthogonal(A, name="A")
    if Am.shape != (d, d):
        raise ValueError(f"A must be an orthogonal ({d}, {d}) matrix; got shape {Am.shape}")
    D = np.diag(r)
    eye = np.eye(d)
    S1 = np.block([[eye, D], [D, eye]])
    D2 = Am.T @ D @ Am
    S2 = np.block([[eye, D2], [D2, eye]])
    _, ld1 = np.linalg.slogdet(S1)
    _, ld2 = np.linalg.slogdet(S2)
    return float(0.5 * (np.trace(np.linalg.solve(S2, S1)) - 2 * d + ld2 - ld1))
