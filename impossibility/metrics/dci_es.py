"""DCI-ES explicitness and size (Eastwood, Nicolicioiu, von Kügelgen, Kekić, Träuble, Dittadi
& Schölkopf, ICLR 2023), the extension of DCI (:mod:`impossibility.metrics.dci`).

.. math:: E_k = 1 - \\frac{\\mathrm{AULCC}_k}{Z_k}, \\qquad
          Z_k = (x_{\\max} - x_{\\min})(\\ell_b - \\ell^*), \\qquad
          S = \\frac{K}{D}

Explicitness asks how much *capacity* a probe needs to read factor :math:`k` off the code: the
test loss :math:`\\ell_k(c)` of probes of growing capacity :math:`c` traces a loss–capacity
curve; :math:`\\mathrm{AULCC}_k` is the area between that curve and the lowest loss
:math:`\\ell^*`, and :math:`Z_k` the area between the baseline loss :math:`\\ell_b` (the mean
predictor's) and :math:`\\ell^*` over the same capacity range, so :math:`E_k \\in [0, 1]`: 1 when
the smallest probe already reaches :math:`\\ell^*`, 0 when no probe beats the mean. Size
:math:`S` compares the factors' dimension :math:`K` with the code's :math:`D` (1 for a code
with one dimension per factor, smaller for larger codes) (docs/metrics.md §2.13).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

from impossibility._validation import as_array, check_rng, check_scalar

from ._checks import as_split, check_n_jobs, check_two_classes, sklearn_seed
from ._parallel import parallel_map

__all__ = [
    "DCIESScores",
    "dci_es",
    "explicitness_from_curve",
    "loss_capacity_curve",
    "DCI_ES_CAPACITIES",
]

#: Default probe capacities: leaves of a regression tree, doubling from 2 to 1024.
DCI_ES_CAPACITIES: tuple[int, ...] = tuple(2**j for j in range(1, 11))


@dataclass(frozen=True)
class DCIESScores:
    """Result of :func:`dci_es`.

    Attributes
    ----------
    explicitness : float
        Mean of the per-factor explicitness :math:`E_k`.
    size : float
        :math:`S = K / D`.
    explicitness_per_factor : ndarray of shape (K,)
    capacities : ndarray of shape (G,)
        The probes' capacities (leaves).
    losses : ndarray of shape (K, G)
        Raw test losses :math:`\\ell_k(c_g)` (normalised squared error; the mean predictor's
        is 1) before the running minimum.
    """

    explicitness: float
    size: float
    explicitness_per_factor: np.ndarray
    capacities: np.ndarray
    losses: np.ndarray

    def as_dict(self) -> dict[str, float]:
        return {"dci_es_explicitness": self.explicitness, "dci_es_size": self.size}


def explicitness_from_curve(
    capacities: ArrayLike,
    losses: ArrayLike,
    *,
    baseline_loss: float = 1.0,
    lowest_loss: float = 0.0,
    log_capacity: bool = True,
) -> np.ndarray:
    """Explicitness :math:`E = 1 - \\mathrm{AULCC}/Z` of one or several loss–capacity curves.

    With :math:`x_g = \\log c_g` (or :math:`c_g` if ``log_capacity`` is false), the curve is
    first made what a user can reach with capacity *at most* :math:`c_g`:
    :math:`\\tilde\\ell_g = \\min(\\ell_b, \\ell_1, \\dots, \\ell_g)` (the mean predictor is
    always available, and a larger probe can imitate a smaller one), then clipped below at
    :math:`\\ell^*`, and

    .. math:: \\mathrm{AULCC} = \\sum_{g=1}^{G-1} (x_{g+1} - x_g)\\,
              \\frac{\\tilde\\ell_g + \\tilde\\ell_{g+1}}{2} - (x_G - x_1)\\,\\ell^*, \\qquad
              Z = (x_G - x_1)(\\ell_b - \\ell^*),

    the trapezoid rule on the grid. :math:`E \\in [0, 1]`. The authors' code takes
    :math:`\\ell^* = 0` (the default here) and the logarithm of the capacity for probes whose
    capacity grows geometrically. Cost :math:`O(KG)`.

    Parameters
    ----------
    capacities : array_like of shape (G,)
        Strictly increasing, positive if ``log_capacity``; ``G >= 2``.
    losses : array_like of shape (G,) or (K, G)
        One curve per row.
    baseline_loss, lowest_loss : float
        :math:`\\ell_b > \\ell^*`.
    log_capacity : bool, default=True

    Returns
    -------
    ndarray of shape (K,) (or a 0-d array for a single curve)

    Raises
    ------
    TypeError
        If an argument is not numeric.
    ValueError
        For fewer than 2 capacities, capacities not strictly increasing (or not positive on a
        log axis), a shape mismatch, non-finite losses, or ``baseline_loss <= lowest_loss``.
    """
    c = as_array(capacities, "capacities")
    ell = as_array(losses, "losses")
    lb = check_scalar(baseline_loss, "baseline_loss")
    ls = check_scalar(lowest_loss, "lowest_loss")
    if c.ndim != 1 or c.size < 2 or not np.all(np.diff(c) > 0):
        raise ValueError(
            f"capacities must be a strictly increasing 1-D grid of at least 2 values; got {c}"
        )
    if log_capacity and c[0] <= 0:
        raise ValueError(f"capacities must be positive on a log axis; got {c[0]}")
    if ell.ndim not in (1, 2) or ell.shape[-1] != c.size:
        raise ValueError(
            f"losses must have shape (G,) or (K, G) with G = {c.size}; got {ell.shape}"
        )
    if lb <= ls:
        raise ValueError(
            f"baseline_loss ({lb}) must exceed lowest_loss ({ls}): Z would be 0 or negative"
        )
    x = np.log(c) if log_capacity else c
    best = np.maximum(np.minimum.accumulate(np.minimum(ell, lb), axis=-1), ls)
    area = np.sum(np.diff(x) * (best[..., 1:] + best[..., :-1]) / 2.0, axis=-1)
    width = x[-1] - x[0]
    return 1.0 - (area - width * ls) / (width * (lb - ls))


def _tree_losses(
    ztr: np.ndarray,
    ytr: np.ndarray,
    zte: np.ndarray,
    yte: np.ndarray,
    capacities: Sequence[int],
    seed: int,
) -> np.ndarray:
    """Normalised test squared error of regression trees with each number of leaves."""
    from sklearn.tree import DecisionTreeRegressor

    # Baseline: the training mean, so the mean predictor's loss is exactly 1.
    denom = np.sum((yte - ytr.mean()) ** 2)
    out = np.empty(len(capacities))
    for g, leaves in enumerate(capacities):
        tree = DecisionTreeRegressor(max_leaf_nodes=int(leaves), random_state=seed).fit(ztr, ytr)
        out[g] = np.sum((yte - tree.predict(zte)) ** 2) / denom
    return out


def _check_capacities(capacities: Sequence[int]) -> np.ndarray:
    c = np.asarray(capacities)
    if c.dtype.kind not in "iu":
        raise TypeError(f"capacities must be integers (numbers of leaves); got {c.dtype}")
    if c.ndim != 1 or c.size < 2 or c[0] < 2 or not np.all(np.diff(c) > 0):
        raise ValueError(
            f"capacities must be a strictly increasing list of at least 2 leaf counts >= 2; "
            f"got {c.tolist()}"
        )
    return c.astype(np.int64)


def loss_capacity_curve(
    codes_train: ArrayLike,
    factors_train: ArrayLike,
    codes_test: ArrayLike,
    factors_test: ArrayLike,
    *,
    rng: np.random.Generator,
    capacities: Sequence[int] = DCI_ES_CAPACITIES,
    n_jobs: int | None = None,
) -> np.ndarray:
    """Test losses ``(K, G)`` of regression-tree probes with ``capacities`` leaves.

    .. math:: \\ell_k(c) = \\frac{\\sum_{\\text{test}} (y_k - \\hat y_{k,c}(z))^2}
              {\\sum_{\\text{test}} (y_k - \\bar y_k^{\\text{train}})^2}

    :math:`\\hat y_{k,c}` is a scikit-learn ``DecisionTreeRegressor(max_leaf_nodes=c)`` (grown
    best-first, squared error) fitted on the raw training codes to the factor's value taken as
    a number; the denominator is the loss of the training mean, so the baseline is 1. One
    ``random_state`` per factor is drawn from ``rng`` before any fit, shared by its probes.
    Cost: :math:`KG` tree fits, each :math:`O(n D \\log n)`, over factors in parallel with
    ``n_jobs`` (identical values for every ``n_jobs``).

    Raises
    ------
    TypeError, ValueError
        On bad codes, factors or capacities, a factor with one training value, or a test set
        on which the mean predictor's loss is 0.
    """
    ztr, ytr, zte, yte = as_split(codes_train, factors_train, codes_test, factors_test)
    rng = check_rng(rng)
    n_jobs = check_n_jobs(n_jobs)
    caps = _check_capacities(capacities)
    check_two_classes(ytr)
    ytr, yte = ytr.astype(np.float64), yte.astype(np.float64)
    for k in range(ytr.shape[1]):
        if np.all(yte[:, k] == ytr[:, k].mean()):
            raise ValueError(
                f"factor {k} is constant at the training mean on the test set: the baseline "
                "loss (the normaliser) is 0"
            )
    seeds = [sklearn_seed(rng) for _ in range(ytr.shape[1])]
    tasks = [(ztr, ytr[:, k], zte, yte[:, k], caps, seeds[k]) for k in range(ytr.shape[1])]
    return np.stack(parallel_map(_tree_losses, tasks, n_jobs))


def dci_es(
    codes_train: ArrayLike,
    factors_train: ArrayLike,
    codes_test: ArrayLike,
    factors_test: ArrayLike,
    *,
    rng: np.random.Generator,
    capacities: Sequence[int] = DCI_ES_CAPACITIES,
    lowest_loss: float = 0.0,
    n_jobs: int | None = None,
) -> DCIESScores:
    """DCI-ES explicitness :math:`E` and size :math:`S` of a code.

    .. math:: E = \\frac1K \\sum_k \\Big(1 - \\frac{\\mathrm{AULCC}_k}{Z_k}\\Big), \\qquad
              S = \\frac{K}{D}

    The loss–capacity curve of factor :math:`k` is :func:`loss_capacity_curve` (regression
    trees with 2, 4, …, 1024 leaves by default; normalised squared error, baseline
    :math:`\\ell_b = 1`), and :math:`E_k` is :func:`explicitness_from_curve` on a log-capacity
    axis. The paper defines :math:`E` for any probe family ordered by capacity and shows MLPs,
    random Fourier features and random forests; trees with a leaf budget are this package's
    choice: cheap, deterministic given a seed, and their capacity (the number of cells of the
    partition) is an integer. Size :math:`S` is the ratio of the factors' dimension to the
    code's, as in the paper: 1 for a code with one dimension per factor, :math:`< 1` for a
    larger code (and :math:`> 1` for a code with fewer dimensions than factors).

    Invariant, as a tree model, to permuting codes (up to ties between equally good splits)
    and to increasing affine maps of each code or of each factor (splits and the normalised
    loss are unchanged); a noisier code has a lower :math:`E`.

    Cost: :math:`KG` tree fits (see :func:`loss_capacity_curve`) plus :math:`O(KG)`.

    Parameters
    ----------
    codes_train, codes_test : array_like of shape (n_train, D), (n_test, D)
    factors_train, factors_test : array_like of int, shape (n_train, K), (n_test, K)
        Factor values, used as numbers.
    rng : numpy.random.Generator
        Source of the trees' ``random_state`` (one per factor).
    capacities : sequence of int, default=DCI_ES_CAPACITIES
        Leaf budgets, strictly increasing, at least 2 of them, all ``>= 2``.
    lowest_loss : float, default=0.0
        :math:`\\ell^*`, in ``[0, 1)``; the authors' code uses 0.
    n_jobs : int, optional
        Fit the factors' probes in parallel (joblib); results do not depend on it. At 10,000
        points the sequential default takes 1–2 s (as fast as a plain loop over the same
        fits, ``benchmarks/bench_metrics.py``); starting worker processes costs seconds, so
        parallel fits pay off only for larger sets.

    Returns
    -------
    DCIESScores

    Raises
    ------
    TypeError
        If arrays are not numeric, ``rng`` is not a Generator, ``capacities`` are not
        integers or ``n_jobs`` is not an integer.
    ValueError
        On bad shapes or values, a factor with one training value, bad capacities, a
        ``lowest_loss`` outside ``[0, 1)``, or a zero baseline loss on the test set.
    """
    lowest = check_scalar(lowest_loss, "lowest_loss", minimum=0.0, maximum=1.0, include_max=False)
    losses = loss_capacity_curve(
        codes_train,
        factors_train,
        codes_test,
        factors_test,
        rng=rng,
        capacities=capacities,
        n_jobs=n_jobs,
    )
    caps = np.asarray(capacities, dtype=np.float64)
    per_factor = explicitness_from_curve(caps, losses, baseline_loss=1.0, lowest_loss=lowest)
    d = np.shape(codes_train)[1]
    return DCIESScores(
        explicitness=float(per_factor.mean()),
        size=float(losses.shape[0] / d),
        explicitness_per_factor=per_factor,
        capacities=caps,
        losses=losses,
    )
