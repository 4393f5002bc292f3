r"""Closed forms for the Gaussianizing map: centred CDFs, log-tails and tail quantiles.

For the standardised logistic, Laplace, Cauchy and uniform laws the centred CDF
:math:`\delta=F(x)-\tfrac12`, the log of the smaller tail :math:`\log\min(F,1-F)` and its inverse
have closed forms that keep full relative accuracy near the median and deep in both tails, where
``ndtri(cdf(u))`` loses every digit. Triangular tails are replaced by closed forms because SciPy's
generic ``1 − cdf`` cancels in the upper tail (docs/theory.md §7.4).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from .._typing import Array

LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)
_LOG2 = np.log(2.0)
_LOGPI = np.log(np.pi)
BULK = 0.25  # |F - 1/2| below which the centred formula is used
Y_BULK = float(special.ndtri(0.5 + BULK))  # = Φ⁻¹(3/4) ≈ 0.674
CLOSED_FAMILIES = {"logistic", "laplace", "cauchy", "uniform"}
# Families whose SciPy ppf is measurably less accurate near the median than their cdf
# (docs/theory.md §7.4).
PPF_POLISH = {"t"}


def log_phi(y: Array) -> Array:
    return -0.5 * y * y - LOG_SQRT_2PI


def centred_cdf(family: str, x: Array) -> Array:
    """δ = F(x) − 1/2 for the standardised family, accurate near the median."""
    if family == "logistic":
        return 0.5 * np.tanh(0.5 * x)
    if family == "laplace":
        return -0.5 * np.sign(x) * np.expm1(-np.abs(x))
    if family == "cauchy":
        return np.arctan(x) / np.pi
    return x - 0.5  # uniform on (0, 1)


def centred_quantile(family: str, delta: Array) -> Array:
    """Inverse of :func:`centred_cdf`."""
    if family == "logistic":
        return 2.0 * np.arctanh(2.0 * delta)
    if family == "laplace":
        return -np.sign(delta) * np.log1p(-2.0 * np.abs(delta))
    if family == "cauchy":
        return np.tan(np.pi * delta)
    return delta + 0.5


def log_tail(family: str, x: Array) -> Array:
    """log of the smaller tail probability min(F(x), 1 − F(x)) of the standardised family."""
    a = -np.abs(x) if family != "uniform" else None
    if family == "logistic":
        return -np.logaddexp(0.0, -a)
    if family == "laplace":
        return a - _LOG2
    if family == "cauchy":
        return np.log(np.arctan2(1.0, -a)) - _LOGPI
    return np.log(np.minimum(x, 1.0 - x))  # uniform: both tails exact in float64


def tail_quantile(family: str, lp: Array) -> Array:
    """Standardised x ≤ median with lower-tail probability exp(lp) (mirror for the upper tail)."""
    if family == "logistic":
        return lp - np.log(-np.expm1(lp))
    if family == "laplace":
        return lp + _LOG2
    if family == "cauchy":
        with np.errstate(divide="ignore", over="ignore"):
            return -1.0 / np.tan(np.pi * np.exp(lp))
    return np.exp(lp)  # uniform lower tail: x = q


def log_density(family: str, x: Array) -> Array:
    """log density of the standardised family (scale handled by the caller)."""
    if family == "logistic":
        a = np.abs(x)
        return -a - 2.0 * np.log1p(np.exp(-a))
    if family == "laplace":
        return -np.abs(x) - _LOG2
    if family == "cauchy":
        return -_LOGPI - np.log1p(x * x)
    return np.zeros_like(x)  # uniform


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
