"""The experiment runner: quick runs, caching, byte-identical redraws, corrupted results."""

import pytest

from impossibility._io import read_json
from impossibility.tools.reproduce import discover_experiments, run_experiments


def test_every_experiment_runs_quick_and_is_cached(tmp_path):
    names = list(discover_experiments())
    assert {"theorem1_warp", "theorem1_samples", "theorem1_family"} <= set(names)
    first = run_experiments(out=tmp_path, quick=True, log=lambda m: None)
    assert all(r["status"] == "computed" for r in first.values())
    for r in first.values():
        assert r["results"].exists() and r["figures"], r
        assert all(f.exists() and f.stat().st_size > 1000 for f in r["figures"])
        payload = read_json(r["results"])
        assert payload["quick"] is True and payload["results"]
    second = run_experiments(out=tmp_path, quick=True, log=lambda m: None)
    assert all(r["status"] == "cached" for r in second.values())


def test_plot_only_redraws_identical_png(tmp_path):
    run_experiments(out=tmp_path, quick=True, only=["theorem1_warp"], log=lambda m: None)
    png = tmp_path / "theorem1_warp.png"
    before = png.read_bytes()
    png.unlink()
    rep = run_experiments(
        out=tmp_path, quick=True, only=["theorem1_warp"], plot_only=True, log=lambda m: None
    )
    assert rep["theorem1_warp"]["status"] == "plotted"
    assert png.read_bytes() == before  # byte-reproducible figures


def test_corrupted_results_file_is_reported(tmp_path):
    res = tmp_path / "results" / "theorem1_warp.quick.json"
    res.parent.mkdir(parents=True)
    res.write_text('{"truncated": ')
    with pytest.raises(ValueError, match="not valid JSON"):
        run_experiments(out=tmp_path, quick=True, only=["theorem1_warp"], log=lambda m: None)
