"""Strong generalisation of downstream classifiers under a covariate shift, as in
disentanglement_lib's ``strong_downstream_task``.

.. math:: \\mathrm{gap}(n) = 1 - \\frac{\\overline{\\mathrm{acc}}_{\\text{strong}}(n)}
          {\\overline{\\mathrm{acc}}(n)}

:math:`\\overline{\\mathrm{acc}}(n)` is the mean test accuracy over factors of boosted trees
trained on :math:`n` labelled codes. For the *strong* accuracy, another factor :math:`j` is
fixed to one value :math:`v` in the whole training set and the test set takes only the other
values: the classifier must extrapolate to values of :math:`j` it never saw. In the
interpolation variant (this package's addition) an interior value of :math:`j` is held out of
training and is the only one tested. A representation that separates the factors keeps the
accuracy (gap near 0) (docs/metrics.md §2.11).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from impossibility._typing import GroundTruthDataLike, Representation
from impossibility._validation import check_choice, check_int, check_rng

from ._parallel import boosting_seconds, check_n_jobs_or_auto, parallel_map
from .fairness import _check_fit_args
from .sampling import _observe_and_encode, _sample_factors

__all__ = ["intervene", "strong_downstream"]


def intervene(
    factors_train: np.ndarray,
    factors_test: np.ndarray,
    target: int,
    sizes: Sequence[int],
    rng: np.random.Generator,
    *,
    split: str = "extrapolation",
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Shift another factor between training and test: extrapolation or interpolation.

    ``"extrapolation"`` (the reference's): a factor :math:`j \\ne` ``target`` with
    :math:`n_j \\ge 2` values is chosen uniformly, then a value :math:`v` of it; the training
    copy gets :math:`y_j = v` everywhere, the test copy values drawn uniformly from the other
    :math:`n_j - 1`, so the test set lies outside the training range of :math:`j`.

    ``"interpolation"`` (this package's addition): :math:`j` is chosen among the other factors
    with :math:`n_j \\ge 3` values and :math:`v` among its *interior* values
    :math:`1, \\dots, n_j - 2`; the training copy gets values drawn uniformly from the other
    :math:`n_j - 1` and the test copy :math:`y_j = v` everywhere, so the test points fall in a
    gap inside the training range of :math:`j`.

    Returns both copies, :math:`j` and :math:`v`.

    Raises
    ------
    ValueError
        For an unknown ``split``, or if no other factor has enough values (2, or 3 for
        interpolation).
    """
    rng = check_rng(rng)
    split = check_choice(split, "split", ("extrapolation", "interpolation"))
    least = 2 if split == "extrapolation" else 3
    others = [j for j in range(len(sizes)) if j != target and sizes[j] >= least]
    if not others:
        raise ValueError(
            f"no factor other than {target} takes {least} or more values: nothing to "
            f"intervene on for the {split} split"
        )
    j = int(others[rng.integers(len(others))])
    train, test = factors_train.copy(), factors_test.copy()
    if split == "extrapolation":
        v = int(rng.integers(sizes[j]))
        fixed, spread = train, test
    else:
        v = 1 + int(rng.integers(sizes[j] - 2))
        fixed, spread = test, train
    fixed[:, j] = v
    rest = rng.integers(sizes[j] - 1, size=spread.shape[0])
    spread[:, j] = rest + (rest >= v)  # uniform over the values other than v
    return train, test, j, v


def _accuracies(
    ztr: np.ndarray, ytr: np.ndarray, zte: np.ndarray, yte: np.ndarray, seed: int, n_est: int
) -> tuple[float, float]:
    from sklearn.ensemble import GradientBoostingClassifier

    if np.unique(ytr).size < 2:  # one class seen: every prediction is that class
        return 1.0, float(np.mean(yte == ytr[0]))
    model = GradientBoostingClassifier(n_estimators=n_est, random_state=seed).fit(ztr, ytr)
    return float(np.mean(model.predict(ztr) == ytr)), float(np.mean(model.predict(zte) == yte))


def strong_downstream(
    data: GroundTruthDataLike,
    rep: Representation,
    rng: np.random.Generator,
    *,
    num_train: Sequence[int] = (10, 100, 1000, 10000),
    num_test: int = 5000,
    n_experiment: int = 10,
    n_estimators: int = 100,
    n_jobs: int | str | None = "auto",
    split: str = "extrapolation",
) -> dict[str, float]:
    """Accuracy of boosted trees with and without a covariate shift in another factor.

    For each training size :math:`n` in ``num_train``: draw :math:`n` training and
    ``num_test`` test factor vectors, render and encode them, and fit one
    ``GradientBoostingClassifier(n_estimators)`` per factor (accuracies ``acc``). Then, for
    each factor :math:`i` and each of ``n_experiment`` repetitions, :func:`intervene` on
    another factor, re-render and re-encode both sets, fit a classifier of :math:`i` on the
    shifted training set and score it on the shifted test set (``acc_strong``). Keys, for
    each :math:`n`: ``{n}:mean_train_accuracy``, ``{n}:mean_test_accuracy``,
    ``{n}:mean_strong_train_accuracy``, ``{n}:mean_strong_test_accuracy`` and
    ``{n}:strong_generalization_gap`` :math:`= 1 - \\mathrm{acc}_{\\text{strong}} /
    \\mathrm{acc}`, as in the reference. A factor with a single value in a training set is
    predicted as that value instead of failing.

    ``split`` selects the shift (:func:`intervene`): ``"extrapolation"``, the reference's and
    the default (test values of the other factor never seen in training), or
    ``"interpolation"``, this package's addition (test points at an interior value of the
    other factor held out of training), with the same keys. ``n_jobs="auto"`` (the default) fits
    on the idle cores (in this process when a size's fits would take under a second), ``None``/1
    sequentially, ``-1`` on all cores, in threads (as :func:`~impossibility.metrics.dci`)
    with one BLAS thread each; the
    seeds are drawn before dispatch, so values never depend on ``n_jobs``.

    The reference draws the interventions from NumPy's global generator; everything here comes
    from ``rng``, so values agree with it in distribution. Defaults: the training sizes and test
    size of the study's downstream task, 10 repetitions, default boosted trees.

    Cost: per training size :math:`K(1 + \\texttt{n\\_experiment})` boosted-tree fits (in
    parallel with ``n_jobs``) and :math:`1 + K\\,\\texttt{n\\_experiment}` renderings and
    encodings of :math:`n +` ``num_test`` points.

    Raises
    ------
    TypeError
        For a ``data`` without the ground-truth interface, a non-callable ``rep``, a ``rng``
        that is not a Generator, non-integer sizes, or a ``split`` that is not a string.
    ValueError
        For sizes below 1, fewer than 2 factors, an unknown ``split``, no factor to intervene
        on, non-finite codes, or a test accuracy of 0 (the gap's denominator).
    """
    check_n_jobs_or_auto(n_jobs, 1)  # the type and value; "auto" is resolved per size below
    rng, n_estimators, _, k, sizes = _check_fit_args(
        rng, data, rep, n_estimators, None, "a covariate shift"
    )
    if isinstance(num_train, (int, np.integer)):
        num_train = [num_train]
    sizes_n = [check_int(n, "num_train", minimum=1) for n in num_train]
    num_test = check_int(num_test, "num_test", minimum=1)
    n_experiment = check_int(n_experiment, "n_experiment", minimum=1)
    split = check_choice(split, "split", ("extrapolation", "interpolation"))
    scores: dict[str, float] = {}
    for n in sizes_n:
        ytr, yte = _sample_factors(data, n, rng, k), _sample_factors(data, num_test, rng, k)
        ztr = _observe_and_encode(data, rep, ytr, rng)
        zte = _observe_and_encode(data, rep, yte, rng)
        tasks = [(ztr, ytr[:, i], zte, yte[:, i]) for i in range(k)]
        for i in range(k):
            for _ in range(n_experiment):
                a, b, _, _ = intervene(ytr, yte, i, sizes, rng, split=split)
                za = _observe_and_encode(data, rep, a, rng)
                tasks.append((za, a[:, i], _observe_and_encode(data, rep, b, rng), b[:, i]))
        seeds = rng.integers(2**31 - 1, size=len(tasks))
        jobs = [(*t, int(s), n_estimators) for t, s in zip(tasks, seeds, strict=True)]
        seconds = boosting_seconds(n, [sizes[i] for i in range(k)], n_estimators)
        workers = check_n_jobs_or_auto(n_jobs, len(jobs), seconds * (1 + n_experiment))
        acc = np.array(parallel_map(_accuracies, jobs, workers, prefer="threads"))
        plain, strong = acc[:k].mean(axis=0), acc[k:].mean(axis=0)
        if plain[1] == 0.0:
            raise ValueError(
                f"with {n} training points every factor's test accuracy is 0: the strong "
                "generalisation gap (a ratio to it) is undefined; use more training points"
            )
        scores[f"{n}:mean_train_accuracy"] = float(plain[0])
        scores[f"{n}:mean_test_accuracy"] = float(plain[1])
        scores[f"{n}:mean_strong_train_accuracy"] = float(strong[0])
        scores[f"{n}:mean_strong_test_accuracy"] = float(strong[1])
        scores[f"{n}:strong_generalization_gap"] = float(1.0 - strong[1] / plain[1])
    return scores
