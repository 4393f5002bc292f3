"""Sampling-based metrics (BetaVAE, FactorVAE scores), labelled sampling and the all-in-one
``evaluate_representation``, on a tiny synthetic ground-truth data set with reduced sizes."""

import numpy as np
import pytest

from impossibility.metrics import (
    METRIC_NAMES,
    GroundTruthData,
    beta_vae_score,
    evaluate_representation,
    factor_vae_score,
    sample_factors_and_codes,
)


class TinyData:
    """Independent uniform factors; an observation is a (2, K) array: row 0 holds the factors
    (plus optional noise), row 1 uniform nuisance drawn at rendering time."""

    def __init__(self, sizes=(3, 4, 5), noise=0.0):
        self.sizes = np.asarray(sizes)
        self.noise = noise

    @property
    def num_factors(self):
        return len(self.sizes)

    @property
    def factors_num_values(self):
        return self.sizes.tolist()

    def sample_factors(self, num, rng):
        return np.column_stack([rng.integers(0, n, num) for n in self.sizes])

    def sample_observations_from_factors(self, factors, rng):
        x = np.empty((factors.shape[0], 2, factors.shape[1]))
        x[:, 0] = factors + self.noise * rng.normal(size=factors.shape)
        x[:, 1] = rng.uniform(size=factors.shape)
        return x


def perfect(x):
    return x[:, 0, :] * 1.0


SMALL = dict(batch_size=16, num_train=300, num_eval=300)


def test_tiny_data_satisfies_protocol():
    assert isinstance(TinyData(), GroundTruthData)


def test_beta_vae_perfect_code_scores_one_and_noise_scores_chance():
    data = TinyData()
    s = beta_vae_score(data, perfect, np.random.default_rng(0), **SMALL)
    assert (s.train_accuracy, s.eval_accuracy) == (1.0, 1.0)

    def nuisance_only(x):  # codes that ignore the factors entirely
        return x[:, 1, :] * 1.0

    s = beta_vae_score(data, nuisance_only, np.random.default_rng(1), **SMALL)
    # Chance is 1/3; with 300 evaluation examples the sd of an accuracy is <= 0.03, so a
    # classifier on pure noise stays below 1/3 + 0.15 (5 sd) with overwhelming probability.
    assert s.eval_accuracy < 1 / 3 + 0.15


def test_factor_vae_perfect_missing_and_collapsed_codes():
    data = TinyData()
    rng = np.random.default_rng(2)
    s = factor_vae_score(data, perfect, rng, num_variance_estimate=500, **SMALL)
    assert (s.train_accuracy, s.eval_accuracy, s.num_active_dims) == (1.0, 1.0, 3)

    # Only factors 0 and 1 are encoded. Votes for factor 2 go to either code at random, so
    # each code's majority stays with its own factor and 1/3 of the votes are lost: 2/3.
    def two_codes(x):
        return x[:, 0, :2] * 1.0

    s = factor_vae_score(data, two_codes, np.random.default_rng(3), num_variance_estimate=500,
                         batch_size=16, num_train=600, num_eval=900)
    # sd of the eval accuracy: sqrt((2/9) / 900) = 0.016; tolerance 0.07 is over 4 sd
    assert s.eval_accuracy == pytest.approx(2 / 3, abs=0.07)

    # A collapsed code (std 0.01 < 0.05) is pruned; an exactly constant one too.
    def with_collapsed(x):
        z = perfect(x)
        return np.column_stack([z, 0.01 * x[:, 1, 0], np.full(len(z), 3.0)])

    s = factor_vae_score(data, with_collapsed, np.random.default_rng(4),
                         num_variance_estimate=500, **SMALL)
    assert s.num_active_dims == 3 and s.eval_accuracy == 1.0

    # Everything collapsed: both accuracies are 0 by definition.
    s = factor_vae_score(data, lambda x: 0.01 * x[:, 1, :], np.random.default_rng(5),
                         num_variance_estimate=200, **SMALL)
    assert (s.train_accuracy, s.eval_accuracy, s.num_active_dims) == (0.0, 0.0, 0)


def test_plane_rotation_halves_two_factors():
    # Codes (z0 + z1)/sqrt2, (z0 - z1)/sqrt2, z2 for three equally sized factors. Fixing z0 or
    # z1 shrinks both mixed codes equally, so neither score can tell factor 0 from factor 1:
    # factor 2 is always right, factors 0 and 1 together contribute about one half of their
    # third each -> accuracy about 2/3 for both scores (perfect code: 1.0, above).
    data = TinyData(sizes=(4, 4, 4))
    c = np.sqrt(0.5)
    mix = np.array([[c, c, 0.0], [c, -c, 0.0], [0.0, 0.0, 1.0]])

    def rotated(x):
        return ((x[:, 0, :] - 1.5) / np.sqrt(1.25)) @ mix.T

    sizes = dict(batch_size=16, num_train=600, num_eval=900)
    f = factor_vae_score(data, rotated, np.random.default_rng(7), num_variance_estimate=500,
                         **sizes)
    b = beta_vae_score(data, rotated, np.random.default_rng(8), **sizes)
    # binomial sd of an accuracy near 2/3 over 900 examples: 0.016; tolerance 0.07 > 4 sd
    assert f.eval_accuracy == pytest.approx(2 / 3, abs=0.07)
    assert b.eval_accuracy == pytest.approx(2 / 3, abs=0.07)


def test_sampling_scores_are_reproducible_and_consume_only_the_generator():
    data = TinyData(noise=0.3)
    a = beta_vae_score(data, perfect, np.random.default_rng(8), **SMALL)
    b = beta_vae_score(data, perfect, np.random.default_rng(8), **SMALL)
    assert a == b
    a = factor_vae_score(data, perfect, np.random.default_rng(9), num_variance_estimate=200,
                         **SMALL)
    b = factor_vae_score(data, perfect, np.random.default_rng(9), num_variance_estimate=200,
                         **SMALL)
    assert a == b


def test_sample_factors_and_codes_uses_minibatches():
    data = TinyData()
    calls = []

    def rep(x):
        calls.append(len(x))
        return perfect(x)

    z, y = sample_factors_and_codes(data, rep, 50, np.random.default_rng(0), batch_size=16)
    assert calls == [16, 16, 16, 2]
    assert z.shape == (50, 3) and y.shape == (50, 3) and y.dtype == np.int64
    np.testing.assert_array_equal(z, y)


def test_sampling_input_errors():
    data = TinyData()
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="shape"):
        beta_vae_score(data, lambda x: x[:, 0, 0], rng, **SMALL)
    with pytest.raises(ValueError, match="non-finite"):
        factor_vae_score(data, lambda x: np.full((len(x), 2), np.nan), rng, **SMALL)
    with pytest.raises(ValueError, match="Generator"):
        beta_vae_score(data, perfect, 0, **SMALL)
    with pytest.raises(ValueError, match="batch_size"):
        factor_vae_score(data, perfect, rng, batch_size=1)
    with pytest.raises(ValueError, match="sample_factors"):
        beta_vae_score(object(), perfect, rng, **SMALL)
    with pytest.raises(ValueError, match="at least 2 factors"):
        beta_vae_score(TinyData(sizes=(4,)), perfect, rng, **SMALL)


EVAL_SMALL = dict(
    num_train=300, num_test=150, beta_vae_num_train=150, beta_vae_num_eval=150,
    factor_vae_num_train=150, factor_vae_num_eval=150, factor_vae_num_variance_estimate=300,
    score_batch_size=16,
)


def test_evaluate_representation_all_metrics():
    data = TinyData(sizes=(3, 4, 5), noise=0.05)
    out = evaluate_representation(perfect, data, np.random.default_rng(0), **EVAL_SMALL)
    expected_keys = {
        "beta_vae_train_accuracy", "beta_vae_eval_accuracy", "factor_vae_train_accuracy",
        "factor_vae_eval_accuracy", "factor_vae_num_active_dims", "mig", "dci_disentanglement",
        "dci_completeness", "dci_informativeness_train", "dci_informativeness_test", "sap",
        "modularity", "explicitness_train", "explicitness_test", "gaussian_total_correlation",
        "gaussian_wasserstein_correlation", "gaussian_wasserstein_correlation_norm",
        "mutual_info_score",
    }
    assert set(out) == expected_keys
    assert all(isinstance(v, float) and np.isfinite(v) for v in out.values())
    # a (nearly) perfect code
    assert out["mig"] > 0.8 and out["dci_disentanglement"] > 0.8 and out["modularity"] > 0.95
    assert out["beta_vae_eval_accuracy"] == 1.0 and out["factor_vae_eval_accuracy"] == 1.0

    # each family has its own child generator: a subset reproduces the same numbers
    sub = evaluate_representation(perfect, data, np.random.default_rng(0),
                                  metrics=["mig", "unsupervised"], **EVAL_SMALL)
    assert sub == {k: out[k] for k in sub} and "mig" in sub and "sap" not in sub


def test_evaluate_representation_errors():
    with pytest.raises(ValueError, match="unknown metric"):
        evaluate_representation(perfect, TinyData(), np.random.default_rng(0), metrics=["irs"])
    assert "dci" in METRIC_NAMES
