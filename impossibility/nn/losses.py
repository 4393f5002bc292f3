r"""Per-example log-likelihoods and losses with their gradients (summed over features).

:math:`\log\mathrm{Bern}(x\mid\sigma(\ell))=\sum_k x_k\ell_k-\operatorname{softplus}(\ell_k)`;
:math:`\log N(x;m,e^{v})=-\tfrac12\sum_k[(x_k-m_k)^2e^{-v_k}+v_k+\log2\pi]`;
softmax cross-entropy :math:`-\log\operatorname{softmax}(\ell)_y`. Each function returns the value
per row and the gradient with respect to its inputs, for hand-written backward passes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from impossibility._typing import LOG_2PI, Array

from .activations import select_sigmoid


def _same_shape(out: Array, x: Array, name: str) -> None:
    # broadcasting (n, D) against (n, D') or (D,) would sum a different likelihood silently
    if np.shape(out) != np.shape(x) or np.ndim(x) != 2:
        raise ValueError(
            f"{name} and x must have the same shape (n, D); got {np.shape(out)} and {np.shape(x)}"
        )


__all__ = ["bernoulli_log_likelihood", "gaussian_log_likelihood", "softmax_cross_entropy"]


def bernoulli_log_likelihood(logits: Array, x: Array) -> tuple[Array, Array]:
    r"""Bernoulli log-likelihood from logits, summed over features, and its gradient.

    :math:`\log p(x\mid\ell)=\sum_k x_k\ell_k-\operatorname{softplus}(\ell_k)
    =-\mathrm{BCE}(x,\sigma(\ell))`; valid for targets :math:`x\in[0,1]` (not only binary, as in
    the reference's sigmoid cross-entropy). Gradient
    :math:`\partial/\partial\ell_k=x_k-\sigma(\ell_k)`.

    Parameters
    ----------
    logits, x : ndarray of shape (n, D)

    Returns
    -------
    ll : ndarray of shape (n,)
    dll_dlogits : ndarray of shape (n, D)
    """
    _same_shape(logits, x, "logits")
    # fused, with e = exp(-|l|) computed once: softplus(l) = max(l, 0) + log1p(e) and
    # sigmoid(l) = 1/(1+e) (l >= 0) or e/(1+e) (l < 0); three (n, D) buffers, no overflow, the
    # dtype of the inputs kept, and the float64 values bit for bit those of the unfused formulas
    e = np.abs(logits)
    np.negative(e, out=e)
    np.exp(e, out=e)
    sp = np.log1p(e)
    buf = np.maximum(logits, 0.0)
    sp += buf  # softplus(l)
    np.multiply(x, logits, out=buf)
    buf -= sp
    ll = buf.sum(axis=1)
    select_sigmoid(logits, e, out=buf, work=sp)
    np.subtract(x, buf, out=buf)
    return ll, buf


def gaussian_log_likelihood(
    mean: Array, logvar: Array | float, x: Array
) -> tuple[Array, Array, Array]:
    r"""Diagonal-Gaussian log-likelihood summed over features, and its gradients.

    :math:`\log N(x;m,e^{v})=-\tfrac12\sum_k\big[(x_k-m_k)^2e^{-v_k}+v_k+\log2\pi\big]`, with
    :math:`\partial/\partial m_k=(x_k-m_k)e^{-v_k}` and
    :math:`\partial/\partial v_k=\tfrac12[(x_k-m_k)^2e^{-v_k}-1]`.

    Parameters
    ----------
    mean, x : ndarray of shape (n, D)
    logvar : float or ndarray broadcastable to (n, D)
        Log-variances :math:`v`.

    Returns
    -------
    ll : ndarray of shape (n,)
    dll_dmean : ndarray of shape (n, D)
    dll_dlogvar : ndarray of shape (n, D)
        Per-element gradient (sum over the batch axis yourself for a shared log-variance).
    """
    _same_shape(mean, x, "mean")
    r = x - mean
    lv = np.asarray(logvar)
    if lv.dtype != r.dtype:  # a float logvar must not promote a float32 batch
        lv = lv.astype(r.dtype)
    prec = np.exp(-lv)
    r2p = r * r * prec
    ll = -0.5 * (r2p + lv + LOG_2PI).sum(axis=1)
    return ll, r * prec, 0.5 * (r2p - 1.0)


def softmax_cross_entropy(logits: Array, labels: ArrayLike) -> tuple[Array, Array]:
    r"""Per-sample cross-entropy :math:`-\log\operatorname{softmax}(\ell)_y` and its gradient.

    Gradient :math:`\partial/\partial\ell_k=\operatorname{softmax}(\ell)_k-[k=y]`.

    Parameters
    ----------
    logits : ndarray of shape (n, K)
    labels : array_like of int, shape (n,)

    Returns
    -------
    loss : ndarray of shape (n,)
    dloss_dlogits : ndarray of shape (n, K)

    Raises
    ------
    TypeError
        If ``labels`` are not integers.
    ValueError
        If they do not have shape (n,) or lie outside ``[0, K)``.
    """
    labels = np.asarray(labels)
    n, k = logits.shape
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integers of shape ({n},); got dtype {labels.dtype}")
    if labels.shape != (n,):
        raise ValueError(f"labels must be integers of shape ({n},); got shape {labels.shape}")
    if np.any((labels < 0) | (labels >= k)):
        raise ValueError(
            f"labels must lie in [0, {k}); got values in [{labels.min()}, {labels.max()}]"
        )
    shifted = logits - logits.max(axis=1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    logp = shifted - lse
    rows = np.arange(n)
    grad = np.exp(logp)
    grad[rows, labels] -= 1.0
    return -logp[rows, labels], grad
