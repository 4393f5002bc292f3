r"""The result of an audit: each score's observed value and the interval found over twins.

.. math:: s(\text{model})\in[\underline s,\ \overline s]\subseteq
          \big[\min_A s(\text{twin}_A),\ \max_A s(\text{twin}_A)\big]

Every twin has exactly the model's likelihood, so a score outside this interval cannot be
attributed to the data: the interval found is an *inner* bound of the true range (a search can
miss better twins, never report one that does not exist). Written to and read from JSON without
pickle; the twins are stored as plain nested lists.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from impossibility._io import atomic_write_json, read_json
from impossibility._typing import Array

__all__ = ["MetricAudit", "AuditReport"]

INNER_BOUND_NOTE = (
    "lowest/highest are the extremes FOUND over twins with identical likelihood: an inner "
    "bound of the true range of each score"
)


@dataclasses.dataclass(frozen=True)
class MetricAudit:
    """One score of an audit.

    Attributes
    ----------
    name : str
    observed : float
        The score of the representation as given.
    lowest, highest : float
        The extremes found over twins (all rows), ``lowest <= observed <= highest``.
    lowest_twin, highest_twin : ndarray of shape (d, d)
        The orthogonal :math:`A` of the twin attaining each (the identity when it is the model).
    evaluations : int
        Metric evaluations the search spent (on the search rows).
    search_lowest, search_highest : float
        The extremes on the search rows (equal to ``lowest``/``highest`` without subsampling).
    """

    name: str
    observed: float
    lowest: float
    highest: float
    lowest_twin: Array
    highest_twin: Array
    evaluations: int
    search_lowest: float
    search_highest: float

    @property
    def width(self) -> float:
        """``highest - lowest``: how far the score moves at identical likelihood."""
        return self.highest - self.lowest

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (twins as nested lists)."""
        out = dataclasses.asdict(self)
        out["lowest_twin"] = np.asarray(self.lowest_twin).tolist()
        out["highest_twin"] = np.asarray(self.highest_twin).tolist()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "MetricAudit":
        """Inverse of :meth:`to_dict`."""
        fields = dict(data)
        for key in ("lowest_twin", "highest_twin"):
            fields[key] = np.asarray(fields[key], dtype=np.float64)
        for key in ("observed", "lowest", "highest", "search_lowest", "search_highest"):
            fields[key] = float(fields[key])
        fields["evaluations"] = int(fields["evaluations"])
        return cls(**fields)


@dataclasses.dataclass(frozen=True)
class AuditReport:
    """What :func:`~impossibility.audit` found.

    Attributes
    ----------
    metrics : tuple of MetricAudit
    n, d, n_factors : int
        Rows, code dimensions and factors of the audited arrays.
    prior : str
        The prior whose twins were searched (``"N(0, I)"`` by default).
    representation : str
        How the twins' codes were computed (exact, Monte Carlo, or labelled approximation).
    budget : int
        Metric evaluations allowed per score.
    search_rows : int
        Rows the search evaluated (a fixed random subset when fewer than ``n``); the reported
        extremes are re-evaluated on all ``n`` rows.
    note : str
        The interval is an inner bound.
    likelihood : tuple of dict
        :func:`~impossibility.audit_model` only: the ELBO and log p(x) of model and twin for
        every extremal twin (empty for :func:`~impossibility.audit`).
    """

    metrics: tuple[MetricAudit, ...]
    n: int
    d: int
    n_factors: int
    prior: str
    representation: str
    budget: int
    search_rows: int
    note: str = INNER_BOUND_NOTE
    likelihood: tuple[dict[str, Any], ...] = ()

    def __getitem__(self, name: str) -> MetricAudit:
        for m in self.metrics:
            if m.name == name:
                return m
        raise KeyError(f"no metric {name!r} in this report; it has {self.names}")

    @property
    def names(self) -> list[str]:
        """The audited metrics, in order."""
        return [m.name for m in self.metrics]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary; :meth:`from_dict` reads it back."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["metrics"] = [m.to_dict() for m in self.metrics]
        out["likelihood"] = [dict(c) for c in self.likelihood]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "AuditReport":
        """Inverse of :meth:`to_dict`."""
        fields = dict(data)
        fields["metrics"] = tuple(MetricAudit.from_dict(m) for m in fields["metrics"])
        fields["likelihood"] = tuple(dict(c) for c in fields.get("likelihood", ()))
        return cls(**fields)

    def to_json(self, path: str | Path) -> Path:
        """Write the report atomically to ``path`` (JSON)."""
        return atomic_write_json(path, self.to_dict())

    @classmethod
    def from_json(cls, path: str | Path) -> "AuditReport":
        """Read a report written by :meth:`to_json`."""
        return cls.from_dict(read_json(path))

    def summary(self) -> str:
        """A plain-text table: metric, observed, lowest, highest, evaluations."""
        head = f"{'metric':<28}{'observed':>10}{'lowest':>10}{'highest':>10}{'evals':>8}"
        lines = [
            f"audit of {self.n} x {self.d} codes, {self.n_factors} factors, prior {self.prior}",
            f"twins: {self.representation}",
            head,
            "-" * len(head),
        ]
        for m in self.metrics:
            lines.append(
                f"{m.name:<28}{m.observed:>10.4f}{m.lowest:>10.4f}{m.highest:>10.4f}"
                f"{m.evaluations:>8d}"
            )
        for c in self.likelihood:
            lines.append(
                f"{c['metric']} {c['twin']} twin: max |ELBO twin - ELBO model| = "
                f"{c['max_abs_elbo_difference']:.1e}; log p(x) {c['log_px_model']:.3f} vs "
                f"{c['log_px_twin']:.3f} (z = {c['log_px_z']:+.2f})"
            )
        lines.append(
            f"search on {self.search_rows} of {self.n} rows, budget {self.budget}; note: "
            f"{self.note}"
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()
