"""Parallel model fits of the metrics (impossibility.metrics._parallel): task order, the
costliest-first dispatch, one BLAS thread per task, and the idle-core count."""

import os

import numpy as np
import pytest

from impossibility.metrics._parallel import auto_n_jobs, check_n_jobs_or_auto, parallel_map


def _square_and_blas(x):
    from threadpoolctl import threadpool_info

    blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    return x * x, blas


def test_parallel_map_keeps_task_order_and_limits_blas():
    tasks = [(v,) for v in range(7)]
    costs = [1, 9, 3, 3, 7, 0.5, 2]
    seq = parallel_map(_square_and_blas, tasks, None)
    par = parallel_map(_square_and_blas, tasks, 2, costs=costs)
    assert [r[0] for r in seq] == [r[0] for r in par] == [v * v for v in range(7)]
    # inside a worker every BLAS pool runs one thread
    assert all(n == 1 for _, blas in par for n in blas)


def test_auto_n_jobs_bounds(monkeypatch):
    import joblib

    monkeypatch.setattr(joblib, "cpu_count", lambda: 8)
    monkeypatch.setattr(os, "getloadavg", lambda: (2.4, 0.0, 0.0))
    assert auto_n_jobs(20) == 6  # round(8 - 2.4)
    assert auto_n_jobs(3) == 3  # never more workers than tasks
    monkeypatch.setattr(os, "getloadavg", lambda: (11.0, 0.0, 0.0))
    assert auto_n_jobs(20) == 1  # no idle core: this process

    def no_loadavg():
        raise OSError("unavailable")

    monkeypatch.setattr(os, "getloadavg", no_loadavg)
    assert auto_n_jobs(20) == 8
    assert check_n_jobs_or_auto("auto", 5) == 5
    assert check_n_jobs_or_auto(None, 5) is None and check_n_jobs_or_auto(-1, 5) == -1
    with pytest.raises(TypeError, match="n_jobs"):
        check_n_jobs_or_auto("fast", 5)
    with pytest.raises(ValueError, match="n_jobs"):
        check_n_jobs_or_auto(0, 5)
    assert np.isscalar(auto_n_jobs(1))
