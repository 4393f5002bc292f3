r"""Statistics of a set of runs: rank correlations, variance shares, model selection, transfer.

:func:`spearman_matrix` (Pearson correlation of ranks), :func:`variance_decomposition` (nested
sums of squares :math:`SS_{tot}=SS_{model}+SS_{h|m}+SS_{seed}`), :func:`selection_analysis`
(win rate of the run an unsupervised score picks) and :func:`transfer_analysis` (win rate of a
hyperparameter chosen on another metric or data set). A win rate counts ties one half, so 0.5
is what a random choice achieves.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import rankdata

from impossibility._typing import Array
from impossibility._validation import as_array, check_same_rows

__all__ = [
    "spearman_matrix",
    "variance_decomposition",
    "selection_analysis",
    "transfer_analysis",
]


def _labels(labels: Sequence[Any]) -> np.ndarray:
    """Labels as an object array, only so that check_same_rows can count them."""
    out = np.empty(len(labels), dtype=object)
    out[:] = list(labels)
    return out


def _win_rate(x: float, others: Array) -> float:
    """Fraction of ``others`` that ``x`` beats, ties counting one half."""
    return float(np.mean((x > others) + 0.5 * (x == others)))


def spearman_matrix(table: ArrayLike) -> Array:
    r"""Spearman rank correlations between the columns of ``table`` (n, p): Pearson of ranks.

    Ranks are :func:`scipy.stats.rankdata` (ties get their mean rank); the correlation is
    computed here rather than by :func:`scipy.stats.spearmanr`, whose ``corrcoef`` rounds
    differently (by up to 3e-16) from the committed results. A constant column gives NaN entries
    in its row and column (undefined correlation); they are reported as such rather than hidden.

    Raises
    ------
    TypeError
        If ``table`` is not numeric.
    ValueError
        If it is not 2-D with at least three rows.
    """
    t = as_array(table, "table", ndim=2, finite=False)
    if t.shape[0] < 3:
        raise ValueError(f"table must have n >= 3 rows; got shape {t.shape}")
    r = np.column_stack([rankdata(t[:, j]) for j in range(t.shape[1])])
    r = r - r.mean(0)
    norm = np.sqrt((r * r).sum(0))
    with np.errstate(invalid="ignore", divide="ignore"):
        c = (r.T @ r) / np.outer(norm, norm)
    c[:, norm == 0] = np.nan
    c[norm == 0, :] = np.nan
    return c


def variance_decomposition(
    values: ArrayLike, model: Sequence[Any], hparam: Sequence[Any]
) -> dict[str, float]:
    r"""Shares of the total sum of squares of a score explained by model, hyperparameter and seed.

    With hyperparameters nested in models,
    :math:`s_{mhr}=\mu+\alpha_m+\beta_{h(m)}+\varepsilon_{mhr}`:

    .. math::
        SS_{model}=\sum_m n_m(\bar s_m-\bar s)^2,\quad
        SS_{h|m}=\sum_{m,h} n_{mh}(\bar s_{mh}-\bar s_m)^2,\quad
        SS_{seed}=\sum (s-\bar s_{mh})^2,

    which add up to :math:`SS_{tot}=\sum(s-\bar s)^2` for any cell sizes. Returns the three
    shares (they sum to 1) and ``ss_total``; all shares are NaN when the score is constant.

    Raises
    ------
    TypeError
        If ``values`` is not numeric.
    ValueError
        If it is not 1-D and finite, or ``model`` and ``hparam`` have another length.
    """
    v = as_array(values, "values", ndim=1)
    check_same_rows(values=v, model=_labels(model), hparam=_labels(hparam))
    grand = v.mean()
    cells: dict[Any, list[int]] = {}
    models: dict[Any, list[int]] = {}
    for i, (m, h) in enumerate(zip(model, hparam, strict=True)):
        cells.setdefault((m, h), []).append(i)
        models.setdefault(m, []).append(i)
    ss_tot = float(((v - grand) ** 2).sum())
    ss_m = float(sum(len(ix) * (v[ix].mean() - grand) ** 2 for ix in models.values()))
    ss_h = float(
        sum(len(ix) * (v[ix].mean() - v[models[mh[0]]].mean()) ** 2 for mh, ix in cells.items())
    )
    ss_s = float(sum(((v[ix] - v[ix].mean()) ** 2).sum() for ix in cells.values()))
    if ss_tot == 0:
        return {
            "model": float("nan"),
            "hparam": float("nan"),
            "seed": float("nan"),
            "ss_total": 0.0,
        }
    return {
        "model": ss_m / ss_tot,
        "hparam": ss_h / ss_tot,
        "seed": ss_s / ss_tot,
        "ss_total": ss_tot,
    }


def selection_analysis(
    selector: ArrayLike,
    target: ArrayLike,
    groups: Sequence[Any],
    *,
    higher_is_better: bool = True,
) -> dict[str, float]:
    r"""How well an unsupervised score picks models with a high target score, within groups.

    In each group (e.g. one objective on one data set) the run with the best ``selector`` is
    chosen; its *win rate* is the fraction of the other runs of the group whose ``target`` it
    beats (ties count one half) — 0.5 is what a randomly chosen model achieves on average.
    Returns the mean win rate over groups, and the mean over groups of the Spearman correlation
    between selector (oriented so that larger is better) and target. Groups of fewer than three
    runs are skipped; ``groups`` counts the others.

    Raises
    ------
    TypeError
        If ``selector`` or ``target`` is not numeric.
    ValueError
        If they are not 1-D, or ``selector``, ``target`` and ``groups`` differ in length.
    """
    s = as_array(selector, "selector", ndim=1, finite=False) * (1.0 if higher_is_better else -1.0)
    t = as_array(target, "target", ndim=1, finite=False)
    check_same_rows(selector=s, target=t, groups=_labels(groups))
    by: dict[Any, list[int]] = {}
    for i, g in enumerate(groups):
        by.setdefault(g, []).append(i)
    wins, rhos = [], []
    for ix in by.values():
        ix = np.asarray(ix)
        if ix.size < 3:
            continue
        best = ix[np.argmax(s[ix])]
        others = ix[ix != best]
        wins.append(_win_rate(t[best], t[others]))
        rho = spearman_matrix(np.column_stack([s[ix], t[ix]]))[0, 1]
        if np.isfinite(rho):
            rhos.append(float(rho))
    return {
        "win_rate": float(np.mean(wins)) if wins else float("nan"),
        "spearman_within_group": float(np.mean(rhos)) if rhos else float("nan"),
        "groups": float(len(wins)),
    }


def transfer_analysis(
    rows: Sequence[Mapping[str, Any]], metrics: Sequence[str]
) -> dict[str, float | None]:
    r"""How well a hyperparameter chosen by one metric on one data set does on another.

    For every objective :math:`m`, source data set :math:`A`, source metric :math:`k`, target data
    set :math:`B` and target metric :math:`k'`: the value :math:`v^*` with the best mean of
    :math:`k` over the seeds on :math:`A` is chosen; each run of :math:`(m, v^*)` on :math:`B`
    is compared with every other run of :math:`m` on :math:`B`, and the win rate is the
    fraction of comparisons where it has the larger :math:`k'` (ties count one half; 0.5 is a
    random choice). When :math:`A=B` the value is chosen without the seed of the evaluated run
    (leave one seed out). Averages are returned for the four cases ``same_metric_same_data``,
    ``other_metric_same_data``, ``same_metric_other_data`` and ``other_metric_other_data``
    (the paper's Figure on transferring hyperparameters); ``None`` when a case has no data.

    ``rows`` are flat run rows with ``dataset``, ``model``, ``value``, ``seed`` and the scores
    named in ``metrics``.

    Raises
    ------
    TypeError
        If ``metrics`` is a single string instead of a sequence of score names.
    """
    if isinstance(metrics, str):
        raise TypeError(f"metrics must be a sequence of score names; got the string {metrics!r}")
    cases: dict[str, list[float]] = {
        f"{a}_metric_{b}_data": [] for a in ("same", "other") for b in ("same", "other")
    }
    datasets = sorted({r["dataset"] for r in rows})
    models = sorted({r["model"] for r in rows})
    for m in models:
        for src in datasets:
            src_rows = [r for r in rows if r["model"] == m and r["dataset"] == src]
            values = sorted({r["value"] for r in src_rows})
            if len(values) < 2:
                continue
            for dst in datasets:
                dst_rows = [r for r in rows if r["model"] == m and r["dataset"] == dst]
                for k in metrics:
                    for k2 in metrics:
                        case = f"{'same' if k == k2 else 'other'}_metric_" + (
                            "same_data" if src == dst else "other_data"
                        )
                        for run in dst_rows:
                            pool = [r for r in src_rows if src != dst or r["seed"] != run["seed"]]
                            by_value: dict[float, list[float]] = {}
                            for r in pool:
                                by_value.setdefault(r["value"], []).append(r[k])
                            means = {v: float(np.mean(x)) for v, x in by_value.items()}
                            if not means or run["value"] != max(means, key=means.get):
                                continue
                            others = [r[k2] for r in dst_rows if r is not run]
                            if others:
                                cases[case].append(_win_rate(run[k2], np.asarray(others)))
    return {c: (float(np.mean(v)) if v else None) for c, v in cases.items()}
