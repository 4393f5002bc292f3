r"""A small-scale reproduction of the 2019 study: data sets × objectives × hyperparameters × seeds.

Each run trains one VAE with one of the six objectives
(:data:`impossibility.vae.STUDY_GRID`) and scores its mean representation
:math:`\mu(x)` with every disentanglement metric, the unsupervised scores (ELBO, and the total
correlation :math:`\mathrm{TC}=-\tfrac12\log\det\mathrm{Corr}` of mean and sampled codes) and
downstream accuracy; :func:`summarize` turns the records into the study's tables. Runs seed
themselves from their configuration only and are stored one JSON file each, so a sweep gives the
same numbers on every joblib backend and resumes after an interruption.

Files: ``config`` (settings, presets, run configurations), ``datasets``, ``run`` (one run),
``backends`` and ``sweep`` (resumable sweeps), ``analysis`` and ``summary`` (statistics),
``intervals``, ``bootstrap`` and ``uncertainty`` (a 95 % interval on every number),
``cli`` (``python -m impossibility.study --preset default --backend loky -j 2``).

How it is built: docs/package.md §study.
"""

from .analysis import selection_analysis, spearman_matrix, transfer_analysis, variance_decomposition
from .cli import main
from .config import (
    MODELS,
    PRESETS,
    STUDY_VERSION,
    RunConfig,
    StudyPreset,
    StudySettings,
    build_configs,
)
from .datasets import DATASETS, make_dataset
from .intervals import judge, seed_share_interval, spearman_interval
from .run import run_one
from .summary import DISENTANGLEMENT_SCORES, DOWNSTREAM_SCORES, UNSUPERVISED_SCORES, summarize
from .sweep import load_records, run_study, run_sweep

__all__ = [
    "STUDY_VERSION",
    "MODELS",
    "DATASETS",
    "StudySettings",
    "StudyPreset",
    "PRESETS",
    "RunConfig",
    "make_dataset",
    "build_configs",
    "run_one",
    "run_sweep",
    "run_study",
    "load_records",
    "DISENTANGLEMENT_SCORES",
    "UNSUPERVISED_SCORES",
    "DOWNSTREAM_SCORES",
    "spearman_matrix",
    "variance_decomposition",
    "selection_analysis",
    "transfer_analysis",
    "summarize",
    "spearman_interval",
    "seed_share_interval",
    "judge",
    "main",
]
