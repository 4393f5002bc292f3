r"""Evaluating a score at a twin, and cheaply at a twin one Givens move away.

.. math:: s=\rho\big(S\big),\quad S_{i\cdot}=\sigma(z_{\cdot i},y)\in\mathbb R^K
          \qquad\Longrightarrow\qquad
          G_{ij}(\theta)A\ \text{changes only rows } i, j \text{ of } S

MIG, modularity and SAP are functions :math:`\rho` of a code-by-factor matrix :math:`S` whose
row :math:`i` depends on code :math:`i` alone (mutual information with each factor; accuracy of a
one-code classifier). A Givens move rotates two codes, so only two rows change: the move costs
:math:`2/d` of a full evaluation. Metrics without this structure are evaluated in full. The tests
check that the incremental value equals the metric's own value.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import numpy as np

from impossibility._typing import Array
from impossibility.metrics import (
    discrete_entropy,
    discrete_mutual_info,
    histogram_discretize,
    sap_score_matrix,
)

from .representation import TwinCodes

__all__ = ["PerCode", "Scorer", "MIG_ROWS", "MODULARITY_ROWS", "SAP_ROWS", "split_rows"]


@dataclasses.dataclass(frozen=True)
class PerCode:
    """A score :math:`\\rho(S)` of a matrix whose row ``i`` depends on code ``i`` only.

    ``matrix(z, y, rng)`` gives the rows of the columns of ``z`` (at least 2 columns);
    ``reduce(S, y)`` gives the score.
    """

    matrix: Callable[[Array, Array, np.random.Generator], Array]
    reduce: Callable[[Array, Array], float]


def split_rows(n: int, rng: np.random.Generator) -> tuple[Array, Array]:
    """Row indices of a training (first two thirds of a permutation) and a test set."""
    if n < 3:
        raise ValueError(f"this metric needs a training and a test set: at least 3 rows, got {n}")
    perm = rng.permutation(n)
    cut = (2 * n) // 3
    return perm[:cut], perm[cut:]


def _mi_rows(z: Array, y: Array, rng: np.random.Generator) -> Array:
    return discrete_mutual_info(histogram_discretize(z), y)


def _gap(s: Array) -> Array:
    top = np.sort(s, axis=0)[::-1]
    return top[0] - top[1]


def _mig(m: Array, y: Array) -> float:
    return float(np.mean(_gap(m) / discrete_entropy(y)))


def _modularity(m: Array, y: Array) -> float:
    m2 = m**2
    theta2 = m2.max(axis=1)
    ok = theta2 > 0
    score = np.zeros(m.shape[0])
    score[ok] = 1.0 - (m2[ok].sum(axis=1) - theta2[ok]) / (theta2[ok] * (y.shape[1] - 1.0))
    return float(score.mean())


def _sap_rows(z: Array, y: Array, rng: np.random.Generator) -> Array:
    tr, te = split_rows(z.shape[0], rng)
    return sap_score_matrix(z[tr], y[tr], z[te], y[te], rng=rng)


MIG_ROWS = PerCode(_mi_rows, _mig)
MODULARITY_ROWS = PerCode(_mi_rows, _modularity)
SAP_ROWS = PerCode(_sap_rows, lambda s, y: float(np.mean(_gap(s))))


class Scorer:
    """``start(A)`` and ``move(A, state, i, j)`` of one metric on one set of twins.

    Every call gets a Generator seeded with ``seed``, so all twins share the metric's own
    randomness (its split, its classifiers' seeds).
    """

    def __init__(
        self,
        twins: TwinCodes,
        factors: Array,
        fn: Callable[[Array, Array, np.random.Generator], float],
        per_code: PerCode | None,
        seed: int,
    ):
        self.twins, self.y, self.fn, self.per_code, self.seed = twins, factors, fn, per_code, seed

    def _rng(self) -> np.random.Generator:
        return np.random.default_rng(self.seed)

    def value(self, a: Array) -> float:
        """The metric's own value at twin ``a`` (no shortcut)."""
        return float(self.fn(self.twins(a), self.y, self._rng()))

    def start(self, a: Array) -> tuple[float, Any]:
        """Value at ``a`` and the state a move from ``a`` needs."""
        if self.per_code is None:
            return self.value(a), None
        s = self.per_code.matrix(self.twins(a), self.y, self._rng())
        return self.per_code.reduce(s, self.y), s

    def move(self, a: Array, state: Any, i: int, j: int) -> tuple[float, Any]:
        """Value at ``a``, which differs from the twin of ``state`` in codes ``i`` and ``j``."""
        if self.per_code is None:
            return self.value(a), None
        s = state.copy()
        s[[i, j]] = self.per_code.matrix(self.twins.columns(a, [i, j]), self.y, self._rng())
        return self.per_code.reduce(s, self.y), s
