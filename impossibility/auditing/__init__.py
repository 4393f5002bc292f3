"""Audit any representation: the interval of each disentanglement score over twins.

For codes and factors (:func:`audit`) or a model given as two callables (:func:`audit_model`),
the lowest and highest value of each score found over the entangled twins that have exactly the
model's likelihood (Theorem 1), in an :class:`AuditReport`.

How it is built: docs/package.md §auditing.
"""

from .codes import DEFAULT_BUDGET, DEFAULT_SEARCH_ROWS, audit
from .model import audit_model
from .registry import DEFAULT_METRICS, METRICS, Metric, get_metrics, register_metric
from .report import AuditReport, MetricAudit
from .representation import TwinCodes, twin_codes
from .search import SearchResult, haar_starts, procrustes_alignment, search_extremes

__all__ = [
    "audit",
    "audit_model",
    "AuditReport",
    "MetricAudit",
    "METRICS",
    "DEFAULT_METRICS",
    "DEFAULT_BUDGET",
    "DEFAULT_SEARCH_ROWS",
    "Metric",
    "register_metric",
    "get_metrics",
    "TwinCodes",
    "twin_codes",
    "SearchResult",
    "search_extremes",
    "haar_starts",
    "procrustes_alignment",
]
