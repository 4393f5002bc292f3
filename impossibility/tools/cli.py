"""Command-line interface: ``impossibility reproduce`` and friends.

Every error is one line ``impossibility: error: …`` on stderr with exit status 2, never a
traceback: argparse's own errors go through :class:`OneLineParser`, and :func:`main` turns the
``ValueError`` / ``TypeError`` / ``OSError`` of a command (bad input, missing folders) into that
line. ``verify`` exits 0 when every check passed, 1 when one failed, 3 when no verdict.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

__all__ = ["main", "build_parser", "OneLineParser", "fail"]

PROG = "impossibility"


def fail(message: object) -> int:
    """Print ``impossibility: error: message`` as one line on stderr; return exit status 2."""
    text = " ".join(str(message).split()) or type(message).__name__
    print(f"{PROG}: error: {text}", file=sys.stderr)
    return 2


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (no usage block) with exit status 2."""

    def error(self, message: str) -> NoReturn:
        fail(f"{message} (see {self.prog} --help)")
        sys.exit(2)


def _root(root: Path | None) -> Path:
    from .context import default_root

    root = default_root() if root is None else Path(root)
    if not (root / "experiments").is_dir():
        raise FileNotFoundError(f"--root {root}: no experiments/ folder there")
    return root


def _check_out(out: Path | None) -> None:
    if out is not None and Path(out).exists() and not Path(out).is_dir():
        raise NotADirectoryError(f"--out {out} is a file, not a folder")


def _cmd_reproduce(args: argparse.Namespace) -> int:
    from .reproduce import run_experiments

    _check_out(args.out)
    report = run_experiments(
        root=_root(args.root),
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

    for name, path in discover_experiments(_root(args.root)).items():
        print(f"{name:<28} {getattr(_load_module(path), 'DESCRIPTION', '')}")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:

    from ..priors import FactorizedPrior
    from ..verification import verify
    from .specs import parse_marginal

    marginals = [parse_marginal(s) for s in args.prior]
    if args.d is not None:
        if len(marginals) != 1:
            raise ValueError(
                "-d repeats a single family; give one marginal with -d, or one per coordinate"
            )
        if args.d < 2:
            raise ValueError(f"-d {args.d}: Theorem 1 needs d ≥ 2")
        marginals = marginals * args.d
    if args.seed < 0:
        raise ValueError(f"--seed must be a non-negative integer; got {args.seed}")
    if args.n < 2:
        raise ValueError(f"-n must be an integer ≥ 2 (samples for the tests); got {args.n}")
    report = verify(FactorizedPrior(marginals), n=args.n, seed=args.seed, alpha=args.alpha)
    print(report.summary())
    return {"PASSED": 0, "FAILED": 1}.get(report.verdict, 3)


def _cmd_notebooks(args: argparse.Namespace) -> int:
    from .notebooks import build, check_sources, proof_sources

    root = args.root
    if root is not None and not (Path(root) / "proofs").is_dir():
        raise FileNotFoundError(f"--root {root}: no proofs/ folder there")
    available = proof_sources(root)
    if not available:
        raise FileNotFoundError("no proofs/[0-9]*.py found")
    unknown = sorted(set(args.only or []) - {p.stem for p in available})
    if unknown:
        raise ValueError(f"unknown notebook(s) {unknown}; available: {[p.stem for p in available]}")
    sources = [p for p in available if not args.only or p.stem in args.only]
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
    from .. import __version__

    parser = OneLineParser(
        prog=PROG,
        description="Theorem 1 of Locatello et al. (2019), checkable: entangling bijections that "
        "preserve any factorized prior.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

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
        description="Example: impossibility verify laplace 'beta(2,5)' 'gamma(3)' logistic. "
        "Exit status 0: every check passed; 1: a check failed; 3: no verdict (float64 could "
        "not resolve enough points); 2: bad input.",
    )
    ver.add_argument(
        "prior",
        nargs="+",
        help="one scipy.stats family per coordinate, e.g. "
        "norm, 'laplace(scale=2)', 'beta(2,5)'; a single family with -d repeats it",
    )
    ver.add_argument("-d", type=int, default=None, help="dimension when one family is given")
    ver.add_argument("-n", type=int, default=20_000, help="number of samples (default 20000)")
    ver.add_argument("--seed", type=int, default=0, help="seed of A and the samples (default 0)")
    ver.add_argument(
        "--alpha",
        type=float,
        default=1e-6,
        help="false-alarm rate of the statistical tests together (default 1e-6)",
    )
    ver.set_defaults(func=_cmd_verify)

    from .audit_cli import add_audit_parser

    add_audit_parser(sub)
    return parser


def _run(argv: list[str]) -> int:
    if argv[:1] == ["study"]:  # the sweep has its own parser; pass everything through
        from ..study import main as study_main

        return study_main(argv[1:])
    args = build_parser().parse_args(argv)
    return args.func(args)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``impossibility`` console script; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        return _run(argv)
    except BrokenPipeError:
        # the reader went away (`impossibility list | head -1`): stop quietly, as `ls | head` does
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except (ValueError, TypeError, OSError, KeyError, ImportError) as exc:
        return fail(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
