r"""FactorVAE's discriminator: two logits telling joint codes from dimension-wise shuffled ones.

The logits :math:`(\ell_0,\ell_1)` tell :math:`\bar q(z)` from :math:`\prod_j\bar q_j(z_j)`. Class 0
is a sample of the aggregate posterior :math:`\bar q`, class 1 a dimension-wise permuted sample
(:func:`permute_dims`), a sample of :math:`\prod_j\bar q_j`. At the optimum the density-ratio trick
gives :math:`\mathrm{TC}(\bar q)\approx\mathbb E_{\bar q}[\ell_0(z)-\ell_1(z)]`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from impossibility import nn
from impossibility._typing import Array
from impossibility._validation import check_int, check_rng, check_scalar

__all__ = ["Discriminator", "permute_dims"]


def permute_dims(z: Array, rng: np.random.Generator) -> Array:
    r"""Shuffle every latent dimension independently across the batch (FactorVAE's :math:`\bar q` →
    :math:`\prod_j\bar q_j` sampler)."""
    check_rng(rng)
    n, d = z.shape
    idx = rng.permuted(np.tile(np.arange(n), (d, 1)), axis=1).T  # (n, d), column j a permutation
    return z[idx, np.arange(d)[None, :]]


class Discriminator:
    r"""An MLP from codes to two logits :math:`(\ell_0,\ell_1)`, with its own Adam.

    Its loss is :math:`-\tfrac12\overline{\log p_0(z)}-\tfrac12\overline{\log p_1(\tilde z)}` with
    softmax probabilities clipped to :math:`[10^{-6},1-10^{-6}]` (zero gradient where clipped, as
    in the reference).

    Parameters
    ----------
    latent_dim : int
    hidden : sequence of int, default=(256, 256, 256)
        The reference uses six layers of 1000 units; the default is smaller so that the laptop
        study runs in minutes (pass ``(1000,) * 6`` for the reference size).
    rng : numpy.random.Generator
        Initialisation.
    lr, beta1, beta2, eps : float, default=1e-4, 0.5, 0.9, 1e-8
        The discriminator's Adam (reference values).
    negative_slope : float, default=0.2
    clip : float, default=1e-6
    dtype : {float64, float32}, default=float64
        Training precision of the network (the VAE's, when FactorVAE builds it); :meth:`logits`
        and :meth:`tc_estimate` evaluate in float64.
    """

    def __init__(
        self,
        latent_dim: int,
        hidden: Sequence[int] = (256, 256, 256),
        *,
        rng: np.random.Generator,
        lr: float = 1e-4,
        beta1: float = 0.5,
        beta2: float = 0.9,
        eps: float = 1e-8,
        negative_slope: float = 0.2,
        clip: float = 1e-6,
        dtype: DTypeLike = np.float64,
    ):
        check_rng(rng)
        self.clip = check_scalar(clip, "clip", minimum=0.0, maximum=0.5, include_max=False)
        self.latent_dim = check_int(latent_dim, "latent_dim", minimum=1)
        self.hidden = tuple(check_int(h, "hidden width", minimum=1) for h in hidden)
        self.net = nn.mlp(
            [self.latent_dim, *self.hidden, 2],
            rng=rng,
            activation="leaky_relu",
            negative_slope=negative_slope,
            dtype=dtype,
        )
        self.optimizer = nn.Adam(self.net.parameters(), lr=lr, beta1=beta1, beta2=beta2, eps=eps)

    @property
    def dtype(self) -> np.dtype:
        """Training precision of the network."""
        return self.net.dtype

    def logits(self, z: ArrayLike) -> Array:
        """:math:`(\\ell_0,\\ell_1)`, shape (n, 2)."""
        return self.net(np.asarray(z, dtype=np.float64))

    def tc_estimate(self, z: ArrayLike) -> float:
        r"""Density-ratio estimate :math:`\overline{\ell_0(z)-\ell_1(z)}` of the total
        correlation."""
        lg = self.logits(z)
        return float(np.mean(lg[:, 0] - lg[:, 1]))

    def loss_and_grads(self, z: Array, z_perm: Array) -> tuple[float, dict[str, Array]]:
        """Discriminator loss (clipped cross-entropy, see class docstring) and parameter
        gradients."""
        b = z.shape[0]
        both = np.concatenate([z, z_perm], axis=0).astype(self.dtype, copy=False)
        labels = np.concatenate(
            [np.zeros(b, dtype=np.int64), np.ones(z_perm.shape[0], dtype=np.int64)]
        )
        logits, cache = self.net.forward(both)
        shifted = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        p /= p.sum(axis=1, keepdims=True)
        rows = np.arange(both.shape[0])
        py = p[rows, labels]
        pc = np.clip(py, self.clip, 1.0 - self.clip)
        weight = np.where(labels == 0, 0.5 / b, 0.5 / z_perm.shape[0]).astype(self.dtype)
        value = float(np.sum(-np.log(pc) * weight))
        grad = p.copy()
        grad[rows, labels] -= 1.0
        active = (py >= self.clip) & (py <= 1.0 - self.clip)
        grad *= (weight * active)[:, None]
        _, grads = self.net.backward(cache, grad)
        return value, grads

    def step(self, z: Array, rng: np.random.Generator) -> float:
        """One Adam step on codes ``z`` (class 0) and their dimension-wise permutation (class 1)."""
        value, grads = self.loss_and_grads(z, permute_dims(z, rng))
        self.optimizer.step(grads)
        return value
