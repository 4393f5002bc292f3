r"""iVAE's auxiliary variable with an exponential-family prior (Khemakhem et al. 2020), per segment.

.. math:: \mathrm{KL}_u=\mathrm{KL}\big(\mathcal N(A\mu_u,A\Lambda_uA^\top)\,\|\,
          \mathcal N(\mu_u,\Lambda_u)\big)
          =\tfrac12\big[\operatorname{tr}(\Lambda_u^{-1}A\Lambda_uA^\top)-d
          +(A\mu_u-\mu_u)^\top\Lambda_u^{-1}(A\mu_u-\mu_u)\big]

In segment :math:`u` the latents are :math:`z\mid u\sim\mathcal N(\mu_u,\Lambda_u)`, a
conditionally factorized exponential family with sufficient statistics :math:`T(z)=(z,z^2)` and
natural parameters :math:`\lambda_u=(\mu_u/\sigma_u^2,\,-1/(2\sigma_u^2))` (docs/theory.md §5.2).
A rotated twin :math:`z'=Az` sees the segment law :math:`\mathcal N(A\mu_u,A\Lambda_uA^\top)`; the
log-determinants are equal, hence the formula (≈ 0.5625 for :math:`\Lambda=\operatorname{diag}(1,4)`
and :math:`A=R(\pi/4)`). Isotropic segments, :math:`\Lambda_u=s_u^2I` and :math:`\mu_u=0`, give 0
for every rotation: iVAE's "enough variability" condition fails (:func:`variability_rank`). The
zero-mean case is :func:`~.auxiliary.shared_rotation_gap`'s conditional gap, with :math:`A` and
:math:`A^\top` exchanged (the twin's orientation); :func:`segment_kl_quadrature` recomputes it by
Gauss–Hermite quadrature of the log-density ratio, exact for this quadratic integrand.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import ArrayLike

from impossibility._typing import Array
from impossibility._validation import as_array, check_int, check_orthogonal

__all__ = ["segment_kl", "segment_kl_quadrature", "ivae_gap", "variability_rank"]


def _segments(variances: ArrayLike, means: ArrayLike | None) -> tuple[Array, Array]:
    """Per-segment variances (M, d) > 0 and means (M, d) (default 0)."""
    v = as_array(variances, "variances")
    if v.ndim == 1:
        v = v[None, :]
    if v.ndim != 2 or v.shape[1] < 2:
        raise ValueError(f"variances must have shape (M, d) with d ≥ 2; got {np.shape(variances)}")
    if np.any(v <= 0):
        raise ValueError(f"variances must be positive; got {v.tolist()}")
    mu = np.zeros_like(v) if means is None else as_array(means, "means", shape=v.shape)
    return v, mu


def _rotation(A: ArrayLike, d: int) -> Array:
    Am = check_orthogonal(A, name="A")
    if Am.shape != (d, d):
        raise ValueError(f"A must be an orthogonal ({d}, {d}) matrix; got shape {Am.shape}")
    return Am


def segment_kl(variances: ArrayLike, A: ArrayLike, means: ArrayLike | None = None) -> Array:
    r""":math:`\mathrm{KL}_u` for every segment, closed form, shape (M,).

    Parameters
    ----------
    variances : array_like of shape (M, d) or (d,)
        Diagonals of :math:`\Lambda_u`.
    A : array_like of shape (d, d)
        Orthogonal.
    means : array_like of shape (M, d), optional
        :math:`\mu_u` (default 0).
    """
    v, mu = _segments(variances, means)
    Am = _rotation(A, v.shape[1])
    out = np.empty(v.shape[0])
    for k in range(v.shape[0]):
        S = (Am * v[k]) @ Am.T
        dm = Am @ mu[k] - mu[k]
        out[k] = 0.5 * (np.sum(np.diag(S) / v[k]) - v.shape[1] + np.sum(dm * dm / v[k]))
    return out


def segment_kl_quadrature(
    variances: ArrayLike, A: ArrayLike, means: ArrayLike | None = None, *, order: int = 6
) -> Array:
    r""":math:`\mathrm{KL}_u` as :math:`\mathbb E_{z'\sim\mathcal N(A\mu,A\Lambda A^\top)}
    [\log q(z')-\log p(z')]`, tensor Gauss–Hermite, shape (M,).

    The log-ratio of two Gaussians is a quadratic polynomial of the standard-normal coordinates
    :math:`\epsilon` (:math:`z'=A(\mu+\Lambda^{1/2}\epsilon)`), so ``order`` ≥ 2 nodes per dimension
    integrate it exactly (:math:`d\le8` or so: :math:`\text{order}^d` nodes).
    """
    v, mu = _segments(variances, means)
    d = v.shape[1]
    Am = _rotation(A, d)
    order = check_int(order, "order", minimum=2)
    x, w = np.polynomial.hermite_e.hermegauss(order)
    w = w / w.sum()
    eps = np.array(list(itertools.product(x, repeat=d)))
    wt = np.prod(np.array(list(itertools.product(w, repeat=d))), axis=1)
    out = np.empty(v.shape[0])
    for k in range(v.shape[0]):
        zp = (mu[k] + np.sqrt(v[k]) * eps) @ Am.T  # z' = A(μ + Λ^{½} ε)
        # log q(z') − log p(z'): q = N(Aμ, AΛAᵀ) in its own coordinates, p = N(μ, Λ) directly
        log_q = -0.5 * np.sum(eps * eps, axis=1)
        t = (zp - mu[k]) / np.sqrt(v[k])
        log_p = -0.5 * np.sum(t * t, axis=1)
        out[k] = float(wt @ (log_q - log_p))  # the log-determinants are equal (|det A| = 1)
    return out


def ivae_gap(
    variances: ArrayLike,
    A: ArrayLike,
    means: ArrayLike | None = None,
    probs: ArrayLike | None = None,
) -> float:
    r""":math:`\Delta_u=\sum_up(u)\,\mathrm{KL}_u` in nats per observed :math:`(x,u)`."""
    kl = segment_kl(variances, A, means)
    p = np.full(kl.size, 1.0 / kl.size) if probs is None else as_array(probs, "probs")
    if p.shape != kl.shape or np.any(p <= 0) or abs(p.sum() - 1) > 1e-12:
        raise ValueError(f"probs must be {kl.size} positive numbers summing to 1")
    return float(p @ kl)


def variability_rank(variances: ArrayLike, means: ArrayLike | None = None) -> int:
    r"""Rank of :math:`[\lambda(u^1)-\lambda(u^0),\dots,\lambda(u^{M-1})-\lambda(u^0)]`.

    :math:`\lambda(u)=(\mu_u/\sigma_u^2,\,-1/(2\sigma_u^2))\in\mathbb R^{2d}`; iVAE's condition
    needs rank :math:`2d` (with zero means, :math:`d` for the variance statistics). Isotropic
    segments give rank ≤ 1.
    """
    v, mu = _segments(variances, means)
    lam = np.concatenate([mu / v, -0.5 / v], axis=1)
    diff = lam[1:] - lam[0]
    if diff.size == 0:
        return 0
    return int(np.linalg.matrix_rank(diff, tol=1e-10 * max(1.0, float(np.max(np.abs(lam))))))
