r"""What the biases need of a VAE: its public component API (:mod:`impossibility.vae`), checked.

:func:`~impossibility.biases.refit_encoder` differentiates :math:`\log p_\theta(x\mid R^\top z')`
through the decoder, :class:`~impossibility.biases.AdaGVAE` trains the encoder and decoder of a
VAE on pairs, and :func:`~impossibility.biases.linear_vae_parameters` reads a linear decoder's
weights. All of them use only the VAE's public methods (``encoder_forward`` / ``encoder_backward``,
``decoder_forward`` / ``decoder_backward``, ``observation_log_likelihood``, the ``decoder``
network's ``input_gradient``); this module states that contract and checks it.
"""

from __future__ import annotations

from typing import Any, Protocol

from impossibility._typing import Array
from impossibility._validation import check_choice, check_has_methods, check_int
from impossibility.vae import VAEComponents

__all__ = ["VAELike", "VAE_METHODS", "check_vae"]

#: The methods of a VAE that the biases call.
VAE_METHODS = (
    "encode",
    "parameters",
    "encoder_forward",
    "encoder_backward",
    "decoder_forward",
    "decoder_backward",
    "observation_log_likelihood",
)
_WHAT = "an impossibility.vae.VAE"


class VAELike(VAEComponents, Protocol):
    """A :class:`~impossibility.vae.VAE`: its component API plus the network passes."""

    likelihood: str
    obs_std: float | None

    def parameters(self) -> dict[str, Array]: ...

    def encoder_forward(self, x: Array) -> tuple[Array, Array, Any]: ...

    def encoder_backward(self, cache: Any, dmu: Array, dlogvar: Array) -> dict[str, Array]: ...

    def decoder_forward(self, z: Array) -> tuple[Array, Any]: ...

    def decoder_backward(self, cache: Any, d_out: Array) -> tuple[Array, dict[str, Array]]: ...


def check_vae(vae: Any) -> VAELike:
    """Validate that ``vae`` offers :data:`VAE_METHODS` (``TypeError``) and sane sizes."""
    check_has_methods(vae, "vae", VAE_METHODS, what=_WHAT)
    check_has_methods(getattr(vae, "decoder", None), "vae.decoder", ("input_gradient",), what=_WHAT)
    check_int(getattr(vae, "latent_dim", None), "vae.latent_dim", minimum=1)
    check_int(getattr(vae, "x_size", None), "vae.x_size", minimum=1)
    check_choice(getattr(vae, "likelihood", None), "vae.likelihood", ("bernoulli", "gaussian"))
    return vae
