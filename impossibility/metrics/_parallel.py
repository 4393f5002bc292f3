"""Independent model fits of the metrics, run in parallel with joblib.

.. math:: T(w) \\approx \\max_{\\text{worker}} \\sum_{t \\in \\text{worker}} c_t, \\qquad
          w = \\min\\big(T, \\operatorname{round}(\\text{cores} - \\text{load})\\big)

Tasks are dispatched costliest first (longest-processing-time order, so the workers finish
together) and each runs with one BLAS thread, so ``w`` workers never oversubscribe the cores.
``n_jobs="auto"`` (the default of every metric that fits several models) takes as many
workers as cores are idle: the core count minus the one-minute load average of the other
processes. Every task carries its own seed, so results never depend on ``n_jobs``.
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Sequence

import numpy as np

from ._checks import check_n_jobs

__all__ = ["auto_n_jobs", "check_n_jobs_or_auto", "parallel_map", "boosting_seconds"]

#: ``"auto"`` stays in this process when the sequential fits would take less than this: starting
#: worker processes takes about a second (imports included), dispatching to warm ones tens of
#: milliseconds per batch, so short runs (the audit's and the tests' small sets) only lose.
AUTO_MIN_SECONDS = 1.0

#: Seconds per training point and regression tree of scikit-learn's gradient boosting (depth 3,
#: 10 codes), measured on 2 cores: DCI at 5,333 points, 113 trees per stage, 100 stages took 66 s.
SECONDS_PER_POINT_TREE = 1.1e-6


#: When this module was imported, on the wall clock and on this process's CPU clock.
_WALL0, _CPU0 = time.perf_counter(), time.process_time()

#: ``(start, end, workers)`` of this process's recent parallel runs, on the wall clock.
_RUNS: list[tuple[float, float, int]] = []


def _own_load() -> float:
    """This process's and its workers' share of the one-minute load average, estimated.

    The load average is an exponential moving average (time constant 60 s) of the number of
    runnable tasks. The caller is one of them while it computes, yet it only waits while the
    workers run; the workers of its earlier parallel runs are idle now. A process that has
    used a share :math:`u` of one core since this module was imported, :math:`t` seconds ago,
    contributes about :math:`u (1 - e^{-t / 60})`; ``w`` workers busy from :math:`s` to
    :math:`e` seconds ago contribute :math:`w (e^{-e / 60} - e^{-s / 60})`.
    """
    now = time.perf_counter()
    wall = now - _WALL0
    if wall <= 0.0:
        return 0.0
    share = min(1.0, (time.process_time() - _CPU0) / wall)
    own = share * (1.0 - np.exp(-wall / 60.0))
    for start, end, workers in _RUNS:
        own += workers * (np.exp(-(now - end) / 60.0) - np.exp(-(now - start) / 60.0))
    return float(own)


def boosting_seconds(n_points: int, classes: Sequence[int], stages: int) -> float:
    """Rough sequential time of one boosted-tree fit per entry of ``classes``: a fit grows one
    tree per class and stage (one for two classes), :data:`SECONDS_PER_POINT_TREE` each point."""
    trees = sum(1 if c <= 2 else c for c in classes) * stages
    return SECONDS_PER_POINT_TREE * n_points * trees


def auto_n_jobs(n_tasks: int, seconds: float | None = None) -> int:
    """Workers for ``n_tasks`` fits: the idle cores, at least 1 and at most ``n_tasks``.

    With ``seconds``, an estimate of the fits' sequential time, 1 (this process) when it is
    below :data:`AUTO_MIN_SECONDS`.

    Idle cores are the usable cores (``joblib.cpu_count``: affinity and container quotas
    included) minus the one-minute load average of the *other* processes (the load average
    less this process's own estimated share, :func:`_own_load`, since it waits while the
    workers run), rounded; where the load average is unavailable, all usable cores.
    """
    from joblib import cpu_count

    if seconds is not None and seconds < AUTO_MIN_SECONDS:
        return 1
    cores = cpu_count()
    try:
        others = max(0.0, os.getloadavg()[0] - _own_load())
    except (AttributeError, OSError):  # no load average on this platform
        others = 0.0
    return int(max(1, min(n_tasks, round(cores - others))))


def check_n_jobs_or_auto(n_jobs: Any, n_tasks: int, seconds: float | None = None) -> int | None:
    """``"auto"`` becomes :func:`auto_n_jobs` of ``n_tasks`` and ``seconds``; otherwise
    ``check_n_jobs``.

    Raises
    ------
    TypeError
        If ``n_jobs`` is neither ``None``, an integer nor ``"auto"``.
    ValueError
        If it is 0.
    """
    if isinstance(n_jobs, str) and n_jobs == "auto":
        return auto_n_jobs(n_tasks, seconds)
    return check_n_jobs(n_jobs)


def _one_blas_thread(fn: Callable[..., Any], args: tuple) -> Any:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return fn(*args)


def parallel_map(
    fn: Callable[..., Any],
    tasks: Sequence[tuple],
    n_jobs: int | None,
    costs: Sequence[float] | None = None,
    prefer: str = "processes",
) -> list[Any]:
    """``[fn(*t) for t in tasks]``, in parallel when ``n_jobs`` asks for it.

    ``None`` or 1 runs in this process; ``-1`` uses every core (joblib's convention); other
    integers that many workers. With ``costs`` (any positive proxy of each task's run time),
    the costliest tasks are dispatched first. ``prefer`` is joblib's hint: ``"processes"``
    (its default, loky) for fits that spend their time in Python code holding the GIL (a
    one-code ``LinearSVC``: scikit-learn's checks around a short liblinear call),
    ``"threads"`` for fits that release it (boosting grows its trees in compiled code);
    ``joblib.parallel_config(backend=...)`` overrides it. Results come back in task order.

    Every task runs with one BLAS thread, whatever ``n_jobs`` is, so ``w`` workers never
    oversubscribe the cores and a task's floating-point reductions (a multi-threaded BLAS
    splits its sums by thread) are the same for every ``n_jobs``: results are identical.
    """
    from threadpoolctl import threadpool_limits

    if n_jobs is None or n_jobs == 1 or len(tasks) <= 1:
        with threadpool_limits(limits=1, user_api="blas"):
            return [fn(*t) for t in tasks]
    from joblib import Parallel, cpu_count, delayed

    order = np.arange(len(tasks))
    if costs is not None:
        order = np.argsort(-np.asarray(costs, dtype=np.float64), kind="stable")
    # the outer limit covers thread workers (a process-wide setting, so it is set once here
    # rather than entered and left by concurrent threads); process workers set their own
    start = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):
        done = Parallel(n_jobs=n_jobs, prefer=prefer)(
            delayed(_one_blas_thread)(fn, tasks[t]) for t in order
        )
    end = time.perf_counter()
    # remembered for auto_n_jobs (older runs no longer weigh in a one-minute average)
    _RUNS[:] = [r for r in _RUNS if end - r[1] < 600.0]
    workers = n_jobs if n_jobs > 0 else max(1, cpu_count() + 1 + n_jobs)
    _RUNS.append((start, end, min(len(tasks), workers)))
    out: list[Any] = [None] * len(tasks)
    for t, result in zip(order, done, strict=True):
        out[t] = result
    return out
