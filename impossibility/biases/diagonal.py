r"""The diagonal posterior: a restricted encoder family that breaks the rotation symmetry.

With the isotropic prior :math:`p=\mathcal N(0,I_d)` Theorem 1's map is a plain rotation
:math:`z'=Rz` (theory.md §3.5). Rotating the latent space of a VAE means using the decoder
:math:`p(x\mid R^\top z')`; the prior is unchanged. Whether the rotated model is as good depends
on the encoder family the ELBO is maximised over:

* **closed under rotation** (full-covariance Gaussians, or the pushforward encoder
  :math:`R_\#q`): for every encoder of the original model the rotated model has one with the same
  ELBO (:math:`z'=Rz` maps one onto the other, the KL is rotation invariant), so
  :math:`\max_q\mathcal L_\theta(x)` does not depend on :math:`\theta` — a flat curve;
* **diagonal Gaussians** (every VAE of the 2019 study): :math:`R_\#\mathcal N(\mu,D)=\mathcal N(R\mu,RDR^\top)`
  is diagonal only in special cases (:func:`stays_diagonal`), so the best *diagonal* encoder of the
  rotated model is generally worse, and :math:`\theta\mapsto\max_{q\ \mathrm{diag}}\mathcal L_\theta(x)`
  peaks at the axes the model found (and at their signed permutations).

**Exact condition** (theory.md §3.7). For :math:`D=\operatorname{diag}(s_1^2,\dots,s_d^2)` and
:math:`R` orthogonal, :math:`RDR^\top` is diagonal iff :math:`RD=D'R` for a diagonal :math:`D'` iff

.. math:: R_{ik}\neq0\ \Rightarrow\ s_k^2=s_i'^2 := \textstyle\sum_l R_{il}^2 s_l^2 ,

i.e. each row of :math:`R` may only mix coordinates that share the same posterior variance. For a
completely entangling :math:`R` (no zero entry) this forces :math:`s_1^2(x)=\dots=s_d^2(x)`: an
isotropic posterior at every :math:`x`.

**Linear VAE in closed form.** Decoder :math:`\mathcal N(Wz+b,\sigma^2I_D)`, prior
:math:`\mathcal N(0,I_d)`. The exact posterior is Gaussian with precision
:math:`\Lambda=I+W^\top W/\sigma^2` (the same for every :math:`x`) and mean
:math:`\Lambda^{-1}W^\top(x-b)/\sigma^2`. The best diagonal Gaussian has that mean and variances
:math:`1/\Lambda_{ii}`, and its ELBO falls short of :math:`\log p(x)` by

.. math:: \mathrm{gap}=\tfrac12\Big[\sum_i\log\Lambda_{ii}-\log\det\Lambda\Big]\ \ge0
          \quad\text{(Hadamard's inequality).}

Rotating (:math:`W\mapsto WR^\top`) maps :math:`\Lambda\mapsto R\Lambda R^\top`, hence
:math:`\mathrm{gap}(R)=\tfrac12[\sum_i\log(R\Lambda R^\top)_{ii}-\log\det\Lambda]`
(:func:`mean_field_gap`); for full-covariance encoders the gap is 0 for every :math:`R`.

Functions
---------
:func:`stays_diagonal`, :func:`rotated_offdiagonal`
    The exact condition and the direct check.
:func:`plane_rotation`
    :math:`R(\theta)` in the plane of two coordinates (any :math:`d`).
:func:`linear_posterior_precision`, :func:`mean_field_gap`, :func:`linear_log_px`,
:func:`linear_elbo`, :func:`fit_linear_encoder`, :func:`linear_gap_curve`
    The linear VAE: exact :math:`\log p(x)`, closed-form ELBO of any Gaussian encoder, BFGS fit of
    the best diagonal / full-covariance encoder, and the gap as a function of :math:`\theta`.
:func:`linear_vae_parameters`
    :math:`(W, b, \sigma^2)` of a trained :class:`~impossibility.vae.VAE` with linear decoder.
:func:`refit_encoder`, :func:`elbo_rotation_curve`
    For any trained :class:`~impossibility.vae.VAE` (standard-normal prior): re-fit a per-point
    encoder (diagonal or full covariance) for the rotated decoder :math:`p(x\mid R(\theta)^\top z')`
    by L-BFGS on a fixed-sample ELBO, and the curve :math:`\theta\mapsto` best ELBO.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize

from impossibility import nn

__all__ = [
    "stays_diagonal",
    "rotated_offdiagonal",
    "plane_rotation",
    "linear_posterior_precision",
    "mean_field_gap",
    "linear_log_px",
    "linear_elbo",
    "fit_linear_encoder",
    "linear_gap_curve",
    "linear_vae_parameters",
    "refit_encoder",
    "elbo_rotation_curve",
    "REFERENCE_GAPS",
    "moment_matched_normal",
    "reference_linear_decoder",
]

Array = NDArray[np.float64]
LOG_2PI = float(np.log(2.0 * np.pi))

#: theory.md §3.7 reference values: D = 5, d = 2, σ² = 0.3, W with orthogonal columns of norms 2
#: and 0.7 (:func:`reference_linear_decoder`); gap at θ = 0, π/8, π/4.
REFERENCE_GAPS: dict[float, float] = {
    0.0: 0.0,
    math.pi / 8: 0.18693385,
    math.pi / 4: 0.32268431,
}


# ------------------------------------------------------------------------------- validation
def _as_matrix(R: ArrayLike, name: str = "R") -> Array:
    arr = np.asarray(R, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square (d, d) matrix; got shape {np.shape(R)}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    return arr


def _check_orthogonal(R: Array, atol: float = 1e-10) -> Array:
    err = float(np.max(np.abs(R @ R.T - np.eye(R.shape[0]))))
    if err > atol:
        raise ValueError(f"R must be orthogonal; max |R Rᵀ − I| = {err:.3g} > {atol:g}")
    return R


def _as_variances(variances: ArrayLike, d: int) -> Array:
    s2 = np.asarray(variances, dtype=np.float64)
    if s2.shape != (d,):
        raise ValueError(f"variances must have shape ({d},); got {np.shape(variances)}")
    if not np.all(np.isfinite(s2)) or np.any(s2 <= 0):
        raise ValueError(f"variances must be positive and finite; got {s2.tolist()}")
    return s2


# ---------------------------------------------------------------------- the exact condition
def rotated_offdiagonal(R: ArrayLike, variances: ArrayLike) -> float:
    r"""Largest off-diagonal entry of :math:`R\,\operatorname{diag}(s^2)R^\top`, in absolute value.

    The covariance of the pushforward :math:`R_\#\mathcal N(\mu,\operatorname{diag}s^2)`; zero iff the
    rotated posterior is still diagonal (the direct check of :func:`stays_diagonal`).

    Parameters
    ----------
    R : array_like of shape (d, d)
        Orthogonal.
    variances : array_like of shape (d,)
        :math:`s^2 > 0`.
    """
    R = _check_orthogonal(_as_matrix(R))
    s2 = _as_variances(variances, R.shape[0])
    C = (R * s2[None, :]) @ R.T
    off = C - np.diag(np.diag(C))
    return float(np.max(np.abs(off))) if R.shape[0] > 1 else 0.0


def stays_diagonal(
    R: ArrayLike, variances: ArrayLike, *, zero_tol: float = 1e-12, rtol: float = 1e-10
) -> bool:
    r"""Whether :math:`R_\#\mathcal N(\mu,\operatorname{diag}s^2)` is again a diagonal Gaussian, by the exact condition.

    .. math:: R\,\operatorname{diag}(s^2)R^\top\ \text{diagonal}
              \iff \forall i,k:\ R_{ik}\ne0\Rightarrow s_k^2=s_i'^2,\qquad
              s_i'^2=\sum_l R_{il}^2s_l^2 .

    Proof sketch: :math:`C=RDR^\top` is diagonal (:math:`=D'`) iff :math:`RD=D'R` (multiply by
    :math:`R` on the right), whose :math:`(i,k)` entry reads :math:`R_{ik}s_k^2=s_i'^2R_{ik}`. Each
    row of :math:`R` may therefore only combine coordinates of equal posterior variance; a completely
    entangling :math:`R` (all :math:`R_{ik}\ne0`) needs :math:`s^2` isotropic.

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
    R = _check_orthogonal(_as_matrix(R))
    s2 = _as_variances(variances, R.shape[0])
    s2_new = (R * R) @ s2
    mixes = np.abs(R) > zero_tol
    equal = np.abs(s2[None, :] - s2_new[:, None]) <= rtol * np.maximum(s2[None, :], s2_new[:, None])
    return bool(np.all(equal | ~mixes))


def plane_rotation(theta: float, d: int = 2, plane: tuple[int, int] = (0, 1)) -> Array:
    r"""The rotation by :math:`\theta` in the plane of coordinates ``plane`` (identity elsewhere).

    For ``d = 2``: :math:`\begin{pmatrix}\cos\theta&-\sin\theta\\\sin\theta&\cos\theta\end{pmatrix}`.
    """
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 2:
        raise ValueError(f"d must be an integer >= 2; got {d!r}")
    i, j = (int(p) for p in plane)
    if not (0 <= i < d and 0 <= j < d and i != j):
        raise ValueError(f"plane must be two distinct coordinates in [0, {d}); got {plane!r}")
    if not np.isfinite(theta):
        raise ValueError(f"theta must be finite; got {theta!r}")
    R = np.eye(d)
    c, s = math.cos(theta), math.sin(theta)
    R[i, i], R[i, j], R[j, i], R[j, j] = c, -s, s, c
    return R


# ------------------------------------------------------------------------------ linear VAE
def _check_linear(W: ArrayLike, sigma2: float) -> tuple[Array, float]:
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or not np.all(np.isfinite(W)):
        raise ValueError(f"W must be a finite (D, d) matrix; got shape {np.shape(W)}")
    if not (np.isfinite(sigma2) and sigma2 > 0):
        raise ValueError(f"sigma2 must be positive and finite; got {sigma2!r}")
    return W, float(sigma2)


def _check_x(x: ArrayLike, D: int) -> Array:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None]
    if arr.ndim != 2 or arr.shape[1] != D:
        raise ValueError(f"x must have shape (n, {D}); got {np.shape(x)}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("x contains NaN or infinite values")
    return arr


def reference_linear_decoder(D: int = 5) -> tuple[Array, Array, float]:
    r"""The linear decoder of theory.md §3.7's reference numbers: :math:`(W, b, \sigma^2)`.

    :math:`W=[2e_1,\ 0.7e_2]` (orthogonal columns of norms 2 and 0.7, so
    :math:`\Lambda=\operatorname{diag}(1+4/0.3,\ 1+0.49/0.3)`), :math:`b=0`, :math:`\sigma^2=0.3`.
    The gap depends on :math:`\Lambda` only, so any :math:`W` with those column norms gives the
    same numbers (:data:`REFERENCE_GAPS`).
    """
    if isinstance(D, bool) or not isinstance(D, (int, np.integer)) or D < 2:
        raise ValueError(f"D must be an integer >= 2; got {D!r}")
    W = np.zeros((int(D), 2))
    W[0, 0], W[1, 1] = 2.0, 0.7
    return W, np.zeros(int(D)), 0.3


def linear_posterior_precision(W: ArrayLike, sigma2: float) -> Array:
    r"""Posterior precision :math:`\Lambda=I_d+W^\top W/\sigma^2` of the linear-Gaussian model.

    Model :math:`z\sim\mathcal N(0,I_d)`, :math:`x\mid z\sim\mathcal N(Wz+b,\sigma^2I_D)`; then
    :math:`z\mid x\sim\mathcal N(\Lambda^{-1}W^\top(x-b)/\sigma^2,\ \Lambda^{-1})`.
    """
    W, sigma2 = _check_linear(W, sigma2)
    return np.eye(W.shape[1]) + W.T @ W / sigma2


def mean_field_gap(Lambda: ArrayLike, R: ArrayLike | None = None) -> float:
    r"""ELBO deficit of the best diagonal Gaussian for the rotated linear VAE (nats per :math:`x`).

    .. math:: \mathrm{gap}(R)=\log p(x)-\max_{q\ \mathrm{diag}}\mathcal L(x)
              =\tfrac12\Big[\sum_i\log(R\Lambda R^\top)_{ii}-\log\det\Lambda\Big]\ \ge0,

    independent of :math:`x`. Zero iff :math:`R\Lambda R^\top` is diagonal (Hadamard's inequality is
    an equality only for diagonal matrices). In :math:`d=2` with
    :math:`\Lambda=\operatorname{diag}(\lambda_1,\lambda_2)` and :math:`R=R(\theta)`:
    :math:`\tfrac12\log\frac{(\lambda_1c^2+\lambda_2s^2)(\lambda_1s^2+\lambda_2c^2)}{\lambda_1\lambda_2}`.

    Parameters
    ----------
    Lambda : array_like of shape (d, d)
        Symmetric positive definite posterior precision (:func:`linear_posterior_precision`).
    R : array_like of shape (d, d), optional
        Orthogonal rotation of the latent space (default identity).
    """
    L = _as_matrix(Lambda, "Lambda")
    if np.max(np.abs(L - L.T)) > 1e-10 * max(1.0, float(np.max(np.abs(L)))):
        raise ValueError("Lambda must be symmetric")
    sign, logdet = np.linalg.slogdet(L)
    if sign <= 0:
        raise ValueError("Lambda must be positive definite")
    if R is not None:
        Rm = _check_orthogonal(_as_matrix(R))
        if Rm.shape != L.shape:
            raise ValueError(f"R has shape {Rm.shape} but Lambda has shape {L.shape}")
        L = Rm @ L @ Rm.T
    return float(0.5 * (np.sum(np.log(np.diag(L))) - logdet))


def linear_log_px(x: ArrayLike, W: ArrayLike, b: ArrayLike, sigma2: float) -> Array:
    r"""Exact :math:`\log p(x)` of the linear-Gaussian model: :math:`x\sim\mathcal N(b,WW^\top+\sigma^2I)`.

    Returns
    -------
    ndarray of shape (n,)
    """
    W, sigma2 = _check_linear(W, sigma2)
    D = W.shape[0]
    xa = _check_x(x, D) - np.asarray(b, dtype=np.float64)
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
    W, sigma2 = _check_linear(W, sigma2)
    D, d = W.shape
    xa = _check_x(x, D)
    m = np.asarray(mean, dtype=np.float64).reshape(xa.shape[0], d)
    S = np.asarray(cov, dtype=np.float64)
    if S.shape == (xa.shape[0], d):
        S = np.einsum("ni,ij->nij", S, np.eye(d))
    if S.shape != (xa.shape[0], d, d):
        raise ValueError(f"cov must have shape (n, {d}) or (n, {d}, {d}); got {np.shape(cov)}")
    r = xa - m @ W.T - np.asarray(b, dtype=np.float64)
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
    r"""Maximise the closed-form ELBO over a per-point Gaussian encoder with scipy's BFGS.

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
    if family not in ("diagonal", "full"):
        raise ValueError(f"family must be 'diagonal' or 'full'; got {family!r}")
    W, sigma2 = _check_linear(W, sigma2)
    D, d = W.shape
    xa = _check_x(x, D)
    bb = np.asarray(b, dtype=np.float64)
    P = W.T @ W / sigma2 + np.eye(d)
    tril = np.tril_indices(d)
    diag_pos = np.array([k for k, (i, j) in enumerate(zip(*tril)) if i == j])
    n = xa.shape[0]
    means, covs = np.empty((n, d)), np.empty((n, d, d))
    elbos, conv = np.empty(n), np.zeros(n, dtype=bool)
    const = -0.5 * D * math.log(2 * math.pi * sigma2) + 0.5 * d
    for k in range(n):
        h = W.T @ (xa[k] - bb) / sigma2
        c0 = float(np.sum((xa[k] - bb) ** 2)) / (2 * sigma2)

        def negelbo(p: Array) -> tuple[float, Array]:
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
    r"""Gap :math:`\log p(x)-\max_q\mathcal L_\theta(x)` of the rotated linear VAE, three ways.

    For each :math:`\theta`, the decoder :math:`W\mapsto WR(\theta)^\top` (the latent space rotated by
    :math:`R(\theta)`); gaps averaged over the rows of ``x``:

    ``formula``  :func:`mean_field_gap` with :math:`\Lambda` of the unrotated model;
    ``diagonal`` BFGS-optimal diagonal encoder (:func:`fit_linear_encoder`), :math:`\log p(x)` exact;
    ``full``     BFGS-optimal full-covariance encoder — 0 for every θ (the family is closed under
    rotation).

    Returns
    -------
    dict
        ``theta`` (T,), ``formula``, ``diagonal``, ``full`` (T,) in nats per point, ``log_px`` (n,),
        ``elbo_diagonal`` and ``elbo_full`` (T,) mean best ELBOs.
    """
    W, sigma2 = _check_linear(W, sigma2)
    D, d = W.shape
    xa = _check_x(x, D)
    th = np.atleast_1d(np.asarray(thetas, dtype=np.float64))
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


def linear_vae_parameters(vae: Any) -> tuple[Array, Array, float]:
    r""":math:`(W, b, \sigma^2)` of a trained :class:`~impossibility.vae.VAE` whose decoder is linear.

    Requires ``hidden=()`` (decoder a single :class:`~impossibility.nn.Linear`), the Gaussian
    likelihood with a fixed ``obs_std`` (:math:`\sigma^2=` ``obs_std``²) and the
    :math:`\mathcal N(0,I)` prior. ``nn.Linear`` computes :math:`zW_{nn}+b`, so :math:`W=W_{nn}^\top`.
    """
    dec = getattr(vae, "decoder", None)
    if dec is None or len(dec) != 1 or not isinstance(dec[0], nn.Linear):
        raise ValueError(
            "the VAE's decoder must be a single Linear layer (build it with hidden=())"
        )
    if getattr(vae, "likelihood", None) != "gaussian" or getattr(vae, "obs_std", None) is None:
        raise ValueError("need a Gaussian decoder with a fixed obs_std (isotropic σ² I)")
    if not vae.prior_is_standard_normal:
        raise ValueError("the closed form needs the N(0, I) prior")
    return dec[0].W.T.copy(), dec[0].b.copy(), float(vae.obs_std) ** 2


# -------------------------------------------------------------- any VAE: re-fit the encoder
def moment_matched_normal(n_samples: int, d: int, rng: np.random.Generator) -> Array:
    r"""Standard-normal draws :math:`\epsilon_{1..S}` shifted and whitened to sample mean 0 and sample covariance :math:`I_d`.

    :math:`\epsilon_s=L^{-1}(e_s-\bar e)` with :math:`LL^\top=\frac1S\sum_s(e_s-\bar e)(e_s-\bar e)^\top`.
    Then :math:`\frac1S\sum_s h(m+L\epsilon_s)` is exact for every polynomial :math:`h` of degree
    ≤ 2 (in particular the reconstruction term of a linear-Gaussian decoder), and
    :math:`\{R\epsilon_s\}` has the same two moments for every rotation :math:`R`.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    if (
        isinstance(n_samples, bool)
        or not isinstance(n_samples, (int, np.integer))
        or n_samples <= d
    ):
        raise ValueError(f"n_samples must be an integer > d = {d} to whiten; got {n_samples!r}")
    e = rng.standard_normal((int(n_samples), int(d)))
    e -= e.mean(axis=0)
    C = e.T @ e / n_samples
    return np.linalg.solve(np.linalg.cholesky(C), e.T).T


def _loglik_and_grad(vae: Any, out: Array, x: Array) -> tuple[Array, Array]:
    """log p(x | decoder output) and its gradient with respect to the output."""
    if vae.likelihood == "bernoulli":
        return nn.bernoulli_log_likelihood(out, x)
    if vae.obs_logvar is not None:
        logvar: Any = vae.obs_logvar
    else:
        logvar = 2.0 * math.log(vae.obs_std) if vae.obs_std is not None else 0.0
    ll, gm, _ = nn.gaussian_log_likelihood(out, logvar, x)
    return ll, gm


def _input_grad(net: Any, caches: Any, dy: Array) -> Array:
    """∂L/∂(input) of an :class:`~impossibility.nn.Sequential` without forming the weight gradients."""
    for layer, cache in zip(reversed(net.layers), reversed(caches)):
        if isinstance(layer, nn.Linear):
            dy = dy @ layer.W.T
        else:
            dy, _ = layer.backward(cache, dy)
    return dy


def _check_vae(vae: Any) -> None:
    for attr in ("decoder", "encode", "latent_dim", "likelihood", "x_size"):
        if not hasattr(vae, attr):
            raise TypeError(f"vae must be an impossibility.vae.VAE; got {type(vae).__name__}")
    if not vae.prior_is_standard_normal:
        raise ValueError(
            "rotations preserve the prior only for N(0, I); this VAE has prior "
            f"{vae.prior!r} (use Theorem 1's nonlinear f and the pushforward encoder instead)"
        )


def refit_encoder(
    vae: Any,
    x: ArrayLike,
    R: ArrayLike,
    *,
    family: str = "diagonal",
    eps: ArrayLike,
    maxiter: int = 500,
    tol: float = 1e-7,
    threads: int | None = 1,
) -> dict[str, Array]:
    r"""Best per-point Gaussian encoder for the rotated decoder :math:`p_\theta(x\mid R^\top z')`.

    Maximises, separately for every row :math:`x_n`, the fixed-sample ELBO

    .. math::

        \hat{\mathcal L}(x_n)=\frac1S\sum_{s=1}^S\log p_\theta\big(x_n\mid R^\top(m_n+L_n\epsilon_s)\big)
        -\mathrm{KL}\big(\mathcal N(m_n,L_nL_n^\top)\,\|\,\mathcal N(0,I)\big),

    :math:`\mathrm{KL}=\tfrac12[\lVert L\rVert_F^2+\lVert m\rVert^2-d-2\log|\det L|]`, with common noise
    :math:`\epsilon_s` (``eps``, the same for every θ so curves are comparable), over

    * ``family="diagonal"``: :math:`L=\operatorname{diag}e^{v/2}` — the family of the study's VAEs;
    * ``family="full"``: any invertible :math:`L` (full covariance), closed under rotation:
      :math:`(m,L)\mapsto(Rm,RL)` maps the θ = 0 problem onto the rotated one exactly.

    Starts from the pushforward of the trained encoder, :math:`m=R\mu(x)`, :math:`L=R\operatorname{diag}\sigma(x)`
    (diagonal: :math:`v=\log\operatorname{diag}(R\operatorname{diag}\sigma^2R^\top)`), and runs L-BFGS on the
    sum over points (the problems are independent, so the joint optimum is the per-point one).
    Gradients: with :math:`g_s=\nabla_y\log p(x\mid y)` at :math:`y=R^\top z'_s`,
    :math:`\partial_m=\frac1S\sum_sRg_s-m`, :math:`\partial_L=\frac1S\sum_s(Rg_s)\epsilon_s^\top-L+L^{-\top}`.

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
    _check_vae(vae)
    if family not in ("diagonal", "full"):
        raise ValueError(f"family must be 'diagonal' or 'full'; got {family!r}")
    d = vae.latent_dim
    Rm = _check_orthogonal(_as_matrix(R))
    if Rm.shape != (d, d):
        raise ValueError(f"R must have shape ({d}, {d}); got {Rm.shape}")
    E = np.asarray(eps, dtype=np.float64)
    if E.ndim != 2 or E.shape[1] != d or not np.all(np.isfinite(E)):
        raise ValueError(f"eps must be a finite array of shape (S, {d}); got {np.shape(eps)}")
    xa = np.asarray(x, dtype=np.float64).reshape(-1, vae.x_size)
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
        out, cache = vae.decoder.forward(y)
        ll, gout = _loglik_and_grad(vae, out, xrep)
        sign, logdet = np.linalg.slogdet(L)
        if np.any(sign == 0):
            return np.full(n, -np.inf), None
        kl = 0.5 * (np.sum(L * L, axis=(1, 2)) + np.sum(m * m, axis=1) - d - 2 * logdet)
        val = ll.reshape(n, S).mean(axis=1) - kl
        if not grad:
            return val, None
        gy = _input_grad(vae.decoder, cache, gout)
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
                options={"maxiter": int(maxiter), "ftol": tol * 1e-3, "gtol": tol, "maxcor": 10},
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
    vae: Any,
    x: ArrayLike,
    thetas: Sequence[float] | ArrayLike,
    *,
    rng: np.random.Generator,
    n_samples: int = 16,
    plane: tuple[int, int] = (0, 1),
    families: Sequence[str] = ("diagonal", "full"),
    maxiter: int = 500,
) -> dict[str, Array]:
    r""":math:`\theta\mapsto` mean best ELBO of the VAE with latent space rotated by :math:`R(\theta)`.

    For each θ and each encoder family, :func:`refit_encoder` with the same moment-matched noise
    (:func:`moment_matched_normal`) for every θ: its sample mean is 0 and its sample covariance
    :math:`I`, so that the fixed-sample ELBO of a *linear* decoder equals the exact ELBO and the
    noise itself singles out no direction of the latent space (i.i.d. noise would: with
    :math:`S=16` samples its sample covariance is far from :math:`I`). Also the
    ELBO of the pushforward encoder :math:`R(\theta)_\#q_\phi` — the trained encoder, rotated — which
    is the θ = 0 value for every θ by the change of variables (theory.md §3.4), computed here with
    the same fixed samples: the ``"pushforward"`` curve is flat to rounding.

    Returns
    -------
    dict
        ``theta`` (T,); for each family ``elbo_<family>`` (T,) mean over points and
        ``elbo_<family>_points`` (T, n); ``elbo_pushforward`` (T,).
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    _check_vae(vae)
    for fam in families:
        if fam not in ("diagonal", "full"):
            raise ValueError(f"families must be among 'diagonal', 'full'; got {fam!r}")
    d = vae.latent_dim
    E = moment_matched_normal(int(n_samples), d, rng)
    th = np.atleast_1d(np.asarray(thetas, dtype=np.float64))
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
