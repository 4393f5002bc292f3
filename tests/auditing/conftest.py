"""Fixtures of the audit tests: aligned codes of known factors, small enough to search fast."""

from __future__ import annotations

import numpy as np
import pytest


def aligned_codes(n: int, k: int, seed: int, noise: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Factors with 6 values each and codes equal to them, standardised, plus small noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 6, size=(n, k))
    z = (y - y.mean(axis=0)) / y.std(axis=0) + noise * rng.standard_normal((n, k))
    return z, y


@pytest.fixture(scope="module")
def aligned() -> tuple[np.ndarray, np.ndarray]:
    """1,000 points, 3 factors, codes = standardised factors + N(0, 0.05²)."""
    return aligned_codes(1000, 3, 0)


@pytest.fixture(scope="session")
def make_aligned():
    """The factory behind ``aligned``: ``make_aligned(n, k, seed, noise=0.05)``."""
    return aligned_codes
