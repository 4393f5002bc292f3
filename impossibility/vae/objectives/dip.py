r"""DIP-VAE (Kumar et al. 2018): minimise :math:`-\bar{\mathcal R}+\overline{\mathrm{KL}}+P(C)`.

:math:`P(C)=\lambda_{od}\sum_{i\ne j}C_{ij}^2+\lambda_d\sum_i(C_{ii}-1)^2`. DIP-VAE-I:
:math:`C=\operatorname{Cov}_B[\mu]`, :math:`\lambda_d=10\lambda_{od}`; DIP-VAE-II:
:math:`C=\operatorname{Cov}_B[\mu]+\operatorname{mean}_B\operatorname{diag}\sigma^2`,
:math:`\lambda_d=\lambda_{od}`; the study's grid is λ_od ∈ {1, 2, 5, 10, 20, 50}. Since
:math:`P(C)=\lambda_{od}\lVert C-I\rVert_F^2+(\lambda_d-\lambda_{od})\sum_i(C_{ii}-1)^2` and a
rotated twin's matrix is :math:`ACA^\top`, DIP-VAE-II with :math:`\lambda_d=\lambda_{od}` is
exactly rotation invariant while DIP-VAE-I is not.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from impossibility._typing import Array

from ..forward import Cotangents, ForwardPass
from ._common import base_logs, check_dip_kind, check_weight, default_lambda_d, require_gaussian
from .base import Objective

__all__ = ["DIPVAE", "dip_covariance", "dip_penalty"]


def dip_covariance(mu: Array, logvar: Array | None = None, *, kind: str = "i") -> Array:
    r"""The covariance DIP-VAE penalises.

    DIP-VAE-I: :math:`C=\operatorname{Cov}_B[\mu]=\frac1B\sum_b\mu_b\mu_b^\top-\bar\mu\bar\mu^\top`
    (divides by B, as the reference); DIP-VAE-II adds
    :math:`\frac1B\sum_b\operatorname{diag}e^{v_b}`.
    """
    kind = check_dip_kind(kind)
    c = mu - mu.mean(axis=0)
    cov = c.T @ c / mu.shape[0]
    if kind == "ii":
        if logvar is None:
            raise ValueError("DIP-VAE-II needs the encoder log-variances (logvar)")
        cov = cov + np.diag(np.exp(logvar).mean(axis=0))
    return cov


def dip_penalty(cov: ArrayLike, lambda_od: float, lambda_d: float) -> tuple[float, Array]:
    r""":math:`P(C)=\lambda_{od}\sum_{i\neq j}C_{ij}^2+\lambda_d\sum_i(C_{ii}-1)^2` and
    :math:`\partial P/\partial C`.

    :math:`\partial P/\partial C_{ij}=2\lambda_{od}C_{ij}` off the diagonal,
    :math:`2\lambda_d(C_{ii}-1)` on it.
    """
    cov = np.asarray(cov)
    if cov.dtype != np.float32:  # a float32 model's covariance stays float32
        cov = cov.astype(np.float64)
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1]:
        raise ValueError(f"cov must be a square matrix; got shape {cov.shape}")
    diag = np.diag(cov)
    off = cov - np.diag(diag)
    value = float(lambda_od * np.sum(off * off) + lambda_d * np.sum((diag - 1.0) ** 2))
    grad = 2.0 * lambda_od * off + np.diag(2.0 * lambda_d * (diag - 1.0))
    return value, grad


class DIPVAE(Objective):
    r"""DIP-VAE: minimise :math:`-\bar{\mathcal R}+\overline{\mathrm{KL}}+P(C)`.

    :math:`P` from :func:`dip_penalty`, :math:`C` from :func:`dip_covariance` on the batch.
    Backward: with :math:`G=\partial P/\partial C` (symmetric),
    :math:`\partial P/\partial\mu_b=\frac2BG(\mu_b-\bar\mu)` and, for type II,
    :math:`\partial P/\partial v_{bi}=G_{ii}e^{v_{bi}}/B`.

    Parameters
    ----------
    lambda_od : float
    kind : {"i", "ii"}, default="i"
    lambda_d : float, optional
        Default :math:`10\lambda_{od}` (type I) or :math:`\lambda_{od}` (type II), as in the study.
    """

    def __init__(self, lambda_od: float, *, kind: str = "i", lambda_d: float | None = None):
        self.kind = check_dip_kind(kind)
        self.lambda_od = check_weight(lambda_od, "lambda_od")
        if lambda_d is None:
            lambda_d = default_lambda_d(self.kind, self.lambda_od)
        self.lambda_d = check_weight(lambda_d, "lambda_d")

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"dip_vae_{self.kind}"

    def loss(
        self, fp: ForwardPass, *, step: int = 0, rng: np.random.Generator | None = None
    ) -> tuple[float, Cotangents, dict[str, float]]:
        require_gaussian(fp, "DIPVAE")
        b = fp.batch_size
        cov = dip_covariance(fp.mu, fp.logvar, kind=self.kind)
        pen, g = dip_penalty(cov, self.lambda_od, self.lambda_d)
        dmu = (2.0 / b) * (fp.mu - fp.mu.mean(axis=0)) @ g
        dlv = np.exp(fp.logvar) * (np.diag(g) / b) if self.kind == "ii" else None
        value = float(np.mean(-fp.rec + fp.kl)) + pen
        cot = Cotangents(rec=np.full(b, -1.0 / b), kl=np.full(b, 1.0 / b), mu=dmu, logvar=dlv)
        logs = base_logs(fp)
        logs.update(loss=value, dip_penalty=pen)
        return value, cot, logs

    def config(self) -> dict[str, object]:
        return {"name": self.name, "lambda_od": self.lambda_od, "lambda_d": self.lambda_d}
