"""Tests of impossibility.tools.interval_plots: bar lengths, stars on resolved entries."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from impossibility.tools.interval_plots import dot_plot, error_lengths, heatmap_with_intervals


def test_error_lengths_never_negative():
    e = error_lengths([0.5, 0.2, np.nan], [0.4, 0.3, 0.1], [0.7, 0.6, 0.2])
    np.testing.assert_allclose(e, [[0.1, 0.0, 0.0], [0.2, 0.4, 0.0]])


def test_heatmap_stars_only_intervals_that_exclude_zero():
    fig, ax = plt.subplots()
    heatmap_with_intervals(
        ax,
        [[1.0, 0.3], [0.3, None]],
        ["a", "b"],
        ["a", "b"],
        "t",
        low=[[1.0, 0.1], [-0.1, None]],
        high=[[1.0, 0.5], [0.6, None]],
    )
    texts = [t.get_text() for t in ax.texts]
    # the diagonal's degenerate interval [1, 1] gets no star; n/a for a missing value
    assert texts == ["1.00", "0.30*", "0.30", "n/a"]
    dot_plot(ax, [0.6], [0.5], [0.7], ["x"], band=(0.25, 0.75), title="d")
    plt.close(fig)
