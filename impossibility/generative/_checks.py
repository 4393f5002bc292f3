"""Argument checks shared by several modules of :mod:`impossibility.generative`.

They follow :mod:`impossibility._validation`: ``TypeError`` for an object of the wrong kind,
``ValueError`` for a right kind with a wrong value (here: a wrong number of coordinates).
"""

from __future__ import annotations

from .noisy_decoder import GaussianNoiseDecoder
from .nonlinearities import InvertibleNonlinearity

__all__ = ["check_nonlinearity", "check_noise_decoder"]


def check_nonlinearity(h: object, name: str, d: int | None = None) -> InvertibleNonlinearity:
    """Return ``h`` if it is an :class:`InvertibleNonlinearity` able to act on ``d`` coordinates."""
    if not isinstance(h, InvertibleNonlinearity):
        raise TypeError(
            f"{name} must be an InvertibleNonlinearity (e.g. TanhResidual(1.0) or "
            f"InvertibleLeakyReLU(0.3)); got {type(h).__name__}"
        )
    if h.d is not None and d is not None and h.d != d:
        raise ValueError(f"{name} acts on {h.d} coordinates but the layer has {d}")
    return h


def check_noise_decoder(decoder: object) -> GaussianNoiseDecoder:
    """Return ``decoder`` if it is a :class:`GaussianNoiseDecoder`, else ``TypeError``."""
    if not isinstance(decoder, GaussianNoiseDecoder):
        raise TypeError(
            "decoder must be a GaussianNoiseDecoder (use entangle_generator(decoder, f) for the "
            f"twin); got {type(decoder).__name__}"
        )
    return decoder
