"""Reading ``.npz`` files without pickle and without leaking a file handle on a corrupted file.

``numpy.load(path)`` hands its open file to ``NpzFile`` before ``zipfile`` validates it, so a
truncated archive leaves the handle open (a ``ResourceWarning``, an error under the test suite's
warning filter). Opening the archive with :mod:`zipfile` first, which closes its handle in every
case, refuses such a file before :func:`impossibility._io.read_npz` reads it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from impossibility import _io

__all__ = ["read_npz"]


def read_npz(path: str | Path) -> dict[str, np.ndarray]:
    """:func:`impossibility._io.read_npz` (same errors), refusing a corrupted archive first."""
    path = Path(path)
    if path.exists():
        try:
            with zipfile.ZipFile(path):
                pass
        except (OSError, zipfile.BadZipFile) as exc:
            raise ValueError(
                f"{path} is not a readable .npz file ({type(exc).__name__}: {exc})"
            ) from exc
    return _io.read_npz(path)
