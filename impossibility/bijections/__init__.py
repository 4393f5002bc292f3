r"""Bijectors batched over rows, in the conventions of TensorFlow Probability and distrax.

``forward_and_log_det`` / ``inverse_and_log_det`` are the primitives; :class:`Chain` composes in
TFP order; :class:`Gaussianize` is the map :math:`G_i(u_i)=\Phi^{-1}(F_i(u_i))` that carries a
factorized prior to :math:`\mathcal N(0,I)`, stable in both tails.

How it is built: docs/package.md §bijections.
"""

from .._validation import check_orthogonal
from .base import Bijector, Inverse
from .chain import Chain
from .elementwise import Elementwise
from .gaussianize import LOG_SQRT_2PI, Gaussianize
from .orthogonal import Orthogonal

__all__ = [
    "Bijector",
    "Inverse",
    "Chain",
    "Elementwise",
    "Orthogonal",
    "Gaussianize",
    "LOG_SQRT_2PI",
    "check_orthogonal",
]
