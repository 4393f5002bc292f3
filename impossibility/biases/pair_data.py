r"""Pairs of observations that share all but :math:`k` ground-truth factors (weak supervision).

.. math:: c\sim p(c),\qquad \tilde c_j=c_j\ (j\notin S),\qquad
          \tilde c_j\sim\mathrm{Unif}\big(\{0,\dots,n_j-1\}\setminus\{c_j\}\big)\ (j\in S),
          \qquad |S|=k

The data of the pair-based methods (docs/theory.md §5.3): :func:`make_pair_dataset` renders the two
observations of each factor pair from any ground-truth data set, and :class:`VaryingFactors` drops
the factors that take a single value (the metrics normalise by each factor's entropy, so every
factor must vary).
"""

from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from impossibility._typing import Array, GroundTruthDataLike
from impossibility._validation import check_has_methods, check_int, check_rng

__all__ = ["VaryingFactors", "sample_factor_pairs", "make_pair_dataset"]


class NamedGroundTruthDataLike(GroundTruthDataLike, Protocol):
    """A ground-truth data set that also names its factors and its observation shape."""

    @property
    def factor_names(self) -> Sequence[str]: ...

    @property
    def observation_shape(self) -> tuple[int, ...]: ...


def _check_data(data: object, methods: tuple[str, ...]) -> None:
    what = "a ground-truth data set, e.g. impossibility.data.ProceduralSprites"
    check_has_methods(data, "data", methods, what=what)


class VaryingFactors:
    r"""A ground-truth data set restricted to its factors that take more than one value.

    The metrics normalise by each factor's entropy, so a factor fixed to one value (e.g.
    ``ProceduralSprites(num_orientations=1)``) must be dropped; the observations are rendered with
    the constant factors at value 0.

    Parameters
    ----------
    data : GroundTruthData
        Any object with ``factors_num_values``, ``factor_names``, ``observation_shape`` and
        ``sample_observations_from_factors``.
    """

    def __init__(self, data: NamedGroundTruthDataLike):
        _check_data(data, ("sample_observations_from_factors",))
        sizes = list(data.factors_num_values)
        self.data = data
        self.keep = [i for i, s in enumerate(sizes) if s > 1]
        if not self.keep:
            raise ValueError("every factor of the data set takes a single value")
        self.factors_num_values = [sizes[i] for i in self.keep]
        self.factor_names = [data.factor_names[i] for i in self.keep]
        self.observation_shape = tuple(data.observation_shape)
        self._full = len(sizes)

    @property
    def num_factors(self) -> int:
        return len(self.keep)

    def __repr__(self) -> str:
        return f"VaryingFactors({self.data!r}, keep={self.factor_names})"

    def sample_factors(self, n: int, rng: np.random.Generator) -> NDArray[np.int64]:
        """Independent uniform factors, shape (n, K') (column by column, as the data set does)."""
        check_rng(rng)
        n = check_int(n, "n", minimum=0)
        return np.column_stack([rng.integers(s, size=n) for s in self.factors_num_values]).astype(
            np.int64
        )

    def expand(self, factors: ArrayLike) -> NDArray[np.int64]:
        """The full factor array (constant factors at 0), shape (n, K)."""
        f = np.asarray(factors)
        if f.dtype.kind not in "iu":
            raise TypeError(f"factors must be an array of integers; got dtype {f.dtype}")
        if f.ndim != 2 or f.shape[1] != self.num_factors:
            raise ValueError(f"factors must have shape (n, {self.num_factors}); got {f.shape}")
        full = np.zeros((f.shape[0], self._full), dtype=np.int64)
        full[:, self.keep] = f
        return full

    def sample_observations_from_factors(
        self, factors: ArrayLike, rng: np.random.Generator
    ) -> Array:
        """Observations for factors of the varying subset, shape (n, *observation_shape)."""
        return self.data.sample_observations_from_factors(self.expand(factors), rng)

    def sample(self, n: int, rng: np.random.Generator) -> tuple[NDArray[np.int64], Array]:
        """Draw ``(factors, observations)``."""
        f = self.sample_factors(n, rng)
        return f, self.sample_observations_from_factors(f, rng)

    def sample_observations(self, n: int, rng: np.random.Generator) -> Array:
        """Draw ``n`` observations."""
        return self.sample(n, rng)[1]


def sample_factor_pairs(
    data: GroundTruthDataLike, n: int, k: int, rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    r"""Factor pairs :math:`(c,\tilde c)` that differ in exactly ``k`` factors.

    Draw :math:`c\sim` ``data.sample_factors``; choose :math:`k` distinct factors uniformly among
    those with at least two values and give each a new value drawn uniformly among its *other*
    values (so exactly :math:`k` factors differ; the reference's ``simple_dynamics`` redraws from
    all values, so a "changed" factor may keep its value there).

    Returns
    -------
    factors1, factors2 : ndarray of int64, shape (n, K)
    """
    check_rng(rng)
    _check_data(data, ("sample_factors", "sample_observations_from_factors"))
    n = check_int(n, "n", minimum=1)
    sizes = np.asarray(data.factors_num_values)
    changeable = np.flatnonzero(sizes > 1)
    k = check_int(k, "k", minimum=1, maximum=changeable.size)
    f1 = np.asarray(data.sample_factors(n, rng), dtype=np.int64)
    order = np.argsort(rng.random((n, changeable.size)), axis=1)[:, :k]
    cols = changeable[order]  # (n, k)
    f2 = f1.copy()
    rows = np.repeat(np.arange(n), k)
    c = cols.reshape(-1)
    shift = 1 + (rng.random(n * k) * (sizes[c] - 1)).astype(np.int64)  # 1..n_c−1
    f2[rows, c] = (f1[rows, c] + shift) % sizes[c]
    return f1, f2


def make_pair_dataset(
    data: GroundTruthDataLike, n: int, k: int, rng: np.random.Generator
) -> tuple[Array, Array, NDArray[np.int64], NDArray[np.int64]]:
    """``n`` observation pairs sharing all but ``k`` factors: ``(x1, x2, factors1, factors2)``."""
    f1, f2 = sample_factor_pairs(data, n, k, rng)
    x1 = np.asarray(data.sample_observations_from_factors(f1, rng), dtype=np.float64)
    x2 = np.asarray(data.sample_observations_from_factors(f2, rng), dtype=np.float64)
    return x1, x2, f1, f2
