r"""ELBO and importance-weighted :math:`\log p(x)` estimates, written once for a VAE and its twin.

:math:`\mathcal L(x)=\mathbb E_q[\log p(x\mid z)]-\mathrm{KL}(q(\cdot\mid x)\,\|\,p)`, estimated
from :math:`S` reparameterised samples; :math:`\widehat{\log p}(x)=\log\frac1K\sum_k w_k` with
:math:`w_k=p(x\mid z_k)p(z_k)/q(z_k\mid x)`, :math:`z_k\sim q(\cdot\mid x)` (the IWAE bound, a lower
bound in expectation, tight as :math:`K\to\infty`), with the delta-method standard error
:math:`\operatorname{sd}(w)/(\sqrt K\,\bar w)`. A model supplies one forward pass and the
integrand of its log-weights; this module supplies the loops over samples and chunks.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import logsumexp

from impossibility._typing import Array
from impossibility._validation import as_array, check_int

from .components import VAEComponents
from .forward import ForwardPass

__all__ = ["ELBOEstimates", "importance_weighted_log_px"]


def importance_weighted_log_px(
    logw: ArrayLike, *, return_stderr: bool = False
) -> Array | tuple[Array, Array]:
    r""":math:`\log\frac1K\sum_k w_k` over axis 0 of the log-weights, and its standard error.

    Parameters
    ----------
    logw : array_like of shape (K, ...)
        :math:`\log w_k` (e.g. from ``log_importance_weights``), samples along axis 0.
    return_stderr : bool, default=False
        Also return the delta-method standard error :math:`\operatorname{sd}(w)/(\sqrt K\,\bar w)`
        (``inf`` for K = 1).

    Returns
    -------
    estimate : ndarray of shape ``logw.shape[1:]``
    stderr : ndarray of the same shape, if ``return_stderr``
    """
    logw = as_array(logw, "logw", finite=False)
    if logw.ndim < 1 or logw.shape[0] < 1:
        raise ValueError(f"logw must hold K >= 1 samples along axis 0; got shape {logw.shape}")
    if np.isnan(logw).any() or np.isposinf(logw).any():  # −inf is a zero weight, allowed
        raise ValueError("logw contains NaN or +inf; log-weights must be finite or −inf")
    k = logw.shape[0]
    est = logsumexp(logw, axis=0) - math.log(k)
    if not return_stderr:
        return est
    w = np.exp(logw - logw.max(axis=0))
    se = (
        w.std(axis=0, ddof=1) / (math.sqrt(k) * w.mean(axis=0))
        if k > 1
        else np.full(est.shape, np.inf)
    )
    return est, se


class ELBOEstimates:
    """ELBO terms, ELBO and importance-weighted log p(x) of a model, from two model-specific pieces.

    Subclasses provide ``_components`` (the VAE that validates observations and noise),
    ``_kl_mode`` (which KL estimate a name means), ``_forward`` (one reparameterised pass,
    vectorised over the data) and ``_log_weight_chunks`` (the log importance weights of a range
    of samples); ``_default_kl`` names the KL estimate used when none is asked for.
    """

    _default_kl = "auto"

    def _components(self) -> VAEComponents:
        """The VAE whose ``check_x`` and ``standard_noise`` validate observations and noise."""
        raise NotImplementedError

    def _kl_mode(self, kl: str) -> str:
        raise NotImplementedError

    def _forward(self, x: Array, eps: Array, mode: str) -> ForwardPass:
        raise NotImplementedError

    def _log_weight_chunks(self, x: Array, eps: Array) -> Callable[[int, int], Array]:
        """A function of ``(k0, k1)`` returning the log-weights of samples ``k0:k1`` of ``eps``
        (S, n, d) for the rows of ``x``, flattened sample-major (length ``(k1 - k0) * n``)."""
        raise NotImplementedError

    def elbo_terms(
        self,
        x: ArrayLike,
        rng: np.random.Generator | None = None,
        *,
        n_samples: int | None = None,
        eps: ArrayLike | None = None,
        kl: str | None = None,
    ) -> dict[str, Array]:
        r"""Per-example ELBO terms averaged over ``S`` reparameterised samples.

        ``kl`` is ``"analytic"``, ``"mc"`` or ``"auto"``; default: the model's own choice (closed
        form for the N(0, I) prior, Monte Carlo otherwise; a twin resolves ``"auto"`` as its VAE
        does, so the two use the same estimator).

        Returns
        -------
        dict
            ``rec`` (n,) :math:`\frac1S\sum_s\log p(x\mid z_s)`, ``kl`` (n,), ``elbo`` (n,) their
            difference, and ``elbo_samples`` (S, n) the single-sample ELBO terms.
        """
        vae = self._components()
        xa = vae.check_x(x)
        mode = self._kl_mode(self._default_kl if kl is None else kl)
        e = vae.standard_noise(xa.shape[0], rng=rng, eps=eps, n_samples=n_samples)
        rec = np.empty(e.shape[:2])
        klv = np.empty(e.shape[:2])
        for s in range(e.shape[0]):  # loop over Monte-Carlo samples, vectorised over the data
            fp = self._forward(xa, e[s], mode)
            rec[s], klv[s] = fp.rec, fp.kl
        return {
            "rec": rec.mean(0),
            "kl": klv.mean(0),
            "elbo": (rec - klv).mean(0),
            "elbo_samples": rec - klv,
        }

    def elbo(
        self,
        x: ArrayLike,
        rng: np.random.Generator | None = None,
        *,
        n_samples: int | None = None,
        eps: ArrayLike | None = None,
        kl: str | None = None,
    ) -> Array:
        """Per-example ELBO estimate, shape (n,) (see :meth:`elbo_terms`)."""
        return self.elbo_terms(x, rng, n_samples=n_samples, eps=eps, kl=kl)["elbo"]

    def log_importance_weights(
        self,
        x: ArrayLike,
        rng: np.random.Generator | None = None,
        *,
        n_importance: int | None = None,
        eps: ArrayLike | None = None,
        chunk_elements: int = 2**22,
    ) -> Array:
        r""":math:`\log w_k=\log p(x\mid z_k)+\log p(z_k)-\log q(z_k\mid x)`, shape (K, n).

        ``K`` is ``n_importance`` (with ``rng``) or the number of noise draws in ``eps``
        (K, n, d); the decoder runs on chunks of about ``chunk_elements`` output values.
        """
        vae = self._components()
        xa = vae.check_x(x)
        if n_importance is not None and eps is None:
            n_importance = check_int(n_importance, "n_importance", minimum=1)
        e = vae.standard_noise(
            xa.shape[0], rng=rng, eps=eps, n_samples=n_importance if eps is None else None
        )
        chunk_elements = check_int(chunk_elements, "chunk_elements", minimum=1)
        k_total, n = e.shape[:2]
        chunk = self._log_weight_chunks(xa, e)
        logw = np.empty((k_total, n))
        step = max(1, chunk_elements // max(1, n * xa.shape[1]))
        for k0 in range(0, k_total, step):
            k1 = min(k_total, k0 + step)
            logw[k0:k1] = chunk(k0, k1).reshape(k1 - k0, n)
        return logw

    def log_px(
        self,
        x: ArrayLike,
        rng: np.random.Generator | None = None,
        *,
        n_importance: int | None = 256,
        eps: ArrayLike | None = None,
        return_stderr: bool = False,
    ) -> Array | tuple[Array, Array]:
        r"""Importance-weighted estimate of :math:`\log p(x)` with the encoder as proposal.

        :math:`\widehat{\log p}(x)=\log\frac1K\sum_k w_k` (see
        :func:`importance_weighted_log_px`); with ``return_stderr`` also its delta-method
        standard error.
        """
        logw = self.log_importance_weights(x, rng, n_importance=n_importance, eps=eps)
        return importance_weighted_log_px(logw, return_stderr=return_stderr)
