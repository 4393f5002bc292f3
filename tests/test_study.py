"""Tests for the study sweep (impossibility.study) and its experiment (experiments/study.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import impossibility.study as st
from impossibility.tools.reproduce import read_json, run_experiments

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


def tiny_configs() -> list[st.RunConfig]:
    preset = st.StudyPreset(
        name="tiny",
        datasets=("sprites16",),
        models=("beta_tc_vae", "factor_vae"),
        values={"beta_tc_vae": (2.0,), "factor_vae": (10.0,)},
        seeds=(0, 1),
        settings=TINY,
    )
    return st.build_configs(preset)


def strip_timing(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


# ------------------------------------------------------------------------------- the quick preset
@pytest.fixture(scope="module")
def quick_study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("study")
    report = run_experiments(out=out, quick=True, only=["study"], log=lambda m: None)
    return out, report["study"]


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
        assert row["elbo"] == pytest.approx(row["reconstruction"] - row["kl"], rel=1e-9)


def test_quick_sweep_resumes_without_recomputing(quick_study, monkeypatch):
    out, _ = quick_study
    cache = out / "cache" / "quick" / "study"
    files = sorted(cache.glob("*.json"))
    assert len(files) == len(st.build_configs("quick"))
    before = {p: p.stat().st_mtime_ns for p in files}

    def boom(config):  # any recomputation would call run_one
        raise AssertionError(f"finished run recomputed: {config}")

    monkeypatch.setattr(st, "run_one", boom)
    records = st.run_study("quick", backend="sequential", out_dir=cache)
    assert all(r["status"] == "ok" for r in records)
    assert {p: p.stat().st_mtime_ns for p in files} == before
    # the command line resumes from the same folder too, and writes the summary
    assert (
        st.main(
            [
                "--preset",
                "quick",
                "--out-dir",
                str(cache),
                "--backend",
                "sequential",
                "--summary",
                str(out / "summary.json"),
            ]
        )
        == 0
    )
    assert read_json(out / "summary.json")["n_ok"] == len(files)


# ---------------------------------------------------------------- backends, seeding and resuming
@pytest.fixture(scope="module")
def sequential_records(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    return st.run_sweep(tiny_configs(), tmp_path_factory.mktemp("seq"), backend="sequential")


def test_loky_resume_matches_sequential(sequential_records, tmp_path):
    configs = tiny_configs()
    # an "interrupted" sweep: only the first run finished
    first = st.run_sweep(configs[:1], tmp_path, backend="sequential")
    path = tmp_path / configs[0].filename
    stamp = path.stat().st_mtime_ns
    resumed = st.run_sweep(configs, tmp_path, backend="loky", n_jobs=2)
    assert path.stat().st_mtime_ns == stamp  # the finished run was not rewritten
    assert resumed[0] == first[0]
    assert all(r["status"] == "ok" for r in resumed)
    # identical results on both backends: each run is seeded from its configuration only
    assert strip_timing(resumed) == strip_timing(sequential_records)
    # distinct seeds give distinct models
    assert resumed[0]["scores"] != resumed[1]["scores"]


def test_dask_backend_matches_sequential(sequential_records, tmp_path):
    pytest.importorskip("distributed")
    recs = st.run_sweep(tiny_configs(), tmp_path, backend="dask", n_jobs=2)
    assert strip_timing(recs) == strip_timing(sequential_records)


def test_corrupted_run_file_is_recomputed(sequential_records, tmp_path):
    configs = tiny_configs()[:1]
    path = tmp_path / configs[0].filename
    path.write_text('{"key": "truncated')
    (rec,) = st.run_sweep(configs, tmp_path, backend="sequential")
    assert rec["status"] == "ok"
    assert json.loads(path.read_text())["key"] == configs[0].key
    assert strip_timing([rec]) == strip_timing(sequential_records[:1])


def test_configuration_hash_and_seed():
    a, b = tiny_configs()[:2]
    assert a.key != b.key  # different seeds
    assert a.key == replace(a).key
    assert replace(a, settings=replace(TINY, n_steps=21)).key != a.key
    # the seed sequence depends on the configuration, not on its position in a sweep
    reordered = list(reversed(tiny_configs()))
    assert [c.seed_sequence().entropy for c in reordered[::-1]] == [
        c.seed_sequence().entropy for c in tiny_configs()
    ]
    assert (
        a.seed_sequence().generate_state(2).tolist() != b.seed_sequence().generate_state(2).tolist()
    )


def test_presets_have_the_papers_grid():
    configs = st.build_configs("default")
    models = {c.model for c in configs}
    assert models == set(st.MODELS)
    for m in st.MODELS:
        values = sorted({c.value for c in configs if c.model == m})
        assert tuple(values) == st.STUDY_GRID[m]
    preset = st.PRESETS["default"]
    assert len(configs) == 6 * 6 * len(preset.seeds) * len(preset.datasets)
    assert len(st.PRESETS["full"].seeds) == 50


# ------------------------------------------------------------------------------------ analysis
def test_spearman_matrix_matches_scipy():
    rng = np.random.default_rng(0)
    t = rng.standard_normal((40, 4))
    t[:, 1] += t[:, 0]
    t[5, 2] = t[6, 2]  # a tie
    expected = stats.spearmanr(t).statistic
    assert np.allclose(st.spearman_matrix(t), expected, atol=1e-12)


def test_spearman_constant_column_is_nan():
    t = np.column_stack([np.arange(5.0), np.ones(5)])
    c = st.spearman_matrix(t)
    assert np.isnan(c[0, 1]) and np.isnan(c[1, 1]) and c[0, 0] == pytest.approx(1.0)


def test_variance_decomposition_matches_least_squares():
    rng = np.random.default_rng(1)
    model, hparam, v = [], [], []
    for m in range(3):
        for h in range(4):
            for _ in range(rng.integers(2, 5)):  # unbalanced cells
                model.append(m)
                hparam.append(10 * m + h)  # nested: hparam levels are per model
                v.append(2.0 * m + 0.5 * h * (m + 1) + rng.standard_normal())
    v = np.array(v)
    out = st.variance_decomposition(v, model, hparam)

    # independent computation: residual sums of squares of dummy regressions
    def rss(labels):
        levels = sorted(set(labels))
        X = np.array([[lab == lv for lv in levels] for lab in labels], dtype=float)
        beta, *_ = np.linalg.lstsq(X, v, rcond=None)
        return float(((v - X @ beta) ** 2).sum())

    ss_tot = float(((v - v.mean()) ** 2).sum())
    ss_model_fit = rss(model)
    ss_cell_fit = rss(list(zip(model, hparam, strict=False)))
    assert out["ss_total"] == pytest.approx(ss_tot, rel=1e-12)
    assert out["model"] == pytest.approx((ss_tot - ss_model_fit) / ss_tot, rel=1e-10)
    assert out["hparam"] == pytest.approx((ss_model_fit - ss_cell_fit) / ss_tot, rel=1e-10)
    assert out["seed"] == pytest.approx(ss_cell_fit / ss_tot, rel=1e-10)


def test_variance_decomposition_pure_effects():
    model = [0, 0, 0, 0, 1, 1, 1, 1]
    hparam = [0, 0, 1, 1, 2, 2, 3, 3]
    only_model = st.variance_decomposition(np.array([1.0] * 4 + [3.0] * 4), model, hparam)
    assert only_model["model"] == pytest.approx(1.0) and only_model["seed"] == pytest.approx(0.0)
    only_seed = st.variance_decomposition(np.array([1.0, -1.0] * 4), model, hparam)
    assert only_seed["seed"] == pytest.approx(1.0) and only_seed["model"] == pytest.approx(0.0)
    assert np.isnan(st.variance_decomposition(np.ones(8), model, hparam)["model"])


def test_selection_analysis_extremes():
    target = np.array([0.1, 0.5, 0.9, 0.2, 0.4, 0.8])
    groups = ["a"] * 3 + ["b"] * 3
    good = st.selection_analysis(target, target, groups)
    assert good["win_rate"] == 1.0 and good["spearman_within_group"] == pytest.approx(1.0)
    bad = st.selection_analysis(target, target, groups, higher_is_better=False)
    assert bad["win_rate"] == 0.0 and bad["spearman_within_group"] == pytest.approx(-1.0)


# ------------------------------------------------------------------------------- input checking
def test_bad_inputs_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        st.build_configs("huge")
    with pytest.raises(ValueError, match="unknown backend 'mpi'"):
        st.run_sweep(tiny_configs(), tmp_path, backend="mpi")
    with pytest.raises(ValueError, match="n_jobs must be"):
        st.run_sweep(tiny_configs(), tmp_path, n_jobs=0)
    with pytest.raises(ValueError, match="duplicate"):
        st.run_sweep(tiny_configs()[:1] * 2, tmp_path)
    with pytest.raises(ValueError, match="n_steps must be a positive integer; got 0"):
        st.StudySettings(n_steps=0)
    with pytest.raises(ValueError, match="downstream_small=100 must be below num_train=50"):
        st.StudySettings(num_train=50)
    with pytest.raises(ValueError, match="unknown data set 'mnist'"):
        st.make_dataset("mnist")
    with pytest.raises(ValueError, match="variance_decomposition|1-D of one length"):
        st.variance_decomposition(np.ones(3), [0, 1], [0, 1, 2])
    with pytest.raises(ValueError, match="n >= 3 rows"):
        st.spearman_matrix(np.ones((2, 2)))


def test_transfer_analysis_hand_case():
    # one objective, two values, two seeds, two data sets; value 1 is better everywhere
    rows = [
        {"dataset": d, "model": "m", "value": v, "seed": s, "score": 1.0 if v == 1 else 0.0}
        for d in ("A", "B")
        for v in (1, 2)
        for s in (0, 1)
    ]
    out = st.transfer_analysis(rows, ["score"])
    # a chosen run (value 1) beats the two value-2 runs and ties the other value-1 run
    assert out["same_metric_other_data"] == pytest.approx((1 + 1 + 0.5) / 3)
    assert out["same_metric_same_data"] == pytest.approx((1 + 1 + 0.5) / 3)
    assert out["other_metric_other_data"] is None  # a single metric: no "other metric" case
    # opposite preferences on the two data sets: the transferred value is the worse one in both
    # directions (loses to the two runs of the other value, ties its twin)
    flipped = [dict(r, score=1.0 - r["score"]) if r["dataset"] == "A" else r for r in rows]
    bad = st.transfer_analysis(flipped, ["score"])
    assert bad["same_metric_other_data"] == pytest.approx(0.5 / 3)
    assert bad["same_metric_same_data"] == pytest.approx((1 + 1 + 0.5) / 3)
