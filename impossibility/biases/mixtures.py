r"""A Gaussian scale mixture as a ``scipy.stats`` distribution, stable in both tails.

.. math:: p(x)=\sum_kw_k\,\mathcal N(x;0,s_k^2),\qquad
          \log F(x)=\operatorname{logsumexp}_k\big[\log w_k+\log\Phi(x/s_k)\big]

The marginal of one coordinate of :class:`~impossibility.biases.AuxiliaryPrior`
(:math:`z_i\mid u_i\sim\mathcal N(0,\sigma_i^2(u_i))`, :math:`u_i` categorical); a
:class:`~impossibility.priors.FactorizedPrior` of such marginals is what Theorem 1's map needs.
Log-density, log-CDF and quantiles are computed in log space, so the Gaussianizing map
:math:`\Phi^{-1}\circ F` stays accurate far into both tails.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from impossibility._typing import LOG_2PI, Array
from impossibility._validation import as_array

__all__ = ["GaussianScaleMixture", "gaussian_scale_mixture"]

_LOG_SQRT_2PI = 0.5 * LOG_2PI


def _lse(a: Array) -> Array:
    """log Σ exp over the last axis (plain NumPy: faster than scipy's for a few components)."""
    m = np.max(a, axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return np.log(np.sum(np.exp(a - m), axis=-1)) + m[..., 0]


class GaussianScaleMixture(stats.rv_continuous):
    r"""Gaussian scale mixture :math:`\sum_k w_k\,\mathcal N(0,s_k^2)` as a ``scipy.stats`` family.

    Stable in both tails, by symmetry :math:`\bar F(x)=F(-x)`:

    * :math:`\log p(x)=\operatorname{logsumexp}_k[\log w_k-\tfrac12(x/s_k)^2-\log s_k]
      -\tfrac12\log2\pi`;
    * :math:`\log F(x)=\operatorname{logsumexp}_k[\log w_k+\log\Phi(x/s_k)]` (``log_ndtr``, exact
      far into the lower tail), :math:`\log\bar F(x)=\log F(-x)`;
    * quantile for :math:`q\le\tfrac12`: the root of :math:`\log F(x)=\log q` in the bracket
      :math:`[s_{\max}\Phi^{-1}(q),\,s_{\min}\Phi^{-1}(q)]` (where :math:`F\le q` and
      :math:`F\ge q`), by safeguarded Newton steps on the log-CDF (falling back to bisection),
      vectorised; for
      :math:`q>\tfrac12` :math:`F^{-1}(q)=-F^{-1}(1-q)` (:math:`1-q` exact there), and
      :math:`\bar F^{-1}(q)=-F^{-1}(q)`.

    Use :func:`gaussian_scale_mixture` for a frozen instance (what
    :class:`~impossibility.priors.FactorizedPrior` takes). Freezing re-creates the instance from its
    constructor parameters, which therefore include ``weights`` and ``scales``.

    Parameters
    ----------
    weights : array_like of shape (K,)
        Positive, summing to 1 (renormalised if within 1e-12).
    scales : array_like of shape (K,)
        Positive standard deviations :math:`s_k`.
    """

    def __init__(self, weights: ArrayLike = (1.0,), scales: ArrayLike = (1.0,), **kwargs: Any):
        w = as_array(weights, "weights").reshape(-1)
        s = as_array(scales, "scales").reshape(-1)
        if w.shape != s.shape or w.size == 0:
            raise ValueError(
                "weights and scales must be non-empty and of equal length; "
                f"got {w.size} and {s.size}"
            )
        if not (np.all(w > 0) and abs(w.sum() - 1.0) < 1e-12):
            raise ValueError(f"weights must be positive and sum to 1; got {w.tolist()}")
        if not np.all(s > 0):
            raise ValueError(f"scales must be positive; got {s.tolist()}")
        self.weights = w / w.sum()
        self.scales = s
        self._logw = np.log(self.weights)
        kwargs.setdefault("name", "gaussian_scale_mixture")
        kwargs.setdefault("a", -np.inf)
        kwargs.setdefault("b", np.inf)
        super().__init__(**kwargs)

    def _updated_ctor_param(self) -> dict[str, Any]:
        dct = super()._updated_ctor_param()
        dct["weights"] = self.weights
        dct["scales"] = self.scales
        return dct

    # columns: components; x is flattened to (n, 1)
    def _logpdf(self, x: Array) -> Array:
        x = np.asarray(x, dtype=np.float64)
        t = x[..., None] / self.scales
        return _lse(self._logw - 0.5 * t * t - np.log(self.scales)) - _LOG_SQRT_2PI

    def _pdf(self, x: Array) -> Array:
        return np.exp(self._logpdf(x))

    def _logcdf(self, x: Array) -> Array:
        x = np.asarray(x, dtype=np.float64)
        return _lse(self._logw + special.log_ndtr(x[..., None] / self.scales))

    def _logsf(self, x: Array) -> Array:
        return self._logcdf(-np.asarray(x, dtype=np.float64))

    def _cdf(self, x: Array) -> Array:
        return np.exp(self._logcdf(x))

    def _sf(self, x: Array) -> Array:
        return np.exp(self._logsf(x))

    def _lower_quantile(self, q: Array) -> Array:
        """F⁻¹(q) for 0 ≤ q ≤ 1/2: the root of log F(x) = log q (safeguarded Newton, active set)."""
        q = np.asarray(q, dtype=np.float64)
        out = np.zeros_like(q)
        pos = q > 0
        out[~pos] = -np.inf
        if not np.any(pos):
            return out
        qq = q[pos]
        logq = np.log(qq)
        zq = special.ndtri(qq)  # ≤ 0
        lo = self.scales.max() * zq  # every component's CDF ≤ q there, so F(lo) ≤ q
        # F(x) ≥ w_k Φ(x/s_k), so x_k = s_k Φ⁻¹(q/w_k) has F(x_k) ≥ q: the smallest is an upper
        # bound, and close to the root in the tails where one component dominates
        with np.errstate(divide="ignore", invalid="ignore"):
            xk = self.scales * special.ndtri(np.minimum(qq[:, None] / self.weights, 1.0))
        hi = np.minimum(
            np.min(np.where(np.isfinite(xk), xk, np.inf), axis=1), self.scales.min() * zq
        )
        hi = np.maximum(hi, lo)
        x = hi.copy()
        act = np.arange(qq.size)
        tol = 4 * np.finfo(float).eps
        for _ in range(200):
            xa, la, ha = x[act], lo[act], hi[act]
            lc = self._logcdf(xa)
            h = lc - logq[act]
            la = np.where(h < 0, xa, la)
            ha = np.where(h > 0, xa, ha)
            slope = np.exp(self._logpdf(xa) - lc)  # d log F / dx > 0
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                newton = xa - h / slope
            ok = np.isfinite(newton) & (newton >= la) & (newton <= ha)
            x_new = np.where(ok, newton, 0.5 * (la + ha))
            done = (
                (np.abs(x_new - xa) <= tol * np.maximum(1.0, np.abs(xa)))
                | (h == 0)
                | (ha - la <= tol * np.maximum(1.0, np.abs(xa)))
            )
            x[act], lo[act], hi[act] = np.where(h == 0, xa, x_new), la, ha
            act = act[~done]
            if act.size == 0:
                break
        out[pos] = x
        return out

    def _ppf(self, q: Array) -> Array:
        q = np.asarray(q, dtype=np.float64)
        low = q <= 0.5
        out = np.empty_like(q)
        out[low] = self._lower_quantile(q[low])
        out[~low] = -self._lower_quantile(1.0 - q[~low])
        return out

    def _isf(self, q: Array) -> Array:
        return -self._ppf(q)

    def _rvs(self, size: int | tuple[int, ...] | None = None, random_state: Any = None) -> Array:
        # scipy's hook: random_state is the Generator (or RandomState) given to .rvs()
        k = random_state.choice(self.weights.size, size=size, p=self.weights)
        return self.scales[k] * random_state.standard_normal(size)

    def _stats(self) -> tuple[float, float, float, float]:
        m2 = float(np.sum(self.weights * self.scales**2))
        m4 = float(np.sum(self.weights * 3 * self.scales**4))
        return 0.0, m2, 0.0, m4 / m2**2 - 3.0


def gaussian_scale_mixture(weights: ArrayLike, scales: ArrayLike) -> Any:
    r"""The frozen distribution :math:`\sum_kw_k\mathcal N(0,s_k^2)` (``rv_continuous_frozen``)."""
    return GaussianScaleMixture(weights, scales)()
