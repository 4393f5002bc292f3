"""Tests of impossibility.study.cli: ``impossibility study`` / ``python -m impossibility.study``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import impossibility.study as st
from impossibility.tools.reproduce import read_json


def test_command_line_resumes_and_writes_the_summary(quick_study, forbid_recomputation):
    out, _ = quick_study
    cache = out / "cache" / "quick" / "study"
    files = sorted(cache.glob("*.json"))
    argv = ["--preset", "quick", "--out-dir", str(cache), "--backend", "sequential"]
    assert st.main([*argv, "--summary", str(out / "summary.json")]) == 0
    assert read_json(out / "summary.json")["n_ok"] == len(files)


def test_command_line_refuses_unknown_options(capsys):
    assert st.main(["--backend", "mpi"]) == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'mpi'" in err and err.count("\n") == 1


def test_python_dash_m_runs_the_command_line():
    root = str(Path(st.__file__).parents[2])
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run(
        [sys.executable, "-m", "impossibility.study", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert res.stdout.startswith("usage: impossibility study")
    assert "--preset {default,full,quick}" in res.stdout


def test_dtype_option_reaches_the_run_configurations(monkeypatch, tmp_path):
    import impossibility.study.cli as cli

    seen = {}

    def fake_run_study(preset, *args, **kwargs):
        seen["preset"] = preset
        return []

    monkeypatch.setattr(cli, "run_study", fake_run_study)
    assert st.main(["--preset", "quick", "--dtype", "float32", "--out-dir", str(tmp_path)]) == 0
    assert seen["preset"].settings.dtype == "float32" and seen["preset"].name == "quick"
    assert all(
        c.as_dict()["settings"]["dtype"] == "float32" for c in st.build_configs(seen["preset"])
    )
    assert st.main(["--preset", "quick", "--out-dir", str(tmp_path)]) == 0
    assert seen["preset"] == st.PRESETS["quick"]  # without --dtype: the preset's own (float64)
    assert st.main(["--dtype", "float16"]) == 2
