r"""The Gaussianizing map :math:`G(u)_i=\Phi^{-1}(F_i(u_i))` of a factorized prior, tail-stable.

:math:`G` pushes a factorized prior :math:`p` forward to :math:`\mathcal N(0, I_d)` (the paper's
:math:`h\circ g`), with :math:`\log|\det J_G(u)|=\sum_i[\log p_i(u_i)-\log\varphi(G_i(u_i))]`. The
naive ``ndtri(cdf(u))`` saturates from about 8.3σ and loses digits well before, so each coordinate
takes the most accurate of four routes: the identity (standard normal), an affine map (normal),
closed forms in the bulk and in log space in the tails (logistic, Laplace, Cauchy, uniform), or
``ndtri_exp`` of SciPy's log-CDF below the median and of its log-survival function above it (any
other family), so the upper tail never forms :math:`1-q`. Where float64 cannot represent the image
(next to a finite endpoint, or beyond :math:`|y|\approx37.5` for the generic route) the map raises
instead of answering; docs/theory.md §7 has the error analysis.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from .._typing import Array
from ..priors import FactorizedPrior, check_factorized_prior
from ._closed_forms import (
    BULK,
    CLOSED_FAMILIES,
    LOG_SQRT_2PI,
    PPF_POLISH,
    Y_BULK,
    MarginalTails,
    centred_cdf,
    centred_quantile,
    log_density,
    log_phi,
    log_tail,
    tail_quantile,
)
from .elementwise import Elementwise

__all__ = ["Gaussianize", "LOG_SQRT_2PI"]


class Gaussianize(Elementwise):
    r"""The bijector :math:`G:\operatorname{supp}p\to\mathbb R^d`, :math:`G_i=\Phi^{-1}\circ F_i`.

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
        check_factorized_prior(prior)
        self.prior = prior
        self.d = prior.d
        self._routes: list[tuple[str, float, float]] = []
        for i, (m, fam) in enumerate(zip(prior.marginals, prior.families, strict=True)):
            affine = prior.normal_affine(i)
            if affine is not None:
                loc, scale = affine
                route = "identity" if (loc == 0.0 and scale == 1.0) else "affine"
                self._routes.append((route, loc, scale))
            elif fam in CLOSED_FAMILIES:
                _, loc, scale = m.dist._parse_args(*m.args, **m.kwds)
                self._routes.append((fam, float(loc), float(scale)))
            else:
                self._routes.append(("generic", 0.0, 1.0))
        self._tails = [
            MarginalTails(m, fam) for m, fam in zip(prior.marginals, prior.families, strict=True)
        ]
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
            return y, m.logpdf(u) - log_phi(y)
        x = (u - loc) / scale
        delta = centred_cdf(route, x)
        bulk = np.abs(delta) < BULK
        y = np.empty_like(u)
        y[bulk] = np.sqrt(2.0) * special.erfinv(2.0 * delta[bulk])
        tail = ~bulk
        y[tail] = np.sign(delta[tail]) * -special.ndtri_exp(log_tail(route, x[tail]))
        return y, log_density(route, x) - np.log(scale) - log_phi(y)

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
                    f"G⁻¹: y = {y[r]} in coordinate {i} ({self.prior.families[i]}) is beyond "
                    "|y| ≈ 37.5, "
                    "where the normal tail probability underflows float64; only the closed-form "
                    "families (normal, logistic, Laplace, Cauchy, uniform) invert that far"
                )
            q = np.exp(lp)
            neg = y <= 0
            u = np.empty_like(y)
            u[neg] = m.ppf(q[neg])
            u[~neg] = m.isf(q[~neg])
            logpdf = m.logpdf(u)
            if self.prior.families[i] in PPF_POLISH:
                # one Newton step on G(u) = y near the median, where this family's ppf loses
                # absolute accuracy (t: ~7e-14) while its cdf stays accurate to ~1e-16
                bulk = np.abs(y) < Y_BULK
                if np.any(bulk):
                    ub = u[bulk]
                    delta = m.cdf(ub) - special.ndtr(y[bulk])
                    u[bulk] = ub - delta / np.exp(logpdf[bulk])
                    logpdf[bulk] = m.logpdf(u[bulk])
            return u, log_phi(y) - logpdf
        bulk = np.abs(y) < Y_BULK
        x = np.empty_like(y)
        x[bulk] = centred_quantile(route, 0.5 * special.erf(y[bulk] / np.sqrt(2.0)))
        tail = ~bulk
        lp = special.log_ndtr(-np.abs(y[tail]))
        xt = tail_quantile(route, lp)
        if route == "uniform":
            x[tail] = np.where(y[tail] < 0, xt, 1.0 - xt)
        else:
            x[tail] = np.where(y[tail] < 0, xt, -xt)
        u = loc + scale * x
        return u, log_phi(y) - (log_density(route, x) - np.log(scale))

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
                    f"G⁻¹: y[{r}, {c}] = {y[r, c]} maps to {x[r, c]}, the endpoint of the support "
                    f"of marginal {c} ({self.prior.families[c]}): float64 has no point strictly "
                    "inside the "
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
