r"""Any trained VAE: the best per-point Gaussian encoder for its decoder rotated by :math:`R`.

.. math:: \hat{\mathcal L}(x_n)=\frac1S\sum_{s=1}^S
          \log p_\theta\big(x_n\mid R^\top(m_n+L_n\epsilon_s)\big)
          -\mathrm{KL}\big(\mathcal N(m_n,L_nL_n^\top)\,\|\,\mathcal N(0,I)\big)

Rotating the latent space of a VAE with the :math:`\mathcal N(0,I)` prior means using the decoder
:math:`p_\theta(x\mid R^\top z')`; the prior is unchanged. For an encoder family closed under
rotation (full covariance, or the pushforward :math:`R_\#q_\phi`) the best ELBO does not depend on
:math:`R`; for the diagonal family of the study's VAEs it peaks at the axes the model found.
:func:`elbo_rotation_curve` traces :math:`\theta\mapsto` best ELBO with both families.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize

from impossibility import nn
from impossibility._typing import Array
from impossibility._validation import (
    as_array,
    check_choice,
    check_int,
    check_orthogonal,
    check_rng,
    check_scalar,
)

from ._vae_contract import VAELike, check_vae
from .diagonal import plane_rotation

__all__ = ["moment_matched_normal", "refit_encoder", "elbo_rotation_curve"]

_FAMILIES = ("diagonal", "full")


def moment_matched_normal(n_samples: int, d: int, rng: np.random.Generator) -> Array:
    r"""Standard-normal draws whitened to sample mean 0 and sample covariance :math:`I_d`.

    .. math:: \epsilon_s=L^{-1}(e_s-\bar e),\qquad
              LL^\top=\frac1S\sum_s(e_s-\bar e)(e_s-\bar e)^\top .

    Then
    :math:`\frac1S\sum_s h(m+L\epsilon_s)` is exact for every polynomial :math:`h` of degree ≤ 2 (in
    particular the reconstruction term of a linear-Gaussian decoder), and :math:`\{R\epsilon_s\}`
    has the same two moments for every rotation :math:`R`.
    """
    check_rng(rng)
    d = check_int(d, "d", minimum=1)
    n_samples = check_int(n_samples, "n_samples", minimum=d + 1)  # S > d to whiten
    e = rng.standard_normal((n_samples, d))
    e -= e.mean(axis=0)
    C = e.T @ e / n_samples
    return np.linalg.solve(np.linalg.cholesky(C), e.T).T


def _check_standard_normal_vae(vae: VAELike) -> VAELike:
    check_vae(vae)
    if not vae.prior_is_standard_normal:
        raise ValueError(
            "rotations preserve the prior only for N(0, I); this VAE has prior "
            f"{vae.prior!r} (use Theorem 1's nonlinear f and the pushforward encoder instead)"
        )
    return vae


def refit_encoder(
    vae: VAELike,
    x: ArrayLike,
    R: ArrayLike,
    *,
    family: str = "diagonal",
    eps: ArrayLike,
    maxiter: int = 500,
    tol: float = 1e-7,
    threads: int | None = 1,
) -> dict[str, Array]:
    r"""Best Gaussian encoder per point, :math:`\max\hat{\mathcal L}(x_n)`, for a rotated decoder.

    The decoder is :math:`p_\theta(x\mid R^\top z')`.

    :math:`\mathrm{KL}=\tfrac12[\lVert L\rVert_F^2+\lVert m\rVert^2-d-2\log|\det L|]`, with common
    noise :math:`\epsilon_s` (``eps``, the same for every θ so curves are comparable), over

    * ``family="diagonal"``: :math:`L=\operatorname{diag}e^{v/2}` — the family of the study's VAEs;
    * ``family="full"``: any invertible :math:`L` (full covariance), closed under rotation:
      :math:`(m,L)\mapsto(Rm,RL)` maps the θ = 0 problem onto the rotated one exactly.

    Starts from the pushforward of the trained encoder, :math:`m=R\mu(x)`,
    :math:`L=R\operatorname{diag}\sigma(x)` (diagonal:
    :math:`v=\log\operatorname{diag}(R\operatorname{diag}\sigma^2R^\top)`), and runs L-BFGS on the
    sum over points (the problems are independent, so the joint optimum is the per-point one).
    Gradients: with :math:`g_s=\nabla_y\log p(x\mid y)` at :math:`y=R^\top z'_s`,
    :math:`\partial_m=\frac1S\sum_sRg_s-m`,
    :math:`\partial_L=\frac1S\sum_s(Rg_s)\epsilon_s^\top-L+L^{-\top}`.

    Parameters
    ----------
    vae : impossibility.vae.VAE
        Trained, with the :math:`\mathcal N(0,I)` prior.
    x : array_like of shape (n, *x_dim)
    R : array_like of shape (d, d)
        Orthogonal.
    family : {"diagonal", "full"}
    eps : array_like of shape (S, d)
        Standard-normal noise shared by all points.
    maxiter : int, default=500
        L-BFGS iterations; 0 only evaluates the pushforward start.
    tol : float, default=1e-7
        L-BFGS ``gtol`` (``ftol`` = tol·1e-3).
    threads : int or None, default=1
        BLAS threads (:func:`impossibility.nn.blas_threads`); these small products run faster on
        one thread, and many times faster when the cores are shared.

    Returns
    -------
    dict
        ``elbo`` (n,) best fixed-sample ELBO, ``elbo_init`` (n,) at the pushforward start,
        ``mean`` (n, d), ``cov`` (n, d, d), ``n_iter``.
    """
    _check_standard_normal_vae(vae)
    check_choice(family, "family", _FAMILIES)
    d = vae.latent_dim
    Rm = check_orthogonal(R, name="R")
    if Rm.shape != (d, d):
        raise ValueError(f"R must have shape ({d}, {d}); got {Rm.shape}")
    E = as_array(eps, "eps", shape=(None, d))
    maxiter = check_int(maxiter, "maxiter", minimum=0)
    tol = check_scalar(tol, "tol", minimum=0, include_min=False)
    xa = as_array(x, "x")
    if xa.size % vae.x_size:
        raise ValueError(f"x must hold rows of {vae.x_size} values; got shape {xa.shape}")
    xa = xa.reshape(-1, vae.x_size)
    n, S = xa.shape[0], E.shape[0]
    mu, lv = vae.encode(xa)
    m0 = mu @ Rm.T
    if family == "diagonal":
        C0 = np.einsum("ij,nj,kj->nik", Rm, np.exp(lv), Rm)
        p0 = np.concatenate([m0, np.log(np.diagonal(C0, axis1=1, axis2=2))], axis=1)
    else:
        L0 = Rm[None] * np.exp(0.5 * lv)[:, None, :]  # R diag(σ)
        p0 = np.concatenate([m0, L0.reshape(n, d * d)], axis=1)
    width = p0.shape[1]
    xrep = np.repeat(xa, S, axis=0)

    def unpack(p: Array) -> tuple[Array, Array]:
        P = p.reshape(n, width)
        m = P[:, :d]
        if family == "diagonal":
            L = np.einsum("nj,jk->njk", np.exp(0.5 * P[:, d:]), np.eye(d))
        else:
            L = P[:, d:].reshape(n, d, d)
        return m, L

    def per_point(p: Array, grad: bool) -> tuple[Array, Array | None]:
        m, L = unpack(p)
        z = m[:, None, :] + np.einsum("nij,sj->nsi", L, E)  # (n, S, d) rotated-space codes
        y = z.reshape(n * S, d) @ Rm  # Rᵀ z' row-wise
        out, cache = vae.decoder_forward(y)
        ll, gout, _ = vae.observation_log_likelihood(out, xrep)
        sign, logdet = np.linalg.slogdet(L)
        if np.any(sign == 0):
            return np.full(n, -np.inf), None
        kl = 0.5 * (np.sum(L * L, axis=(1, 2)) + np.sum(m * m, axis=1) - d - 2 * logdet)
        val = ll.reshape(n, S).mean(axis=1) - kl
        if not grad:
            return val, None
        gy = vae.decoder.input_gradient(cache, gout)
        gz = (gy @ Rm.T).reshape(n, S, d) / S  # ∂/∂z' of the sample mean
        gm = gz.sum(axis=1) - m
        gL = np.einsum("nsi,sj->nij", gz, E) - L + np.linalg.inv(L).transpose(0, 2, 1)
        if family == "diagonal":
            sd = np.exp(0.5 * p.reshape(n, width)[:, d:])
            gv = 0.5 * np.diagonal(gL, axis1=1, axis2=2) * sd
            return val, np.concatenate([gm, gv], axis=1)
        return val, np.concatenate([gm, gL.reshape(n, d * d)], axis=1)

    def fun(p: Array) -> tuple[float, Array]:
        val, g = per_point(p, True)
        if g is None or not np.all(np.isfinite(val)):
            return np.inf, np.zeros_like(p)
        return float(-val.sum()), -g.reshape(-1)

    with nn.blas_threads(threads):
        init_val, _ = per_point(p0.reshape(-1), False)
        if maxiter == 0:  # only evaluate the pushforward start
            popt, nit = p0.reshape(-1), 0
        else:
            res = optimize.minimize(
                fun,
                p0.reshape(-1),
                jac=True,
                method="L-BFGS-B",
                options={"maxiter": maxiter, "ftol": tol * 1e-3, "gtol": tol, "maxcor": 10},
            )
            popt, nit = res.x, int(res.nit)
        val, _ = per_point(popt, False)
    m, L = unpack(popt)
    return {
        "elbo": val,
        "elbo_init": init_val,
        "mean": m,
        "cov": L @ L.transpose(0, 2, 1),
        "n_iter": nit,
    }


def elbo_rotation_curve(
    vae: VAELike,
    x: ArrayLike,
    thetas: Sequence[float] | ArrayLike,
    *,
    rng: np.random.Generator,
    n_samples: int = 16,
    plane: tuple[int, int] = (0, 1),
    families: Sequence[str] = _FAMILIES,
    maxiter: int = 500,
) -> dict[str, Array]:
    r""":math:`\theta\mapsto` mean best ELBO of the VAE, latent space rotated by :math:`R(\theta)`.

    For each θ and each encoder family, :func:`refit_encoder` with the same moment-matched noise
    (:func:`moment_matched_normal`) for every θ: its sample mean is 0 and its sample covariance
    :math:`I`, so that the fixed-sample ELBO of a *linear* decoder equals the exact ELBO and the
    noise itself singles out no direction of the latent space (i.i.d. noise would: with
    :math:`S=16` samples its sample covariance is far from :math:`I`). Also the ELBO of the
    pushforward encoder :math:`R(\theta)_\#q_\phi` — the trained encoder, rotated — which is the
    θ = 0 value for every θ by the change of variables (docs/theory.md §3.4), computed here with the
    same fixed samples: the ``"pushforward"`` curve is flat to rounding.

    Returns
    -------
    dict
        ``theta`` (T,); for each family ``elbo_<family>`` (T,) mean over points and
        ``elbo_<family>_points`` (T, n); ``elbo_pushforward`` (T,).
    """
    check_rng(rng)
    _check_standard_normal_vae(vae)
    for i, fam in enumerate(families):
        check_choice(fam, f"families[{i}]", _FAMILIES)
    d = vae.latent_dim
    E = moment_matched_normal(n_samples, d, rng)
    th = np.atleast_1d(as_array(thetas, "thetas"))
    out: dict[str, Array] = {"theta": th, "elbo_pushforward": np.empty(th.size)}
    for fam in families:
        out[f"elbo_{fam}"] = np.empty(th.size)
        out[f"elbo_{fam}_points"] = np.empty((th.size, np.asarray(x).shape[0]))
    for t, theta in enumerate(th):
        R = plane_rotation(float(theta), d, plane)
        for fam in families:
            res = refit_encoder(vae, x, R, family=fam, eps=E, maxiter=maxiter)
            out[f"elbo_{fam}"][t] = float(np.mean(res["elbo"]))
            out[f"elbo_{fam}_points"][t] = res["elbo"]
            if fam == "full":
                out["elbo_pushforward"][t] = float(np.mean(res["elbo_init"]))
        if "full" not in families:
            res = refit_encoder(vae, x, R, family="full", eps=E, maxiter=0)
            out["elbo_pushforward"][t] = float(np.mean(res["elbo_init"]))
    return out
