r"""Audit a model given as two callables, and check that every twin found has its likelihood.

.. math:: \mathcal L_A(x)=\mathbb E_{q}\big[\log p(x\mid f_A^{-1}(z'))+\log p(z')
          -\log q(z\mid x)+\log|\det J_{f_A}(z)|\big]_{z'=f_A(z)}=\mathcal L(x)

The twin of a VAE with encoder :math:`q(z\mid x)=\mathcal N(\mu,\operatorname{diag}\sigma^2)`,
decoder :math:`p(x\mid z)` and factorized prior :math:`p` has the encoder pushed forward by
:math:`f_A=G^{-1}\circ A\circ G` (density through the chain-rule log-determinant) and the decoder
:math:`p(x\mid f_A^{-1}(z'))`. Since :math:`p(f_A(z))|\det J_{f_A}(z)|=p(z)`, every
reparameterised ELBO term is the model's: with common noise the two agree to rounding, and the
importance weights have the same law, so importance-weighted :math:`\log p(x)` with independent
draws agrees within Monte Carlo error. Any PyTorch or JAX model plugs in through two lambdas
that take and return NumPy arrays.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from impossibility._typing import LOG_2PI, Array
from impossibility._validation import as_array, check_int, check_rng
from impossibility.entangle import EntanglingBijection
from impossibility.metrics._checks import as_factors
from impossibility.priors import FactorizedPrior
from impossibility.vae.elbo import importance_weighted_log_px
from impossibility.vae.likelihoods import DecoderLikelihood

from .codes import DEFAULT_BUDGET, DEFAULT_HAAR_STARTS, DEFAULT_SEARCH_ROWS, audit_twins
from .report import AuditReport
from .representation import twin_codes

__all__ = ["audit_model", "twin_log_weights"]

LogLikelihood = Callable[[Array, Any], Array]


def _log_likelihood(likelihood: Any) -> LogLikelihood:
    if callable(likelihood) and not isinstance(likelihood, DecoderLikelihood):
        return lambda x, out: np.asarray(likelihood(x, out), dtype=np.float64).reshape(-1)
    lik = likelihood if isinstance(likelihood, DecoderLikelihood) else DecoderLikelihood(likelihood)

    def ll(x: Array, out: Any) -> Array:
        o = np.asarray(out, dtype=np.float64).reshape(x.shape[0], -1)
        return lik.log_prob_and_grads(o, x.reshape(x.shape[0], -1))[0]

    return ll


def twin_log_weights(
    x: Array,
    mu: Array,
    log_var: Array,
    eps: Array,
    decode: Callable[[Array], Any],
    ll: LogLikelihood,
    f: EntanglingBijection,
    twin: bool,
) -> Array:
    r"""Single-sample log-weights :math:`\log p(x\mid z)+\log p(z)-\log q(z\mid x)`, (S, n).

    ``twin=True`` evaluates the twin at the image :math:`z'=f(z)` of the same draws, with the
    pushed-forward encoder and the decoder composed with :math:`f^{-1}`. The mean over draws
    is the ELBO; their log-mean-exp the importance-weighted :math:`\log p(x)`.
    """
    s, n, d = eps.shape
    sigma = np.exp(0.5 * log_var)
    out = np.empty((s, n))
    log_q0 = -0.5 * (eps**2 + log_var + LOG_2PI).sum(axis=-1)  # log N(mu + sigma eps; mu, sigma^2)
    for k in range(s):
        z = mu + sigma * eps[k]
        if twin:
            zt, log_det = f.forward_and_log_det(z)
            log_q = log_q0[k] - log_det
            out[k] = ll(x, decode(f.inverse(zt))) + f.prior.log_prob(zt) - log_q
        else:
            out[k] = ll(x, decode(z)) + f.prior.log_prob(z) - log_q0[k]
    return out


def _check(
    x: Array,
    mu: Array,
    log_var: Array,
    decode: Callable[[Array], Any],
    ll: LogLikelihood,
    f: EntanglingBijection,
    rng: np.random.Generator,
    n_elbo: int,
    n_importance: int,
) -> dict[str, float]:
    shape = (n_elbo, *mu.shape)
    eps = rng.standard_normal(shape)  # common random numbers for the ELBO
    e_model = twin_log_weights(x, mu, log_var, eps, decode, ll, f, False)
    e_twin = twin_log_weights(x, mu, log_var, eps, decode, ll, f, True)
    est = {}
    for who, twin in (("model", False), ("twin", True)):  # independent draws for log p(x)
        lw = twin_log_weights(
            x, mu, log_var, rng.standard_normal((n_importance, *mu.shape)), decode, ll, f, twin
        )
        est[who] = importance_weighted_log_px(lw)
    # model and twin have identically distributed weights, so the per-row differences are
    # independent with mean 0; their spread over rows gives the standard error of the mean
    # (the delta-method error of one estimate understates heavy-tailed weights)
    diff = est["twin"] - est["model"]
    joint_se = float(diff.std(ddof=1) / math.sqrt(diff.size)) if diff.size > 1 else math.inf
    return {
        "max_abs_elbo_difference": float(np.max(np.abs(e_twin.mean(0) - e_model.mean(0)))),
        "max_abs_term_difference": float(np.max(np.abs(e_twin - e_model))),
        "elbo_model": float(e_model.mean()),
        "elbo_twin": float(e_twin.mean()),
        "log_px_model": float(est["model"].mean()),
        "log_px_twin": float(est["twin"].mean()),
        "log_px_stderr": joint_se,
        "log_px_z": float(diff.mean() / joint_se) if joint_se > 0 else 0.0,
    }


def audit_model(
    encode: Callable[[Array], tuple[ArrayLike, ArrayLike]],
    decode: Callable[[Array], Any],
    x: ArrayLike,
    factors: ArrayLike,
    *,
    prior: FactorizedPrior | None,
    likelihood: str | DecoderLikelihood | LogLikelihood,
    rng: np.random.Generator,
    metrics: str | Sequence[str] | None = None,
    budget: int = DEFAULT_BUDGET,
    search_rows: int = DEFAULT_SEARCH_ROWS,
    n_starts: int = DEFAULT_HAAR_STARTS,
    n_mc: int = 32,
    check_rows: int = 256,
    n_elbo: int = 8,
    n_importance: int = 64,
    progress: bool | None = None,
) -> AuditReport:
    r"""Audit a model's representation and check the likelihood of each extremal twin.

    .. math:: \mathcal L_A(x)=\mathcal L(x)\ \text{(per sample, common noise)},\qquad
              \widehat{\log p}_A(x)\approx\widehat{\log p}(x)

    The intervals are those of :func:`~impossibility.audit` for the encoder means (and, for a
    non-normal prior, log-variances) of ``x``. Then, for every twin that attains a lowest or a
    highest value, on the first ``check_rows`` rows of ``x``: the per-sample ELBO of model and
    twin from the same ``n_elbo`` draws (they agree to rounding, ~1e-12 for ELBOs of hundreds of
    nats; the tests hold 1e-9) and the importance-weighted :math:`\log p(x)` of each from
    ``n_importance`` independent draws, with the standard error of their difference.

    Parameters
    ----------
    encode : callable
        ``encode(x) -> (mu, log_var)``, arrays of shape (n, d). E.g. for a PyTorch encoder
        ``lambda x: tuple(t.detach().numpy() for t in enc(torch.from_numpy(x)))``.
    decode : callable
        ``decode(z) -> decoder output`` for latents of shape (n, d): Bernoulli logits or
        Gaussian means of shape (n, D), or whatever a callable ``likelihood`` reads.
    x : array_like of shape (n, ...)
        Observations (float).
    factors : array_like of int, shape (n, K)
        Ground-truth factors of ``x``.
    prior : FactorizedPrior or None
        The model's prior; ``None`` is :math:`\mathcal N(0, I)`.
    likelihood : {"bernoulli", "gaussian"}, DecoderLikelihood or callable
        :math:`\log p(x\mid z)` from the decoder output: ``"bernoulli"`` (logits), ``"gaussian"``
        (means, unit variance), a :class:`~impossibility.vae.DecoderLikelihood`, or
        ``likelihood(x, out) -> (n,)``.
    rng : numpy.random.Generator
    metrics, budget, search_rows, n_starts, n_mc, progress
        As in :func:`~impossibility.audit`.
    check_rows : int, default=256
        Rows of ``x`` for the likelihood checks.
    n_elbo, n_importance : int, default=8, 64
        Draws for the ELBO and for importance-weighted log p(x).

    Returns
    -------
    AuditReport
        With ``likelihood`` holding one dictionary per checked twin: ``metric``, ``twin``
        (``"lowest"``/``"highest"``), ``max_abs_elbo_difference`` (per sample, over rows),
        ``max_abs_term_difference`` (per draw), ``elbo_model``, ``elbo_twin``, ``log_px_model``,
        ``log_px_twin``, ``log_px_stderr`` (standard error of the mean per-row difference, from its
        spread over the ``check_rows`` rows) and ``log_px_z`` (the difference in standard
        errors).
    """
    rng = check_rng(rng)
    xa = as_array(x, "x")
    if xa.ndim < 2:
        raise ValueError(f"x must have a sample axis and features, shape (n, ...); got {xa.shape}")
    y = as_factors(factors, "factors")
    if y.shape[0] != xa.shape[0]:
        raise ValueError(f"x has {xa.shape[0]} rows but factors has {y.shape[0]}")
    check_rows = check_int(check_rows, "check_rows", minimum=2)
    n_elbo = check_int(n_elbo, "n_elbo", minimum=1)
    n_importance = check_int(n_importance, "n_importance", minimum=2)
    if not callable(encode) or not callable(decode):
        raise TypeError("encode and decode must be callables taking and returning arrays")
    ll = _log_likelihood(likelihood)
    mu_raw, lv_raw = encode(xa)
    mu = as_array(mu_raw, "encode(x)[0] (mu)", ndim=2)
    log_var = as_array(lv_raw, "encode(x)[1] (log_var)", ndim=2)
    if mu.shape != log_var.shape or mu.shape[0] != xa.shape[0]:
        raise ValueError(
            f"encode(x) must return mu and log_var of shape ({xa.shape[0]}, d); got "
            f"{mu.shape} and {log_var.shape}"
        )
    d = mu.shape[1]
    full_prior = FactorizedPrior.standard_normal(d) if prior is None else prior
    twins = twin_codes(mu, prior, log_var, rng, n_mc=n_mc)
    report = audit_twins(
        twins,
        y,
        metrics=metrics,
        budget=budget,
        search_rows=search_rows,
        n_starts=n_starts,
        rng=rng,
        progress=progress,
        prior_name="N(0, I)" if prior is None else repr(prior),
    )
    rows = slice(0, min(check_rows, xa.shape[0]))
    checks = []
    for m in report.metrics:
        for which, a in (("lowest", m.lowest_twin), ("highest", m.highest_twin)):
            f = EntanglingBijection(full_prior, a)
            c = _check(xa[rows], mu[rows], log_var[rows], decode, ll, f, rng, n_elbo, n_importance)
            checks.append({"metric": m.name, "twin": which, **c})
    return AuditReport(
        **{**report.to_dict(), "metrics": report.metrics, "likelihood": tuple(checks)}
    )
