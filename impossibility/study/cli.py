"""``impossibility study`` (also ``python -m impossibility.study``): run or resume a preset's
sweep from the command line, :func:`main`.

Each finished run is stored at once in ``--out-dir``, so an interrupted sweep resumes; with
``--summary`` the analysis of :func:`impossibility.study.summarize` is written as JSON as well.
Errors are one line, ``impossibility: error: …``, with exit status 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import NoReturn, Sequence

from impossibility._io import atomic_write_json

from .backends import BACKENDS
from .config import PRESETS
from .summary import summarize
from .sweep import DEFAULT_OUT_DIR, run_study

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, handled in main(), not a usage block
        raise ValueError(f"{message} (see {self.prog} --help)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="impossibility study",
        description="Sweep the six objectives of Locatello et al. (2019) at small scale; each "
        "finished run is stored at once, so an interrupted sweep resumes.",
    )
    parser.add_argument("--preset", choices=sorted(PRESETS), default="default")
    parser.add_argument("--backend", choices=BACKENDS, default="loky")
    parser.add_argument("-j", "--n-jobs", type=int, default=-1)
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help="folder of per-run JSON files (default: the study experiment's cache)",
    )
    parser.add_argument(
        "--address",
        default=None,
        help="dask scheduler address or ray cluster address (default: local)",
    )
    parser.add_argument("--seed", type=int, default=20190609, help="base seed")
    parser.add_argument(
        "--dtype",
        choices=("float32", "float64"),
        default=None,
        help="training precision (default: the preset's); float32 runs get their own keys",
    )
    parser.add_argument(
        "--summary",
        type=Path,
        default=None,
        help="also write the analysis (summarize()) to this JSON file",
    )
    return parser


def _log(msg: str) -> None:
    print(time.strftime("%H:%M:%S"), msg, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m impossibility.study``: run or resume a preset's sweep; return 0 (2 on error)."""
    try:
        return _main(argv)
    except (ValueError, TypeError, OSError, KeyError) as exc:
        text = " ".join(str(exc.args[0] if isinstance(exc, KeyError) else exc).split())
        print(f"impossibility: error: {text}", file=sys.stderr)
        return 2


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.out_dir.exists() and not args.out_dir.is_dir():
        raise NotADirectoryError(f"--out-dir {args.out_dir} is a file, not a folder")
    if args.n_jobs == 0 or args.n_jobs < -1:
        raise ValueError(
            f"-j/--n-jobs must be a positive integer or -1 (all cores); got {args.n_jobs}"
        )
    if args.seed < 0:
        raise ValueError(f"--seed must be a non-negative integer; got {args.seed}")
    t0 = time.perf_counter()
    preset = PRESETS[args.preset]
    if args.dtype is not None:
        preset = replace(preset, settings=replace(preset.settings, dtype=args.dtype))
    records = run_study(
        preset,
        args.backend,
        args.n_jobs,
        args.out_dir,
        base_seed=args.seed,
        address=args.address,
        log=_log,
    )
    n_ok = sum(r["status"] == "ok" for r in records)
    _log(f"{len(records)} runs ({n_ok} ok) in {time.perf_counter() - t0:.0f} s")
    if args.summary is not None:
        atomic_write_json(args.summary, summarize(records))
    return 0
