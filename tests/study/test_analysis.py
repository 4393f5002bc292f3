"""Tests of impossibility.study.analysis: rank correlations, variance, selection, transfer."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import impossibility.study as st


def test_spearman_matrix_matches_scipy():
    rng = np.random.default_rng(0)
    t = rng.standard_normal((40, 4))
    t[:, 1] += t[:, 0]
    t[5, 2] = t[6, 2]  # a tie
    expected = stats.spearmanr(t).statistic
    assert np.allclose(st.spearman_matrix(t), expected, atol=1e-12)


def test_spearman_constant_column_is_nan():
    t = np.column_stack([np.arange(5.0), np.ones(5)])
    c = st.spearman_matrix(t)
    assert np.isnan(c[0, 1]) and np.isnan(c[1, 1]) and c[0, 0] == pytest.approx(1.0)


def test_variance_decomposition_matches_least_squares():
    rng = np.random.default_rng(1)
    model, hparam, v = [], [], []
    for m in range(3):
        for h in range(4):
            for _ in range(rng.integers(2, 5)):  # unbalanced cells
                model.append(m)
                hparam.append(10 * m + h)  # nested: hparam levels are per model
                v.append(2.0 * m + 0.5 * h * (m + 1) + rng.standard_normal())
    v = np.array(v)
    out = st.variance_decomposition(v, model, hparam)

    # independent computation: residual sums of squares of dummy regressions
    def rss(labels):
        levels = sorted(set(labels))
        X = np.array([[lab == lv for lv in levels] for lab in labels], dtype=float)
        beta, *_ = np.linalg.lstsq(X, v, rcond=None)
        return float(((v - X @ beta) ** 2).sum())

    ss_tot = float(((v - v.mean()) ** 2).sum())
    ss_model_fit = rss(model)
    ss_cell_fit = rss(list(zip(model, hparam, strict=False)))
    assert out["ss_total"] == pytest.approx(ss_tot, rel=1e-12)
    assert out["model"] == pytest.approx((ss_tot - ss_model_fit) / ss_tot, rel=1e-10)
    assert out["hparam"] == pytest.approx((ss_model_fit - ss_cell_fit) / ss_tot, rel=1e-10)
    assert out["seed"] == pytest.approx(ss_cell_fit / ss_tot, rel=1e-10)


def test_variance_decomposition_pure_effects():
    model = [0, 0, 0, 0, 1, 1, 1, 1]
    hparam = [0, 0, 1, 1, 2, 2, 3, 3]
    only_model = st.variance_decomposition(np.array([1.0] * 4 + [3.0] * 4), model, hparam)
    assert only_model["model"] == pytest.approx(1.0) and only_model["seed"] == pytest.approx(0.0)
    only_seed = st.variance_decomposition(np.array([1.0, -1.0] * 4), model, hparam)
    assert only_seed["seed"] == pytest.approx(1.0) and only_seed["model"] == pytest.approx(0.0)
    assert np.isnan(st.variance_decomposition(np.ones(8), model, hparam)["model"])


def test_selection_analysis_extremes():
    target = np.array([0.1, 0.5, 0.9, 0.2, 0.4, 0.8])
    groups = ["a"] * 3 + ["b"] * 3
    good = st.selection_analysis(target, target, groups)
    assert good["win_rate"] == 1.0 and good["spearman_within_group"] == pytest.approx(1.0)
    bad = st.selection_analysis(target, target, groups, higher_is_better=False)
    assert bad["win_rate"] == 0.0 and bad["spearman_within_group"] == pytest.approx(-1.0)


def test_transfer_analysis_hand_case():
    # one objective, two values, two seeds, two data sets; value 1 is better everywhere
    rows = [
        {"dataset": d, "model": "m", "value": v, "seed": s, "score": 1.0 if v == 1 else 0.0}
        for d in ("A", "B")
        for v in (1, 2)
        for s in (0, 1)
    ]
    out = st.transfer_analysis(rows, ["score"])
    # a chosen run (value 1) beats the two value-2 runs and ties the other value-1 run
    assert out["same_metric_other_data"] == pytest.approx((1 + 1 + 0.5) / 3)
    assert out["same_metric_same_data"] == pytest.approx((1 + 1 + 0.5) / 3)
    assert out["other_metric_other_data"] is None  # a single metric: no "other metric" case
    # opposite preferences on the two data sets: the transferred value is the worse one in both
    # directions (loses to the two runs of the other value, ties its twin)
    flipped = [dict(r, score=1.0 - r["score"]) if r["dataset"] == "A" else r for r in rows]
    bad = st.transfer_analysis(flipped, ["score"])
    assert bad["same_metric_other_data"] == pytest.approx(0.5 / 3)
    assert bad["same_metric_same_data"] == pytest.approx((1 + 1 + 0.5) / 3)


def test_spearman_matrix_checks():
    with pytest.raises(ValueError, match="n >= 3 rows"):
        st.spearman_matrix(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"table must be a 2-D array; got shape \(5,\)"):
        st.spearman_matrix(np.ones(5))
    with pytest.raises(TypeError, match="table must be an array of real numbers"):
        st.spearman_matrix([["a", "b"]] * 3)


def test_variance_decomposition_checks():
    with pytest.raises(ValueError, match="same number of samples.*'model': 2"):
        st.variance_decomposition(np.ones(3), [0, 1], [0, 1, 2])
    with pytest.raises(ValueError, match="values must be a 1-D array; got shape"):
        st.variance_decomposition(np.ones((3, 1)), [0, 1, 2], [0, 1, 2])
    with pytest.raises(ValueError, match=r"values contains 1 non-finite value\(s\)"):
        st.variance_decomposition([1.0, np.nan, 2.0], [0, 1, 2], [0, 1, 2])
    with pytest.raises(TypeError, match="values must be an array of real numbers"):
        st.variance_decomposition(["x", "y"], [0, 1], [0, 1])


def test_selection_analysis_checks():
    with pytest.raises(ValueError, match="same number of samples.*'groups': 2"):
        st.selection_analysis(np.ones(3), np.ones(3), ["a", "b"])
    with pytest.raises(ValueError, match="target must be a 1-D array"):
        st.selection_analysis(np.ones(3), np.ones((3, 1)), ["a"] * 3)
    with pytest.raises(TypeError, match="selector must be an array of real numbers"):
        st.selection_analysis(["x"] * 3, np.ones(3), ["a"] * 3)


def test_transfer_analysis_checks():
    with pytest.raises(
        TypeError, match="metrics must be a sequence of score names; got the string"
    ):
        st.transfer_analysis([], "mig")
