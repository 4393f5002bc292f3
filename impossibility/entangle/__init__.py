r"""Theorem 1's entangling bijections and the other prior-preserving families.

The map of the theorem, :math:`f=G^{-1}\circ A\circ G`, is in ``theorem1``; every family here is
a conjugation :math:`G^{-1}\circ T\circ G` (:class:`Conjugated`) of a map :math:`T` that preserves
:math:`\mathcal N(0,I)`: a rotation (``rotations``, ``rotation_path``), a radius-dependent
rotation (:class:`Swirl`), the Darmois construction (:class:`DarmoisShear2D`), or a signed
permutation (``controls``, the negative controls).

How it is built: docs/package.md §entangle.
"""

from .conjugated import Conjugated
from .controls import permutation_bijection, quantile_reflection
from .darmois import DarmoisShear2D, linear_gaussian_darmois
from .rotation_path import RotationPath, random_skew
from .rotations import (
    default_min_abs_entry,
    householder_rotation,
    random_entangling_rotation,
    rotation_2d,
)
from .swirl import Swirl
from .theorem1 import EntanglingBijection, entangling_bijection

__all__ = [
    "Conjugated",
    "EntanglingBijection",
    "entangling_bijection",
    "random_entangling_rotation",
    "householder_rotation",
    "rotation_2d",
    "RotationPath",
    "random_skew",
    "Swirl",
    "DarmoisShear2D",
    "linear_gaussian_darmois",
    "permutation_bijection",
    "quantile_reflection",
    "default_min_abs_entry",
]
