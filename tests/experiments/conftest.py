"""Shared quick runs of the VAE experiments (one run serves every test file)."""

from __future__ import annotations

import pytest

from impossibility._io import read_json
from impossibility.tools.reproduce import run_experiments


@pytest.fixture(scope="session")
def vae_quick_results(tmp_path_factory):
    """Quick results of the sprite-VAE experiments, run in this order into one folder."""
    out = tmp_path_factory.mktemp("figures")
    names = ["vae_twin", "vae_twin_traversals", "headline_metrics"]
    run_experiments(out=out, quick=True, only=names, log=lambda m: None)
    return {
        name: read_json(out / "quick" / "results" / f"{name}.json")["results"] for name in names
    }, out
