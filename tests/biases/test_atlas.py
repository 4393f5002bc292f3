"""The atlas rows: each number agrees with its second computation and its control is zero."""

from __future__ import annotations

import math

import numpy as np
import pytest

from impossibility.biases import atlas


@pytest.fixture(scope="module")
def rows():
    return atlas.atlas_rows(np.random.default_rng(0), n_mc=2000, quadrature_panels=12, n_fit=2)


def test_rows_in_order_with_the_table_format(rows):
    assert tuple(rows) == atlas.ATLAS_ORDER
    for key, r in rows.items():
        for field in ("label", "observed", "unit", "gap", "method", "check", "check_method"):
            assert field in r, (key, field)
        assert r["gap"] > 0, key
        assert abs(r["control_gap"]) < 1e-12, key


def test_each_number_two_ways(rows):
    assert rows["ima"]["gap"] == pytest.approx(math.log(1.25), rel=1e-13)
    assert rows["ima"]["check"] == pytest.approx(rows["ima"]["gap"], rel=1e-13)
    nl = rows["ima"]
    assert abs(nl["nonlinear_mc"] - nl["nonlinear_quadrature"]) < 6 * nl["nonlinear_mc_stderr"]
    assert rows["embrace_gap"]["check"] == pytest.approx(rows["embrace_gap"]["gap"], abs=1e-8)
    assert rows["embrace_gap"]["gap"] < rows["embrace_gap"]["limit"]
    assert rows["ivae"]["gap"] == pytest.approx(0.5625, rel=1e-13)
    assert rows["ivae"]["check"] == pytest.approx(0.5625, rel=1e-12)
    for key in ("sparsity_decoder", "sparsity_transition"):
        assert rows[key]["check"] == rows[key]["gap"] == 2.0
    iso = rows["isometry"]
    assert abs(iso["check"] - iso["gap"]) < 6 * iso["check_stderr"]


def test_setting_curves_follow_their_laws():
    c = atlas.setting_curves(np.random.default_rng(1), n_mc=500)
    p = c["pairs"]
    # the soft-sharing gap approaches c/σₙ² from below as σₙ → 0
    ratio = np.array(p["gap"]) / np.array(p["leading"])
    assert ratio[0] > 0.85 and np.all(np.diff(ratio) < 0.05)
    e = np.array(c["embrace_gap"]["gap"])
    assert np.all(np.diff(e) < 0) and e[0] == pytest.approx(c["embrace_gap"]["limit"], rel=1e-3)
    t = np.array(c["time"]["gap"])
    assert t.min() >= 0 and t[np.argmin(np.abs(np.array(c["time"]["x"]) - 0.9))] < 1e-2
    assert c["ivae"]["gap"][0] == pytest.approx(0.0, abs=1e-15)
