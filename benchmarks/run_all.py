"""Every benchmark's ratios with their goals, in one table.

Run: ``python benchmarks/run_all.py [--repeat 3] [--quick] [--only entangle vae ...]``.

Imports each ``benchmarks/bench_*.py`` that defines ``table(repeat, quick)``, runs it, and prints
one row per comparison: what is compared, our time and the baseline's (best of ``repeat``, both
measured in the same call), their ratio, the goal (the ratio to stay at or below) and whether it
is met. A module whose optional dependency is missing, or that has no ``table()``, is listed as
skipped with the reason; a module that fails is listed with its error. The exit status is 0
whatever the ratios: this is a report, and timings on a shared machine move from run to run.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import traceback
from pathlib import Path
from typing import TextIO

HERE = Path(__file__).resolve().parent
KEYS = ("figure", "ours", "baseline", "ratio", "goal", "detail")


def discover(directory: Path = HERE, only: list[str] | None = None) -> list[Path]:
    """The ``bench_*.py`` files of ``directory``, sorted; ``only`` keeps names like ``entangle``."""
    files = sorted(directory.glob("bench_*.py"))
    if only:
        wanted = {o.removeprefix("bench_").removesuffix(".py") for o in only}
        files = [f for f in files if f.stem.removeprefix("bench_") in wanted]
    return files


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"_bench_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))  # a bench module may import its siblings
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module


def run_all(
    repeat: int = 3,
    quick: bool = False,
    only: list[str] | None = None,
    *,
    directory: Path = HERE,
    out: TextIO | None = None,
) -> tuple[list[dict], list[dict]]:
    """Run every table; return (rows, notes). Each row gains ``module`` and ``met``; each note
    is ``{"module", "status", "reason"}`` for a module skipped or failed."""
    out = sys.stdout if out is None else out
    rows, notes = [], []
    for path in discover(directory, only):
        name = path.stem.removeprefix("bench_")
        try:
            module = _load(path)
        except ImportError as exc:  # an optional dependency (torch, ...) is missing
            notes.append({"module": name, "status": "skipped", "reason": f"import: {exc}"})
            continue
        table = getattr(module, "table", None)
        if not callable(table):
            notes.append({"module": name, "status": "skipped", "reason": "no table()"})
            continue
        t0 = time.perf_counter()
        try:
            got = table(repeat=repeat, quick=quick)
        except Exception as exc:  # a report: one broken benchmark must not hide the others
            reason = f"{type(exc).__name__}: {exc}"
            notes.append({"module": name, "status": "failed", "reason": reason})
            traceback.print_exc(file=sys.stderr)
            continue
        for row in got:
            missing = [k for k in KEYS if k not in row]
            if missing:
                reason = f"row without {missing}: {row!r}"
                notes.append({"module": name, "status": "failed", "reason": reason})
                continue
            rows.append({"module": name, **row, "met": bool(row["ratio"] <= row["goal"])})
        print(f"[{name}: {len(got)} rows in {time.perf_counter() - t0:.1f} s]", file=out)
    return rows, notes


def format_table(rows: list[dict], notes: list[dict]) -> str:
    """The report as plain text: one line per row, then the skipped and failed modules."""
    width = max([len(r["figure"]) for r in rows] + [6])
    head = f"{'module':<10} {'figure':<{width}} {'ours s':>9} {'base s':>9} {'ratio':>6} "
    lines = [head + f"{'goal':>6}  met", "-" * (len(head) + 11)]
    for r in rows:
        lines.append(
            f"{r['module']:<10} {r['figure']:<{width}} {r['ours']:>9.4f} {r['baseline']:>9.4f} "
            f"{r['ratio']:>6.2f} {'≤' + format(r['goal'], 'g'):>6}  {'yes' if r['met'] else 'NO'}"
        )
    met = sum(r["met"] for r in rows)
    lines.append(f"{met} of {len(rows)} goals met")
    for n in notes:
        lines.append(f"{n['module']}: {n['status']} ({n['reason']})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs per timing")
    ap.add_argument("--quick", action="store_true", help="small sizes: seconds, not minutes")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="e.g. entangle vae metrics")
    args = ap.parse_args(argv)
    rows, notes = run_all(args.repeat, args.quick, args.only)
    print(format_table(rows, notes))
    if any(r["detail"] for r in rows):
        print("\ndetails:")
        for r in rows:
            print(f"  {r['module']}: {r['figure']}: {r['detail']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
