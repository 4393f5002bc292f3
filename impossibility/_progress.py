"""Progress reporting for long work (training, sweeps, experiments).

A thin layer over :mod:`tqdm` so the rest of the package has one switch: bars are shown when
stderr is a terminal and stay silent otherwise (clean CI logs), unless forced either way.
"""

from __future__ import annotations

from typing import Iterable, Iterator, TypeVar

from tqdm import tqdm  # the plain console bar: tqdm.auto would want ipywidgets inside notebooks

__all__ = ["progress"]

T = TypeVar("T")


def progress(
    iterable: Iterable[T],
    *,
    desc: str | None = None,
    total: int | None = None,
    enabled: bool | None = None,
    leave: bool = False,
) -> Iterator[T]:
    """Wrap ``iterable`` in a progress bar.

    Parameters
    ----------
    iterable : iterable
        What to iterate over.
    desc : str, optional
        Label shown before the bar.
    total : int, optional
        Number of items, when ``len(iterable)`` is not available.
    enabled : bool or None, default=None
        ``True`` forces a bar, ``False`` hides it, ``None`` shows it only on a terminal.
    leave : bool, default=False
        Keep the finished bar on screen.
    """
    disable = None if enabled is None else not enabled
    return iter(tqdm(iterable, desc=desc, total=total, disable=disable, leave=leave))
