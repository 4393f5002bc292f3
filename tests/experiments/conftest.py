"""Shared quick runs of the two VAE experiments (one run serves both test files)."""

from __future__ import annotations

import pytest

from impossibility._io import read_json
from impossibility.tools.reproduce import run_experiments


@pytest.fixture(scope="session")
def vae_quick_results(tmp_path_factory):
    """Quick results of vae_twin and headline_metrics, run in that order into one folder."""
    out = tmp_path_factory.mktemp("figures")
    run_experiments(out=out, quick=True, only=["vae_twin", "headline_metrics"], log=lambda m: None)
    return {
        name: read_json(out / "quick" / "results" / f"{name}.json")["results"]
        for name in ("vae_twin", "headline_metrics")
    }, out
