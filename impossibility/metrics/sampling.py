"""Metrics that sample from a ground-truth data set: the BetaVAE and FactorVAE scores, and the
labelled samples :math:`(z, y)` the array-based metrics need.

.. math:: y \\sim p(y), \\qquad x \\sim p(x \\mid y), \\qquad z = \\mathrm{rep}(x)

A data set is any :class:`~impossibility._typing.GroundTruthDataLike`: factors are drawn first
(``sample_factors``), then observations for them (``sample_observations_from_factors``, which
may draw nuisance randomness), and the representation maps a batch of observations to codes
``(n, D)``. Randomness comes from the caller's ``numpy.random.Generator`` and several examples
are rendered and encoded per call, so the individual samples differ from disentanglement_lib's
(which uses a ``RandomState`` and one call per example) while their distribution is the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from impossibility._typing import GroundTruthDataLike, Representation
from impossibility._validation import as_array, check_finite, check_int, check_rng, check_scalar

from ._checks import check_data, check_representation, sklearn_seed

__all__ = [
    "sample_factors_and_codes",
    "beta_vae_score",
    "factor_vae_score",
    "SamplingScore",
]

# Rows (observations) encoded per call of the representation function.
_ROWS_PER_CALL = 1024


@dataclass(frozen=True)
class SamplingScore:
    """Result of :func:`beta_vae_score` or :func:`factor_vae_score`.

    Attributes
    ----------
    train_accuracy, eval_accuracy : float
        Accuracy of the classifier on its training examples and on fresh evaluation examples
        (``eval_accuracy`` is the score).
    num_active_dims : int or None
        FactorVAE score only: the number of codes kept after pruning (the reference reports
        the total number of codes here).
    """

    train_accuracy: float
    eval_accuracy: float
    num_active_dims: int | None = None


def _sample_factors(
    data: GroundTruthDataLike, num: int, rng: np.random.Generator, k: int
) -> np.ndarray:
    y = np.asarray(data.sample_factors(num, rng))
    if y.shape != (num, k):
        raise ValueError(
            f"data.sample_factors({num}, rng) returned shape {y.shape}; expected ({num}, {k})"
        )
    return y


def _encode(rep: Representation, x: np.ndarray) -> np.ndarray:
    """Apply ``rep`` to ``x`` in calls of at most ``_ROWS_PER_CALL`` rows; check the output."""
    n = x.shape[0]
    parts = []
    for start in range(0, n, _ROWS_PER_CALL):
        chunk = x[start : start + _ROWS_PER_CALL]
        out = as_array(rep(chunk), "rep(x)", finite=False)
        if out.ndim != 2 or out.shape[0] != chunk.shape[0]:
            raise ValueError(
                f"rep must map {chunk.shape[0]} observations to an array of shape "
                f"({chunk.shape[0]}, D); got shape {out.shape}"
            )
        parts.append(check_finite(out, "rep(x)"))
    return np.concatenate(parts, axis=0)


def _observe_and_encode(
    data: GroundTruthDataLike, rep: Representation, factors: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    x = np.asarray(data.sample_observations_from_factors(factors, rng))
    if x.shape[0] != factors.shape[0]:
        raise ValueError(
            f"data.sample_observations_from_factors returned {x.shape[0]} observations for "
            f"{factors.shape[0]} factor rows"
        )
    return _encode(rep, x)


def sample_factors_and_codes(
    data: GroundTruthDataLike,
    rep: Representation,
    num: int,
    rng: np.random.Generator,
    batch_size: int = 16,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``num`` labelled points: factors, then observations, then codes, per mini-batch.

    Mirrors the reference's ``generate_batch_factor_code``: mini-batches of
    ``min(batch_size, remaining)`` points (16 in every study configuration), each drawn as
    factors, then observations, then ``rep`` applied to that mini-batch.

    Returns
    -------
    codes : ndarray of shape (num, D)
    factors : ndarray of int64, shape (num, K)

    Raises
    ------
    TypeError, ValueError
        As :func:`beta_vae_score`.
    """
    rng = check_rng(rng)
    num = check_int(num, "num", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    k, _ = check_data(data)
    check_representation(rep)
    return _sample_factors_and_codes(data, rep, num, rng, batch_size, k)


def _sample_factors_and_codes(
    data: GroundTruthDataLike,
    rep: Representation,
    num: int,
    rng: np.random.Generator,
    batch_size: int,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    codes, factors = [], []
    done = 0
    while done < num:
        b = min(batch_size, num - done)
        y = _sample_factors(data, b, rng, k)
        codes.append(_observe_and_encode(data, rep, y, rng))
        factors.append(y)
        done += b
    return np.concatenate(codes, axis=0), np.concatenate(factors, axis=0).astype(np.int64)


def _examples_per_chunk(batch_size: int, pairs: int) -> int:
    return max(1, _ROWS_PER_CALL // (batch_size * pairs))


def _beta_vae_examples(
    data: GroundTruthDataLike,
    rep: Representation,
    num: int,
    batch_size: int,
    rng: np.random.Generator,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    feats, labels = [], []
    per_chunk = _examples_per_chunk(batch_size, 2)
    done = 0
    while done < num:
        e = min(per_chunk, num - done)
        ks = rng.integers(0, k, size=e)
        y1 = _sample_factors(data, e * batch_size, rng, k).reshape(e, batch_size, k)
        y2 = _sample_factors(data, e * batch_size, rng, k).reshape(e, batch_size, k)
        rows = np.arange(e)
        y2[rows, :, ks] = y1[rows, :, ks]
        r1 = _observe_and_encode(data, rep, y1.reshape(-1, k), rng)
        r2 = _observe_and_encode(data, rep, y2.reshape(-1, k), rng)
        d = r1.shape[1]
        feats.append(np.mean(np.abs(r1 - r2).reshape(e, batch_size, d), axis=1))
        labels.append(ks)
        done += e
    return np.concatenate(feats), np.concatenate(labels)


def beta_vae_score(
    data: GroundTruthDataLike,
    rep: Representation,
    rng: np.random.Generator,
    *,
    batch_size: int = 64,
    num_train: int = 10000,
    num_eval: int = 5000,
) -> SamplingScore:
    """BetaVAE score (Higgins et al., 2017), as in disentanglement_lib's ``beta_vae_sklearn``.

    One example: draw a factor index :math:`k` uniformly; draw two batches of ``batch_size``
    factor vectors :math:`y^{1}, y^{2}` and copy factor :math:`k` of :math:`y^{1}` into
    :math:`y^{2}` (pair :math:`r` shares factor :math:`k`, the shared value varies over pairs);
    render and encode both; the feature is

    .. math:: \\phi = \\frac{1}{B} \\sum_{r=1}^{B} \\big| \\mathrm{rep}(x^{1}_r) -
              \\mathrm{rep}(x^{2}_r) \\big| \\in \\mathbb R^D

    and the label is :math:`k`. A scikit-learn ``LogisticRegression`` (default settings:
    lbfgs, multinomial, :math:`C = 1`, 100 iterations) is trained on ``num_train`` examples; the
    score is its accuracy on ``num_eval`` fresh examples. Defaults are the study's (64, 10,000,
    5,000). The classifier's ``random_state`` is drawn from ``rng`` (the reference passes its
    RandomState; lbfgs does not use it).

    Parameters
    ----------
    data : GroundTruthDataLike
    rep : callable
        Maps observations ``(n, ...)`` to codes ``(n, D)``.
    rng : numpy.random.Generator
    batch_size, num_train, num_eval : int
        Pairs per example, training and evaluation examples.

    Returns
    -------
    SamplingScore
        ``train_accuracy`` and ``eval_accuracy`` (the score), both in ``[0, 1]``.

    Raises
    ------
    TypeError
        If ``rng`` is not a ``numpy.random.Generator``, a size is not an integer, ``data``
        lacks a method or attribute of ``GroundTruthDataLike`` or ``rep`` is not callable.
    ValueError
        On a size below 1, inconsistent data attributes, ``rep`` output of the wrong shape or
        non-finite, or if the training examples contain fewer than 2 distinct labels
        (e.g. ``K = 1``).
    """
    rng = check_rng(rng)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    num_train = check_int(num_train, "num_train", minimum=1)
    num_eval = check_int(num_eval, "num_eval", minimum=1)
    k, _ = check_data(data)
    check_representation(rep)
    return _beta_vae_score(data, rep, rng, k, batch_size, num_train, num_eval)


def _beta_vae_score(
    data: GroundTruthDataLike,
    rep: Representation,
    rng: np.random.Generator,
    k: int,
    batch_size: int,
    num_train: int,
    num_eval: int,
) -> SamplingScore:
    from sklearn.linear_model import LogisticRegression

    x_train, y_train = _beta_vae_examples(data, rep, num_train, batch_size, rng, k)
    if np.unique(y_train).size < 2:
        raise ValueError(
            f"the {num_train} training examples cover only factor(s) {np.unique(y_train).tolist()};"
            " the BetaVAE score needs at least 2 factors and enough examples"
        )
    model = LogisticRegression(random_state=sklearn_seed(rng))
    model.fit(x_train, y_train)
    train_acc = float(np.mean(model.predict(x_train) == y_train))
    x_eval, y_eval = _beta_vae_examples(data, rep, num_eval, batch_size, rng, k)
    eval_acc = float(np.mean(model.predict(x_eval) == y_eval))
    return SamplingScore(train_acc, eval_acc)


def _factor_vae_votes(
    data: GroundTruthDataLike,
    rep: Representation,
    num: int,
    batch_size: int,
    rng: np.random.Generator,
    k: int,
    global_var: np.ndarray,
    active: np.ndarray,
) -> np.ndarray:
    votes = np.zeros((k, global_var.size), dtype=np.int64)
    active_idx = np.flatnonzero(active)
    per_chunk = _examples_per_chunk(batch_size, 1)
    done = 0
    while done < num:
        e = min(per_chunk, num - done)
        ks = rng.integers(0, k, size=e)
        y = _sample_factors(data, e * batch_size, rng, k).reshape(e, batch_size, k)
        rows = np.arange(e)
        y[rows, :, ks] = y[rows, 0, ks][:, None]
        r = _observe_and_encode(data, rep, y.reshape(-1, k), rng)
        r = r.reshape(e, batch_size, -1)
        local_var = np.var(r, axis=1, ddof=1)
        ratio = local_var[:, active_idx] / global_var[active_idx][None, :]
        dims = active_idx[np.argmin(ratio, axis=1)]
        np.add.at(votes, (ks, dims), 1)
        done += e
    return votes


def factor_vae_score(
    data: GroundTruthDataLike,
    rep: Representation,
    rng: np.random.Generator,
    *,
    batch_size: int = 64,
    num_train: int = 10000,
    num_eval: int = 5000,
    num_variance_estimate: int = 10000,
    prune_threshold: float = 0.05,
) -> SamplingScore:
    """FactorVAE score (Kim & Mnih, 2018), as in disentanglement_lib's ``factor_vae_score``.

    1. Global scale: encode ``num_variance_estimate`` random observations and take the sample
       variances :math:`s_j^2` (``ddof=1``) of the codes.
    2. Pruning of collapsed codes: only codes with :math:`s_j \\ge` ``prune_threshold`` (a
       standard deviation; 0.05 in the study) are *active*. With none active, both accuracies
       are 0.
    3. One vote: draw :math:`k` uniformly, draw ``batch_size`` factor vectors and set factor
       :math:`k` of all of them to the first one's value; render, encode, take per-code
       sample variances :math:`v_j` (``ddof=1``) and vote for
       :math:`(k, \\arg\\min_{j \\text{ active}} v_j / s_j^2)`.
    4. The votes of ``num_train`` examples form a count matrix
       :math:`V \\in \\mathbb N^{K\\times D}`; the majority-vote classifier maps code
       :math:`j` to :math:`c(j) = \\arg\\max_k V_{kj}` (ties to the lowest :math:`k`); train
       accuracy :math:`= \\sum_j V_{c(j) j} / \\sum V`.
    5. The score (eval accuracy) is the same ratio on ``num_eval`` fresh votes :math:`V'` with
       :math:`c` from the training votes.

    Differences from the reference: votes are indexed by the original code index (the
    reference indexes the active subset; the accuracies are the same),
    ``num_active_dims`` is the number of active codes (the reference reports :math:`D`), and a
    code with zero variance is never active, even with ``prune_threshold=0`` (the reference
    would divide by zero).

    Parameters
    ----------
    data : GroundTruthDataLike
    rep : callable
        Maps observations ``(n, ...)`` to codes ``(n, D)``.
    rng : numpy.random.Generator
    batch_size : int, default=64
        Points per vote; must be >= 2 for a sample variance.
    num_train, num_eval, num_variance_estimate : int
    prune_threshold : float, default=0.05

    Returns
    -------
    SamplingScore
        ``train_accuracy``, ``eval_accuracy`` (the score) and ``num_active_dims``.

    Raises
    ------
    TypeError, ValueError
        As :func:`beta_vae_score`; also ``batch_size`` or ``num_variance_estimate`` below 2
        (sample variances) and a negative or non-finite ``prune_threshold``.
    """
    rng = check_rng(rng)
    batch_size = check_int(batch_size, "batch_size", minimum=2)
    num_train = check_int(num_train, "num_train", minimum=1)
    num_eval = check_int(num_eval, "num_eval", minimum=1)
    num_variance_estimate = check_int(num_variance_estimate, "num_variance_estimate", minimum=2)
    prune_threshold = check_scalar(prune_threshold, "prune_threshold", minimum=0.0)
    k, _ = check_data(data)
    check_representation(rep)
    return _factor_vae_score(
        data, rep, rng, k, batch_size, num_train, num_eval, num_variance_estimate, prune_threshold
    )


def _factor_vae_score(
    data: GroundTruthDataLike,
    rep: Representation,
    rng: np.random.Generator,
    k: int,
    batch_size: int,
    num_train: int,
    num_eval: int,
    num_variance_estimate: int,
    prune_threshold: float,
) -> SamplingScore:
    y = _sample_factors(data, num_variance_estimate, rng, k)
    codes = _observe_and_encode(data, rep, y, rng)
    global_var = np.var(codes, axis=0, ddof=1)
    active = np.sqrt(global_var) >= prune_threshold
    active &= global_var > 0  # a zero-variance code can never be divided by
    if not active.any():
        return SamplingScore(0.0, 0.0, 0)
    train_votes = _factor_vae_votes(data, rep, num_train, batch_size, rng, k, global_var, active)
    classifier = np.argmax(train_votes, axis=0)
    cols = np.arange(global_var.size)
    train_acc = float(train_votes[classifier, cols].sum() / train_votes.sum())
    eval_votes = _factor_vae_votes(data, rep, num_eval, batch_size, rng, k, global_var, active)
    eval_acc = float(eval_votes[classifier, cols].sum() / eval_votes.sum())
    return SamplingScore(train_acc, eval_acc, int(active.sum()))
