r"""Central finite differences :math:`[f(a+he_i)-f(a-he_i)]/(2h)` and a norm-wise relative error.

The tools every hand-written backward pass of the package is tested with: the truncation error
is :math:`O(h^2f''')` and the rounding error :math:`O(\epsilon_{mach}|f|/h)`, so float64 and
:math:`h=10^{-6}` leave about 1e-9 relative accuracy.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from numpy.typing import ArrayLike

from impossibility._typing import Array
from impossibility._validation import as_array, check_scalar

__all__ = ["finite_difference_gradient", "relative_error"]


def finite_difference_gradient(fun: Callable[[], float], array: Array, *, h: float = 1e-6) -> Array:
    r"""Central finite-difference gradient of a scalar ``fun()`` with respect to ``array``.

    Perturbs ``array`` in place entry by entry: :math:`\partial f/\partial a_i\approx
    [f(a+he_i)-f(a-he_i)]/(2h)`, error :math:`O(h^2 f''')+O(\epsilon_{mach}|f|/h)`, and restores it.

    Parameters
    ----------
    fun : callable with no arguments returning a float
        Reads ``array`` (directly or through an object that holds it).
    array : ndarray of float64
        The array to differentiate with respect to (modified temporarily).
    h : float, default=1e-6
        Step.

    Raises
    ------
    TypeError
        If ``array`` is not a float64 array.
    ValueError
        If it is not contiguous (it could not be perturbed in place), or ``h`` is not positive.
    """
    if not isinstance(array, np.ndarray) or array.dtype != np.float64:
        raise TypeError(
            f"array must be a float64 numpy array for a meaningful check; got "
            f"{type(array).__name__} of dtype {getattr(array, 'dtype', None)}"
        )
    h = check_scalar(h, "h", minimum=0.0, include_min=False)
    grad = np.zeros_like(array)
    flat, gflat = array.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, array):
        raise ValueError("array must be contiguous so that it can be perturbed in place")
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = float(fun())
        flat[i] = old - h
        fm = float(fun())
        flat[i] = old
        gflat[i] = (fp - fm) / (2.0 * h)
    return grad


def relative_error(a: ArrayLike, b: ArrayLike) -> float:
    r"""Norm-wise relative error :math:`\lVert a-b\rVert/\max(\lVert a\rVert,\lVert b\rVert)` (0 if
    both vanish)."""
    a = as_array(a, "a", finite=False)
    b = as_array(b, "b", finite=False)
    if a.shape != b.shape:  # broadcasting would compare different things silently
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}")
    denom = max(float(np.linalg.norm(a)), float(np.linalg.norm(b)))
    return 0.0 if denom == 0.0 else float(np.linalg.norm(a - b)) / denom
