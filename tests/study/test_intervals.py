"""Tests of impossibility.study.intervals and .bootstrap: exact values, agreement, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import impossibility.study as st
from impossibility.study import bootstrap as bs
from impossibility.study.intervals import (
    judge,
    models_for_halfwidth,
    seed_share_interval,
    spearman_halfwidth,
    spearman_interval,
)


def test_spearman_interval_closed_form():
    lo, hi = spearman_interval(0.5, 28)
    se = np.sqrt((1 + 0.125) / 25)
    assert lo == pytest.approx(np.tanh(np.arctanh(0.5) - 1.959964 * se), abs=1e-6)
    assert hi == pytest.approx(np.tanh(np.arctanh(0.5) + 1.959964 * se), abs=1e-6)
    assert np.isnan(spearman_interval(np.nan, 10)[0])
    assert spearman_interval(1.0, 10)[0] == 1.0


def test_models_for_halfwidth_is_the_first_n_below_the_target():
    n = models_for_halfwidth(0.3, 0.2)
    assert spearman_halfwidth(0.3, n) <= 0.2 < spearman_halfwidth(0.3, n - 1)
    # |ρ| below about 0.49 is indistinguishable from 0 with 18 models (0.47 by Fisher's 1/√(n−3))
    assert spearman_interval(0.48, 18)[0] < 0 < spearman_interval(0.50, 18)[0]


def test_judge_three_ways():
    assert judge(0.1, 0.5, "above") == "agrees"
    assert judge(-0.5, -0.1, "above") == "disagrees"
    assert judge(-0.1, 0.5, "above") == "inconclusive"
    assert judge(-0.5, -0.1, "below") == "agrees"
    assert judge(0.4, 0.6, "equal", 0.5, 0.25) == "agrees"
    assert judge(0.3, 0.9, "equal", 0.5, 0.25) == "inconclusive"
    assert judge(0.6, 0.9, "equal", 0.5, 0.25) == "disagrees"
    assert judge(None, 0.2, "above") == "inconclusive"
    with pytest.raises(ValueError, match="paper='equal' needs a positive margin"):
        judge(0.1, 0.2, "equal")
    with pytest.raises(ValueError, match="paper must be one of"):
        judge(0.1, 0.2, "up")
    with pytest.raises(ValueError, match="low must not exceed high"):
        judge(0.3, 0.2, "above")


def test_interval_checks():
    with pytest.raises(ValueError, match="n must be an integer >= 4"):
        spearman_interval(0.1, 3)
    with pytest.raises(TypeError, match="n must be an integer"):
        spearman_interval(0.1, 10.0)
    with pytest.raises(ValueError, match=r"rho must lie in \[-1, 1\]"):
        spearman_interval(1.5, 10)
    with pytest.raises(ValueError, match="cells must have one label per value"):
        seed_share_interval(np.ones(3), [0, 1])
    with pytest.raises(ValueError, match="n_boot must be an integer >= 1"):
        bs.cell_resample([0, 0, 1], 0, np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        bs.cell_resample([0, 0, 1], 5, 0)


def test_seed_share_matches_the_variance_decomposition():
    rng = np.random.default_rng(2)
    model = np.repeat(np.arange(3), 6)
    hparam = np.repeat(np.arange(6), 3)
    v = rng.standard_normal(18) + hparam
    share, lo, hi = seed_share_interval(v, list(zip(model, hparam, strict=True)))
    assert share == pytest.approx(st.variance_decomposition(v, model, hparam)["seed"])
    assert lo < share < hi


def test_cell_resample_stays_in_cells():
    cells = ["a", "a", "b", "b", "b", "c"]
    idx = bs.cell_resample(cells, 50, np.random.default_rng(0))
    labels = np.array(cells)
    assert idx.shape == (50, 6) and (labels[idx] == labels[None, :]).all()


def test_vectorised_win_rates_equal_the_analysis_functions():
    rng = np.random.default_rng(4)
    rows = [
        {"dataset": d, "model": m, "value": v, "seed": s, "a": rng.random(), "b": rng.random()}
        for d in ("A", "B")
        for m in ("m1", "m2")
        for v in (1.0, 2.0, 3.0)
        for s in (0, 1, 2)
    ]
    X = np.array([[r["a"], r["b"]] for r in rows])
    lab = [r["dataset"] for r in rows], [r["model"] for r in rows]
    v, s = np.array([r["value"] for r in rows]), np.array([r["seed"] for r in rows])
    ident = np.arange(len(rows))[None, :]
    fast = bs.transfer_win_rates(X, *lab, v, s, ident)
    slow = st.transfer_analysis(rows, ["a", "b"])
    for case, value in slow.items():
        assert fast[case][0] == pytest.approx(value, rel=1e-12)
    sel = X[:, 0] - X[:, 1]
    w = bs.selection_win_rates(sel, X, lab[1], ident)[0]
    for j in range(2):
        ref = st.selection_analysis(sel, X[:, j], lab[1])["win_rate"]
        assert w[j] == pytest.approx(ref, rel=1e-12)


def test_null_band_matches_the_uniform_rank_law():
    lo, hi = bs.null_win_rate_band([18] * 6)
    # mean of 6 uniform ranks/17: mean 0.5, sd sqrt((18**2 - 1) / 12 / 17**2 / 6) = 0.1245
    assert lo == pytest.approx(0.5 - 1.96 * 0.1245, abs=0.02)
    assert hi == pytest.approx(0.5 + 1.96 * 0.1245, abs=0.02)
