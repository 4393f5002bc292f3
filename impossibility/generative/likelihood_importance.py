r""":math:`\log p(x)` of a noisy decoder by importance sampling, with its standard error.

.. math::

    \hat p(x)=\frac1N\sum_{s=1}^N w_s,\quad
    w_s=\frac{p(x\mid z_s)\,p(z_s)}{q(z_s)},\quad z_s\sim q,

with :math:`q` the prior (then :math:`w_s=p(x\mid z_s)`) or a fixed proposal; in either case
:math:`q` must not be built from the entangling map (docs/theory.md §7.4 pitfall 6), so the twin's
estimate is an independent computation of the same :math:`p(x)`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._typing import Array, PriorLike
from .._validation import as_points, check_has_methods, check_int, check_prior_like, check_rng
from ._checks import check_noise_decoder, check_twin_prior
from .noisy_decoder import GaussianNoiseDecoder

__all__ = ["log_px_importance"]


def log_px_importance(
    decoder: GaussianNoiseDecoder,
    prior: PriorLike,
    x: ArrayLike,
    rng: np.random.Generator,
    n_samples: int,
    *,
    proposal: PriorLike | None = None,
    chunk: int = 16384,
    return_ess: bool = False,
) -> tuple[Array, ...]:
    r""":math:`\log\hat p(x)=\log\frac1N\sum_s w_s` and its delta-method standard error.

    The standard error of :math:`\log\hat p` is :math:`\hat s_w/(\sqrt N\,\bar w)` (sample standard
    deviation of the weights over :math:`\sqrt N` times their mean); :math:`\log\hat p` is biased
    low by about half its variance, negligible when the standard error is small. Weights are
    accumulated in log space with a running maximum, so nothing underflows.

    Parameters
    ----------
    decoder : GaussianNoiseDecoder
        The likelihood :math:`p(x\mid z)` (the twin: ``entangle_generator(decoder, f)``).
    prior : PriorLike
        :math:`p(z)`.
    x : array_like, shape (k, D) or (D,)
        Observations.
    rng : numpy.random.Generator
        Source of the proposal draws (shared by all ``k`` points).
    n_samples : int
        :math:`N\ge2`.
    proposal : object with ``sample(n, rng)`` and ``log_prob(z)``, optional
        E.g. a :class:`~impossibility.FactorizedPrior` of Student-t marginals. Draws outside the
        prior's support get weight 0.
    chunk : int
        Draws per batch (memory control only).
    return_ess : bool, default=False
        Also return the effective sample size :math:`(\sum w)^2/\sum w^2` per point.

    Returns
    -------
    estimate, stderr : ndarray, shape (k,)
        (and ``ess`` if requested).
    """
    decoder = check_noise_decoder(decoder)
    prior = check_prior_like(prior, decoder.d, consumer="the decoder")
    check_twin_prior(decoder, prior)
    rng = check_rng(rng)
    n_samples = check_int(n_samples, "n_samples", minimum=2)
    chunk = check_int(chunk, "chunk", minimum=1)
    if proposal is not None:
        check_has_methods(proposal, "proposal", ("sample", "log_prob"), what="a distribution")
    xr = as_points(x, decoder.dim_x, name="x")
    k = xr.shape[0]
    m = np.full(k, -np.inf)
    s1 = np.zeros(k)
    s2 = np.zeros(k)
    done = 0
    while done < n_samples:
        c = min(chunk, n_samples - done)
        done += c
        if proposal is None:
            z = prior.sample(c, rng)
            logw = np.zeros(c)
            ok = np.ones(c, dtype=bool)
        else:
            z = np.asarray(proposal.sample(c, rng), dtype=np.float64)
            with np.errstate(divide="ignore"):
                lp = prior.log_prob(z)
            ok = np.isfinite(lp)
            logw = np.where(ok, lp, -np.inf) - proposal.log_prob(z)
        ll = np.full((k, c), -np.inf)
        if np.any(ok):
            mu = decoder.mean.forward(z[ok])
            ll[:, ok] = decoder.log_density(xr[:, None, :], mu[None, :, :]) + logw[ok][None, :]
        # running sums of w and w² relative to the running maximum of log w
        cmax = ll.max(axis=1)
        new = np.maximum(m, cmax)
        fin = np.isfinite(new)
        shift = np.where(fin, new, 0.0)
        old_scale = np.where(np.isfinite(m), np.exp(m - shift), 0.0)
        e = np.exp(ll - shift[:, None])
        s1 = s1 * old_scale + e.sum(axis=1)
        s2 = s2 * old_scale**2 + (e**2).sum(axis=1)
        m = new
    if not np.all(s1 > 0):
        bad = int(np.argmin(s1 > 0))
        raise ValueError(
            f"every importance weight of x[{bad}] is zero: the proposal never reaches the prior's "
            "support where the likelihood is positive; use more samples or another proposal"
        )
    n = float(n_samples)
    mean = s1 / n
    var = np.maximum(s2 / n - mean**2, 0.0) * n / (n - 1.0)
    est = m + np.log(mean)
    stderr = np.sqrt(var / n) / mean
    if return_ess:
        return est, stderr, s1**2 / s2
    return est, stderr
