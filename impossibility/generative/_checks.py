"""Argument checks shared by several modules of :mod:`impossibility.generative`.

They follow :mod:`impossibility._validation`: ``TypeError`` for an object of the wrong kind,
``ValueError`` for a right kind with a wrong value (here: a wrong number of coordinates).
"""

from __future__ import annotations

from typing import Any

from .._preserves import check_preserves_prior
from .noisy_decoder import GaussianNoiseDecoder
from .nonlinearities import InvertibleNonlinearity

__all__ = ["check_nonlinearity", "check_noise_decoder", "check_twin_prior"]


def check_twin_prior(generator: Any, prior: Any) -> None:
    r"""``ValueError`` if ``generator`` is a twin :math:`g\circ f^{-1}` (possibly inside a
    :class:`GaussianNoiseDecoder`, possibly a twin of a twin) whose :math:`f` does not preserve
    ``prior``: then :math:`\log p(x)` would be that of a different model, silently."""
    from .twin import EntangledGenerator  # twin imports this module's neighbours

    obj = generator
    for _ in range(64):  # a chain of twins is short; the bound only guards a cyclic object
        if isinstance(obj, GaussianNoiseDecoder):
            obj = obj.mean
        elif isinstance(obj, EntangledGenerator):
            if obj.check_prior:
                check_preserves_prior(obj.f, prior, obj.d, name="the twin's f")
            obj = obj.g
        else:
            return


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
