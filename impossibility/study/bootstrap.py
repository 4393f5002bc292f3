r"""Bootstrap over seeds within cells: win rates of model selection, transfer, variance shares.

A *cell* is one (data set, objective, hyperparameter value); its runs differ only in the seed.
:func:`cell_resample` draws, for every cell, as many runs as it has, with replacement, from that
cell — the design (which objectives and values were run) is held fixed and only the seed-to-seed
variation is resampled, which is the variation a new set of seeds would bring.

Why a bootstrap here and not a binomial interval: the comparisons a win rate averages are not
independent (the run an unsupervised score picks is compared with every other run of its
objective, and the same runs enter every metric), so :math:`k` wins out of :math:`n` comparisons
is not binomial and Wilson's interval would be too narrow. The intervals are percentile
intervals. A resample of three seeds duplicates runs, which shifts resampled transfer rates up by
0.01–0.03 (a duplicate ties its copy) — small beside the intervals' half-widths of about 0.06 —
while the reflected ("basic") interval misbehaves for the selection's argmax (it put the
estimate at the interval's edge), so percentile intervals are used throughout. The seed's
share of variance is not bootstrapped: with three seeds per cell a residual bootstrap covered
the true share in only 76 % of simulated studies at the 95 % level, so it gets the exact
interval of
:func:`impossibility.study.intervals.seed_share_interval`.

:func:`selection_win_rates` and :func:`transfer_win_rates` compute the statistics of
:func:`impossibility.study.analysis.selection_analysis` and
:func:`~impossibility.study.analysis.transfer_analysis` for many resamples at once (the tests
check that they agree with those on the original runs).
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from impossibility._typing import Array
from impossibility._validation import check_int, check_rng, check_same_rows

__all__ = [
    "cell_resample",
    "percentile_interval",
    "selection_win_rates",
    "transfer_win_rates",
    "null_win_rate_band",
]


def _codes(labels: Sequence[Any]) -> np.ndarray:
    """Integer codes of hashable labels, in order of first appearance."""
    seen: dict[Any, int] = {}
    return np.array([seen.setdefault(lab, len(seen)) for lab in labels], dtype=np.intp)


def cell_resample(cells: Sequence[Any], n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Indices ``(n_boot, n)``: row ``b`` replaces every run by a random run of its own cell.

    Raises
    ------
    TypeError
        If ``rng`` is not a Generator or ``n_boot`` not an integer.
    ValueError
        If ``n_boot < 1``.
    """
    n_boot = check_int(n_boot, "n_boot", minimum=1)
    rng = check_rng(rng)
    code = _codes(cells)
    out = np.empty((n_boot, code.size), dtype=np.intp)
    for c in range(code.max(initial=-1) + 1):
        ix = np.flatnonzero(code == c)
        out[:, ix] = ix[rng.integers(0, ix.size, size=(n_boot, ix.size))]
    return out


def percentile_interval(draws: Array, level: float = 0.95) -> tuple[Array, Array]:
    """Percentile interval over the first axis of ``draws`` (NaN draws are ignored)."""
    a = (1 - level) / 2
    with warnings.catch_warnings():  # a statistic undefined in every draw has no interval
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanquantile(draws, a, axis=0), np.nanquantile(draws, 1 - a, axis=0)


def selection_win_rates(
    selector: Array, targets: Array, groups: Sequence[Any], idx: np.ndarray
) -> Array:
    r"""Mean over groups of the picked run's win rate, for every resample and target column.

    ``selector`` (n,) is oriented so that larger is better, ``targets`` is (n, K), ``idx`` is
    (B, n) from :func:`cell_resample`; returns (B, K). Within a group of :math:`g` runs the run
    with the largest selector (the first one on ties, as :func:`numpy.argmax`) beats a fraction
    :math:`\frac{1}{g-1}\sum_{j\ne\text{best}}[t_{best}>t_j]+\tfrac12[t_{best}=t_j]`.
    Groups of fewer than three runs are skipped, as in ``selection_analysis``.
    """
    targets = np.asarray(targets, dtype=float).reshape(len(selector), -1)
    check_same_rows(selector=np.asarray(selector), targets=targets, groups=_codes(groups))
    code = _codes(groups)
    total = np.zeros((idx.shape[0], targets.shape[1]))
    n_groups = 0
    for c in range(code.max(initial=-1) + 1):
        pos = np.flatnonzero(code == c)
        if pos.size < 3:
            continue
        n_groups += 1
        ix = idx[:, pos]  # (B, g)
        s = selector[ix]
        t = targets[ix]  # (B, g, K)
        best = np.argmax(s, axis=1)
        tb = np.take_along_axis(t, best[:, None, None], axis=1)  # (B, 1, K)
        w = (tb > t) + 0.5 * (tb == t)
        not_best = np.arange(pos.size)[None, :] != best[:, None]
        total += (w * not_best[:, :, None]).sum(1) / (pos.size - 1)
    return total / n_groups if n_groups else np.full_like(total, np.nan)


def null_win_rate_band(
    group_sizes: Sequence[int], level: float = 0.95, n_draws: int = 200_000, seed: int = 0
) -> tuple[float, float]:
    r"""Central ``level`` range of the mean win rate under a random choice.

    A randomly picked run of a group of :math:`g` runs without ties beats
    :math:`U/(g-1)` of the others, :math:`U` uniform on :math:`\{0,\dots,g-1\}`; groups are
    independent. This is the band a selector indistinguishable from chance falls in; more seeds
    do not narrow it (one pick per group), only more groups do.
    """
    rng = np.random.default_rng(seed)
    m = np.mean([rng.integers(0, g, n_draws) / (g - 1) for g in group_sizes], axis=0)
    a = (1 - level) / 2
    return float(np.quantile(m, a)), float(np.quantile(m, 1 - a))


def transfer_win_rates(
    scores: Array,
    dataset: Sequence[Any],
    model: Sequence[Any],
    value: Array,
    seed: Array,
    idx: np.ndarray,
) -> dict[str, Array]:
    r"""The four win rates of ``transfer_analysis`` for every resample ``idx`` (B, n).

    ``scores`` is (n, K) (the metrics); the labels are those of the original positions, the
    scores those of the resampled runs, so a resample keeps the design and replaces each run by a
    run of its cell. Returns the four cases, each an array (B,) (NaN where a case has no data).
    """
    scores = np.asarray(scores, dtype=float)
    value = np.asarray(value, dtype=float)
    seed = np.asarray(seed)
    ds_code, m_code = _codes(dataset), _codes(model)
    B, K = idx.shape[0], scores.shape[1]
    names = [f"{a}_metric_{b}_data" for a in ("same", "other") for b in ("same", "other")]
    sums = {c: np.zeros(B) for c in names}
    counts = {c: np.zeros(B) for c in names}
    eye = np.eye(K, dtype=bool)
    for m in range(m_code.max(initial=-1) + 1):
        for src in range(ds_code.max(initial=-1) + 1):
            sp = np.flatnonzero((m_code == m) & (ds_code == src))
            vals = np.unique(value[sp])
            if vals.size < 2:
                continue
            for dst in range(ds_code.max(initial=-1) + 1):
                dp = np.flatnonzero((m_code == m) & (ds_code == dst))
                if dp.size == 0:
                    continue
                S = scores[idx[:, sp]]  # (B, ns, K) source runs
                T = scores[idx[:, dp]]  # (B, nd, K) destination runs
                # the win rate of each destination run against the others, per target metric
                w = (T[:, :, None, :] > T[:, None, :, :]) + 0.5 * (
                    T[:, :, None, :] == T[:, None, :, :]
                )
                off = ~np.eye(dp.size, dtype=bool)[None, :, :, None]
                W = (w * off).sum(2) / max(dp.size - 1, 1)  # (B, nd, K)
                onehot = value[sp][:, None] == vals[None, :]  # (ns, V)
                for j, r in enumerate(dp):
                    if src != dst:
                        oh = np.broadcast_to(onehot, (B, *onehot.shape))
                    else:
                        # leave the evaluated run out: its seed, and any copy of it a resample
                        # put under another seed (else the choice would see the run it is scored on)
                        keep = (seed[sp] != seed[r])[None, :] & (idx[:, sp] != idx[:, [r]])
                        oh = onehot[None, :, :] & keep[:, :, None]
                    cnt = oh.sum(1)  # (B, V)
                    with np.errstate(invalid="ignore", divide="ignore"):
                        means = np.einsum("bsk,bsv->bvk", S, oh) / cnt[:, :, None]
                    means = np.where(cnt[:, :, None] == 0, -np.inf, means)
                    chosen = vals[np.argmax(means, axis=1)]  # (B, K) by each source metric
                    hit = chosen == value[r]  # (B, K)
                    wr = W[:, j, :]  # (B, K2)
                    same = src == dst
                    key_s = "same_metric_" + ("same_data" if same else "other_data")
                    key_o = "other_metric_" + ("same_data" if same else "other_data")
                    sums[key_s] += (hit * wr).sum(1)
                    counts[key_s] += hit.sum(1)
                    # other metric: for every source metric that hits, every other target metric
                    other = hit[:, :, None] & ~eye[None]
                    sums[key_o] += (other * wr[:, None, :]).sum((1, 2))
                    counts[key_o] += other.sum((1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        return {c: np.where(counts[c] > 0, sums[c] / counts[c], np.nan) for c in names}
