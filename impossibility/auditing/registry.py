r"""The metrics an audit can search over: name → ``score(codes, factors, rng) -> float``.

.. math:: s = m(z, y;\ \text{rng}),\qquad z\in\mathbb R^{n\times D},\ y\in\mathbb Z^{n\times K}

Every array metric of :mod:`impossibility.metrics` is here, wrapped to one signature. Metrics
that need a training and a test set (SAP, DCI, explicitness) split the rows with a permutation
drawn from ``rng``, two thirds for training (the study's 10,000 / 5,000); the audit hands every
twin an identically seeded ``rng``, so all twins share the split (common random numbers) and a
difference in score is a difference of representation, never of split. Add a metric with one
line: ``METRICS["name"] = Metric(fn)``, or :func:`register_metric`.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np

from impossibility import metrics as _m
from impossibility._typing import Array

from .scoring import MIG_ROWS, MODULARITY_ROWS, SAP_ROWS, PerCode, split_rows

__all__ = ["Metric", "MetricFn", "METRICS", "DEFAULT_METRICS", "register_metric", "get_metrics"]

MetricFn = Callable[[Array, Array, np.random.Generator], float]


@dataclasses.dataclass(frozen=True)
class Metric:
    """A score of a representation: ``fn(codes, factors, rng) -> float``.

    Attributes
    ----------
    fn : callable
        The score; must be deterministic given ``rng``.
    fast : bool, default=True
        Part of the default audit set (a call takes milliseconds at 10,000 rows).
    description : str
        One line for tables and ``--help``.
    per_code : PerCode, optional
        The score as a function of a code-by-factor matrix whose rows depend on one code each,
        for cheap Givens moves (``impossibility.auditing.scoring``); ``None``: full evaluations.
    """

    fn: MetricFn
    fast: bool = True
    description: str = ""
    per_code: PerCode | None = None


def _split(z: Array, y: Array, rng: np.random.Generator) -> tuple[Array, Array, Array, Array]:
    tr, te = split_rows(z.shape[0], rng)
    return z[tr], y[tr], z[te], y[te]


def _sap(z: Array, y: Array, rng: np.random.Generator) -> float:
    ztr, ytr, zte, yte = _split(z, y, rng)
    return _m.sap(ztr, ytr, zte, yte, rng=rng)


def _dci(field: str) -> MetricFn:
    def score(z: Array, y: Array, rng: np.random.Generator) -> float:
        return float(getattr(_m.dci(*_split(z, y, rng), rng=rng), field))

    return score


def _explicitness(z: Array, y: Array, rng: np.random.Generator) -> float:
    return float(_m.explicitness(*_split(z, y, rng)).test)


#: The scores :func:`audit` knows by name: name → :class:`Metric` (score function, whether it
#: is in the default set, label, per-code form). :func:`register_metric` adds to it.
METRICS: dict[str, Metric] = {
    "mig": Metric(lambda z, y, rng: _m.mig(z, y), True, "Mutual Information Gap", MIG_ROWS),
    "sap": Metric(_sap, True, "SAP, discrete, 2/3 train 1/3 test", SAP_ROWS),
    "modularity": Metric(
        lambda z, y, rng: _m.modularity(z, y), True, "modularity", MODULARITY_ROWS
    ),
    "sap_continuous": Metric(
        lambda z, y, rng: _m.sap(z, y, continuous_factors=True), True, "SAP, squared correlation"
    ),
    "dci_disentanglement": Metric(_dci("disentanglement"), False, "DCI disentanglement"),
    "dci_completeness": Metric(_dci("completeness"), False, "DCI completeness"),
    "dci_informativeness": Metric(_dci("informativeness_test"), False, "DCI test accuracy"),
    "explicitness": Metric(_explicitness, False, "explicitness, test AUC"),
    "gaussian_total_correlation": Metric(
        lambda z, y, rng: _m.gaussian_total_correlation(z), True, "Gaussian TC of the codes"
    ),
    "mean_pairwise_mutual_info": Metric(
        lambda z, y, rng: _m.mean_pairwise_mutual_info(z), True, "mean pairwise MI of the codes"
    ),
}
#: The default audit: the fast supervised scores of the study.
DEFAULT_METRICS = ("mig", "sap", "modularity")
#: Short names accepted for convenience.
ALIASES = {"dci": "dci_disentanglement"}


def register_metric(
    name: str,
    fn: MetricFn,
    *,
    fast: bool = True,
    description: str = "",
    per_code: PerCode | None = None,
) -> None:
    """Make ``fn(codes, factors, rng) -> float`` auditable as ``name`` (replacing any old one)."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string; got {name!r}")
    if not callable(fn):
        raise TypeError(f"fn must be callable(codes, factors, rng) -> float; got {fn!r}")
    METRICS[name] = Metric(fn, fast, description, per_code)


def get_metrics(metrics: str | list[str] | tuple[str, ...] | None) -> dict[str, Metric]:
    """Resolve ``metrics`` (None: the default set; names, or one comma-separated string)."""
    if metrics is None:
        names = list(DEFAULT_METRICS)
    elif isinstance(metrics, str):
        names = [s.strip() for s in metrics.split(",") if s.strip()]
    else:
        names = list(metrics)
    if not names:
        raise ValueError(f"metrics must name at least one metric; got {metrics!r}")
    out: dict[str, Metric] = {}
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"metric names must be strings; got {name!r} ({type(name).__name__})")
        key = ALIASES.get(name, name)
        if key not in METRICS:
            raise ValueError(f"unknown metric {name!r}; choose from {sorted(METRICS)}")
        out[key] = METRICS[key]
    return out
