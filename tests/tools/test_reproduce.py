"""The experiment runner: quick runs, caching, byte-identical redraws, corrupted results."""

import json
import subprocess

import pytest

from impossibility._io import read_json
from impossibility.tools.reproduce import (
    default_root,
    discover_experiments,
    read_results,
    run_experiments,
)


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
    png = tmp_path / "quick" / "theorem1_warp.png"
    before = png.read_bytes()
    png.unlink()
    rep = run_experiments(
        out=tmp_path, quick=True, only=["theorem1_warp"], plot_only=True, log=lambda m: None
    )
    assert rep["theorem1_warp"]["status"] == "plotted"
    assert png.read_bytes() == before  # byte-reproducible figures


def test_corrupted_results_file_is_reported(tmp_path):
    res = tmp_path / "quick" / "results" / "theorem1_warp.json"
    res.parent.mkdir(parents=True)
    res.write_text('{"truncated": ')
    with pytest.raises(ValueError, match="not valid JSON"):
        run_experiments(out=tmp_path, quick=True, only=["theorem1_warp"], log=lambda m: None)


def test_quick_runs_never_touch_the_full_figures_and_results(tmp_path):
    # `reproduce --only theorem1_samples --quick` used to replace figures/theorem1_samples.png
    full = tmp_path / "theorem1_samples.png"
    full.write_bytes(b"committed figure")
    rep = run_experiments(out=tmp_path, quick=True, only=["theorem1_samples"], log=lambda m: None)
    assert full.read_bytes() == b"committed figure"
    assert not (tmp_path / "results").exists()
    r = rep["theorem1_samples"]
    assert r["results"] == tmp_path / "quick" / "results" / "theorem1_samples.json"
    assert all(f.parent == tmp_path / "quick" for f in r["figures"])


def test_quick_folder_is_ignored_by_git():
    root = default_root()
    out = subprocess.run(
        ["git", "check-ignore", "-q", "figures/quick/x.png"], cwd=root, capture_output=True
    )
    assert out.returncode == 0


def _edit_one_number(path):
    stored = read_json(path)
    stored["results"]["edited"] = 1  # still valid JSON
    path.write_text(json.dumps(stored, indent=1, sort_keys=True))


def test_an_edited_results_file_is_detected_not_drawn(tmp_path):
    run_experiments(out=tmp_path, quick=True, only=["theorem1_warp"], log=lambda m: None)
    res = tmp_path / "quick" / "results" / "theorem1_warp.json"
    read_results(res)  # the digest matches what was written
    stored = read_json(res)
    key = sorted(k for k, v in stored["results"].items() if isinstance(v, (int, float)))
    text = res.read_text()
    if key:  # change one number in place
        stored["results"][key[0]] = stored["results"][key[0]] + 1
        res.write_text(json.dumps(stored, indent=1, sort_keys=True))
    else:
        _edit_one_number(res)
    assert res.read_text() != text
    for plot_only in (True, False):
        with pytest.raises(ValueError, match="does not match its digest"):
            run_experiments(
                out=tmp_path,
                quick=True,
                only=["theorem1_warp"],
                plot_only=plot_only,
                log=lambda m: None,
            )


def _bump_first_number(obj):
    """Add 1 to the first int/float leaf of a JSON tree (in place); return whether one was found."""
    items = (
        obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else []
    )
    for k, v in items:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            obj[k] = v + 1
            return True
        if _bump_first_number(v):
            return True
    return False


def test_every_committed_results_file_matches_its_digest(tmp_path):
    files = sorted((default_root() / "figures" / "results").glob("*.json"))
    assert files
    for path in files:
        stored = read_results(path)
        assert stored["experiment"] == path.stem
        # one number changed anywhere in the results is detected
        assert _bump_first_number(stored["results"])
        tampered = tmp_path / path.name
        tampered.write_text(json.dumps(stored, indent=1, sort_keys=True))
        with pytest.raises(ValueError, match="does not match its digest"):
            read_results(tampered)


def test_a_results_file_without_digest_is_recomputed_not_used(tmp_path):
    run_experiments(out=tmp_path, quick=True, only=["theorem1_warp"], log=lambda m: None)
    res = tmp_path / "quick" / "results" / "theorem1_warp.json"
    stored = read_json(res)
    del stored["digest"]
    res.write_text(json.dumps(stored))
    with pytest.raises(ValueError, match="has no payload digest"):
        run_experiments(
            out=tmp_path, quick=True, only=["theorem1_warp"], plot_only=True, log=lambda m: None
        )
    rep = run_experiments(out=tmp_path, quick=True, only=["theorem1_warp"], log=lambda m: None)
    assert rep["theorem1_warp"]["status"] == "computed"
    assert read_results(res)["digest"]


_TOY = """
from pathlib import Path
READS_RESULTS_OF = {reads!r}
def compute(ctx):
    upstream = Path(ctx.figure_dir) / "results" / "b.json"
    return {{"saw_b": upstream.exists(), "value": {value}}}
def plot(results, ctx):
    return []
"""


def _toy_root(tmp_path, b_value):
    (tmp_path / "experiments").mkdir(exist_ok=True)
    (tmp_path / "experiments" / "a.py").write_text(_TOY.format(reads=("b",), value=1))
    (tmp_path / "experiments" / "b.py").write_text(_TOY.format(reads=(), value=b_value))
    return tmp_path


def test_an_experiment_runs_after_the_results_it_reads_and_follows_their_changes(tmp_path):
    root = _toy_root(tmp_path, b_value=1)
    out = tmp_path / "figures"
    rep = run_experiments(root=root, out=out, log=lambda m: None)
    assert list(rep) == ["b", "a"]  # a reads b's results: b first, though a sorts first
    assert read_results(out / "results" / "a.json")["results"]["saw_b"] is True
    again = run_experiments(root=root, out=out, log=lambda m: None)
    assert again["a"]["status"] == again["b"]["status"] == "cached"
    _toy_root(tmp_path, b_value=2)  # b's code, hence b's results, change: a must follow
    third = run_experiments(root=root, out=out, log=lambda m: None)
    assert third["b"]["status"] == "computed" and third["a"]["status"] == "computed"


def test_experiments_that_read_each_other_are_refused(tmp_path):
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "a.py").write_text(_TOY.format(reads=("b",), value=1))
    (tmp_path / "experiments" / "b.py").write_text(_TOY.format(reads=("a",), value=1))
    with pytest.raises(ValueError, match="cycle"):
        run_experiments(root=tmp_path, out=tmp_path / "figures", log=lambda m: None)
