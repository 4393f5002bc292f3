r"""The linear Gaussian VAE in closed form: what rotating its latent space costs a diagonal encoder.

.. math:: \mathrm{gap}(R)=\log p(x)-\max_{q\ \mathrm{diag}}\mathcal L(x)
          =\tfrac12\Big[\sum_i\log(R\Lambda R^\top)_{ii}-\log\det\Lambda\Big]\ \ge0,
          \qquad \Lambda=I+W^\top W/\sigma^2 .

Decoder :math:`\mathcal N(Wz+b,\sigma^2I_D)`, prior :math:`\mathcal N(0,I_d)`: the exact posterior
is Gaussian with precision :math:`\Lambda` (the same for every :math:`x`) and the best diagonal
Gaussian keeps its mean with variances :math:`1/\Lambda_{ii}` (docs/theory.md §3.7). Rotating the
latent
space (:math:`W\mapsto WR^\top`) maps :math:`\Lambda\mapsto R\Lambda R^\top`; the gap is positive by
Hadamard's inequality unless :math:`R\Lambda R^\top` is diagonal, and zero for every :math:`R` when
the encoder may have a full covariance. :func:`fit_linear_encoder` checks the formula by BFGS.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize

from impossibility import nn
from impossibility._typing import LOG_2PI, Array
from impossibility._validation import (
    as_array,
    as_matrix,
    as_points,
    check_choice,
    check_int,
    check_orthogonal,
    check_scalar,
)

from ._vae_contract import VAELike, check_vae
from .diagonal import plane_rotation

__all__ = [
    "REFERENCE_GAPS",
    "reference_linear_decoder",
    "linear_posterior_precision",
    "mean_field_gap",
    "linear_log_px",
    "linear_elbo",
    "fit_linear_encoder",
    "linear_gap_curve",
    "linear_vae_parameters",
]

#: docs/theory.md §3.7 reference values: D = 5, d = 2, σ² = 0.3, W with orthogonal columns of norms
#: 2
#: and 0.7 (:func:`reference_linear_decoder`); gap at θ = 0, π/8, π/4.
REFERENCE_GAPS: dict[float, float] = {
    0.0: 0.0,
    math.pi / 8: 0.18693385,
    math.pi / 4: 0.32268431,
}


def _linear_decoder_args(W: ArrayLike, sigma2: float) -> tuple[Array, float]:
    """The decoder's (D, d) weight matrix and its noise variance σ² > 0."""
    return as_matrix(W, "W"), check_scalar(sigma2, "sigma2", minimum=0, include_min=False)


def reference_linear_decoder(D: int = 5) -> tuple[Array, Array, float]:
    r"""The linear decoder of docs/theory.md §3.7's reference numbers: :math:`(W, b, \sigma^2)`.

    :math:`W=[2e_1,\ 0.7e_2]` (orthogonal columns of norms 2 and 0.7, so
    :math:`\Lambda=\operatorname{diag}(1+4/0.3,\ 1+0.49/0.3)`), :math:`b=0`, :math:`\sigma^2=0.3`.
    The gap depends on :math:`\Lambda` only, so any :math:`W` with those column norms gives the
    same numbers (:data:`REFERENCE_GAPS`).
    """
    D = check_int(D, "D", minimum=2)
    W = np.zeros((D, 2))
    W[0, 0], W[1, 1] = 2.0, 0.7
    return W, np.zeros(D), 0.3


def linear_posterior_precision(W: ArrayLike, sigma2: float) -> Array:
    r"""Posterior precision :math:`\Lambda=I_d+W^\top W/\sigma^2` of the linear-Gaussian model.

    Model :math:`z\sim\mathcal N(0,I_d)`, :math:`x\mid z\sim\mathcal N(Wz+b,\sigma^2I_D)`; then
    :math:`z\mid x\sim\mathcal N(\Lambda^{-1}W^\top(x-b)/\sigma^2,\ \Lambda^{-1})`.
    """
    W, sigma2 = _linear_decoder_args(W, sigma2)
    return np.eye(W.shape[1]) + W.T @ W / sigma2


def mean_field_gap(Lambda: ArrayLike, R: ArrayLike | None = None) -> float:
    r"""The best diagonal encoder's ELBO deficit for the rotated linear VAE (nats per :math:`x`).

    .. math:: \mathrm{gap}(R)=\tfrac12\Big[\sum_i\log(R\Lambda R^\top)_{ii}-\log\det\Lambda\Big]

    Independent of :math:`x`; zero iff :math:`R\Lambda R^\top` is diagonal
    (Hadamard's inequality is an equality only for diagonal matrices). In :math:`d=2` with
    :math:`\Lambda=\operatorname{diag}(\lambda_1,\lambda_2)` and :math:`R=R(\theta)`:
    :math:`\tfrac12\log\frac{(\lambda_1c^2+\lambda_2s^2)(\lambda_1s^2+\lambda_2c^2)}{\lambda_1\lambda_2}`.

    Parameters
    ----------
    Lambda : array_like of shape (d, d)
        Symmetric positive definite posterior precision (:func:`linear_posterior_precision`).
    R : array_like of shape (d, d), optional
        Orthogonal rotation of the latent space (default identity).
    """
    L = as_matrix(Lambda, "Lambda", square=True)
    if np.max(np.abs(L - L.T)) > 1e-10 * max(1.0, float(np.max(np.abs(L)))):
        raise ValueError("Lambda must be symmetric")
    sign, logdet = np.linalg.slogdet(L)
    if sign <= 0:
        raise ValueError("Lambda must be positive definite")
    if R is not None:
        Rm = check_orthogonal(R, name="R")
        if Rm.shape != L.shape:
            raise ValueError(f"R has shape {Rm.shape} but Lambda has shape {L.shape}")
        L = Rm @ L @ Rm.T
    return float(0.5 * (np.sum(np.log(np.diag(L))) - logdet))


def linear_log_px(x: ArrayLike, W: ArrayLike, b: ArrayLike, sigma2: float) -> Array:
    r"""Exact :math:`\log p(x)` of the linear-Gaussian model.

    .. math:: x\sim\mathcal N(b,\ WW^\top+\sigma^2I)

    Returns
    -------
    ndarray of shape (n,)
    """
    W, sigma2 = _linear_decoder_args(W, sigma2)
    D = W.shape[0]
    xa = as_points(x, D, name="x") - as_array(b, "b", shape=(D,))
    C = W @ W.T + sigma2 * np.eye(D)
    Lc = np.linalg.cholesky(C)
    sol = np.linalg.solve(Lc, xa.T)
    return -0.5 * (np.sum(sol * sol, axis=0) + 2 * np.sum(np.log(np.diag(Lc))) + D * LOG_2PI)


def linear_elbo(
    x: ArrayLike, W: ArrayLike, b: ArrayLike, sigma2: float, mean: ArrayLike, cov: ArrayLike
) -> Array:
    r"""Closed-form ELBO of a Gaussian encoder :math:`q=\mathcal N(m,\Sigma)` for the linear VAE.

    .. math::

        \mathcal L(x)=-\tfrac D2\log(2\pi\sigma^2)
        -\frac{\lVert x-Wm-b\rVert^2+\operatorname{tr}(W\Sigma W^\top)}{2\sigma^2}
        -\tfrac12\big[\operatorname{tr}\Sigma+\lVert m\rVert^2-d-\log\det\Sigma\big].

    Parameters
    ----------
    x : array_like of shape (n, D)
    W, b, sigma2
        The decoder :math:`\mathcal N(Wz+b,\sigma^2I)`.
    mean : array_like of shape (n, d)
    cov : array_like of shape (n, d) or (n, d, d)
        Diagonal variances or full covariance matrices.

    Returns
    -------
    ndarray of shape (n,)
    """
    W, sigma2 = _linear_decoder_args(W, sigma2)
    D, d = W.shape
    xa = as_points(x, D, name="x")
    m = as_array(mean, "mean").reshape(xa.shape[0], d)
    S = as_array(cov, "cov")
    if S.shape == (xa.shape[0], d):
        S = np.einsum("ni,ij->nij", S, np.eye(d))
    if S.shape != (xa.shape[0], d, d):
        raise ValueError(f"cov must have shape (n, {d}) or (n, {d}, {d}); got {np.shape(cov)}")
    r = xa - m @ W.T - as_array(b, "b", shape=(D,))
    tr_wsw = np.einsum("ij,njk,ik->n", W, S, W)
    rec = -0.5 * D * math.log(2 * math.pi * sigma2) - (np.sum(r * r, axis=1) + tr_wsw) / (
        2 * sigma2
    )
    sign, logdet = np.linalg.slogdet(S)
    if np.any(sign <= 0):
        raise ValueError("every covariance must be positive definite")
    kl = 0.5 * (np.trace(S, axis1=1, axis2=2) + np.sum(m * m, axis=1) - d - logdet)
    return rec - kl


def fit_linear_encoder(
    x: ArrayLike,
    W: ArrayLike,
    b: ArrayLike,
    sigma2: float,
    *,
    family: str = "diagonal",
    gtol: float = 1e-11,
) -> dict[str, Array]:
    r""":math:`\max_q\mathcal L(x)` over a per-point Gaussian encoder, by scipy's BFGS.

    Independent of the closed-form answer: the optimizer only sees :func:`linear_elbo` and its
    gradient. Parametrisation per point: mean :math:`m` and, for ``family="diagonal"``,
    log-variances :math:`v` (:math:`\Sigma=\operatorname{diag}e^v`); for ``family="full"`` a
    lower-triangular :math:`L` with log-diagonal (:math:`\Sigma=LL^\top`). Gradients:
    :math:`\partial_m\mathcal L=W^\top(x-Wm-b)/\sigma^2-m`,
    :math:`\partial_L\mathcal L=-(W^\top W/\sigma^2+I)L+L^{-\top}`.

    Returns
    -------
    dict
        ``mean`` (n, d), ``cov`` (n, d, d), ``elbo`` (n,) (recomputed with :func:`linear_elbo`),
        ``elbo_optimizer`` (n,) (the optimizer's own objective), ``converged`` (n,) bool
        (success, or a gradient below 1e-6 when BFGS stops on precision loss).
    """
    check_choice(family, "family", ("diagonal", "full"))
    W, sigma2 = _linear_decoder_args(W, sigma2)
    gtol = check_scalar(gtol, "gtol", minimum=0, include_min=False)
    D, d = W.shape
    xa = as_points(x, D, name="x")
    bb = as_array(b, "b", shape=(D,))
    P = W.T @ W / sigma2 + np.eye(d)
    tril = np.tril_indices(d)
    diag_pos = np.array([k for k, (i, j) in enumerate(zip(*tril, strict=True)) if i == j])
    n = xa.shape[0]
    means, covs = np.empty((n, d)), np.empty((n, d, d))
    elbos, conv = np.empty(n), np.zeros(n, dtype=bool)
    const = -0.5 * D * math.log(2 * math.pi * sigma2) + 0.5 * d
    for k in range(n):
        h = W.T @ (xa[k] - bb) / sigma2
        c0 = float(np.sum((xa[k] - bb) ** 2)) / (2 * sigma2)

        def negelbo(p: Array, h: Array = h, c0: float = c0) -> tuple[float, Array]:
            m = p[:d]
            if family == "diagonal":
                v = p[d:]
                s2 = np.exp(v)
                # −L = c0 − h·m + ½ mᵀPm + ½ Σ P_jj s2_j − ½ Σ v_j − const
                val = c0 - h @ m + 0.5 * m @ P @ m + 0.5 * np.sum(np.diag(P) * s2) - 0.5 * np.sum(v)
                g = np.concatenate([P @ m - h, 0.5 * np.diag(P) * s2 - 0.5])
                return float(val - const), g
            L = np.zeros((d, d))
            L[tril] = p[d:]
            ld = L[np.diag_indices(d)].copy()
            L[np.diag_indices(d)] = np.exp(ld)
            val = c0 - h @ m + 0.5 * m @ P @ m + 0.5 * np.sum(L * (P @ L)) - np.sum(ld)
            GL = P @ L - np.linalg.inv(L).T
            gl = GL[tril]
            gl[diag_pos] = gl[diag_pos] * np.exp(ld) - 0.0
            return float(val - const), np.concatenate([P @ m - h, gl])

        p0 = np.zeros(d + (d if family == "diagonal" else len(tril[0])))
        res = optimize.minimize(
            negelbo, p0, jac=True, method="BFGS", options={"gtol": gtol, "maxiter": 10_000}
        )
        p = res.x
        means[k] = p[:d]
        if family == "diagonal":
            covs[k] = np.diag(np.exp(p[d:]))
        else:
            L = np.zeros((d, d))
            L[tril] = p[d:]
            L[np.diag_indices(d)] = np.exp(L[np.diag_indices(d)])
            covs[k] = L @ L.T
        elbos[k] = -res.fun
        # BFGS stops on "precision loss" once the gradient is ~1e-8 (the objective is ~10–100 and
        # rounds at ~1e-14); the value is then accurate to ~g²/curvature ≪ 1e-12
        conv[k] = bool(res.success) or float(np.max(np.abs(res.jac))) < 1e-6
    # report the ELBO through the independent closed form (a check on negelbo's algebra)
    elbo_cf = linear_elbo(xa, W, bb, sigma2, means, covs)
    return {"mean": means, "cov": covs, "elbo": elbo_cf, "elbo_optimizer": elbos, "converged": conv}


def linear_gap_curve(
    W: ArrayLike,
    b: ArrayLike,
    sigma2: float,
    thetas: ArrayLike,
    x: ArrayLike,
    *,
    plane: tuple[int, int] = (0, 1),
) -> dict[str, Array]:
    r""":math:`\theta\mapsto\log p(x)-\max_q\mathcal L_\theta(x)` of the rotated linear VAE, 3 ways.

    For each :math:`\theta`, the decoder :math:`W\mapsto WR(\theta)^\top` (the latent space rotated
    by :math:`R(\theta)`, :func:`~impossibility.biases.plane_rotation`); gaps averaged over the
    rows of ``x``:

    ``formula``  :func:`mean_field_gap` with :math:`\Lambda` of the unrotated model;
    ``diagonal`` BFGS-optimal diagonal encoder (:func:`fit_linear_encoder`), exact
    :math:`\log p(x)`;
    ``full``     BFGS-optimal full-covariance encoder — 0 for every θ (the family is closed under
    rotation).

    Returns
    -------
    dict
        ``theta`` (T,), ``formula``, ``diagonal``, ``full`` (T,) in nats per point, ``log_px`` (n,),
        ``elbo_diagonal`` and ``elbo_full`` (T,) mean best ELBOs.
    """
    W, sigma2 = _linear_decoder_args(W, sigma2)
    D, d = W.shape
    xa = as_points(x, D, name="x")
    th = np.atleast_1d(as_array(thetas, "thetas"))
    lpx = linear_log_px(xa, W, b, sigma2)
    Lam = linear_posterior_precision(W, sigma2)
    out = {
        k: np.empty(th.size) for k in ("formula", "diagonal", "full", "elbo_diagonal", "elbo_full")
    }
    for t, theta in enumerate(th):
        R = plane_rotation(float(theta), d, plane)
        Wr = W @ R.T
        out["formula"][t] = mean_field_gap(Lam, R)
        ed = fit_linear_encoder(xa, Wr, b, sigma2, family="diagonal")["elbo"]
        ef = fit_linear_encoder(xa, Wr, b, sigma2, family="full")["elbo"]
        out["diagonal"][t] = float(np.mean(lpx - ed))
        out["full"][t] = float(np.mean(lpx - ef))
        out["elbo_diagonal"][t] = float(np.mean(ed))
        out["elbo_full"][t] = float(np.mean(ef))
    out["theta"] = th
    out["log_px"] = lpx
    return out


def linear_vae_parameters(vae: VAELike) -> tuple[Array, Array, float]:
    r""":math:`(W, b, \sigma^2)` of a trained :class:`~impossibility.vae.VAE` with linear decoder.

    Requires ``hidden=()`` (decoder a single :class:`~impossibility.nn.Linear`), the Gaussian
    likelihood with a fixed ``obs_std`` (:math:`\sigma^2=` ``obs_std``²) and the
    :math:`\mathcal N(0,I)` prior. ``nn.Linear`` computes :math:`zW_{nn}+b`, so
    :math:`W=W_{nn}^\top`.
    """
    check_vae(vae)
    dec = vae.decoder
    if len(dec) != 1 or not isinstance(dec[0], nn.Linear):
        raise ValueError(
            "the VAE's decoder must be a single Linear layer (build it with hidden=())"
        )
    if vae.likelihood != "gaussian" or vae.obs_std is None:
        raise ValueError("need a Gaussian decoder with a fixed obs_std (isotropic σ² I)")
    if not vae.prior_is_standard_normal:
        raise ValueError("the closed form needs the N(0, I) prior")
    W_nn, b = dec[0].W, dec[0].b
    return W_nn.T.copy(), b.copy(), float(vae.obs_std) ** 2
