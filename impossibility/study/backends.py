"""The joblib backends a sweep can run on, :data:`BACKENDS`, and :func:`start_backend`.

``"sequential"``, ``"threading"`` and ``"loky"`` (local processes) need nothing started;
``"dask"`` connects to a ``distributed`` scheduler or starts a local cluster of single-threaded
worker processes, and ``"ray"`` registers Ray's joblib backend and starts Ray if it is not
running. Results do not depend on the backend: every run seeds itself from its configuration.
"""

from __future__ import annotations

from typing import Callable

__all__ = ["BACKENDS", "start_backend"]

#: joblib backends accepted by :func:`impossibility.study.run_sweep`.
BACKENDS: tuple[str, ...] = ("sequential", "loky", "threading", "dask", "ray")


def start_backend(backend: str, n_jobs: int, address: str | None) -> Callable[[], None]:
    """Prepare dask/ray; return a function that shuts down what was started here.

    Parameters
    ----------
    backend : str
        One of :data:`BACKENDS`; only ``"dask"`` and ``"ray"`` start anything.
    n_jobs : int
        Workers of a local cluster (-1: as many as cores).
    address : str or None
        Scheduler (dask) or cluster (ray) address; ``None`` starts a local one.
    """
    if backend == "dask":
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "the dask backend needs dask.distributed: pip install 'impossibility[distributed]'"
            ) from exc
        if address:
            client = Client(address)
        else:
            workers = n_jobs if n_jobs > 0 else None
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
            return lambda: (client.close(), cluster.close())
        return client.close
    if backend == "ray":
        try:
            import ray
            from ray.util.joblib import register_ray
        except ImportError as exc:  # pragma: no cover
            raise ImportError(
                "the ray backend needs ray: pip install 'impossibility[ray]'"
            ) from exc
        register_ray()
        started = not ray.is_initialized()
        if started:
            ray.init(address=address, num_cpus=None if address or n_jobs < 1 else n_jobs)
        return ray.shutdown if started else (lambda: None)
    return lambda: None
