r"""VAE files: parameters and configuration in one ``.npz`` without pickle, with a checksum.

A file holds ``param/<name>`` arrays (in the model's dtype), a JSON ``meta`` string (format tag,
constructor configuration with the training ``dtype`` — absent, i.e. float64, in files written
before float32 training existed, which load unchanged — and steps trained), ``checksum``, the
SHA-256 of the parameters' names, shapes and float64 bytes
(:func:`impossibility._io.array_checksum`), and ``meta_digest``, the SHA-256 of the metadata's
canonical JSON (:func:`impossibility._io.payload_digest`), so an edited activation or width is
caught as surely as an edited weight. Files are written atomically and read with
``allow_pickle=False``; a truncated, tampered or mismatched file, a non-finite parameter or a file
of the first format (no metadata digest) raises ``ValueError``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from impossibility._io import array_checksum, atomic_write_npz, payload_digest, read_npz
from impossibility._typing import Array

from .priors import prior_from_spec

__all__ = ["FORMAT", "ModelFile"]

#: Identifier written into saved files (2: the metadata carries its own digest).
FORMAT = "impossibility.vae/2"

M = TypeVar("M", bound="ModelFile")


class ModelFile:
    """Save and load for a model with ``parameters()``, ``config()`` and ``steps_trained``.

    The class must be constructible as ``cls(**config, rng=...)``; ``config["prior"]`` is the
    spec of :meth:`~impossibility.vae.LatentPrior.spec`.
    """

    steps_trained: int

    def parameters(self) -> dict[str, Array]:
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        raise NotImplementedError

    def save(self, path: str | os.PathLike) -> Path:
        """Write parameters and configuration to an ``.npz`` file (no pickle); returns the path.

        A missing ``.npz`` suffix is appended; the file is replaced atomically.
        """
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_name(path.name + ".npz")
        params = {k: np.ascontiguousarray(v) for k, v in self.parameters().items()}
        meta = {"format": FORMAT, "config": self.config(), "steps_trained": self.steps_trained}
        arrays: dict[str, Any] = {f"param/{k}": v for k, v in params.items()}
        arrays["meta"] = np.array(json.dumps(meta))
        arrays["checksum"] = np.array(array_checksum(params))
        arrays["meta_digest"] = np.array(payload_digest(meta))
        return atomic_write_npz(path, arrays)

    @classmethod
    def load(cls: type[M], path: str | os.PathLike) -> M:
        """Read a model written by :meth:`save`.

        Raises
        ------
        FileNotFoundError
            If there is no such file.
        ValueError
            If the file is missing pieces, is not a VAE file, is corrupted (checksum) or its arrays
            do not match the stored configuration.
        """
        path = Path(path)
        contents = read_npz(path)
        if "meta" not in contents or "checksum" not in contents:
            raise ValueError(f"{path} is not a VAE file written by VAE.save (no 'meta'/'checksum')")
        try:
            meta = json.loads(str(contents["meta"][()]))
        except (json.JSONDecodeError, TypeError) as e:
            raise ValueError(f"{path}: the 'meta' entry is not valid JSON ({e})") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            fmt = meta.get("format") if isinstance(meta, dict) else None
            raise ValueError(
                f"{path} has format {fmt!r}; expected {FORMAT!r} (files of format "
                "'impossibility.vae/1' carry no metadata digest: retrain and save again)"
            )
        if "meta_digest" not in contents or payload_digest(meta) != str(
            contents["meta_digest"][()]
        ):
            raise ValueError(
                f"{path}: metadata digest mismatch, the configuration was edited or corrupted"
            )
        params = {k[len("param/") :]: v for k, v in contents.items() if k.startswith("param/")}
        if array_checksum(params) != str(contents["checksum"][()]):
            raise ValueError(f"{path}: checksum mismatch, the parameters are corrupted")
        for k, v in sorted(params.items()):
            if v.dtype.kind not in "biuf" or not np.all(np.isfinite(v)):
                raise ValueError(
                    f"{path}: parameter {k!r} holds non-finite or non-real values; a model with "
                    "NaN/inf weights gives NaN for every output"
                )
        cfg = dict(meta["config"])
        try:
            cfg["prior"] = prior_from_spec(cfg.get("prior"))
            model = cls(**cfg, rng=np.random.default_rng(0))  # weights are overwritten below
        except (TypeError, ValueError) as e:
            raise ValueError(f"{path}: the stored configuration is invalid ({e})") from None
        own = model.parameters()
        missing, extra = sorted(set(own) - set(params)), sorted(set(params) - set(own))
        if missing or extra:
            raise ValueError(
                f"{path}: parameters do not match the configuration: missing {missing}, "
                f"unexpected {extra}"
            )
        for k, v in own.items():
            if params[k].shape != v.shape:
                raise ValueError(
                    f"{path}: parameter {k!r} has shape {params[k].shape}, "
                    f"configuration needs {v.shape}"
                )
            v[...] = params[k]
        model.steps_trained = int(meta.get("steps_trained", 0))
        return model
