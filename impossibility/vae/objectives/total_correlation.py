r"""Minibatch-weighted-sampling (MWS) estimate of the aggregate posterior's total correlation.

With codes :math:`z_j\sim q(\cdot\mid x_j)` and a batch of inputs :math:`x_i` (:math:`j,i=1..M`),

.. math::
    \widehat{\mathrm{TC}}=\frac1M\sum_j\Big[\operatorname*{LSE}_i\log q(z_j\mid x_i)
    -\sum_l\operatorname*{LSE}_i\log q(z_{jl}\mid x_i)\Big]+(d-1)\log(MN)

(Chen et al. 2018). The reference drops the constant :math:`(d-1)\log(MN)` (:math:`N` = data-set
size), which does not change gradients but makes the reported number negative.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import logsumexp

from impossibility._typing import LOG_2PI, Array
from impossibility._validation import as_array, check_int

__all__ = ["mws_total_correlation", "mws_total_correlation_gaussian", "tc_constant"]


def _mws_core(log_joint: Array, log_marg: Array) -> tuple[float, Array, Array]:
    # TC^ = mean_j [ LSE_i joint_ji − Σ_l LSE_i marg_jil ] and its derivative in both inputs
    m = log_joint.shape[0]
    lse_j = logsumexp(log_joint, axis=1)
    lse_m = logsumexp(log_marg, axis=1)  # (M, d)
    value = float(np.mean(lse_j - lse_m.sum(axis=1)))
    a = np.exp(log_joint - lse_j[:, None]) / m  # softmax over i, (M, N)
    b = np.exp(log_marg - lse_m[:, None, :]) / m  # (M, N, d)
    return value, a, b


def tc_constant(m: int, d: int, dataset_size: int | None) -> float:
    """The constant :math:`(d-1)\\log(MN)` the reference drops (0 when ``dataset_size`` is None)."""
    m, d = check_int(m, "m", minimum=1), check_int(d, "d", minimum=1)
    if dataset_size is None:
        return 0.0
    dataset_size = check_int(dataset_size, "dataset_size", minimum=1)
    return (d - 1) * float(np.log(m) + np.log(dataset_size))


def mws_total_correlation(
    log_q_joint: ArrayLike,
    log_q_marginals: ArrayLike,
    *,
    dataset_size: int | None = None,
) -> float:
    r"""The MWS total-correlation estimate from log-densities (see the module docstring).

    Parameters
    ----------
    log_q_joint : array_like of shape (M, M)
        :math:`\log q(z_j\mid x_i)`, codes along axis 0, inputs along axis 1.
    log_q_marginals : array_like of shape (M, M, d)
        :math:`\log q_l(z_{jl}\mid x_i)` (marginal densities of the encoder).
    dataset_size : int, optional
        :math:`N`; ``None`` returns the reference's constant-free value.
    """
    lj = as_array(log_q_joint, "log_q_joint", finite=False)
    lm = as_array(log_q_marginals, "log_q_marginals", finite=False)
    if lj.ndim != 2 or lm.ndim != 3 or lm.shape[:2] != lj.shape:
        raise ValueError(
            f"log_q_joint must have shape (M, N) and log_q_marginals (M, N, d); got {lj.shape} "
            f"and {lm.shape}"
        )
    value, _, _ = _mws_core(lj, lm)
    return value + tc_constant(lm.shape[1], lm.shape[2], dataset_size)


def mws_total_correlation_gaussian(
    z: Array, mu: Array, logvar: Array
) -> tuple[float, Array, Array, Array]:
    r"""Constant-free MWS estimate for a diagonal-Gaussian encoder and its gradients.

    With :math:`L_{jil}=\log N(z_{jl};\mu_{il},e^{v_{il}})`, :math:`a_{ji}` the softmax over
    :math:`i` of :math:`\sum_lL_{jil}` and :math:`b_{jil}` the softmax over :math:`i` of
    :math:`L_{jil}`, :math:`\partial\widehat{\mathrm{TC}}/\partial L_{jil}=(a_{ji}-b_{jil})/M`,
    and with :math:`r_{jil}=(z_{jl}-\mu_{il})e^{-v_{il}}`: :math:`\partial L/\partial z_{jl}=-r`,
    :math:`\partial L/\partial\mu_{il}=r`,
    :math:`\partial L/\partial v_{il}=\tfrac12[(z_{jl}-\mu_{il})r-1]`.

    Returns
    -------
    tc : float
    dtc_dz, dtc_dmu, dtc_dlogvar : ndarray of shape (M, d)
    """
    diff = z[:, None, :] - mu[None, :, :]
    prec = np.exp(-logvar)[None]
    r = diff * prec
    lq = -0.5 * (diff * r + logvar[None] + LOG_2PI)
    value, a, b = _mws_core(lq.sum(axis=2), lq)
    g = a[:, :, None] - b  # ∂TC/∂L, (M, N, d)
    gr = g * r
    dz = -gr.sum(axis=1)
    dmu = gr.sum(axis=0)
    dlv = 0.5 * (g * (diff * r - 1.0)).sum(axis=0)
    return value, dz, dmu, dlv
