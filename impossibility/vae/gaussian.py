r"""Densities of the encoder :math:`q(z\mid x)=\mathcal N(\mu,\operatorname{diag}e^{v})`.

:math:`\mathrm{KL}(q\,\|\,\mathcal N(0,I))=\tfrac12\sum_j(\mu_j^2+e^{v_j}-v_j-1)`; at the
reparameterised point :math:`z=\mu+e^{v/2}\odot\epsilon`,
:math:`\log q(z\mid x)=-\tfrac12\sum_j(\epsilon_j^2+v_j+\log2\pi)`; and the per-dimension
densities :math:`\log N(z_{jl};\mu_{il},e^{v_{il}})` of every code under every input, which the
total-correlation estimators and the regularisers of a model and its twin need.
"""

from __future__ import annotations

import numpy as np

from impossibility._typing import LOG_2PI, Array

__all__ = ["gaussian_kl", "gaussian_pairwise_log_density", "log_q_from_noise"]


def gaussian_kl(mu: Array, logvar: Array) -> tuple[Array, Array, Array]:
    r"""Closed-form :math:`\mathrm{KL}(N(\mu,\operatorname{diag}e^{v})\,\|\,N(0,I))` per row, with
    gradients.

    :math:`\mathrm{KL}=\tfrac12\sum_j(\mu_j^2+e^{v_j}-v_j-1)`;
    :math:`\partial/\partial\mu_j=\mu_j`, :math:`\partial/\partial v_j=\tfrac12(e^{v_j}-1)`.

    Returns
    -------
    kl : ndarray of shape (n,)
    dkl_dmu, dkl_dlogvar : ndarray of shape (n, d)
    """
    ev = np.exp(logvar)
    kl = 0.5 * (mu * mu + ev - logvar - 1.0).sum(axis=1)
    return kl, mu, 0.5 * (ev - 1.0)


def gaussian_pairwise_log_density(z: Array, mu: Array, logvar: Array) -> Array:
    r"""Per-dimension :math:`L_{jil}=\log N(z_{jl};\mu_{il},e^{v_{il}})`, shape (M, N, d).

    Parameters
    ----------
    z : ndarray of shape (M, d)
        Codes.
    mu, logvar : ndarray of shape (N, d)
        Diagonal-Gaussian encoder outputs of N inputs.
    """
    diff = z[:, None, :] - mu[None, :, :]
    return -0.5 * (diff * diff * np.exp(-logvar)[None] + logvar[None] + LOG_2PI)


def log_q_from_noise(eps: Array, logvar: Array) -> Array:
    r"""The encoder density at its own sample, shape (n,):
    :math:`\log q(\mu+\sigma\odot\epsilon\mid x)=-\tfrac12\sum_j(\epsilon_j^2+v_j+\log2\pi)`.

    At its own reparameterised sample the density depends on the noise and the log-variances
    :math:`v=\log\sigma^2` only (the mean cancels).
    """
    return -0.5 * (np.einsum("ij,ij->i", eps, eps) + logvar.sum(axis=1) + eps.shape[1] * LOG_2PI)
