r"""Closed-form Gaussianizing kernels :math:`y=\Phi^{-1}(F(x))` and their inverses, one pass each.

For the standardised logistic, Laplace, Cauchy, uniform and exponential laws each kernel maps a
flat array of points to ``(y, log p(x))`` (forward) or a flat array of normal scores to
``(x, log p(x))`` (inverse), with :math:`\log p` built from the quantities the map already
computed. Every element takes exactly one route:

* the **bulk** :math:`|F-\tfrac12|<\tfrac14` (:math:`|y|<\Phi^{-1}(3/4)`): the centred CDF
  :math:`2\delta=2F-1` in closed form and :math:`y=\sqrt2\operatorname{erfinv}(2\delta)`, which
  keeps full relative accuracy as :math:`y\to0`, where ``ndtri(F)`` keeps only absolute accuracy;
* the **tails**: the closed-form log of the smaller tail probability into ``ndtri_exp`` (or the
  tail probability itself into ``ndtri`` where it cannot underflow), so the upper tail never forms
  :math:`1-q`; back through ``log_ndtr`` / ``ndtr`` of :math:`-|y|`.

The uniform law needs no split: ``ndtri(x)`` is exact relative to :math:`x`, :math:`x-\tfrac12` and
:math:`1-x`, all exact in float64. Error analysis: docs/theory.md §7.2–§7.4.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import special

from .._typing import Array
from ._closed_forms import Y_BULK

SQRT2 = float(np.sqrt(2.0))
LOG2 = float(np.log(2.0))
_LOG2_TAIL = 2.3190468138462996e-17  # log 2 − fl(log 2)
LOG3 = float(np.log(3.0))  # logistic: |F − 1/2| < 1/4 ⇔ |x| < log 3
LOGPI = float(np.log(np.pi))
_LOG_4_3 = float(np.log(4.0 / 3.0))  # exponential bulk: F ∈ (1/4, 3/4) ⇔ x ∈ (log 4/3, log 4)
_LOG4 = float(np.log(4.0))


def _split(mask: Array) -> tuple[Array, Array]:
    """Flat indices where ``mask`` holds and where it does not."""
    return np.flatnonzero(mask), np.flatnonzero(~mask)


def _log1p_square(a: Array) -> Array:
    """log(1 + a²) without overflow: 2 log a where a² would overflow (log1p(a⁻²) < 1e-300)."""
    with np.errstate(over="ignore"):
        out = np.log1p(a * a)
    if not np.isfinite(out.sum()):
        big = np.flatnonzero(a > 1e150)
        out[big] = 2.0 * np.log(a[big])
    return out


# --------------------------------------------------------------------------------- Laplace
def laplace_forward(x: Array) -> tuple[Array, Array]:
    a = np.abs(x)
    y = np.empty_like(x)
    b, t = _split(a < LOG2)
    y[b] = SQRT2 * special.erfinv(-np.expm1(-a[b]))  # 2δ = 1 − e^{−|x|}
    y[t] = -special.ndtri_exp(-a[t] - LOG2)  # log q = −|x| − log 2
    np.copysign(y, x, out=y)
    a += LOG2
    return y, np.negative(a, out=a)


def laplace_inverse(y: Array) -> tuple[Array, Array]:
    ay = np.abs(y)
    a = np.empty_like(y)
    b, t = _split(ay < Y_BULK)
    a[b] = -np.log1p(-special.erf(ay[b] / SQRT2))
    a[t] = -special.log_ndtr(-ay[t]) - LOG2
    x = np.copysign(a, y)
    a += LOG2
    return x, np.negative(a, out=a)


# -------------------------------------------------------------------------------- logistic
def logistic_forward(x: Array) -> tuple[Array, Array]:
    a = np.abs(x)
    em = np.expm1(-a)  # e^{−|x|} − 1, accurate as |x| → 0
    l1 = np.log(2.0 + em)  # log(1 + e^{−|x|})
    y = np.empty_like(x)
    b, t = _split(a < LOG3)
    eb = em[b]
    y[b] = SQRT2 * special.erfinv(-eb / (2.0 + eb))  # 2δ = tanh(|x|/2)
    y[t] = -special.ndtri_exp(-a[t] - l1[t])  # log q = −log(1 + e^{|x|})
    np.copysign(y, x, out=y)
    l1 *= -2.0
    l1 -= a
    return y, l1  # log p = −|x| − 2 log(1 + e^{−|x|})


def logistic_inverse(y: Array) -> tuple[Array, Array]:
    ay = np.abs(y)
    a = np.empty_like(y)
    lp = np.empty_like(y)
    b, t = _split(ay < Y_BULK)
    tb = special.erf(ay[b] / SQRT2)  # tanh(|x|/2)
    a[b] = 2.0 * np.arctanh(tb)
    lp[b] = np.log1p(-tb * tb) - 2.0 * LOG2  # log q(1 − q), q = (1 − t)/2
    lq = special.log_ndtr(-ay[t])
    l1 = np.log(-np.expm1(lq))  # log(1 − q)
    a[t] = l1 - lq
    lp[t] = lq + l1
    return np.copysign(a, y), lp


# ---------------------------------------------------------------------------------- Cauchy
def cauchy_forward(x: Array) -> tuple[Array, Array]:
    a = np.abs(x)
    y = np.empty_like(x)
    b, t = _split(a < 1.0)
    y[b] = SQRT2 * special.erfinv(np.arctan(a[b]) * (2.0 / np.pi))
    # q = atan(1/|x|)/π ≥ 1e-309 never underflows to 0, and ndtri is relative-accurate there
    y[t] = -special.ndtri(np.arctan(1.0 / a[t]) / np.pi)
    np.copysign(y, x, out=y)
    lp = _log1p_square(a)
    lp += LOGPI
    return y, np.negative(lp, out=lp)


def cauchy_inverse(y: Array) -> tuple[Array, Array]:
    ay = np.abs(y)
    a = np.empty_like(y)
    b, t = _split(ay < Y_BULK)
    a[b] = np.tan(special.erf(ay[b] / SQRT2) * (np.pi / 2.0))  # tan(πδ)
    a[t] = 1.0 / np.tan(np.pi * special.ndtr(-ay[t]))  # cot(πq), q ≤ 1/4
    lp = _log1p_square(a)
    lp += LOGPI
    return np.copysign(a, y), np.negative(lp, out=lp)


# --------------------------------------------------------------------------------- uniform
def uniform_forward(x: Array) -> tuple[Array, None]:
    return special.ndtri(x), None  # log p = 0


def uniform_inverse(y: Array) -> tuple[Array, None]:
    return special.ndtr(y), None


# ----------------------------------------------------------------------------- exponential
def expon_forward(x: Array) -> tuple[Array, Array]:
    y = np.empty_like(x)
    low = np.flatnonzero(x < _LOG_4_3)
    high = np.flatnonzero(x >= _LOG4)
    bulk = np.flatnonzero((x >= _LOG_4_3) & (x < _LOG4))
    y[low] = special.ndtri_exp(np.log(-np.expm1(-x[low])))  # log F = log(1 − e^{−x})
    y[high] = -special.ndtri_exp(-x[high])  # log(1 − F) = −x
    # 2δ = 1 − 2e^{−x} = −expm1(log 2 − x); log 2 − x is exact near the median (Sterbenz)
    y[bulk] = -SQRT2 * special.erfinv(np.expm1((LOG2 - x[bulk]) + _LOG2_TAIL))
    return y, np.negative(x)


def expon_inverse(y: Array) -> tuple[Array, Array]:
    x = np.empty_like(y)
    low = np.flatnonzero(y <= -Y_BULK)
    high = np.flatnonzero(y >= Y_BULK)
    bulk = np.flatnonzero(np.abs(y) < Y_BULK)
    x[low] = -np.log1p(-special.ndtr(y[low]))  # F = q ≤ 1/4
    x[high] = -special.log_ndtr(-y[high])  # 1 − F = q
    x[bulk] = LOG2 - np.log1p(-special.erf(y[bulk] / SQRT2))  # e^{−x} = (1 − 2δ)/2
    return x, np.negative(x)


Kernel = Callable[[Array], tuple[Array, "Array | None"]]

#: family → (forward kernel, inverse kernel) on standardised flat arrays.
FAST_PATHS: dict[str, tuple[Kernel, Kernel]] = {
    "laplace": (laplace_forward, laplace_inverse),
    "logistic": (logistic_forward, logistic_inverse),
    "cauchy": (cauchy_forward, cauchy_inverse),
    "uniform": (uniform_forward, uniform_inverse),
    "expon": (expon_forward, expon_inverse),
}
