r"""Tails of the generic route of the Gaussianizing map: SciPy's, patched where they lose digits.

:class:`MarginalTails` hands out a marginal's logcdf / logsf / ppf / isf / logpdf. Triangular
tails are replaced by closed forms because SciPy's generic ``1 − cdf`` cancels in the upper tail
(docs/theory.md §7.4); the closed-form families have whole kernels of their own
(``_fast_paths.py``).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from .._typing import Array

#: :math:`\log\sqrt{2\pi}`, the constant of the standard normal log-density.
LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)
Y_BULK = float(special.ndtri(0.75))  # Φ⁻¹(3/4) ≈ 0.674: the bulk |F − 1/2| < 1/4
# Families whose SciPy ppf is measurably less accurate near the median than their cdf
# (docs/theory.md §7.4).
PPF_POLISH = {"t"}


def log_phi(y: Array) -> Array:
    return -0.5 * y * y - LOG_SQRT_2PI


def _triang_tails(m) -> dict:
    """Closed-form log-CDF, log-survival and quantiles of ``triang(c, loc, scale)``.

    SciPy's triang has no own ``_sf``/``_isf``: the generic ``1 − cdf`` loses relative accuracy in
    the upper tail (``sf(isf(1e-12))`` = 9.9987e-13). On the standardised support (0, 1):
    F = x²/c for x ≤ c and F̄ = (1 − x)²/(1 − c) for x ≥ c, where 1 − x is exact near 1.
    """
    (c,), loc, scale = m.dist._parse_args(*m.args, **m.kwds)
    std = lambda u: (u - loc) / scale  # noqa: E731

    @np.errstate(invalid="ignore", divide="ignore")  # np.where evaluates both branches
    def logcdf(u):
        x = std(u)
        return np.where(x <= c, 2 * np.log(x) - np.log(c), np.log1p(-((1 - x) ** 2) / (1 - c)))

    @np.errstate(invalid="ignore", divide="ignore")  # np.where evaluates both branches
    def logsf(u):
        x = std(u)
        return np.where(x >= c, 2 * np.log1p(-x) - np.log1p(-c), np.log1p(-(x * x) / c))

    @np.errstate(invalid="ignore", divide="ignore")  # np.where evaluates both branches
    def ppf(q):
        return loc + scale * np.where(q <= c, np.sqrt(q * c), 1 - np.sqrt((1 - q) * (1 - c)))

    @np.errstate(invalid="ignore", divide="ignore")  # np.where evaluates both branches
    def isf(q):
        return loc + scale * np.where(q <= 1 - c, 1 - np.sqrt(q * (1 - c)), np.sqrt((1 - q) * c))

    return {"logcdf": logcdf, "logsf": logsf, "ppf": ppf, "isf": isf}


# Families whose SciPy tails are replaced by closed forms (the rest of the family is SciPy's).
_TAIL_OVERRIDES = {"triang": _triang_tails}


class MarginalTails:
    """logcdf/logsf/ppf/isf/logpdf of one marginal; closed forms where SciPy's lose digits."""

    def __init__(self, m, family: str):
        self.logpdf, self.cdf = m.logpdf, m.cdf
        self.logcdf, self.logsf, self.ppf, self.isf = m.logcdf, m.logsf, m.ppf, m.isf
        if family in _TAIL_OVERRIDES:
            for k, fn in _TAIL_OVERRIDES[family](m).items():
                setattr(self, k, fn)
