r"""The base class of the study's training objectives, all *minimised*.

With per-example reconstruction log-likelihood :math:`\mathcal R_b=\log p_\theta(x_b\mid z_b)` and
:math:`\mathrm{KL}_b` (closed form or Monte Carlo), batch means over :math:`b=1..B`, every
objective is :math:`-\bar{\mathcal R}+w\,\overline{\mathrm{KL}}+\text{penalty}`; it maps a
:class:`~impossibility.vae.ForwardPass` to ``(loss, Cotangents, logs)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from ..forward import Cotangents, ForwardPass

__all__ = ["Objective"]


class Objective:
    """Base class of training objectives (minimised); implements
    :class:`~impossibility.vae.ObjectiveLike`.

    Subclasses set ``name`` and implement :meth:`loss`; :meth:`prepare` and :meth:`update` are
    optional hooks.
    """

    name = "objective"

    def prepare(
        self,
        *,
        latent_dim: int,
        n_steps: int,
        rng: np.random.Generator,
        dtype: DTypeLike = np.float64,
    ) -> None:
        """Called by ``VAE.fit`` before training (schedules, auxiliary networks); ``dtype`` is
        the model's training precision (passed only when it is not float64)."""

    def loss(
        self, fp: ForwardPass, *, step: int = 0, rng: np.random.Generator | None = None
    ) -> tuple[float, Cotangents, dict[str, float]]:
        """Return ``(loss, cotangents, logs)`` for a forward pass at training step ``step``."""
        raise NotImplementedError

    def update(self, fp: ForwardPass, *, rng: np.random.Generator) -> dict[str, float]:
        """Called after the VAE update with the same forward pass (FactorVAE's discriminator)."""
        return {}

    def config(self) -> dict[str, Any]:
        """JSON-able description."""
        return {"name": self.name}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "name")
        return f"{type(self).__name__}({args})"
