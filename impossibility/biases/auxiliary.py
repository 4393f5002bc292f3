r"""An observed auxiliary variable (iVAE): :math:`f` preserves :math:`p(x)` but not :math:`p(x,u)`.

.. math:: \Delta_u=\mathbb E\big[\log p(x,u)-\log p_{\rm twin}(x,u)\big]
          =\mathbb E_u\,\mathrm{KL}\big(p(\cdot\mid u)\,\|\,(f^{-1})_\#p(\cdot\mid u)\big),
          \qquad z_i\mid u_i\sim\mathcal N\big(0,\sigma_i^2(u_i)\big)

With independent categorical :math:`u_i` the marginal
:math:`p(z)=\prod_i\sum_m\pi_{im}\mathcal N(z_i;0,\sigma_i^2(m))` is factorized (docs/theory.md
§5.2),
so Theorem 1's map :math:`f` exists for it and the twin (decoder :math:`g\circ f^{-1}`) models
:math:`p(x)` exactly; the gap of the observed pairs :math:`(x,u)` is the conditional KL above (the
Jacobian of :math:`g` cancels), computed exactly for :math:`d=2` by
:func:`auxiliary_gap_quadrature` and by Monte Carlo for any :math:`d`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from impossibility._preserves import check_preserves_prior
from impossibility._typing import LOG_2PI, Array, BijectorLike, GeneratorLike, PriorLike
from impossibility._validation import (
    as_array,
    as_points,
    check_bijector_like,
    check_has_methods,
    check_int,
    check_orthogonal,
    check_rng,
    check_scalar,
)
from impossibility.priors import FactorizedPrior

from .mixtures import gaussian_scale_mixture

__all__ = [
    "AuxiliaryPrior",
    "conditional_log_ratio",
    "marginal_log_ratio",
    "auxiliary_gap_mc",
    "auxiliary_gap_quadrature",
    "observed_gap",
    "shared_rotation_gap",
]

_LOG_SQRT_2PI = 0.5 * LOG_2PI


def _as_probs(probs: ArrayLike, shape: tuple[int, ...]) -> Array:
    """Probabilities of the given shape, positive, each row summing to 1 within 1e-12."""
    p = as_array(probs, "probs")
    if p.shape != shape:
        raise ValueError(f"probs must have shape {shape}; got {p.shape}")
    if not (np.all(p > 0) and np.allclose(p.sum(axis=-1), 1.0, rtol=0, atol=1e-12)):
        raise ValueError("probs must be positive and each row must sum to 1")
    return p


def _as_scales(scales: ArrayLike, what: str) -> Array:
    """A positive, finite 2-D array of standard deviations."""
    s = as_array(scales, "scales")
    if s.ndim != 2 or s.shape[0] < 1 or s.shape[1] < 1:
        raise ValueError(f"scales must have shape {what}; got {np.shape(scales)}")
    if not np.all(s > 0):
        raise ValueError("scales must be positive")
    return s


class AuxiliaryPrior:
    r"""Per-coordinate auxiliary variables and a prior modulated by them.

    .. math:: u_i\sim\mathrm{Cat}(\pi_i),\qquad z_i\mid u_i\sim\mathcal N(0,\sigma_i^2(u_i)),
              \qquad\text{independently for } i=1,\dots,d.

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
        s = _as_scales(scales, "(d, M)")
        d, M = s.shape
        if probs is None:
            p = np.full((d, M), 1.0 / M)
        else:
            p = as_array(probs, "probs")
            p = _as_probs(np.tile(p, (d, 1)) if p.shape == (M,) else p, (d, M))
        self.scales, self.probs = s, p / p.sum(axis=1, keepdims=True)
        self.d, self.n_states = d, M
        self.marginal = FactorizedPrior(
            [gaussian_scale_mixture(self.probs[i], self.scales[i]) for i in range(d)]
        )

    def __repr__(self) -> str:
        return f"AuxiliaryPrior(d={self.d}, states={self.n_states}, scales={self.scales.tolist()})"

    def _as_states(self, u: ArrayLike, n: int | None = None) -> NDArray[np.int64]:
        """States: integers of shape (n, d) in ``[0, n_states)``."""
        raw = np.asarray(u)
        as_array(raw, "u", shape=(n, self.d))
        if raw.dtype.kind not in "iu":
            raise TypeError(f"u must hold integer states; got dtype {raw.dtype}")
        if np.any((raw < 0) | (raw >= self.n_states)):
            raise ValueError(
                f"u must hold integers in [0, {self.n_states}); got values in "
                f"[{raw.min()}, {raw.max()}]"
            )
        return raw.astype(np.int64)

    def sample(self, n: int, rng: np.random.Generator) -> tuple[NDArray[np.int64], Array]:
        """Draw ``(u, z)``, shapes (n, d) int and (n, d) float."""
        check_rng(rng)
        n = check_int(n, "n", minimum=0)
        cum = np.cumsum(self.probs, axis=1)
        r = rng.random((n, self.d))
        u = np.minimum((r[:, :, None] > cum[None]).sum(axis=2), self.n_states - 1)
        z = self.std(u) * rng.standard_normal((n, self.d))
        return u.astype(np.int64), z

    def std(self, u: ArrayLike) -> Array:
        r""":math:`\sigma_i(u_i)`, shape (n, d)."""
        ua = self._as_states(u)
        return self.scales[np.arange(self.d)[None, :], ua]

    def conditional_log_prob(self, z: ArrayLike, u: ArrayLike) -> Array:
        r""":math:`\log p(z\mid u)=\sum_i\log\mathcal N(z_i;0,\sigma_i^2(u_i))`, shape (n,)."""
        za = as_array(z, "z", shape=(None, self.d))
        s = self.std(self._as_states(u, za.shape[0]))
        t = za / s
        return np.sum(-0.5 * t * t - np.log(s), axis=1) - self.d * _LOG_SQRT_2PI

    def log_prob_u(self, u: ArrayLike) -> Array:
        r""":math:`\log p(u)=\sum_i\log\pi_{iu_i}`, shape (n,)."""
        ua = self._as_states(u)
        return np.sum(np.log(self.probs[np.arange(self.d)[None, :], ua]), axis=1)


def conditional_log_ratio(
    aux: AuxiliaryPrior, f: BijectorLike, z: ArrayLike, u: ArrayLike
) -> Array:
    r""":math:`\log p(z\mid u)-\log q(z\mid u)`, with the twin's conditional :math:`q`, shape (n,).

    :math:`q(z\mid u)=p(f(z)\mid u)\,|\det J_f(z)|`. Its mean over :math:`(z,u)\sim p` is
    :math:`\Delta_u`.
    """
    check_bijector_like(f, aux.d)
    za = as_points(z, aux.d, name="z")
    v, ld = f.forward_and_log_det(za)
    return aux.conditional_log_prob(za, u) - aux.conditional_log_prob(v, u) - ld


def marginal_log_ratio(prior: PriorLike, f: BijectorLike, z: ArrayLike) -> Array:
    r""":math:`\log p(z)-\log p(f(z))-\log|\det J_f(z)|`, shape (n,).

    0 up to rounding when :math:`f_\#p=p`: the :math:`p(x)` gap, pointwise.
    """
    check_bijector_like(f, prior.d)
    za = as_points(z, prior.d, name="z")
    v, ld = f.forward_and_log_det(za)
    return prior.log_prob(za) - prior.log_prob(v) - ld


def auxiliary_gap_mc(
    aux: AuxiliaryPrior, f: BijectorLike, n: int, rng: np.random.Generator
) -> dict[str, float]:
    r"""Monte-Carlo :math:`\Delta_u` (nats per observation) and the :math:`p(x)` gap, same samples.

    Returns
    -------
    dict
        ``conditional`` mean of :func:`conditional_log_ratio`, ``conditional_stderr`` its standard
        error, ``marginal`` mean of :func:`marginal_log_ratio` and ``marginal_max_abs`` its largest
        absolute value (rounding only), ``n``.
    """
    n = check_int(n, "n", minimum=2)
    check_bijector_like(f, aux.d)
    check_preserves_prior(f, aux.marginal, aux.d)  # the gap is defined for a twin
    u, z = aux.sample(n, rng)
    c = conditional_log_ratio(aux, f, z, u)
    m = marginal_log_ratio(aux.marginal, f, z)
    return {
        "conditional": float(c.mean()),
        "conditional_stderr": float(c.std(ddof=1) / math.sqrt(c.size)),
        "marginal": float(m.mean()),
        "marginal_max_abs": float(np.max(np.abs(m))),
        "n": n,
    }


def auxiliary_gap_quadrature(
    aux: AuxiliaryPrior,
    f: BijectorLike,
    *,
    n_panels: int = 24,
    order: int = 8,
    half_width: float = 8.0,
) -> dict[str, float | int | Array]:
    r"""Exact :math:`\Delta_u` for :math:`d=2`, by quadrature for every value of :math:`u`.

    .. math:: \Delta_u=\sum_up(u)\iint\varphi(t_1)\varphi(t_2)\,
              \ell_u\big(\sigma_1(u_1)t_1,\ \sigma_2(u_2)t_2\big)\,dt_1\,dt_2,

    :math:`\ell_u(z)=\log\frac{p(z\mid u)}{q(z\mid u)}` (:func:`conditional_log_ratio`); tensor
    composite Gauss–Legendre quadrature for every :math:`u`, each :math:`t_i` on :math:`[-L, L]`
    (``half_width``; the Gaussian mass outside is :math:`2\Phi(-L)\approx10^{-15}` for :math:`L=8`)
    split into ``n_panels`` panels with ``order`` nodes each. The integrand is smooth but not
    polynomial (the mixture's Gaussianizing map bends where one component takes over from the
    other), which is why a composite rule converges much faster here than Gauss–Hermite. The error
    is estimated by the difference with half as many panels; the marginal gap is integrated on the
    same nodes (it is 0 pointwise).

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
    check_bijector_like(f, 2)
    check_preserves_prior(f, aux.marginal, 2)
    n_panels = check_int(n_panels, "n_panels", minimum=2)
    order = check_int(order, "order", minimum=1)
    half_width = check_scalar(half_width, "half_width", minimum=0, include_min=False, maximum=12)

    def nodes(panels: int) -> tuple[Array, Array]:
        x, w = np.polynomial.legendre.leggauss(order)
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

    per_u, marg, marg_max = run(n_panels)
    per_u_half, _, _ = run(max(1, n_panels // 2))
    pu = np.outer(aux.probs[0], aux.probs[1])
    gap = float(np.sum(pu * per_u))
    return {
        "conditional": gap,
        "per_u": per_u,
        "error_estimate": abs(gap - float(np.sum(pu * per_u_half))),
        "marginal": marg,
        "marginal_max_abs": marg_max,
        "n_nodes": n_panels * order,
    }


def observed_gap(
    aux: AuxiliaryPrior, f: BijectorLike, g: GeneratorLike, n: int, rng: np.random.Generator
) -> dict[str, float]:
    r"""Log-likelihood gaps of data :math:`x=g(z)` under model and twin :math:`g\circ f^{-1}`.

    Both densities through the change of variables (:math:`g` invertible, e.g.
    :class:`~impossibility.generative.InvertibleMLP`), with :math:`\hat z=f(g^{-1}(x))`:

    .. math:: \log p(x,u)&=\log p(u)+\log p(g^{-1}(x)\mid u)+\log|\det J_{g^{-1}}(x)|,\\
              \log p_{\rm twin}(x,u)&=\log p(u)+\log p(\hat z\mid u)+\log|\det J_{g^{-1}}(x)|
              +\log|\det J_f(g^{-1}(x))|;

    the same with :math:`p(z)` for :math:`\log p(x)`.

    Returns
    -------
    dict
        ``joint`` mean of :math:`\log p(x,u)-\log p_{\rm twin}(x,u)` and ``joint_stderr``;
        ``marginal`` mean of :math:`\log p(x)-\log p_{\rm twin}(x)` and ``marginal_max_abs``.
    """
    check_has_methods(
        g,
        "g",
        ("forward", "inverse_and_log_det"),
        what="an invertible generator, e.g. InvertibleMLP",
    )
    check_bijector_like(f, aux.d)
    check_preserves_prior(f, aux.marginal, aux.d)
    n = check_int(n, "n", minimum=2)
    u, z = aux.sample(n, rng)
    x = g.forward(z)
    zr, ldg = g.inverse_and_log_det(x)  # type: ignore[attr-defined]
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
    r"""One :math:`u` shared by all coordinates and a rotation :math:`A`: the gap in closed form.

    .. math:: \Delta_u=\sum_up(u)\,\tfrac12\big[\operatorname{tr}(A^\top D_u^{-1}AD_u)-d\big]

    With :math:`z\mid u\sim\mathcal N(0,D_u)` the twin (decoder :math:`g\circ A^{-1}`) models
    :math:`z` given :math:`u` as :math:`\mathcal N(0,A^\top D_uA)`, so
    :math:`\Delta_u=\sum_up(u)\,\mathrm{KL}(\mathcal N(0,D_u)\,\|\,\mathcal N(0,A^\top D_uA))` in
    closed form: zero for isotropic modulation :math:`D_u=s(u)^2I` (for every rotation; iVAE's
    variability condition fails) and positive otherwise for an entangling :math:`A`. The marginal
    :math:`p(z)=\sum_up(u)\mathcal N(0,D_u)` is a mixture of products, not factorized, so Theorem 1
    does not apply to it; the rotation preserves it iff the modulation is isotropic. Its gap
    :math:`\mathrm{KL}(p\,\|\,(A^{-1})_\#p)` is estimated by Monte Carlo (exact log-densities by
    ``logsumexp``) when ``rng`` is given.

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
    s = _as_scales(scales, "(M, d)")
    M, d = s.shape
    Am = check_orthogonal(A, name="A")
    if Am.shape != (d, d):
        raise ValueError(f"A must be an orthogonal ({d}, {d}) matrix; got shape {Am.shape}")
    p = np.full(M, 1.0 / M) if probs is None else _as_probs(probs, (M,))
    n_mc = check_int(n_mc, "n_mc", minimum=2)
    if rng is not None:
        check_rng(rng)
    var = s * s
    kl = np.array([0.5 * (np.trace(Am.T @ np.diag(1 / v) @ Am @ np.diag(v)) - d) for v in var])
    out = {"conditional": float(p @ kl)}
    if rng is not None:
        k = rng.choice(M, size=n_mc, p=p)
        z = s[k] * rng.standard_normal((n_mc, d))

        def logp(zz: Array) -> Array:
            t = zz[:, None, :] / s[None]
            comp = np.log(p)[None] - 0.5 * np.sum(t * t, axis=2) - np.sum(np.log(s), axis=1)[None]
            return special.logsumexp(comp, axis=1) - d * _LOG_SQRT_2PI

        r = logp(z) - logp(z @ Am.T)  # twin density of z: p(Az) (|det A| = 1)
        out["marginal"] = float(r.mean())
        out["marginal_stderr"] = float(r.std(ddof=1) / math.sqrt(r.size))
    return out
