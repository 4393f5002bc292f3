"""Strong generalisation under a covariate shift (impossibility.metrics.strong_downstream):
the reference's intervention checks and task scenario, and a perfect against a mixed code."""

import numpy as np
import pytest

from impossibility.metrics import intervene, strong_downstream

FAST = {"num_train": [300], "num_test": 200, "n_experiment": 2, "n_estimators": 15}


def test_intervene_reference_checks(uniform):
    rng = np.random.default_rng(0)
    sizes = [5] * 6
    ytr, yte = uniform.factors(1000, sizes, rng), uniform.factors(1000, sizes, rng)
    for i in range(6):
        a, b, j, v = intervene(ytr, yte, i, sizes, rng)
        assert j != i
        assert np.all(a[:, j] == v) and np.all(b[:, j] != v)
        # only that column changes; the test values cover the other n_j - 1 values
        others = [c for c in range(6) if c != j]
        assert np.array_equal(a[:, others], ytr[:, others])
        assert np.array_equal(b[:, others], yte[:, others])
        assert set(np.unique(b[:, j])) == set(range(5)) - {v}
    with pytest.raises(ValueError, match="nothing to intervene on"):
        intervene(ytr[:, :2], yte[:, :2], 0, [5, 1], rng)


def test_strong_downstream_reference_scenario(tiny):
    # the reference's test: codes that ignore the factors (uniform noise) stay near chance
    data = tiny.Data(sizes=(5, 5, 5, 5))
    scores = strong_downstream(data, lambda x: x[:, 1, :], np.random.default_rng(0), **FAST)
    assert 0.0 <= scores["300:mean_strong_test_accuracy"] <= 0.3


def test_strong_downstream_perfect_and_mixed(tiny):
    data = tiny.Data(sizes=(4, 5, 6))
    perfect = strong_downstream(data, tiny.perfect, np.random.default_rng(1), **FAST)
    assert perfect["300:mean_test_accuracy"] == 1.0
    # a classifier that reads only its own code is untouched by a shift in another factor
    assert abs(perfect["300:strong_generalization_gap"]) < 0.02

    def mixed(x):
        y = x[:, 0, :]
        return np.column_stack([y[:, 0] + y[:, 1], y[:, 1] + y[:, 2], y[:, 2] + y[:, 0]])

    shifted = strong_downstream(data, mixed, np.random.default_rng(1), **FAST)
    assert shifted["300:strong_generalization_gap"] > perfect["300:strong_generalization_gap"] + 0.1
    gap = 1 - shifted["300:mean_strong_test_accuracy"] / shifted["300:mean_test_accuracy"]
    assert shifted["300:strong_generalization_gap"] == gap
    assert set(shifted) == {
        f"300:{k}"
        for k in (
            "mean_train_accuracy",
            "mean_test_accuracy",
            "mean_strong_train_accuracy",
            "mean_strong_test_accuracy",
            "strong_generalization_gap",
        )
    }


def test_strong_downstream_errors(tiny):
    data, rng = tiny.Data(sizes=(3, 4)), np.random.default_rng(0)
    with pytest.raises(ValueError, match="at least 2 factors"):
        strong_downstream(tiny.Data(sizes=(3,)), tiny.perfect, rng)
    with pytest.raises(ValueError, match="num_test must be an integer >= 1"):
        strong_downstream(data, tiny.perfect, rng, num_test=0)
    with pytest.raises(TypeError, match="num_train must be an integer"):
        strong_downstream(data, tiny.perfect, rng, num_train=[10.5])
    with pytest.raises(ValueError, match="non-finite"):
        strong_downstream(data, lambda x: np.full((len(x), 2), np.inf), rng, **FAST)


def test_intervene_interpolation(uniform):
    rng = np.random.default_rng(3)
    sizes = [2, 5, 4, 2]
    ytr, yte = uniform.factors(2000, sizes, rng), uniform.factors(800, sizes, rng)
    seen = set()
    for _ in range(40):
        a, b, j, v = intervene(ytr, yte, 0, sizes, rng, split="interpolation")
        # only factors with >= 3 values qualify, and the held-out value is interior
        assert j in (1, 2) and 1 <= v <= sizes[j] - 2
        assert np.all(b[:, j] == v) and np.all(a[:, j] != v)
        # training keeps values on both sides of v: the test value lies inside its range
        assert a[:, j].min() < v < a[:, j].max()
        assert set(np.unique(a[:, j])) == set(range(sizes[j])) - {v}
        others = [c for c in range(4) if c != j]
        assert np.array_equal(a[:, others], ytr[:, others])
        assert np.array_equal(b[:, others], yte[:, others])
        seen.add((j, v))
    assert seen == {(1, 1), (1, 2), (1, 3), (2, 1), (2, 2)}  # every choice occurs
    with pytest.raises(ValueError, match="3 or more values"):
        intervene(ytr, yte, 1, [2, 5, 2, 2], rng, split="interpolation")
    with pytest.raises(ValueError, match="split must be one of"):
        intervene(ytr, yte, 0, sizes, rng, split="both")


def test_extrapolation_default_is_unchanged_and_interpolation_scores(tiny):
    data = tiny.Data(sizes=(4, 5, 6))
    default = strong_downstream(data, tiny.perfect, np.random.default_rng(1), **FAST)
    explicit = strong_downstream(
        data, tiny.perfect, np.random.default_rng(1), **FAST, split="extrapolation"
    )
    assert default == explicit
    inter = strong_downstream(
        data, tiny.perfect, np.random.default_rng(1), **FAST, split="interpolation"
    )
    assert set(inter) == set(default)
    # a perfect code: the held-out value of another factor does not move the own code
    assert abs(inter["300:strong_generalization_gap"]) < 0.02

    def mixed(x):
        y = x[:, 0, :]
        return np.column_stack([y[:, 0] + y[:, 1], y[:, 1] + y[:, 2], y[:, 2] + y[:, 0]])

    # a mixed code: the unseen (interior) value shifts the codes the classifier reads (gaps
    # 0.76-0.88 over 4 seeds, the perfect code's 0.0; extrapolation 0.69-0.71)
    mixed_inter = strong_downstream(
        data, mixed, np.random.default_rng(1), **FAST, split="interpolation"
    )
    gap = mixed_inter["300:strong_generalization_gap"]
    assert gap > inter["300:strong_generalization_gap"] + 0.05
    with pytest.raises(ValueError, match="split must be one of"):
        strong_downstream(data, tiny.perfect, np.random.default_rng(1), split="middle")
