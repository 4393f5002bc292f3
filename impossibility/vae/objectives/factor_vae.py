r"""FactorVAE (Kim & Mnih 2018): the ELBO plus a discriminator's total-correlation estimate.

Minimise :math:`-\bar{\mathcal R}+\overline{\mathrm{KL}}+\gamma\,\overline{\ell_0(z)-\ell_1(z)}`.
The penalty is the discriminator's density-ratio estimate of the aggregate posterior's total
correlation; the study's grid is γ ∈ {10, 20, 30, 40, 50, 100}. The VAE's gradient flows through the
discriminator's logits into :math:`z`; the discriminator is then updated from the same forward pass
with the codes held constant, ``discriminator_steps`` times (a fresh dimension-wise permutation each
time): the reference takes one step per VAE step with a 6 × 1000 network over 300,000 steps; in a
short run one step leaves the discriminator at chance while the encoder fools it.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.typing import DTypeLike

from impossibility._validation import check_int, check_scalar
from impossibility.nn import check_dtype

from ..forward import Cotangents, ForwardPass
from ._common import base_logs, check_weight
from .base import Objective
from .discriminator import Discriminator

__all__ = ["FactorVAE"]


class FactorVAE(Objective):
    r"""FactorVAE: minimise
    :math:`-\bar{\mathcal R}+\overline{\mathrm{KL}}+\gamma\,\overline{\ell_0(z)-\ell_1(z)}`.

    The discriminator (:class:`~impossibility.vae.Discriminator`, built in :meth:`prepare` if not
    given) is updated in :meth:`update` by its own Adam (:math:`\beta_1=0.5,\beta_2=0.9`).

    Parameters
    ----------
    gamma : float
    discriminator : Discriminator, optional
    hidden : sequence of int, default=(256, 256, 256)
        Discriminator widths when it is built here.
    lr : float, default=1e-4
        Discriminator learning rate.
    discriminator_steps : int, default=1
        Discriminator Adam steps per VAE step (the reference's 1).
    """

    name = "factor_vae"

    def __init__(
        self,
        gamma: float,
        *,
        discriminator: Discriminator | None = None,
        hidden: Sequence[int] = (256, 256, 256),
        lr: float = 1e-4,
        discriminator_steps: int = 1,
    ):
        self.gamma = check_weight(gamma, "gamma")
        self.discriminator_steps = check_int(discriminator_steps, "discriminator_steps", minimum=1)
        self.discriminator = discriminator
        self.hidden = tuple(check_int(h, "hidden width", minimum=1) for h in hidden)
        self.lr = check_scalar(lr, "lr", minimum=0.0, include_min=False)

    def prepare(
        self,
        *,
        latent_dim: int,
        n_steps: int,
        rng: np.random.Generator,
        dtype: DTypeLike = np.float64,
    ) -> None:
        dtype = check_dtype(dtype)
        disc = self.discriminator
        if disc is None or disc.latent_dim != latent_dim or disc.dtype != dtype:
            self.discriminator = Discriminator(
                latent_dim, self.hidden, rng=rng, lr=self.lr, dtype=dtype
            )

    def loss(
        self, fp: ForwardPass, *, step: int = 0, rng: np.random.Generator | None = None
    ) -> tuple[float, Cotangents, dict[str, float]]:
        if self.discriminator is None:
            raise ValueError("FactorVAE has no discriminator yet: call prepare(...) or fit()")
        b = fp.batch_size
        logits, cache = self.discriminator.net.forward(fp.z)
        tc = float(np.mean(logits[:, 0] - logits[:, 1]))
        dlogits = np.empty_like(logits)
        dlogits[:, 0] = self.gamma / b
        dlogits[:, 1] = -self.gamma / b
        dz, _ = self.discriminator.net.backward(cache, dlogits)
        value = float(np.mean(-fp.rec + fp.kl)) + self.gamma * tc
        cot = Cotangents(rec=np.full(b, -1.0 / b), kl=np.full(b, 1.0 / b), z=dz)
        logs = base_logs(fp)
        logs.update(loss=value, tc=tc)
        return value, cot, logs

    def update(self, fp: ForwardPass, *, rng: np.random.Generator) -> dict[str, float]:
        if self.discriminator is None:
            raise ValueError("FactorVAE has no discriminator yet: call prepare(...) or fit()")
        losses = [self.discriminator.step(fp.z, rng) for _ in range(self.discriminator_steps)]
        return {"discriminator_loss": float(np.mean(losses))}

    def config(self) -> dict[str, object]:
        return {
            "name": self.name,
            "gamma": self.gamma,
            "hidden": list(self.hidden),
            "lr": self.lr,
            "discriminator_steps": self.discriminator_steps,
        }
