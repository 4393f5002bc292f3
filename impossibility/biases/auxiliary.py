r"""Auxiliary variables (iVAE): a conditionally factorized prior :math:`p(z\mid u)` breaks the symmetry.

**Design** (theory.md §5.2). An observed auxiliary variable :math:`u=(u_1,\dots,u_d)` with independent
categorical components, :math:`P(u_i=m)=\pi_{im}`, and

.. math:: z_i\mid u_i\sim\mathcal N\big(0,\sigma_i^2(u_i)\big)\quad\text{independently},\qquad
          \sigma_i(m)=\texttt{scales}[i,m].

Then both :math:`p(z\mid u)=\prod_i\mathcal N(z_i;0,\sigma_i^2(u_i))` *and* the marginal

.. math:: p(z)=\prod_i p_i(z_i),\qquad p_i(z_i)=\sum_m\pi_{im}\,\mathcal N(z_i;0,\sigma_i^2(m))

are factorized (each :math:`p_i` a Gaussian scale mixture, :class:`GaussianScaleMixture`), so
Theorem 1's :math:`f=G^{-1}\circ A\circ G` is defined for :math:`p(z)` and the twin is an equally good
model of :math:`p(x)`. With *one* :math:`u` shared by all coordinates (iVAE's segments,
:math:`z\mid u\sim\mathcal N(0,\operatorname{diag}\sigma^2(u))`) the marginal
:math:`\sum_u p(u)\prod_i\mathcal N(z_i;0,\sigma_i^2(u))` is a mixture of products, **not** a
product, so :math:`G` — hence Theorem 1's map — is undefined for it; one would need a
measure-preserving automorphism of the non-factorized marginal (e.g. its Rosenblatt/Darmois map).

**Gap.** The twin model has decoder :math:`g\circ f^{-1}`; on the data :math:`(x,u)` it assigns
:math:`z=g^{-1}(x)` the conditional density :math:`q(z\mid u)=p(f(z)\mid u)\,|\det J_f(z)|`
(the law of :math:`f^{-1}(\hat z)`, :math:`\hat z\sim p(\cdot\mid u)`). The Jacobian of :math:`g` is
common to both models and cancels, so the expected log-likelihood gap of the observed pairs is

.. math::

    \Delta_u=\mathbb E\big[\log p(x,u)-\log p_{\rm twin}(x,u)\big]
    =\mathbb E_u\,\mathrm{KL}\big(p(\cdot\mid u)\,\|\,(f^{-1})_\#p(\cdot\mid u)\big),\quad
    \log\frac{p(z\mid u)}{q(z\mid u)}=\log p(z\mid u)-\log p(f(z)\mid u)-\log|\det J_f(z)|,

while for :math:`p(x)` alone the same expression with :math:`p(z)` in place of :math:`p(z\mid u)` is
0 *pointwise* (:math:`p(f(z))|\det J_f(z)|=p(z)`). (theory.md writes the same KL with
:math:`f` in place of :math:`f^{-1}`; :math:`f^{-1}=G^{-1}A^\top G` is another Theorem-1 map.)
:func:`auxiliary_gap_quadrature` computes :math:`\Delta_u` exactly for :math:`d=2` (tensor
Gauss–Hermite per value of :math:`u`), :func:`auxiliary_gap_mc` by Monte Carlo for any :math:`d`.

**Variability.** If :math:`z\mid u\sim\mathcal N(0,s(u)^2I)` (one shared :math:`u`, *isotropic*
modulation) every rotation :math:`A` preserves every :math:`p(\cdot\mid u)` and the spherical
marginal: :math:`\Delta_u=0` (iVAE's variability condition fails). With anisotropic modulation
:math:`\Delta_u=\mathbb E_u\tfrac12[\operatorname{tr}(A^\top D_u^{-1}AD_u)-d]>0`
(:func:`shared_rotation_gap`); there, however, the rotation does not even preserve the
marginal (a second, nonzero number the function also returns).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from impossibility.priors import FactorizedPrior

__all__ = [
    "GaussianScaleMixture",
    "gaussian_scale_mixture",
    "AuxiliaryPrior",
    "conditional_log_ratio",
    "marginal_log_ratio",
    "auxiliary_gap_mc",
    "auxiliary_gap_quadrature",
    "observed_gap",
    "shared_rotation_gap",
]

Array = NDArray[np.float64]
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _lse(a: Array) -> Array:
    """log Σ exp over the last axis (plain NumPy: faster than scipy's for a few components)."""
    m = np.max(a, axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return np.log(np.sum(np.exp(a - m), axis=-1)) + m[..., 0]


# --------------------------------------------------------------------- the marginal p_i(z_i)
class GaussianScaleMixture(stats.rv_continuous):
    r"""Gaussian scale mixture :math:`p(x)=\sum_k w_k\,\mathcal N(x;0,s_k^2)` as a ``scipy.stats`` family.

    Stable in both tails, by symmetry :math:`\bar F(x)=F(-x)`:

    * :math:`\log p(x)=\operatorname{logsumexp}_k[\log w_k-\tfrac12(x/s_k)^2-\log s_k]-\tfrac12\log2\pi`;
    * :math:`\log F(x)=\operatorname{logsumexp}_k[\log w_k+\log\Phi(x/s_k)]` (``log_ndtr``, exact far
      into the lower tail), :math:`\log\bar F(x)=\log F(-x)`;
    * quantile for :math:`q\le\tfrac12`: the root of :math:`\log F(x)=\log q` in the bracket
      :math:`[s_{\max}\Phi^{-1}(q),\,s_{\min}\Phi^{-1}(q)]` (where :math:`F\le q` and :math:`F\ge q`), by
      safeguarded Newton steps on the log-CDF (falling back to bisection), vectorised; for
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
        w = np.asarray(weights, dtype=np.float64).reshape(-1)
        s = np.asarray(scales, dtype=np.float64).reshape(-1)
        if w.shape != s.shape or w.size == 0:
            raise ValueError(
                f"weights and scales must be non-empty and of equal length; got {w.size} and {s.size}"
            )
        if not (np.all(np.isfinite(w)) and np.all(w > 0) and abs(w.sum() - 1.0) < 1e-12):
            raise ValueError(f"weights must be positive and sum to 1; got {w.tolist()}")
        if not (np.all(np.isfinite(s)) and np.all(s > 0)):
            raise ValueError(f"scales must be positive and finite; got {s.tolist()}")
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

    def _rvs(self, size: Any = None, random_state: Any = None) -> Array:
        k = random_state.choice(self.weights.size, size=size, p=self.weights)
        return self.scales[k] * random_state.standard_normal(size)

    def _stats(self) -> tuple[float, float, float, float]:
        m2 = float(np.sum(self.weights * self.scales**2))
        m4 = float(np.sum(self.weights * 3 * self.scales**4))
        return 0.0, m2, 0.0, m4 / m2**2 - 3.0


def gaussian_scale_mixture(weights: ArrayLike, scales: ArrayLike) -> Any:
    r"""The frozen distribution :math:`\sum_kw_k\mathcal N(0,s_k^2)` (a ``rv_continuous_frozen``)."""
    return GaussianScaleMixture(weights, scales)()


# ------------------------------------------------------------------------- the model p(z, u)
class AuxiliaryPrior:
    r"""Per-coordinate auxiliary variables: :math:`u_i\sim\mathrm{Cat}(\pi_i)`, :math:`z_i\mid u_i\sim\mathcal N(0,\sigma_i^2(u_i))`.

    Parameters
    ----------
    scales : array_like of shape (d, M)
        :math:`\sigma_i(m)>0`, the standard deviation of :math:`z_i` when :math:`u_i=m`.
    probs : array_like of shape (M,) or (d, M), optional
        :math:`\pi_{im}`; default uniform.

    Attributes
    ----------
    marginal : FactorizedPrior
        :math:`p(z)=\prod_i\sum_m\pi_{im}\mathcal N(z_i;0,\sigma_i^2(m))`, for Theorem 1's map.
    """

    def __init__(self, scales: ArrayLike, probs: ArrayLike | None = None):
        s = np.asarray(scales, dtype=np.float64)
        if s.ndim != 2 or s.shape[0] < 1 or s.shape[1] < 1:
            raise ValueError(f"scales must have shape (d, M); got {np.shape(scales)}")
        if not (np.all(np.isfinite(s)) and np.all(s > 0)):
            raise ValueError("scales must be positive and finite")
        d, M = s.shape
        p = np.full((d, M), 1.0 / M) if probs is None else np.asarray(probs, dtype=np.float64)
        if p.shape == (M,):
            p = np.tile(p, (d, 1))
        if p.shape != (d, M):
            raise ValueError(f"probs must have shape ({M},) or ({d}, {M}); got {p.shape}")
        if not (np.all(p > 0) and np.allclose(p.sum(axis=1), 1.0, rtol=0, atol=1e-12)):
            raise ValueError("probs must be positive and each row must sum to 1")
        self.scales, self.probs = s, p / p.sum(axis=1, keepdims=True)
        self.d, self.n_states = d, M
        self.marginal = FactorizedPrior(
            [gaussian_scale_mixture(self.probs[i], self.scales[i]) for i in range(d)]
        )

    def __repr__(self) -> str:
        return f"AuxiliaryPrior(d={self.d}, states={self.n_states}, scales={self.scales.tolist()})"

    def _check_u(self, u: ArrayLike, n: int | None = None) -> NDArray[np.int64]:
        arr = np.asarray(u)
        if arr.ndim != 2 or arr.shape[1] != self.d or (n is not None and arr.shape[0] != n):
            want = f"({n if n is not None else 'n'}, {self.d})"
            raise ValueError(f"u must have shape {want}; got {arr.shape}")
        if not np.issubdtype(arr.dtype, np.integer) or np.any((arr < 0) | (arr >= self.n_states)):
            raise ValueError(f"u must hold integers in [0, {self.n_states})")
        return arr.astype(np.int64)

    def sample(self, n: int, rng: np.random.Generator) -> tuple[NDArray[np.int64], Array]:
        """Draw ``(u, z)``, shapes (n, d) int and (n, d) float."""
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"n must be a non-negative integer; got {n!r}")
        cum = np.cumsum(self.probs, axis=1)
        r = rng.random((int(n), self.d))
        u = np.minimum((r[:, :, None] > cum[None]).sum(axis=2), self.n_states - 1)
        z = self.std(u) * rng.standard_normal((int(n), self.d))
        return u.astype(np.int64), z

    def std(self, u: ArrayLike) -> Array:
        r""":math:`\sigma_i(u_i)`, shape (n, d)."""
        ua = self._check_u(u)
        return self.scales[np.arange(self.d)[None, :], ua]

    def conditional_log_prob(self, z: ArrayLike, u: ArrayLike) -> Array:
        r""":math:`\log p(z\mid u)=\sum_i\log\mathcal N(z_i;0,\sigma_i^2(u_i))`, shape (n,)."""
        za = np.asarray(z, dtype=np.float64)
        if za.ndim != 2 or za.shape[1] != self.d:
            raise ValueError(f"z must have shape (n, {self.d}); got {za.shape}")
        s = self.std(self._check_u(u, za.shape[0]))
        t = za / s
        return np.sum(-0.5 * t * t - np.log(s), axis=1) - self.d * _LOG_SQRT_2PI

    def log_prob_u(self, u: ArrayLike) -> Array:
        r""":math:`\log p(u)=\sum_i\log\pi_{iu_i}`, shape (n,)."""
        ua = self._check_u(u)
        return np.sum(np.log(self.probs[np.arange(self.d)[None, :], ua]), axis=1)


# ----------------------------------------------------------------------------------- the gaps
def _check_f(f: Any, d: int) -> Any:
    if not callable(getattr(f, "forward_and_log_det", None)):
        raise TypeError(f"f must be a Bijector with forward_and_log_det; got {type(f).__name__}")
    if getattr(f, "d", d) != d:
        raise ValueError(f"f acts on d = {f.d} coordinates but the prior has d = {d}")
    return f


def conditional_log_ratio(aux: AuxiliaryPrior, f: Any, z: ArrayLike, u: ArrayLike) -> Array:
    r""":math:`\log p(z\mid u)-\log q(z\mid u)` with the twin's :math:`q(z\mid u)=p(f(z)\mid u)|\det J_f(z)|`.

    Its mean over :math:`(z,u)\sim p` is :math:`\Delta_u`; shape (n,).
    """
    _check_f(f, aux.d)
    v, ld = f.forward_and_log_det(np.asarray(z, dtype=np.float64))
    return aux.conditional_log_prob(z, u) - aux.conditional_log_prob(v, u) - ld


def marginal_log_ratio(prior: Any, f: Any, z: ArrayLike) -> Array:
    r""":math:`\log p(z)-\log p(f(z))-\log|\det J_f(z)|`: 0 up to rounding when :math:`f_\#p=p`; shape (n,)."""
    _check_f(f, prior.d)
    v, ld = f.forward_and_log_det(np.asarray(z, dtype=np.float64))
    return prior.log_prob(z) - prior.log_prob(v) - ld


def auxiliary_gap_mc(
    aux: AuxiliaryPrior, f: Any, n: int, rng: np.random.Generator
) -> dict[str, float]:
    r"""Monte-Carlo :math:`\Delta_u` (nats per observation) and the :math:`p(x)` gap on the same samples.

    Returns
    -------
    dict
        ``conditional`` mean of :func:`conditional_log_ratio`, ``conditional_stderr`` its standard
        error, ``marginal`` mean of :func:`marginal_log_ratio` and ``marginal_max_abs`` its largest
        absolute value (rounding only), ``n``.
    """
    u, z = aux.sample(n, rng)
    c = conditional_log_ratio(aux, f, z, u)
    m = marginal_log_ratio(aux.marginal, f, z)
    return {
        "conditional": float(c.mean()),
        "conditional_stderr": float(c.std(ddof=1) / math.sqrt(c.size)),
        "marginal": float(m.mean()),
        "marginal_max_abs": float(np.max(np.abs(m))),
        "n": int(n),
    }


def auxiliary_gap_quadrature(
    aux: AuxiliaryPrior, f: Any, *, n_panels: int = 24, order: int = 8, half_width: float = 8.0
) -> dict[str, Any]:
    r"""Exact :math:`\Delta_u` for :math:`d=2` by tensor composite Gauss–Legendre quadrature, for every :math:`u`.

    .. math::

        \Delta_u=\sum_{u}p(u)\iint\varphi(t_1)\varphi(t_2)\,
        \ell_u\big(\sigma_1(u_1)t_1,\ \sigma_2(u_2)t_2\big)\,dt_1\,dt_2,
        \qquad \ell_u(z)=\log\frac{p(z\mid u)}{q(z\mid u)},

    each :math:`t_i` on :math:`[-L, L]` (``half_width``; the Gaussian mass outside is
    :math:`2\Phi(-L)\approx10^{-15}` for :math:`L=8`) split into ``n_panels`` panels with ``order``
    Gauss–Legendre nodes each. The integrand is smooth but not polynomial (the mixture's
    Gaussianizing map bends where one component takes over from the other), which is why a
    composite rule converges much faster here than Gauss–Hermite. The error is estimated by
    the difference with half as many panels; the marginal gap is integrated on the same nodes (it
    is 0 pointwise).

    Returns
    -------
    dict
        ``conditional`` :math:`\Delta_u`, ``per_u`` (M, M) KL for each :math:`u=(u_1,u_2)`,
        ``error_estimate``, ``marginal`` (the :math:`p(x)` gap on the same nodes),
        ``marginal_max_abs``, ``n_nodes`` per dimension.
    """
    if aux.d != 2:
        raise ValueError(
            f"quadrature is implemented for d = 2; got d = {aux.d} (use auxiliary_gap_mc)"
        )
    _check_f(f, 2)
    for name, v, lo in (("n_panels", n_panels, 2), ("order", order, 1)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}; got {v!r}")
    if not (np.isfinite(half_width) and 0 < half_width <= 12):
        raise ValueError(f"half_width must be in (0, 12]; got {half_width!r}")

    def nodes(panels: int) -> tuple[Array, Array]:
        x, w = np.polynomial.legendre.leggauss(int(order))
        edges = np.linspace(-half_width, half_width, panels + 1)
        h = np.diff(edges)
        t = (edges[:-1, None] + 0.5 * h[:, None] * (x[None, :] + 1)).reshape(-1)
        wt = (0.5 * h[:, None] * w[None, :]).reshape(-1) * np.exp(-0.5 * t * t - _LOG_SQRT_2PI)
        return t, wt

    def run(panels: int) -> tuple[Array, float, float]:
        t, w = nodes(panels)
        T1, T2 = np.meshgrid(t, t, indexing="ij")
        Wt = np.outer(w, w).reshape(-1)
        M = aux.n_states
        per_u = np.empty((M, M))
        marg_int, marg_max = 0.0, 0.0
        for a in range(M):
            for b in range(M):
                u = np.tile([a, b], (T1.size, 1))
                s = aux.std(u[:1])[0]
                z = np.column_stack([s[0] * T1.reshape(-1), s[1] * T2.reshape(-1)])
                per_u[a, b] = float(Wt @ conditional_log_ratio(aux, f, z, u))
                mr = marginal_log_ratio(aux.marginal, f, z)
                marg_int += float(aux.probs[0, a] * aux.probs[1, b]) * float(Wt @ mr)
                marg_max = max(marg_max, float(np.max(np.abs(mr))))
        return per_u, marg_int, marg_max

    per_u, marg, marg_max = run(int(n_panels))
    per_u_half, _, _ = run(max(1, int(n_panels) // 2))
    pu = np.outer(aux.probs[0], aux.probs[1])
    gap = float(np.sum(pu * per_u))
    return {
        "conditional": gap,
        "per_u": per_u,
        "error_estimate": abs(gap - float(np.sum(pu * per_u_half))),
        "marginal": marg,
        "marginal_max_abs": marg_max,
        "n_nodes": int(n_panels) * int(order),
    }


def observed_gap(
    aux: AuxiliaryPrior, f: Any, g: Any, n: int, rng: np.random.Generator
) -> dict[str, float]:
    r"""Log-likelihood gaps of observed data under a model :math:`x=g(z)` and its twin :math:`g\circ f^{-1}`.

    Both densities through the change of variables (:math:`g` invertible, e.g.
    :class:`~impossibility.generative.InvertibleMLP`):
    :math:`\log p(x,u)=\log p(u)+\log p(g^{-1}(x)\mid u)+\log|\det J_{g^{-1}}(x)|` and, for the twin,
    :math:`\hat z=f(g^{-1}(x))`, :math:`\log p_{\rm twin}(x,u)=\log p(u)+\log p(\hat z\mid u)+\log|\det J_{g^{-1}}(x)|+\log|\det J_f(g^{-1}(x))|`;
    the same with :math:`p(z)` for :math:`\log p(x)`.

    Returns
    -------
    dict
        ``joint`` mean of :math:`\log p(x,u)-\log p_{\rm twin}(x,u)` and ``joint_stderr``;
        ``marginal`` mean of :math:`\log p(x)-\log p_{\rm twin}(x)` and ``marginal_max_abs``.
    """
    if not callable(getattr(g, "inverse_and_log_det", None)):
        raise TypeError("g must be invertible (provide inverse_and_log_det), e.g. an InvertibleMLP")
    _check_f(f, aux.d)
    u, z = aux.sample(n, rng)
    x = g.forward(z)
    zr, ldg = g.inverse_and_log_det(x)
    zt, ldf = f.forward_and_log_det(zr)
    lpu = aux.log_prob_u(u)
    joint = (lpu + aux.conditional_log_prob(zr, u) + ldg) - (
        lpu + aux.conditional_log_prob(zt, u) + ldg + ldf
    )
    marg = (aux.marginal.log_prob(zr) + ldg) - (aux.marginal.log_prob(zt) + ldg + ldf)
    return {
        "joint": float(joint.mean()),
        "joint_stderr": float(joint.std(ddof=1) / math.sqrt(joint.size)),
        "marginal": float(marg.mean()),
        "marginal_max_abs": float(np.max(np.abs(marg))),
    }


def shared_rotation_gap(
    scales: ArrayLike,
    A: ArrayLike,
    *,
    probs: ArrayLike | None = None,
    n_mc: int = 20_000,
    rng: np.random.Generator | None = None,
) -> dict[str, float]:
    r"""One auxiliary :math:`u` shared by all coordinates, :math:`z\mid u\sim\mathcal N(0,D_u)`, and a rotation :math:`A`.

    The twin (decoder :math:`g\circ A^{-1}`) models :math:`z` given :math:`u` as
    :math:`\mathcal N(0,A^\top D_uA)`, so, in closed form,

    .. math:: \Delta_u=\sum_up(u)\,\mathrm{KL}\big(\mathcal N(0,D_u)\,\|\,\mathcal N(0,A^\top D_uA)\big)
              =\sum_up(u)\,\tfrac12\big[\operatorname{tr}(A^\top D_u^{-1}AD_u)-d\big],

    zero for isotropic modulation :math:`D_u=s(u)^2I` (for every rotation) and positive otherwise
    for an entangling :math:`A`. The marginal :math:`p(z)=\sum_up(u)\mathcal N(0,D_u)` is not
    factorized (Theorem 1 does not apply); the rotation preserves it iff the modulation is
    isotropic. Its gap :math:`\mathrm{KL}(p\,\|\,(A^{-1})_\#p)` is estimated by Monte Carlo (exact
    log-densities by ``logsumexp``) when ``rng`` is given.

    Parameters
    ----------
    scales : array_like of shape (M, d)
        Standard deviations :math:`\sqrt{(D_u)_{ii}}` for each of the M values of u.
    A : array_like of shape (d, d)
        Orthogonal.
    probs : array_like of shape (M,), optional
        :math:`p(u)`, default uniform.
    n_mc : int, default=20000
    rng : numpy.random.Generator, optional

    Returns
    -------
    dict
        ``conditional`` (closed form), and with ``rng``: ``marginal``, ``marginal_stderr``.
    """
    s = np.asarray(scales, dtype=np.float64)
    if s.ndim != 2 or not (np.all(np.isfinite(s)) and np.all(s > 0)):
        raise ValueError(f"scales must be a positive (M, d) array; got shape {np.shape(scales)}")
    M, d = s.shape
    Am = np.asarray(A, dtype=np.float64)
    if Am.shape != (d, d) or np.max(np.abs(Am @ Am.T - np.eye(d))) > 1e-10:
        raise ValueError(f"A must be an orthogonal ({d}, {d}) matrix; got shape {Am.shape}")
    p = np.full(M, 1.0 / M) if probs is None else np.asarray(probs, dtype=np.float64)
    if p.shape != (M,) or np.any(p <= 0) or abs(p.sum() - 1) > 1e-12:
        raise ValueError(f"probs must be {M} positive numbers summing to 1")
    var = s * s
    kl = np.array([0.5 * (np.trace(Am.T @ np.diag(1 / v) @ Am @ np.diag(v)) - d) for v in var])
    out = {"conditional": float(p @ kl)}
    if rng is not None:
        k = rng.choice(M, size=int(n_mc), p=p)
        z = s[k] * rng.standard_normal((int(n_mc), d))

        def logp(zz: Array) -> Array:
            t = zz[:, None, :] / s[None]
            comp = np.log(p)[None] - 0.5 * np.sum(t * t, axis=2) - np.sum(np.log(s), axis=1)[None]
            return special.logsumexp(comp, axis=1) - d * _LOG_SQRT_2PI

        r = logp(z) - logp(z @ Am.T)  # twin density of z: p(Az) (|det A| = 1)
        out["marginal"] = float(r.mean())
        out["marginal_stderr"] = float(r.std(ddof=1) / math.sqrt(r.size))
    return out
