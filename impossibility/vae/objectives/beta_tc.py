r""":math:`\beta`-TCVAE (Chen et al. 2018): the ELBO plus a weighted total correlation.

Minimise :math:`-\bar{\mathcal R}+\overline{\mathrm{KL}}+(\beta-1)\widehat{\mathrm{TC}}`, where
:math:`\widehat{\mathrm{TC}}` is the minibatch-weighted-sampling estimate over the training batch
(:func:`~impossibility.vae.mws_total_correlation_gaussian`); the study's grid is β ∈ {1, 2, 4, 6, 8,
10}. The total correlation of the aggregate posterior changes under an entangling bijection unless
that posterior is preserved, so the loss is not twin-invariant.
"""

from __future__ import annotations

import numpy as np

from ..forward import Cotangents, ForwardPass
from ._common import base_logs, check_weight, require_gaussian
from .base import Objective
from .total_correlation import mws_total_correlation_gaussian, tc_constant

__all__ = ["BetaTCVAE"]


class BetaTCVAE(Objective):
    r""":math:`\beta`-TCVAE: minimise
    :math:`-\bar{\mathcal R}+\overline{\mathrm{KL}}+(\beta-1)\widehat{\mathrm{TC}}`.

    The logged ``tc`` includes the constant :math:`(d-1)\log(BN)` the reference drops when
    ``dataset_size`` (:math:`N`) is given (``tc_reference`` is the constant-free value).
    ``include_constant_in_loss`` adds :math:`(\beta-1)(d-1)\log(BN)` to the loss value; gradients
    are identical either way.

    Parameters
    ----------
    beta : float
    dataset_size : int, optional
    include_constant_in_loss : bool, default=False
    """

    name = "beta_tc_vae"

    def __init__(
        self,
        beta: float,
        *,
        dataset_size: int | None = None,
        include_constant_in_loss: bool = False,
    ):
        self.beta = check_weight(beta, "beta")
        tc_constant(2, 2, dataset_size)  # validates
        if include_constant_in_loss and dataset_size is None:
            raise ValueError("include_constant_in_loss=True needs dataset_size")
        self.dataset_size = dataset_size
        self.include_constant_in_loss = bool(include_constant_in_loss)

    def loss(
        self, fp: ForwardPass, *, step: int = 0, rng: np.random.Generator | None = None
    ) -> tuple[float, Cotangents, dict[str, float]]:
        require_gaussian(fp, "BetaTCVAE")
        b, d = fp.z.shape
        tc, dz, dmu, dlv = mws_total_correlation_gaussian(fp.z, fp.mu, fp.logvar)
        const = tc_constant(b, d, self.dataset_size)
        w = self.beta - 1.0
        value = float(np.mean(-fp.rec + fp.kl)) + w * (
            tc + (const if self.include_constant_in_loss else 0.0)
        )
        cot = Cotangents(
            rec=np.full(b, -1.0 / b), kl=np.full(b, 1.0 / b), z=w * dz, mu=w * dmu, logvar=w * dlv
        )
        logs = base_logs(fp)
        logs.update(loss=value, tc=tc + const, tc_reference=tc)
        return value, cot, logs

    def config(self) -> dict[str, object]:
        return {
            "name": self.name,
            "beta": self.beta,
            "dataset_size": self.dataset_size,
            "include_constant_in_loss": self.include_constant_in_loss,
        }
