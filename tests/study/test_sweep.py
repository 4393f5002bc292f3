"""Tests of impossibility.study.sweep: resumable sweeps, identical on every backend."""

from __future__ import annotations

import json

import pytest

import impossibility.study as st


def test_quick_sweep_resumes_without_recomputing(quick_study, forbid_recomputation):
    out, _ = quick_study
    cache = out / "cache" / "quick" / "study"
    files = sorted(cache.glob("*.json"))
    assert len(files) == len(st.build_configs("quick"))
    before = {p: p.stat().st_mtime_ns for p in files}
    records = st.run_study("quick", backend="sequential", out_dir=cache)
    assert all(r["status"] == "ok" for r in records)
    assert {p: p.stat().st_mtime_ns for p in files} == before
    # every stored file is a record, in file-name order without configs, in sweep order with them
    by_key = {r["key"]: r for r in st.load_records(cache)}
    assert [by_key[r["key"]] for r in records] == st.load_records(cache, st.build_configs("quick"))


def test_loky_resume_matches_sequential(sequential_records, tiny_configs, strip_timing, tmp_path):
    configs = tiny_configs()
    # an "interrupted" sweep: only the first run finished
    first = st.run_sweep(configs[:1], tmp_path, backend="sequential")
    path = tmp_path / configs[0].filename
    stamp = path.stat().st_mtime_ns
    resumed = st.run_sweep(configs, tmp_path, backend="loky", n_jobs=2)
    assert path.stat().st_mtime_ns == stamp  # the finished run was not rewritten
    assert resumed[0] == first[0]
    assert all(r["status"] == "ok" for r in resumed)
    # identical results on both backends: each run is seeded from its configuration only
    assert strip_timing(resumed) == strip_timing(sequential_records)
    # distinct seeds give distinct models
    assert resumed[0]["scores"] != resumed[1]["scores"]


def test_corrupted_run_file_is_recomputed(sequential_records, tiny_configs, strip_timing, tmp_path):
    configs = tiny_configs()[:1]
    path = tmp_path / configs[0].filename
    path.write_text('{"key": "truncated')
    (rec,) = st.run_sweep(configs, tmp_path, backend="sequential")
    assert rec["status"] == "ok"
    assert json.loads(path.read_text())["key"] == configs[0].key
    assert strip_timing([rec]) == strip_timing(sequential_records[:1])


def test_run_sweep_checks(tiny_configs, tmp_path):
    configs = tiny_configs()
    with pytest.raises(ValueError, match="backend must be one of .*; got 'mpi'"):
        st.run_sweep(configs, tmp_path, backend="mpi")
    with pytest.raises(TypeError, match="backend must be one of .* \\(a string\\); got None"):
        st.run_sweep(configs, tmp_path, backend=None)
    with pytest.raises(ValueError, match="n_jobs must be a positive integer or -1; got 0"):
        st.run_sweep(configs, tmp_path, n_jobs=0)
    with pytest.raises(ValueError, match="n_jobs must be an integer >= -1; got -2"):
        st.run_sweep(configs, tmp_path, n_jobs=-2)
    with pytest.raises(TypeError, match=r"n_jobs must be an integer; got 2\.0"):
        st.run_sweep(configs, tmp_path, n_jobs=2.0)
    with pytest.raises(TypeError, match="address must be a string or None; got 8786"):
        st.run_sweep(configs, tmp_path, address=8786)
    with pytest.raises(TypeError, match="log must be a callable or None; got 'stderr'"):
        st.run_sweep(configs, tmp_path, log="stderr")
    with pytest.raises(TypeError, match=r"configs\[1\] must be a RunConfig; got dict"):
        st.run_sweep([configs[0], {}], tmp_path)
    with pytest.raises(ValueError, match="duplicate"):
        st.run_sweep(configs[:1] * 2, tmp_path)
    assert not list(tmp_path.iterdir())  # nothing was run or written


def test_an_edited_run_file_is_reported_and_recomputed(
    sequential_records, tiny_configs, strip_timing, tmp_path
):
    configs = tiny_configs()[:1]
    (first,) = st.run_sweep(configs, tmp_path, backend="sequential")
    path = tmp_path / configs[0].filename
    stored = json.loads(path.read_text())
    assert stored["digest"] and "digest" not in first  # on disk only
    metric = sorted(stored["scores"])[0]
    stored["scores"][metric] = 0.99  # still valid JSON, one number changed
    path.write_text(json.dumps(stored, indent=1, sort_keys=True))
    with pytest.warns(UserWarning, match="does not match its digest"):
        assert st.load_records(tmp_path) == []
    with pytest.warns(UserWarning, match="does not match its digest"):
        (rec,) = st.run_sweep(configs, tmp_path, backend="sequential")
    assert rec["scores"][metric] != 0.99
    assert strip_timing([rec]) == strip_timing(sequential_records[:1])
    assert json.loads(path.read_text())["scores"][metric] == rec["scores"][metric]
    # a record without a digest (written by hand, or by an older version) is not trusted either
    stored = json.loads(path.read_text())
    del stored["digest"]
    path.write_text(json.dumps(stored))
    with pytest.warns(UserWarning, match="has no digest"):
        st.run_sweep(configs, tmp_path, backend="sequential")
