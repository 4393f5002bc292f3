"""Quick runs of bias_table (2019 rows and the atlas) and bias_ima: results, figures, invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest

from impossibility._io import read_json
from impossibility.tools.reproduce import run_experiments


def _run(tmp_path_factory, name):
    out = tmp_path_factory.mktemp(name)
    run_experiments(out=out, quick=True, only=[name], log=lambda m: None)
    return out / "quick", read_json(out / "quick" / "results" / f"{name}.json")["results"]


@pytest.mark.slow  # ~17 s; the rows' numbers are tested fast in tests/biases/test_atlas.py
def test_table_has_one_row_per_bias_with_its_group(tmp_path_factory):
    out, t = _run(tmp_path_factory, "bias_table")
    assert (out / "bias_table.png").stat().st_size > 10_000
    assert len(t["order"]) == len(t["rows"]) == 11
    for key in t["order"]:
        row = t["rows"][key]
        assert row["setting"] and row["allows"], key
        s = t["symmetries"][key]
        assert s["on_group_max_abs"] < 1e-12, key
        if key == "unsupervised":
            assert abs(row["gap"]) < 1e-12
        else:
            assert row["gap"] > 0 and abs(row["control_gap"]) < 1e-12, key
            assert s["off_group_min"] > 1e-3, key


def test_ima_curve_reaches_its_limit_and_matches_bfgs(tmp_path_factory):
    out, res = _run(tmp_path_factory, "bias_ima")
    a = res["a"]
    assert (out / "bias_ima.png").stat().st_size > 10_000
    c = a["diag(1, 2), 45°"]
    assert c["limit"] == pytest.approx(math.log(1.25), rel=1e-12)
    assert c["twin"][0] == pytest.approx(c["limit"], abs=1e-5)  # σ = 1e-3
    for case in a.values():
        s, tw = np.asarray(case["sigma"]), np.asarray(case["twin"])
        np.testing.assert_allclose(np.interp(case["sigma_fit"], s, tw), case["bfgs"], atol=5e-3)
    refs = sorted(v for v in res["reference_gaps"].values() if v > 0)
    at = sorted(a[k]["at_reference_sigma"] for k in ("reference, π/8", "reference, π/4"))
    np.testing.assert_allclose(at, refs, atol=5e-9)
    b = res["b"]
    assert max(abs(v) for v in b["isotropic"]) < 1e-14


def test_identifiability_proof_is_collected_and_current():
    from impossibility.tools.notebooks import check_sources, proof_sources

    paths = {p.stem: p for p in proof_sources()}
    # tests/tools/test_notebooks.py executes every collected proof; this one must be among them
    assert "05_identifiability" in paths
    assert check_sources(paths["05_identifiability"]) == []
