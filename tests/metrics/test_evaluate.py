"""The all-in-one ``evaluate_representation`` and its ``MetricSizes``
(impossibility.metrics.evaluate), on a tiny synthetic ground-truth data set with reduced sizes."""

import dataclasses

import numpy as np
import pytest

from impossibility.metrics import (
    METRIC_NAMES,
    MetricSizes,
    beta_vae_score,
    dci_es,
    evaluate_representation,
    factor_vae_score,
    fairness,
    flatness,
    irs,
    linearity,
    mcc,
    mig,
    sample_factors_and_codes,
)

EVAL_SMALL = MetricSizes(
    num_train=300,
    num_test=150,
    beta_vae_num_train=150,
    beta_vae_num_eval=150,
    factor_vae_num_train=150,
    factor_vae_num_eval=150,
    factor_vae_num_variance_estimate=300,
    score_batch_size=16,
    fairness_num_test_points_per_class=20,
    fairness_n_estimators=10,
    flatness_repeats=8,
    linearity_repeats=8,
)


def test_evaluate_representation_all_metrics(tiny):
    data = tiny.Data(sizes=(3, 4, 5), noise=0.05)
    out = evaluate_representation(tiny.perfect, data, np.random.default_rng(0), sizes=EVAL_SMALL)
    expected_keys = {
        "beta_vae_train_accuracy",
        "beta_vae_eval_accuracy",
        "factor_vae_train_accuracy",
        "factor_vae_eval_accuracy",
        "factor_vae_num_active_dims",
        "mig",
        "dci_disentanglement",
        "dci_completeness",
        "dci_informativeness_train",
        "dci_informativeness_test",
        "sap",
        "modularity",
        "explicitness_train",
        "explicitness_test",
        "gaussian_total_correlation",
        "gaussian_wasserstein_correlation",
        "gaussian_wasserstein_correlation_norm",
        "mutual_info_score",
        "irs",
        "irs_num_active_dims",
        "mcc_pearson",
        "mcc_spearman",
        "fairness_mean",
        "fairness_max",
        "flatness",
        "flatness_l2",
        "dci_es_explicitness",
        "dci_es_size",
        "linearity_axis_ratio",
        "linearity_linear_ratio",
        "linearity_axis_alignment",
    }
    assert set(out) == expected_keys
    assert all(isinstance(v, float) and np.isfinite(v) for v in out.values())
    # a (nearly) perfect code
    assert out["mig"] > 0.8 and out["dci_disentanglement"] > 0.8 and out["modularity"] > 0.95
    assert out["beta_vae_eval_accuracy"] == 1.0 and out["factor_vae_eval_accuracy"] == 1.0
    assert out["irs"] > 0.8 and out["irs_num_active_dims"] == 3.0
    assert out["mcc_pearson"] > 0.95 and out["mcc_spearman"] > 0.95
    assert 0.0 <= out["fairness_mean"] <= out["fairness_max"] < 0.1
    # noise of sd 0.05 on every code lengthens the L1 steps (about 0.9 here; 1 without noise)
    assert 0.8 < out["flatness"] <= 1.0 + 1e-12
    assert out["dci_es_explicitness"] > 0.95 and out["dci_es_size"] == 1.0
    # noise of sd 0.05 spreads a little variance off the axis (0.995 and 0.997 over 3 seeds)
    assert out["linearity_axis_ratio"] > 0.95 and out["linearity_axis_alignment"] > 0.95

    # each family has its own child generator: a subset reproduces the same numbers
    sub = evaluate_representation(
        tiny.perfect,
        data,
        np.random.default_rng(0),
        metrics=["mig", "unsupervised"],
        sizes=EVAL_SMALL,
    )
    assert sub == {k: out[k] for k in sub} and "mig" in sub and "sap" not in sub


def test_evaluate_representation_is_the_individual_metrics_on_spawned_generators(tiny):
    # family m uses child METRIC_NAMES.index(m) of rng.spawn(13), with the sizes of MetricSizes
    data, rep = tiny.Data(noise=0.2), tiny.perfect
    sizes = dataclasses.replace(EVAL_SMALL, sample_batch_size=32)
    names = [
        "beta_vae",
        "factor_vae",
        "mig",
        "irs",
        "mcc",
        "fairness",
        "flatness",
        "dci_es",
        "linearity",
    ]
    out = evaluate_representation(
        rep, data, np.random.default_rng(5), metrics=names, sizes=sizes, prune_threshold=0.1
    )
    children = np.random.default_rng(5).spawn(len(METRIC_NAMES))
    child = dict(zip(METRIC_NAMES, children, strict=True))
    b = beta_vae_score(
        data,
        rep,
        child["beta_vae"],
        batch_size=sizes.score_batch_size,
        num_train=sizes.beta_vae_num_train,
        num_eval=sizes.beta_vae_num_eval,
    )
    f = factor_vae_score(
        data,
        rep,
        child["factor_vae"],
        batch_size=sizes.score_batch_size,
        num_train=sizes.factor_vae_num_train,
        num_eval=sizes.factor_vae_num_eval,
        num_variance_estimate=sizes.factor_vae_num_variance_estimate,
        prune_threshold=0.1,
    )
    z, y = sample_factors_and_codes(
        data, rep, sizes.num_train, child["mig"], batch_size=sizes.sample_batch_size
    )
    fair = fairness(
        data,
        rep,
        child["fairness"],
        num_train=sizes.num_train,
        num_test_points_per_class=sizes.fairness_num_test_points_per_class,
        batch_size=sizes.sample_batch_size,
        n_estimators=sizes.fairness_n_estimators,
    )
    flat = flatness(data, rep, child["flatness"], repeats=sizes.flatness_repeats)
    zi, yi, zm, ym = (
        a
        for m in ("irs", "mcc")
        for a in sample_factors_and_codes(
            data, rep, sizes.num_train, child[m], batch_size=sizes.sample_batch_size
        )
    )
    lin = linearity(data, rep, child["linearity"], repeats=sizes.linearity_repeats)
    es_sets = sample_factors_and_codes(
        data, rep, sizes.num_train, child["dci_es"], batch_size=sizes.sample_batch_size
    ) + sample_factors_and_codes(
        data, rep, sizes.num_test, child["dci_es"], batch_size=sizes.sample_batch_size
    )
    assert out == {
        "beta_vae_train_accuracy": b.train_accuracy,
        "beta_vae_eval_accuracy": b.eval_accuracy,
        "factor_vae_train_accuracy": f.train_accuracy,
        "factor_vae_eval_accuracy": f.eval_accuracy,
        "factor_vae_num_active_dims": float(f.num_active_dims),
        "mig": mig(z, y),
        **irs(zi, yi).as_dict(),
        "mcc_pearson": mcc(zm, ym),
        "mcc_spearman": mcc(zm, ym, method="spearman"),
        "fairness_mean": fair.unfairness,
        "fairness_max": float(np.mean(fair.max_fairness[~np.eye(3, dtype=bool)])),
        "flatness": flat["ave_flatness"],
        "flatness_l2": flat["ave_flatness_l2"],
        **dci_es(*es_sets, rng=child["dci_es"]).as_dict(),
        **{
            f"linearity_{k}": lin[f"linearity.{k}.var"]
            for k in ("axis_ratio", "linear_ratio", "axis_alignment")
        },
    }
    # the families added later are spawned last: the earlier ones keep their generators
    assert METRIC_NAMES[-6:] == ("irs", "mcc", "fairness", "flatness", "dci_es", "linearity")


def test_evaluate_representation_errors(tiny):
    data, rng = tiny.Data(), np.random.default_rng(0)
    with pytest.raises(ValueError, match="unknown metric"):
        evaluate_representation(tiny.perfect, data, rng, metrics=["udr"])
    assert "dci" in METRIC_NAMES
    # type mistakes: TypeError (rng was a ValueError before the move; the others are new)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator.*RandomState"):
        evaluate_representation(tiny.perfect, data, np.random.RandomState(0))
    with pytest.raises(TypeError, match="metrics must be an iterable of metric names"):
        evaluate_representation(tiny.perfect, data, rng, metrics="mig")
    with pytest.raises(TypeError, match="metric names must be strings; got 3"):
        evaluate_representation(tiny.perfect, data, rng, metrics=["mig", 3])
    with pytest.raises(TypeError, match="sizes must be a MetricSizes.*dict"):
        evaluate_representation(tiny.perfect, data, rng, sizes={"num_train": 300})
    with pytest.raises(TypeError, match="num_bins must be an integer; got 20.0"):
        evaluate_representation(tiny.perfect, data, rng, metrics=["mig"], num_bins=20.0)
    with pytest.raises(ValueError, match="prune_threshold must be >= 0.0"):
        evaluate_representation(tiny.perfect, data, rng, prune_threshold=-1.0)
    with pytest.raises(TypeError, match="n_jobs must be an integer"):
        evaluate_representation(tiny.perfect, data, rng, n_jobs="all")
    with pytest.raises(TypeError, match="data must provide .sample_factors"):
        evaluate_representation(tiny.perfect, object(), rng)
    with pytest.raises(TypeError, match="rep must be a callable"):
        evaluate_representation(None, data, rng)


def test_metric_sizes_defaults_are_the_reference_study():
    assert dataclasses.asdict(MetricSizes()) == {
        "num_train": 10000,
        "num_test": 5000,
        "sample_batch_size": 16,
        "beta_vae_num_train": 10000,
        "beta_vae_num_eval": 5000,
        "factor_vae_num_train": 10000,
        "factor_vae_num_eval": 5000,
        "factor_vae_num_variance_estimate": 10000,
        "score_batch_size": 64,
        "fairness_num_test_points_per_class": 100,
        "fairness_n_estimators": 100,
        "flatness_repeats": 1024,
        "linearity_repeats": 1024,
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        MetricSizes().num_train = 5
    # numpy integers are stored as int
    assert type(MetricSizes(num_train=np.int64(300)).num_train) is int


def test_metric_sizes_are_validated():
    with pytest.raises(TypeError, match="num_train must be an integer; got 1000.0"):
        MetricSizes(num_train=1000.0)
    with pytest.raises(TypeError, match="beta_vae_num_eval must be an integer; got True"):
        MetricSizes(beta_vae_num_eval=True)
    with pytest.raises(ValueError, match="num_test must be an integer >= 1; got 0"):
        MetricSizes(num_test=0)
    with pytest.raises(ValueError, match="score_batch_size must be an integer >= 2; got 1"):
        MetricSizes(score_batch_size=1)
    with pytest.raises(
        ValueError, match="factor_vae_num_variance_estimate must be an integer >= 2"
    ):
        MetricSizes(factor_vae_num_variance_estimate=1)
