"""One entry point: every metric of disentanglement_lib's study for one representation.

.. math:: \\mathrm{rng} \\to (g_{\\text{beta\\_vae}}, g_{\\text{factor\\_vae}}, \\dots,
          g_{\\text{unsupervised}}), \\qquad s_m = m\\big(\\mathrm{rep}, \\mathrm{data}; g_m\\big)

Each metric family :math:`m` of :data:`METRIC_NAMES` draws its own samples from its own child
generator :math:`g_m` (spawned in that fixed order), so a family's value does not depend on
which other families are requested. :class:`MetricSizes` holds every sample size, with the
reference library's study values as defaults.
"""

from __future__ import annotations

import dataclasses
from typing import Iterable

import numpy as np

from impossibility._typing import GroundTruthDataLike, Representation
from impossibility._validation import check_int, check_rng, check_scalar

from ._checks import check_data, check_representation
from ._parallel import check_n_jobs_or_auto
from .dci import dci
from .dci_es import dci_es
from .explicitness import explicitness
from .factored_components import linearity
from .fairness import fairness, fairness_summary
from .flatness import flatness
from .irs import irs
from .mcc import mcc
from .mig import mig
from .modularity import modularity
from .sampling import _beta_vae_score, _factor_vae_score, _sample_factors_and_codes
from .sap import sap
from .unsupervised import unsupervised_scores

__all__ = ["evaluate_representation", "METRIC_NAMES", "MetricSizes"]

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
    "irs",
    "mcc",
    "fairness",
    "flatness",
    "dci_es",
    "linearity",
)


@dataclasses.dataclass(frozen=True)
class MetricSizes:
    """Sample sizes of :func:`evaluate_representation`; defaults are disentanglement_lib's study.

    Attributes
    ----------
    num_train, num_test : int, default=10000, 5000
        Labelled points for the array-based metrics (MIG, DCI, SAP, modularity, explicitness,
        unsupervised scores; the test set only where a metric needs one).
    sample_batch_size : int, default=16
        Mini-batch in which those points are drawn and encoded
        (:func:`~impossibility.metrics.sample_factors_and_codes`).
    beta_vae_num_train, beta_vae_num_eval : int, default=10000, 5000
        Training and evaluation examples of :func:`~impossibility.metrics.beta_vae_score`.
    factor_vae_num_train, factor_vae_num_eval : int, default=10000, 5000
        Training and evaluation votes of :func:`~impossibility.metrics.factor_vae_score`.
    factor_vae_num_variance_estimate : int, default=10000
        Points for the FactorVAE score's global variances (>= 2).
    score_batch_size : int, default=64
        Points per example of both sampling-based scores (>= 2: the FactorVAE score takes a
        sample variance over them).
    fairness_num_test_points_per_class : int, default=100
        Factor vectors re-rendered for every value of a sensitive factor in
        :func:`~impossibility.metrics.fairness` (which trains on ``num_train`` points).
    fairness_n_estimators : int, default=100
        Boosting stages of fairness's classifiers (scikit-learn's default).
    flatness_repeats : int, default=1024
        Traversals per factor of :func:`~impossibility.metrics.flatness` (disent's default).
    linearity_repeats : int, default=1024
        Traversals per factor of :func:`~impossibility.metrics.linearity` (disent's default).

    Raises
    ------
    TypeError
        If a size is not an integer.
    ValueError
        If a size is below its minimum (1, or 2 where stated).
    """

    num_train: int = 10000
    num_test: int = 5000
    sample_batch_size: int = 16
    beta_vae_num_train: int = 10000
    beta_vae_num_eval: int = 5000
    factor_vae_num_train: int = 10000
    factor_vae_num_eval: int = 5000
    factor_vae_num_variance_estimate: int = 10000
    score_batch_size: int = 64
    fairness_num_test_points_per_class: int = 100
    fairness_n_estimators: int = 100
    flatness_repeats: int = 1024
    linearity_repeats: int = 1024

    def __post_init__(self) -> None:
        minimum = {"factor_vae_num_variance_estimate": 2, "score_batch_size": 2}
        for field in dataclasses.fields(self):
            value = check_int(
                getattr(self, field.name), field.name, minimum=minimum.get(field.name, 1)
            )
            object.__setattr__(self, field.name, value)


def _check_metric_names(metrics: Iterable[str] | None) -> list[str]:
    if metrics is None:
        return list(METRIC_NAMES)
    if isinstance(metrics, str):
        raise TypeError(
            f"metrics must be an iterable of metric names such as [{metrics!r}], not a string"
        )
    selected = list(metrics)
    for name in selected:
        if not isinstance(name, str):
            raise TypeError(f"metric names must be strings; got {name!r} ({type(name).__name__})")
    unknown = sorted(set(selected) - set(METRIC_NAMES))
    if unknown:
        raise ValueError(f"unknown metric(s) {unknown}; choose from {list(METRIC_NAMES)}")
    return selected


def evaluate_representation(
    rep: Representation,
    data: GroundTruthDataLike,
    rng: np.random.Generator,
    *,
    metrics: Iterable[str] | None = None,
    sizes: MetricSizes | None = None,
    num_bins: int = 20,
    prune_threshold: float = 0.05,
    continuous_sap: bool = False,
    n_jobs: int | str | None = "auto",
) -> dict[str, float]:
    """Compute all metrics of the study for representation ``rep`` on data set ``data``.

    .. math:: s_m = m(\\mathrm{rep}, \\mathrm{data}; g_m), \\qquad
              (g_m)_{m} = \\mathrm{rng.spawn}(|\\mathtt{METRIC\\_NAMES}|)

    As in disentanglement_lib, every metric family draws its own samples (nothing is shared
    between metrics): ``rng`` spawns one independent child generator per family in the fixed
    order of :data:`METRIC_NAMES`, so a family's value does not depend on which other
    families are requested. Array-based metrics draw a training set of ``sizes.num_train``
    points and then (where needed) a test set of ``sizes.num_test`` points with
    :func:`~impossibility.metrics.sample_factors_and_codes` (mini-batches of
    ``sizes.sample_batch_size``).

    Families and the keys they add:

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
    ``irs``
        ``irs``, ``irs_num_active_dims`` (:func:`irs`, training set only, factors discretised
        into ``num_bins`` bins as in the reference).
    ``mcc``
        ``mcc_pearson``, ``mcc_spearman`` (:func:`mcc`, training set only, factors taken as
        numbers).
    ``fairness``
        ``fairness_mean``, ``fairness_max``: the paper's aggregate (mean over targets of the mean
        over sensitive factors) of the class-weighted mean and of the largest total variation
        (:func:`fairness`, boosted trees fitted in parallel with ``n_jobs``; the values do not
        depend on it).
    ``flatness``
        ``flatness`` (the main score, :math:`L_2` width over :math:`L_1` length),
        ``flatness_l2`` (:func:`flatness`).
    ``dci_es``
        ``dci_es_explicitness``, ``dci_es_size`` (:func:`dci_es`: regression-tree probes of
        2 to 1024 leaves, training and test set).
    ``linearity``
        ``linearity_axis_ratio``, ``linearity_linear_ratio``, ``linearity_axis_alignment``
        (:func:`linearity`, the linearity part of disent's factored components).

    Parameters
    ----------
    rep : callable
        Maps observations ``(n, ...)`` to codes ``(n, D)``.
    data : GroundTruthDataLike
        Provides ``num_factors``, ``factors_num_values``, ``sample_factors(n, rng)`` and
        ``sample_observations_from_factors(factors, rng)``.
    rng : numpy.random.Generator
    metrics : iterable of str, optional
        Subset of :data:`METRIC_NAMES` (default: all).
    sizes : MetricSizes, optional
        Every sample size (default ``MetricSizes()``: the study's sizes; all can be reduced).
    num_bins : int, default=20
        Histogram bins (MIG, modularity, mutual-information score, IRS's factors).
    prune_threshold : float, default=0.05
        FactorVAE score: codes with a smaller standard deviation are pruned.
    continuous_sap : bool, default=False
        Use SAP's squared-correlation mode (factors treated as numbers).
    n_jobs : int, "auto" or None, default="auto"
        Parallel classifier fits in DCI, discrete SAP and fairness (joblib): ``"auto"`` on the
        idle cores (each metric takes at most one worker per fit), ``None``/1 in this process,
        ``-1`` on all cores. DCI-ES gets ``None`` for ``"auto"`` (its probes take a second or
        two, less than starting worker processes). Values are identical for every ``n_jobs``.

    Returns
    -------
    dict of str to float
        JSON-able; integers are returned as floats for uniformity.

    Raises
    ------
    TypeError
        If ``rng`` is not a ``numpy.random.Generator``, ``sizes`` not a :class:`MetricSizes`,
        ``metrics`` a string, ``num_bins`` not an integer, ``n_jobs`` neither an integer,
        ``"auto"`` nor ``None``, ``data`` not a ``GroundTruthDataLike`` or ``rep`` not
        callable.
    ValueError
        For an unknown metric name, ``num_bins < 2``, a negative ``prune_threshold``, or a
        failure of any metric's input checks (e.g. a factor with a single value), with that
        metric's message.
    """
    rng = check_rng(rng)
    selected = _check_metric_names(metrics)
    if sizes is None:
        sizes = MetricSizes()
    elif not isinstance(sizes, MetricSizes):
        raise TypeError(
            f"sizes must be a MetricSizes (e.g. MetricSizes(num_train=1000)); got "
            f"{type(sizes).__name__}"
        )
    num_bins = check_int(num_bins, "num_bins", minimum=2)
    prune_threshold = check_scalar(prune_threshold, "prune_threshold", minimum=0.0)
    check_n_jobs_or_auto(n_jobs, 1)  # the type and value; each metric resolves "auto"
    k, _ = check_data(data)
    check_representation(rep)
    sz = sizes  # short name for the calls below
    children = dict(zip(METRIC_NAMES, rng.spawn(len(METRIC_NAMES)), strict=True))
    out: dict[str, float] = {}

    def draw(g: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        return _sample_factors_and_codes(data, rep, n, g, sz.sample_batch_size, k)

    for name in METRIC_NAMES:
        if name not in selected:
            continue
        g = children[name]
        if name == "beta_vae":
            s = _beta_vae_score(
                data, rep, g, k, sz.score_batch_size, sz.beta_vae_num_train, sz.beta_vae_num_eval
            )
            out["beta_vae_train_accuracy"] = s.train_accuracy
            out["beta_vae_eval_accuracy"] = s.eval_accuracy
        elif name == "factor_vae":
            s = _factor_vae_score(
                data,
                rep,
                g,
                k,
                sz.score_batch_size,
                sz.factor_vae_num_train,
                sz.factor_vae_num_eval,
                sz.factor_vae_num_variance_estimate,
                prune_threshold,
            )
            out["factor_vae_train_accuracy"] = s.train_accuracy
            out["factor_vae_eval_accuracy"] = s.eval_accuracy
            out["factor_vae_num_active_dims"] = float(s.num_active_dims or 0)
        elif name == "mig":
            z, y = draw(g, sz.num_train)
            out["mig"] = mig(z, y, num_bins=num_bins)
        elif name == "dci":
            z, y = draw(g, sz.num_train)
            zt, yt = draw(g, sz.num_test)
            out.update(dci(z, y, zt, yt, rng=g, n_jobs=n_jobs).as_dict())
        elif name == "sap":
            z, y = draw(g, sz.num_train)
            zt, yt = draw(g, sz.num_test)
            out["sap"] = sap(z, y, zt, yt, continuous_factors=continuous_sap, rng=g, n_jobs=n_jobs)
        elif name == "modularity_explicitness":
            z, y = draw(g, sz.num_train)
            zt, yt = draw(g, sz.num_test)
            out["modularity"] = modularity(z, y, num_bins=num_bins)
            out.update(explicitness(z, y, zt, yt).as_dict())
        elif name == "unsupervised":
            z, _ = draw(g, sz.num_train)
            out.update(unsupervised_scores(z, num_bins=num_bins))
        elif name == "irs":
            z, y = draw(g, sz.num_train)
            out.update(irs(z, y, num_bins=num_bins).as_dict())
        elif name == "mcc":
            z, y = draw(g, sz.num_train)
            out["mcc_pearson"] = mcc(z, y, method="pearson")
            out["mcc_spearman"] = mcc(z, y, method="spearman")
        elif name == "fairness":
            f = fairness(
                data,
                rep,
                g,
                num_train=sz.num_train,
                num_test_points_per_class=sz.fairness_num_test_points_per_class,
                batch_size=sz.sample_batch_size,
                n_estimators=sz.fairness_n_estimators,
                n_jobs=n_jobs,
            )
            out["fairness_mean"] = fairness_summary(f.mean_fairness, "f")["f:mean_pred:mean_sens"]
            out["fairness_max"] = fairness_summary(f.max_fairness, "f")["f:mean_pred:mean_sens"]
        elif name == "flatness":
            fl = flatness(data, rep, g, repeats=sz.flatness_repeats)
            out["flatness"] = fl["ave_flatness"]
            out["flatness_l2"] = fl["ave_flatness_l2"]
        elif name == "dci_es":
            z, y = draw(g, sz.num_train)
            zt, yt = draw(g, sz.num_test)
            es_jobs = None if n_jobs == "auto" else n_jobs
            out.update(dci_es(z, y, zt, yt, rng=g, n_jobs=es_jobs).as_dict())
        elif name == "linearity":
            lin = linearity(data, rep, g, repeats=sz.linearity_repeats)
            for key in ("axis_ratio", "linear_ratio", "axis_alignment"):
                out[f"linearity_{key}"] = lin[f"linearity.{key}.var"]
    return out
