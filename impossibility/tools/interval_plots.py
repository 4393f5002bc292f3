"""Figures of estimates with their confidence intervals: heat maps that mark resolved entries,
dot plots of rates around chance, and error-bar lengths that never go negative.

Used by the study's figures (``experiments/study.py``); every function draws on a given
matplotlib ``Axes`` and returns what a caller needs for a colour bar, nothing else.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

__all__ = ["heatmap_with_intervals", "dot_plot", "error_lengths"]


def heatmap_with_intervals(
    ax: Any,
    matrix: Any,
    xlabels: Sequence[str],
    ylabels: Sequence[str],
    title: str,
    low: Any = None,
    high: Any = None,
    vmin: float = -1.0,
    vmax: float = 1.0,
) -> Any:
    """Heat map of ``matrix`` with each value printed; a value whose interval ``[low, high]``
    excludes 0 gets a ``*`` (``None`` entries print as n/a). Returns the image, for a colour bar."""
    m = np.array([[np.nan if v is None else v for v in row] for row in matrix], dtype=float)
    lo = None if low is None else np.array(low, dtype=float)
    hi = None if high is None else np.array(high, dtype=float)
    im = ax.imshow(m, vmin=vmin, vmax=vmax, cmap="RdBu_r")
    ax.set_xticks(range(len(xlabels)), xlabels, rotation=45, ha="right")
    ax.set_yticks(range(len(ylabels)), ylabels)
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            if not np.isfinite(m[i, j]):
                ax.text(j, i, "n/a", ha="center", va="center", fontsize=6)
                continue
            star = lo is not None and lo[i, j] < hi[i, j] and (lo[i, j] > 0 or hi[i, j] < 0)
            dark = abs(m[i, j] - (vmin + vmax) / 2) > 0.3 * (vmax - vmin)
            ax.text(
                j,
                i,
                f"{m[i, j]:.2f}" + ("*" if star else ""),
                ha="center",
                va="center",
                fontsize=6,
                color="white" if dark else "black",
            )
    ax.set_title(title, fontsize=9)
    ax.spines[:].set_visible(False)
    return im


def error_lengths(est: Any, low: Any, high: Any) -> np.ndarray:
    """Error-bar lengths ``(2, n)`` of intervals around estimates; an interval that misses its
    estimate (a percentile bootstrap interval can) gives a bar of 0 on that side, NaN gives 0."""
    est, low, high = (np.asarray(a, dtype=float) for a in (est, low, high))
    return np.nan_to_num(np.maximum(0.0, np.array([est - low, high - est])))


def dot_plot(
    ax: Any,
    est: Any,
    low: Any,
    high: Any,
    labels: Sequence[str],
    band: tuple[float, float] | None = None,
    title: str = "",
) -> None:
    """Dot plot of rates in [0, 1] with their intervals, a line at 0.5 and, if given, the band a
    random choice falls in (shaded)."""
    y = np.arange(len(est))
    if band:
        ax.axvspan(*band, color="0.88", zorder=0, label="random choice, 95 %")
    ax.axvline(0.5, color="k", lw=0.6)
    est, low, high = (np.array(a, dtype=float) for a in (est, low, high))
    ax.errorbar(
        est,
        y,
        xerr=error_lengths(est, low, high),
        fmt="o",
        color="tab:purple",
        ms=3.5,
        capsize=2,
        lw=0.9,
    )
    ax.set_yticks(y, labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_title(title, fontsize=8)
