r"""Generative models :math:`x=g(z)` and the invariance of :math:`p(x)` under Theorem 1.

.. math:: \hat g = g\circ f^{-1},\quad f_\#p=p\ \Longrightarrow\ p_{\hat g}(x)=p_g(x).

A generative model is a prior :math:`p(z)` and a decoder; its entangled twin keeps the prior and
uses :math:`g\circ f^{-1}` (docs/theory.md §1.6). The decoders: :class:`InvertibleMLP` (a bijector,
with :class:`TanhResidual` or :class:`InvertibleLeakyReLU` between its layers),
:class:`InjectiveMLP` (:math:`D\ge d`) and :class:`GaussianNoiseDecoder`; the twin:
:func:`entangle_generator`. :math:`\log p(x)` of a model and of its twin is computed
independently: exactly by the change of variables (:func:`log_px_exact`), or for a noisy decoder
by quadrature (:func:`log_px_quadrature`) or importance sampling (:func:`log_px_importance`).

How it is built: docs/package.md §generative.
"""

from .injective_mlp import InjectiveMLP
from .invertible_mlp import InvertibleMLP
from .likelihood_exact import log_px_exact
from .likelihood_importance import log_px_importance
from .likelihood_quadrature import log_px_quadrature, quadrature_nodes
from .noisy_decoder import GaussianNoiseDecoder
from .nonlinearities import InvertibleLeakyReLU, InvertibleNonlinearity, TanhResidual
from .twin import EntangledBijector, EntangledGenerator, entangle_generator

__all__ = [
    "InvertibleNonlinearity",
    "TanhResidual",
    "InvertibleLeakyReLU",
    "InvertibleMLP",
    "InjectiveMLP",
    "GaussianNoiseDecoder",
    "EntangledGenerator",
    "EntangledBijector",
    "entangle_generator",
    "log_px_exact",
    "log_px_quadrature",
    "log_px_importance",
    "quadrature_nodes",
]
