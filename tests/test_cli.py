"""The command line: reproduce (quick), caching, list, verify and error paths."""

import json
import subprocess
import sys

import pytest

from impossibility.tools.cli import main
from impossibility.tools.reproduce import discover_experiments, read_json, run_experiments


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
    rep = run_experiments(out=tmp_path, quick=True, only=["theorem1_warp"], plot_only=True, log=lambda m: None)
    assert rep["theorem1_warp"]["status"] == "plotted"
    assert png.read_bytes() == before  # byte-reproducible figures


def test_corrupted_results_file_is_reported(tmp_path):
    res = tmp_path / "results" / "theorem1_warp.quick.json"
    res.parent.mkdir(parents=True)
    res.write_text('{"truncated": ')
    with pytest.raises(ValueError, match="not valid JSON"):
        run_experiments(out=tmp_path, quick=True, only=["theorem1_warp"], log=lambda m: None)


def test_unknown_experiment_is_an_error(capsys):
    assert main(["reproduce", "--only", "nope", "--quick"]) == 2
    assert "unknown experiment" in capsys.readouterr().err


def test_list_and_verify(capsys):
    assert main(["list"]) == 0
    assert "theorem1_warp" in capsys.readouterr().out
    assert main(["verify", "laplace(scale=2)", "beta(2, 5)", "gamma(3)", "-n", "3000"]) == 0
    out = capsys.readouterr().out
    assert "PASSED" in out and "density invariance" in out
    assert main(["verify", "norm"]) == 2
    assert "d ≥ 2" in capsys.readouterr().err
    assert main(["verify", "poisson(3)", "norm"]) == 2
    assert main(["verify", "__import__('os')"]) == 2


def test_module_entry_point():
    out = subprocess.run([sys.executable, "-m", "impossibility", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "reproduce" in out.stdout


def test_study_subcommand_forwards_its_options(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["study", "--help"])
    assert exc.value.code == 0
    assert "--preset" in capsys.readouterr().out
