"""Input validation shared by the metrics (private).

Every public metric funnels its arrays through these helpers so that bad shapes, non-finite
values and non-integer factors are refused with a :class:`ValueError` that quotes the offending
value and says what was expected, instead of producing a silent ``NaN`` downstream.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from impossibility._validation import check_count

__all__ = [
    "as_codes",
    "as_factors",
    "check_same_rows",
    "check_num_bins",
    "check_generator",
    "sklearn_seed",
    "check_positive_int",
]


def _first_bad(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def as_codes(codes: Any, name: str = "codes", *, min_dims: int = 1) -> np.ndarray:
    """Return ``codes`` as a finite float64 array of shape ``(n, k)`` or raise ``ValueError``."""
    try:
        arr = np.asarray(codes, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be a numeric array of shape (n, k); got {codes!r:.80}"
        ) from exc
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_codes) (sample-major); got shape "
            f"{arr.shape}. Reshape a single code with x[:, None]."
        )
    n, k = arr.shape
    if n < 1:
        raise ValueError(f"{name} must contain at least one sample; got shape {arr.shape}")
    if k < min_dims:
        raise ValueError(
            f"{name} must have at least {min_dims} code dimension(s); got shape {arr.shape}"
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        where = _first_bad(bad)
        raise ValueError(
            f"{name} contains {int(bad.sum())} non-finite value(s) (first: {arr[where]} at index "
            f"{where}); the metrics need finite codes"
        )
    return arr


def as_factors(factors: Any, name: str = "factors", *, min_factors: int = 1) -> np.ndarray:
    """Return integer-valued ``factors`` as an int64 array of shape ``(n, m)`` or raise.

    Floating arrays are accepted when every entry is a finite whole number (e.g. ``3.0``).
    """
    arr = np.asarray(factors)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_factors) (sample-major); got shape "
            f"{arr.shape}. Reshape a single factor with y[:, None]."
        )
    if arr.shape[0] < 1:
        raise ValueError(f"{name} must contain at least one sample; got shape {arr.shape}")
    if arr.shape[1] < min_factors:
        raise ValueError(
            f"{name} must have at least {min_factors} factor(s); got shape {arr.shape}"
        )
    if arr.dtype == np.bool_:
        return arr.astype(np.int64)
    if np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.int64, copy=False)
    if not np.issubdtype(arr.dtype, np.floating):
        raise ValueError(f"{name} must hold integer class labels; got dtype {arr.dtype}")
    bad = ~np.isfinite(arr)
    if bad.any():
        where = _first_bad(bad)
        raise ValueError(
            f"{name} contains {int(bad.sum())} non-finite value(s) (first: {arr[where]} at index "
            f"{where}); factors must be integer class labels"
        )
    frac = arr != np.round(arr)
    if frac.any():
        where = _first_bad(frac)
        raise ValueError(
            f"{name} must hold integer class labels (discrete factors); found {arr[where]!r} at "
            f"index {where}. Discretize continuous factors first (e.g. with histogram_discretize)."
        )
    return arr.astype(np.int64)


def check_same_rows(**arrays: np.ndarray) -> int:
    """All arrays must have the same number of rows; return it."""
    rows = {name: a.shape[0] for name, a in arrays.items()}
    if len(set(rows.values())) != 1:
        raise ValueError(f"arrays must have the same number of samples (rows); got {rows}")
    return next(iter(rows.values()))


def check_positive_int(value: Any, name: str, minimum: int = 1) -> int:
    """An integer >= ``minimum`` (the package-wide check, with the metrics' default minimum of 1)."""
    return check_count(value, name, minimum)


def check_train_test(ztr: np.ndarray, ytr: np.ndarray, zte: np.ndarray, yte: np.ndarray) -> None:
    """Codes and factors of each split have matching rows; both splits have the same columns."""
    check_same_rows(codes_train=ztr, factors_train=ytr)
    check_same_rows(codes_test=zte, factors_test=yte)
    if ztr.shape[1] != zte.shape[1] or ytr.shape[1] != yte.shape[1]:
        raise ValueError(
            f"train and test must have the same columns; got codes {ztr.shape} / {zte.shape}, "
            f"factors {ytr.shape} / {yte.shape}"
        )


def check_num_bins(num_bins: Any, n_samples: int) -> int:
    """``num_bins`` must be an integer >= 2 and not exceed the number of samples."""
    num_bins = check_positive_int(num_bins, "num_bins", minimum=2)
    if n_samples < num_bins:
        raise ValueError(
            f"fewer samples ({n_samples}) than histogram bins (num_bins={num_bins}): the plug-in "
            "mutual information would be dominated by empty bins; use more samples or fewer bins"
        )
    return num_bins


def check_generator(rng: Any, name: str = "rng") -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"{name} must be a numpy.random.Generator (e.g. np.random.default_rng(0)); got "
            f"{type(rng).__name__}"
        )
    return rng


def sklearn_seed(rng: np.random.Generator) -> int:
    """Draw one ``random_state`` integer in ``[0, 2**32 - 1]`` for a scikit-learn estimator."""
    return int(rng.integers(0, 2**32, dtype=np.uint64))
