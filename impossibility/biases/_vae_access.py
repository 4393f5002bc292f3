r"""Every access of :mod:`impossibility.biases` to a VAE's networks and decoder likelihood.

.. math:: \log p_\theta(x\mid y),\quad \nabla_y\log p_\theta(x\mid y),\quad
          y=\mathrm{dec}_\theta(z),\ (\mu,\log\sigma^2)=\mathrm{enc}_\phi(x)

:func:`~impossibility.biases.refit_encoder`, :func:`~impossibility.biases.linear_vae_parameters`
and :class:`~impossibility.biases.AdaGVAE` need the encoder and decoder as differentiable maps,
which :class:`~impossibility.vae.VAE` does not yet expose publicly. They reach its ``encoder`` /
``decoder`` :class:`~impossibility.nn.Sequential` networks and its likelihood settings only
through the functions here, so that moving to a public component API changes this file alone.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

from numpy.typing import ArrayLike

from impossibility import nn
from impossibility._typing import Array
from impossibility._validation import check_choice, check_has_methods, check_int

__all__ = [
    "VAELike",
    "check_vae",
    "decoder_backward",
    "decoder_forward",
    "decoder_input_grad",
    "decoder_log_likelihood",
    "encoder_backward",
    "encoder_forward",
    "linear_decoder",
    "sequential_input_grad",
]

_WHAT = "an impossibility.vae.VAE"


class VAELike(Protocol):
    """What :mod:`impossibility.biases` uses of a :class:`~impossibility.vae.VAE`."""

    latent_dim: int
    x_size: int
    likelihood: str
    obs_std: float | None

    @property
    def prior(self) -> Any: ...

    @property
    def prior_is_standard_normal(self) -> bool: ...

    def encode(self, x: ArrayLike) -> tuple[Array, Array]: ...

    def parameters(self) -> dict[str, Array]: ...


def check_vae(vae: Any, *, networks: tuple[str, ...] = ("decoder",)) -> VAELike:
    """Validate the structure of ``vae`` (``TypeError``); the prior is the caller's business."""
    check_has_methods(vae, "vae", ("encode", "parameters"), what=_WHAT)
    for net in networks:
        check_has_methods(
            getattr(vae, net, None), f"vae.{net}", ("forward", "backward"), what=_WHAT
        )
    check_int(getattr(vae, "latent_dim", None), "vae.latent_dim", minimum=1)
    check_int(getattr(vae, "x_size", None), "vae.x_size", minimum=1)
    check_choice(getattr(vae, "likelihood", None), "vae.likelihood", ("bernoulli", "gaussian"))
    return vae


def decoder_log_likelihood(vae: VAELike, out: Array, x: Array) -> tuple[Array, Array]:
    r""":math:`\log p(x\mid\text{decoder output})` per row and its gradient in the output."""
    if vae.likelihood == "bernoulli":
        return nn.bernoulli_log_likelihood(out, x)
    obs_logvar = getattr(vae, "obs_logvar", None)
    if obs_logvar is not None:
        logvar: Array | float = obs_logvar
    else:
        logvar = 2.0 * math.log(vae.obs_std) if vae.obs_std is not None else 0.0
    ll, gm, _ = nn.gaussian_log_likelihood(out, logvar, x)
    return ll, gm


def encoder_forward(vae: VAELike, x: Array) -> tuple[Array, Any]:
    """Encoder output ``[μ, log σ²]`` of shape (n, 2d) and the cache for its backward pass."""
    return vae.encoder.forward(x)  # type: ignore[attr-defined]


def encoder_backward(vae: VAELike, cache: Any, dh: Array) -> dict[str, Array]:
    """Gradients of the encoder's parameters (keys without the ``encoder.`` prefix)."""
    _, grads = vae.encoder.backward(cache, dh, input_grad=False)  # type: ignore[attr-defined]
    return grads


def decoder_forward(vae: VAELike, z: Array) -> tuple[Array, Any]:
    """Raw decoder output (logits or means) and the cache for its backward pass."""
    return vae.decoder.forward(z)  # type: ignore[attr-defined]


def decoder_backward(vae: VAELike, cache: Any, dy: Array) -> tuple[Array, dict[str, Array]]:
    """Cotangent of the codes and gradients of the decoder's parameters."""
    return vae.decoder.backward(cache, dy)  # type: ignore[attr-defined]


def decoder_input_grad(vae: VAELike, cache: Any, dy: Array) -> Array:
    """Cotangent of the codes only, without forming the weight gradients."""
    return sequential_input_grad(vae.decoder, cache, dy)  # type: ignore[attr-defined]


def sequential_input_grad(net: nn.Sequential, cache: Any, dy: Array) -> Array:
    """∂L/∂(input) of an :class:`~impossibility.nn.Sequential`, skipping its weight gradients."""
    for layer, layer_cache in zip(reversed(net.layers), reversed(cache), strict=True):
        if isinstance(layer, nn.Linear):
            dy = dy @ layer.W.T
        else:
            dy, _ = layer.backward(layer_cache, dy)
    return dy


def linear_decoder(vae: VAELike) -> tuple[Array, Array] | None:
    """``(W_nn, b)`` of a decoder that is a single :class:`~impossibility.nn.Linear`, else ``None``.

    ``nn.Linear`` computes :math:`zW_{nn}+b`.
    """
    dec = getattr(vae, "decoder", None)
    if dec is None or len(dec) != 1 or not isinstance(dec[0], nn.Linear):
        return None
    return dec[0].W, dec[0].b
