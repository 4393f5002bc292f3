r"""The true-factor oracle of a sprite data set: image :math:`\mapsto` its exact factors, by lookup.

.. math:: r(x) = \Phi^{-1}\Big(\frac{k(x)+\tfrac12}{n}\Big),\qquad
          k(x)=\min\{c\ \text{in lexicographic order} : \mathrm{render}(c)=x\}.

Every factor combination is rendered once and each image stored under its bytes, so the oracle
reads the factors off any rendered image exactly. Combinations that render the same image (the
orientations of the symmetric square and ellipse) map to the first of them: their factors are
only known modulo that symmetry, as for any representation. The Gaussian coordinates make the
oracle a representation :math:`r(x)` whose entangled twin is :math:`f(r(x))`; the table also
gives the exact :math:`\log p(x)` of the data set (uniform factors).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._typing import Array
from .._validation import as_array, check_int
from .base import all_factors
from .gaussian_sprites import gaussian_from_factors
from .sprites import ProceduralSprites

__all__ = ["TrueFactorOracle"]


class TrueFactorOracle:
    r"""Exact factors of sprite images by lookup in the table of every render.

    Parameters
    ----------
    data : ProceduralSprites
        The data set (binary or supersampled: images are compared exactly).
    chunk : int, default=4096
        Combinations rendered per batch while building the table (memory control only).

    Attributes
    ----------
    combinations : ndarray of int64, shape (N, K)
        :func:`~impossibility.data.all_factors` of ``data``.
    canonical : ndarray of int64, shape (N,)
        For each combination, the index of the first combination rendering the same image.
    multiplicity : ndarray of int64, shape (N,)
        How many combinations have combination i as their representative (0 if i is not one).
    n_distinct_images : int
        Number of distinct images.
    """

    def __init__(self, data: ProceduralSprites, *, chunk: int = 4096) -> None:
        if not isinstance(data, ProceduralSprites):
            raise TypeError(f"data must be a ProceduralSprites; got {type(data).__name__}")
        chunk = check_int(chunk, "chunk", minimum=1)
        self.data = data
        self._binary = data.supersample == 1
        self.combinations = all_factors(data)
        self._table: dict[bytes, int] = {}
        n = len(self.combinations)
        canonical = np.empty(n, dtype=np.int64)
        rng = np.random.default_rng(0)  # the renderer is deterministic and does not use it
        for start in range(0, n, chunk):
            combos = self.combinations[start : start + chunk]
            keys = self._keys(data.sample_observations_from_factors(combos, rng))
            for i, key in enumerate(keys, start=start):
                canonical[i] = self._table.setdefault(key, i)
        self.canonical = canonical
        self.multiplicity = np.bincount(canonical, minlength=n)
        self.n_distinct_images = len(self._table)
        self._sizes = np.asarray(data.factors_num_values)

    def __repr__(self) -> str:
        return f"TrueFactorOracle({self.data!r}; {self.n_distinct_images} distinct images)"

    def _keys(self, images: Array) -> list[bytes]:
        flat = images.reshape(images.shape[0], -1)
        if self._binary:  # 1 bit per pixel
            return [row.tobytes() for row in np.packbits(flat > 0.5, axis=1)]
        return [row.tobytes() for row in np.ascontiguousarray(flat)]

    def _rows(self, images: ArrayLike) -> NDArray[np.int64]:
        arr = as_array(images, "images", shape=(None, *self.data.observation_shape))
        if self._binary and not np.all((arr == 0.0) | (arr == 1.0)):
            raise ValueError("images must be binary renders of this sprite data set (0 or 1)")
        try:
            return np.array([self._table[k] for k in self._keys(arr)], dtype=np.int64)
        except KeyError:
            raise ValueError("an image is not a render of this sprite data set") from None

    def factors(self, images: ArrayLike) -> NDArray[np.int64]:
        """The factors of each image (the first combination rendering it), int64 (n, K)."""
        return self.combinations[self._rows(images)]

    def __call__(self, images: ArrayLike) -> Array:
        r"""Gaussian coordinates :math:`\Phi^{-1}((k+\tfrac12)/n)` of the factors, shape (n, K)."""
        return gaussian_from_factors(self.factors(images), self._sizes)

    def log_prob(self, images: ArrayLike) -> Array:
        r"""Exact :math:`\log p(x)=\log(\#\{c:\mathrm{render}(c)=x\}/N)` (uniform factors), (n,)."""
        return np.log(self.multiplicity[self._rows(images)] / len(self.combinations))
