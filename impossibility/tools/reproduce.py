"""Run the experiments in ``experiments/``: compute → results file → figures, with caching.

An experiment is a module ``experiments/<name>.py`` that defines

``DESCRIPTION : str``
    One line saying what the figure shows.
``compute(ctx: ExperimentContext) -> dict``
    The numbers behind the figure, JSON-serialisable (NumPy arrays and scalars are converted).
    Long experiments may keep per-unit results under ``ctx.cache_dir`` so that an interrupted run
    resumes where it stopped.
``plot(results: dict, ctx: ExperimentContext) -> list[pathlib.Path]``
    Draws the figures from the results alone (no recomputation) into ``ctx.figure_dir``.

Results are written atomically to ``<out>/results/<name>.json`` with a fingerprint of what they
depend on (the experiment's source, the ``quick`` flag and the package modules in its import
closure, :mod:`.fingerprint`), the list of those modules, the library versions that computed
them and the SHA-256 ``digest`` of everything else in the file
(:func:`~impossibility._io.payload_digest`).
A later run whose fingerprint matches reuses the file and only redraws the figures; a file whose
digest does not match its contents (a number edited by hand) raises instead of being drawn, and
one without a digest is recomputed (``--plot-only`` refuses it).
``--quick`` runs write figures and results under ``<out>/quick/`` (ignored by git), so a smoke run
never replaces a committed figure.
Experiments never import or read each other; trained models that several of them need are kept in
a content-addressed store, ``ctx.model_dir``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from .._io import atomic_write_json, payload_digest, read_json
from .context import ExperimentContext, default_root
from .fingerprint import fingerprint, library_versions

__all__ = [
    "ExperimentContext",
    "discover_experiments",
    "run_experiments",
    "default_root",
    "with_digest",
    "read_results",
]

#: The key of the payload digest in a results file.
DIGEST = "digest"


def with_digest(stored: dict[str, Any]) -> dict[str, Any]:
    """``stored`` with ``digest`` = SHA-256 of its canonical JSON without the digest itself."""
    payload = {k: v for k, v in stored.items() if k != DIGEST}
    return {**payload, DIGEST: payload_digest(payload)}


def read_results(path: Path) -> dict[str, Any]:
    """A results file, checked against its digest.

    Raises
    ------
    ValueError
        If the file is not valid JSON, has no digest, or its contents do not match the digest
        (edited or damaged since it was written).
    """
    stored = read_json(path)
    if not isinstance(stored, dict) or DIGEST not in stored:
        raise ValueError(f"{path} has no payload digest; recompute it with --force")
    if with_digest(stored)[DIGEST] != stored[DIGEST]:
        raise ValueError(
            f"{path} does not match its digest: its contents were changed after it was written; "
            "restore it (git checkout) or recompute it with --force"
        )
    return stored


def _load_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"impossibility_experiments.{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import experiment {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for attr in ("compute", "plot"):
        if not callable(getattr(module, attr, None)):
            raise TypeError(f"experiment {path.name} defines no function {attr}()")
    return module


def discover_experiments(root: Path | None = None) -> dict[str, Path]:
    """Map experiment name → source file, for every ``experiments/*.py`` not starting with ``_``."""
    root = default_root() if root is None else Path(root)
    return {
        p.stem: p for p in sorted((root / "experiments").glob("*.py")) if not p.stem.startswith("_")
    }


#: Module attribute naming the experiments whose stored results an experiment reads.
READS_RESULTS_OF = "READS_RESULTS_OF"


def _reads(module: ModuleType) -> tuple[str, ...]:
    return tuple(getattr(module, READS_RESULTS_OF, ()))


def _after_what_they_read(names: list[str], modules: dict[str, ModuleType]) -> list[str]:
    """``names`` reordered so that an experiment comes after every listed one whose results it
    reads (otherwise in the given order)."""
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered:
            return
        if name in visiting:
            raise ValueError(f"experiments read each other's results in a cycle through {name!r}")
        visiting.add(name)
        for upstream in _reads(modules[name]):
            if upstream in modules:
                visit(upstream)
        visiting.discard(name)
        ordered.append(name)

    for name in names:
        visit(name)
    return ordered


def _with_upstream(digest: str, module: ModuleType, results_dir: Path) -> str:
    """The fingerprint extended by the digests of the results ``module`` reads, so that it is
    recomputed when they change (a missing file counts as a value of its own)."""
    upstream = _reads(module)
    if not upstream:
        return digest
    parts = [digest]
    for name in upstream:
        path = results_dir / f"{name}.json"
        parts.append(f"{name}:{read_results(path)[DIGEST] if path.exists() else 'missing'}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def run_experiments(
    *,
    root: Path | None = None,
    out: Path | None = None,
    only: list[str] | None = None,
    quick: bool = False,
    force: bool = False,
    plot_only: bool = False,
    log: Callable[[str], None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Run (or reuse) experiments and draw their figures.

    Parameters
    ----------
    root : Path, optional
        Repository root holding ``experiments/``; found automatically by default.
    out : Path, optional
        Output folder for figures and ``results/``; default ``<root>/figures``. Quick runs use
        ``<out>/quick/`` instead.
    only : list of str, optional
        Names of the experiments to run; default all.
    quick : bool, default=False
        Run the tiny smoke versions.
    force : bool, default=False
        Recompute even when cached results are current.
    plot_only : bool, default=False
        Redraw figures from existing results without computing anything.

    Returns
    -------
    dict
        Per experiment: ``status`` (``"computed"``, ``"cached"`` or ``"plotted"``), ``seconds``,
        ``results`` path and ``figures``.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    root = default_root() if root is None else Path(root)
    out = root / "figures" if out is None else Path(out)
    figures_out = out / "quick" if quick else out  # smoke runs never replace committed figures
    available = discover_experiments(root)
    names = list(available) if not only else only
    unknown = [n for n in names if n not in available]
    if unknown:
        raise ValueError(f"unknown experiment(s) {unknown}; available: {sorted(available)}")
    modules = {name: _load_module(available[name]) for name in names}
    names = _after_what_they_read(names, modules)
    report: dict[str, dict[str, Any]] = {}
    for i, name in enumerate(names, 1):
        module = modules[name]
        ctx = ExperimentContext(
            name=name,
            quick=quick,
            figure_dir=figures_out,
            cache_dir=out / "cache" / ("quick" if quick else "full") / name,
            model_dir=out / "cache" / "models",
            log=lambda msg, _n=name: log(f"  [{_n}] {msg}"),
        )
        results_path = figures_out / "results" / f"{name}.json"
        digest, deps = fingerprint(available[name], quick)
        digest = _with_upstream(digest, module, figures_out / "results")
        t0 = time.perf_counter()
        status = "cached"
        stored = None
        if results_path.exists():
            raw = read_json(results_path)
            if isinstance(raw, dict) and DIGEST not in raw and not plot_only:
                # written before results carried digests: recompute rather than trust it
                log(f"[{i}/{len(names)}] {name}: {results_path} has no digest; recomputing")
            else:
                stored = read_results(results_path)
        if plot_only:
            if stored is None:
                raise FileNotFoundError(
                    f"no results for {name!r} at {results_path}; run without --plot-only"
                )
            status = "plotted"
        elif force or stored is None or stored.get("fingerprint") != digest:
            log(f"[{i}/{len(names)}] {name}: computing ({'quick' if quick else 'full'})")
            results = module.compute(ctx)
            stored = with_digest(
                {
                    "experiment": name,
                    "quick": quick,
                    "fingerprint": digest,
                    "depends_on": deps,
                    "versions": library_versions(),
                    "description": getattr(module, "DESCRIPTION", ""),
                    "results": results,
                }
            )
            atomic_write_json(results_path, stored)
            # plot from what is stored, exactly as a later redraw would
            stored = read_results(results_path)
            status = "computed"
        else:
            log(f"[{i}/{len(names)}] {name}: results current, redrawing figures")
        figures = module.plot(stored["results"], ctx)
        seconds = time.perf_counter() - t0
        log(
            f"[{i}/{len(names)}] {name}: {status} in {seconds:.1f} s -> "
            + ", ".join(str(f) for f in figures)
        )
        report[name] = {
            "status": status,
            "seconds": seconds,
            "results": results_path,
            "figures": [Path(f) for f in figures],
        }
    return report
