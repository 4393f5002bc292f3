"""Every argument check of the package, with one convention (scikit-learn's).

A wrong *type* (a float where an integer is expected, a ``RandomState`` where a ``Generator`` is,
an object without the methods a protocol needs, text where numbers are) raises ``TypeError``; a
right type with a wrong *value* (a negative count, a wrong shape, NaN, a matrix that is not
orthogonal, an option that does not exist) raises ``ValueError``. Every message names the
argument, quotes what was given and says what was expected.

Public functions call these at their boundary, once; internal code trusts its inputs.
"""

from __future__ import annotations

import numbers
from typing import Any, Collection, Iterable

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "all_below",
    "all_finite",
    "as_array",
    "as_matrix",
    "as_points",
    "check_choice",
    "check_dimension",
    "check_finite",
    "check_bijector_like",
    "check_has_methods",
    "check_int",
    "check_orthogonal",
    "check_prior_like",
    "check_rng",
    "check_same_rows",
    "check_scalar",
    "orthogonality_tolerance",
]

Array = NDArray[np.float64]


def _short(value: Any, width: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


# ------------------------------------------------------------------------------------ scalars
def check_rng(rng: Any, name: str = "rng") -> np.random.Generator:
    """Return ``rng`` if it is a :class:`numpy.random.Generator`, else raise ``TypeError``.

    The package draws randomness only from explicit Generators (never the legacy global state or
    ``RandomState``), so every result is reproducible from its seed.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator (e.g. np.random.default_rng(0)); "
            f"got {type(rng).__name__}"
        )
    return rng


def _bounds_text(minimum: Any, maximum: Any, include_min: bool, include_max: bool) -> str:
    parts = []
    if minimum is not None:
        parts.append(f"{'>=' if include_min else '>'} {minimum}")
    if maximum is not None:
        parts.append(f"{'<=' if include_max else '<'} {maximum}")
    return " and ".join(parts)


def check_int(
    value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Return ``value`` as an ``int`` in ``[minimum, maximum]``.

    Raises
    ------
    TypeError
        If ``value`` is not an integer (``bool`` and whole floats such as ``2.0`` are refused: a
        dimension or a count is never a float).
    ValueError
        If it lies outside the bounds.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {_short(value)} ({type(value).__name__})")
    v = int(value)
    if (minimum is not None and v < minimum) or (maximum is not None and v > maximum):
        raise ValueError(
            f"{name} must be an integer {_bounds_text(minimum, maximum, True, True)}; got {v}"
        )
    return v


def check_dimension(d: Any, name: str = "d") -> int:
    """Return the latent dimension ``d`` of Theorem 1 as an ``int``; it must be an integer ≥ 2.

    In one dimension the only continuous bijections that preserve a continuous law are the
    identity and the quantile reflection, so nothing can be entangled.
    """
    d = check_int(d, name)
    if d < 2:
        raise ValueError(
            f"{name} = {d}: Theorem 1 needs d ≥ 2. In one dimension the only continuous bijections "
            "that preserve a continuous law are the identity and the quantile reflection; nothing "
            "can be entangled"
        )
    return d


def check_scalar(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    include_min: bool = True,
    include_max: bool = True,
) -> float:
    """Return a finite real ``value`` as ``float``, within the given bounds.

    Raises
    ------
    TypeError
        If ``value`` is not a real number (``bool``, strings, complex and arrays are refused).
    ValueError
        If it is NaN or infinite, or outside the bounds.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            value = value.item()
        else:
            raise TypeError(
                f"{name} must be a real number; got {_short(value)} ({type(value).__name__})"
            )
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite; got {v}")
    low_bad = minimum is not None and (v < minimum if include_min else v <= minimum)
    high_bad = maximum is not None and (v > maximum if include_max else v >= maximum)
    if low_bad or high_bad:
        raise ValueError(
            f"{name} must be {_bounds_text(minimum, maximum, include_min, include_max)}; got {v!r}"
        )
    return v


def check_choice(value: Any, name: str, options: Collection[str]) -> str:
    """Return ``value`` if it is one of ``options`` (strings); else ``TypeError``/``ValueError``."""
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be one of {sorted(options)} (a string); got {_short(value)} "
            f"({type(value).__name__})"
        )
    if value not in options:
        raise ValueError(f"{name} must be one of {sorted(options)}; got {value!r}")
    return value


def check_has_methods(obj: Any, name: str, methods: Iterable[str], *, what: str = "") -> Any:
    """Return ``obj`` if it has every callable in ``methods`` (a structural protocol check).

    Raises ``TypeError`` naming the first missing method and, if given, ``what`` was expected.
    """
    for method in methods:
        if not callable(getattr(obj, method, None)):
            expected = f" ({what})" if what else ""
            raise TypeError(f"{name} must provide .{method}(){expected}; got {type(obj).__name__}")
    return obj


def check_prior_like(
    prior: Any,
    d: int,
    *,
    methods: Iterable[str] = ("log_prob", "sample"),
    consumer: str = "the model",
) -> Any:
    """Return ``prior`` if it is a factorized prior on R^d: ``marginals`` and ``methods``.

    A structural check (any object with these works); ``consumer`` names what takes the d
    coordinates, for the message of a dimension mismatch (``ValueError``).
    """
    check_has_methods(prior, "prior", methods, what="a FactorizedPrior")
    marginals = getattr(prior, "marginals", None)
    if marginals is None:
        raise TypeError(
            f"prior must be a FactorizedPrior (with .marginals); got {type(prior).__name__}"
        )
    if len(marginals) != d:
        raise ValueError(
            f"the prior has {len(marginals)} coordinates but {consumer} takes {d} latents"
        )
    return prior


def check_bijector_like(f: Any, d: int, *, name: str = "f", what: str = "the prior") -> Any:
    """Return ``f`` if it maps R^d to itself with ``forward`` and ``forward_and_log_det``.

    ``TypeError`` when a method is missing, ``ValueError`` when ``f.d`` is not ``d``.
    """
    check_has_methods(f, name, ("forward", "forward_and_log_det"), what="a Bijector")
    if getattr(f, "d", d) != d:
        raise ValueError(f"{name} acts on d = {f.d} coordinates but {what} has d = {d}")
    return f


# ------------------------------------------------------------------------------------- arrays
def all_finite(arr: NDArray[Any]) -> bool:
    """Whether every entry is finite, in one pass without a temporary boolean array.

    A NaN or ±inf anywhere makes the sum NaN or ±inf, so a finite sum proves every entry finite;
    only a non-finite sum (including overflow of huge finite values) needs the exact check.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(arr.sum()):
            return True
    return bool(np.all(np.isfinite(arr)))


def all_below(arr: NDArray[Any], bound: float = 1e300) -> bool:
    r"""Whether every entry is finite and of magnitude below ``bound``, from one reduction.

    :math:`\max_i |x_i| \le \lVert x\rVert_2`, so a finite sum of squares below ``bound²``
    proves every entry so (NaN and inf propagate through it); an isometry's image of such rows
    is then finite too (each output entry is at most the row's norm). One BLAS dot product
    reads the array once without a temporary, about 4x faster than ``min`` and ``max``. A False
    answer is only "not proven" (huge but finite entries): callers then check entry by entry.
    """
    if arr.size == 0:
        return True
    if not arr.flags.c_contiguous:  # ravel would copy: two plain reductions instead
        lo, hi = float(arr.min()), float(arr.max())
        return -bound < lo and hi < bound
    flat = arr.ravel()
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow only means "not proven"
        squares = float(np.dot(flat, flat))
    return squares < bound * bound if bound < 1e154 else bool(np.sqrt(squares) < bound)


def check_finite(arr: NDArray[Any], name: str) -> NDArray[Any]:
    """Return ``arr`` if every entry is finite; else ``ValueError`` quoting the first bad entry."""
    if not all_finite(arr):
        bad = ~np.isfinite(arr)
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} contains {int(bad.sum())} non-finite value(s) (NaN or inf; first: "
            f"{arr[where]} at index {where}); expected finite numbers"
        )
    return arr


def as_array(
    x: Any,
    name: str,
    *,
    ndim: int | None = None,
    shape: tuple[int | None, ...] | None = None,
    finite: bool = True,
    copy: bool = False,
) -> Array:
    """Convert ``x`` to float64 and check its dimensionality, shape and finiteness.

    ``shape`` may hold ``None`` for an axis of any length. Text, objects and complex numbers
    raise ``TypeError``; a wrong ``ndim``/``shape`` or a non-finite entry raises ``ValueError``.
    """
    raw = np.asarray(x)
    if raw.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be an array of real numbers; got dtype {raw.dtype} from {_short(x)}"
        )
    arr = np.array(raw, dtype=np.float64, copy=True) if copy else raw.astype(np.float64, copy=False)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array; got shape {arr.shape}")
    if shape is not None:
        ok = arr.ndim == len(shape) and all(
            s is None or s == a for s, a in zip(shape, arr.shape, strict=True)
        )
        if not ok:
            dims = ["n" if s is None else str(s) for s in shape]
            want = f"({dims[0]},)" if len(dims) == 1 else "(" + ", ".join(dims) + ")"
            raise ValueError(f"{name} must have shape {want}; got shape {arr.shape}")
    if finite:
        check_finite(arr, name)
    return arr


def as_points(z: ArrayLike, d: int, *, name: str = "z", finite: bool = True) -> Array:
    """Points as a finite float64 array of shape ``(n, d)``; one point ``(d,)`` becomes ``(1, d)``.

    Raises
    ------
    TypeError
        If ``z`` is not numeric.
    ValueError
        If the shape is neither ``(n, d)`` nor ``(d,)``, or (unless ``finite=False``) an entry
        is NaN or infinite.
    """
    arr = as_array(z, name, finite=False)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != d:
        raise ValueError(f"{name} must have shape (n, {d}) or ({d},); got shape {np.shape(z)}")
    return check_finite(arr, name) if finite else arr


def as_matrix(
    A: ArrayLike,
    name: str,
    *,
    shape: tuple[int | None, int | None] | None = None,
    square: bool = False,
) -> Array:
    """A finite float64 matrix; ``square=True`` requires shape ``(d, d)``."""
    arr = as_array(A, name, ndim=2, shape=shape, copy=True)
    if square and arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square (d, d) matrix; got shape {arr.shape}")
    return arr


def orthogonality_tolerance(d: int) -> float:
    r"""The package's one orthogonality tolerance, :math:`10^3\,\varepsilon\,d`.

    A product of d rounded plane rotations, a QR factor or ``expm`` of a skew matrix stays well
    inside it (their error is a few ε·d); a matrix orthogonal only to 1e-8 does not.
    """
    return 1e3 * float(np.finfo(np.float64).eps) * d


def check_orthogonal(A: ArrayLike, *, atol: float | None = None, name: str = "A") -> Array:
    r"""Validate an orthogonal matrix and return it as float64.

    Accepted when :math:`\lVert A^\top A - I\rVert_\infty \le` ``atol``, by default
    ``orthogonality_tolerance``.

    Raises
    ------
    TypeError
        If ``A`` is not numeric.
    ValueError
        If ``A`` is not square, contains NaN/inf, or is not orthogonal within ``atol``.
    """
    arr = as_matrix(A, name, square=True)
    d = arr.shape[0]
    tol = orthogonality_tolerance(d) if atol is None else check_scalar(atol, "atol", minimum=0)
    err = float(np.max(np.abs(arr.T @ arr - np.eye(d))))
    if err > tol:
        raise ValueError(
            f"{name} is not orthogonal: max|{name}ᵀ{name} − I| = {err:.3g} > tolerance {tol:.3g}; "
            "only orthogonal maps preserve the standard normal N(0, I)"
        )
    return arr


def check_same_rows(**arrays: NDArray[Any]) -> int:
    """All arrays must have the same number of rows (samples); return it."""
    rows = {name: a.shape[0] for name, a in arrays.items()}
    if len(set(rows.values())) != 1:
        raise ValueError(f"arrays must have the same number of samples (rows); got {rows}")
    return next(iter(rows.values()))
