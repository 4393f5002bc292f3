r"""Ground-truth data sets generated locally (no download), with the interface the metrics need.

.. math:: c\sim\mathcal U\Big(\prod_k\{0,\dots,n_k-1\}\Big),\qquad x=\mathrm{render}(c).

Every data set is factors first, then observations (docs/metrics.md §5): :class:`GroundTruthData`
(base, with :func:`all_factors` and :func:`holdout_split`), :class:`ProceduralSprites`
(dSprites-like images), :class:`GaussianFactorSprites` (the same images from Gaussian factors,
:math:`z\mapsto\mathrm{render}(\lfloor n\Phi(z)\rfloor)`), :class:`TrueFactorOracle` (image →
exact factors) and :class:`ContinuousMixingData` (continuous factors through a known invertible
network and the :class:`AlgebraicSquash`).

How it is built: docs/package.md §data.
"""

from .base import GroundTruthData, all_factors, holdout_split
from .gaussian_sprites import GaussianFactorSprites, factors_from_gaussian, gaussian_from_factors
from .mixing import ContinuousMixingData
from .sprites import SPRITE_SHAPES, ProceduralSprites
from .squash import AlgebraicSquash
from .true_factors import TrueFactorOracle

__all__ = [
    "GroundTruthData",
    "ProceduralSprites",
    "ContinuousMixingData",
    "SPRITE_SHAPES",
    "all_factors",
    "holdout_split",
    "GaussianFactorSprites",
    "factors_from_gaussian",
    "gaussian_from_factors",
    "TrueFactorOracle",
    "AlgebraicSquash",
]
