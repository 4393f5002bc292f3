r""":math:`\beta`-VAE (Higgins et al. 2017): a weighted KL term.

Minimise :math:`-\bar{\mathcal R}+\beta\,\overline{\mathrm{KL}}`; :math:`\beta=1` is the negative
ELBO; the study's grid is β ∈ {1, 2, 4, 6, 8, 16}. The loss sees the data only through
:math:`(\mathcal R_b,\mathrm{KL}_b)`, which the entangled twin reproduces sample by sample, so it is
invariant under the twin.
"""

from __future__ import annotations

import numpy as np

from ..forward import Cotangents, ForwardPass
from ._common import base_logs, check_weight
from .base import Objective

__all__ = ["BetaVAE"]


class BetaVAE(Objective):
    r""":math:`\beta`-VAE: minimise :math:`-\bar{\mathcal R}+\beta\,\overline{\mathrm{KL}}`.

    Parameters
    ----------
    beta : float, default=1.0
        ``beta=1`` is the plain negative ELBO. Invariant under the entangled twin.
    """

    name = "beta_vae"

    def __init__(self, beta: float = 1.0):
        self.beta = check_weight(beta, "beta")

    def loss(
        self, fp: ForwardPass, *, step: int = 0, rng: np.random.Generator | None = None
    ) -> tuple[float, Cotangents, dict[str, float]]:
        b = fp.batch_size
        value = float(np.mean(-fp.rec + self.beta * fp.kl))
        cot = Cotangents(rec=np.full(b, -1.0 / b), kl=np.full(b, self.beta / b))
        logs = base_logs(fp)
        logs["loss"] = value
        return value, cot, logs

    def config(self) -> dict[str, object]:
        return {"name": self.name, "beta": self.beta}
