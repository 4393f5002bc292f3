"""Downstream-task accuracy of a representation, and DCI from the same boosted trees.

.. math:: \\mathrm{acc}_m(n) = \\frac1K \\sum_{k=1}^K \\frac{1}{n_{\\text{test}}}
          \\sum_{t=1}^{n_{\\text{test}}} \\mathbb 1\\big[\\hat y^{\\,m,n}_k(z_t) = y_{tk}\\big],
          \\qquad \\mathrm{efficiency}_m = \\frac{\\mathrm{acc}_m(n_{\\text{small}})}
          {\\mathrm{acc}_m(n_{\\text{train}})}

where :math:`\\hat y^{\\,m,n}_k` is a classifier of kind :math:`m` (logistic regression or
gradient-boosted trees) trained to predict factor :math:`k` from the first :math:`n` training
codes. This is the study's "is a disentangled code more useful downstream?" measurement: the
test accuracy with few and with all labels, their ratio (sample efficiency), and DCI
disentanglement and completeness from the all-labels trees' importances.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike

from impossibility._validation import check_int, check_rng

from ._checks import (
    as_split,
    check_dci_dims,
)
from ._parallel import boosting_seconds, check_n_jobs_or_auto, parallel_map
from .dci import dci_from_importance
from .explicitness import standardize

__all__ = ["downstream_scores"]


def downstream_scores(
    codes_train: ArrayLike,
    factors_train: ArrayLike,
    codes_test: ArrayLike,
    factors_test: ArrayLike,
    *,
    rng: np.random.Generator,
    small: int = 100,
    n_estimators: int = 20,
    n_jobs: int | str | None = "auto",
) -> dict[str, float | list[float]]:
    """Downstream accuracies with ``small`` and with all labels, and DCI from boosted trees.

    .. math:: \\mathrm{acc}_m(n) = \\frac1K \\sum_{k=1}^K \\mathrm{accuracy}_{\\text{test}}
              \\big(\\hat y^{\\,m,n}_k\\big), \\qquad
              \\mathrm{efficiency}_m = \\mathrm{acc}_m(n_{\\text{small}}) /
              \\mathrm{acc}_m(n_{\\text{train}})

    For each factor :math:`k` and each number of labels :math:`n \\in \\{` ``small``,
    :math:`n_{\\text{train}}\\}` (the first :math:`n` training rows):

    * ``lr``: ``LogisticRegression(max_iter=500)`` on codes standardised with the training mean
      and std (``impossibility.metrics.explicitness.standardize``);
    * ``gbt``: ``GradientBoostingClassifier(n_estimators=n_estimators)`` on the raw codes, with
      ``random_state = rng.integers(2**31 - 1)`` drawn just before each fit.

    Both are scored by accuracy on the whole test set. If the first :math:`n` labels of a factor
    take one value, no classifier is fit: both predict that value. DCI disentanglement and
    completeness (:func:`~impossibility.metrics.dci_from_importance`) use the importance matrix
    :math:`R_{ik} = |` ``feature_importances_`` :math:`|` of the all-labels trees (a column of
    zeros for a factor without a fit), and ``dci_informativeness_test`` is ``gbt_all``. The trees
    are smaller than :func:`~impossibility.metrics.dci`'s (``n_estimators`` stages instead of 100)
    and seeded differently, so the two DCI values differ.

    Parameters
    ----------
    codes_train, codes_test : array_like of shape (n_train, D), (n_test, D)
        ``D >= 2``.
    factors_train, factors_test : array_like of int, shape (n_train, K), (n_test, K)
        ``K >= 2``.
    rng : numpy.random.Generator
        Source of the trees' ``random_state`` (one draw per tree fit, factor by factor, small
        before all).
    small : int, default=100
        Labels of the "few labels" task, ``1 <= small <= n_train`` (the study's default).
    n_estimators : int, default=20
        Boosting stages of each tree classifier (the study's default).
    n_jobs : int, "auto" or None, default="auto"
        Fit the (up to) :math:`4K` classifiers in parallel with joblib: ``"auto"`` on the idle
        cores (the core count minus the other processes' load average; sequentially when the
        fits would take under a second), ``None``/1
        sequentially, ``-1`` on all cores, other integers that many workers; costliest first,
        in threads (as :func:`~impossibility.metrics.dci`), one BLAS thread per fit. The seeds are
        drawn before any fit, in the order above, so results are identical for every value.

    Returns
    -------
    dict
        ``dci_disentanglement``, ``dci_completeness``; ``lr_small``, ``lr_all``, ``gbt_small``,
        ``gbt_all`` (mean test accuracy over factors), each followed by ``<name>_per_factor``
        (a list of K accuracies); ``dci_informativeness_test``; ``lr_efficiency`` and
        ``gbt_efficiency`` (``<m>_small / <m>_all``, 0 when ``<m>_all`` is 0).

    Raises
    ------
    TypeError
        If codes or factors are not numeric, ``rng`` is not a ``numpy.random.Generator`` or
        ``small`` / ``n_estimators`` is not an integer, or ``n_jobs`` is neither an integer,
        ``"auto"`` nor ``None``.
    ValueError
        On bad shapes or values, ``D < 2`` or ``K < 2``, ``small`` outside
        ``[1, n_train]``, or ``n_jobs = 0``.
    """
    z_tr, y_tr, z_te, y_te = as_split(codes_train, factors_train, codes_test, factors_test)
    check_dci_dims(z_tr, y_tr)
    rng = check_rng(rng)
    small = check_int(small, "small", minimum=1, maximum=z_tr.shape[0])
    n_estimators = check_int(n_estimators, "n_estimators", minimum=1)
    K = y_tr.shape[1]
    classes = [np.unique(y_tr[:, k]).size for k in range(K)]
    seconds = boosting_seconds(small + z_tr.shape[0], classes, n_estimators)
    n_jobs = check_n_jobs_or_auto(n_jobs, 4 * K, seconds)

    s_tr, s_te = standardize(z_tr, z_te)
    # one task per (factor, labels, model); the trees' seeds are drawn here, factor by factor,
    # small before all, as the sequential loop drew them, so no value depends on n_jobs
    cells, lr_tasks, gbt_tasks = [], [], []
    for k in range(K):
        for n_lab, tag in ((small, "small"), (z_tr.shape[0], "all")):
            yk = y_tr[:n_lab, k]
            if np.unique(yk).size < 2:  # a classifier needs two classes: predict the only one
                cells.append((k, tag, float(np.mean(y_te[:, k] == yk[0]))))
                continue
            cells.append((k, tag, None))
            seed = int(rng.integers(2**31 - 1))
            lr_tasks.append((s_tr[:n_lab], yk, s_te, y_te[:, k]))
            gbt_tasks.append((z_tr[:n_lab], yk, z_te, y_te[:, k], n_estimators, seed))
    fns = [_lr_accuracy] * len(lr_tasks) + [_gbt_accuracy] * len(gbt_tasks)
    tasks = [(f, t) for f, t in zip(fns, lr_tasks + gbt_tasks, strict=True)]
    # boosting costs about n_estimators regression trees per class and stage, the logistic
    # regression a few hundred gradient steps at most: a rough proxy for dispatch order only
    costs = [
        t[0].shape[0] * np.unique(t[1]).size * (n_estimators if f is _gbt_accuracy else 1)
        for f, t in tasks
    ]
    done = iter(parallel_map(_call, tasks, n_jobs, costs=costs, prefer="threads"))
    lr_out = [next(done) for _ in lr_tasks]
    gbt_out = [next(done) for _ in gbt_tasks]

    importance = np.zeros((z_tr.shape[1], K))
    acc: dict[str, list[float]] = {f"{m}_{n}": [] for m in ("lr", "gbt") for n in ("small", "all")}
    fitted = 0
    for k, tag, constant in cells:
        if constant is not None:
            acc[f"lr_{tag}"].append(constant)
            acc[f"gbt_{tag}"].append(constant)
            continue
        acc[f"lr_{tag}"].append(lr_out[fitted])
        acc[f"gbt_{tag}"].append(gbt_out[fitted][0])
        if tag == "all":
            importance[:, k] = gbt_out[fitted][1]
        fitted += 1
    dis, comp = dci_from_importance(importance)
    mean = {name: float(np.mean(values)) for name, values in acc.items()}
    out: dict[str, float | list[float]] = {"dci_disentanglement": dis, "dci_completeness": comp}
    for name, values in acc.items():
        out[name] = mean[name]
        out[name + "_per_factor"] = values
    out["dci_informativeness_test"] = mean["gbt_all"]
    for m in ("lr", "gbt"):
        out[f"{m}_efficiency"] = (
            mean[f"{m}_small"] / mean[f"{m}_all"] if mean[f"{m}_all"] > 0 else 0.0
        )
    return out


def _call(fn: Callable[..., Any], args: tuple) -> Any:
    return fn(*args)


def _lr_accuracy(x: np.ndarray, y: np.ndarray, x_test: np.ndarray, y_test: np.ndarray) -> float:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(max_iter=500).fit(x, y)
    return float(np.mean(lr.predict(x_test) == y_test))


def _gbt_accuracy(
    x: np.ndarray, y: np.ndarray, x_test: np.ndarray, y_test: np.ndarray, n_est: int, seed: int
) -> tuple[float, np.ndarray]:
    from sklearn.ensemble import GradientBoostingClassifier

    gbt = GradientBoostingClassifier(n_estimators=n_est, random_state=seed).fit(x, y)
    return float(np.mean(gbt.predict(x_test) == y_test)), np.abs(gbt.feature_importances_)
