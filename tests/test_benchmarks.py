"""benchmarks/run_all.py in quick mode: every row well formed, missing dependencies skipped.

No timing is asserted (a shared CI machine's timings are noise); only the report's shape, that
each ratio is ours / baseline, and that a module which cannot be imported is skipped cleanly.
"""

import importlib.util
import io
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def run_all():
    spec = importlib.util.spec_from_file_location("_run_all", BENCH / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_run_of_every_table_is_well_formed(run_all):
    out = io.StringIO()
    rows, notes = run_all.run_all(repeat=1, quick=True, out=out)
    assert not [n for n in notes if n["status"] == "failed"], notes
    assert sum(r["module"] == "entangle" for r in rows) >= 8
    for r in rows:
        assert set(run_all.KEYS) <= set(r)
        assert r["ours"] > 0 and r["baseline"] > 0
        assert r["ratio"] == pytest.approx(r["ours"] / r["baseline"], rel=1e-12)
        assert r["met"] == (r["ratio"] <= r["goal"])
    text = run_all.format_table(rows, notes)
    assert f"of {len(rows)} goals met" in text and rows[0]["figure"] in text


def test_missing_dependency_and_missing_table_are_skipped(run_all, tmp_path):
    (tmp_path / "bench_needs_torch.py").write_text("import torch_not_installed_here\n")
    (tmp_path / "bench_no_table.py").write_text("def main():\n    return 0\n")
    (tmp_path / "bench_broken.py").write_text("def table(repeat=3, quick=False):\n    1 / 0\n")
    (tmp_path / "bench_ok.py").write_text(
        "def table(repeat=3, quick=False):\n"
        "    return [dict(figure='x', ours=2.0, baseline=1.0, ratio=2.0, goal=1.5, detail='')]\n"
    )
    rows, notes = run_all.run_all(repeat=1, quick=True, directory=tmp_path, out=io.StringIO())
    status = {n["module"]: n["status"] for n in notes}
    assert status == {"needs_torch": "skipped", "no_table": "skipped", "broken": "failed"}
    assert [(r["module"], r["met"]) for r in rows] == [("ok", False)]
    assert "ZeroDivisionError" in run_all.format_table(rows, notes)


def test_main_exits_zero_whatever_the_ratios(run_all, capsys):
    assert run_all.main(["--quick", "--repeat", "1", "--only", "entangle"]) == 0
    assert "goals met" in capsys.readouterr().out
