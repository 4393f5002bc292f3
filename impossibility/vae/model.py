r"""A VAE in NumPy: ELBO, importance weights, hand-written gradients and training.

Encoder :math:`q_\phi(z\mid x)=\mathcal N(\mu_\phi(x),\operatorname{diag}e^{v_\phi(x)})`, decoder
:math:`p_\theta(x\mid z)`, prior :math:`p(z)`.

Reparameterisation :math:`z=\mu+e^{v/2}\odot\epsilon`, :math:`\epsilon\sim\mathcal N(0,I)`; the
ELBO is :math:`\mathbb E_q[\log p_\theta(x\mid z)]-\mathrm{KL}(q(\cdot\mid x)\|p)` with the KL in
closed form (``kl="analytic"``, only for the :math:`\mathcal N(0,I)` prior) or as
:math:`\log q(z\mid x)-\log p(z)` at the same samples as the reconstruction term (``"mc"``, always
used for other priors, and the one to compare with the entangled twin sample by sample:
docs/theory.md §3.4 pitfall 1). ``"auto"`` picks the first when it exists. Gradients are
hand-written
and checked against finite differences; training is Adam on minibatches.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from impossibility import nn
from impossibility._typing import LOG_2PI, Array
from impossibility._validation import (
    check_choice,
    check_has_methods,
    check_int,
    check_rng,
    check_scalar,
)

from .components import VAEBase
from .elbo import ELBOEstimates
from .fit import train_loop
from .forward import Cotangents, ForwardPass, ObjectiveLike
from .gaussian import gaussian_kl, gaussian_pairwise_log_density, log_q_from_noise
from .io import ModelFile
from .objectives.beta import BetaVAE
from .twin import EntangledVAE, LatentBijector

__all__ = ["VAE"]


class VAE(VAEBase, ELBOEstimates, ModelFile):
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
        Bernoulli logits (targets in [0, 1], the reference's sigmoid cross-entropy) or Gaussian
        means (see :class:`~impossibility.vae.DecoderLikelihood`).
    prior : FactorizedPrior, optional
        Default :math:`\mathcal N(0,I_d)`. Every marginal must have support :math:`\mathbb R`.
    obs_std : float, optional
        Gaussian decoder only: fixed observation standard deviation; ``None`` (default) learns one
        log-variance per feature (initialised to 0).
    activation : str, default="relu"
        Hidden activation (see :data:`impossibility.nn.ACTIVATIONS`).
    rng : numpy.random.Generator
        Weight initialisation (Glorot-uniform kernels, zero biases, as TensorFlow 1).
    dtype : {float64, float32}, default=float64
        Precision of *training*: parameters, activations, gradients, Adam's moments and the
        minibatches (the reparameterisation noise is drawn in float64 and rounded, so a float32
        run sees the float64 run's random numbers). Every evaluation (``encode``, ``decode``,
        the ELBO estimates, the twin, the regularisers) runs in float64 on the float32 weights,
        exactly, so evaluations and invariance checks keep their float64 tolerances; gradient
        checks use float64 models.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = (rng.random((200, 16)) < 0.3).astype(float)
    >>> vae = VAE(16, 2, hidden=(32,), rng=rng)
    >>> hist = vae.fit(x, n_steps=50, batch_size=32, rng=rng, progress=False)
    >>> vae.elbo(x[:5], rng).shape
    (5,)
    """

    # ---------------------------------------------------------------------- building blocks
    def encode(self, x: ArrayLike) -> tuple[Array, Array]:
        """Encoder outputs :math:`(\\mu(x), \\log\\sigma^2(x))`, each of shape (n, d)."""
        h = self.encoder(self.check_x(x, check_range=False))
        d = self.latent_dim
        return h[:, :d], h[:, d:]

    def decoder_output(self, z: ArrayLike) -> Array:
        """Raw decoder output for codes ``z``: Bernoulli logits or Gaussian means, shape (n, D)."""
        return self.decoder(self.check_z(z))

    def decode(self, z: ArrayLike) -> Array:
        """Mean of :math:`p(x\\mid z)` (pixel probabilities or Gaussian means), shape (n,
        *x_dim)."""
        return self.decoder_likelihood.mean(self.decoder_output(z)).reshape((-1, *self.x_shape))

    def log_likelihood(self, x: ArrayLike, z: ArrayLike) -> Array:
        """:math:`\\log p_\\theta(x_n\\mid z_n)` row by row, shape (n,)."""
        xa = self.check_x(x)
        za = self.check_z(z)
        if xa.shape[0] != za.shape[0]:
            raise ValueError(f"x has {xa.shape[0]} rows but z has {za.shape[0]}")
        return self.observation_log_likelihood(self.decoder(za), xa)[0]

    def log_q(self, z: ArrayLike, x: ArrayLike) -> Array:
        """Encoder log-density :math:`\\log q(z_n\\mid x_n)` row by row, shape (n,)."""
        za = self.check_z(z)
        mu, lv = self.encode(x)
        if mu.shape[0] != za.shape[0]:
            raise ValueError(f"x has {mu.shape[0]} rows but z has {za.shape[0]}")
        return -0.5 * ((za - mu) ** 2 * np.exp(-lv) + lv + LOG_2PI).sum(axis=1)

    def log_prior(self, z: ArrayLike) -> Array:
        """:math:`\\log p(z)`, shape (n,)."""
        return self.latent_prior.log_prob(self.check_z(z))

    def sample_codes(
        self, x: ArrayLike, rng: np.random.Generator | None = None, *, eps: ArrayLike | None = None
    ) -> Array:
        """One reparameterised sample :math:`z=\\mu(x)+\\sigma(x)\\odot\\epsilon` per row, shape
        (n, d)."""
        mu, lv = self.encode(x)
        e = self.standard_noise(mu.shape[0], rng=rng, eps=eps, n_samples=1)[0]
        return mu + np.exp(0.5 * lv) * e

    def represent(
        self, x: ArrayLike, *, mode: str = "mean", rng: np.random.Generator | None = None
    ) -> Array:
        """The representation used by the metrics: ``"mean"`` :math:`\\mu(x)` or ``"sampled"`` z."""
        check_choice(mode, "mode", ("mean", "sampled"))
        return self.encode(x)[0] if mode == "mean" else self.sample_codes(x, rng)

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
        za = self.check_z(z)
        mu, lv = self.encode(x)
        marg = gaussian_pairwise_log_density(za, mu, lv)
        return marg.sum(axis=2), marg

    def sample(self, n: int, rng: np.random.Generator, *, mode: str = "mean") -> Array:
        """Generate ``n`` observations: :math:`z\\sim p`, then the decoder mean
        (``mode="mean"``) or a draw from :math:`p(x\\mid z)` (``mode="sample"``);
        shape (n, *x_dim)."""
        check_rng(rng)
        n = check_int(n, "n", minimum=0)
        z = self.latent_prior.sample(n, rng)
        return self.observe(self.decoder(z), rng, mode)

    # ---------------------------------------------------------------- forward and backward
    def forward(self, x: ArrayLike, eps: ArrayLike, *, kl: str = "auto") -> ForwardPass:
        r"""One training forward pass with given noise ``eps`` (n, d), in the model's dtype,
        keeping what :meth:`backward` needs."""
        xa = self.check_x(x).astype(self.dtype, copy=False)
        mode = self._kl_mode(kl)
        e = self.standard_noise(xa.shape[0], eps=eps, n_samples=1)[0]
        return self._forward(xa, e.astype(self.dtype, copy=False), mode)

    def _forward(self, x: Array, eps: Array, mode: str) -> ForwardPass:
        mu, lv, enc_cache = self.encoder_forward(x)
        std = np.exp(0.5 * lv)
        z = mu + std * eps
        out, dec_cache = self.decoder_forward(z)
        rec, g_out, g_lv = self.observation_log_likelihood(out, x)
        if mode == "analytic":
            kl_val, _, _ = gaussian_kl(mu, lv)
            log_q = log_p = None
        else:
            log_q = log_q_from_noise(eps, lv)
            log_p = self.latent_prior.log_prob(z)
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
            cache=(enc_cache, dec_cache, (g_out, g_lv), std),
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
        dt = fp.z.dtype  # the objectives' cotangents are float64: cast, never promote

        def cotangent(v: Array | None) -> Array:
            return np.zeros((n, d), dtype=dt) if v is None else np.array(v, dtype=dt)

        grads: dict[str, Array] = {}
        dz = cotangent(cot.z)
        if cot.rec is not None:
            c = np.asarray(cot.rec, dtype=dt)[:, None]
            dzd, dec_grads = self.decoder_backward(dec_cache, g_out * c)
            dz += dzd
            if self.obs_logvar is not None:
                grads["obs_logvar"] = (g_lv * c).sum(axis=0)
        else:
            dec_grads = {
                f"decoder.{k}": np.zeros_like(v) for k, v in self.decoder.parameters().items()
            }
            if self.obs_logvar is not None:
                grads["obs_logvar"] = np.zeros_like(self.obs_logvar)
        dmu, dlv = cotangent(cot.mu), cotangent(cot.logvar)
        if cot.kl is not None:
            c = np.asarray(cot.kl, dtype=dt)[:, None]
            if fp.kl_mode == "analytic":
                dmu += c * fp.mu
                dlv += 0.5 * c * (std * std - 1.0)
            else:
                dz -= c * self.latent_prior.score(fp.z)
                dlv -= 0.5 * c
        dmu += dz
        dlv += 0.5 * dz * std * fp.eps
        grads.update(self.encoder_backward(enc_cache, dmu, dlv))
        grads.update(dec_grads)
        return grads

    def loss_and_grads(
        self,
        x: ArrayLike,
        eps: ArrayLike,
        objective: ObjectiveLike | None = None,
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
        objective: ObjectiveLike,
        optimizer: nn.Adam,
        rng: np.random.Generator,
        *,
        step: int = 0,
        kl: str = "auto",
    ) -> dict[str, float]:
        """One update: forward with fresh noise, objective, backward, Adam, then
        ``objective.update``."""
        eps = rng.standard_normal((x_batch.shape[0], self.latent_dim))
        if self.dtype != eps.dtype:  # drawn in float64 so that every dtype sees the same noise
            eps = eps.astype(self.dtype)
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
        objective: ObjectiveLike | None = None,
        n_steps: int = 1000,
        batch_size: int = 64,
        lr: float = 1e-3,
        kl: str = "auto",
        progress: bool | None = None,
        callback: Callable[[int, Mapping[str, float]], None] | None = None,
        threads: int | None = 1,
    ) -> dict[str, Array]:
        r"""Train with Adam on minibatches drawn i.i.d. with replacement from ``x``.

        Parameters
        ----------
        x : array_like of shape (N, *x_dim) or (N, D)
        rng : numpy.random.Generator
            Minibatches, reparameterisation noise and the objective's own randomness.
        objective : Objective, optional
            Default :class:`~impossibility.vae.BetaVAE` with β = 1 (the ELBO).
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
            when the cores are shared with other work multi-threaded BLAS was measured 8–12×
            *slower* per step (1024→256 MLP, batch 64, 2 cores, load ≈ 3). ``None`` leaves the
            BLAS setting alone.

        Returns
        -------
        dict of str to ndarray
            Per-step logs: ``loss``, ``reconstruction`` (−mean log p(x|z)), ``kl``, ``elbo`` and the
            objective's own entries (``tc``, ``capacity``, ``dip_penalty``, …).
        """
        check_rng(rng)
        xa = self.check_x(x).astype(self.dtype, copy=False)  # cast once, not per minibatch
        n_steps = check_int(n_steps, "n_steps", minimum=1)
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        self._kl_mode(kl)
        objective = BetaVAE(1.0) if objective is None else objective
        check_has_methods(
            objective, "objective", ("prepare", "loss", "update"), what="an Objective"
        )
        # a float32 model tells the objective its dtype (for FactorVAE's discriminator); float64
        # models call prepare() as before, so objectives without a dtype argument still work
        extra = {} if self.dtype == np.float64 else {"dtype": self.dtype}
        objective.prepare(latent_dim=self.latent_dim, n_steps=n_steps, rng=rng, **extra)
        if self.optimizer is None:
            self.optimizer = nn.Adam(self.parameters(), lr=lr)
        elif lr != self.optimizer.lr:
            self.optimizer.lr = check_scalar(lr, "lr", minimum=0.0, include_min=False)
        optimizer = self.optimizer

        def step(t: int, idx: np.ndarray) -> dict[str, float]:
            return self.train_step(xa[idx], objective, optimizer, rng, step=t, kl=kl)

        def after_step(t: int, logs: Mapping[str, float]) -> None:
            self.steps_trained += 1
            if callback is not None:
                callback(t, logs)

        name = getattr(objective, "name", type(objective).__name__)
        return train_loop(
            step,
            n_rows=xa.shape[0],
            n_steps=n_steps,
            batch_size=batch_size,
            rng=rng,
            threads=threads,
            progress=progress,
            desc=f"fit {name}",
            callback=after_step,
        )

    # ------------------------------------------------------------------------- evaluation
    def _components(self) -> "VAE":
        return self

    def _log_weight_chunks(self, x: Array, eps: Array) -> Callable[[int, int], Array]:
        mu, lv = self.encode(x)
        std = np.exp(0.5 * lv)
        z = mu[None] + std[None] * eps  # (K, n, d)
        d = self.latent_dim

        def chunk(k0: int, k1: int) -> Array:
            zc = z[k0:k1].reshape(-1, d)
            ll = self.observation_log_likelihood(self.decoder(zc), np.tile(x, (k1 - k0, 1)))[0]
            lq = log_q_from_noise(eps[k0:k1].reshape(-1, d), np.tile(lv, (k1 - k0, 1)))
            lp = self.latent_prior.log_prob(zc)
            return ll + (lp - lq)

        return chunk

    def astype(self, dtype: DTypeLike) -> "VAE":
        """A copy in precision ``dtype`` with the parameters cast (float64 → float32 rounds,
        float32 → float64 is exact) and ``steps_trained`` kept; the optimizer state is not
        copied."""
        dtype = nn.check_dtype(dtype)
        cfg = {**self.config(), "prior": self.prior, "dtype": dtype}
        new = type(self)(**cfg, rng=np.random.default_rng(0))  # weights overwritten below
        for k, p in new.parameters().items():
            p[...] = self.parameters()[k]
        new.steps_trained = self.steps_trained
        return new

    # ------------------------------------------------------------------------------- twin
    def entangled(self, f: LatentBijector, *, check_prior: bool = True) -> EntangledVAE:
        """The entangled twin under the prior-preserving bijection ``f`` (see
        :class:`~impossibility.vae.EntangledVAE`; ``ValueError`` if f does not preserve the
        prior, unless ``check_prior=False``)."""
        return EntangledVAE(self, f, check_prior=check_prior)
