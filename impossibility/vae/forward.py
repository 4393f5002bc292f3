r"""The model/objective contract: a :class:`ForwardPass` in, :class:`Cotangents` out.

A model (a :class:`~impossibility.vae.VAE` or its entangled twin) runs one reparameterised pass on
a batch and records per-example :math:`\mathcal R_b=\log p(x_b\mid z_b)`, :math:`\mathrm{KL}_b`,
the code :math:`z_b` and, for a diagonal-Gaussian encoder, :math:`(\mu_b,\log\sigma^2_b)`. An
objective maps that record to ``(loss, cotangents, logs)``: the cotangents are the partial
derivatives of the loss with respect to those quantities, which the model back-propagates.
Neither side imports the other; both import this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike

from impossibility._typing import Array

__all__ = ["ForwardPass", "Cotangents", "ObjectiveLike", "LatentModel"]


@dataclass
class ForwardPass:
    r"""One stochastic forward pass of a VAE (or of its entangled twin) on a batch.

    Attributes
    ----------
    x : ndarray of shape (B, D)
        The batch, flattened.
    rec : ndarray of shape (B,)
        :math:`\log p(x_b\mid z_b)`.
    kl : ndarray of shape (B,)
        :math:`\mathrm{KL}_b`, closed form (``kl_mode="analytic"``) or the single-sample Monte-Carlo
        estimate :math:`\log q(z_b\mid x_b)-\log p(z_b)` (``"mc"``).
    kl_mode : {"analytic", "mc"}
    z : ndarray of shape (B, d)
        The reparameterised sample (for a twin: :math:`z'=f(z)`).
    mu, logvar, eps : ndarray of shape (B, d) or None
        Diagonal-Gaussian encoder outputs and the standard-normal noise (``None`` for a twin, whose
        encoder is not diagonal Gaussian).
    log_q, log_p : ndarray of shape (B,) or None
        :math:`\log q(z_b\mid x_b)` and :math:`\log p(z_b)` when computed.
    cache : Any
        Internal: what the model's backward pass needs.
    """

    x: Array
    rec: Array
    kl: Array
    kl_mode: str
    z: Array
    mu: Array | None = None
    logvar: Array | None = None
    eps: Array | None = None
    log_q: Array | None = None
    log_p: Array | None = None
    cache: Any = None

    @property
    def batch_size(self) -> int:
        return int(self.rec.shape[0])


@dataclass
class Cotangents:
    r"""Partial derivatives of a scalar loss with respect to the quantities of a
    :class:`ForwardPass`.

    ``rec`` and ``kl`` have shape (B,); ``mu``, ``logvar`` and ``z`` shape (B, d), each ``None``
    when the loss does not depend on it *directly* (dependence through :math:`z=\mu+\sigma\epsilon`
    is added by the model's backward pass).
    """

    rec: Array | None = None
    kl: Array | None = None
    mu: Array | None = None
    logvar: Array | None = None
    z: Array | None = None


@runtime_checkable
class ObjectiveLike(Protocol):
    """A training objective (minimised), as :meth:`VAE.fit <impossibility.vae.VAE.fit>` uses it.

    ``prepare`` is called once before training, ``loss`` at every step and ``update`` after the
    model's update with the same forward pass (e.g. FactorVAE's discriminator step). A float32
    model also passes ``dtype=np.float32`` to ``prepare`` (a float64 one does not, so an objective
    that only ever trains float64 models needs no such argument).
    """

    name: str

    def prepare(self, *, latent_dim: int, n_steps: int, rng: np.random.Generator) -> None: ...

    def loss(
        self, fp: ForwardPass, *, step: int = 0, rng: np.random.Generator | None = None
    ) -> tuple[float, Cotangents, dict[str, float]]: ...

    def update(self, fp: ForwardPass, *, rng: np.random.Generator) -> dict[str, float]: ...


@runtime_checkable
class LatentModel(Protocol):
    """What an aggregate-posterior regulariser sees of a model: a VAE or its entangled twin.

    Codes sampled from the encoder, the encoder's per-input moments, and its joint and
    per-coordinate densities at given codes (the marginals are ``None`` when they have no closed
    form, e.g. for a twin under a nonlinear bijection).
    """

    latent_dim: int

    def sample_codes(
        self, x: ArrayLike, rng: np.random.Generator | None = None, *, eps: ArrayLike | None = None
    ) -> Array: ...

    def encoder_moments(
        self, x: ArrayLike, *, rng: np.random.Generator | None = None, n_mc: int = 2000
    ) -> tuple[Array, Array]: ...

    def pairwise_log_q(self, z: ArrayLike, x: ArrayLike) -> tuple[Array, Array | None]: ...
