"""The one argument check that several bias modules share: Theorem 1's map as a bijector."""

from __future__ import annotations

from typing import Any

from impossibility._typing import BijectorLike
from impossibility._validation import check_has_methods

__all__ = ["check_bijector"]


def check_bijector(f: Any, d: int, *, name: str = "f") -> BijectorLike:
    """``f`` must map R^d to itself with ``forward`` and ``forward_and_log_det``.

    Raises ``TypeError`` when a method is missing and ``ValueError`` when ``f.d`` is not ``d``.
    """
    check_has_methods(f, name, ("forward", "forward_and_log_det"), what="a Bijector")
    if getattr(f, "d", d) != d:
        raise ValueError(f"{name} acts on d = {f.d} coordinates but the prior has d = {d}")
    return f
