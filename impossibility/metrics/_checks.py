"""Argument checks of the metrics (private), built on :mod:`impossibility._validation`.

Codes are a finite float array :math:`z \\in \\mathbb R^{n \\times D}`, factors an integer array
:math:`y \\in \\mathbb Z^{n \\times K}`, both sample-major. scikit-learn's rule holds: a wrong type
(text or objects as codes or factors, a float as a count, a ``RandomState`` as ``rng``, a data
set without the methods of :class:`~impossibility._typing.GroundTruthDataLike`) raises
``TypeError``; a wrong value (shape, NaN, non-integer labels, too few samples) raises
``ValueError``, quoting what was given.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from impossibility._typing import Representation
from impossibility._validation import (
    as_array,
    check_finite,
    check_has_methods,
    check_int,
    check_same_rows,
)

__all__ = [
    "as_codes_and_factors",
    "as_split",
    "as_codes",
    "as_factors",
    "check_data",
    "check_dci_dims",
    "check_n_jobs",
    "check_num_bins",
    "check_representation",
    "check_train_test",
    "check_two_classes",
    "sklearn_seed",
]


def _check_sample_major(arr: np.ndarray, name: str, what: str, minimum: int, hint: str) -> None:
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_{what}s) (sample-major); got "
            f"shape {arr.shape}. Reshape a single {what} with {hint}[:, None]."
        )
    if arr.shape[0] < 1:
        raise ValueError(f"{name} must contain at least one sample; got shape {arr.shape}")
    if arr.shape[1] < minimum:
        raise ValueError(f"{name} must have at least {minimum} {what}(s); got shape {arr.shape}")


def as_codes(codes: ArrayLike, name: str = "codes", *, min_dims: int = 1) -> np.ndarray:
    """``codes`` as a finite float64 array of shape ``(n, D)`` with ``n >= 1``, ``D >= min_dims``.

    Raises ``TypeError`` for text, objects or complex numbers, ``ValueError`` for another shape
    or a NaN/inf entry.
    """
    arr = as_array(codes, name, finite=False)
    _check_sample_major(arr, name, "code dimension", min_dims, "x")
    return check_finite(arr, name)


def as_factors(factors: ArrayLike, name: str = "factors", *, min_factors: int = 1) -> np.ndarray:
    """Integer class labels as an int64 array of shape ``(n, K)``.

    Booleans and integers are taken as they are; floats only when every entry is a finite whole
    number (e.g. ``3.0``). Raises ``TypeError`` for text, objects or complex numbers,
    ``ValueError`` for another shape, NaN/inf or a fractional label.
    """
    arr = np.asarray(factors)
    if arr.dtype.kind not in "biu":
        arr = as_array(arr, name, finite=False)  # TypeError unless real numbers
    _check_sample_major(arr, name, "factor", min_factors, "y")
    if arr.dtype.kind in "biu":
        return arr.astype(np.int64, copy=False)
    check_finite(arr, name)
    frac = arr != np.round(arr)
    if frac.any():
        where = tuple(int(i) for i in np.argwhere(frac)[0])
        raise ValueError(
            f"{name} must hold integer class labels (discrete factors); found {arr[where]!r} at "
            f"index {where}. Discretize continuous factors first (e.g. with histogram_discretize)."
        )
    return _whole_floats_to_int64(arr)


_INT64_LIMIT = 2.0**63  # every float64 whole number of smaller magnitude is an exact int64


def _whole_floats_to_int64(arr: np.ndarray) -> np.ndarray:
    """Whole-number float labels as int64, keeping distinct labels distinct.

    Labels below 2⁶³ in magnitude convert exactly; a larger one would overflow the cast (all
    of them becoming the same int64, merging their classes), so then the labels are replaced by
    their ranks among the distinct values (``np.unique``), which keeps order and equality.
    """
    if np.all(np.abs(arr) < _INT64_LIMIT):
        return arr.astype(np.int64)
    _, inverse = np.unique(arr, return_inverse=True)
    return inverse.reshape(arr.shape).astype(np.int64)


def as_codes_and_factors(
    codes: ArrayLike, factors: ArrayLike
) -> tuple[np.ndarray, np.ndarray, int]:
    """``codes`` (n, D) and ``factors`` (n, K) validated together; returns them and n."""
    z = as_codes(codes, "codes")
    y = as_factors(factors, "factors")
    return z, y, check_same_rows(codes=z, factors=y)


def as_split(
    codes_train: ArrayLike,
    factors_train: ArrayLike,
    codes_test: ArrayLike,
    factors_test: ArrayLike,
    *,
    min_dims: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A train/test split of codes and factors, validated: ``(ztr, ytr, zte, yte)``."""
    ztr = as_codes(codes_train, "codes_train", min_dims=min_dims)
    zte = as_codes(codes_test, "codes_test")
    ytr = as_factors(factors_train, "factors_train")
    yte = as_factors(factors_test, "factors_test")
    check_train_test(ztr, ytr, zte, yte)
    raw_tr, raw_te = np.asarray(factors_train), np.asarray(factors_test)
    if raw_tr.dtype.kind == "f" or raw_te.dtype.kind == "f":
        both = np.concatenate([raw_tr, raw_te]).astype(np.float64)
        if not np.all(np.abs(both) < _INT64_LIMIT):  # rank labels of the two sets together
            joint = _whole_floats_to_int64(both).reshape(-1, ytr.shape[1])
            ytr, yte = joint[: len(ytr)], joint[len(ytr) :]
    return ztr, ytr, zte, yte


def check_train_test(ztr: np.ndarray, ytr: np.ndarray, zte: np.ndarray, yte: np.ndarray) -> None:
    """Codes and factors of each split have matching rows; both splits have the same columns."""
    check_same_rows(codes_train=ztr, factors_train=ytr)
    check_same_rows(codes_test=zte, factors_test=yte)
    if ztr.shape[1] != zte.shape[1] or ytr.shape[1] != yte.shape[1]:
        raise ValueError(
            f"train and test must have the same columns; got codes {ztr.shape} / {zte.shape}, "
            f"factors {ytr.shape} / {yte.shape}"
        )


def check_dci_dims(ztr: np.ndarray, ytr: np.ndarray) -> None:
    """DCI's entropies use logarithms of base D and K: both must be at least 2."""
    if ztr.shape[1] < 2 or ytr.shape[1] < 2:
        raise ValueError(
            f"DCI needs at least 2 codes and 2 factors (entropies use log base D and K); got "
            f"D={ztr.shape[1]}, K={ytr.shape[1]}"
        )


def check_two_classes(y: np.ndarray) -> None:
    """Every factor (column) of the training labels takes at least 2 values."""
    for k in range(y.shape[1]):
        if np.unique(y[:, k]).size < 2:
            raise ValueError(
                f"factor {k} takes a single value in the training set; a classifier needs at "
                "least 2 classes"
            )


def check_num_bins(num_bins: Any, n_samples: int) -> int:
    """``num_bins`` must be an integer >= 2 and not exceed the number of samples."""
    num_bins = check_int(num_bins, "num_bins", minimum=2)
    if n_samples < num_bins:
        raise ValueError(
            f"fewer samples ({n_samples}) than histogram bins (num_bins={num_bins}): the plug-in "
            "mutual information would be dominated by empty bins; use more samples or fewer bins"
        )
    return num_bins


def check_n_jobs(n_jobs: Any) -> int | None:
    """``None`` or a non-zero integer (joblib's convention: ``-1`` means all cores)."""
    if n_jobs is None:
        return None
    n_jobs = check_int(n_jobs, "n_jobs")
    if n_jobs == 0:
        raise ValueError("n_jobs must be None, positive, or negative (-1: all cores); got 0")
    return n_jobs


def check_representation(rep: Any) -> Representation:
    """``rep`` must be callable (observations ``(n, ...)`` to codes ``(n, D)``)."""
    if not callable(rep):
        raise TypeError(
            f"rep must be a callable mapping observations (n, ...) to codes (n, D); got "
            f"{type(rep).__name__}"
        )
    return rep


def check_data(data: Any) -> tuple[int, list[int]]:
    """Check that ``data`` follows :class:`~impossibility._typing.GroundTruthDataLike`.

    Returns ``K`` and the list of factor sizes :math:`n_k`.
    """
    what = "a GroundTruthDataLike data set: num_factors, factors_num_values and these methods"
    methods = ("sample_factors", "sample_observations_from_factors")
    check_has_methods(data, "data", methods, what=what)
    for attr in ("num_factors", "factors_num_values"):
        if not hasattr(data, attr):
            raise TypeError(f"data must provide .{attr} ({what}); got {type(data).__name__}")
    k = check_int(data.num_factors, "data.num_factors", minimum=1)
    values = [
        check_int(v, f"data.factors_num_values[{i}]", minimum=1)
        for i, v in enumerate(data.factors_num_values)
    ]
    if len(values) != k:
        raise ValueError(f"data.num_factors={k} does not match data.factors_num_values={values}")
    return k, values


def sklearn_seed(rng: np.random.Generator) -> int:
    """Draw one ``random_state`` integer in ``[0, 2**32 - 1]`` for a scikit-learn estimator."""
    return int(rng.integers(0, 2**32, dtype=np.uint64))
