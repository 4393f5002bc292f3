r"""Weak supervision with pairs: observations that share all but k factors break the symmetry.

**Pair model** (theory.md §5.3, Locatello et al. 2020). :math:`z\sim p=\prod_ip_i`; a uniformly
random subset :math:`S` of :math:`k` coordinates is redrawn, :math:`\tilde z_S\sim p_S`, and the rest is
kept, :math:`\tilde z_{\bar S}=z_{\bar S}`; one observes :math:`(g(z),g(\tilde z))`. The pair law is
singular: at least :math:`d-k` coordinates of :math:`z` and :math:`\tilde z` are *exactly* equal. The
entangled twin (decoder :math:`g\circ f^{-1}`, same pair prior) sees the same data through
:math:`\hat z=f(z)`, and :math:`(f(z),f(\tilde z))` has almost surely **no** equal coordinate
(each output of :math:`f` depends on every input): :func:`exact_sharing_fraction` is 1 vs 0.

**Soft sharing** gives a finite likelihood gap: :math:`\tilde z_{\bar S}=z_{\bar S}+\sigma_n\epsilon`, so

.. math:: p(\tilde z\mid z)=\binom dk^{-1}\sum_{|S|=k}\ \prod_{i\in S}p_i(\tilde z_i)
          \prod_{i\notin S}\mathcal N(\tilde z_i;z_i,\sigma_n^2)

(:func:`pair_conditional_log_prob`, a ``logsumexp`` over the :math:`\binom dk` subsets). The twin
gives the pair :math:`(z,\tilde z)` the density :math:`P(f(z),f(\tilde z))\,|\det J_f(z)|\,|\det J_f(\tilde z)|`,
and the expected log-likelihood gap of the observed pairs (the Jacobian of :math:`g` cancels) is

.. math:: \Delta_{\rm pairs}=\mathrm{KL}\big(P\,\|\,(f^{-1}\times f^{-1})_\#P\big)
          =\mathbb E\big[\log P(z,\tilde z)-\log P(f(z),f(\tilde z))-\log|\det J_f(z)|-\log|\det J_f(\tilde z)|\big]

(:func:`pair_gap`). Both models carry the normaliser :math:`\sigma_n^{-(d-k)}`; what remains is the
twin's penalty for the :math:`d-k` coordinates that should be (nearly) shared and are not, so for
small :math:`\sigma_n`

.. math:: \Delta_{\rm pairs}\approx\frac{1}{2\sigma_n^2}\,
          \mathbb E\Big[\min_{|S'|=k}\sum_{i\notin S'}\big(f(\tilde z)_i-f(z)_i\big)^2\Big]

(the sum of the :math:`d-k` smallest squared differences; :func:`pair_gap_leading_term`): the gap
grows like :math:`\sigma_n^{-2}`. With :math:`k=d` (nothing shared) the pair law is :math:`p\otimes p`,
which :math:`f\times f` preserves: :math:`\Delta_{\rm pairs}=0`.

**Ada-GVAE** (:class:`AdaGVAE`): a NumPy implementation, with hand-written gradients, of the
adaptive group VAE of Locatello et al. (2020) on top of an :class:`~impossibility.vae.VAE`; data by
:func:`sample_factor_pairs` / :func:`make_pair_dataset` from any ground-truth data set (e.g.
:class:`~impossibility.data.ProceduralSprites`), :class:`VaryingFactors` to drop factors that
take a single value (the metrics need every factor to vary).
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from impossibility import nn
from impossibility._validation import check_rng as _check_rng
from impossibility._progress import progress as _progress

__all__ = [
    "sample_latent_pairs",
    "exact_sharing_fraction",
    "pair_conditional_log_prob",
    "pair_log_ratio",
    "pair_gap",
    "pair_gap_leading_term",
    "VaryingFactors",
    "sample_factor_pairs",
    "make_pair_dataset",
    "AdaGVAE",
    "ada_gvae_shared_mask",
]

Array = NDArray[np.float64]
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _check_int(name: str, v: Any, lo: int, hi: int | None = None) -> int:
    if (
        isinstance(v, bool)
        or not isinstance(v, (int, np.integer))
        or v < lo
        or (hi is not None and v > hi)
    ):
        rng_txt = f"in [{lo}, {hi}]" if hi is not None else f">= {lo}"
        raise ValueError(f"{name} must be an integer {rng_txt}; got {v!r}")
    return int(v)


def _check_noise(noise: float) -> float:
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise (σ_n) must be a finite number >= 0; got {noise!r}")
    return float(noise)


# ---------------------------------------------------------------------------- latent pairs
def sample_latent_pairs(
    prior: Any, k: int, n: int, rng: np.random.Generator, *, noise: float = 0.0
) -> tuple[Array, Array, NDArray[np.bool_]]:
    r"""Draw :math:`(z,\tilde z)`: redraw a random :math:`k`-subset :math:`S`, keep (or jitter by :math:`\sigma_n`) the rest.

    Returns
    -------
    z, z_tilde : ndarray of shape (n, d)
    changed : ndarray of bool, shape (n, d)
        The indicator of :math:`S` (exactly ``k`` per row).
    """
    _check_rng(rng)
    d = prior.d
    k = _check_int("k", k, 0, d)
    n = _check_int("n", n, 1)
    noise = _check_noise(noise)
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
    r"""Fraction of pairs with at least :math:`d-k` *exactly* equal coordinates (``==``, no tolerance).

    1 for pairs of the weak-supervision model with hard sharing; 0 (almost surely) for the twin's
    latents :math:`(f(z), f(\tilde z))`.
    """
    a = np.asarray(z, dtype=np.float64)
    b = np.asarray(z_tilde, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 2:
        raise ValueError(
            f"z and z_tilde must be (n, d) arrays of equal shape; got {a.shape}, {b.shape}"
        )
    k = _check_int("k", k, 0, a.shape[1])
    return float(np.mean(np.sum(a == b, axis=1) >= a.shape[1] - k))


def pair_conditional_log_prob(
    prior: Any, z: ArrayLike, z_tilde: ArrayLike, k: int, noise: float
) -> Array:
    r""":math:`\log p(\tilde z\mid z)` of the soft-sharing pair model, exact (``logsumexp`` over subsets).

    .. math:: \log p(\tilde z\mid z)=-\log\binom dk+\operatorname*{logsumexp}_{|S|=k}\Big[
              \sum_{i\in S}\log p_i(\tilde z_i)+\sum_{i\notin S}\log\mathcal N(\tilde z_i;z_i,\sigma_n^2)\Big].

    Parameters
    ----------
    prior : FactorizedPrior
    z, z_tilde : array_like of shape (n, d)
    k : int
        Number of redrawn coordinates, :math:`0\le k\le d` (:math:`\binom dk` subsets are enumerated:
        keep d small, ≤ 12 or so).
    noise : float
        :math:`\sigma_n>0` (with :math:`\sigma_n=0` the density is singular).

    Returns
    -------
    ndarray of shape (n,)
    """
    d = prior.d
    k = _check_int("k", k, 0, d)
    if not (_check_noise(noise) > 0) and k < d:
        raise ValueError("noise must be > 0: with exact sharing the pair law has no density")
    za = prior.check_points(z, name="z") if hasattr(prior, "check_points") else np.asarray(z, float)
    zt = (
        prior.check_points(z_tilde, name="z_tilde")
        if hasattr(prior, "check_points")
        else np.asarray(z_tilde, float)
    )
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
    prior: Any, f: Any, z: ArrayLike, z_tilde: ArrayLike, k: int, noise: float
) -> Array:
    r""":math:`\log P(z,\tilde z)-\log P_{\rm twin}(z,\tilde z)`, with :math:`P_{\rm twin}=P(f(z),f(\tilde z))|\det J_f(z)||\det J_f(\tilde z)|`.

    Computed in full (prior terms included, through :math:`f`'s analytic log-determinant), so the
    cancellation of the marginal terms is not assumed; shape (n,).
    """
    za = np.asarray(z, dtype=np.float64)
    zt = np.asarray(z_tilde, dtype=np.float64)
    v, ld = f.forward_and_log_det(za)
    vt, ldt = f.forward_and_log_det(zt)
    true = prior.log_prob(za) + pair_conditional_log_prob(prior, za, zt, k, noise)
    twin = prior.log_prob(v) + pair_conditional_log_prob(prior, v, vt, k, noise) + ld + ldt
    return true - twin


def pair_gap(
    prior: Any, f: Any, k: int, noise: float, n: int, rng: np.random.Generator
) -> dict[str, float]:
    r"""Expected log-likelihood gap :math:`\Delta_{\rm pairs}` (nats per pair) and the exact-sharing fractions.

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
        "n": int(n),
    }


def pair_gap_leading_term(
    prior: Any, f: Any, k: int, n: int, rng: np.random.Generator
) -> dict[str, float]:
    r""":math:`c=\tfrac12\mathbb E[\text{sum of the }d-k\text{ smallest }(f(\tilde z)_i-f(z)_i)^2]` on hard-shared pairs.

    Then :math:`\Delta_{\rm pairs}\approx c/\sigma_n^2` as :math:`\sigma_n\to0`.

    Returns
    -------
    dict
        ``c`` and ``stderr``.
    """
    z, zt, _ = sample_latent_pairs(prior, k, n, rng, noise=0.0)
    diff2 = np.sort((f.forward(zt) - f.forward(z)) ** 2, axis=1)
    c = 0.5 * diff2[:, : prior.d - k].sum(axis=1)
    return {"c": float(c.mean()), "stderr": float(c.std(ddof=1) / math.sqrt(c.size))}


# ---------------------------------------------------------------------- pairs of observations
class VaryingFactors:
    r"""A ground-truth data set restricted to its factors that take more than one value.

    The metrics normalise by each factor's entropy, so a factor fixed to one value (e.g.
    ``ProceduralSprites(num_orientations=1)``) must be dropped; the observations are rendered with
    the constant factors at value 0.

    Parameters
    ----------
    data : GroundTruthData
        Any object with ``factors_num_values``, ``factor_names``, ``observation_shape`` and
        ``sample_observations_from_factors``.
    """

    def __init__(self, data: Any):
        sizes = list(data.factors_num_values)
        self.data = data
        self.keep = [i for i, s in enumerate(sizes) if s > 1]
        if not self.keep:
            raise ValueError("every factor of the data set takes a single value")
        self.factors_num_values = [sizes[i] for i in self.keep]
        self.factor_names = [data.factor_names[i] for i in self.keep]
        self.observation_shape = tuple(data.observation_shape)
        self._full = len(sizes)

    @property
    def num_factors(self) -> int:
        return len(self.keep)

    def __repr__(self) -> str:
        return f"VaryingFactors({self.data!r}, keep={self.factor_names})"

    def sample_factors(self, n: int, rng: np.random.Generator) -> NDArray[np.int64]:
        """Independent uniform factors, shape (n, K') (column by column, as the data set does)."""
        _check_rng(rng)
        n = _check_int("n", n, 0)
        return np.column_stack([rng.integers(s, size=n) for s in self.factors_num_values]).astype(
            np.int64
        )

    def expand(self, factors: ArrayLike) -> NDArray[np.int64]:
        """The full factor array (constant factors at 0), shape (n, K)."""
        f = np.asarray(factors)
        if f.ndim != 2 or f.shape[1] != self.num_factors:
            raise ValueError(f"factors must have shape (n, {self.num_factors}); got {f.shape}")
        full = np.zeros((f.shape[0], self._full), dtype=np.int64)
        full[:, self.keep] = f
        return full

    def sample_observations_from_factors(
        self, factors: ArrayLike, rng: np.random.Generator
    ) -> Array:
        return self.data.sample_observations_from_factors(self.expand(factors), rng)

    def sample(self, n: int, rng: np.random.Generator) -> tuple[NDArray[np.int64], Array]:
        f = self.sample_factors(n, rng)
        return f, self.sample_observations_from_factors(f, rng)

    def sample_observations(self, n: int, rng: np.random.Generator) -> Array:
        return self.sample(n, rng)[1]


def sample_factor_pairs(
    data: Any, n: int, k: int, rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    r"""Factor pairs that differ in exactly ``k`` factors (weak supervision, theory.md §5.3).

    Draw :math:`c\sim` ``data.sample_factors``; choose :math:`k` distinct factors uniformly among
    those with at least two values and give each a new value drawn uniformly among its *other*
    values (so exactly :math:`k` factors differ; the reference's ``simple_dynamics`` redraws from
    all values, so a "changed" factor may keep its value there).

    Returns
    -------
    factors1, factors2 : ndarray of int64, shape (n, K)
    """
    _check_rng(rng)
    n = _check_int("n", n, 1)
    sizes = np.asarray(data.factors_num_values)
    changeable = np.flatnonzero(sizes > 1)
    k = _check_int("k", k, 1, changeable.size)
    f1 = np.asarray(data.sample_factors(n, rng), dtype=np.int64)
    order = np.argsort(rng.random((n, changeable.size)), axis=1)[:, :k]
    cols = changeable[order]  # (n, k)
    f2 = f1.copy()
    rows = np.repeat(np.arange(n), k)
    c = cols.reshape(-1)
    shift = 1 + (rng.random(n * k) * (sizes[c] - 1)).astype(np.int64)  # 1..n_c−1
    f2[rows, c] = (f1[rows, c] + shift) % sizes[c]
    return f1, f2


def make_pair_dataset(
    data: Any, n: int, k: int, rng: np.random.Generator
) -> tuple[Array, Array, NDArray[np.int64], NDArray[np.int64]]:
    """``n`` observation pairs sharing all but ``k`` factors: ``(x1, x2, factors1, factors2)``."""
    f1, f2 = sample_factor_pairs(data, n, k, rng)
    x1 = np.asarray(data.sample_observations_from_factors(f1, rng), dtype=np.float64)
    x2 = np.asarray(data.sample_observations_from_factors(f2, rng), dtype=np.float64)
    return x1, x2, f1, f2


# ------------------------------------------------------------------------------- Ada-GVAE
def ada_gvae_shared_mask(
    mu1: Array, logvar1: Array, mu2: Array, logvar2: Array
) -> NDArray[np.bool_]:
    r"""Ada-GVAE's estimate of the shared latents of each pair.

    Per latent :math:`\delta_i=\frac{\sigma_{1i}^2}{\sigma_{2i}^2}+\frac{(\mu_{2i}-\mu_{1i})^2}{\sigma_{2i}^2}-1
    +\log\sigma_{2i}^2-\log\sigma_{1i}^2=2\,\mathrm{KL}(q(z_i\mid x_1)\,\|\,q(z_i\mid x_2))` (the
    reference drops the ½, irrelevant here); latent :math:`i` is *shared* iff
    :math:`\delta_i<\tfrac12(\max_j\delta_j+\min_j\delta_j)` (two equal-width bins).

    Returns
    -------
    ndarray of bool, shape (B, d)
    """
    v1, v2 = np.exp(logvar1), np.exp(logvar2)
    delta = v1 / v2 + (mu2 - mu1) ** 2 / v2 - 1.0 + logvar2 - logvar1
    thr = 0.5 * (delta.max(axis=1) + delta.min(axis=1))
    return delta < thr[:, None]


class AdaGVAE:
    r"""Ada-GVAE (Locatello et al. 2020) on a NumPy :class:`~impossibility.vae.VAE`, hand-written gradients.

    For a pair :math:`(x_1,x_2)` the encoder gives :math:`(\mu_a,\log\sigma_a^2)`, :math:`a=1,2`. The
    shared latents :math:`\mathcal S` are estimated by :func:`ada_gvae_shared_mask`; on them both
    posteriors are replaced by their average (GVAE):

    .. math:: \bar\mu=\tfrac12(\mu_1+\mu_2),\qquad \log\bar\sigma^2=\log\tfrac12(\sigma_1^2+\sigma_2^2),
              \qquad \tilde q_a(z_i)=\begin{cases}\mathcal N(\bar\mu_i,\bar\sigma_i^2)&i\in\mathcal S\\
              \mathcal N(\mu_{ai},\sigma_{ai}^2)&i\notin\mathcal S\end{cases}

    and the loss (minimised, mean over the batch of pairs) is the sum of the two β-ELBOs

    .. math:: \ell=-\sum_{a=1,2}\Big(\mathbb E_{\tilde q_a}\log p(x_a\mid z)-\beta\,\mathrm{KL}(\tilde q_a\,\|\,\mathcal N(0,I))\Big)

    (the reference averages the two, a factor ½ absorbed by the learning rate), with one
    reparameterised sample :math:`z=\tilde\mu_a+\tilde\sigma_a\odot\epsilon_a` each. The mask is
    piecewise constant in the parameters and treated as a constant by the gradient (as the
    reference's ``tf.where`` does).

    Backward (with :math:`\bar z_a`, :math:`\bar{\tilde\mu}_a`, :math:`\bar{\tilde v}_a` the cotangents of
    the samples and of the aggregated posterior parameters): on :math:`i\in\mathcal S`,
    :math:`\bar\mu_{ai}\mathrel{+}=\tfrac12(\bar{\tilde\mu}_{1i}+\bar{\tilde\mu}_{2i})` and
    :math:`\bar v_{ai}\mathrel{+}=(\bar{\tilde v}_{1i}+\bar{\tilde v}_{2i})\,\sigma_{ai}^2/(\sigma_{1i}^2+\sigma_{2i}^2)`;
    off :math:`\mathcal S` the cotangents pass through unchanged.

    Parameters
    ----------
    vae : impossibility.vae.VAE
        Architecture and parameters (trained in place); :math:`\mathcal N(0,I)` prior, Bernoulli or
        fixed-``obs_std`` Gaussian likelihood.
    beta : float, default=1.0
    aggregate : bool, default=True
        ``False`` skips the averaging (the loss is then the β-VAE loss of both images: a control).
    """

    def __init__(self, vae: Any, *, beta: float = 1.0, aggregate: bool = True):
        if not hasattr(vae, "encoder") or not hasattr(vae, "decoder"):
            raise TypeError(f"vae must be an impossibility.vae.VAE; got {type(vae).__name__}")
        if not vae.prior_is_standard_normal:
            raise ValueError(
                "Ada-GVAE uses the closed-form KL to N(0, I); the VAE has another prior"
            )
        if vae.likelihood == "gaussian" and vae.obs_std is None:
            raise ValueError("use a Bernoulli or a fixed-obs_std Gaussian likelihood")
        if not (np.isfinite(beta) and beta >= 0):
            raise ValueError(f"beta must be finite and >= 0; got {beta!r}")
        self.vae = vae
        self.beta = float(beta)
        self.aggregate = bool(aggregate)
        self.optimizer: nn.Adam | None = None
        self.steps_trained = 0

    def parameters(self) -> dict[str, Array]:
        """The live parameters (``encoder.*``, ``decoder.*``), as :meth:`VAE.parameters`."""
        return self.vae.parameters()

    def _loglik(self, out: Array, x: Array) -> tuple[Array, Array]:
        if self.vae.likelihood == "bernoulli":
            return nn.bernoulli_log_likelihood(out, x)
        ll, gm, _ = nn.gaussian_log_likelihood(out, 2.0 * math.log(self.vae.obs_std), x)
        return ll, gm

    def loss_and_grads(
        self, x1: ArrayLike, x2: ArrayLike, eps1: ArrayLike, eps2: ArrayLike
    ) -> tuple[float, dict[str, Array], dict[str, float]]:
        r"""Loss :math:`\ell` on a batch of pairs with given noise, its gradients, and logs.

        Parameters
        ----------
        x1, x2 : array_like of shape (B, *x_dim)
        eps1, eps2 : array_like of shape (B, d)

        Returns
        -------
        loss : float
        grads : dict keyed like :meth:`parameters`
        logs : dict with ``loss``, ``reconstruction`` (−mean log p per image), ``kl`` (mean per
            image), ``shared`` (mean number of latents marked shared)
        """
        vae = self.vae
        d = vae.latent_dim
        X1 = np.asarray(x1, dtype=np.float64).reshape(-1, vae.x_size)
        X2 = np.asarray(x2, dtype=np.float64).reshape(-1, vae.x_size)
        B = X1.shape[0]
        if X2.shape != X1.shape:
            raise ValueError(f"x1 and x2 must have the same shape; got {X1.shape} and {X2.shape}")
        E = np.concatenate([np.asarray(eps1, np.float64), np.asarray(eps2, np.float64)])
        if E.shape != (2 * B, d):
            raise ValueError(f"eps1 and eps2 must have shape ({B}, {d})")
        X = np.concatenate([X1, X2])
        h, enc_cache = vae.encoder.forward(X)
        mu, lv = h[:, :d], h[:, d:]
        mu1, mu2, lv1, lv2 = mu[:B], mu[B:], lv[:B], lv[B:]
        if self.aggregate:
            shared = ada_gvae_shared_mask(mu1, lv1, mu2, lv2)
        else:
            shared = np.zeros((B, d), dtype=bool)
        v1, v2 = np.exp(lv1), np.exp(lv2)
        mbar = 0.5 * (mu1 + mu2)
        lvbar = np.log(0.5 * (v1 + v2))
        MU = np.concatenate([np.where(shared, mbar, mu1), np.where(shared, mbar, mu2)])
        LV = np.concatenate([np.where(shared, lvbar, lv1), np.where(shared, lvbar, lv2)])
        std = np.exp(0.5 * LV)
        Z = MU + std * E
        out, dec_cache = vae.decoder.forward(Z)
        rec, g_out = self._loglik(out, X)
        kl = 0.5 * np.sum(MU * MU + std * std - LV - 1.0, axis=1)
        c = 1.0 / B
        loss = c * float(np.sum(-rec + self.beta * kl))
        # backward
        dZ, dec_grads = vae.decoder.backward(dec_cache, -c * g_out)
        dMU = dZ + c * self.beta * MU
        dLV = 0.5 * dZ * std * E + 0.5 * c * self.beta * (std * std - 1.0)
        dm1, dm2, dl1, dl2 = dMU[:B], dMU[B:], dLV[:B], dLV[B:]
        dm_bar = dm1 + dm2
        dl_bar = dl1 + dl2
        w1 = v1 / (v1 + v2)
        dmu1 = np.where(shared, 0.5 * dm_bar, dm1)
        dmu2 = np.where(shared, 0.5 * dm_bar, dm2)
        dlv1 = np.where(shared, dl_bar * w1, dl1)
        dlv2 = np.where(shared, dl_bar * (1.0 - w1), dl2)
        dH = np.concatenate([np.concatenate([dmu1, dmu2]), np.concatenate([dlv1, dlv2])], axis=1)
        _, enc_grads = vae.encoder.backward(enc_cache, dH, input_grad=False)
        grads = {f"encoder.{k}": v for k, v in enc_grads.items()}
        grads.update({f"decoder.{k}": v for k, v in dec_grads.items()})
        logs = {
            "loss": loss,
            "reconstruction": float(-rec.mean()),
            "kl": float(kl.mean()),
            "shared": float(shared.sum(axis=1).mean()),
        }
        return loss, grads, logs

    def fit(
        self,
        x1: ArrayLike,
        x2: ArrayLike,
        *,
        rng: np.random.Generator,
        n_steps: int = 1000,
        batch_size: int = 64,
        lr: float = 1e-3,
        progress: bool | None = None,
        threads: int | None = 1,
        callback: Callable[[int, dict[str, float]], None] | None = None,
    ) -> dict[str, Array]:
        r"""Adam on minibatches of ``batch_size`` pairs drawn with replacement from ``(x1, x2)``.

        Parameters
        ----------
        x1, x2 : array_like of shape (N, *x_dim)
            The pairs (row :math:`n` of each).
        rng : numpy.random.Generator
            Minibatches and reparameterisation noise.
        n_steps, batch_size, lr
            As :meth:`VAE.fit` (a batch of B pairs holds 2B images).
        threads : int or None, default=1
            BLAS threads (:func:`impossibility.nn.blas_threads`).

        Returns
        -------
        dict of str to ndarray
            Per-step logs (see :meth:`loss_and_grads`).
        """
        _check_rng(rng)
        vae = self.vae
        X1 = np.asarray(x1, dtype=np.float64).reshape(-1, vae.x_size)
        X2 = np.asarray(x2, dtype=np.float64).reshape(-1, vae.x_size)
        if X1.shape != X2.shape:
            raise ValueError(
                f"x1 and x2 must hold the same number of pairs; got {X1.shape}, {X2.shape}"
            )
        n_steps = _check_int("n_steps", n_steps, 1)
        batch_size = _check_int("batch_size", batch_size, 1)
        if self.optimizer is None:
            self.optimizer = nn.Adam(self.parameters(), lr=lr)
        else:
            self.optimizer.lr = float(lr)
        d = vae.latent_dim
        hist: dict[str, list[float]] = {}
        with nn.blas_threads(threads):
            for t in _progress(range(n_steps), desc="fit Ada-GVAE", enabled=progress):
                idx = rng.integers(0, X1.shape[0], size=batch_size)
                e = rng.standard_normal((2, batch_size, d))
                loss, grads, logs = self.loss_and_grads(X1[idx], X2[idx], e[0], e[1])
                if not np.isfinite(loss):
                    raise FloatingPointError(
                        f"loss became {loss} at step {t}; lower the learning rate"
                    )
                self.optimizer.step(grads)
                self.steps_trained += 1
                for k, v in logs.items():
                    hist.setdefault(k, []).append(v)
                if callback is not None:
                    callback(t, logs)
        return {k: np.asarray(v) for k, v in hist.items()}
