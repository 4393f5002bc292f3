"""Separated Attribute Predictability (Kumar et al., 2018), as computed by disentanglement_lib.

.. math:: \\mathrm{SAP} = \\frac1K \\sum_{k=1}^K \\big(S_{(1)k} - S_{(2)k}\\big)

with :math:`S_{ik}` how well code :math:`i` alone predicts factor :math:`k` (test accuracy of a
linear classifier on that one code, or its squared correlation with a continuous factor), and
:math:`S_{(1)k} \\ge S_{(2)k}` the two largest entries of column :math:`k`: the score is high when
each factor is predicted by one code much better than by any other.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from impossibility._validation import as_array, check_rng, check_same_rows

from ._checks import (
    as_codes,
    as_split,
    check_two_classes,
    sklearn_seed,
)
from ._parallel import check_n_jobs_or_auto, parallel_map

__all__ = ["sap", "sap_score_matrix"]

#: Seconds per training point and one-vs-rest class of a one-code ``LinearSVC`` fit, measured
#: on 2 cores (5,333 points, 10 codes, 113 classes over the factors: 0.82 s); for ``"auto"``.
SECONDS_PER_POINT_CLASS = 1.5e-7


def _svc_accuracy(
    x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray, seed: int
) -> float:
    from sklearn.svm import LinearSVC

    clf = LinearSVC(C=0.01, class_weight="balanced", random_state=seed)
    clf.fit(x_train[:, None], y_train)
    return float(np.mean(clf.predict(x_test[:, None]) == y_test))


def sap_score_matrix(
    codes_train: ArrayLike,
    factors_train: ArrayLike,
    codes_test: ArrayLike | None = None,
    factors_test: ArrayLike | None = None,
    continuous_factors: bool = False,
    *,
    rng: np.random.Generator | None = None,
    n_jobs: int | str | None = "auto",
) -> np.ndarray:
    """The SAP score matrix :math:`S` of shape ``(D, K)``; see :func:`sap` for the definitions."""
    ztr = as_codes(codes_train, "codes_train", min_dims=2)
    check_n_jobs_or_auto(n_jobs, 1)  # the type and value; "auto" is resolved per task count
    if rng is not None:
        rng = check_rng(rng)
    if not isinstance(continuous_factors, (bool, np.bool_)):  # "no" would be truthy
        raise TypeError(f"continuous_factors must be True or False; got {continuous_factors!r}")
    if continuous_factors:
        ytr = as_array(factors_train, "factors_train", ndim=2)
        check_same_rows(codes_train=ztr, factors_train=ytr)
        n = ztr.shape[0]
        if n < 2:
            raise ValueError(f"continuous SAP needs at least 2 samples; got {n}")
        zc = ztr - ztr.mean(axis=0)
        yc = ytr - ytr.mean(axis=0)
        var_z = np.einsum("ni,ni->i", zc, zc) / (n - 1)
        var_y = np.einsum("nk,nk->k", yc, yc) / (n - 1)
        flat = np.flatnonzero(var_y == 0)
        if flat.size:
            raise ValueError(
                f"factor(s) {flat.tolist()} are constant: squared correlation undefined"
            )
        cov = zc.T @ yc / (n - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = cov**2 / (var_z[:, None] * var_y[None, :])
        s[var_z <= 1e-12, :] = 0.0
        return s

    if codes_test is None or factors_test is None:
        raise ValueError("discrete SAP needs codes_test and factors_test")
    ztr, ytr, zte, yte = as_split(codes_train, factors_train, codes_test, factors_test, min_dims=2)
    check_two_classes(ytr)
    d, m = ztr.shape[1], ytr.shape[1]
    if rng is None:
        seeds = np.zeros((d, m), dtype=np.int64)
    else:
        seeds = np.array([[sklearn_seed(rng) for _ in range(m)] for _ in range(d)])
    tasks = [
        (ztr[:, i], ytr[:, k], zte[:, i], yte[:, k], int(seeds[i, k]))
        for i in range(d)
        for k in range(m)
    ]
    # one-vs-rest: one binary problem per class, one for two classes
    sizes = (np.unique(ytr[:, k]).size for k in range(m))
    classes = sum(1 if c <= 2 else c for c in sizes)
    seconds = SECONDS_PER_POINT_CLASS * ztr.shape[0] * d * classes
    workers = check_n_jobs_or_auto(n_jobs, len(tasks), seconds)
    acc = parallel_map(_svc_accuracy, tasks, workers)
    return np.asarray(acc, dtype=np.float64).reshape(d, m)


def sap(
    codes_train: ArrayLike,
    factors_train: ArrayLike,
    codes_test: ArrayLike | None = None,
    factors_test: ArrayLike | None = None,
    continuous_factors: bool = False,
    *,
    rng: np.random.Generator | None = None,
    n_jobs: int | str | None = "auto",
) -> float:
    """SAP score: the gap in predictability between the two best codes, averaged over factors.

    .. math:: \\mathrm{SAP} = \\frac1K \\sum_{k=1}^K \\big(S_{(1)k} - S_{(2)k}\\big),

    with :math:`S_{(1)k} \\ge S_{(2)k}` the two largest entries of column :math:`k` of the score
    matrix :math:`S \\in \\mathbb R^{D \\times K}`:

    * ``continuous_factors=False`` (the study's setting): :math:`S_{ik}` is the **test**
      accuracy of ``LinearSVC(C=0.01, class_weight="balanced")`` (squared hinge, L2, one-vs-rest,
      intercept) fit on the single training code :math:`z_i` to predict :math:`y_k`.
    * ``continuous_factors=True``: :math:`S_{ik} = \\mathrm{Cov}(z_i, y_k)^2 /
      (\\mathrm{Var}\\, z_i\\, \\mathrm{Var}\\, y_k)` (squared Pearson correlation, ``ddof=1``)
      on the **training** set only (the test set is ignored, as in the reference), and
      :math:`S_{ik} = 0` when :math:`\\mathrm{Var}\\, z_i \\le 10^{-12}`.

    **Discrete SAP stays well below 1 even for a perfect code**, for two reasons.

    1. The gap subtracts the second-best code's accuracy, and a code that carries no
       information about :math:`y_k` still scores about the frequency of one class (a nearly
       constant prediction): about :math:`1/n` for a uniform factor with :math:`n` values, so
       a factor's term is at most about :math:`1 - 1/n` (0.5 for a binary factor).
    2. With many values, even the best code is poorly classified. Each one-vs-rest score
       :math:`w_c z + b_c` is linear in the single code, so a middle value ("class c vs the
       values on both sides") is not linearly separable from the rest, and its strongly
       regularised (C = 0.01) classifier is nearly flat. Only a few values (the two extremes
       and at most one or two in between) are ever predicted, so the best accuracy falls
       roughly like :math:`3/n`.

    Example, the noisy identity code of docs/metrics.md §10 (five uniform factors with 3, 6, 10, 8,
    4 values, 10,000 / 5,000 points; this implementation reproduces the reference exactly):
    best accuracies 1.0, 0.64, 0.249, 0.352, 0.999; second best 0.335, 0.169, 0.108, 0.135,
    0.262; gaps 0.665, 0.471, 0.140, 0.218, 0.736; SAP 0.446, while MIG is 0.958 on the same
    code. Factors with dozens of values (dSprites' 40 orientations, 32 positions) contribute
    almost nothing.

    Parameters
    ----------
    codes_train : array_like of shape (n_train, D)
        ``D >= 2``.
    factors_train : array_like of shape (n_train, K)
        Integer labels (discrete mode) or real values (continuous mode).
    codes_test, factors_test : array_like, optional
        Required in discrete mode, ignored in continuous mode.
    continuous_factors : bool, default=False
    rng : numpy.random.Generator, optional
        Source of the ``random_state`` passed to each ``LinearSVC`` (the reference leaves it
        unset, i.e. NumPy's global RNG). With one feature scikit-learn selects liblinear's primal
        solver, which is deterministic, so the value does not depend on it; ``None`` uses 0.
    n_jobs : int, "auto" or None, default="auto"
        Fit the :math:`D K` classifiers of discrete SAP in parallel with joblib: ``"auto"`` on
        the idle cores (the core count minus the other processes' load average; sequentially
        when the fits would take under a second, where starting workers costs more than it
        saves), ``None``/1
        sequentially, ``-1`` on all cores, other integers that many workers; one BLAS thread
        per fit. Worker processes: liblinear releases the GIL, but most of a one-feature fit's
        time is scikit-learn's Python code around it, so threads do not overlap (measured:
        two threads take longer than one). Select another backend with
        ``joblib.parallel_config``. Results are identical for every value.

    Returns
    -------
    float
        In ``[0, 1]``.

    Raises
    ------
    TypeError
        If codes or factors are not numeric, ``rng`` is neither ``None`` nor a
        ``numpy.random.Generator``, or ``n_jobs`` is neither an integer, ``"auto"`` nor
        ``None``.
    ValueError
        If ``n_jobs`` is 0, on bad shapes or values, ``D < 2``, a factor with a single value
        in the training set (discrete), or a constant factor (continuous).
    """
    s = sap_score_matrix(
        codes_train,
        factors_train,
        codes_test,
        factors_test,
        continuous_factors,
        rng=rng,
        n_jobs=n_jobs,
    )
    top = np.sort(s, axis=0)[::-1]
    return float(np.mean(top[0] - top[1]))
