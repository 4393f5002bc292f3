"""Unfairness of classifiers trained on a representation (Locatello et al., 2019, "On the
fairness of disentangled representations"), as computed by disentanglement_lib.

.. math:: U_{ij} = \\sum_c \\frac{n_c}{\\sum_{c'} n_{c'}}\\,
          \\mathrm{TV}\\big(p(\\hat y_i \\mid \\mathrm{do}(y_j = c)),\\; p(\\hat y_i)\\big),
          \\qquad \\mathrm{unfairness} = \\operatorname{mean}_{i}\\operatorname{mean}_{j \\ne i}
          U_{ij}

A classifier :math:`\\hat y_i` of target factor :math:`i` is trained on the codes; intervening
on a *sensitive* factor :math:`j` (setting it to each of its values :math:`c` in otherwise
random factor vectors) should not change the distribution of its predictions. :math:`U_{ij}`
is the total-variation distance of the prediction distribution under :math:`\\mathrm{do}(y_j=c)`
to the pooled one, averaged over :math:`c` (docs/metrics.md §2.10).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike

from impossibility._typing import GroundTruthDataLike, Representation
from impossibility._validation import check_int, check_rng

from ._checks import check_data, check_representation, check_two_classes
from ._parallel import check_n_jobs_or_auto, parallel_map
from .sampling import _observe_and_encode, _sample_factors, _sample_factors_and_codes

__all__ = ["FairnessScores", "fairness", "inter_group_fairness", "fairness_summary"]


def inter_group_fairness(counts: ArrayLike) -> tuple[float, float]:
    """Mean and largest total-variation distance of per-group prediction distributions.

    ``counts[a, c]`` is how often class :math:`a` is predicted under :math:`\\mathrm{do}(y_j=c)`.
    With :math:`p_{\\cdot c}` the column distributions, :math:`\\bar p` the pooled one and
    :math:`n_c` the column totals,

    .. math:: \\mathrm{TV}_c = \\tfrac12 \\sum_a |p_{ac} - \\bar p_a|, \\qquad
              \\Big(\\sum_c \\frac{n_c}{\\sum n}\\mathrm{TV}_c,\\; \\max_c \\mathrm{TV}_c\\Big).

    The distributions are formed in single precision, as in the reference, so the values are
    the reference's bit for bit.

    Raises
    ------
    ValueError
        If ``counts`` is not a 2-D array of non-negative integers with a positive total in every
        column.
    """
    # C order as the reference's array: float32 sums then round in the same order
    c = np.ascontiguousarray(counts)
    if c.ndim != 2 or c.dtype.kind not in "iu" or c.size == 0 or (c < 0).any():
        raise ValueError(
            f"counts must be a non-empty 2-D array of non-negative integers; got {c.dtype} "
            f"of shape {c.shape}"
        )
    per_group = c.sum(axis=0)
    if (per_group == 0).any():
        raise ValueError(f"every sensitive class needs predictions; column totals {per_group}")
    pooled = c.sum(axis=1, dtype=np.float32)
    pooled /= pooled.sum()
    p = c.astype(np.float32)
    p /= per_group[None, :]
    tv = np.abs(p - pooled[:, None]).sum(axis=0) / 2.0
    weighted = tv * per_group
    weighted /= per_group.sum()
    return float(np.sum(weighted)), float(np.max(tv))


def fairness_summary(matrix: ArrayLike, prefix: str) -> dict[str, float]:
    """The reference's summary of a ``(K, K)`` unfairness matrix (diagonal ignored).

    Keys ``{prefix}:pred{i}:sens{j}``; per target ``{prefix}:pred{i}:mean_sens`` / ``max_sens``;
    per sensitive factor ``{prefix}:sens{j}:mean_pred`` / ``max_pred``; and the eight
    aggregates ``{prefix}:{mean,max}_sens:{mean,max}_pred`` (mean or max over sensitive factors
    of the per-sensitive means or maxima) and ``{prefix}:{mean,max}_pred:{mean,max}_sens``. The
    paper's score is ``mean_fairness:mean_pred:mean_sens``.
    """
    m = np.asarray(matrix, dtype=np.float64)
    k = m.shape[0]
    off = ~np.eye(k, dtype=bool)
    out: dict[str, float] = {}
    for i in range(k):
        for j in range(k):
            if i != j:
                out[f"{prefix}:pred{i}:sens{j}"] = float(m[i, j])
    rows = [m[i, off[i]] for i in range(k)]
    cols = [m[off[:, j], j] for j in range(k)]
    for name, side, other in (("pred", rows, "sens"), ("sens", cols, "pred")):
        for i, v in enumerate(side):
            out[f"{prefix}:{name}{i}:mean_{other}"] = float(np.mean(v))
            out[f"{prefix}:{name}{i}:max_{other}"] = float(np.max(v))
    for name, side, other in (("sens", cols, "pred"), ("pred", rows, "sens")):
        means = [np.mean(v) for v in side]
        maxs = [np.max(v) for v in side]
        out[f"{prefix}:mean_{name}:mean_{other}"] = float(np.mean(means))
        out[f"{prefix}:mean_{name}:max_{other}"] = float(np.mean(maxs))
        out[f"{prefix}:max_{name}:mean_{other}"] = float(np.max(means))
        out[f"{prefix}:max_{name}:max_{other}"] = float(np.max(maxs))
    return out


@dataclasses.dataclass(frozen=True)
class FairnessScores:
    """Result of :func:`fairness`.

    Attributes
    ----------
    mean_fairness, max_fairness : ndarray of shape (K, K)
        ``[i, j]``: mean (class-weighted) and largest total variation of target ``i``'s
        predictions under interventions on sensitive factor ``j``; 0 on the diagonal.
    """

    mean_fairness: np.ndarray
    max_fairness: np.ndarray

    @property
    def unfairness(self) -> float:
        """The paper's score: mean over targets of the mean over sensitive factors."""
        return fairness_summary(self.mean_fairness, "m")["m:mean_pred:mean_sens"]

    def as_dict(self) -> dict[str, float]:
        """Every key of the reference (``mean_fairness:…`` and ``max_fairness:…``)."""
        return {
            **fairness_summary(self.mean_fairness, "mean_fairness"),
            **fairness_summary(self.max_fairness, "max_fairness"),
        }


def _check_fit_args(
    rng: np.random.Generator,
    data: GroundTruthDataLike,
    rep: Representation,
    n_estimators: int,
    n_jobs: int | str | None,
    what: str,
) -> tuple[np.random.Generator, int, int | None, int, list[int]]:
    """Checks shared by the scores that fit boosted trees per factor on sampled codes
    (``n_jobs="auto"``: one worker per idle core, at most one per factor)."""
    rng = check_rng(rng)
    n_estimators = check_int(n_estimators, "n_estimators", minimum=1)
    k, sizes = check_data(data)
    n_jobs = check_n_jobs_or_auto(n_jobs, k)
    check_representation(rep)
    if k < 2:
        raise ValueError(f"{what} needs at least 2 factors; got {k}")
    return rng, n_estimators, n_jobs, k, sizes


def _fit(z: np.ndarray, y: np.ndarray, seed: int, n_estimators: int):  # noqa: ANN202
    from sklearn.ensemble import GradientBoostingClassifier

    return GradientBoostingClassifier(n_estimators=n_estimators, random_state=seed).fit(z, y)


def fairness(
    data: GroundTruthDataLike,
    rep: Representation,
    rng: np.random.Generator,
    *,
    num_train: int = 10000,
    num_test_points_per_class: int = 100,
    batch_size: int = 16,
    n_estimators: int = 100,
    n_jobs: int | str | None = "auto",
) -> FairnessScores:
    """Unfairness of gradient-boosted classifiers trained on ``rep``'s codes.

    1. Draw ``num_train`` labelled points (mini-batches of ``batch_size``) and fit, for every
       factor :math:`i`, ``GradientBoostingClassifier(n_estimators)`` (scikit-learn defaults
       otherwise; ``random_state`` drawn from ``rng``) on the codes.
    2. For every ordered pair :math:`i \\ne j`: draw ``num_test_points_per_class`` factor
       vectors; for each value :math:`c` of factor :math:`j` set :math:`y_j = c` in all of
       them, render, encode and predict :math:`y_i`; count predictions per class and value.
    3. :math:`U_{ij}`, the class-weighted mean, and the largest total variation
       (:func:`inter_group_fairness`).

    Defaults are the reference's (``fairness.gin``: 10000 training points, 100 test points per
    class, boosted trees). Its sampling draws from a ``RandomState``, ours from ``rng``, so the
    two agree in distribution, not sample by sample; everything after the counts is the
    reference's arithmetic. Where the reference predicts once per class value, all values of
    one pair are rendered, encoded and predicted together.

    Cost: :math:`K` boosted-tree fits on ``num_train`` points, the fit of a factor with
    :math:`n_i \\ge 3` values growing :math:`n_i` trees per stage (one for 2 values); then
    :math:`\\sum_{i \\ne j} n_j` ``num_test_points_per_class`` renderings, encodings and
    predictions, in :math:`K(K-1)` prediction calls. The fits are over 99 % of the time at the
    defaults; with ``n_jobs="auto"`` (the default) they run on as many worker processes as
    cores are idle (none idle: in this process), costliest first, one BLAS thread each, so
    with :math:`w` workers the time is about the longest-processing-time makespan of the
    per-factor costs (about 0.55 of the sequential time for two workers and the sizes
    3, 6, 10, 8, 4). ``n_jobs`` is joblib's otherwise (``None``/1: this process, ``-1``: all
    cores); each factor's seed is drawn before any fit, so the values do not depend on it.

    Returns
    -------
    FairnessScores

    Raises
    ------
    TypeError
        For a ``data`` without the ground-truth interface, a non-callable ``rep``, a ``rng``
        that is not a Generator, or non-integer sizes.
    ValueError
        For sizes below 1, fewer than 2 factors, a factor that takes one value in the training
        set, non-finite codes, or a prediction outside ``0 .. n_i - 1``.
    """
    rng, n_estimators, n_jobs, k, sizes = _check_fit_args(
        rng, data, rep, n_estimators, n_jobs, "fairness (a target and a sensitive factor)"
    )
    num_train = check_int(num_train, "num_train", minimum=1)
    per_class = check_int(num_test_points_per_class, "num_test_points_per_class", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    z, y = _sample_factors_and_codes(data, rep, num_train, rng, batch_size, k)
    check_two_classes(y)
    seeds = [int(rng.integers(2**31 - 1)) for _ in range(k)]
    cost = [sizes[i] if sizes[i] > 2 else 1 for i in range(k)]  # trees per stage
    models = parallel_map(
        _fit, [(z, y[:, i], seeds[i], n_estimators) for i in range(k)], n_jobs, costs=cost
    )
    mean_f, max_f = np.zeros((k, k)), np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            if i == j:
                continue
            base = _sample_factors(data, per_class, rng, k)
            factors = np.tile(base, (sizes[j], 1))
            values = np.repeat(np.arange(sizes[j]), per_class)
            factors[:, j] = values
            pred = np.asarray(models[i].predict(_observe_and_encode(data, rep, factors, rng)))
            if pred.min() < 0 or pred.max() >= sizes[i]:
                raise ValueError(f"predictions of factor {i} fall outside 0..{sizes[i] - 1}")
            counts = np.bincount(values * sizes[i] + pred, minlength=sizes[i] * sizes[j])
            mean_f[i, j], max_f[i, j] = inter_group_fairness(counts.reshape(sizes[j], sizes[i]).T)
    return FairnessScores(mean_f, max_f)
