"""The tables behind the study's figures, :func:`summarize`, and the score keys they cover.

:data:`DISENTANGLEMENT_SCORES`, :data:`UNSUPERVISED_SCORES` and :data:`DOWNSTREAM_SCORES` name
the record scores the analysis uses; :func:`summarize` turns the run records into per-value means
and standard deviations, rank correlations, variance shares, selection and transfer win rates,
each with its confidence interval (``impossibility/study/uncertainty.py``).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from impossibility._typing import Array

from .analysis import selection_analysis, spearman_matrix, transfer_analysis, variance_decomposition
from .config import MODELS
from .uncertainty import uncertainty

__all__ = ["DISENTANGLEMENT_SCORES", "UNSUPERVISED_SCORES", "DOWNSTREAM_SCORES", "summarize"]

#: Disentanglement metrics (record score key → label), on the mean representation.
DISENTANGLEMENT_SCORES: dict[str, str] = {
    "beta_vae_eval_accuracy": "BetaVAE",
    "factor_vae_eval_accuracy": "FactorVAE",
    "mig": "MIG",
    "dci_disentanglement": "DCI Dis.",
    "modularity": "Modularity",
    "sap": "SAP",
    "irs": "IRS",
    "mcc_pearson": "MCC",
    "mcc_spearman": "MCC (Spearman)",
}
#: Unsupervised scores (key → (label, +1 if higher is better, −1 if lower is better)).
UNSUPERVISED_SCORES: dict[str, tuple[str, int]] = {
    "elbo": ("ELBO", 1),
    "reconstruction": ("Reconstruction", 1),
    "tc_sampled": ("TC (sampled)", -1),
    "tc_mean": ("TC (mean)", -1),
    "kl": ("KL", -1),
}
#: Downstream scores (key → label).
DOWNSTREAM_SCORES: dict[str, str] = {
    "lr_small": "LR acc@small",
    "lr_all": "LR acc@all",
    "lr_efficiency": "LR efficiency",
    "gbt_small": "GBT acc@small",
    "gbt_all": "GBT acc@all",
    "gbt_efficiency": "GBT efficiency",
}

_DIS = list(DISENTANGLEMENT_SCORES)
_UNS = list(UNSUPERVISED_SCORES)
_DOWN = list(DOWNSTREAM_SCORES)
# scores tabulated per hyperparameter value (mean and standard deviation over seeds)
_PER_VALUE = ("tc_mean", "tc_sampled", "tc_mean_active", "active_dims", "elbo", *_DOWN, *_DIS)
_TC = ("tc_mean", "tc_sampled", "tc_mean_active")


def _nan_to_none(x: Any) -> Any:
    """NaN and ±inf → ``None`` (JSON ``null``), recursively through lists and dicts."""
    if isinstance(x, float) and not np.isfinite(x):
        return None
    if isinstance(x, list):
        return [_nan_to_none(v) for v in x]
    if isinstance(x, dict):
        return {k: _nan_to_none(v) for k, v in x.items()}
    return x


def _run_row(record: Mapping[str, Any]) -> dict[str, Any]:
    c = record["config"]
    return {
        "dataset": c["dataset"],
        "model": c["model"],
        "value": float(c["value"]),
        "seed": int(c["seed"]),
        **record["scores"],
    }


def _failure(record: Mapping[str, Any]) -> dict[str, Any]:
    c = record["config"]
    return {
        "model": c["model"],
        "value": c["value"],
        "seed": c["seed"],
        "dataset": c["dataset"],
        "error": record.get("error", ""),
    }


def _per_value(rs: list[dict[str, Any]], m: str) -> dict[str, list[float]]:
    """Mean and standard deviation over seeds of each score, per hyperparameter value of ``m``."""
    vals = sorted({r["value"] for r in rs if r["model"] == m})
    entry: dict[str, list[float]] = {"values": vals}
    for key in _PER_VALUE:
        cell = [[r[key] for r in rs if r["model"] == m and r["value"] == v] for v in vals]
        entry[key] = [float(np.mean(c)) for c in cell]
        entry[key + "_sd"] = [float(np.std(c, ddof=1)) if len(c) > 1 else 0.0 for c in cell]
    return entry


def _table(rs: list[dict[str, Any]], keys: list[str]) -> Array:
    return np.array([[r[k] for k in keys] for r in rs])


def _spearman(rs: list[dict[str, Any]], models: list[str]) -> dict[str, Any]:
    """Rank correlations among metrics, with unsupervised and downstream scores, and of TC with
    the hyperparameter per model."""
    n = len(_DIS)
    out: dict[str, Any] = {
        "metrics": spearman_matrix(_table(rs, _DIS)).tolist(),
        "metrics_vs_unsupervised": spearman_matrix(_table(rs, _DIS + _UNS))[:n, n:].tolist(),
        "metrics_vs_downstream": spearman_matrix(_table(rs, _DIS + _DOWN))[:n, n:].tolist(),
    }
    trend = {}
    for m in models:
        rm = [r for r in rs if r["model"] == m]
        if len({r["value"] for r in rm}) >= 2 and len(rm) >= 3:
            t = spearman_matrix(np.array([[r["value"], *(r[k] for k in _TC)] for r in rm]))
            trend[m] = {k: t[0, j] for j, k in enumerate(_TC, 1)}
    out["tc_vs_hparam"] = trend
    return out


def _selection(rs: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, float]]]:
    """Win rates of each unsupervised score picking, per model, runs good for each metric."""
    groups = [r["model"] for r in rs]
    return {
        u: {
            k: selection_analysis(
                np.array([r[u] for r in rs]),
                np.array([r[k] for r in rs]),
                groups,
                higher_is_better=UNSUPERVISED_SCORES[u][1] > 0,
            )
            for k in _DIS
        }
        for u in _UNS
    }


def _consistency(spear: Mapping[str, Any], datasets: list[str]) -> dict[str, Any]:
    """Do the rank correlations keep their sign across the first two data sets?"""
    a, b = (np.array(spear[d]["metrics_vs_unsupervised"], dtype=float) for d in datasets[:2])
    ma, mb = (np.array(spear[d]["metrics"], dtype=float) for d in datasets[:2])
    iu = np.triu_indices_from(ma, 1)
    return {
        "datasets": datasets[:2],
        "metrics_vs_unsupervised_same_sign": float(np.mean(np.sign(a) == np.sign(b))),
        "metrics_vs_unsupervised_correlation": float(np.corrcoef(a.ravel(), b.ravel())[0, 1]),
        "metric_pairs_correlation": float(np.corrcoef(ma[iu], mb[iu])[0, 1]),
    }


def summarize(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """All tables behind the figures, from the run records (failed runs are counted and skipped).

    Returns a JSON-able dict (NaN → ``None``) with ``runs`` (flat per-run rows), ``tc`` (per
    data set, model and value: mean and standard deviation of TC of mean and sampled codes over
    seeds), ``spearman`` (between disentanglement metrics; between metrics and unsupervised
    scores; between metrics and downstream scores; per data set), ``variance`` (shares of model,
    hyperparameter and seed per score and data set), ``selection`` (win rates of unsupervised
    model selection), ``downstream`` (mean accuracies per model), ``transfer`` (see
    :func:`transfer_analysis`), with two data sets ``consistency`` across them, and
    ``uncertainty``: the intervals and verdicts of
    ``study.uncertainty.uncertainty``.
    """
    ok = [r for r in records if r.get("status") == "ok"]
    failed = [r for r in records if r.get("status") != "ok"]
    rows = [_run_row(r) for r in ok]
    out: dict[str, Any] = {
        "n_runs": len(records),
        "n_ok": len(ok),
        "n_failed": len(failed),
        "failed": [_failure(r) for r in failed],
        "runs": rows,
        "seconds_total": float(sum(r.get("seconds", 0.0) for r in records)),
        "labels": {
            "disentanglement": DISENTANGLEMENT_SCORES,
            "unsupervised": {k: v[0] for k, v in UNSUPERVISED_SCORES.items()},
            "downstream": DOWNSTREAM_SCORES,
        },
    }
    if records:
        out["settings"] = records[0]["config"]["settings"]
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))  # in the order of the sweep
    out["datasets"] = datasets
    tc: dict[str, Any] = {}
    spear: dict[str, Any] = {}
    var: dict[str, Any] = {}
    sel: dict[str, Any] = {}
    down: dict[str, Any] = {}
    for ds in datasets:
        rs = [r for r in rows if r["dataset"] == ds]
        models = [m for m in MODELS if any(r["model"] == m for r in rs)]
        tc[ds] = {m: _per_value(rs, m) for m in models}
        down[ds] = {
            m: {k: float(np.mean([r[k] for r in rs if r["model"] == m])) for k in _DOWN}
            for m in models
        }
        if len(rs) < 3:
            continue
        spear[ds] = _spearman(rs, models)
        mod = [r["model"] for r in rs]
        hp = [r["value"] for r in rs]
        var[ds] = {
            k: variance_decomposition(np.array([r[k] for r in rs]), mod, hp)
            for k in _DIS + _UNS + _DOWN
        }
        sel[ds] = _selection(rs)
    out.update(tc=tc, spearman=spear, variance=var, selection=sel, downstream=down)
    out["transfer"] = transfer_analysis(rows, _DIS) if rows else {}
    if len(datasets) >= 2:
        out["consistency"] = _consistency(spear, datasets)
    out["keys"] = {"disentanglement": _DIS, "unsupervised": _UNS, "downstream": _DOWN}
    if rows:
        seconds: dict[tuple[str, str], list[float]] = {}
        for r in ok:
            c = r["config"]
            seconds.setdefault((c["dataset"], c["model"]), []).append(float(r.get("seconds", 0)))
        signs = {k: v[1] for k, v in UNSUPERVISED_SCORES.items()}
        out["uncertainty"] = uncertainty(
            rows,
            {k: float(np.mean(v)) for k, v in seconds.items()},
            {"disentanglement": _DIS, "unsupervised": signs, "downstream": _DOWN},
            spear,
        )
    return _nan_to_none(out)
