"""Tests of impossibility.study.summary, on the study experiment's quick preset."""

from __future__ import annotations

import numpy as np
import pytest

import impossibility.study as st
from impossibility.tools.reproduce import read_json


def test_quick_experiment_writes_results_and_figures(quick_study):
    out, report = quick_study
    results = read_json(report["results"])["results"]
    n_expected = len(st.build_configs("quick"))
    assert results["n_runs"] == n_expected
    assert results["n_ok"] == n_expected, results["failed"]
    names = sorted(p.name for p in report["figures"])
    assert names == sorted(
        f"study_{n}.png"
        for n in ("tc", "spearman", "variance", "selection", "downstream", "transfer")
    )
    for p in report["figures"]:
        assert p.stat().st_size > 10_000
    ds = results["datasets"][0]
    # variance shares of every score partition the total sum of squares
    for key, shares in results["variance"][ds].items():
        if shares["ss_total"] > 0:
            assert shares["model"] + shares["hparam"] + shares["seed"] == pytest.approx(1.0), key
    # Spearman matrices are symmetric with unit diagonal (for non-constant metrics)
    m = np.array(results["spearman"][ds]["metrics"], dtype=float)
    assert np.allclose(m, m.T, equal_nan=True)
    finite = np.isfinite(np.diag(m))
    assert np.allclose(np.diag(m)[finite], 1.0)
    # every run carries the scores the figures need, with sane ranges
    for row in results["runs"]:
        assert row["tc_mean"] >= 0 and row["tc_sampled"] >= 0
        assert 0 <= row["mig"] <= 1 and 0 <= row["dci_disentanglement"] <= 1
        assert 0 <= row["lr_small"] <= 1 and 0 <= row["gbt_all"] <= 1
        assert row["irs"] <= 1 and 0 <= row["mcc_pearson"] <= 1 and 0 <= row["mcc_spearman"] <= 1
        assert row["elbo"] == pytest.approx(row["reconstruction"] - row["kl"], rel=1e-9)


def test_failed_runs_are_counted_and_skipped(sequential_records):
    failed = {"key": "0", "config": dict(sequential_records[0]["config"], seed=9)}
    failed.update(status="failed", error="FloatingPointError: non-finite scores ['mig']")
    out = st.summarize([*sequential_records, failed])
    assert (out["n_runs"], out["n_ok"], out["n_failed"]) == (5, 4, 1)
    assert out["failed"][0]["seed"] == 9 and out["failed"][0]["error"].startswith("Floating")
    assert [r["seed"] for r in out["runs"]] == [0, 1, 0, 1]
    assert out["keys"]["disentanglement"] == list(st.DISENTANGLEMENT_SCORES)
    # IRS and MCC enter the rank correlations and the variance decomposition like every metric
    dis = out["keys"]["disentanglement"]
    assert {"irs", "mcc_pearson", "mcc_spearman"} <= set(dis)
    ds = out["datasets"][0]
    assert np.shape(out["spearman"][ds]["metrics"]) == (len(dis), len(dis))
    i = dis.index("irs")
    table = np.array([[r[k] for k in dis] for r in out["runs"]])
    rho = st.spearman_matrix(table)[i]
    np.testing.assert_array_equal(np.array(out["spearman"][ds]["metrics"][i], float), rho)
    for key in ("irs", "mcc_pearson", "mcc_spearman"):
        v = st.variance_decomposition(
            table[:, dis.index(key)],
            [r["model"] for r in out["runs"]],
            [r["value"] for r in out["runs"]],
        )
        assert out["variance"][ds][key] == pytest.approx(v, nan_ok=True)
