r"""Sprites driven by continuous Gaussian factors: a generator :math:`g:\mathbb R^K\to` images.

.. math::

    k_j(z)=\min\big(\lfloor n_j\,\Phi(z_j)\rfloor,\ n_j-1\big),\qquad
    g(z)=\mathrm{render}\big(k(z)\big),\qquad y_j(k)=\Phi^{-1}\Big(\frac{k_j+\tfrac12}{n_j}\Big).

Under :math:`z\sim\mathcal N(0,I_K)` every :math:`\Phi(z_j)` is uniform, so :math:`k(z)` is
uniform over all factor combinations: the law of :math:`g(z)` is exactly the data set's law, and
the latents of :math:`g` are the true factors. One convention for every factor, the orientation
included (:math:`\theta=2\pi k/n`, so :math:`z_j=0` is the half turn :math:`\theta=\pi`); the
twin :math:`g\circ f^{-1}` (Theorem 1's :math:`f`, a rotation for :math:`\mathcal N(0,I)`) renders
the same law of images from entangled latents. :math:`y(k)` maps factor indices back to the
Gaussian coordinates of their bins' quantile midpoints.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from .._typing import Array
from .._validation import as_array, as_points
from .sprites import ProceduralSprites

__all__ = ["GaussianFactorSprites", "factors_from_gaussian", "gaussian_from_factors"]

#: A Generator handed to the deterministic renderer, which does not use it.
_UNUSED_RNG_SEED = 0


def _sizes(factors_num_values: ArrayLike) -> NDArray[np.int64]:
    nv = np.asarray(factors_num_values)
    if nv.ndim != 1 or nv.size == 0 or not np.issubdtype(nv.dtype, np.integer):
        raise TypeError(
            f"factors_num_values must be a sequence of integers; got {factors_num_values!r}"
        )
    if np.any(nv < 1):
        raise ValueError(f"factors_num_values must be >= 1; got {nv.tolist()}")
    return nv


def factors_from_gaussian(z: ArrayLike, factors_num_values: ArrayLike) -> NDArray[np.int64]:
    r"""The factor indices :math:`k_j=\min(\lfloor n_j\Phi(z_j)\rfloor, n_j-1)`, int64 (n, K).

    Parameters
    ----------
    z : array_like, shape (n, K)
        Gaussian coordinates of the factors.
    factors_num_values : sequence of int
        :math:`n_1,\dots,n_K`.
    """
    nv = _sizes(factors_num_values)
    arr = as_points(z, nv.size, name="z")
    return np.minimum(np.floor(special.ndtr(arr) * nv), nv - 1).astype(np.int64)


def gaussian_from_factors(factors: ArrayLike, factors_num_values: ArrayLike) -> Array:
    r"""Gaussian coordinates of factor indices, :math:`y_j=\Phi^{-1}((k_j+\tfrac12)/n_j)`; (n, K).

    The inverse of :func:`factors_from_gaussian` up to the bin: ``factors_from_gaussian(y, nv)``
    returns ``factors``.
    """
    nv = _sizes(factors_num_values)
    k = np.asarray(factors)
    if not np.issubdtype(k.dtype, np.integer):
        raise TypeError(f"factors must be an integer array; got dtype {k.dtype}")
    as_array(k, "factors", shape=(None, nv.size))
    if np.any((k < 0) | (k >= nv)):
        raise ValueError(f"factors must lie in 0..n_k-1 for n_k = {nv.tolist()}")
    return special.ndtri((k + 0.5) / nv)


class GaussianFactorSprites:
    r"""The generator :math:`g(z)=\mathrm{render}(k(z))` of sprite images from Gaussian factors.

    Parameters
    ----------
    data : ProceduralSprites
        The sprite data set; :math:`K` = ``data.num_factors`` latents, one per factor (a factor
        with a single value, e.g. ``shape`` of a one-shape data set, ignores its latent).

    Examples
    --------
    >>> gen = GaussianFactorSprites(ProceduralSprites(num_scales=2, num_orientations=4,
    ...                                               num_positions=4))
    >>> gen.forward(np.zeros((1, 5))).shape
    (1, 32, 32, 1)
    """

    def __init__(self, data: ProceduralSprites) -> None:
        if not isinstance(data, ProceduralSprites):
            raise TypeError(f"data must be a ProceduralSprites; got {type(data).__name__}")
        self.data = data
        self.d = data.num_factors
        self.observation_shape = data.observation_shape

    def __repr__(self) -> str:
        return f"GaussianFactorSprites({self.data!r})"

    def factors(self, z: ArrayLike) -> NDArray[np.int64]:
        """The factor indices :math:`k(z)` of each row, int64 (n, K)."""
        return factors_from_gaussian(z, self.data.factors_num_values)

    def forward(self, z: ArrayLike) -> Array:
        """The rendered images :math:`g(z)`, shape (n, \\*observation_shape)."""
        rng = np.random.default_rng(_UNUSED_RNG_SEED)  # the renderer is deterministic
        return self.data.sample_observations_from_factors(self.factors(z), rng)

    __call__ = forward
