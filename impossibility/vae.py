r"""Variational autoencoders in NumPy, and their entangled twins (theory.md §3).

Model. Prior :math:`p(z)` (default :math:`\mathcal N(0,I_d)`, or any full-support
:class:`~impossibility.priors.FactorizedPrior`, e.g. iid Laplace or logistic); diagonal-Gaussian
encoder :math:`q_\phi(z\mid x)=\mathcal N(\mu_\phi(x),\operatorname{diag}e^{v_\phi(x)})` from an MLP
whose last layer outputs :math:`(\mu, v=\log\sigma^2)`; decoder :math:`p_\theta(x\mid z)` an MLP
giving Bernoulli logits (targets in [0, 1], the reference's sigmoid cross-entropy) or Gaussian means
(with a learned per-feature log-variance, or a fixed standard deviation). Reparameterisation
:math:`z=\mu+e^{v/2}\odot\epsilon`, :math:`\epsilon\sim\mathcal N(0,I)`.

ELBO per example,
:math:`\mathcal L(x)=\mathbb E_q[\log p_\theta(x\mid z)]-\mathrm{KL}(q(\cdot\mid x)\|p)`.
The KL term is computed in one of two ways (``kl=``):

``"analytic"``
    :math:`\tfrac12\sum_j(\mu_j^2+\sigma_j^2-\log\sigma_j^2-1)`, only for the
    :math:`\mathcal N(0,I)` prior. Used by default for training and reporting with that prior
    (as in the reference).
``"mc"``
    :math:`\log q(z\mid x)-\log p(z)` at the same reparameterised samples as the reconstruction
    term. Always used for non-Gaussian priors, and the one to use when comparing with the
    entangled twin sample by sample (theory.md §3.4 pitfall 1: compare like with like).
``"auto"`` (default)
    ``"analytic"`` for :math:`\mathcal N(0,I)`, ``"mc"`` otherwise.

The importance-weighted estimate of :math:`\log p(x)` uses
:math:`\log\frac1K\sum_k p(x\mid z_k)p(z_k)/q(z_k\mid x)`, :math:`z_k\sim q(\cdot\mid x)`.

**The entangled twin** (:class:`EntangledVAE`, ``vae.entangled(f)``) of a VAE under a
prior-preserving bijection :math:`f` (:math:`f_\#p=p`, e.g. Theorem 1's
:func:`~impossibility.entangle.entangling_bijection`) has encoder
:math:`q'(\cdot\mid x)=f_\#q(\cdot\mid x)`: it samples :math:`z'=f(z)`,
:math:`z\sim q(\cdot\mid x)`, with density
:math:`\log q'(z'\mid x)=\log q(z\mid x)-\log|\det J_f(z)|` through f's analytic log-det (not
through the prior identity); its decoder is :math:`p(x\mid f^{-1}(z'))`; its prior is unchanged. Its
per-sample ELBO terms, importance weights and :math:`\log p(x)` estimates equal the original
model's sample by sample under common random numbers (up to rounding in :math:`f`, :math:`f^{-1}`
and the log-det) — while every coordinate of its codes mixes every coordinate of the original's.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import zipfile
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import logsumexp

from impossibility import nn
from impossibility._validation import check_rng as _check_rng
from impossibility.objectives import (
    BetaVAE,
    Cotangents,
    ForwardPass,
    Objective,
    gaussian_kl,
    gaussian_pairwise_log_density,
)
from impossibility._progress import progress as _progress

__all__ = ["VAE", "EntangledVAE", "FORMAT", "affine_part"]

Array = NDArray[np.float64]
LOG_2PI = float(np.log(2.0 * np.pi))
#: Identifier written into saved files.
FORMAT = "impossibility.vae/1"
_LIKELIHOODS = ("bernoulli", "gaussian")
_KL_MODES = ("auto", "analytic", "mc")


def _check_int(name: str, v: Any, lo: int = 1) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
        raise ValueError(f"{name} must be an integer ≥ {lo}; got {v!r}")
    return int(v)


# ------------------------------------------------------------------------------------- priors
class _PriorTerms:
    r"""log p(z) and the score ∇ log p(z) for the VAE's prior (standard normal, or factorized).

    The score is analytic for normal, Laplace and logistic marginals, and a 5-point central
    difference of ``logpdf`` (error :math:`O(h^4)`, :math:`h=10^{-3}` × scale) for other families.
    """

    def __init__(self, prior: Any, d: int):
        self.prior = prior
        self.d = d
        if prior is None:
            self.standard_normal = True
            self._scores: list[Callable[[Array], Array]] = []
            return
        for attr in ("d", "marginals", "log_prob", "sample"):
            if not hasattr(prior, attr):
                raise TypeError(
                    f"prior must be a FactorizedPrior (or provide .{attr}); "
                    f"got {type(prior).__name__}"
                )
        if prior.d != d:
            raise ValueError(f"prior has d = {prior.d} coordinates but latent_dim = {d}")
        scores = []
        sn = True
        for i, m in enumerate(prior.marginals):
            lo, hi = (float(v) for v in m.support())
            if not (lo == -np.inf and hi == np.inf):
                raise ValueError(
                    f"prior marginal {i} ({m.dist.name}) has support [{lo}, {hi}]: a Gaussian "
                    "encoder puts mass everywhere, so KL(q‖p) would be infinite; use a prior whose "
                    "marginals have the whole real line as support (normal, Laplace, logistic, …)"
                )
            name = m.dist.name
            sn = sn and name == "norm" and float(m.mean()) == 0.0 and float(m.std()) == 1.0
            scores.append(self._marginal_score(m))
        self.standard_normal = sn
        self._scores = scores

    @staticmethod
    def _marginal_score(m: Any) -> Callable[[Array], Array]:
        name = m.dist.name
        if name == "norm":
            loc, var = float(m.mean()), float(m.var())
            return lambda x: -(x - loc) / var
        if name == "laplace":
            loc, b = float(m.median()), float(m.std()) / math.sqrt(2.0)
            return lambda x: -np.sign(x - loc) / b
        if name == "logistic":
            loc, s = float(m.median()), float(m.std()) * math.sqrt(3.0) / math.pi
            return lambda x: -np.tanh(0.5 * (x - loc) / s) / s
        scale = float(m.ppf(0.75) - m.ppf(0.25))
        h = 1e-3 * scale

        def fd(x: Array) -> Array:
            f = m.logpdf
            return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)

        return fd

    def log_prob(self, z: Array) -> Array:
        if self.standard_normal:
            return -0.5 * (np.einsum("ij,ij->i", z, z) + self.d * LOG_2PI)
        return np.asarray(self.prior.log_prob(z), dtype=np.float64)

    def score(self, z: Array) -> Array:
        if self.standard_normal:
            return -z
        out = np.empty_like(z)
        for i, s in enumerate(self._scores):
            out[:, i] = s(z[:, i])
        return out

    def sample(self, n: int, rng: np.random.Generator) -> Array:
        if self.prior is None:
            return rng.standard_normal((n, self.d))
        return np.asarray(self.prior.sample(n, rng), dtype=np.float64)

    def spec(self) -> Any:
        if self.prior is None:
            return None
        out = []
        for m in self.prior.marginals:
            entry = {"family": m.dist.name, "args": list(m.args), "kwds": dict(m.kwds)}
            try:
                json.dumps(entry)
            except TypeError as e:
                raise ValueError(
                    f"cannot save prior marginal {m.dist.name}{m.args}: its parameters are not "
                    f"plain numbers ({e})"
                ) from None
            out.append(entry)
        return out


def _prior_from_spec(spec: Any) -> Any:
    if spec is None:
        return None
    from scipy import stats

    from impossibility.priors import FactorizedPrior

    marginals = []
    for entry in spec:
        fam = getattr(stats, str(entry["family"]), None)
        if fam is None or not isinstance(fam, stats.rv_continuous):
            raise ValueError(f"unknown scipy.stats continuous family {entry['family']!r} in file")
        marginals.append(fam(*entry["args"], **entry["kwds"]))
    return FactorizedPrior(marginals)


def _std_normal_log_q(eps: Array, logvar: Array) -> Array:
    # log N(μ + σε; μ, σ²) = −½ Σ (ε² + log σ² + log 2π)
    return -0.5 * (np.einsum("ij,ij->i", eps, eps) + logvar.sum(axis=1) + eps.shape[1] * LOG_2PI)


# ---------------------------------------------------------------------------------------- VAE
class _ELBOEstimates:
    """ELBO terms, ELBO and importance-weighted log p(x), shared by :class:`VAE` and its twin.

    Subclasses provide ``_as_x``, ``_eps``, ``_kl_mode``, ``_forward`` (one reparameterised pass,
    vectorised over the data) and ``log_importance_weights``; ``_default_kl`` names the KL estimate
    used when none is asked for.
    """

    _default_kl = "auto"

    def elbo_terms(
        self,
        x: ArrayLike,
        rng: np.random.Generator | None = None,
        *,
        n_samples: int | None = None,
        eps: ArrayLike | None = None,
        kl: str | None = None,
    ) -> dict[str, Array]:
        r"""Per-example ELBO terms averaged over ``S`` reparameterised samples.

        ``kl`` is ``"analytic"``, ``"mc"`` or ``"auto"``; default: the model's own choice (closed
        form for a VAE with the N(0, I) prior, Monte Carlo for a twin, see the module docstring).

        Returns
        -------
        dict
            ``rec`` (n,) :math:`\frac1S\sum_s\log p(x\mid z_s)`, ``kl`` (n,), ``elbo`` (n,) their
            difference, and ``elbo_samples`` (S, n) the single-sample ELBO terms.
        """
        xa = self._as_x(x)
        mode = self._kl_mode(self._default_kl if kl is None else kl)
        e = self._eps(rng, eps, xa.shape[0], n_samples)
        rec = np.empty(e.shape[:2])
        klv = np.empty(e.shape[:2])
        for s in range(e.shape[0]):  # loop over Monte-Carlo samples, vectorised over the data
            fp = self._forward(xa, e[s], mode)
            rec[s], klv[s] = fp.rec, fp.kl
        return {
            "rec": rec.mean(0),
            "kl": klv.mean(0),
            "elbo": (rec - klv).mean(0),
            "elbo_samples": rec - klv,
        }

    def elbo(
        self,
        x: ArrayLike,
        rng: np.random.Generator | None = None,
        *,
        n_samples: int | None = None,
        eps: ArrayLike | None = None,
        kl: str | None = None,
    ) -> Array:
        """Per-example ELBO estimate, shape (n,) (see :meth:`elbo_terms`)."""
        return self.elbo_terms(x, rng, n_samples=n_samples, eps=eps, kl=kl)["elbo"]

    def log_px(
        self,
        x: ArrayLike,
        rng: np.random.Generator | None = None,
        *,
        n_importance: int | None = 256,
        eps: ArrayLike | None = None,
        return_stderr: bool = False,
    ) -> Array | tuple[Array, Array]:
        r"""Importance-weighted estimate of :math:`\log p(x)` with the encoder as proposal.

        :math:`\widehat{\log p}(x)=\log\frac1K\sum_k w_k` (a lower bound in expectation, the IWAE
        bound, tight as :math:`K\to\infty`). With ``return_stderr`` also the delta-method standard
        error :math:`\operatorname{sd}(w)/(\sqrt K\,\bar w)`.
        """
        logw = self.log_importance_weights(x, rng, n_importance=n_importance, eps=eps)
        return _iw_estimate(logw, return_stderr)


class VAE(_ELBOEstimates):
    r"""A VAE with MLP encoder/decoder, diagonal-Gaussian encoder and a factorized prior.

    Parameters
    ----------
    x_dim : int or tuple of int
        Shape of one observation, e.g. ``(32, 32)`` for images or ``10`` for vectors; inputs are
        flattened to :math:`D=\prod` ``x_dim`` features.
    latent_dim : int, default=10
        :math:`d` (the study uses 10).
    hidden : sequence of int, default=(256, 256)
        Hidden widths of the encoder; the decoder uses them in reverse.
    likelihood : {"bernoulli", "gaussian"}, default="bernoulli"
    prior : FactorizedPrior, optional
        Default :math:`\mathcal N(0,I_d)`. Every marginal must have support :math:`\mathbb R`.
    obs_std : float, optional
        Gaussian decoder only: fixed observation standard deviation; ``None`` (default) learns one
        log-variance per feature (initialised to 0).
    activation : str, default="relu"
        Hidden activation (see :data:`impossibility.nn.ACTIVATIONS`).
    rng : numpy.random.Generator
        Weight initialisation (Glorot-uniform kernels, zero biases, as TensorFlow 1).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = (rng.random((200, 16)) < 0.3).astype(float)
    >>> vae = VAE(16, 2, hidden=(32,), rng=rng)
    >>> hist = vae.fit(x, n_steps=50, batch_size=32, rng=rng, progress=False)
    >>> vae.elbo(x[:5], rng).shape
    (5,)
    """

    def __init__(
        self,
        x_dim: int | Sequence[int],
        latent_dim: int = 10,
        *,
        hidden: Sequence[int] = (256, 256),
        likelihood: str = "bernoulli",
        prior: Any = None,
        obs_std: float | None = None,
        activation: str = "relu",
        rng: np.random.Generator,
    ):
        _check_rng(rng)
        shape = (x_dim,) if isinstance(x_dim, (int, np.integer)) else tuple(x_dim)
        if not shape or any(
            isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in shape
        ):
            raise ValueError(f"x_dim must be a positive integer or a shape tuple; got {x_dim!r}")
        self.x_shape = tuple(int(s) for s in shape)
        self.x_size = int(np.prod(self.x_shape))
        self.latent_dim = _check_int("latent_dim", latent_dim)
        self.hidden = tuple(_check_int("hidden width", h) for h in hidden)
        if likelihood not in _LIKELIHOODS:
            raise ValueError(f"likelihood must be one of {_LIKELIHOODS}; got {likelihood!r}")
        self.likelihood = likelihood
        if obs_std is not None:
            if likelihood != "gaussian":
                raise ValueError("obs_std only applies to the Gaussian likelihood")
            if not (np.isfinite(obs_std) and obs_std > 0):
                raise ValueError(f"obs_std must be positive and finite; got {obs_std!r}")
        self.obs_std = None if obs_std is None else float(obs_std)
        if activation not in nn.ACTIVATIONS:
            raise ValueError(
                f"unknown activation {activation!r}; expected one of {sorted(nn.ACTIVATIONS)}"
            )
        self.activation = activation
        self._prior = _PriorTerms(prior, self.latent_dim)
        d, D = self.latent_dim, self.x_size
        self.encoder = nn.mlp([D, *self.hidden, 2 * d], rng=rng, activation=activation)
        self.decoder = nn.mlp([d, *reversed(self.hidden), D], rng=rng, activation=activation)
        self.obs_logvar: Array | None = (
            np.zeros(D) if (likelihood == "gaussian" and obs_std is None) else None
        )
        self.optimizer: nn.Adam | None = None
        self.steps_trained = 0

    # -------------------------------------------------------------------------- properties
    @property
    def prior(self) -> Any:
        """The prior (``None`` means the default :math:`\\mathcal N(0, I)`)."""
        return self._prior.prior

    @property
    def prior_is_standard_normal(self) -> bool:
        """Whether the prior is :math:`\\mathcal N(0,I)` (then the closed-form KL is available)."""
        return self._prior.standard_normal

    def parameters(self) -> dict[str, Array]:
        """All live parameter arrays (``encoder.*``, ``decoder.*``, and ``obs_logvar`` if
        learned)."""
        out = {f"encoder.{k}": v for k, v in self.encoder.parameters().items()}
        out.update({f"decoder.{k}": v for k, v in self.decoder.parameters().items()})
        if self.obs_logvar is not None:
            out["obs_logvar"] = self.obs_logvar
        return out

    def config(self) -> dict[str, Any]:
        """JSON-able constructor arguments (without ``rng``)."""
        return {
            "x_dim": list(self.x_shape),
            "latent_dim": self.latent_dim,
            "hidden": list(self.hidden),
            "likelihood": self.likelihood,
            "prior": self._prior.spec(),
            "obs_std": self.obs_std,
            "activation": self.activation,
        }

    def __repr__(self) -> str:
        prior = "N(0, I)" if self.prior is None else repr(self.prior)
        return (
            f"VAE(x_dim={self.x_shape}, latent_dim={self.latent_dim}, hidden={self.hidden}, "
            f"likelihood={self.likelihood!r}, prior={prior})"
        )

    # ------------------------------------------------------------------------- validation
    def _as_x(self, x: ArrayLike, *, check_range: bool = True) -> Array:
        arr = np.asarray(x, dtype=np.float64)
        if arr.ndim >= 1 and arr.shape[1:] == self.x_shape:
            arr = arr.reshape(arr.shape[0], self.x_size)
        elif arr.shape[1:] == (self.x_size,) and arr.ndim == 2:
            pass
        elif arr.shape == self.x_shape or arr.shape == (self.x_size,):
            arr = arr.reshape(1, self.x_size)
        else:
            raise ValueError(
                f"x must have shape (n, *{self.x_shape}) or (n, {self.x_size}); got {np.shape(x)}"
            )
        if not np.all(np.isfinite(arr)):
            raise ValueError("x contains NaN or infinite values")
        if check_range and self.likelihood == "bernoulli" and (arr.min() < 0 or arr.max() > 1):
            raise ValueError(
                "a Bernoulli decoder needs targets in [0, 1]; got values in "
                f"[{arr.min():.4g}, {arr.max():.4g}] "
                "(rescale the data or use likelihood='gaussian')"
            )
        return arr

    def _as_z(self, z: ArrayLike, name: str = "z") -> Array:
        arr = np.asarray(z, dtype=np.float64)
        if arr.ndim == 1 and arr.shape[0] == self.latent_dim:
            arr = arr[None]
        if arr.ndim != 2 or arr.shape[1] != self.latent_dim:
            raise ValueError(f"{name} must have shape (n, {self.latent_dim}); got {np.shape(z)}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinite values")
        return arr

    def _eps(self, rng: Any, eps: Any, n: int, n_samples: int | None) -> Array:
        """Noise of shape (S, n, d): given (validated) or drawn from rng."""
        d = self.latent_dim
        if eps is not None:
            e = np.asarray(eps, dtype=np.float64)
            if e.ndim == 2:
                e = e[None]
            if e.ndim != 3 or e.shape[1:] != (n, d):
                raise ValueError(
                    f"eps must have shape ({n}, {d}) or (S, {n}, {d}); got {np.shape(eps)}"
                )
            if n_samples is not None and e.shape[0] != n_samples:
                raise ValueError(
                    f"eps holds {e.shape[0]} samples per point but n_samples={n_samples}"
                )
            return e
        if rng is None:
            raise ValueError("give either rng (a numpy.random.Generator) or eps")
        _check_rng(rng)
        return rng.standard_normal(
            (1 if n_samples is None else _check_int("n_samples", n_samples), n, d)
        )

    def _kl_mode(self, kl: str) -> str:
        if kl not in _KL_MODES:
            raise ValueError(f"kl must be one of {_KL_MODES}; got {kl!r}")
        if kl == "auto":
            return "analytic" if self._prior.standard_normal else "mc"
        if kl == "analytic" and not self._prior.standard_normal:
            raise ValueError(
                "the closed-form KL is only available for the N(0, I) prior; use kl='mc' for "
                f"{self.prior!r}"
            )
        return kl

    # ---------------------------------------------------------------------- building blocks
    def encode(self, x: ArrayLike) -> tuple[Array, Array]:
        """Encoder outputs :math:`(\\mu(x), \\log\\sigma^2(x))`, each of shape (n, d)."""
        h = self.encoder(self._as_x(x, check_range=False))
        d = self.latent_dim
        return h[:, :d], h[:, d:]

    def decoder_output(self, z: ArrayLike) -> Array:
        """Raw decoder output for codes ``z``: Bernoulli logits or Gaussian means, shape (n, D)."""
        return self.decoder(self._as_z(z))

    def decode(self, z: ArrayLike) -> Array:
        """Mean of :math:`p(x\\mid z)` (pixel probabilities or Gaussian means), shape (n,
        *x_dim)."""
        out = self.decoder_output(z)
        if self.likelihood == "bernoulli":
            out = nn.sigmoid(out)
        return out.reshape((-1, *self.x_shape))

    def _obs_logvar(self) -> Array | float:
        if self.obs_logvar is not None:
            return self.obs_logvar
        return 2.0 * math.log(self.obs_std) if self.obs_std is not None else 0.0

    def _log_lik(self, out: Array, x: Array) -> tuple[Array, Any]:
        if self.likelihood == "bernoulli":
            ll, g = nn.bernoulli_log_likelihood(out, x)
            return ll, (g, None)
        ll, gm, gv = nn.gaussian_log_likelihood(out, self._obs_logvar(), x)
        return ll, (gm, gv)

    def log_likelihood(self, x: ArrayLike, z: ArrayLike) -> Array:
        """:math:`\\log p_\\theta(x_n\\mid z_n)` row by row, shape (n,)."""
        xa = self._as_x(x)
        za = self._as_z(z)
        if xa.shape[0] != za.shape[0]:
            raise ValueError(f"x has {xa.shape[0]} rows but z has {za.shape[0]}")
        return self._log_lik(self.decoder(za), xa)[0]

    def log_q(self, z: ArrayLike, x: ArrayLike) -> Array:
        """Encoder log-density :math:`\\log q(z_n\\mid x_n)` row by row, shape (n,)."""
        za = self._as_z(z)
        mu, lv = self.encode(x)
        if mu.shape[0] != za.shape[0]:
            raise ValueError(f"x has {mu.shape[0]} rows but z has {za.shape[0]}")
        return -0.5 * ((za - mu) ** 2 * np.exp(-lv) + lv + LOG_2PI).sum(axis=1)

    def log_prior(self, z: ArrayLike) -> Array:
        """:math:`\\log p(z)`, shape (n,)."""
        return self._prior.log_prob(self._as_z(z))

    def sample_codes(
        self, x: ArrayLike, rng: np.random.Generator | None = None, *, eps: ArrayLike | None = None
    ) -> Array:
        """One reparameterised sample :math:`z=\\mu(x)+\\sigma(x)\\odot\\epsilon` per row, shape
        (n, d)."""
        mu, lv = self.encode(x)
        e = self._eps(rng, eps, mu.shape[0], 1)[0]
        return mu + np.exp(0.5 * lv) * e

    def represent(
        self, x: ArrayLike, *, mode: str = "mean", rng: np.random.Generator | None = None
    ) -> Array:
        """The representation used by the metrics: ``"mean"`` :math:`\\mu(x)` or ``"sampled"`` z."""
        if mode == "mean":
            return self.encode(x)[0]
        if mode == "sampled":
            return self.sample_codes(x, rng)
        raise ValueError(f"mode must be 'mean' or 'sampled'; got {mode!r}")

    def encoder_moments(
        self, x: ArrayLike, *, rng: np.random.Generator | None = None, n_mc: int = 0
    ) -> tuple[Array, Array]:
        """Mean (n, d) and covariance (n, d, d) of :math:`q(\\cdot\\mid x)` (exact: μ, diag σ²)."""
        mu, lv = self.encode(x)
        cov = np.zeros((mu.shape[0], self.latent_dim, self.latent_dim))
        idx = np.arange(self.latent_dim)
        cov[:, idx, idx] = np.exp(lv)
        return mu, cov

    def pairwise_log_q(self, z: ArrayLike, x: ArrayLike) -> tuple[Array, Array]:
        """:math:`\\log q(z_j\\mid x_i)` (M, N) and per-dimension
        :math:`\\log q_l(z_{jl}\\mid x_i)` (M, N, d)."""
        za = self._as_z(z)
        mu, lv = self.encode(x)
        marg = gaussian_pairwise_log_density(za, mu, lv)
        return marg.sum(axis=2), marg

    def sample(self, n: int, rng: np.random.Generator, *, mode: str = "mean") -> Array:
        """Generate ``n`` observations: :math:`z\\sim p`, then the decoder mean
        (``mode="mean"``) or a draw from :math:`p(x\\mid z)` (``mode="sample"``);
        shape (n, *x_dim)."""
        _check_rng(rng)
        n = _check_int("n", n, lo=0)
        z = self._prior.sample(n, rng)
        return self._observe(self.decoder(z), rng, mode)

    def _observe(self, out: Array, rng: np.random.Generator, mode: str) -> Array:
        if mode not in ("mean", "sample"):
            raise ValueError(f"mode must be 'mean' or 'sample'; got {mode!r}")
        if self.likelihood == "bernoulli":
            p = nn.sigmoid(out)
            x = p if mode == "mean" else (rng.random(p.shape) < p).astype(np.float64)
        else:
            x = out
            if mode == "sample":
                x = out + np.exp(0.5 * np.asarray(self._obs_logvar())) * rng.standard_normal(
                    out.shape
                )
        return x.reshape((-1, *self.x_shape))

    # ---------------------------------------------------------------- forward and backward
    def forward(self, x: ArrayLike, eps: ArrayLike, *, kl: str = "auto") -> ForwardPass:
        r"""One forward pass with given noise ``eps`` (n, d), keeping what :meth:`backward`
        needs."""
        xa = self._as_x(x)
        mode = self._kl_mode(kl)
        e = self._eps(None, eps, xa.shape[0], 1)[0]
        return self._forward(xa, e, mode)

    def _forward(self, x: Array, eps: Array, mode: str) -> ForwardPass:
        d = self.latent_dim
        h, enc_cache = self.encoder.forward(x)
        mu, lv = h[:, :d], h[:, d:]
        std = np.exp(0.5 * lv)
        z = mu + std * eps
        out, dec_cache = self.decoder.forward(z)
        rec, lik_grads = self._log_lik(out, x)
        if mode == "analytic":
            kl_val, _, _ = gaussian_kl(mu, lv)
            log_q = log_p = None
        else:
            log_q = _std_normal_log_q(eps, lv)
            log_p = self._prior.log_prob(z)
            kl_val = log_q - log_p
        return ForwardPass(
            x=x,
            rec=rec,
            kl=kl_val,
            kl_mode=mode,
            z=z,
            mu=mu,
            logvar=lv,
            eps=eps,
            log_q=log_q,
            log_p=log_p,
            cache=(enc_cache, dec_cache, lik_grads, std),
        )

    def backward(self, fp: ForwardPass, cot: Cotangents) -> dict[str, Array]:
        r"""Gradients of a loss with the given cotangents, keyed like :meth:`parameters`.

        Chain rule through :math:`z=\mu+\sigma\epsilon`: :math:`\bar\mu=\bar z`,
        :math:`\bar v=\tfrac12\bar z\odot\sigma\odot\epsilon`; closed-form KL adds
        :math:`c\,\mu` and :math:`\tfrac c2(\sigma^2-1)`; the Monte-Carlo KL
        :math:`-\tfrac12\sum(\epsilon^2+v+\log2\pi)-\log p(z)` adds :math:`-c\nabla\log p(z)` to
        :math:`\bar z` and :math:`-c/2` to :math:`\bar v` (with :math:`c` the KL cotangent).
        """
        enc_cache, dec_cache, (g_out, g_lv), std = fp.cache
        n, d = fp.z.shape
        grads: dict[str, Array] = {}
        dz = np.zeros((n, d)) if cot.z is None else np.array(cot.z, dtype=np.float64)
        if cot.rec is not None:
            c = cot.rec[:, None]
            dzd, dec_grads = self.decoder.backward(dec_cache, g_out * c)
            dz += dzd
            if self.obs_logvar is not None:
                grads["obs_logvar"] = (g_lv * c).sum(axis=0)
        else:
            dec_grads = {k: np.zeros_like(v) for k, v in self.decoder.parameters().items()}
            if self.obs_logvar is not None:
                grads["obs_logvar"] = np.zeros_like(self.obs_logvar)
        dmu = np.zeros((n, d)) if cot.mu is None else np.array(cot.mu, dtype=np.float64)
        dlv = np.zeros((n, d)) if cot.logvar is None else np.array(cot.logvar, dtype=np.float64)
        if cot.kl is not None:
            c = cot.kl[:, None]
            if fp.kl_mode == "analytic":
                dmu += c * fp.mu
                dlv += 0.5 * c * (std * std - 1.0)
            else:
                dz -= c * self._prior.score(fp.z)
                dlv -= 0.5 * c
        dmu += dz
        dlv += 0.5 * dz * std * fp.eps
        _, enc_grads = self.encoder.backward(
            enc_cache, np.concatenate([dmu, dlv], axis=1), input_grad=False
        )
        grads.update({f"encoder.{k}": v for k, v in enc_grads.items()})
        grads.update({f"decoder.{k}": v for k, v in dec_grads.items()})
        return grads

    def loss_and_grads(
        self,
        x: ArrayLike,
        eps: ArrayLike,
        objective: Objective | None = None,
        *,
        step: int = 0,
        rng: np.random.Generator | None = None,
        kl: str = "auto",
    ) -> tuple[float, dict[str, Array], dict[str, float], ForwardPass]:
        """Loss of ``objective`` (default ELBO) on batch ``x`` with noise ``eps``, and its
        gradients."""
        fp = self.forward(x, eps, kl=kl)
        objective = BetaVAE(1.0) if objective is None else objective
        value, cot, logs = objective.loss(fp, step=step, rng=rng)
        return value, self.backward(fp, cot), logs, fp

    # ---------------------------------------------------------------------------- training
    def train_step(
        self,
        x_batch: Array,
        objective: Objective,
        optimizer: nn.Adam,
        rng: np.random.Generator,
        *,
        step: int = 0,
        kl: str = "auto",
    ) -> dict[str, float]:
        """One update: forward with fresh noise, objective, backward, Adam, then
        ``objective.update``."""
        eps = rng.standard_normal((x_batch.shape[0], self.latent_dim))
        fp = self._forward(x_batch, eps, self._kl_mode(kl))
        _, cot, logs = objective.loss(fp, step=step, rng=rng)
        optimizer.step(self.backward(fp, cot))
        logs.update(objective.update(fp, rng=rng))
        return logs

    def fit(
        self,
        x: ArrayLike,
        *,
        rng: np.random.Generator,
        objective: Objective | None = None,
        n_steps: int = 1000,
        batch_size: int = 64,
        lr: float = 1e-3,
        kl: str = "auto",
        progress: bool | None = None,
        callback: Callable[[int, dict[str, float]], None] | None = None,
        threads: int | None = 1,
    ) -> dict[str, Array]:
        r"""Train with Adam on minibatches drawn i.i.d. with replacement from ``x``.

        Parameters
        ----------
        x : array_like of shape (N, *x_dim) or (N, D)
        rng : numpy.random.Generator
            Minibatches, reparameterisation noise and the objective's own randomness.
        objective : Objective, optional
            Default :class:`~impossibility.objectives.BetaVAE` with β = 1 (the ELBO).
        n_steps : int, default=1000
        batch_size : int, default=64
        lr : float, default=1e-3
            Adam learning rate (β₁ 0.9, β₂ 0.999, ε 1e-8). The reference's 1e-4 suits 300,000
            steps; short runs need a larger rate. The optimizer state persists across calls.
        kl : {"auto", "analytic", "mc"}, default="auto"
        progress : bool or None
            Progress bar (``None``: only on a terminal).
        callback : callable, optional
            ``callback(step, logs)`` after every step.
        threads : int or None, default=1
            BLAS threads during training (through ``threadpoolctl``). One thread is the default:
            for these small matrices a second thread gains little on an idle machine, and when
            the cores are shared with other work (parallel seeds, other jobs) multi-threaded BLAS
            was measured 8–12× *slower* per step (1024→256 MLP, batch 64, 2 cores, load ≈ 3).
            ``None`` leaves the BLAS setting alone.

        Returns
        -------
        dict of str to ndarray
            Per-step logs: ``loss``, ``reconstruction`` (−mean log p(x|z)), ``kl``, ``elbo`` and the
            objective's own entries (``tc``, ``capacity``, ``dip_penalty``, …).
        """
        _check_rng(rng)
        xa = self._as_x(x)
        n_steps = _check_int("n_steps", n_steps)
        batch_size = _check_int("batch_size", batch_size)
        self._kl_mode(kl)
        objective = BetaVAE(1.0) if objective is None else objective
        if not isinstance(objective, Objective):
            raise TypeError(
                f"objective must be an impossibility.objectives.Objective; got {objective!r}"
            )
        objective.prepare(latent_dim=self.latent_dim, n_steps=n_steps, rng=rng)
        if self.optimizer is None:
            self.optimizer = nn.Adam(self.parameters(), lr=lr)
        elif lr != self.optimizer.lr:
            if not (np.isfinite(lr) and lr > 0):
                raise ValueError(f"lr must be positive and finite; got {lr!r}")
            self.optimizer.lr = float(lr)
        history: dict[str, list[float]] = {}
        n = xa.shape[0]
        with nn.blas_threads(threads):
            for t in _progress(range(n_steps), desc=f"fit {objective.name}", enabled=progress):
                xb = xa[rng.integers(0, n, size=batch_size)]
                logs = self.train_step(xb, objective, self.optimizer, rng, step=t, kl=kl)
                if not np.isfinite(logs["loss"]):
                    raise FloatingPointError(
                        f"loss became {logs['loss']} at step {t}; lower the learning rate"
                    )
                for k, v in logs.items():
                    history.setdefault(k, []).append(v)
                self.steps_trained += 1
                if callback is not None:
                    callback(t, logs)
        return {k: np.asarray(v) for k, v in history.items()}

    # ------------------------------------------------------------------------- evaluation
    def log_importance_weights(
        self,
        x: ArrayLike,
        rng: np.random.Generator | None = None,
        *,
        n_importance: int | None = None,
        eps: ArrayLike | None = None,
        chunk_elements: int = 2**22,
    ) -> Array:
        r""":math:`\log w_k=\log p(x\mid z_k)+\log p(z_k)-\log q(z_k\mid x)`, shape (K, n)."""
        xa = self._as_x(x)
        e = self._eps(rng, eps, xa.shape[0], n_importance if eps is None else None)
        mu, lv = self.encode(xa)
        std = np.exp(0.5 * lv)
        z = mu[None] + std[None] * e  # (K, n, d)
        logw = np.empty(e.shape[:2])
        k_total, n = e.shape[:2]
        step = max(1, chunk_elements // max(1, n * self.x_size))
        for k0 in range(0, k_total, step):
            k1 = min(k_total, k0 + step)
            zc = z[k0:k1].reshape(-1, self.latent_dim)
            out = self.decoder(zc)
            ll = self._log_lik(out, np.tile(xa, (k1 - k0, 1)))[0].reshape(k1 - k0, n)
            lq = _std_normal_log_q(e[k0:k1].reshape(-1, self.latent_dim), np.tile(lv, (k1 - k0, 1)))
            lp = self._prior.log_prob(zc)
            logw[k0:k1] = ll + (lp - lq).reshape(k1 - k0, n)
        return logw

    # ------------------------------------------------------------------------------- twin
    def entangled(self, f: Any) -> "EntangledVAE":
        """The entangled twin under the prior-preserving bijection ``f`` (see
        :class:`EntangledVAE`)."""
        return EntangledVAE(self, f)

    # -------------------------------------------------------------------------- save/load
    def save(self, path: str | os.PathLike) -> Path:
        """Write parameters and configuration to an ``.npz`` file (no pickle); returns the path.

        The file holds ``param/<name>`` arrays, a JSON ``meta`` string (format, configuration,
        steps trained) and a SHA-256 ``checksum`` over names, shapes and bytes of the parameters.
        """
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_name(path.name + ".npz")
        params = {k: np.ascontiguousarray(v) for k, v in self.parameters().items()}
        meta = {"format": FORMAT, "config": self.config(), "steps_trained": self.steps_trained}
        arrays = {f"param/{k}": v for k, v in params.items()}
        arrays["meta"] = np.array(json.dumps(meta))
        arrays["checksum"] = np.array(_checksum(params))
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "VAE":
        """Read a model written by :meth:`save`.

        Raises
        ------
        ValueError
            If the file is missing pieces, is not a VAE file, is corrupted (checksum) or its arrays
            do not match the stored configuration.
        """
        path = Path(path)
        try:
            with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as f:
                contents = {k: f[k] for k in f.files}
        except FileNotFoundError:
            raise
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as e:
            raise ValueError(
                f"{path} is not a readable .npz file ({type(e).__name__}: {e})"
            ) from None
        if "meta" not in contents or "checksum" not in contents:
            raise ValueError(f"{path} is not a VAE file written by VAE.save (no 'meta'/'checksum')")
        try:
            meta = json.loads(str(contents["meta"][()]))
        except (json.JSONDecodeError, TypeError) as e:
            raise ValueError(f"{path}: the 'meta' entry is not valid JSON ({e})") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            fmt = meta.get("format") if isinstance(meta, dict) else None
            raise ValueError(f"{path} has format {fmt!r}; expected {FORMAT!r}")
        params = {k[len("param/") :]: v for k, v in contents.items() if k.startswith("param/")}
        if _checksum(params) != str(contents["checksum"][()]):
            raise ValueError(f"{path}: checksum mismatch, the parameters are corrupted")
        cfg = dict(meta["config"])
        try:
            cfg["prior"] = _prior_from_spec(cfg.get("prior"))
            model = cls(**cfg, rng=np.random.default_rng(0))  # weights are overwritten below
        except (TypeError, ValueError) as e:
            raise ValueError(f"{path}: the stored configuration is invalid ({e})") from None
        own = model.parameters()
        missing, extra = sorted(set(own) - set(params)), sorted(set(params) - set(own))
        if missing or extra:
            raise ValueError(
                f"{path}: parameters do not match the configuration: missing {missing}, "
                f"unexpected {extra}"
            )
        for k, v in own.items():
            if params[k].shape != v.shape:
                raise ValueError(
                    f"{path}: parameter {k!r} has shape {params[k].shape}, "
                    f"configuration needs {v.shape}"
                )
            v[...] = params[k]
        model.steps_trained = int(meta.get("steps_trained", 0))
        return model


def _checksum(params: Mapping[str, Array]) -> str:
    h = hashlib.sha256()
    for k in sorted(params):
        v = np.ascontiguousarray(params[k], dtype=np.float64)
        h.update(k.encode())
        h.update(repr(v.shape).encode())
        h.update(v.tobytes())
    return h.hexdigest()


def _iw_estimate(logw: Array, return_stderr: bool) -> Array | tuple[Array, Array]:
    k = logw.shape[0]
    est = logsumexp(logw, axis=0) - math.log(k)
    if not return_stderr:
        return est
    w = np.exp(logw - logw.max(axis=0))
    se = (
        w.std(axis=0, ddof=1) / (math.sqrt(k) * w.mean(axis=0))
        if k > 1
        else np.full(est.shape, np.inf)
    )
    return est, se


# ------------------------------------------------------------------------------------- twin
def affine_part(f: Any, d: int, *, rtol: float = 1e-10) -> tuple[Array, Array] | None:
    r"""``(J, c)`` if the bijection is affine, :math:`f(z)=Jz+c`, else ``None``.

    Exact for :class:`~impossibility.bijections.Orthogonal` and for Theorem 1's map with a
    standard-normal prior; otherwise decided by probing: the Jacobian must be the same at a fixed
    set of points and reproduce :math:`f` there to relative precision ``rtol``.
    """
    from impossibility.bijections import Orthogonal
    from impossibility.entangle import EntanglingBijection

    if isinstance(f, Orthogonal):
        return f.A.copy(), np.zeros(d)
    if isinstance(f, EntanglingBijection) and f.gaussianize.is_identity:
        return f.A.copy(), np.zeros(d)
    probes = np.vstack(
        [np.zeros(d), np.eye(d), -1.7 * np.eye(d), np.linspace(-1.3, 2.1, d), np.full(d, 0.61)]
    )
    try:
        jac = np.asarray(f.jacobian(probes), dtype=np.float64)
        img = np.asarray(f.forward(probes), dtype=np.float64)
    except (NotImplementedError, ValueError, AttributeError):
        return None
    j0 = jac[0]
    scale = max(1.0, float(np.abs(j0).max()))
    if np.max(np.abs(jac - j0)) > rtol * scale:
        return None
    c = img[0]
    pred = probes @ j0.T + c
    if np.max(np.abs(pred - img)) > rtol * max(1.0, float(np.abs(img).max())):
        return None
    return j0, c


class EntangledVAE(_ELBOEstimates):
    r"""The entangled twin of a VAE under a prior-preserving bijection :math:`f` (theory.md §3.1).

    * encoder: :math:`z'=f(z)`, :math:`z=\mu(x)+\sigma(x)\odot\epsilon`, density
      :math:`\log q'(z'\mid x)=\log q(z\mid x)-\log|\det J_f(z)|` (analytic log-det of f), i.e.
      :math:`\log q(f^{-1}(z')\mid x)+\log|\det J_{f^{-1}}(z')|` when only :math:`z'` is given;
    * decoder: :math:`p'(x\mid z')=p_\theta(x\mid f^{-1}(z'))` — :math:`f^{-1}(z')` is recomputed,
      never taken from the sampling path (pitfall 2 of theory.md §3.4);
    * prior: the original's, :math:`\log p(z')` evaluated at :math:`z'` directly.

    ``f`` is not checked for :math:`f_\#p=p`; with a bijection that does not preserve the prior
    the twin is a different model (its ELBO changes).

    For an affine :math:`f(z)=Jz+c` (e.g. Theorem 1's map for :math:`\mathcal N(0,I)`, a rotation)
    the twin encoder is the Gaussian
    :math:`\mathcal N(J\mu+c,\,J\operatorname{diag}(\sigma^2)J^\top)`
    (full covariance), so closed-form moments, marginals and — for the :math:`\mathcal N(0,I)`
    prior —
    the closed-form KL are available. For nonlinear :math:`f` (non-Gaussian priors) they are not;
    moments are then estimated by Monte Carlo.

    Parameters
    ----------
    vae : VAE
    f : Bijector
        With ``forward_and_log_det``, ``inverse_and_log_det`` and (for the affine fast path)
        ``jacobian``, acting on ``vae.latent_dim`` coordinates.
    """

    def __init__(self, vae: VAE, f: Any):
        if not isinstance(vae, VAE):
            raise TypeError(f"vae must be a VAE; got {type(vae).__name__}")
        for attr in ("forward_and_log_det", "inverse_and_log_det", "forward", "inverse"):
            if not hasattr(f, attr):
                raise TypeError(f"f must be a Bijector (with .{attr}); got {type(f).__name__}")
        fd = getattr(f, "d", vae.latent_dim)
        if fd != vae.latent_dim:
            raise ValueError(
                f"f acts on d = {fd} coordinates but the VAE has latent_dim = {vae.latent_dim}"
            )
        self.vae = vae
        self.f = f
        self.latent_dim = vae.latent_dim
        self.x_shape = vae.x_shape
        self._affine = affine_part(f, self.latent_dim)

    @property
    def prior(self) -> Any:
        """The (unchanged) prior."""
        return self.vae.prior

    @property
    def is_affine(self) -> bool:
        """Whether f is affine (then the twin encoder is Gaussian)."""
        return self._affine is not None

    def __repr__(self) -> str:
        return f"EntangledVAE({self.vae!r}, f={self.f!r})"

    # -------------------------------------------------------------------------- encoder
    def sample_codes(
        self, x: ArrayLike, rng: np.random.Generator | None = None, *, eps: ArrayLike | None = None
    ) -> Array:
        """One sample :math:`z'=f(\\mu+\\sigma\\epsilon)` per row, shape (n, d)."""
        return self.f.forward(self.vae.sample_codes(x, rng, eps=eps))

    def represent(
        self, x: ArrayLike, *, mode: str = "mean", rng: np.random.Generator | None = None
    ) -> Array:
        """``"mean"``: :math:`f(\\mu(x))` (the encoder mean itself when f is affine);
        ``"sampled"``: z'."""
        if mode == "mean":
            return self.f.forward(self.vae.encode(x)[0])
        if mode == "sampled":
            return self.sample_codes(x, rng)
        raise ValueError(f"mode must be 'mean' or 'sampled'; got {mode!r}")

    def log_q(self, z: ArrayLike, x: ArrayLike) -> Array:
        """Twin encoder density, shape (n,):
        :math:`\\log q'(z'_n\\mid x_n)=\\log q(f^{-1}(z'_n)\\mid x_n)
        +\\log|\\det J_{f^{-1}}(z'_n)|`."""
        zb, ld = self.f.inverse_and_log_det(self.vae._as_z(z))
        return self.vae.log_q(zb, x) + ld

    def encoder_moments(
        self, x: ArrayLike, *, rng: np.random.Generator | None = None, n_mc: int = 2000
    ) -> tuple[Array, Array]:
        r"""Mean (n, d) and covariance (n, d, d) of :math:`q'(\cdot\mid x)`.

        Exact for affine f (:math:`J\mu+c`, :math:`J\operatorname{diag}\sigma^2J^\top`); otherwise
        Monte-Carlo estimates from ``n_mc`` samples per row (``rng`` required; covariance with
        divisor ``n_mc``).
        """
        mu, lv = self.vae.encode(x)
        if self._affine is not None:
            j, c = self._affine
            return mu @ j.T + c, np.einsum("ik,nk,jk->nij", j, np.exp(lv), j)
        if rng is None:
            raise ValueError("f is nonlinear: the twin's encoder moments need rng for Monte Carlo")
        _check_rng(rng)
        n_mc = _check_int("n_mc", n_mc, lo=2)
        n, d = mu.shape
        e = rng.standard_normal((n_mc, n, d))
        zp = self.f.forward((mu[None] + np.exp(0.5 * lv)[None] * e).reshape(-1, d)).reshape(
            n_mc, n, d
        )
        m = zp.mean(axis=0)
        cdev = zp - m[None]
        return m, np.einsum("kni,knj->nij", cdev, cdev) / n_mc

    def pairwise_log_q(self, z: ArrayLike, x: ArrayLike) -> tuple[Array, Array | None]:
        r"""Joint :math:`\log q'(z'_j\mid x_i)` (M, N) for any f; per-dimension marginals (M, N, d)
        only for affine f (Gaussian marginals :math:`N((J\mu+c)_l, (J\Sigma J^\top)_{ll})`), else
        ``None``."""
        za = self.vae._as_z(z)
        zb, ld = self.f.inverse_and_log_det(za)
        mu, lv = self.vae.encode(x)
        joint = gaussian_pairwise_log_density(zb, mu, lv).sum(axis=2) + ld[:, None]
        if self._affine is None:
            return joint, None
        j, c = self._affine
        m = mu @ j.T + c
        var = np.exp(lv) @ (j * j).T
        return joint, gaussian_pairwise_log_density(za, m, np.log(var))

    # -------------------------------------------------------------------------- decoder
    def decode(self, z: ArrayLike) -> Array:
        """Mean of :math:`p(x\\mid f^{-1}(z'))`, shape (n, *x_dim)."""
        return self.vae.decode(self.f.inverse(self.vae._as_z(z)))

    def log_likelihood(self, x: ArrayLike, z: ArrayLike) -> Array:
        """:math:`\\log p_\\theta(x_n\\mid f^{-1}(z'_n))`, shape (n,)."""
        return self.vae.log_likelihood(x, self.f.inverse(self.vae._as_z(z)))

    def log_prior(self, z: ArrayLike) -> Array:
        """:math:`\\log p(z')`, shape (n,)."""
        return self.vae.log_prior(z)

    def sample(self, n: int, rng: np.random.Generator, *, mode: str = "mean") -> Array:
        """Generate: :math:`z'\\sim p`, decode :math:`f^{-1}(z')`; shape (n, *x_dim)."""
        _check_rng(rng)
        n = _check_int("n", n, lo=0)
        zp = self.vae._prior.sample(n, rng)
        return self.vae._observe(self.vae.decoder(self.f.inverse(zp)), rng, mode)

    # ------------------------------------------------------------------------ ELBO terms
    _default_kl = "mc"

    def _as_x(self, x: ArrayLike) -> Array:
        return self.vae._as_x(x)

    def _eps(self, rng: Any, eps: Any, n: int, n_samples: int | None) -> Array:
        return self.vae._eps(rng, eps, n, n_samples)

    def _kl_mode(self, kl: str) -> str:
        if kl not in ("mc", "analytic"):
            raise ValueError(f"kl must be 'mc' or 'analytic' for a twin; got {kl!r}")
        if kl == "analytic" and not (
            self._affine is not None and self.vae.prior_is_standard_normal
        ):
            raise ValueError(
                "the twin's closed-form KL needs an affine f and the N(0, I) prior (then its "
                "encoder is a full-covariance Gaussian); use kl='mc'"
            )
        return kl

    def _forward(self, x: Array, eps: Array, mode: str) -> ForwardPass:
        vae = self.vae
        mu, lv = vae.encode(x)
        z = mu + np.exp(0.5 * lv) * eps
        zp, ld_f = self.f.forward_and_log_det(z)
        z_back = self.f.inverse(zp)  # the twin's decoder recomputes f⁻¹(z')
        rec = vae._log_lik(vae.decoder(z_back), x)[0]
        if mode == "mc":
            log_q = _std_normal_log_q(eps, lv) - ld_f
            log_p = vae._prior.log_prob(zp)
            kl_val = log_q - log_p
        else:
            log_q = log_p = None
            j, c = self._affine  # type: ignore[misc]
            m = mu @ j.T + c
            cov = np.einsum("ik,nk,jk->nij", j, np.exp(lv), j)
            _, logdet = np.linalg.slogdet(cov)
            kl_val = 0.5 * (
                np.trace(cov, axis1=1, axis2=2)
                + np.einsum("ij,ij->i", m, m)
                - self.latent_dim
                - logdet
            )
        return ForwardPass(x=x, rec=rec, kl=kl_val, kl_mode=mode, z=zp, log_q=log_q, log_p=log_p)

    def forward(self, x: ArrayLike, eps: ArrayLike, *, kl: str = "mc") -> ForwardPass:
        """Forward pass with noise ``eps`` (n, d) (no ``mu``/``logvar``: the encoder is not
        diagonal)."""
        xa = self.vae._as_x(x)
        return self._forward(xa, self.vae._eps(None, eps, xa.shape[0], 1)[0], self._kl_mode(kl))

    def log_importance_weights(
        self,
        x: ArrayLike,
        rng: np.random.Generator | None = None,
        *,
        n_importance: int | None = None,
        eps: ArrayLike | None = None,
    ) -> Array:
        r""":math:`\log w'_k=\log p(x\mid f^{-1}(z'_k))+\log p(z'_k)-\log q'(z'_k\mid x)`, shape
        (K, n)."""
        vae = self.vae
        xa = vae._as_x(x)
        e = vae._eps(rng, eps, xa.shape[0], n_importance if eps is None else None)
        k_total, n, d = e.shape
        mu, lv = vae.encode(xa)
        z = (mu[None] + np.exp(0.5 * lv)[None] * e).reshape(-1, d)
        zp, ld_f = self.f.forward_and_log_det(z)
        z_back = self.f.inverse(zp)
        logw = np.empty((k_total, n))
        step = max(1, 2**22 // max(1, n * vae.x_size))
        for k0 in range(0, k_total, step):
            k1 = min(k_total, k0 + step)
            sl = slice(k0 * n, k1 * n)
            ll = vae._log_lik(vae.decoder(z_back[sl]), np.tile(xa, (k1 - k0, 1)))[0]
            lq = _std_normal_log_q(e[k0:k1].reshape(-1, d), np.tile(lv, (k1 - k0, 1))) - ld_f[sl]
            lp = vae._prior.log_prob(zp[sl])
            logw[k0:k1] = (ll + lp - lq).reshape(k1 - k0, n)
        return logw
