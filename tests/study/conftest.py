"""Shared fixtures of the study tests: a tiny grid, its sequential records, the quick experiment."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

import impossibility.study as st
from impossibility.study import sweep
from impossibility.tools.reproduce import run_experiments

# A grid small enough to train and evaluate in about a second per run.
TINY = st.StudySettings(
    hidden=(16,),
    n_steps=20,
    n_train=200,
    num_train=60,
    num_test=40,
    beta_vae_num_train=10,
    beta_vae_num_eval=10,
    factor_vae_num_train=10,
    factor_vae_num_eval=10,
    factor_vae_num_variance_estimate=60,
    score_batch_size=8,
    dci_n_estimators=3,
    downstream_small=20,
    num_eval=60,
    discriminator_hidden=(8,),
)


def _tiny_configs() -> list[st.RunConfig]:
    preset = st.StudyPreset(
        name="tiny",
        datasets=("sprites16",),
        models=("beta_tc_vae", "factor_vae"),
        values={"beta_tc_vae": (2.0,), "factor_vae": (10.0,)},
        seeds=(0, 1),
        settings=TINY,
    )
    return st.build_configs(preset)


def _strip_timing(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


@pytest.fixture
def tiny() -> st.StudySettings:
    """The settings of the tiny grid."""
    return TINY


@pytest.fixture
def tiny_configs() -> Callable[[], list[st.RunConfig]]:
    """A function building the tiny grid's four runs (fresh objects at each call)."""
    return _tiny_configs


@pytest.fixture
def strip_timing() -> Callable[[list[dict]], list[dict]]:
    """Records without ``seconds``, the only field that may differ between backends."""
    return _strip_timing


@pytest.fixture
def forbid_recomputation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any run of run_one (where run_sweep looks it up) fail the test."""

    def boom(config: st.RunConfig) -> dict:
        raise AssertionError(f"finished run recomputed: {config}")

    monkeypatch.setattr(sweep, "run_one", boom)


@pytest.fixture(scope="session")
def sequential_records(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    return st.run_sweep(_tiny_configs(), tmp_path_factory.mktemp("seq"), backend="sequential")


@pytest.fixture(scope="session")
def quick_study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The ``study`` experiment on the quick preset: its output folder and report."""
    out = tmp_path_factory.mktemp("study")
    report = run_experiments(out=out, quick=True, only=["study"], log=lambda m: None)
    return out, report["study"]
