"""Shared helpers of the symbolic tests: bulk sample points and the numeric-agreement measure.

Tolerances for numeric agreement (symbolic closed forms, lambdified to float64, vs the stable
numeric package): points are drawn at quantiles in [0.02, 0.98], where the naive closed forms are
well conditioned (erfinv at |arg| ≤ 0.96, tan away from ±π/2); both sides are float64 evaluations
of the same function, measured to agree to ≤ 3e-14 in relative terms. The promise is
``tolerances.SYMBOLIC_VS_NUMERIC`` = 1e-12, used as a mixed tolerance |a − b| ≤ 1e-12·max(1, |b|).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

from impossibility import symbolic as S


def _max_rel_error(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))))


def _bulk_points(name: str, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    return S.PRIORS[name].scipy().ppf(rng.uniform(0.02, 0.98, size=(n, d)))


def _numeric_A(m: S.SymbolicMap, values: dict[str, float]) -> np.ndarray:
    subs = {p: values[p.name] for p in m.params}
    return np.array(m.A.subs(subs), dtype=np.float64)


@pytest.fixture
def max_rel_error() -> Callable[..., float]:
    """max |a − b| / max(1, |b|): the mixed relative error the agreement tolerance bounds."""
    return _max_rel_error


@pytest.fixture
def bulk_points() -> Callable[[str, int, int, np.random.Generator], np.ndarray]:
    """``(n, d)`` points of a registry prior at quantiles in [0.02, 0.98]."""
    return _bulk_points


@pytest.fixture
def numeric_A() -> Callable[[S.SymbolicMap, dict[str, float]], np.ndarray]:
    """The float64 matrix of a symbolic map's linear inner map at given parameter values."""
    return _numeric_A
