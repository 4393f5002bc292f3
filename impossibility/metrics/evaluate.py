"""One entry point: every metric of disentanglement_lib's study for one representation."""

from __future__ import annotations

from typing import Iterable

import numpy as np

from ._checks import check_generator, check_positive_int
from .dci import dci
from .mig import mig
from .modularity import explicitness, modularity
from .sampling import (
    GroundTruthData,
    Representation,
    beta_vae_score,
    factor_vae_score,
    sample_factors_and_codes,
)
from .sap import sap
from .unsupervised import unsupervised_scores

__all__ = ["evaluate_representation", "METRIC_NAMES"]

#: Metric families computed by :func:`evaluate_representation`, in the order their generators
#: are spawned (each family gets its own child generator whatever subset is requested).
METRIC_NAMES: tuple[str, ...] = (
    "beta_vae",
    "factor_vae",
    "mig",
    "dci",
    "sap",
    "modularity_explicitness",
    "unsupervised",
)


def evaluate_representation(
    rep: Representation,
    data: GroundTruthData,
    rng: np.random.Generator,
    *,
    metrics: Iterable[str] | None = None,
    num_train: int = 10000,
    num_test: int = 5000,
    sample_batch_size: int = 16,
    num_bins: int = 20,
    beta_vae_num_train: int = 10000,
    beta_vae_num_eval: int = 5000,
    factor_vae_num_train: int = 10000,
    factor_vae_num_eval: int = 5000,
    factor_vae_num_variance_estimate: int = 10000,
    score_batch_size: int = 64,
    prune_threshold: float = 0.05,
    continuous_sap: bool = False,
    n_jobs: int | None = None,
) -> dict[str, float]:
    """Compute all metrics of the study for representation ``rep`` on data set ``data``.

    As in disentanglement_lib, every metric family draws its own samples (nothing is shared
    between metrics): ``rng`` spawns one independent child generator per family in the fixed
    order of :data:`METRIC_NAMES`, so a family's value does not depend on which other
    families are requested. Array-based metrics draw a training set of ``num_train`` points
    and then (where needed) a test set of ``num_test`` points with
    :func:`sample_factors_and_codes` (mini-batches of ``sample_batch_size``).

    Families and the keys they add (defaults are the study's sizes; all can be reduced):

    ``beta_vae``
        ``beta_vae_train_accuracy``, ``beta_vae_eval_accuracy`` (:func:`beta_vae_score`).
    ``factor_vae``
        ``factor_vae_train_accuracy``, ``factor_vae_eval_accuracy``,
        ``factor_vae_num_active_dims`` (:func:`factor_vae_score`).
    ``mig``
        ``mig`` (:func:`mig`, training set only).
    ``dci``
        ``dci_disentanglement``, ``dci_completeness``, ``dci_informativeness_train``,
        ``dci_informativeness_test`` (:func:`dci`).
    ``sap``
        ``sap`` (:func:`sap`, discrete unless ``continuous_sap``).
    ``modularity_explicitness``
        ``modularity``, ``explicitness_train``, ``explicitness_test``.
    ``unsupervised``
        ``gaussian_total_correlation``, ``gaussian_wasserstein_correlation``,
        ``gaussian_wasserstein_correlation_norm``, ``mutual_info_score``
        (:func:`unsupervised_scores`, training set only).

    Parameters
    ----------
    rep : callable
        Maps observations ``(n, ...)`` to codes ``(n, D)``.
    data : GroundTruthData
        Provides ``num_factors``, ``factors_num_values``, ``sample_factors(n, rng)`` and
        ``sample_observations_from_factors(factors, rng)``.
    rng : numpy.random.Generator
    metrics : iterable of str, optional
        Subset of :data:`METRIC_NAMES` (default: all).
    num_train, num_test : int, default=10000, 5000
        Points for the array-based metrics.
    sample_batch_size : int, default=16
        Mini-batch for drawing those points (the reference's default).
    num_bins : int, default=20
        Histogram bins (MIG, modularity, mutual-information score).
    beta_vae_num_train, beta_vae_num_eval, factor_vae_num_train, factor_vae_num_eval,
    factor_vae_num_variance_estimate, score_batch_size, prune_threshold
        Settings of the two sampling-based scores (study defaults).
    continuous_sap : bool, default=False
        Use SAP's squared-correlation mode (factors treated as numbers).
    n_jobs : int, optional
        Parallel classifier fits in DCI and SAP (joblib).

    Returns
    -------
    dict of str to float
        JSON-able; integers are returned as floats for uniformity.

    Raises
    ------
    ValueError
        For an unknown metric name or a failure of any metric's input checks (e.g. a factor
        with a single value), with that metric's message.
    """
    check_generator(rng)
    selected = list(METRIC_NAMES) if metrics is None else list(metrics)
    unknown = sorted(set(selected) - set(METRIC_NAMES))
    if unknown:
        raise ValueError(f"unknown metric(s) {unknown}; choose from {list(METRIC_NAMES)}")
    num_train = check_positive_int(num_train, "num_train")
    num_test = check_positive_int(num_test, "num_test")
    children = dict(zip(METRIC_NAMES, rng.spawn(len(METRIC_NAMES)), strict=True))
    out: dict[str, float] = {}

    def draw(g: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        return sample_factors_and_codes(data, rep, n, g, batch_size=sample_batch_size)

    for name in METRIC_NAMES:
        if name not in selected:
            continue
        g = children[name]
        if name == "beta_vae":
            s = beta_vae_score(data, rep, g, batch_size=score_batch_size,
                               num_train=beta_vae_num_train, num_eval=beta_vae_num_eval)
            out["beta_vae_train_accuracy"] = s.train_accuracy
            out["beta_vae_eval_accuracy"] = s.eval_accuracy
        elif name == "factor_vae":
            s = factor_vae_score(data, rep, g, batch_size=score_batch_size,
                                 num_train=factor_vae_num_train, num_eval=factor_vae_num_eval,
                                 num_variance_estimate=factor_vae_num_variance_estimate,
                                 prune_threshold=prune_threshold)
            out["factor_vae_train_accuracy"] = s.train_accuracy
            out["factor_vae_eval_accuracy"] = s.eval_accuracy
            out["factor_vae_num_active_dims"] = float(s.num_active_dims or 0)
        elif name == "mig":
            z, y = draw(g, num_train)
            out["mig"] = mig(z, y, num_bins=num_bins)
        elif name == "dci":
            z, y = draw(g, num_train)
            zt, yt = draw(g, num_test)
            out.update(dci(z, y, zt, yt, rng=g, n_jobs=n_jobs).as_dict())
        elif name == "sap":
            z, y = draw(g, num_train)
            zt, yt = draw(g, num_test)
            out["sap"] = sap(z, y, zt, yt, continuous_factors=continuous_sap, rng=g,
                             n_jobs=n_jobs)
        elif name == "modularity_explicitness":
            z, y = draw(g, num_train)
            zt, yt = draw(g, num_test)
            out["modularity"] = modularity(z, y, num_bins=num_bins)
            out.update(explicitness(z, y, zt, yt).as_dict())
        elif name == "unsupervised":
            z, _ = draw(g, num_train)
            out.update(unsupervised_scores(z, num_bins=num_bins))
    return out
