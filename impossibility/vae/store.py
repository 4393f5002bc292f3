r"""A content-addressed store of trained VAEs: train once per specification, then load.

An entry is named ``<name>_<key>``, the key the first 16 hex digits of
:math:`\mathrm{SHA256}(\mathrm{JSON}(\text{spec}))` (keys sorted), where the spec holds everything
the weights depend on (data, architecture, training settings, seeds): the same spec gives the same
file, a different spec a different one, so a stale model is never reused. An entry is two files
written atomically, the model (:meth:`VAE.save <impossibility.vae.VAE.save>`) and then its training
history, which records the spec and the checksums of both; an entry that is missing, truncated,
tampered or made for another spec is retrained and rewritten. Nothing is pickled.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
from numpy.typing import ArrayLike

from impossibility._io import array_checksum, atomic_write_npz, read_npz, to_jsonable
from impossibility._typing import Array
from impossibility._validation import as_array

from .model import VAE

__all__ = ["STORE_FORMAT", "spec_key", "store_paths", "train_or_load"]

#: Identifier written into the history file of a store entry.
STORE_FORMAT = "impossibility.vae.store/1"


def _spec_json(spec: Mapping[str, Any]) -> str:
    if not isinstance(spec, Mapping):
        raise TypeError(f"spec must be a mapping (a dict); got {type(spec).__name__}")
    try:
        return json.dumps(to_jsonable(dict(spec)), sort_keys=True)
    except TypeError as e:
        raise TypeError(f"spec must hold only JSON values (numbers, strings, lists): {e}") from None


def spec_key(spec: Mapping[str, Any]) -> str:
    """The 16-hex-digit SHA-256 key of a JSON-able specification (keys sorted)."""
    return hashlib.sha256(_spec_json(spec).encode()).hexdigest()[:16]


def store_paths(store: str | os.PathLike, spec: Mapping[str, Any], name: str) -> tuple[Path, Path]:
    """The model and history files of the entry ``name`` for ``spec`` in the folder ``store``."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a string (a file-name prefix); got {type(name).__name__}")
    if not name or os.sep in name:
        raise ValueError(f"name must be a non-empty file-name prefix; got {name!r}")
    stem = f"{name}_{spec_key(spec)}"
    folder = Path(store)
    return folder / f"{stem}.npz", folder / f"{stem}.history.npz"


def _load_entry(model_path: Path, hist_path: Path, spec_json: str) -> tuple[VAE, dict[str, Array]]:
    contents = read_npz(hist_path)
    meta = json.loads(str(contents.pop("meta")[()]))
    if meta.get("format") != STORE_FORMAT:
        raise ValueError(
            f"{hist_path} has format {meta.get('format')!r}; expected {STORE_FORMAT!r}"
        )
    if json.dumps(meta.get("spec"), sort_keys=True) != spec_json:
        raise ValueError(f"{hist_path} was written for another spec")
    history = {k[len("history/") :]: v for k, v in contents.items() if k.startswith("history/")}
    if array_checksum(history) != meta.get("history_checksum"):
        raise ValueError(f"{hist_path}: checksum mismatch, the history is corrupted")
    vae = VAE.load(model_path)
    if array_checksum(vae.parameters()) != meta.get("model_checksum"):
        raise ValueError(f"{model_path} does not hold the model its history was recorded with")
    return vae, history


def train_or_load(
    store: str | os.PathLike,
    spec: Mapping[str, Any],
    train: Callable[[], tuple[VAE, Mapping[str, ArrayLike]]],
    *,
    name: str = "vae",
    log: Callable[[str], None] | None = None,
) -> tuple[VAE, dict[str, Array], bool]:
    """Load the VAE trained for ``spec`` from the folder ``store``, or train and store it.

    Parameters
    ----------
    store : path
        The store's folder (created when needed). Experiments that train the same model share it.
    spec : mapping
        JSON-able description of everything the weights depend on; its key names the files.
    train : callable ``train() -> (vae, history)``
        Builds and trains the model (called only on a miss); ``history`` is what ``VAE.fit``
        returns.
    name : str, default="vae"
        File-name prefix of the entry.
    log : callable, optional
        Receives one line per load, retrain or ignored file.

    Returns
    -------
    vae : VAE
    history : dict of str to ndarray
    loaded : bool
        Whether the entry was loaded (``False``: trained now).
    """
    spec_json = _spec_json(spec)
    model_path, hist_path = store_paths(store, spec, name)
    say = log if log is not None else (lambda _msg: None)
    if model_path.exists() and hist_path.exists():
        try:
            vae, history = _load_entry(model_path, hist_path, spec_json)
            say(f"{name}: loaded trained VAE from {model_path}")
            return vae, history, True
        except (ValueError, KeyError, OSError, AttributeError) as exc:  # corrupted: retrain
            say(f"{name}: ignoring unreadable store entry {model_path} ({exc})")
    vae, history = train()
    if not isinstance(vae, VAE):
        raise TypeError(f"train() must return (VAE, history); got {type(vae).__name__}")
    hist = {str(k): as_array(v, f"history[{k!r}]", finite=False) for k, v in history.items()}
    vae.save(model_path)
    meta = {
        "format": STORE_FORMAT,
        "spec": json.loads(spec_json),
        "model_checksum": array_checksum(vae.parameters()),
        "history_checksum": array_checksum(hist),
    }
    arrays: dict[str, Any] = {f"history/{k}": v for k, v in hist.items()}
    arrays["meta"] = np.array(json.dumps(meta))
    atomic_write_npz(hist_path, arrays)
    say(f"{name}: trained and stored {model_path}")
    return vae, hist, False
