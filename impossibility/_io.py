"""Files without pickle: atomic JSON and ``.npz`` writes, checked reads, array checksums.

Every file the package writes goes through a temporary file in the same folder and
``os.replace``, which is atomic on POSIX: a reader (or a resumed run after an interruption) sees
either the old file or the complete new one, never half of it. Arrays are read with
``allow_pickle=False``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Mapping

import numpy as np

__all__ = [
    "to_jsonable",
    "atomic_write_json",
    "read_json",
    "atomic_write_npz",
    "read_npz",
    "array_checksum",
    "payload_digest",
    "pack_uint8",
    "unpack_uint8",
]


def to_jsonable(obj: Any) -> Any:
    """Convert NumPy containers and scalars (recursively) to plain JSON types.

    Non-finite floats become their ``repr`` (``'nan'``, ``'inf'``): JSON has no such numbers, and
    a readable string is better than an invalid file.
    """
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, float) and not np.isfinite(obj):
        return repr(obj)
    return obj


def _atomic_replace(path: Path, suffix: str, write: Any) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_json(path: str | Path, payload: Any) -> Path:
    """Write ``payload`` as indented, key-sorted JSON to ``path``, atomically."""
    text = json.dumps(to_jsonable(payload), indent=1, sort_keys=True) + "\n"
    return _atomic_replace(Path(path), ".tmp", lambda fh: fh.write(text.encode()))


def read_json(path: str | Path) -> Any:
    """Read a JSON file, raising ``ValueError`` naming the file when it is corrupted."""
    try:
        return json.loads(Path(path).read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON (corrupted or truncated?): {exc}") from exc


def atomic_write_npz(path: str | Path, arrays: Mapping[str, Any]) -> Path:
    """Write ``arrays`` to an uncompressed ``.npz`` file at ``path``, atomically."""
    return _atomic_replace(Path(path), ".tmp.npz", lambda fh: np.savez(fh, **arrays))


def read_npz(path: str | Path) -> dict[str, np.ndarray]:
    """Read every array of an ``.npz`` file without pickle.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If it is not a readable ``.npz`` file (truncated, corrupted, or holding pickled objects).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    try:
        # open the file ourselves: np.load leaks its handle when the archive is unreadable
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as contents:
            return {k: contents[k] for k in contents.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise ValueError(
            f"{path} is not a readable .npz file ({type(exc).__name__}: {exc})"
        ) from exc


def array_checksum(arrays: Mapping[str, np.ndarray]) -> str:
    """SHA-256 over the names, shapes and float64 bytes of ``arrays``, in sorted name order.

    Values are hashed as float64 (lossless for float32 and small integers), so a file's checksum
    does not depend on the precision a model was trained in.
    """
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name], dtype=np.float64)
        h.update(name.encode())
        h.update(repr(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def payload_digest(payload: Any) -> str:
    """SHA-256 of ``payload`` as canonical JSON (key-sorted, no whitespace, NumPy converted).

    Two payloads have the same digest exactly when they serialise to the same JSON, so a number
    edited in a results file or a run record changes it; key order and indentation do not.
    """
    text = json.dumps(to_jsonable(payload), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def pack_uint8(images: np.ndarray) -> dict[str, Any]:
    """A uint8 array as JSON-able ``{"shape": [...], "base64": "..."}`` (compact, no pickle)."""
    arr = np.ascontiguousarray(images, dtype=np.uint8)
    return {"shape": list(arr.shape), "base64": base64.b64encode(arr.tobytes()).decode("ascii")}


def unpack_uint8(packed: Mapping[str, Any]) -> np.ndarray:
    """The uint8 array written by :func:`pack_uint8`."""
    raw = np.frombuffer(base64.b64decode(packed["base64"]), dtype=np.uint8)
    return raw.reshape(packed["shape"])
