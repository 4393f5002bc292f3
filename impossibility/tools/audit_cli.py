"""``impossibility audit CODES FACTORS``: the interval of each score over twins, from files.

Reads ``.npy``, ``.npz`` and ``.csv`` (comma-separated numbers, an optional header line), prints
a table (metric, observed, lowest, highest, evaluations) and optionally writes the full
:class:`~impossibility.auditing.AuditReport` as JSON. Every bad input is a one-line error (exit 2)
through the command's error handler.
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["add_audit_parser", "load_array", "NPZ_NAMES"]

#: Names accepted inside an ``.npz``, per role, in order of preference (an archive holding a
#: single array is read whatever its name).
NPZ_NAMES = {
    "codes": ("codes", "mu", "mean", "z"),
    "factors": ("factors", "y", "labels"),
    "log_var": ("log_var", "logvar", "log_variance"),
}


def _read_csv(path: Path) -> np.ndarray:
    text = path.read_text().splitlines()
    rows = [line for line in text if line.strip()]
    if not rows:
        raise ValueError(f"{path} is empty")
    try:
        float(rows[0].split(",")[0])
        skip = 0
    except ValueError:
        skip = 1  # a header line
    arr = np.loadtxt(path, delimiter=",", skiprows=skip, ndmin=2)
    return arr


def load_array(path: str | Path, role: str) -> np.ndarray:
    """The array of ``role`` (``"codes"``, ``"factors"`` or ``"log_var"``) stored in ``path``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file cannot be read, has an unknown suffix, or an ``.npz`` has none of the names
        :data:`NPZ_NAMES` accepts for ``role`` (and more than one array).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{role} file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    try:
        if suffix == ".npy":
            return np.load(path, allow_pickle=False)
        if suffix == ".csv":
            return _read_csv(path)
        if suffix == ".npz":
            with np.load(path, allow_pickle=False) as data:
                names = list(data.files)
                for name in NPZ_NAMES[role]:
                    if name in names:
                        return data[name]
                if len(names) == 1:
                    return data[names[0]]
            raise ValueError(
                f"{path} holds arrays {names}; name the {role} array one of {list(NPZ_NAMES[role])}"
            )
    except (OSError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {role} file {str(path)!r}: {exc}") from None
    except ValueError as exc:
        if str(path) in str(exc):
            raise
        raise ValueError(f"cannot read {role} file {str(path)!r}: {exc}") from None
    raise ValueError(
        f"{role} file {str(path)!r}: unknown suffix {suffix!r}; use .npy, .npz or .csv"
    )


def _prior(specs: list[str] | None, d: int):
    if not specs:
        return None
    from ..priors import FactorizedPrior
    from .specs import parse_marginal

    marginals = [parse_marginal(s) for s in specs]
    if len(marginals) == 1:
        marginals = marginals * d
    if len(marginals) != d:
        raise ValueError(f"--prior gives {len(marginals)} marginals for codes with {d} columns")
    return FactorizedPrior(marginals)


def _cmd_audit(args: argparse.Namespace) -> int:
    from ..auditing import audit

    codes = load_array(args.codes, "codes")
    factors = load_array(args.factors, "factors")
    log_var = None if args.log_var is None else load_array(args.log_var, "log_var")
    if codes.ndim != 2:
        raise ValueError(
            f"codes must be a 2-D array (n, d); {args.codes} holds shape {codes.shape}"
        )
    report = audit(
        codes,
        factors,
        prior=_prior(args.prior, codes.shape[1]),
        log_var=log_var,
        metrics=args.metrics,
        budget=args.budget,
        search_rows=args.search_rows,
        approximate=args.approximate,
        rng=np.random.default_rng(args.seed),
        progress=None,
    )
    print(report.summary())
    if args.json is not None:
        print(f"wrote {report.to_json(args.json)}")
    return 0


def add_audit_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``impossibility audit`` on the command's subparsers."""
    from ..auditing import DEFAULT_BUDGET, DEFAULT_SEARCH_ROWS, METRICS

    p = sub.add_parser(
        "audit",
        help="how far each disentanglement score moves over twins with the same likelihood",
        description="Audit a representation: for each metric, the observed value and the lowest "
        "and highest values found over its entangled twins (an inner bound of the true range). "
        "Files: .npy, .npz (codes named "
        + "/".join(NPZ_NAMES["codes"])
        + ", factors "
        + "/".join(NPZ_NAMES["factors"])
        + ", log-variances "
        + "/".join(NPZ_NAMES["log_var"])
        + ", or a single array), .csv (numbers, optional header).",
    )
    p.add_argument("codes", type=Path, help="codes (n, d), e.g. encoder means")
    p.add_argument("factors", type=Path, help="integer ground-truth factors (n, K)")
    p.add_argument("--log-var", type=Path, default=None, help="encoder log-variances (n, d)")
    p.add_argument(
        "--prior",
        nargs="+",
        metavar="SPEC",
        default=None,
        help="the model's prior: one scipy.stats family per code, or one for all, e.g. "
        "laplace 'beta(2,5)'; default N(0, I)",
    )
    p.add_argument(
        "--metrics",
        default=None,
        help=f"comma-separated, from {','.join(METRICS)} (dci = dci_disentanglement); "
        "default mig,sap,modularity",
    )
    p.add_argument("--budget", type=int, default=DEFAULT_BUDGET, help="evaluations per metric")
    p.add_argument("--search-rows", type=int, default=DEFAULT_SEARCH_ROWS)
    p.add_argument(
        "--approximate", action="store_true", help="non-normal prior, no --log-var: f(mu)"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, default=None, metavar="OUT", help="write the report")
    p.set_defaults(func=_cmd_audit)
