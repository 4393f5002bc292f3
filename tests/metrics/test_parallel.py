"""Parallel model fits of the metrics (impossibility.metrics._parallel): task order, the
costliest-first dispatch, one BLAS thread per task, the idle-core count, and every metric that
fits one model per factor or pair giving bit-identical values for every ``n_jobs``."""

import os

import numpy as np
import pytest

from impossibility.metrics import _parallel, dci, downstream_scores, sap, strong_downstream
from impossibility.metrics._parallel import auto_n_jobs, check_n_jobs_or_auto, parallel_map

# "auto" as it resolves now (on a loaded machine often 1) and 2 (always worker processes)
N_JOBS = (None, 1, 2, "auto")


def _square_and_blas(x):
    from threadpoolctl import threadpool_info

    blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    return x * x, blas


@pytest.mark.parametrize("prefer", ["processes", "threads"])
def test_parallel_map_keeps_task_order_and_limits_blas(prefer):
    tasks = [(v,) for v in range(7)]
    costs = [1, 9, 3, 3, 7, 0.5, 2]
    seq = parallel_map(_square_and_blas, tasks, None)
    par = parallel_map(_square_and_blas, tasks, 2, costs=costs, prefer=prefer)
    assert [r[0] for r in seq] == [r[0] for r in par] == [v * v for v in range(7)]
    # every task, sequential or in a worker, runs with one thread in each BLAS pool
    assert all(n == 1 for _, blas in seq + par for n in blas)


def test_auto_n_jobs_bounds(monkeypatch):
    import joblib

    monkeypatch.setattr(joblib, "cpu_count", lambda: 8)
    monkeypatch.setattr(_parallel, "_own_load", lambda: 0.0)
    monkeypatch.setattr(os, "getloadavg", lambda: (2.4, 0.0, 0.0))
    assert auto_n_jobs(20) == 6  # round(8 - 2.4)
    assert auto_n_jobs(3) == 3  # never more workers than tasks
    # this process's own share of the load is not counted: it waits while the workers run
    monkeypatch.setattr(_parallel, "_own_load", lambda: 1.0)
    assert auto_n_jobs(20) == 7  # round(8 - (2.4 - 1))
    monkeypatch.setattr(os, "getloadavg", lambda: (0.5, 0.0, 0.0))
    assert auto_n_jobs(20) == 8  # the other processes' load is never negative
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


def test_auto_stays_in_this_process_for_short_fits(monkeypatch):
    import joblib

    monkeypatch.setattr(joblib, "cpu_count", lambda: 8)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert auto_n_jobs(20, seconds=0.5 * _parallel.AUTO_MIN_SECONDS) == 1
    assert auto_n_jobs(20, seconds=2.0 * _parallel.AUTO_MIN_SECONDS) == 8
    assert check_n_jobs_or_auto(3, 20, seconds=0.0) == 3  # an explicit n_jobs is obeyed
    # one tree per stage for two classes, one per class otherwise
    per_tree = _parallel.SECONDS_PER_POINT_TREE
    assert _parallel.boosting_seconds(1000, [2, 5], 10) == pytest.approx(per_tree * 1000 * 60)


def test_own_load_counts_this_process_and_its_recent_workers(monkeypatch):
    import time

    monkeypatch.setattr(_parallel, "_RUNS", [])
    own = _parallel._own_load()
    assert 0.0 <= own <= 1.0  # this process: at most one core
    # two workers busy for the last 30 s weigh 2 (1 - e^{-1/2}) in a 60-s moving average
    now = time.perf_counter()
    monkeypatch.setattr(_parallel, "_RUNS", [(now - 30.0, now, 2)])
    extra = _parallel._own_load() - own
    assert extra == pytest.approx(2 * (1 - np.exp(-0.5)), abs=0.01)
    # a parallel run is remembered with its number of workers
    monkeypatch.setattr(_parallel, "_RUNS", [])
    parallel_map(_square_and_blas, [(1,), (2,), (3,)], 2, prefer="threads")
    assert len(_parallel._RUNS) == 1 and _parallel._RUNS[0][2] == 2


def _split(seed, n_train=150, n_test=80, sizes=(3, 2, 2)):
    rng = np.random.default_rng(seed)
    y = np.column_stack([rng.integers(0, s, n_train + n_test) for s in sizes])
    mix = np.eye(len(sizes)) + 0.5 * rng.normal(size=(len(sizes), len(sizes)))
    z = np.column_stack([y @ mix, rng.normal(size=(y.shape[0], 1))])
    z += 0.3 * rng.normal(size=z.shape)
    return z[:n_train], y[:n_train], z[n_train:], y[n_train:]


def _same_for_every_n_jobs(fn, monkeypatch):
    values = [fn(n_jobs) for n_jobs in N_JOBS]
    # "auto" on an idle machine, however short the fits: workers on every usable core
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    monkeypatch.setattr(_parallel, "AUTO_MIN_SECONDS", 0.0)
    values.append(fn("auto"))
    return values


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dci_sap_downstream_bit_identical_for_every_n_jobs(seed, monkeypatch):
    z, y, zt, yt = _split(seed)

    def scores(n_jobs):
        d = dci(z, y, zt, yt, rng=np.random.default_rng(seed), n_jobs=n_jobs)
        s = sap(z, y, zt, yt, rng=np.random.default_rng(seed), n_jobs=n_jobs)
        down = downstream_scores(
            z, y, zt, yt, rng=np.random.default_rng(seed), small=40, n_estimators=4, n_jobs=n_jobs
        )
        return d.importance_matrix.tobytes(), d.as_dict(), s, down

    values = _same_for_every_n_jobs(scores, monkeypatch)
    assert all(v == values[0] for v in values[1:])
    # the values are not trivially constant: another seed's DCI trees give other importances
    other = dci(z, y, zt, yt, rng=np.random.default_rng(seed + 10), n_jobs=1)
    assert other.importance_matrix.tobytes() != values[0][0]


def test_strong_downstream_bit_identical_for_every_n_jobs(tiny, monkeypatch):
    def scores(n_jobs):
        return strong_downstream(
            tiny.Data(noise=0.5),
            tiny.perfect,
            np.random.default_rng(3),
            num_train=(60,),
            num_test=40,
            n_experiment=1,
            n_estimators=3,
            n_jobs=n_jobs,
        )

    values = _same_for_every_n_jobs(scores, monkeypatch)
    assert all(v == values[0] for v in values[1:])


@pytest.mark.parametrize(
    ("n_jobs", "error", "match"),
    [
        ("fast", TypeError, "n_jobs must be an integer; got 'fast'"),
        (2.0, TypeError, "n_jobs must be an integer; got 2.0"),
        (0, ValueError, "n_jobs must be None, positive, or negative"),
    ],
)
def test_bad_n_jobs_raises_naming_the_argument(n_jobs, error, match):
    z, y, zt, yt = _split(0)
    rng = np.random.default_rng(0)
    with pytest.raises(error, match=match):
        dci(z, y, zt, yt, rng=rng, n_jobs=n_jobs)
    with pytest.raises(error, match=match):
        sap(z, y, zt, yt, n_jobs=n_jobs)
    with pytest.raises(error, match=match):
        downstream_scores(z, y, zt, yt, rng=rng, n_jobs=n_jobs)
