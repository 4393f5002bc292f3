"""A context manager limiting the BLAS thread pool while small dense layers train.

Small matrices gain little from a second BLAS thread on an idle machine and lose badly when the
cores are shared: one thread per training run is the package's default.
"""

from __future__ import annotations

import contextlib
from typing import Any, ContextManager

from impossibility._validation import check_int

__all__ = ["blas_threads"]


def blas_threads(threads: int | None) -> ContextManager[Any]:
    """Context manager limiting the BLAS thread pool to ``threads`` (``None``: leave it alone).

    Uses ``threadpoolctl`` (installed with scikit-learn); a no-op if it is missing.

    Raises
    ------
    TypeError
        If ``threads`` is neither an integer nor ``None``.
    ValueError
        If it is smaller than 1.
    """
    if threads is None:
        return contextlib.nullcontext()
    threads = check_int(threads, "threads", minimum=1)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=threads, user_api="blas")
