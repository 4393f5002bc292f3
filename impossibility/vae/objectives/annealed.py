r"""AnnealedVAE (Burgess et al. 2018): a KL held at a growing capacity :math:`C_t`.

Minimise :math:`-\bar{\mathcal R}+\gamma\,|\overline{\mathrm{KL}}-C_t|`,
:math:`C_t=\min(C_{max},C_{max}t/T)` with :math:`t` the 0-based training step and γ = 1000; the
study's grid is :math:`C_{max}` ∈ {5, 10, 25, 50, 75, 100} nats. Like β-VAE it sees only
:math:`(\mathcal R_b,\mathrm{KL}_b)` and is invariant under the entangled twin.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from impossibility._validation import check_int, check_scalar

from ..forward import Cotangents, ForwardPass
from ._common import base_logs, check_weight
from .base import Objective

__all__ = ["AnnealedVAE"]


class AnnealedVAE(Objective):
    r"""AnnealedVAE: minimise :math:`-\bar{\mathcal R}+\gamma\,|\overline{\mathrm{KL}}-C_t|`.

    The reference uses :math:`T=100{,}000` of 300,000 steps; here :math:`T` is either given
    (``anneal_steps``) or ``anneal_fraction`` (default 1/3, the reference's ratio) of the run
    length passed to :meth:`prepare` by ``fit``.

    Parameters
    ----------
    c_max : float
        Final capacity :math:`C_{max}` in nats.
    gamma : float, default=1000
    anneal_steps : int, optional
    anneal_fraction : float, default=1/3
    """

    name = "annealed_vae"

    def __init__(
        self,
        c_max: float,
        *,
        gamma: float = 1000.0,
        anneal_steps: int | None = None,
        anneal_fraction: float = 1.0 / 3.0,
    ):
        self.c_max = check_weight(c_max, "c_max")
        self.gamma = check_weight(gamma, "gamma")
        if anneal_steps is not None:
            anneal_steps = check_int(anneal_steps, "anneal_steps", minimum=1)
        self.anneal_fraction = check_scalar(
            anneal_fraction, "anneal_fraction", minimum=0.0, maximum=1.0, include_min=False
        )
        self._fixed_steps = anneal_steps
        self.anneal_steps = anneal_steps

    def prepare(
        self,
        *,
        latent_dim: int,
        n_steps: int,
        rng: np.random.Generator,
        dtype: DTypeLike = np.float64,
    ) -> None:
        if self._fixed_steps is None:
            self.anneal_steps = max(1, int(round(self.anneal_fraction * n_steps)))

    def capacity(self, step: int) -> float:
        """:math:`C_t`."""
        if self.anneal_steps is None:
            raise ValueError(
                "AnnealedVAE has no schedule length: pass anneal_steps=… or let fit() call "
                "prepare()"
            )
        return float(min(self.c_max, self.c_max * step / self.anneal_steps))

    def loss(
        self, fp: ForwardPass, *, step: int = 0, rng: np.random.Generator | None = None
    ) -> tuple[float, Cotangents, dict[str, float]]:
        b = fp.batch_size
        c = self.capacity(step)
        kl_mean = float(np.mean(fp.kl))
        gap = kl_mean - c
        value = float(np.mean(-fp.rec)) + self.gamma * abs(gap)
        cot = Cotangents(rec=np.full(b, -1.0 / b), kl=np.full(b, self.gamma * np.sign(gap) / b))
        logs = base_logs(fp)
        logs.update(loss=value, capacity=c)
        return value, cot, logs

    def config(self) -> dict[str, object]:
        return {
            "name": self.name,
            "c_max": self.c_max,
            "gamma": self.gamma,
            "anneal_steps": self._fixed_steps,
            "anneal_fraction": self.anneal_fraction,
        }
