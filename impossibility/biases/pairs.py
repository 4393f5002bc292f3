r"""Weak supervision with pairs: latents sharing all but :math:`k` coordinates break the symmetry.

.. math:: \Delta_{\rm pairs}=\mathbb E\big[\log P(z,\tilde z)-\log P(f(z),f(\tilde z))
          -\log|\det J_f(z)|-\log|\det J_f(\tilde z)|\big]
          \approx\frac{1}{2\sigma_n^2}\,\mathbb E\Big[\min_{|S'|=k}\sum_{i\notin S'}
          \big(f(\tilde z)_i-f(z)_i\big)^2\Big]

A random :math:`k`-subset :math:`S` of the coordinates of :math:`z\sim p` is redrawn and the rest
kept (docs/theory.md §5.3, Locatello et al. 2020), so a pair of the data shares :math:`d-k`
coordinates
exactly while the twin's latents :math:`(f(z),f(\tilde z))` share none
(:func:`exact_sharing_fraction`). With soft sharing, :math:`\tilde z_{\bar S}=z_{\bar S}+\sigma_n
\epsilon`, the pair law has a density (:func:`pair_conditional_log_prob`) and the twin's
log-likelihood gap (:func:`pair_gap`) grows like :math:`\sigma_n^{-2}`; with :math:`k=d` (nothing
shared) it is 0.
"""

from __future__ import annotations

import itertools
import math
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from impossibility._preserves import check_preserves_prior
from impossibility._typing import LOG_2PI, Array, BijectorLike, PriorLike
from impossibility._validation import (
    as_array,
    as_points,
    check_bijector_like,
    check_int,
    check_rng,
    check_scalar,
)

__all__ = [
    "sample_latent_pairs",
    "exact_sharing_fraction",
    "pair_conditional_log_prob",
    "pair_log_ratio",
    "pair_gap",
    "pair_gap_leading_term",
]

_LOG_SQRT_2PI = 0.5 * LOG_2PI


class MarginalPriorLike(PriorLike, Protocol):
    """A factorized prior that also gives each coordinate's log-density, shape (n, d)."""

    def marginal_log_prob(self, z: ArrayLike) -> Array: ...


def sample_latent_pairs(
    prior: PriorLike, k: int, n: int, rng: np.random.Generator, *, noise: float = 0.0
) -> tuple[Array, Array, NDArray[np.bool_]]:
    r"""Latent pairs :math:`(z,\tilde z)` sharing all coordinates outside a random :math:`k`-subset.

    The coordinates in :math:`S` are redrawn from the prior; the others are kept, or jittered by
    :math:`\sigma_n` = ``noise`` (soft sharing).

    Returns
    -------
    z, z_tilde : ndarray of shape (n, d)
    changed : ndarray of bool, shape (n, d)
        The indicator of :math:`S` (exactly ``k`` per row).
    """
    check_rng(rng)
    d = prior.d
    k = check_int(k, "k", minimum=0, maximum=d)
    n = check_int(n, "n", minimum=1)
    noise = check_scalar(noise, "noise", minimum=0)
    z = prior.sample(n, rng)
    fresh = prior.sample(n, rng)
    order = np.argsort(rng.random((n, d)), axis=1)
    changed = np.zeros((n, d), dtype=bool)
    np.put_along_axis(changed, order[:, :k], True, axis=1)
    zt = np.where(changed, fresh, z)
    if noise > 0:
        zt = np.where(changed, zt, zt + noise * rng.standard_normal((n, d)))
    return z, zt, changed


def exact_sharing_fraction(z: ArrayLike, z_tilde: ArrayLike, k: int) -> float:
    r"""Fraction of pairs with at least :math:`d-k` *exactly* equal coordinates (``==``).

    No tolerance. 1 for pairs of the weak-supervision model with hard sharing; 0 (almost surely)
    for the twin's latents :math:`(f(z), f(\tilde z))`.
    """
    a = as_array(z, "z")
    b = as_array(z_tilde, "z_tilde")
    if a.shape != b.shape or a.ndim != 2:
        raise ValueError(
            f"z and z_tilde must be (n, d) arrays of equal shape; got {a.shape}, {b.shape}"
        )
    k = check_int(k, "k", minimum=0, maximum=a.shape[1])
    return float(np.mean(np.sum(a == b, axis=1) >= a.shape[1] - k))


def _points(prior: PriorLike, z: ArrayLike, name: str) -> Array:
    """Points of the prior's support (its own ``check_points`` when it has one)."""
    check = getattr(prior, "check_points", None)
    return check(z, name=name) if callable(check) else as_points(z, prior.d, name=name)


def pair_conditional_log_prob(
    prior: MarginalPriorLike, z: ArrayLike, z_tilde: ArrayLike, k: int, noise: float
) -> Array:
    r""":math:`\log p(\tilde z\mid z)` of the soft-sharing pair model, exact.

    .. math:: \log p(\tilde z\mid z)=-\log\binom dk+\operatorname*{logsumexp}_{|S|=k}\Big[
              \sum_{i\in S}\log p_i(\tilde z_i)
              +\sum_{i\notin S}\log\mathcal N(\tilde z_i;z_i,\sigma_n^2)\Big]

    (a ``logsumexp`` over the :math:`\binom dk` subsets).

    Parameters
    ----------
    prior : FactorizedPrior
    z, z_tilde : array_like of shape (n, d)
    k : int
        Number of redrawn coordinates, :math:`0\le k\le d` (:math:`\binom dk` subsets are
        enumerated: keep d small, ≤ 12 or so).
    noise : float
        :math:`\sigma_n>0` (with :math:`\sigma_n=0` the density is singular).

    Returns
    -------
    ndarray of shape (n,)
    """
    d = prior.d
    k = check_int(k, "k", minimum=0, maximum=d)
    if not (check_scalar(noise, "noise", minimum=0) > 0) and k < d:
        raise ValueError("noise must be > 0: with exact sharing the pair law has no density")
    za = _points(prior, z, "z")
    zt = _points(prior, z_tilde, "z_tilde")
    lp = prior.marginal_log_prob(zt)  # (n, d)
    if k < d:
        r = (zt - za) / noise
        ln = -0.5 * r * r - math.log(noise) - _LOG_SQRT_2PI
    else:
        ln = np.zeros_like(lp)
    terms = []
    for S in itertools.combinations(range(d), k):
        mask = np.zeros(d, dtype=bool)
        mask[list(S)] = True
        terms.append(np.where(mask[None, :], lp, ln).sum(axis=1))
    T = np.stack(terms, axis=1)
    return special.logsumexp(T, axis=1) - math.log(math.comb(d, k))


def pair_log_ratio(
    prior: MarginalPriorLike,
    f: BijectorLike,
    z: ArrayLike,
    z_tilde: ArrayLike,
    k: int,
    noise: float,
) -> Array:
    r""":math:`\log P(z,\tilde z)-\log P_{\rm twin}(z,\tilde z)` per pair, shape (n,).

    .. math:: P_{\rm twin}(z,\tilde z)=P\big(f(z),f(\tilde z)\big)\,
              |\det J_f(z)|\,|\det J_f(\tilde z)|

    Computed in full (prior terms included, through :math:`f`'s analytic log-determinant), so the
    cancellation of the marginal terms is not assumed.
    """
    check_bijector_like(f, prior.d)
    za = as_points(z, prior.d, name="z")
    zt = as_points(z_tilde, prior.d, name="z_tilde")
    v, ld = f.forward_and_log_det(za)
    vt, ldt = f.forward_and_log_det(zt)
    true = prior.log_prob(za) + pair_conditional_log_prob(prior, za, zt, k, noise)
    twin = prior.log_prob(v) + pair_conditional_log_prob(prior, v, vt, k, noise) + ld + ldt
    return true - twin


def pair_gap(
    prior: MarginalPriorLike,
    f: BijectorLike,
    k: int,
    noise: float,
    n: int,
    rng: np.random.Generator,
) -> dict[str, float]:
    r""":math:`\Delta_{\rm pairs}` (nats per pair) by Monte Carlo, and the exact-sharing fractions.

    Monte Carlo over pairs from the soft-sharing model; the integrand is exact
    (:func:`pair_log_ratio`). The exact-sharing fractions use hard-shared pairs drawn from the same
    generator (:math:`\sigma_n=0`).

    Returns
    -------
    dict
        ``gap`` and ``stderr``; ``gap_times_noise2`` (:math:`\sigma_n^2\Delta`, which tends to
        :func:`pair_gap_leading_term` as :math:`\sigma_n\to0`); ``fraction_shared_true`` (1) and
        ``fraction_shared_twin`` (0) for hard sharing; ``n``.
    """
    check_bijector_like(f, prior.d)
    check_preserves_prior(f, prior, prior.d)  # the gap is defined for a twin
    n = check_int(n, "n", minimum=2)
    z, zt, _ = sample_latent_pairs(prior, k, n, rng, noise=noise)
    r = pair_log_ratio(prior, f, z, zt, k, noise)
    zh, zth, _ = sample_latent_pairs(prior, k, n, rng, noise=0.0)
    gap = float(r.mean())
    return {
        "gap": gap,
        "stderr": float(r.std(ddof=1) / math.sqrt(r.size)),
        "gap_times_noise2": gap * noise**2,
        "fraction_shared_true": exact_sharing_fraction(zh, zth, k),
        "fraction_shared_twin": exact_sharing_fraction(f.forward(zh), f.forward(zth), k),
        "n": n,
    }


def pair_gap_leading_term(
    prior: PriorLike, f: BijectorLike, k: int, n: int, rng: np.random.Generator
) -> dict[str, float]:
    r"""The constant :math:`c` of the small-noise gap, on hard-shared pairs.

    .. math:: c=\tfrac12\,\mathbb E\big[\text{sum of the }d-k\text{ smallest }
              (f(\tilde z)_i-f(z)_i)^2\big];

    then :math:`\Delta_{\rm pairs}\approx c/\sigma_n^2` as :math:`\sigma_n\to0`.

    Returns
    -------
    dict
        ``c`` and ``stderr``.
    """
    check_bijector_like(f, prior.d)
    check_preserves_prior(f, prior, prior.d)
    n = check_int(n, "n", minimum=2)
    z, zt, _ = sample_latent_pairs(prior, k, n, rng, noise=0.0)
    diff2 = np.sort((f.forward(zt) - f.forward(z)) ** 2, axis=1)
    c = 0.5 * diff2[:, : prior.d - k].sum(axis=1)
    return {"c": float(c.mean()), "stderr": float(c.std(ddof=1) / math.sqrt(c.size))}
