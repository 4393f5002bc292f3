"""Flatness of factor traversals (impossibility.metrics.flatness): closed-form cases (straight,
rotated and curved traversals) and a loop over pairs of codes."""

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from scipy.stats import ortho_group

from impossibility.metrics import flatness, traversal_measures


def test_traversal_measures_equal_the_loop():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(7, 6, 3))
    for p, metric in ((1, "cityblock"), (2, "euclidean")):
        width, step = traversal_measures(z, p)
        for r in range(7):
            d = cdist(z[r], z[r], metric=metric)
            steps = [d[a, (a + 1) % 6] for a in range(6)]
            assert width[r] == pytest.approx(d.max(), rel=1e-12)
            assert step[r] == pytest.approx((sum(steps) - max(steps)) / 5, rel=1e-12)


def test_flatness_of_straight_rotated_and_curved_codes(tiny):
    data = tiny.Data(sizes=(2, 5, 7))
    rng = np.random.default_rng(1)
    # unit steps along one axis: width = length = n_f - 1 in both norms
    straight = flatness(data, tiny.perfect, rng, repeats=16)
    for key in ("ave_flatness", "ave_flatness_l1", "ave_flatness_l2"):
        assert straight[key] == pytest.approx(1.0, abs=1e-12), key
    assert straight["ave_width_l2"] == pytest.approx(np.mean([1, 4, 6]), abs=1e-12)
    # a rotation keeps L2 distances (flatness_l2 = 1) but a step off the axes is longer in L1
    rot = ortho_group.rvs(3, random_state=2)
    rotated = flatness(data, lambda x: x[:, 0, :] @ rot.T, rng, repeats=16)
    assert rotated["ave_flatness_l2"] == pytest.approx(1.0, abs=1e-12)
    l1 = np.abs(rot).sum(axis=0)  # the L1 length of each factor's unit step
    assert rotated["ave_flatness"] == pytest.approx(np.mean(1 / l1), abs=1e-12)
    # a curved traversal is narrower than it is long
    curved = flatness(
        data, lambda x: np.column_stack([np.cos(x[:, 0, :]), np.sin(x[:, 0, :])]), rng, repeats=16
    )
    assert curved["ave_flatness_l2"] < 0.9


def test_flatness_errors(tiny):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="a factor with at least 2 values"):
        flatness(tiny.Data(sizes=(1, 1)), tiny.perfect, rng)
    with pytest.raises(ValueError, match="repeats must be an integer >= 1"):
        flatness(tiny.Data(), tiny.perfect, rng, repeats=0)
    with pytest.raises(ValueError, match="non-finite"):
        flatness(tiny.Data(), lambda x: np.full((len(x), 2), np.nan), rng, repeats=2)
    # a code that ignores a factor scores 0 on it instead of dividing by zero
    frozen = flatness(tiny.Data(sizes=(3, 4)), lambda x: x[:, 0, :1], rng, repeats=4)
    assert frozen["ave_flatness"] == pytest.approx(0.5, abs=1e-12)
