"""What an experiment receives: its name, flags, folders, and Generators seeded from its name.

The seeding lives in its own module because it is part of every result: changing it changes the
numbers, so it is in every experiment's fingerprint, while the rest of the runner is not.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

__all__ = ["ExperimentContext", "default_root", "SHARED_STREAM"]

#: The stream of :meth:`ExperimentContext.shared_rng` (in place of an experiment's name key).
SHARED_STREAM = 0x5A17E

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def default_root() -> Path:
    """The repository root: the folder holding ``experiments/`` beside the package, else CWD."""
    for candidate in (PACKAGE_DIR.parent, Path.cwd()):
        if (candidate / "experiments").is_dir():
            return candidate
    raise FileNotFoundError(
        "could not find an 'experiments/' folder next to the installed package or in the current "
        "directory; run from a checkout of the repository or pass --root"
    )


@dataclass
class ExperimentContext:
    """What an experiment receives.

    Attributes
    ----------
    name : str
        The experiment's name (its module name).
    quick : bool
        Tiny smoke version (seconds) instead of the full run.
    figure_dir : Path
        Where figures go.
    cache_dir : Path
        A private folder for resumable partial results of this experiment.
    model_dir : Path
        The content-addressed store of trained models shared by all experiments (a model is
        found by a hash of everything its weights depend on, never by another experiment's name).
    seed : int
        Base seed; derive every Generator from it with :class:`numpy.random.SeedSequence`.
    log : callable
        ``log(message)`` prints a progress line to stderr.
    """

    name: str
    quick: bool
    figure_dir: Path
    cache_dir: Path
    model_dir: Path
    seed: int = 20190609
    log: Callable[[str], None] = field(default=lambda msg: print(msg, file=sys.stderr))

    def rng(self, *key: int) -> np.random.Generator:
        """A Generator seeded from the base seed, the experiment name and ``key``."""
        name_key = int.from_bytes(hashlib.sha256(self.name.encode()).digest()[:4], "little")
        return np.random.default_rng(np.random.SeedSequence([self.seed, name_key, *key]))

    def shared_rng(self, *key: int) -> np.random.Generator:
        """A Generator seeded from the base seed and ``key`` only, not from the experiment's name.

        For work that several experiments must do identically (the same data split, the same
        trained model), so that one entry of the model store serves them all.
        """
        return np.random.default_rng(np.random.SeedSequence([self.seed, SHARED_STREAM, *key]))
