"""Command-line interface: ``impossibility reproduce`` and friends."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main", "build_parser"]


def _cmd_reproduce(args: argparse.Namespace) -> int:
    from .reproduce import run_experiments

    report = run_experiments(
        root=args.root,
        out=args.out,
        only=args.only or None,
        quick=args.quick,
        force=args.force,
        plot_only=args.plot_only,
    )
    total = sum(r["seconds"] for r in report.values())
    print(f"{len(report)} experiment(s) done in {total:.1f} s")
    for name, r in report.items():
        print(f"  {name:<28} {r['status']:<9} {r['seconds']:7.1f} s  {len(r['figures'])} figure(s)")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from .reproduce import _load_module, discover_experiments

    for name, path in discover_experiments(args.root).items():
        print(f"{name:<28} {getattr(_load_module(path), 'DESCRIPTION', '')}")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from ..verification import verify_from_spec

    ok = verify_from_spec(args.prior, d=args.d, n=args.n, seed=args.seed)
    return 0 if ok else 1


def _cmd_notebooks(args: argparse.Namespace) -> int:
    from .notebooks import build, check_sources, proof_sources

    sources = [p for p in proof_sources(args.root) if not args.only or p.stem in args.only]
    if args.check:
        problems = [msg for p in sources for msg in check_sources(p)]
        for msg in problems:
            print(msg)
        print(f"{len(sources)} notebook(s) checked, {len(problems)} problem(s)")
        return 1 if problems else 0
    for out in build(sources):
        print(f"executed and wrote {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``impossibility`` command."""
    parser = argparse.ArgumentParser(
        prog="impossibility",
        description="Theorem 1 of Locatello et al. (2019), checkable: entangling bijections that "
        "preserve any factorized prior.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    rep = sub.add_parser("reproduce", help="run the experiments and regenerate figures/")
    rep.add_argument("--only", nargs="+", metavar="NAME", help="run only these experiments")
    rep.add_argument("--quick", action="store_true", help="tiny smoke versions (under two minutes)")
    rep.add_argument("--force", action="store_true", help="recompute even if results are current")
    rep.add_argument("--plot-only", action="store_true", help="redraw figures from stored results")
    rep.add_argument("--out", type=Path, default=None, help="output folder (default: figures/)")
    rep.add_argument("--root", type=Path, default=None, help="repository root holding experiments/")
    rep.set_defaults(func=_cmd_reproduce)

    lst = sub.add_parser("list", help="list the experiments")
    lst.add_argument("--root", type=Path, default=None)
    lst.set_defaults(func=_cmd_list)

    nbk = sub.add_parser("notebooks", help="execute proofs/*.py and write the .ipynb beside each")
    nbk.add_argument(
        "--check", action="store_true", help="only check that each .ipynb matches its .py"
    )
    nbk.add_argument("--only", nargs="+", metavar="STEM", help="e.g. 01_theorem1")
    nbk.add_argument("--root", type=Path, default=None)
    nbk.set_defaults(func=_cmd_notebooks)

    # `impossibility study ...` is dispatched in main() to impossibility.study.main (own options)
    sub.add_parser(
        "study", help="run or resume the small-scale study sweep (impossibility study --help)"
    )

    ver = sub.add_parser(
        "verify",
        help="build f for a prior and check density invariance, samples and entanglement",
        description="Example: impossibility verify laplace 'beta(2,5)' 'gamma(3)' logistic",
    )
    ver.add_argument(
        "prior",
        nargs="+",
        help="one scipy.stats family per coordinate, e.g. "
        "norm, 'laplace(scale=2)', 'beta(2,5)'; a single family with -d repeats it",
    )
    ver.add_argument("-d", type=int, default=None, help="dimension when one family is given")
    ver.add_argument("-n", type=int, default=20_000, help="number of samples (default 20000)")
    ver.add_argument("--seed", type=int, default=0)
    ver.set_defaults(func=_cmd_verify)

    from .audit_cli import add_audit_parser

    add_audit_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``impossibility`` console script."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["study"]:  # the sweep has its own parser; pass everything through
        from ..study import main as study_main

        return study_main(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, TypeError) as exc:
        print(f"impossibility: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
