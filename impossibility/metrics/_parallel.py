"""Independent model fits of the metrics, run in parallel with joblib.

.. math:: T(w) \\approx \\max_{\\text{worker}} \\sum_{t \\in \\text{worker}} c_t, \\qquad
          w = \\min\\big(T, \\operatorname{round}(\\text{cores} - \\text{load})\\big)

Tasks are dispatched costliest first (longest-processing-time order, so the workers finish
together) and each runs with one BLAS thread, so ``w`` workers never oversubscribe the cores.
``n_jobs="auto"`` takes as many workers as cores are idle (the core count minus the one-minute
load average). Every task carries its own seed, so results never depend on ``n_jobs``.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import numpy as np

from ._checks import check_n_jobs

__all__ = ["auto_n_jobs", "check_n_jobs_or_auto", "parallel_map"]


def auto_n_jobs(n_tasks: int) -> int:
    """Workers for ``n_tasks`` fits: the idle cores, at least 1 and at most ``n_tasks``.

    Idle cores are the usable cores (``joblib.cpu_count``: affinity and container quotas
    included) minus the one-minute load average, rounded; where the load average is
    unavailable, all usable cores.
    """
    from joblib import cpu_count

    cores = cpu_count()
    try:
        idle = cores - os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average on this platform
        idle = cores
    return int(max(1, min(n_tasks, round(idle))))


def check_n_jobs_or_auto(n_jobs: Any, n_tasks: int) -> int | None:
    """``"auto"`` becomes :func:`auto_n_jobs` of ``n_tasks``; otherwise ``check_n_jobs``.

    Raises
    ------
    TypeError
        If ``n_jobs`` is neither ``None``, an integer nor ``"auto"``.
    ValueError
        If it is 0.
    """
    if isinstance(n_jobs, str) and n_jobs == "auto":
        return auto_n_jobs(n_tasks)
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
) -> list[Any]:
    """``[fn(*t) for t in tasks]``, in parallel when ``n_jobs`` asks for it.

    ``None`` or 1 runs in this process; ``-1`` uses every core (joblib's convention); other
    integers that many workers. With ``costs`` (any positive proxy of each task's run time),
    the costliest tasks are dispatched first. Worker processes are joblib's default backend
    (boosting spends much of its time in GIL-holding Python code, so threads overlap badly);
    ``joblib.parallel_config(backend=...)`` overrides it. Results come back in task order.
    """
    if n_jobs is None or n_jobs == 1 or len(tasks) <= 1:
        return [fn(*t) for t in tasks]
    from joblib import Parallel, delayed

    order = np.arange(len(tasks))
    if costs is not None:
        order = np.argsort(-np.asarray(costs, dtype=np.float64), kind="stable")
    done = Parallel(n_jobs=n_jobs)(delayed(_one_blas_thread)(fn, tasks[t]) for t in order)
    out: list[Any] = [None] * len(tasks)
    for t, result in zip(order, done, strict=True):
        out[t] = result
    return out
