"""Tests of impossibility.study.uncertainty through summarize, on synthetic run records."""

from __future__ import annotations

import numpy as np
import pytest

import impossibility.study as st
from impossibility.study.intervals import spearman_interval

_KEYS = [
    *st.DISENTANGLEMENT_SCORES,
    *st.UNSUPERVISED_SCORES,
    *st.DOWNSTREAM_SCORES,
    "tc_mean_active",
    "active_dims",
]


def _records(rng):
    out = []
    for model in ("beta_vae", "annealed_vae"):
        for value in (1.0, 2.0, 4.0, 8.0):
            for seed in range(4):
                strength = value if model == "beta_vae" else 1 / value  # C_max: larger = weaker
                scores = {k: float(rng.random()) for k in _KEYS}
                scores["tc_sampled"] = float(np.exp(-strength) + 0.01 * rng.random())
                scores["mig"] = float(strength + 0.1 * rng.random())
                scores["elbo"] = scores["reconstruction"] - scores["kl"]
                config = {"dataset": "sprites16", "model": model, "value": value, "seed": seed}
                out.append(
                    {
                        "status": "ok",
                        "config": {**config, "settings": {}},
                        "scores": scores,
                        "seconds": 2.0,
                    }
                )
    return out


@pytest.fixture(scope="module")
def summary():
    return st.summarize(_records(np.random.default_rng(0)))


def test_trends_are_oriented_by_strength_and_judged(summary):
    trend = summary["uncertainty"]["sprites16"]["tc_trend"]
    for model in ("beta_vae", "annealed_vae"):
        t = trend[model]["tc_sampled"]
        # TC(sampled) falls with the strength for both (AnnealedVAE's C_max is negated)
        assert t["rho"] < -0.8 and t["high"] < 0 and t["verdict"] == "agrees"
        lo, hi = spearman_interval(t["rho"], 16)
        assert (t["low"], t["high"]) == pytest.approx((float(lo), float(hi)))
        assert t["seeds_needed"] * 4 >= t["models_needed"]
        assert t["cpu_hours_needed"] == pytest.approx(t["seeds_needed"] * 4 * 2.0 / 3600)


def test_intervals_bracket_their_estimates(summary):
    u = summary["uncertainty"]["sprites16"]
    rho = np.array(summary["spearman"]["sprites16"]["metrics"], dtype=float)
    lo = np.array(u["spearman_metrics"]["low"], dtype=float)
    hi = np.array(u["spearman_metrics"]["high"], dtype=float)
    ok = np.isfinite(rho)
    assert (lo[ok] <= rho[ok] + 1e-12).all() and (rho[ok] <= hi[ok] + 1e-12).all()
    for k, v in u["variance"].items():
        if v["low"] is not None:
            # the interval is for the population share, at most (n − C)/(n − 1) = 24/31; a pure
            # noise score's observed share can exceed that cap (F < 1), otherwise it is inside
            assert v["low"] <= v["high"] <= 24 / 31 + 1e-12, k
            assert v["seed"] > 24 / 31 or v["low"] <= v["seed"] <= v["high"], k
            assert v["seed"] == pytest.approx(summary["variance"]["sprites16"][k]["seed"])
    sel = u["selection"]
    assert sel["group_sizes"] == [16, 16]
    for name in st.UNSUPERVISED_SCORES:
        for entry in sel[name].values():
            assert 0 <= entry["low"] <= entry["high"] <= 1
    for case, v in summary["uncertainty"]["transfer"].items():
        assert v["win_rate"] == pytest.approx(summary["transfer"][case])  # both None: one data set
        if v["win_rate"] is not None:
            assert 0 <= v["low"] <= v["high"] <= 1
