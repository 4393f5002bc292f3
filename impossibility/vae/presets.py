r"""The sprite VAE several experiments share: one configuration, one entry of the model store.

:math:`\mathrm{ELBO}=\mathbb E_q[\log p_\theta(x\mid z)]-\mathrm{KL}(q\|p)` maximised with Adam on
procedural sprites (Bernoulli decoder, MLP encoder and decoder). The configuration names the data
set (the keyword arguments of ``impossibility.data.ProceduralSprites``), the held-out share of
factor combinations, the architecture and the training settings; :meth:`SpriteVAEPreset.spec`
adds the prior and the seeds, so every experiment asking for the same model finds the same store
entry (``train_or_load``) and it is trained once.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from scipy import stats

from impossibility._validation import check_choice, check_rng
from impossibility.priors import FactorizedPrior

from .model import VAE
from .store import train_or_load

#: The label of the Generator stream the experiments train with (``ctx.shared_rng(10, key)``).
SHARED_STREAM_LABEL = "shared-0x5A17E"

__all__ = ["SpriteVAEPreset", "SPRITE_VAE_PRESETS", "SPRITE_VAE_PRIORS", "sprite_vae_preset"]

#: The latent priors a sprite VAE is trained with: N(0, I) (``None``) or i.i.d. logistic.
SPRITE_VAE_PRIORS = ("normal", "logistic")


@dataclass(frozen=True)
class SpriteVAEPreset:
    """Data, architecture and training settings of the shared sprite VAE.

    Attributes
    ----------
    sprites : dict
        Keyword arguments of ``ProceduralSprites`` (scales, orientations, positions, image size).
    latent_dim : int
    hidden : tuple of int
        Hidden widths of the encoder (the decoder mirrors them).
    n_steps, batch_size : int
    lr : float
        Adam's learning rate.
    holdout : float
        Share of factor combinations held out of training (``holdout_split``).
    """

    sprites: dict = field(hash=False)
    latent_dim: int
    hidden: tuple[int, ...]
    n_steps: int
    batch_size: int
    lr: float
    holdout: float

    def as_dict(self) -> dict[str, Any]:
        """The settings as JSON-able values (the keys every experiment's store spec starts with)."""
        return {
            "sprites": dict(self.sprites),
            "latent_dim": self.latent_dim,
            "hidden": list(self.hidden),
            "n_steps": self.n_steps,
            "batch_size": self.batch_size,
            "lr": self.lr,
            "holdout": self.holdout,
        }

    def prior(self, name: str) -> FactorizedPrior | None:
        """The latent prior called ``name`` (``None`` is the VAE's default N(0, I))."""
        check_choice(name, "prior", SPRITE_VAE_PRIORS)
        if name == "normal":
            return None
        return FactorizedPrior.iid(stats.logistic(), self.latent_dim)

    def spec(
        self, prior: str, *, seed: int, key: int, stream: str = SHARED_STREAM_LABEL
    ) -> dict[str, Any]:
        """The model-store spec: the settings, the prior's name and the seeds of training.

        ``seed`` and ``key`` identify the training Generator, ``stream`` names where it comes
        from; two callers training with the same Generator must pass the same three.
        """
        check_choice(prior, "prior", SPRITE_VAE_PRIORS)
        return {**self.as_dict(), "prior": prior, "seed": seed, "key": key, "rng": stream}

    def train(
        self,
        x_train: np.ndarray,
        rng: np.random.Generator,
        prior: str = "normal",
        log: Callable[[str], None] | None = None,
    ) -> tuple[VAE, dict]:
        """A new VAE (initialised from ``rng``) fitted to ``x_train`` with these settings."""
        check_rng(rng)
        x_train = np.asarray(x_train)  # VAE.fit validates it
        vae = VAE(
            x_train.shape[1:],
            self.latent_dim,
            hidden=list(self.hidden),
            prior=self.prior(prior),
            rng=rng,
        )
        t0 = time.perf_counter()
        hist = vae.fit(
            x_train,
            rng=rng,
            n_steps=self.n_steps,
            batch_size=self.batch_size,
            lr=self.lr,
            progress=False,
        )
        if log is not None:
            tail = np.asarray(hist["elbo"])[-min(500, len(hist["elbo"])) :]
            log(
                f"{prior} prior: trained {self.n_steps} steps in {time.perf_counter() - t0:.0f} s,"
                f" final ELBO {tail.mean():.2f}"
            )
        return vae, hist

    def train_or_load(
        self,
        store: str | os.PathLike,
        x_train: np.ndarray,
        rng: np.random.Generator,
        *,
        prior: str = "normal",
        seed: int,
        key: int,
        stream: str = SHARED_STREAM_LABEL,
        log: Callable[[str], None] | None = None,
    ) -> tuple[VAE, dict, bool]:
        """The VAE of :meth:`spec` from ``store``, trained by :meth:`train` on a miss.

        Returns ``(vae, history, loaded)`` as ``train_or_load`` does.
        """
        return train_or_load(
            store,
            self.spec(prior, seed=seed, key=key, stream=stream),
            lambda: self.train(x_train, rng, prior, log),
            name=f"sprite_vae_{prior}",
            log=log,
        )


#: ``default``: 32×32 sprites (3 shapes × 4 scales × 4 orientations × 12 × 12 positions), d = 5,
#: 4,000 steps; ``quick``: 16×16 sprites, d = 3, 150 steps (smoke runs).
SPRITE_VAE_PRESETS = {
    "default": SpriteVAEPreset(
        sprites={"num_scales": 4, "num_orientations": 4, "num_positions": 12, "image_size": 32},
        latent_dim=5,
        hidden=(256, 128),
        n_steps=4000,
        batch_size=64,
        lr=1e-3,
        holdout=0.2,
    ),
    "quick": SpriteVAEPreset(
        sprites={"num_scales": 2, "num_orientations": 2, "num_positions": 6, "image_size": 16},
        latent_dim=3,
        hidden=(64, 32),
        n_steps=150,
        batch_size=32,
        lr=2e-3,
        holdout=0.2,
    ),
}


def sprite_vae_preset(quick: bool = False) -> SpriteVAEPreset:
    """``SPRITE_VAE_PRESETS["quick"]`` if ``quick`` else ``SPRITE_VAE_PRESETS["default"]``."""
    if not isinstance(quick, (bool, np.bool_)):
        raise TypeError(f"quick must be a bool; got {quick!r}")
    return SPRITE_VAE_PRESETS["quick" if quick else "default"]
