"""A resumable sweep: :func:`run_sweep` of run configurations, :func:`run_study` of a preset,
:func:`load_records` of what is stored.

Each finished run is written at once, by the driving process, as one JSON file named
``<data>-<model>-<value>-s<seed>-<key>.json`` (atomically: temporary file, then
``os.replace``), so an interrupted sweep resumes where it stopped and never recomputes a
finished run; a corrupted or foreign file is recomputed. Each file carries ``digest``, the SHA-256
of the rest of the record (:func:`impossibility._io.payload_digest`): a record edited after it was
written (a number changed, still valid JSON) is reported and recomputed, never used.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from impossibility._io import atomic_write_json, payload_digest, read_json
from impossibility._progress import progress
from impossibility._validation import check_choice, check_int

from ._naming import record_filename
from .backends import BACKENDS, start_backend
from .config import RunConfig, StudyPreset, build_configs
from .run import run_one

__all__ = ["run_sweep", "run_study", "load_records"]

#: Where the study experiment keeps its runs (``impossibility reproduce --only study``).
DEFAULT_OUT_DIR = Path("figures/cache/full/study")


def _check_n_jobs(n_jobs: object) -> int:
    n = check_int(n_jobs, "n_jobs", minimum=-1)
    if n == 0:
        raise ValueError(f"n_jobs must be a positive integer or -1; got {n_jobs!r}")
    return n


#: The key of the payload digest in a stored record.
DIGEST = "digest"


def _write_record(path: Path, rec: dict[str, Any]) -> None:
    payload = {k: v for k, v in rec.items() if k != DIGEST}
    atomic_write_json(path, {**payload, DIGEST: payload_digest(payload)})


def _read_record(path: Path) -> dict[str, Any] | None:
    """The record at ``path`` without its digest; ``None`` (and a warning) if the digest fails."""
    try:
        rec = read_json(path)
    except ValueError:
        return None
    if not isinstance(rec, dict):
        return None
    payload = {k: v for k, v in rec.items() if k != DIGEST}
    if rec.get(DIGEST) != payload_digest(payload):
        why = "has no digest" if DIGEST not in rec else "does not match its digest (edited?)"
        warnings.warn(f"study record {path} {why}; it is not used", stacklevel=3)
        return None
    return payload


def _load_cached(path: Path, key: str) -> dict[str, Any] | None:
    """The record stored at ``path`` if it is an intact finished run with ``key``, else ``None``."""
    if not path.is_file():
        return None
    rec = _read_record(path)
    if (
        not isinstance(rec, dict)
        or rec.get("key") != key
        or rec.get("status") not in ("ok", "failed")
    ):
        return None
    if rec["status"] == "ok" and not isinstance(rec.get("scores"), dict):
        return None
    return rec


def load_records(
    cache_dir: str | Path, configs: Iterable[RunConfig] | None = None
) -> list[dict[str, Any]]:
    """Stored run records in ``cache_dir`` (only those of ``configs`` if given, in their order)."""
    cache_dir = Path(cache_dir)
    if configs is None:
        out = []
        for p in sorted(cache_dir.glob("*.json")):
            rec = _read_record(p)
            if rec is not None and "key" in rec and "status" in rec:
                out.append(rec)
        return out
    recs = [_load_cached(cache_dir / c.filename, c.key) for c in configs]
    return [r for r in recs if r is not None]


def run_sweep(
    configs: Sequence[RunConfig],
    cache_dir: str | Path,
    *,
    backend: str = "loky",
    n_jobs: int = -1,
    address: str | None = None,
    show_progress: bool | None = None,
    log: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Run every configuration not yet stored in ``cache_dir``; return all records in order.

    Parameters
    ----------
    configs : sequence of RunConfig
    cache_dir : path
        One ``<data>-<model>-<value>-s<seed>-<hash>.json`` per finished run, written atomically
        by this (the driving) process as each result arrives.
    backend : {"sequential", "loky", "threading", "dask", "ray"}, default="loky"
        joblib backend. ``"dask"`` starts a local ``distributed`` cluster with ``n_jobs``
        single-threaded worker processes unless ``address`` names a scheduler; ``"ray"``
        registers Ray's joblib backend (``address`` passed to ``ray.init``).
    n_jobs : int, default=-1
        Parallel workers (-1: all cores).
    address : str, optional
        Scheduler (dask) or cluster (ray) address.
    show_progress : bool or None
        Progress bar (``None``: only on a terminal).
    log : callable, optional
        ``log(message)`` after each finished run (e.g. for ``nohup`` logs).

    Returns
    -------
    list of dict
        Records (see :func:`run_one`) in the order of ``configs``.

    Raises
    ------
    TypeError
        If a config is not a :class:`RunConfig`, ``n_jobs`` not an integer, ``address`` not a
        string or ``log`` not callable.
    ValueError
        If ``backend`` is unknown, ``n_jobs`` is 0 or below -1, or two configs are the same run.
    """
    check_choice(backend, "backend", BACKENDS)
    n_jobs = _check_n_jobs(n_jobs)
    if address is not None and not isinstance(address, str):
        raise TypeError(f"address must be a string or None; got {address!r}")
    if log is not None and not callable(log):
        raise TypeError(f"log must be a callable or None; got {log!r}")
    for i, c in enumerate(configs):
        if not isinstance(c, RunConfig):
            raise TypeError(f"configs[{i}] must be a RunConfig; got {type(c).__name__}")
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    keys = [c.key for c in configs]
    if len(set(keys)) != len(keys):
        raise ValueError("configs contain duplicate runs (same configuration hash)")
    done: dict[str, dict[str, Any]] = {}
    todo: list[RunConfig] = []
    for c in configs:
        rec = _load_cached(cache_dir / c.filename, c.key)
        if rec is None:
            todo.append(c)
        else:
            done[c.key] = rec
    if log and done:
        log(f"{len(done)} of {len(configs)} runs already stored in {cache_dir}; {len(todo)} to go")

    def store(rec: dict[str, Any], i: int) -> None:
        _write_record(cache_dir / record_filename(rec), rec)
        done[rec["key"]] = rec
        if log:
            c = rec["config"]
            extra = "" if rec["status"] == "ok" else f" FAILED ({rec.get('error')})"
            log(
                f"[{i}/{len(todo)}] {c['dataset']} {c['model']} {c['value']:g} seed {c['seed']}: "
                f"{rec['seconds']:.1f} s{extra}"
            )

    if todo:
        from joblib import Parallel, delayed, parallel_config

        if backend == "sequential":
            for i, c in enumerate(progress(todo, desc="study", enabled=show_progress), 1):
                store(run_one(c), i)
        else:
            stop = start_backend(backend, n_jobs, address)
            try:
                with parallel_config(backend=backend, n_jobs=n_jobs):
                    if backend == "ray":  # ray rejects generators: go in chunks
                        width = 4 * max(1, n_jobs)
                        chunks = [todo[i : i + width] for i in range(0, len(todo), width)]
                        results: Iterable[dict] = (
                            r for ch in chunks for r in Parallel()(delayed(run_one)(c) for c in ch)
                        )
                    else:
                        results = Parallel(return_as="generator_unordered")(
                            delayed(run_one)(c) for c in todo
                        )
                    for i, rec in enumerate(
                        progress(results, desc="study", total=len(todo), enabled=show_progress), 1
                    ):
                        store(rec, i)
            finally:
                stop()
    return [done[k] for k in keys]


def run_study(
    preset: str | StudyPreset = "default",
    backend: str = "loky",
    n_jobs: int = -1,
    out_dir: str | Path = DEFAULT_OUT_DIR,
    *,
    base_seed: int = 20190609,
    address: str | None = None,
    show_progress: bool | None = None,
    log: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Run (or resume) a preset's sweep, one JSON per run in ``out_dir``; return the records.

    ``python -m impossibility.study --preset default`` calls this. The default ``out_dir`` is the
    cache folder of the ``study`` experiment, so ``impossibility reproduce --only study`` reuses
    the runs. Arguments are checked by :func:`build_configs` and :func:`run_sweep`.
    """
    configs = build_configs(preset, base_seed=base_seed)
    return run_sweep(
        configs,
        out_dir,
        backend=backend,
        n_jobs=n_jobs,
        address=address,
        show_progress=show_progress,
        log=log,
    )
