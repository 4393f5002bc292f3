r"""Intervals for every table of :func:`impossibility.study.summarize`, and the claims' verdicts.

:func:`uncertainty` returns, per data set: Bonett–Wright intervals of every Spearman
correlation (between metrics, with unsupervised and downstream scores) and of the trend of TC
with the regularisation *strength* (AnnealedVAE's :math:`C_{max}` negated, so that a negative ρ
always means "falls as regularisation grows"); percentile bootstrap intervals over seeds of the
selection win rates, beside the band a random choice falls in; the seed's share of variance
with its noncentral-F interval; seed spreads and chance level of the downstream accuracies;
and, pooled, the transfer win rates. Each trend also states how many models (and seeds per
value) would bring its interval's half-width to 0.2, and what that costs in run time at the
recorded seconds per run. See :mod:`~impossibility.study.intervals` and
:mod:`~impossibility.study.bootstrap` for the methods and why they were chosen.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from .bootstrap import (
    cell_resample,
    null_win_rate_band,
    percentile_interval,
    selection_win_rates,
    transfer_win_rates,
)
from .intervals import judge, models_for_halfwidth, seed_share_interval, spearman_interval

__all__ = ["uncertainty", "LEVEL", "N_BOOT", "HALFWIDTH", "WIN_MARGIN", "PAPER_TREND"]

LEVEL = 0.95  #: confidence level of every interval
N_BOOT = 1000  #: bootstrap resamples (selection); transfer uses N_BOOT // 4 (it is 25× slower)
HALFWIDTH = 0.2  #: target half-width of a correlation's interval, for the seeds a claim needs
#: a selector is "at chance" (agrees with the paper) if its interval lies in 0.5 ± WIN_MARGIN:
#: it then cannot pick a run from the better three quarters of its objective reliably
WIN_MARGIN = 0.25
#: the direction the paper reports for ρ(strength, TC): mean codes' TC rises except DIP-VAE-I,
#: whose penalty targets the mean's covariance; sampled codes' TC falls for every objective
PAPER_TREND = {"tc_mean": "above", "tc_mean_dip_vae_i": "below", "tc_sampled": "below"}


def _ci(rho: Any, n: int) -> dict[str, Any]:
    r = np.array(rho, dtype=float)
    lo, hi = spearman_interval(r, n, LEVEL)
    return {"low": lo.tolist(), "high": hi.tolist(), "n": n}


def _trend(rs: list[dict[str, Any]], m: str, key: str, seconds: float) -> dict[str, Any]:
    from .analysis import spearman_matrix

    strength = np.array([-r["value"] if m == "annealed_vae" else r["value"] for r in rs])
    rho = float(spearman_matrix(np.column_stack([strength, [r[key] for r in rs]]))[0, 1])
    n = len(rs)
    lo, hi = (float(x) for x in spearman_interval(rho, n, LEVEL))
    paper = PAPER_TREND.get(f"{key}_{m}", PAPER_TREND.get(key))
    n_values = len({r["value"] for r in rs})
    need = models_for_halfwidth(rho, HALFWIDTH, LEVEL) if np.isfinite(rho) else None
    seeds = None if need is None else int(np.ceil(need / n_values))
    return {
        "rho": rho,
        "low": lo,
        "high": hi,
        "n": n,
        "paper": paper,
        "verdict": judge(lo, hi, paper) if paper else None,
        "models_needed": need,
        "seeds_needed": seeds,
        "cpu_hours_needed": None if seeds is None else seeds * n_values * seconds / 3600,
    }


def _selection(rs: list[dict[str, Any]], dis: Sequence[str], uns: Mapping[str, int], rng) -> dict:
    groups = [r["model"] for r in rs]
    idx = cell_resample([(r["model"], r["value"]) for r in rs], N_BOOT, rng)
    ident = np.arange(len(rs))[None, :]
    T = np.array([[r[k] for k in dis] for r in rs])
    sizes = [groups.count(g) for g in dict.fromkeys(groups)]
    band = null_win_rate_band(sizes, LEVEL)
    out: dict[str, Any] = {"null_band": list(band), "group_sizes": sizes}
    for u, sign in uns.items():
        s = sign * np.array([r[u] for r in rs])
        est = selection_win_rates(s, T, groups, ident)[0]
        draws = selection_win_rates(s, T, groups, idx)
        lo, hi = percentile_interval(draws, LEVEL)
        mean_lo, mean_hi = percentile_interval(draws.mean(1), LEVEL)
        entry = {
            k: {
                "win_rate": float(est[j]),
                "low": float(lo[j]),
                "high": float(hi[j]),
                "verdict": judge(float(lo[j]), float(hi[j]), "equal", 0.5, WIN_MARGIN),
            }
            for j, k in enumerate(dis)
        }
        entry["mean_over_metrics"] = {
            "win_rate": float(est.mean()),
            "low": float(mean_lo),
            "high": float(mean_hi),
            "verdict": judge(float(mean_lo), float(mean_hi), "equal", 0.5, WIN_MARGIN),
        }
        out[u] = entry
    return out


def _seed_sd(rs: list[dict[str, Any]], m: str, k: str) -> float:
    """Mean over the values of ``m`` of the seeds' standard deviation of score ``k``."""
    cells: dict[float, list[float]] = {}
    for r in rs:
        if r["model"] == m:
            cells.setdefault(r["value"], []).append(r[k])
    sds = [float(np.std(c, ddof=1)) for c in cells.values() if len(c) > 1]
    return float(np.mean(sds)) if sds else float("nan")


def _chance(ds: str) -> float | None:
    """Mean over factors of the accuracy of always guessing the most frequent class."""
    from .datasets import make_dataset

    try:
        sizes = make_dataset(ds).factors_num_values
    except (AttributeError, KeyError, ValueError):
        return None
    return float(np.mean([1.0 / k for k in sizes]))  # factors are uniform on their values


def uncertainty(
    rows: Sequence[Mapping[str, Any]],
    seconds: Mapping[tuple[str, str], float],
    keys: Mapping[str, Any],
    spearman: Mapping[str, Any],
    seed: int = 0,
) -> dict[str, Any]:
    """Intervals of the summary's tables (see the module docstring); ``seconds`` is the mean run
    time per (data set, objective), ``keys`` the score keys and orientation of the summary."""
    rng = np.random.default_rng(seed)
    dis, down = list(keys["disentanglement"]), list(keys["downstream"])
    uns: dict[str, int] = dict(keys["unsupervised"])
    out: dict[str, Any] = {"level": LEVEL, "n_boot": N_BOOT, "halfwidth": HALFWIDTH}
    for ds in dict.fromkeys(r["dataset"] for r in rows):
        rs = [dict(r) for r in rows if r["dataset"] == ds]
        if len(rs) < 4 or ds not in spearman:
            continue
        n = len(rs)
        models = list(dict.fromkeys(r["model"] for r in rs))
        sp = spearman[ds]
        cells = [(r["model"], r["value"]) for r in rs]
        e: dict[str, Any] = {
            "spearman_metrics": _ci(sp["metrics"], n),
            "metrics_vs_unsupervised": _ci(sp["metrics_vs_unsupervised"], n),
            "metrics_vs_downstream": _ci(sp["metrics_vs_downstream"], n),
            "metric_pairs_models_needed": models_for_halfwidth(0.0, HALFWIDTH, LEVEL),
            "cells": len(set(cells)),
        }
        trend: dict[str, Any] = {}
        for m in models:
            rm = [r for r in rs if r["model"] == m]
            if len({r["value"] for r in rm}) >= 2 and len(rm) >= 4:
                sec = seconds.get((ds, m), float("nan"))
                trend[m] = {
                    k: _trend(rm, m, k, sec) for k in ("tc_mean", "tc_sampled", "tc_mean_active")
                }
        e["tc_trend"] = trend
        e["selection"] = _selection(rs, dis, uns, rng)
        e["variance"] = {}
        for k in [*dis, *uns, *down]:
            share, lo, hi = seed_share_interval(np.array([r[k] for r in rs]), cells, LEVEL)
            e["variance"][k] = {"seed": share, "low": lo, "high": hi}
        e["downstream"] = {
            "chance": _chance(ds),
            "seed_sd": {m: {k: _seed_sd(rs, m, k) for k in down} for m in models},
        }
        out[ds] = e
    # transfer pools both data sets: resample runs within (data set, objective, value)
    T = np.array([[r[k] for k in dis] for r in rows])
    lab = ([r["dataset"] for r in rows], [r["model"] for r in rows])
    v = np.array([r["value"] for r in rows])
    s = np.array([r["seed"] for r in rows])
    idx = cell_resample(list(zip(*lab, v.tolist(), strict=True)), N_BOOT // 4, rng)
    est = transfer_win_rates(T, *lab, v, s, np.arange(len(rows))[None, :])
    draws = transfer_win_rates(T, *lab, v, s, idx)
    out["transfer"] = {}
    for c in est:
        lo, hi = percentile_interval(draws[c], LEVEL)
        out["transfer"][c] = {"win_rate": float(est[c][0]), "low": float(lo), "high": float(hi)}
    out["seconds_per_run"] = {f"{d}/{m}": t for (d, m), t in seconds.items()}
    return out
