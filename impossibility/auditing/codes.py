r"""Audit a representation: the interval of each score over twins with the same likelihood.

.. math:: [\underline s,\ \overline s]\ni s(\mu),\qquad
          \underline s=\min_{A\text{ found}} s(\mu_A,y),\quad \overline s=\max_{A\text{ found}}
          s(\mu_A,y)

For every model there are twins (Theorem 1, :math:`f_A=G^{-1}\circ A\circ G`) with exactly its
likelihood whose codes :math:`\mu_A` (:mod:`~impossibility.auditing.representation`) are entangled;
a score that moves over them cannot be identified from data. :func:`audit` searches the twins
(:mod:`~impossibility.auditing.search`) for each metric of the registry
(:mod:`~impossibility.auditing.registry`) and returns an
:class:`~impossibility.auditing.AuditReport`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

from impossibility._progress import progress as _progress
from impossibility._typing import Array
from impossibility._validation import check_int, check_rng
from impossibility.metrics._checks import as_codes_and_factors
from impossibility.priors import FactorizedPrior

from .registry import get_metrics
from .report import AuditReport, MetricAudit
from .representation import TwinCodes, twin_codes
from .scoring import Scorer
from .search import haar_starts, procrustes_alignment, search_extremes

__all__ = ["audit", "audit_twins", "DEFAULT_BUDGET", "DEFAULT_SEARCH_ROWS"]

#: Metric evaluations per score: 100 keeps a 10,000 × 10 audit of MIG, SAP and modularity under a
#: minute on two cores (SAP's 50 one-feature classifiers cost ~0.3 s a call, whatever n).
DEFAULT_BUDGET = 100
#: Rows the search evaluates; the extremes found are re-evaluated on all rows.
DEFAULT_SEARCH_ROWS = 2000
#: Haar-random starting twins besides the model itself and its Procrustes alignment.
DEFAULT_HAAR_STARTS = 4


def _check_counts(budget: int, search_rows: int, n_starts: int) -> tuple[int, int, int]:
    return (
        check_int(budget, "budget", minimum=1),
        check_int(search_rows, "search_rows", minimum=3),
        check_int(n_starts, "n_starts", minimum=0),
    )


def audit_twins(
    twins: TwinCodes,
    factors: Array,
    *,
    metrics: str | Sequence[str] | None,
    budget: int,
    search_rows: int,
    n_starts: int,
    rng: np.random.Generator,
    progress: bool | None,
    prior_name: str,
) -> AuditReport:
    """:func:`audit` for validated inputs and a ready twin representation (shared by the model
    audit, which builds ``twins`` from its encoder)."""
    selected = get_metrics(metrics)
    budget, search_rows, n_starts = _check_counts(budget, search_rows, n_starts)
    n = twins.n
    d = twins.d
    if n > search_rows:
        rows = np.sort(rng.choice(n, size=search_rows, replace=False))
        sub, y_sub = twins.rows(rows), factors[rows]
    else:
        sub, y_sub = twins, factors
    eye = np.eye(d)
    starts = {"model": eye, "aligned": procrustes_alignment(sub(eye), y_sub)}
    for k, a in enumerate(haar_starts(d, n_starts, rng)):
        starts[f"haar{k}"] = a
    seeds = rng.integers(0, 2**63, size=len(selected))
    search_rngs = rng.spawn(len(selected))
    bar = _progress(
        range(budget * len(selected)), desc="audit", total=budget * len(selected), enabled=progress
    )

    def tick() -> None:
        next(bar, None)

    results = []
    for (name, metric), seed, srng in zip(selected.items(), seeds, search_rngs, strict=True):
        scorer = Scorer(sub, y_sub, metric.fn, metric.per_code, int(seed))
        scorer.value(eye)  # the metric's own checks (constant factor, too few rows) come first
        found = search_extremes(scorer, starts, budget, srng, tick)
        if sub is twins:
            observed = found.start_values["model"]
            lo, hi = found.lowest, found.highest
        else:
            full = Scorer(twins, factors, metric.fn, None, int(seed)).value
            observed, lo, hi = full(eye), full(found.lowest_twin), full(found.highest_twin)
        a_lo, a_hi = found.lowest_twin, found.highest_twin
        if lo > observed:  # re-evaluated on all rows the model itself may be the extreme
            lo, a_lo = observed, eye
        if hi < observed:
            hi, a_hi = observed, eye
        results.append(
            MetricAudit(
                name=name,
                observed=observed,
                lowest=lo,
                highest=hi,
                lowest_twin=a_lo,
                highest_twin=a_hi,
                evaluations=found.evaluations,
                search_lowest=found.lowest,
                search_highest=found.highest,
            )
        )
    for _ in bar:  # finish the bar when a search stopped early
        pass
    return AuditReport(
        metrics=tuple(results),
        n=n,
        d=d,
        n_factors=factors.shape[1],
        prior=prior_name,
        representation=twins.kind,
        budget=budget,
        search_rows=sub.n,
    )


def audit(
    codes: ArrayLike,
    factors: ArrayLike,
    *,
    prior: FactorizedPrior | None = None,
    log_var: ArrayLike | None = None,
    metrics: str | Sequence[str] | None = None,
    budget: int = DEFAULT_BUDGET,
    search_rows: int = DEFAULT_SEARCH_ROWS,
    n_starts: int = DEFAULT_HAAR_STARTS,
    n_mc: int = 32,
    approximate: bool = False,
    rng: np.random.Generator,
    progress: bool | None = None,
) -> AuditReport:
    r"""How far each disentanglement score moves over twins with exactly the same likelihood.

    .. math:: \underline s\le s(\mu)\le\overline s,\qquad
              \underline s,\overline s=\min,\max\ \text{found over }A\in O(d)\text{ of }
              s(\mu_A, y)

    For the :math:`\mathcal N(0,I)` prior the twin of a VAE with encoder mean :math:`\mu(x)` has
    encoder mean :math:`A\mu(x)` for any orthogonal :math:`A` (and the same ELBO and
    :math:`p(x)`), so its codes are ``codes @ A.T``. For another factorized prior the twin is
    :math:`f_A=G^{-1}\circ A\circ G` and its codes are the posterior mean of :math:`f_A(z)`,
    by Monte Carlo from ``log_var`` (:func:`~impossibility.auditing.representation.twin_codes`).
    The search (:func:`~impossibility.auditing.search.search_extremes`) is deterministic given
    ``rng``; the interval it finds is an inner bound of the true range.

    Parameters
    ----------
    codes : array_like of shape (n, d)
        The representation, e.g. encoder means; ``d >= 2``.
    factors : array_like of int, shape (n, K)
        Ground-truth factors as integer class labels.
    prior : FactorizedPrior, optional
        The model's prior; default :math:`\mathcal N(0, I)`.
    log_var : array_like of shape (n, d), optional
        Encoder log-variances (needed for a non-normal prior).
    metrics : str or sequence of str, optional
        Names from :data:`~impossibility.auditing.METRICS` (or a comma-separated string); default
        ``("mig", "sap", "modularity")``; ``"dci"`` means DCI disentanglement (slow).
    budget : int, default=100
        Metric evaluations per score (starts included), split between the two searches.
    search_rows : int, default=2000
        Rows the search evaluates (a fixed random subset of larger inputs); the reported
        observed value and extremes are evaluated on all rows.
    n_starts : int, default=4
        Haar-random starting twins (besides the model and its alignment with the factors).
    n_mc : int, default=32
        Posterior draws per row for a non-normal prior.
    approximate : bool, default=False
        Non-normal prior without ``log_var``: audit :math:`f_A(\mu)`, labelled, instead of
        refusing.
    rng : numpy.random.Generator
        All randomness (subset, draws, starts, plane order, the metrics' own seeds).
    progress : bool or None, default=None
        Progress bar (``None``: on a terminal only).

    Returns
    -------
    AuditReport

    Raises
    ------
    TypeError
        For non-numeric arrays, a non-Generator ``rng``, a non-integer count, a prior that is not
        a FactorizedPrior.
    ValueError
        For wrong shapes, NaN or infinity, fractional factors, a mismatched number of rows, an
        unknown metric, a budget too small for the starts, or a non-normal prior without
        ``log_var`` (unless ``approximate``).
    """
    rng = check_rng(rng)
    z, y, _ = as_codes_and_factors(codes, factors)
    if z.shape[1] < 2:
        raise ValueError(f"codes must have at least 2 dimensions to have twins; got {z.shape}")
    get_metrics(metrics)  # fail on a bad name before any work
    _check_counts(budget, search_rows, n_starts)
    twins = twin_codes(z, prior, log_var, rng, n_mc=n_mc, approximate=approximate)
    return audit_twins(
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
