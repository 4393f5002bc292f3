r"""The floating-point precisions the networks train in: float64 (default) or float32.

A network holds its parameters, activations, gradients and Adam state in one dtype
:math:`\in\{\text{float32},\text{float64}\}`. float32 halves memory traffic and runs BLAS's
single-precision kernels; float64 (unit roundoff :math:`2^{-53}\approx1.1\cdot10^{-16}` against
float32's :math:`2^{-24}\approx6\cdot10^{-8}`) is what every gradient and invariance check uses.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["FLOAT_DTYPES", "check_dtype", "dtype_name"]

#: The dtypes a network can be built in.
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def check_dtype(dtype: Any, name: str = "dtype") -> np.dtype:
    """``dtype`` as a :class:`numpy.dtype`, which must be float32 or float64.

    Accepts ``np.float32``, ``np.float64``, their :class:`numpy.dtype` and the strings
    ``"float32"``/``"float64"``.

    Raises
    ------
    TypeError
        If ``dtype`` does not describe a NumPy dtype (e.g. ``3`` or ``None``).
    ValueError
        If it is a dtype other than float32 and float64 (e.g. float16 or int64).
    """
    if dtype is None or isinstance(dtype, (bool, int, float)):
        raise TypeError(f"{name} must be float32 or float64 (a NumPy dtype); got {dtype!r}")
    try:
        dt = np.dtype(dtype)
    except TypeError:
        if isinstance(dtype, str):  # a string is the right type, an unknown name a wrong value
            raise ValueError(f"{name} must be 'float32' or 'float64'; got {dtype!r}") from None
        raise TypeError(
            f"{name} must be float32 or float64 (a NumPy dtype); got {dtype!r} "
            f"({type(dtype).__name__})"
        ) from None
    if dt not in FLOAT_DTYPES:
        raise ValueError(f"{name} must be float32 or float64; got {dtype!r} ({dt})")
    return dt


def dtype_name(dtype: Any) -> str:
    """``"float32"`` or ``"float64"`` (what files and run records store)."""
    return check_dtype(dtype).name
