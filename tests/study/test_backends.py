"""Tests of impossibility.study.backends: distributed backends give the sequential records."""

from __future__ import annotations

import pytest

import impossibility.study as st
from impossibility.study.backends import BACKENDS, start_backend


def test_dask_backend_matches_sequential(sequential_records, tiny_configs, strip_timing, tmp_path):
    # distributed is in the test extra: this runs on a real LocalCluster in CI, never skipped
    recs = st.run_sweep(tiny_configs(), tmp_path, backend="dask", n_jobs=2)
    assert strip_timing(recs) == strip_timing(sequential_records)


def test_ray_backend_matches_sequential(sequential_records, tiny_configs, strip_timing, tmp_path):
    pytest.importorskip("ray")  # optional extra: a smoke test where Ray is installed
    recs = st.run_sweep(tiny_configs(), tmp_path, backend="ray", n_jobs=2)
    assert strip_timing(recs) == strip_timing(sequential_records)


@pytest.mark.parametrize("backend", ["sequential", "loky", "threading"])
def test_local_backends_need_nothing_started(backend):
    assert backend in BACKENDS
    assert start_backend(backend, 2, None)() is None
