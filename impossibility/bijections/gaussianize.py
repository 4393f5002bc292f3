r"""The Gaussianizing map :math:`G(u)_i=\Phi^{-1}(F_i(u_i))` of a factorized prior, tail-stable.

:math:`G` pushes a factorized prior :math:`p` forward to :math:`\mathcal N(0, I_d)` (the paper's
:math:`h\circ g`), with :math:`\log|\det J_G(u)|=\sum_i[\log p_i(u_i)-\log\varphi(G_i(u_i))]`. The
naive ``ndtri(cdf(u))`` saturates from about 8.3σ and loses digits well before, so each coordinate
takes the most accurate of four routes: the identity (standard normal), an affine map (normal),
closed forms in the bulk and in log space in the tails (logistic, Laplace, Cauchy, uniform,
exponential; ``_fast_paths.py``), or
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
from ._closed_forms import LOG_SQRT_2PI, PPF_POLISH, Y_BULK, MarginalTails, log_phi
from ._fast_paths import FAST_PATHS
from .elementwise import Elementwise

__all__ = ["Gaussianize", "LOG_SQRT_2PI"]


_Q_MIN = float(np.exp(-700.0))  # below, SciPy's ppf/isf of the generic route lose the tail


def _scalar_if_equal(values) -> float | Array:
    """One float when every value is the same (broadcasting a scalar is ~4× faster), else an
    array."""
    arr = np.asarray(values, dtype=float)
    return float(arr[0]) if np.all(arr == arr[0]) else arr


class Gaussianize(Elementwise):
    r"""The bijector :math:`G:\operatorname{supp}p\to\mathbb R^d`, :math:`G_i=\Phi^{-1}\circ F_i`.

    forward :math:`y_i=\Phi^{-1}(F_i(u_i))`; inverse :math:`u_i=F_i^{-1}(\Phi(y_i))`;
    :math:`\log|\det J_G(u)|=\sum_i[\log p_i(u_i)-\log\varphi(y_i)]`;
    :math:`\log|\det J_{G^{-1}}(y)|=\sum_i[\log\varphi(y_i)-\log p_i(u_i)]`.
    If :math:`u\sim p` then :math:`G(u)\sim\mathcal N(0,I_d)`.

    Coordinates of one closed-form family (normal, logistic, Laplace, Cauchy, uniform,
    exponential; frozen ``scipy.stats`` laws or SciPy's new distribution objects alike) are
    mapped together, all rows at once, each element through one tail, with the log-det built
    from the same intermediate values; other families go through SciPy's log-tails one
    coordinate at a time.

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
        routes = []
        for i, fam in enumerate(prior.families):
            affine = prior.normal_affine(i)
            if affine is not None:
                routes.append(("normal", *affine))
            elif fam in FAST_PATHS and prior.location_scale(i) is not None:
                routes.append((fam, *prior.location_scale(i)))
            else:
                routes.append(("generic", 0.0, 1.0))
        self._routes = routes
        # columns of one closed-form family, processed together: (route, cols, loc, scale, all)
        self._groups = []
        for route in dict.fromkeys(r[0] for r in routes if r[0] != "generic"):
            cols = np.array([i for i, r in enumerate(routes) if r[0] == route])
            loc = _scalar_if_equal([routes[i][1] for i in cols])
            scale = _scalar_if_equal([routes[i][2] for i in cols])
            self._groups.append((route, cols, loc, scale, cols.size == self.d))
        self._generic = [i for i, r in enumerate(routes) if r[0] == "generic"]
        self._tails = {
            i: MarginalTails(prior.marginals[i], prior.families[i]) for i in self._generic
        }
        self.is_identity = all(r[0] == "normal" and r[1:] == (0.0, 1.0) for r in routes)
        # G is affine exactly when every marginal is normal
        self.is_constant_jacobian = all(r[0] == "normal" for r in routes)
        lo, hi = prior.support
        self._unbounded = bool(np.all(np.isinf(lo)) and np.all(np.isinf(hi)))
        # scalar bounds when all coordinates share them: whole-array reductions are ~10× faster
        # than per-column ones on (n, d) rows
        self._lo, self._hi = _scalar_if_equal(lo), _scalar_if_equal(hi)

    def _inside(self, x: Array) -> bool:
        if x.size == 0:  # no rows (e.g. every point of a check was excluded): nothing outside
            return True
        if isinstance(self._lo, float) and isinstance(self._hi, float):
            return bool(x.min() > self._lo and x.max() < self._hi)
        return bool(np.all(x.min(axis=0) > self._lo) and np.all(x.max(axis=0) < self._hi))

    def _check_domain(self, x: Array) -> None:
        # two reductions instead of boolean temporaries; the message comes from check_points
        if not self._unbounded and not self._inside(x):
            self.prior.check_points(x, name="u")

    def _check_codomain(self, y: Array) -> None:
        return None

    # ------------------------------------------------------------------ generic coordinates
    def _generic_forward(self, i: int, u: Array) -> tuple[Array, Array]:
        m = self._tails[i]
        lower = u <= self.prior._median[i]
        y = np.empty_like(u)
        y[lower] = special.ndtri_exp(m.logcdf(u[lower]))
        y[~lower] = -special.ndtri_exp(m.logsf(u[~lower]))
        return y, m.logpdf(u) - log_phi(y)

    def _generic_inverse(self, i: int, y: Array) -> tuple[Array, Array]:
        m = self._tails[i]
        q = special.ndtr(-np.abs(y))  # the smaller normal tail, relative-accurate
        if np.any(q < _Q_MIN):
            r = int(np.argmax(q < _Q_MIN))
            raise ValueError(
                f"G⁻¹: y = {y[r]} in coordinate {i} ({self.prior.families[i]}) is beyond "
                "|y| ≈ 37.5, "
                "where the normal tail probability underflows float64; only the closed-form "
                "families (normal, logistic, Laplace, Cauchy, uniform, exponential) invert "
                "that far"
            )
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

    # ------------------------------------------------------------------ all coordinates
    def _transform(self, x: Array, inverse: bool, mode: str | None) -> tuple[Array, Array | None]:
        """G or G⁻¹ of the rows ``x`` and, by ``mode``, no log-det (None), its per-coordinate
        terms ("diag", shape (n, d)) or their row sums ("sum", shape (n,))."""
        n = x.shape[0]
        out = None
        ld = None if mode is None else np.zeros(x.shape if mode == "diag" else n)
        const = 0.0
        sign = -1.0 if inverse else 1.0
        for route, cols, loc, scale, full in self._groups:
            src = x if full else x[:, cols]
            if route == "normal":
                res = src * scale if inverse else src - loc
                if inverse:
                    res += loc
                else:
                    res /= scale
                terms = None
            else:
                kernel = FAST_PATHS[route][1 if inverse else 0]
                if inverse:
                    res, lp = kernel(src.ravel())
                    res = res.reshape(src.shape)
                    res *= scale
                    res += loc
                    gauss = src
                else:
                    std = src - loc
                    std /= scale
                    res, lp = kernel(std.reshape(-1))
                    res = res.reshape(src.shape)
                    gauss = res
                if mode is not None:
                    terms = gauss * gauss  # log p − log φ = lp − log s + y²/2 + log √(2π)
                    terms *= 0.5
                    if lp is not None:
                        terms += lp.reshape(src.shape)
            if mode is not None:
                col_const = -np.log(scale) + (0.0 if route == "normal" else LOG_SQRT_2PI)
                if mode == "diag":
                    ld[:, cols] = sign * (col_const if terms is None else terms + col_const)
                else:
                    const += sign * float(np.sum(np.broadcast_to(col_const, cols.shape)))
                    if terms is not None:
                        row = terms.sum(axis=1)
                        ld -= row if inverse else -row
            if full:
                out = res
            else:
                if out is None:
                    out = np.empty_like(x)
                out[:, cols] = res
        for i in self._generic:
            if out is None:
                out = np.empty_like(x)
            fn = self._generic_inverse if inverse else self._generic_forward
            out[:, i], ldi = fn(i, x[:, i])
            if mode == "diag":
                ld[:, i] = ldi
            elif mode == "sum":
                ld += ldi
        if const != 0.0:
            ld += const
        if inverse and not self._unbounded:
            self._check_edges(x, out)
        return out, ld

    def _check_edges(self, y: Array, x: Array) -> None:
        if self._inside(x):
            return
        r, c = np.argwhere((x <= self._lo) | (x >= self._hi))[0]
        raise ValueError(
            f"G⁻¹: y[{r}, {c}] = {y[r, c]} maps to {x[r, c]}, the endpoint of the support "
            f"of marginal {c} ({self.prior.families[c]}): float64 has no point strictly "
            "inside the support that close to the edge, so the image is not representable"
        )

    def _forward_and_log_diag(self, x: Array) -> tuple[Array, Array]:
        if self.is_identity:
            return x, np.zeros_like(x)
        return self._transform(x, False, "diag")

    def _inverse_and_log_diag(self, y: Array) -> tuple[Array, Array]:
        if self.is_identity:
            return y, np.zeros_like(y)
        return self._transform(y, True, "diag")

    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        if self.is_identity:  # G = id: no copy, no work
            return x, np.zeros(x.shape[0])
        return self._transform(x, False, "sum")

    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        if self.is_identity:
            return y, np.zeros(y.shape[0])
        return self._transform(y, True, "sum")

    def _forward(self, x: Array) -> Array:
        return x if self.is_identity else self._transform(x, False, None)[0]

    def _inverse(self, y: Array) -> Array:
        return y if self.is_identity else self._transform(y, True, None)[0]

    def __repr__(self) -> str:
        return f"Gaussianize({self.prior!r})"
