"""Unfairness of downstream classifiers (impossibility.metrics.fairness): disentanglement_lib's
unit-test cases, a float64 loop over groups, and interventions on a tiny data set."""

import numpy as np
import pytest

from impossibility.metrics import fairness, fairness_summary, inter_group_fairness


def _tv_by_hand(counts):
    """Total variation of each column's distribution to the pooled one, in float64."""
    counts = np.asarray(counts, dtype=float)
    pooled = counts.sum(axis=1) / counts.sum()
    tv = [
        0.5 * sum(abs(a / col.sum() - p) for a, p in zip(col, pooled, strict=True))
        for col in counts.T
    ]
    weights = counts.sum(axis=0) / counts.sum()
    return float(np.dot(weights, tv)), max(tv)


def test_inter_group_fairness_reference_case():
    # pooled 1/3 : 2/3; the groups 0 : 1 and 1/2 : 1/2 are 1/3 and 1/6 away: mean 2/9, max 1/3
    mean, worst = inter_group_fairness(np.array([[0, 100], [100, 100]]))
    assert mean == pytest.approx(2 / 9, abs=1e-7) and worst == pytest.approx(1 / 3, abs=1e-7)


def test_inter_group_fairness_equals_the_loop():
    rng = np.random.default_rng(0)
    for _ in range(20):
        counts = rng.integers(0, 50, size=rng.integers(2, 7, size=2))
        counts[0] += 1  # every group has a prediction
        # single precision like the reference: agreement to float32 rounding
        np.testing.assert_allclose(inter_group_fairness(counts), _tv_by_hand(counts), atol=1e-6)
    # identical groups are perfectly fair
    assert inter_group_fairness(np.array([[3, 3, 3], [5, 5, 5]])) == (0.0, 0.0)


def test_fairness_summary_reference_case():
    scores = np.array([[0.0, 2.0, 4.0], [4.0, 0.0, 8.0], [2.0, 10.0, 0.0]])
    got = fairness_summary(scores, "test")
    want = {
        "test:pred0:sens1": 2.0, "test:pred0:sens2": 4.0, "test:pred1:sens0": 4.0,
        "test:pred1:sens2": 8.0, "test:pred2:sens0": 2.0, "test:pred2:sens1": 10.0,
        "test:pred0:mean_sens": 3.0, "test:pred0:max_sens": 4.0,
        "test:pred1:mean_sens": 6.0, "test:pred1:max_sens": 8.0,
        "test:pred2:mean_sens": 6.0, "test:pred2:max_sens": 10.0,
        "test:sens0:mean_pred": 3.0, "test:sens0:max_pred": 4.0,
        "test:sens1:mean_pred": 6.0, "test:sens1:max_pred": 10.0,
        "test:sens2:mean_pred": 6.0, "test:sens2:max_pred": 8.0,
        "test:mean_sens:mean_pred": 5.0, "test:mean_sens:max_pred": 22.0 / 3.0,
        "test:max_sens:mean_pred": 6.0, "test:max_sens:max_pred": 10.0,
        "test:mean_pred:mean_sens": 5.0, "test:mean_pred:max_sens": 22.0 / 3.0,
        "test:max_pred:mean_sens": 6.0, "test:max_pred:max_sens": 10.0,
    }  # fmt: skip
    assert got == want


SMALL = {"num_train": 600, "num_test_points_per_class": 40, "n_estimators": 20}


def test_fairness_of_a_perfect_and_of_a_mixed_code(tiny):
    data = tiny.Data(sizes=(3, 4, 5))
    perfect = fairness(data, tiny.perfect, np.random.default_rng(0), **SMALL)
    # the same factor vectors are re-rendered for every sensitive value: a classifier that reads
    # only its own factor's code predicts the same labels, and unfairness is (nearly) 0
    assert perfect.unfairness < 0.05
    assert np.all(np.diag(perfect.mean_fairness) == 0.0)

    def mixed(x):
        y = x[:, 0, :]
        return y @ np.array([[1.0, 1.0, 0.0], [-1.0, 1.0, 1.0], [0.0, -1.0, 1.0]])

    entangled = fairness(data, mixed, np.random.default_rng(0), **SMALL)
    assert entangled.unfairness > perfect.unfairness + 0.05
    keys = entangled.as_dict()
    assert keys["mean_fairness:mean_pred:mean_sens"] == entangled.unfairness
    assert np.all((entangled.max_fairness >= entangled.mean_fairness - 1e-7))
    # an explicit generator makes it reproducible
    again = fairness(data, mixed, np.random.default_rng(0), **SMALL)
    np.testing.assert_array_equal(again.mean_fairness, entangled.mean_fairness)


def test_fairness_errors(tiny):
    data, rng = tiny.Data(sizes=(3, 4)), np.random.default_rng(0)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        fairness(data, tiny.perfect, 0)
    with pytest.raises(ValueError, match="at least 2 factors"):
        fairness(tiny.Data(sizes=(3,)), tiny.perfect, rng)
    with pytest.raises(ValueError, match="single value"):
        fairness(tiny.Data(sizes=(1, 4)), tiny.perfect, rng, **SMALL)
    with pytest.raises(ValueError, match="non-finite"):
        fairness(data, lambda x: np.full((len(x), 2), np.nan), rng, **SMALL)
    with pytest.raises(ValueError, match="num_test_points_per_class must be an integer >= 1"):
        fairness(data, tiny.perfect, rng, num_test_points_per_class=0)
    with pytest.raises(ValueError, match="non-empty 2-D array of non-negative integers"):
        inter_group_fairness(np.array([[0.5, 1.0]]))
    with pytest.raises(ValueError, match="every sensitive class needs predictions"):
        inter_group_fairness(np.array([[0, 1], [0, 2]]))


def test_fairness_is_the_same_for_every_n_jobs(tiny):
    # every factor's seed is drawn before any fit, and the parallel fits are returned in
    # factor order whatever order they ran in: equal to the last bit
    data = tiny.Data(sizes=(3, 4, 5))
    runs = [
        fairness(data, tiny.perfect, np.random.default_rng(1), **SMALL, n_jobs=n_jobs)
        for n_jobs in (None, 1, 2, -1, "auto")
    ]
    for other in runs[1:]:
        np.testing.assert_array_equal(other.mean_fairness, runs[0].mean_fairness)
        np.testing.assert_array_equal(other.max_fairness, runs[0].max_fairness)
    with pytest.raises(TypeError, match="n_jobs must be an integer"):
        fairness(data, tiny.perfect, np.random.default_rng(1), n_jobs="all")
    with pytest.raises(ValueError, match="n_jobs"):
        fairness(data, tiny.perfect, np.random.default_rng(1), n_jobs=0)
