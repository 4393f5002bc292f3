r"""Ada-GVAE (Locatello et al. 2020): a VAE trained on pairs, averaging the latents it finds shared.

.. math:: \ell=-\sum_{a=1,2}\Big(\mathbb E_{\tilde q_a}\log p(x_a\mid z)
          -\beta\,\mathrm{KL}(\tilde q_a\,\|\,\mathcal N(0,I))\Big),\qquad
          \tilde q_a(z_i)=\mathcal N(\bar\mu_i,\bar\sigma_i^2)\ \text{on the shared latents}

The weakly supervised method of docs/theory.md §5.3, in NumPy with hand-written gradients on top of
an
:class:`~impossibility.vae.VAE`: for each pair of observations
(:func:`~impossibility.biases.make_pair_dataset`) the
latents whose posteriors differ least (:func:`ada_gvae_shared_mask`) are replaced by the average
of the two posteriors, which the entangled twin cannot match.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

from impossibility import nn
from impossibility._typing import Array
from impossibility._validation import as_array, check_int, check_rng, check_scalar
from impossibility.vae import train_loop

from ._vae_contract import VAELike, check_vae

__all__ = ["ada_gvae_shared_mask", "AdaGVAE"]


def _as_rows(x: ArrayLike, name: str, width: int) -> Array:
    """Observations flattened to rows of ``width`` values (the VAE's ``x_size``)."""
    arr = as_array(x, name)
    if arr.ndim == 0 or arr.size % width:
        raise ValueError(f"{name} must hold rows of {width} values; got shape {arr.shape}")
    return arr.reshape(-1, width)


def ada_gvae_shared_mask(
    mu1: Array, logvar1: Array, mu2: Array, logvar2: Array
) -> NDArray[np.bool_]:
    r"""Ada-GVAE's estimate of the shared latents of each pair.

    Per latent

    .. math:: \delta_i=\frac{\sigma_{1i}^2}{\sigma_{2i}^2}
              +\frac{(\mu_{2i}-\mu_{1i})^2}{\sigma_{2i}^2}-1+\log\sigma_{2i}^2-\log\sigma_{1i}^2
              =2\,\mathrm{KL}\big(q(z_i\mid x_1)\,\|\,q(z_i\mid x_2)\big)

    (the reference drops the ½, irrelevant here); latent :math:`i` is *shared* iff
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
    r"""Ada-GVAE (Locatello et al. 2020) on a NumPy :class:`~impossibility.vae.VAE`.

    For a pair :math:`(x_1,x_2)` the encoder gives :math:`(\mu_a,\log\sigma_a^2)`, :math:`a=1,2`.
    The shared latents :math:`\mathcal S` are estimated by :func:`ada_gvae_shared_mask`; on them
    both posteriors are replaced by their average (GVAE):

    .. math:: \bar\mu=\tfrac12(\mu_1+\mu_2),\qquad
              \log\bar\sigma^2=\log\tfrac12(\sigma_1^2+\sigma_2^2),\qquad
              \tilde q_a(z_i)=\begin{cases}\mathcal N(\bar\mu_i,\bar\sigma_i^2)&i\in\mathcal S\\
              \mathcal N(\mu_{ai},\sigma_{ai}^2)&i\notin\mathcal S\end{cases}

    and the loss (minimised, mean over the batch of pairs) is the sum of the two β-ELBOs

    .. math:: \ell=-\sum_{a=1,2}\Big(\mathbb E_{\tilde q_a}\log p(x_a\mid z)
              -\beta\,\mathrm{KL}(\tilde q_a\,\|\,\mathcal N(0,I))\Big)

    (the reference averages the two, a factor ½ absorbed by the learning rate), with one
    reparameterised sample :math:`z=\tilde\mu_a+\tilde\sigma_a\odot\epsilon_a` each. The mask is
    piecewise constant in the parameters and treated as a constant by the gradient (as the
    reference's ``tf.where`` does).

    Backward, with hand-written gradients (:math:`\bar z_a`, :math:`\bar{\tilde\mu}_a`,
    :math:`\bar{\tilde v}_a` the cotangents of the samples and of the aggregated posterior
    parameters): on :math:`i\in\mathcal S`,

    .. math:: \bar\mu_{ai}\mathrel{+}=\tfrac12(\bar{\tilde\mu}_{1i}+\bar{\tilde\mu}_{2i}),\qquad
              \bar v_{ai}\mathrel{+}=(\bar{\tilde v}_{1i}+\bar{\tilde v}_{2i})\,
              \frac{\sigma_{ai}^2}{\sigma_{1i}^2+\sigma_{2i}^2};

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

    def __init__(self, vae: VAELike, *, beta: float = 1.0, aggregate: bool = True):
        check_vae(vae)
        if not vae.prior_is_standard_normal:
            raise ValueError(
                "Ada-GVAE uses the closed-form KL to N(0, I); the VAE has another prior"
            )
        if vae.likelihood == "gaussian" and vae.obs_std is None:
            raise ValueError("use a Bernoulli or a fixed-obs_std Gaussian likelihood")
        self.vae = vae
        self.beta = check_scalar(beta, "beta", minimum=0)
        self.aggregate = bool(aggregate)
        self.optimizer: nn.Adam | None = None
        self.steps_trained = 0

    def parameters(self) -> dict[str, Array]:
        """The live parameters (``encoder.*``, ``decoder.*``), as :meth:`VAE.parameters`."""
        return self.vae.parameters()

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
        X1 = _as_rows(x1, "x1", vae.x_size)
        X2 = _as_rows(x2, "x2", vae.x_size)
        B = X1.shape[0]
        if X2.shape != X1.shape:
            raise ValueError(f"x1 and x2 must have the same shape; got {X1.shape} and {X2.shape}")
        E = np.concatenate([as_array(eps1, "eps1"), as_array(eps2, "eps2")])
        if E.shape != (2 * B, d):
            raise ValueError(f"eps1 and eps2 must have shape ({B}, {d})")
        X = np.concatenate([X1, X2])
        mu, lv, enc_cache = vae.encoder_forward(X)
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
        out, dec_cache = vae.decoder_forward(Z)
        rec, g_out, _ = vae.observation_log_likelihood(out, X)
        kl = 0.5 * np.sum(MU * MU + std * std - LV - 1.0, axis=1)
        c = 1.0 / B
        loss = c * float(np.sum(-rec + self.beta * kl))
        # backward
        dZ, dec_grads = vae.decoder_backward(dec_cache, -c * g_out)
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
        grads = vae.encoder_backward(
            enc_cache, np.concatenate([dmu1, dmu2]), np.concatenate([dlv1, dlv2])
        )
        grads.update(dec_grads)
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
        check_rng(rng)
        vae = self.vae
        X1 = _as_rows(x1, "x1", vae.x_size)
        X2 = _as_rows(x2, "x2", vae.x_size)
        if X1.shape != X2.shape:
            raise ValueError(
                f"x1 and x2 must hold the same number of pairs; got {X1.shape}, {X2.shape}"
            )
        n_steps = check_int(n_steps, "n_steps", minimum=1)
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        lr = check_scalar(lr, "lr", minimum=0, include_min=False)
        if self.optimizer is None:
            self.optimizer = nn.Adam(self.parameters(), lr=lr)
        else:
            self.optimizer.lr = lr
        d = vae.latent_dim
        optimizer = self.optimizer

        def step(t: int, idx: np.ndarray) -> dict[str, float]:
            e = rng.standard_normal((2, batch_size, d))
            loss, grads, logs = self.loss_and_grads(X1[idx], X2[idx], e[0], e[1])
            if np.isfinite(loss):  # train_loop raises on a non-finite loss, before any update
                optimizer.step(grads)
            return logs

        def after_step(t: int, logs: Mapping[str, float]) -> None:
            self.steps_trained += 1
            if callback is not None:
                callback(t, logs)

        return train_loop(
            step,
            n_rows=X1.shape[0],
            n_steps=n_steps,
            batch_size=batch_size,
            rng=rng,
            threads=threads,
            progress=progress,
            desc="fit Ada-GVAE",
            callback=after_step,
        )
