"""Argument checks shared by the package's public functions (one message per kind of mistake)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_rng", "check_count"]


def check_rng(rng: Any, name: str = "rng") -> np.random.Generator:
    """Return ``rng`` if it is a :class:`numpy.random.Generator`, else raise ``TypeError``.

    The package draws randomness only from explicit Generators (never the legacy global state),
    so every result is reproducible from its seed.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator (e.g. np.random.default_rng(0)); "
            f"got {type(rng).__name__}"
        )
    return rng


def check_count(n: Any, name: str, minimum: int = 0) -> int:
    """Return ``n`` as an int if it is an integer ≥ ``minimum`` (bools refused), else raise ``ValueError``."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {n!r}")
    return int(n)
