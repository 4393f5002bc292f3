r"""The Gaussianizing map :math:`G(u)_i=\Phi^{-1}(F_i(u_i))` of a factorized prior, stable in both tails.

:math:`G` pushes a factorized prior :math:`p` forward to :math:`\mathcal N(0, I_d)`; it is the paper's
:math:`h\circ g` (marginal CDFs, then the standard normal quantile).

Numerics (theory.md §7). The naive ``ndtri(cdf(u))`` saturates to ``inf`` from about 8.3σ and loses
digits well before; here every coordinate takes the most accurate of four routes:

* **standard normal**: :math:`G_i` is the identity (no work, no rounding);
* **normal** :math:`\mathcal N(\mu,\sigma^2)`: the affine map :math:`(u-\mu)/\sigma`;
* **logistic, Laplace, Cauchy, uniform** (closed forms): in the bulk
  (:math:`|F-\tfrac12|<\tfrac14`) the centred CDF :math:`\delta=F(u)-\tfrac12` is computed directly
  and :math:`G=\sqrt2\,\operatorname{erfinv}(2\delta)`, which keeps relative accuracy near the median;
  in the tails closed-form log-CDFs/log-survival functions feed ``ndtri_exp``;
* **any other family**: :math:`G=\texttt{ndtri\_exp}(\log F(u))` below the median and
  :math:`-\texttt{ndtri\_exp}(\log\bar F(u))` above it, so the upper tail never forms :math:`1-q`.

The inverse uses :math:`F^{-1}(\Phi(y))` for :math:`y\le0` and :math:`\bar F^{-1}(\Phi(-y))` for
:math:`y>0` (closed forms in log space for the families above). Log-derivatives are computed in
log space: :math:`\log G_i'(u)=\log p_i(u)-\log\varphi(G_i(u))`.

Limits of float64. Near a *finite* upper endpoint :math:`b` with :math:`p(b)>0` (uniform, triangular,
power-law) no representable :math:`u<b` is closer than :math:`\mathrm{ulp}(b)`, so :math:`G` saturates
around :math:`\Phi^{-1}(1-2^{-53})\approx8.2` there, and :math:`G^{-1}(y)` rounds to :math:`b` itself for
larger :math:`y` — which is outside the open support, so the bijectors raise instead of returning it.
Beyond :math:`|y|\approx37.5` the normal tail probability underflows; the generic route then raises
(the closed-form families keep working in log space).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

from .bijections import Elementwise
from .priors import FactorizedPrior

__all__ = ["Gaussianize", "LOG_SQRT_2PI"]

Array = NDArray[np.float64]
LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)
_LOG2 = np.log(2.0)
_LOGPI = np.log(np.pi)
_BULK = 0.25  # |F - 1/2| below which the centred formula is used
_Y_BULK = float(special.ndtri(0.5 + _BULK))  # = Φ⁻¹(3/4) ≈ 0.674
_CLOSED = {"logistic", "laplace", "cauchy", "uniform"}
# Families whose SciPy ppf is measurably less accurate near the median than their cdf (theory.md §7.4).
_PPF_POLISH = {"t"}


def _log_phi(y: Array) -> Array:
    return -0.5 * y * y - LOG_SQRT_2PI


# ---------------------------------------------------------------------------- closed-form families
def _centred_cdf(family: str, x: Array) -> Array:
    """δ = F(x) − 1/2 for the standardised family, accurate near the median."""
    if family == "logistic":
        return 0.5 * np.tanh(0.5 * x)
    if family == "laplace":
        return -0.5 * np.sign(x) * np.expm1(-np.abs(x))
    if family == "cauchy":
        return np.arctan(x) / np.pi
    return x - 0.5  # uniform on (0, 1)


def _centred_quantile(family: str, delta: Array) -> Array:
    """Inverse of :func:`_centred_cdf`."""
    if family == "logistic":
        return 2.0 * np.arctanh(2.0 * delta)
    if family == "laplace":
        return -np.sign(delta) * np.log1p(-2.0 * np.abs(delta))
    if family == "cauchy":
        return np.tan(np.pi * delta)
    return delta + 0.5


def _log_tail(family: str, x: Array) -> Array:
    """log of the smaller tail probability min(F(x), 1 − F(x)) of the standardised family."""
    a = -np.abs(x) if family != "uniform" else None
    if family == "logistic":
        return -np.logaddexp(0.0, -a)
    if family == "laplace":
        return a - _LOG2
    if family == "cauchy":
        return np.log(np.arctan2(1.0, -a)) - _LOGPI
    return np.log(np.minimum(x, 1.0 - x))  # uniform: both tails exact in float64


def _tail_quantile(family: str, lp: Array) -> Array:
    """Standardised x ≤ median whose lower-tail probability is exp(lp) (mirror for the upper tail)."""
    if family == "logistic":
        return lp - np.log(-np.expm1(lp))
    if family == "laplace":
        return lp + _LOG2
    if family == "cauchy":
        with np.errstate(divide="ignore", over="ignore"):
            return -1.0 / np.tan(np.pi * np.exp(lp))
    return np.exp(lp)  # uniform lower tail: x = q


def _log_density(family: str, x: Array) -> Array:
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


class _Tails:
    """logcdf/logsf/ppf/isf/logpdf of one marginal, with closed-form overrides where SciPy's lose digits."""

    def __init__(self, m, family: str):
        self.logpdf, self.cdf = m.logpdf, m.cdf
        self.logcdf, self.logsf, self.ppf, self.isf = m.logcdf, m.logsf, m.ppf, m.isf
        if family in _TAIL_OVERRIDES:
            for k, fn in _TAIL_OVERRIDES[family](m).items():
                setattr(self, k, fn)


class Gaussianize(Elementwise):
    r"""The bijector :math:`G:\operatorname{supp}p\to\mathbb R^d`, :math:`G_i(u_i)=\Phi^{-1}(F_i(u_i))`.

    forward :math:`y_i=\Phi^{-1}(F_i(u_i))`; inverse :math:`u_i=F_i^{-1}(\Phi(y_i))`;
    :math:`\log|\det J_G(u)|=\sum_i[\log p_i(u_i)-\log\varphi(y_i)]`;
    :math:`\log|\det J_{G^{-1}}(y)|=\sum_i[\log\varphi(y_i)-\log p_i(u_i)]`.
    If :math:`u\sim p` then :math:`G(u)\sim\mathcal N(0,I_d)`.

    Parameters
    ----------
    prior : FactorizedPrior
        The prior whose marginals define G. Its domain is the open support of the prior.
    """

    name = "G"

    def __init__(self, prior: FactorizedPrior):
        if not isinstance(prior, FactorizedPrior):
            raise TypeError(f"prior must be a FactorizedPrior; got {type(prior).__name__}")
        self.prior = prior
        self.d = prior.d
        self._routes: list[tuple[str, float, float]] = []
        for i, (m, fam) in enumerate(zip(prior.marginals, prior.families)):
            affine = prior.normal_affine(i)
            if affine is not None:
                loc, scale = affine
                route = "identity" if (loc == 0.0 and scale == 1.0) else "affine"
                self._routes.append((route, loc, scale))
            elif fam in _CLOSED:
                _, loc, scale = m.dist._parse_args(*m.args, **m.kwds)
                self._routes.append((fam, float(loc), float(scale)))
            else:
                self._routes.append(("generic", 0.0, 1.0))
        self._tails = [_Tails(m, fam) for m, fam in zip(prior.marginals, prior.families)]
        self.is_identity = all(r[0] == "identity" for r in self._routes)
        # G is affine exactly when every marginal is normal
        self.is_constant_jacobian = all(r[0] in ("identity", "affine") for r in self._routes)
        lo, hi = prior.support
        self._unbounded = bool(np.all(np.isinf(lo)) and np.all(np.isinf(hi)))

    def _check_domain(self, x: Array) -> None:
        if not self._unbounded:
            self.prior.check_points(x, name="u")

    def _check_codomain(self, y: Array) -> None:
        return None

    # ------------------------------------------------------------------ one coordinate
    def _coord_forward(self, i: int, u: Array) -> tuple[Array, Array]:
        route, loc, scale = self._routes[i]
        if route == "identity":
            return u, np.zeros_like(u)
        if route == "affine":
            return (u - loc) / scale, np.full_like(u, -np.log(scale))
        if route == "generic":
            m = self._tails[i]
            lower = u <= self.prior._median[i]
            y = np.empty_like(u)
            y[lower] = special.ndtri_exp(m.logcdf(u[lower]))
            y[~lower] = -special.ndtri_exp(m.logsf(u[~lower]))
            return y, m.logpdf(u) - _log_phi(y)
        x = (u - loc) / scale
        delta = _centred_cdf(route, x)
        bulk = np.abs(delta) < _BULK
        y = np.empty_like(u)
        y[bulk] = np.sqrt(2.0) * special.erfinv(2.0 * delta[bulk])
        tail = ~bulk
        y[tail] = np.sign(delta[tail]) * -special.ndtri_exp(_log_tail(route, x[tail]))
        return y, _log_density(route, x) - np.log(scale) - _log_phi(y)

    def _coord_inverse(self, i: int, y: Array) -> tuple[Array, Array]:
        route, loc, scale = self._routes[i]
        if route == "identity":
            return y, np.zeros_like(y)
        if route == "affine":
            return loc + scale * y, np.full_like(y, np.log(scale))
        if route == "generic":
            m = self._tails[i]
            lp = special.log_ndtr(-np.abs(y))  # log of the smaller normal tail, never underflows
            if np.any(lp < -700.0):
                r = int(np.argmax(lp < -700.0))
                raise ValueError(
                    f"G⁻¹: y = {y[r]} in coordinate {i} ({self.prior.families[i]}) is beyond |y| ≈ 37.5, "
                    "where the normal tail probability underflows float64; only the closed-form "
                    "families (normal, logistic, Laplace, Cauchy, uniform) invert that far"
                )
            q = np.exp(lp)
            neg = y <= 0
            u = np.empty_like(y)
            u[neg] = m.ppf(q[neg])
            u[~neg] = m.isf(q[~neg])
            logpdf = m.logpdf(u)
            if self.prior.families[i] in _PPF_POLISH:
                # one Newton step on G(u) = y near the median, where this family's ppf loses
                # absolute accuracy (t: ~7e-14) while its cdf stays accurate to ~1e-16
                bulk = np.abs(y) < _Y_BULK
                if np.any(bulk):
                    ub = u[bulk]
                    delta = m.cdf(ub) - special.ndtr(y[bulk])
                    u[bulk] = ub - delta / np.exp(logpdf[bulk])
                    logpdf[bulk] = m.logpdf(u[bulk])
            return u, _log_phi(y) - logpdf
        bulk = np.abs(y) < _Y_BULK
        x = np.empty_like(y)
        x[bulk] = _centred_quantile(route, 0.5 * special.erf(y[bulk] / np.sqrt(2.0)))
        tail = ~bulk
        lp = special.log_ndtr(-np.abs(y[tail]))
        xt = _tail_quantile(route, lp)
        if route == "uniform":
            x[tail] = np.where(y[tail] < 0, xt, 1.0 - xt)
        else:
            x[tail] = np.where(y[tail] < 0, xt, -xt)
        u = loc + scale * x
        return u, _log_phi(y) - (_log_density(route, x) - np.log(scale))

    # ------------------------------------------------------------------ batched
    def _forward_and_log_diag(self, x: Array) -> tuple[Array, Array]:
        if self.is_identity:
            return x, np.zeros_like(x)
        y = np.empty_like(x)
        ld = np.empty_like(x)
        for i in range(self.d):
            y[:, i], ld[:, i] = self._coord_forward(i, x[:, i])
        return y, ld

    def _inverse_and_log_diag(self, y: Array) -> tuple[Array, Array]:
        if self.is_identity:
            return y, np.zeros_like(y)
        x = np.empty_like(y)
        ld = np.empty_like(y)
        for i in range(self.d):
            x[:, i], ld[:, i] = self._coord_inverse(i, y[:, i])
        if not self._unbounded:
            lo, hi = self.prior._lower, self.prior._upper
            edge = (x <= lo) | (x >= hi)
            if np.any(edge):
                r, c = np.argwhere(edge)[0]
                raise ValueError(
                    f"G⁻¹: y[{r}, {c}] = {y[r, c]} maps to {x[r, c]}, the endpoint of the support of "
                    f"marginal {c} ({self.prior.families[c]}): float64 has no point strictly inside the "
                    "support that close to the edge, so the image is not representable"
                )
        return x, ld

    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        if self.is_identity:  # G = id: no copy, no work
            return x, np.zeros(x.shape[0])
        y, ld = self._forward_and_log_diag(x)
        return y, ld.sum(axis=1)

    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        if self.is_identity:
            return y, np.zeros(y.shape[0])
        x, ld = self._inverse_and_log_diag(y)
        return x, ld.sum(axis=1)

    def __repr__(self) -> str:
        return f"Gaussianize({self.prior!r})"
