"""Shared type aliases, constants and the structural Protocols of the package's core parameters.

A Protocol says what a parameter must *do*, not what class it must be: a user's own prior,
bijector, decoder or data set works wherever it provides these methods. Runtime checks of the
same contracts live in :mod:`impossibility._validation` (``check_has_methods``).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Protocol, Sequence, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "Array",
    "LOG_2PI",
    "PriorLike",
    "BijectorLike",
    "GeneratorLike",
    "GroundTruthDataLike",
    "Representation",
]

#: A float64 NumPy array, the package's default array type.
Array = NDArray[np.float64]

#: log(2π), the constant of every Gaussian log-density.
LOG_2PI = math.log(2.0 * math.pi)

#: A function mapping a batch of observations to a batch of codes, ``(n, ...) → (n, k)``.
Representation = Callable[[np.ndarray], np.ndarray]


@runtime_checkable
class PriorLike(Protocol):
    """A factorized prior :math:`p(z)=\\prod_i p_i(z_i)` on :math:`\\mathbb R^d`."""

    @property
    def d(self) -> int: ...

    @property
    def marginals(self) -> Sequence[Any]: ...

    def log_prob(self, z: ArrayLike) -> Array: ...

    def sample(self, n: int, rng: np.random.Generator) -> Array: ...


@runtime_checkable
class BijectorLike(Protocol):
    """A smooth bijection of :math:`\\mathbb R^d` batched over rows (TFP / distrax conventions)."""

    @property
    def d(self) -> int: ...

    def forward_and_log_det(self, x: ArrayLike) -> tuple[Array, Array]: ...

    def inverse_and_log_det(self, y: ArrayLike) -> tuple[Array, Array]: ...

    def forward(self, x: ArrayLike) -> Array: ...

    def inverse(self, y: ArrayLike) -> Array: ...


@runtime_checkable
class GeneratorLike(Protocol):
    """A deterministic generator :math:`g:\\mathbb R^d\\to\\mathbb R^D`, batched over rows."""

    @property
    def d(self) -> int: ...

    def forward(self, z: ArrayLike) -> Array: ...


@runtime_checkable
class GroundTruthDataLike(Protocol):
    """A data set with discrete ground-truth factors, as the sampling-based metrics need it.

    ``num_factors`` is :math:`K`; ``factors_num_values[k]`` the number of values :math:`n_k` of
    factor k (labels ``0 .. n_k - 1``).
    """

    @property
    def num_factors(self) -> int: ...

    @property
    def factors_num_values(self) -> list[int]: ...

    def sample_factors(self, num: int, rng: np.random.Generator) -> np.ndarray:
        """Integer factors of shape ``(num, K)``."""
        ...

    def sample_observations_from_factors(
        self, factors: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """Observations of shape ``(num, *observation_shape)`` for the given factors."""
        ...
