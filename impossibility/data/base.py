r"""Ground-truth data sets: K discrete factors first, then an observation rendered from them.

.. math:: c_k\sim\mathcal U\{0,\dots,n_k-1\}\ \text{independently},\qquad x = \mathrm{render}(c).

:class:`GroundTruthData` is the base class of the package's data sets and satisfies
:class:`~impossibility._typing.GroundTruthDataLike`, the interface the metrics need
(docs/metrics.md §5): ``num_factors``, ``factors_num_values``, ``sample_factors(n, rng)`` (column by
column, ``rng.integers(n_k, size=n)``) and ``sample_observations_from_factors(factors, rng)``.
:func:`all_factors` lists every factor combination and :func:`holdout_split` holds a random
fraction of them out for evaluation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._typing import Array, GroundTruthDataLike
from .._validation import check_int, check_rng, check_scalar

__all__ = ["GroundTruthData", "all_factors", "holdout_split"]


class GroundTruthData:
    """Base class: K discrete ground-truth factors and an observation rendered from them.

    Subclasses set ``factors_num_values``, ``factor_names`` and ``observation_shape`` and implement
    ``_observations`` on validated factors.
    """

    factors_num_values: list[int]
    factor_names: list[str]
    observation_shape: tuple[int, ...]

    @property
    def num_factors(self) -> int:
        """K, the number of ground-truth factors."""
        return len(self.factors_num_values)

    def __repr__(self) -> str:
        pairs = zip(self.factor_names, self.factors_num_values, strict=True)
        sizes = ", ".join(f"{n}={v}" for n, v in pairs)
        return f"{type(self).__name__}({sizes}; observation_shape={self.observation_shape})"

    def check_factors(self, factors: ArrayLike) -> NDArray[np.int64]:
        """Validate an integer factor array of shape (n, K) with 0 ≤ factors[:, k] < n_k.

        Raises
        ------
        TypeError
            For a non-integer dtype (floats are refused, even integral ones, to catch continuous
            values passed by mistake).
        ValueError
            For a wrong shape or an out-of-range value.
        """
        arr = np.asarray(factors)
        K = self.num_factors
        if not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(
                f"factors must be an integer array (values 0..n_k-1); got dtype {arr.dtype}"
            )
        if arr.ndim != 2 or arr.shape[1] != K:
            raise ValueError(f"factors must have shape (n, {K}); got shape {arr.shape}")
        arr = arr.astype(np.int64, copy=False)
        sizes = np.asarray(self.factors_num_values)
        bad = (arr < 0) | (arr >= sizes[None, :])
        if np.any(bad):
            r, c = np.argwhere(bad)[0]
            raise ValueError(
                f"factors[{r}, {c}] = {arr[r, c]} is out of range for factor {c} "
                f"({self.factor_names[c]!r}), which takes values 0..{sizes[c] - 1}"
            )
        return arr

    def sample_factors(self, n: int, rng: np.random.Generator) -> NDArray[np.int64]:
        """Draw ``n`` factor vectors, each factor independently uniform; shape (n, K), int64.

        Drawn column by column: ``rng.integers(n_k, size=n)`` for k = 0, …, K−1.
        """
        n = check_int(n, "n", minimum=0)
        rng = check_rng(rng)
        out = np.empty((n, self.num_factors), dtype=np.int64)
        for k, n_k in enumerate(self.factors_num_values):
            out[:, k] = rng.integers(n_k, size=n)
        return out

    def sample_observations_from_factors(
        self, factors: ArrayLike, rng: np.random.Generator
    ) -> Array:
        """Observations for the factors: float64, shape (n, *observation_shape)."""
        rng = check_rng(rng)
        return self._observations(self.check_factors(factors), rng)

    def _observations(self, factors: NDArray[np.int64], rng: np.random.Generator) -> Array:
        raise NotImplementedError

    def sample(self, n: int, rng: np.random.Generator) -> tuple[NDArray[np.int64], Array]:
        """``(factors, observations)``: factors first, then observations, from the same ``rng``."""
        factors = self.sample_factors(n, rng)
        return factors, self.sample_observations_from_factors(factors, rng)

    def sample_observations(self, n: int, rng: np.random.Generator) -> Array:
        """The observations of :meth:`sample`."""
        return self.sample(n, rng)[1]


def _sizes(data: GroundTruthDataLike) -> list[int]:
    sizes = getattr(data, "factors_num_values", None)
    if sizes is None:
        raise TypeError(
            f"data must be a ground-truth data set (with factors_num_values); got "
            f"{type(data).__name__}"
        )
    return [check_int(n, f"factors_num_values[{k}]", minimum=1) for k, n in enumerate(sizes)]


def all_factors(data: GroundTruthDataLike) -> NDArray[np.int64]:
    r"""Every factor combination of ``data``, one per row in lexicographic order; int64 (N, K).

    :math:`N=\prod_k n_k`; row :math:`r` is the multi-index of :math:`r` in the grid of shape
    ``factors_num_values`` (C order, the last factor fastest), so
    ``np.ravel_multi_index(all_factors(data).T, data.factors_num_values)`` is ``arange(N)``.
    """
    sizes = _sizes(data)
    return np.indices(sizes).reshape(len(sizes), -1).T.astype(np.int64)


def holdout_split(
    data: GroundTruthDataLike, holdout: float, rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    r"""Split every factor combination at random into ``(train, test)``.

    One permutation ``rng.permutation(N)`` of :func:`all_factors`; the first
    ``int(round(holdout * N))`` permuted combinations are the test set, the rest the training set
    (both int64, in permutation order). Held-out combinations never appear in training, so a model
    evaluated on them is tested on factor combinations it has not seen.

    Parameters
    ----------
    data : GroundTruthDataLike
    holdout : float
        Fraction of the combinations held out, in [0, 1].
    rng : numpy.random.Generator

    Returns
    -------
    train, test : ndarray of int64, shapes (N - n_test, K) and (n_test, K)
    """
    holdout = check_scalar(holdout, "holdout", minimum=0.0, maximum=1.0)
    rng = check_rng(rng)
    combos = all_factors(data)
    perm = rng.permutation(len(combos))
    n_test = int(round(holdout * len(combos)))
    return combos[perm[n_test:]], combos[perm[:n_test]]
