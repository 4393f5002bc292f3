"""What a run is: :class:`StudySettings`, a grid :class:`StudyPreset`, one :class:`RunConfig`.

A run is (data set, objective, hyperparameter value, seed, settings). Its key is the SHA-256 of
the canonical JSON of :meth:`RunConfig.as_dict`, and its random generator is derived from the
configuration only, ``SeedSequence([base, crc32(data), crc32(model), round(1000 value), seed])``,
so a run's result does not depend on where or in which order it is computed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Collection, Mapping

import numpy as np

from impossibility._validation import check_choice, check_int, check_scalar
from impossibility.nn import dtype_name
from impossibility.vae import STUDY_GRID

from ._naming import record_filename, stable_int
from .datasets import DATASETS

__all__ = [
    "STUDY_VERSION",
    "MODELS",
    "StudySettings",
    "StudyPreset",
    "PRESETS",
    "RunConfig",
    "build_configs",
]

#: Bump when the meaning of a stored run changes (it enters every configuration hash).
STUDY_VERSION = 2

#: The six objectives of the study, in the paper's order.
MODELS: tuple[str, ...] = (
    "beta_vae",
    "factor_vae",
    "beta_tc_vae",
    "dip_vae_i",
    "dip_vae_ii",
    "annealed_vae",
)

_WIDTHS = ("hidden", "discriminator_hidden")


def _check_sequence(values: Any, name: str) -> tuple[Any, ...]:
    """A non-empty tuple or list, as a tuple (a string is refused: it is not a list of names)."""
    if not isinstance(values, (tuple, list)):
        raise TypeError(f"{name} must be a tuple; got {values!r} ({type(values).__name__})")
    if not values:
        raise ValueError(f"{name} must not be empty; got {values!r}")
    return tuple(values)


def _check_names(values: Any, name: str, options: Collection[str]) -> tuple[str, ...]:
    items = _check_sequence(values, name)
    return tuple(check_choice(v, f"{name}[{i}]", options) for i, v in enumerate(items))


def _check_value(value: Any, name: str = "value") -> float:
    """A hyperparameter value: finite and positive."""
    return check_scalar(value, name, minimum=0, include_min=False)


def _check_settings(settings: Any) -> None:
    if not isinstance(settings, StudySettings):
        raise TypeError(f"settings must be a StudySettings; got {type(settings).__name__}")


# ------------------------------------------------------------------------------- settings
@dataclass(frozen=True)
class StudySettings:
    """Everything a run depends on besides (data set, model, hyperparameter, seed).

    The study's values (docs/theory.md §6.1, §6.3) are given in brackets; the reduced ones are what
    the
    presets use.

    Attributes
    ----------
    latent_dim : int
        Latents [10].
    hidden : tuple of int
        MLP widths of the encoder (decoder reversed) [a conv net with FC 256].
    n_steps, batch_size, lr : int, int, float
        Adam steps [300,000], batch [64], learning rate [1e-4; short runs need more].
    n_train : int
        Training images drawn from the data set.
    discriminator_hidden : tuple of int
        FactorVAE's discriminator [6 × 1000].
    discriminator_steps : int
        FactorVAE's discriminator steps per VAE step [1, over 300,000 steps]. At 1,000 steps one
        step leaves the discriminator at chance (loss log 2) and TC(sampled) rises with γ; ten
        make it track the total correlation, so that γ regularises as designed.
    num_train, num_test : int
        Points for MIG, DCI, SAP, modularity, unsupervised scores and the downstream task
        [10,000 / 5,000].
    beta_vae_num_train, beta_vae_num_eval, factor_vae_num_train, factor_vae_num_eval,
    factor_vae_num_variance_estimate : int
        Sampling-based scores [10,000 / 5,000 / 10,000 / 5,000 / 10,000].
    score_batch_size : int
        Pairs / votes batch for those scores [64].
    dci_n_estimators : int
        Boosting stages of DCI's and the downstream task's trees [100].
    downstream_small : int
        Labels of the small downstream training set [100; also 10 and 1,000 in the paper].
    num_eval : int
        Held-out images for the ELBO and the two total correlations [10,000].
    dtype : {"float64", "float32"}
        Training precision of the VAE (and FactorVAE's discriminator); every score is evaluated
        in float64. It enters a run's key only when it is not float64, so float64 keys are those
        of runs stored before the setting existed and float32 runs never share a key with them.

    Raises
    ------
    TypeError
        If a count or width is not an integer, a width list not a tuple, ``lr`` not a number or
        ``dtype`` not a dtype.
    ValueError
        If a count or width is below 1, ``lr`` is not positive and finite, ``dtype`` neither
        float32 nor float64, or ``downstream_small >= num_train``.
    """

    latent_dim: int = 10
    hidden: tuple[int, ...] = (128, 64)
    n_steps: int = 1000
    batch_size: int = 64
    lr: float = 1e-3
    n_train: int = 4000
    discriminator_hidden: tuple[int, ...] = (64, 64)
    discriminator_steps: int = 10
    num_train: int = 1000
    num_test: int = 500
    beta_vae_num_train: int = 300
    beta_vae_num_eval: int = 200
    factor_vae_num_train: int = 300
    factor_vae_num_eval: int = 200
    factor_vae_num_variance_estimate: int = 1000
    score_batch_size: int = 64
    dci_n_estimators: int = 20
    downstream_small: int = 100
    num_eval: int = 1000
    dtype: str = "float64"

    def __post_init__(self) -> None:
        # normalised values are stored back (a frozen dataclass needs object.__setattr__) so
        # that as_dict() is plain JSON; values that were already plain keep their hash
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _WIDTHS:
                widths = _check_sequence(value, f.name)
                checked: Any = tuple(
                    check_int(h, f"{f.name}[{i}]", minimum=1) for i, h in enumerate(widths)
                )
            elif f.name == "dtype":
                checked = dtype_name(value)
            elif f.name == "lr":
                checked = check_scalar(value, "lr", minimum=0, include_min=False)
                if isinstance(value, (int, float)):  # lr=1 stays 1: "1" and "1.0" hash apart
                    checked = value
            else:
                checked = check_int(value, f.name, minimum=1)
            object.__setattr__(self, f.name, checked)
        if self.downstream_small >= self.num_train:
            raise ValueError(
                f"downstream_small={self.downstream_small} must be below num_train={self.num_train}"
            )


# --------------------------------------------------------------------------------- presets
@dataclass(frozen=True)
class StudyPreset:
    """A grid: data sets × models × hyperparameter values × seeds, and the run settings.

    ``values`` maps a model to its hyperparameter values (default: the study's six,
    :data:`impossibility.vae.STUDY_GRID`).

    Raises
    ------
    TypeError
        If ``name`` is not a string, ``datasets``/``models``/``seeds`` not tuples, a seed not an
        integer, a value not a number, or ``settings`` not a :class:`StudySettings`.
    ValueError
        If a grid axis is empty, a data set or model unknown, a seed negative, or a
        hyperparameter value not positive and finite.
    """

    name: str
    datasets: tuple[str, ...]
    models: tuple[str, ...]
    seeds: tuple[int, ...]
    settings: StudySettings
    values: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a string; got {type(self.name).__name__}")
        object.__setattr__(self, "datasets", _check_names(self.datasets, "datasets", DATASETS))
        object.__setattr__(self, "models", _check_names(self.models, "models", STUDY_GRID))
        seeds = _check_sequence(self.seeds, "seeds")
        object.__setattr__(
            self,
            "seeds",
            tuple(check_int(s, f"seeds[{i}]", minimum=0) for i, s in enumerate(seeds)),
        )
        _check_settings(self.settings)
        for model, grid in self.values.items():
            check_choice(model, "values key", STUDY_GRID)
            for i, v in enumerate(_check_sequence(grid, f"values[{model!r}]")):
                _check_value(v, f"values[{model!r}][{i}]")

    def grid_values(self, model: str) -> tuple[float, ...]:
        """Hyperparameter values of ``model`` in this preset."""
        return tuple(self.values.get(model, STUDY_GRID[model]))


#: The named study presets, name → :class:`StudyPreset`: ``"quick"`` (a smoke run of two
#: objectives), ``"default"`` (the committed study: six objectives × six values × three seeds on
#: two data sets) and ``"full"`` (50 seeds, the paper's training budget and networks; days of CPU).
PRESETS: dict[str, StudyPreset] = {
    "quick": StudyPreset(
        name="quick",
        datasets=("sprites16",),
        models=("beta_vae", "beta_tc_vae"),
        values={"beta_vae": (1.0, 16.0), "beta_tc_vae": (1.0, 10.0)},
        seeds=(0, 1),
        settings=StudySettings(
            hidden=(32,),
            n_steps=150,
            n_train=1000,
            num_train=200,
            num_test=100,
            beta_vae_num_train=40,
            beta_vae_num_eval=30,
            factor_vae_num_train=40,
            factor_vae_num_eval=30,
            factor_vae_num_variance_estimate=200,
            score_batch_size=16,
            dci_n_estimators=5,
            downstream_small=50,
            num_eval=200,
            discriminator_hidden=(16,),
        ),
        description="smoke test: 2 objectives x 2 values x 2 seeds, 150 steps (seconds)",
    ),
    "default": StudyPreset(
        name="default",
        datasets=("sprites16", "mixing5"),
        models=MODELS,
        seeds=(0, 1, 2),
        settings=StudySettings(),
        description="6 objectives x 6 values x 3 seeds on 16x16 sprites and on a 5-factor "
        "continuous mixing, 1,000 steps (about 40 min on 2 shared cores)",
    ),
    "full": StudyPreset(
        name="full",
        datasets=("sprites16", "mixing5"),
        models=MODELS,
        seeds=tuple(range(50)),
        settings=StudySettings(
            n_steps=20000,
            lr=5e-4,
            n_train=20000,
            hidden=(256, 256),
            discriminator_hidden=(1000,) * 6,
            discriminator_steps=1,
            num_train=10000,
            num_test=5000,
            beta_vae_num_train=10000,
            beta_vae_num_eval=5000,
            factor_vae_num_train=10000,
            factor_vae_num_eval=5000,
            factor_vae_num_variance_estimate=10000,
            dci_n_estimators=100,
            num_eval=10000,
        ),
        description="the paper's grid shape (6 x 6 x 50 seeds) on 2 data sets: a cluster job",
    ),
}


# ----------------------------------------------------------------------------------- one run
@dataclass(frozen=True)
class RunConfig:
    """One run: a data set, an objective, its hyperparameter value and a seed.

    Raises
    ------
    TypeError
        If a field has the wrong type (``settings`` must be a :class:`StudySettings`).
    ValueError
        If the data set or model is unknown, ``value`` is not positive and finite, or a seed is
        negative.
    """

    dataset: str
    model: str
    value: float
    seed: int
    settings: StudySettings
    base_seed: int = 20190609

    def __post_init__(self) -> None:
        check_choice(self.dataset, "dataset", DATASETS)
        check_choice(self.model, "model", STUDY_GRID)
        _check_value(self.value)  # not normalised: the value enters the hash as given
        object.__setattr__(self, "seed", check_int(self.seed, "seed", minimum=0))
        _check_settings(self.settings)
        object.__setattr__(self, "base_seed", check_int(self.base_seed, "base_seed", minimum=0))

    def as_dict(self) -> dict[str, Any]:
        """JSON-able description (this is what the hash covers)."""
        d = asdict(self)
        d["settings"] = {
            k: list(v) if isinstance(v, tuple) else v for k, v in d["settings"].items()
        }
        if d["settings"]["dtype"] == "float64":  # the keys of float64 runs predate the setting
            del d["settings"]["dtype"]
        d["dataset_spec"] = DATASETS[self.dataset]
        if self.model == "factor_vae":
            # the discriminator's Adam runs at the VAE's learning rate, as in the reference (both
            # 1e-4 there); a 10x slower discriminator lost the adversarial game at gamma >= 30
            d["objective_options"] = {"discriminator_lr": self.settings.lr}
        d["study_version"] = STUDY_VERSION
        return d

    @property
    def key(self) -> str:
        """SHA-256 (first 16 hex digits) of the canonical JSON of :meth:`as_dict`."""
        blob = json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    @property
    def filename(self) -> str:
        """``<data>-<model>-<value>-s<seed>-<key>.json``."""
        return record_filename({"config": self.as_dict(), "key": self.key})

    def seed_sequence(self) -> np.random.SeedSequence:
        """``SeedSequence([base, crc(data), crc(model), round(1000 value), seed])``."""
        return np.random.SeedSequence(
            [
                self.base_seed,
                stable_int(self.dataset),
                stable_int(self.model),
                int(round(1000 * self.value)),
                self.seed,
            ]
        )


def build_configs(preset: StudyPreset | str, *, base_seed: int = 20190609) -> list[RunConfig]:
    """All runs of a preset (or of the name of one of :data:`PRESETS`), ordered data set →
    model → value → seed.

    Raises
    ------
    TypeError
        If ``preset`` is neither a :class:`StudyPreset` nor a string, or ``base_seed`` is not an
        integer.
    ValueError
        If ``preset`` names no preset, or ``base_seed`` is negative.
    """
    if isinstance(preset, str):
        preset = PRESETS[check_choice(preset, "preset", PRESETS)]
    elif not isinstance(preset, StudyPreset):
        raise TypeError(
            f"preset must be a StudyPreset or one of {sorted(PRESETS)}; got {type(preset).__name__}"
        )
    base_seed = check_int(base_seed, "base_seed", minimum=0)
    out: list[RunConfig] = []
    for ds in preset.datasets:
        for model in preset.models:
            for value in preset.grid_values(model):
                for seed in preset.seeds:
                    out.append(
                        RunConfig(ds, model, float(value), int(seed), preset.settings, base_seed)
                    )
    return out
