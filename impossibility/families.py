"""The SciPy families the package is checked on, with one frozen representative each.

:data:`FAMILY_EXAMPLES` fixes one distribution per family (shape parameters inside the ranges of
the hypothesis strategies in :mod:`impossibility.testing`): the accuracy figure draws one bar per
entry, and parametrized tests use it where they need a fixed prior per family. It needs no test
dependency, so the figures can be regenerated without the ``test`` extra.
"""

from __future__ import annotations

from typing import Any

from scipy import stats

__all__ = ["FAMILY_EXAMPLES"]

#: One frozen representative per family, in a fixed order (the accuracy figure's order).
FAMILY_EXAMPLES: dict[str, Any] = {
    "norm": stats.norm(0.5, 2.0),
    "laplace": stats.laplace(0.0, 2.0),
    "logistic": stats.logistic(1.0, 0.5),
    "cauchy": stats.cauchy(),
    "uniform": stats.uniform(-1.0, 3.0),
    "expon": stats.expon(),
    "gamma": stats.gamma(3.0),
    "beta": stats.beta(2.0, 5.0),
    "lognorm": stats.lognorm(0.7),
    "gumbel_r": stats.gumbel_r(),
    "weibull_min": stats.weibull_min(1.5),
    "t": stats.t(4.0),
    "triang": stats.triang(0.3),
    "skewnorm": stats.skewnorm(1.5),
}
