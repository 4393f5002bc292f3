"""What each bias still allows: the gap vanishes on the stated group and is positive off it."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility.biases import symmetries as sy


@pytest.fixture(scope="module")
def table():
    return sy.bias_symmetries(np.random.default_rng(0), n_mc=400, n_generic=2, quadrature_panels=4)


def test_signed_permutations_are_orthogonal_and_counted():
    G = sy.signed_permutations(3)
    assert len(G) == 48
    assert len({tuple(A.ravel()) for A in G}) == 48
    for A in G:
        np.testing.assert_array_equal(A.T @ A, np.eye(3))


def test_every_bias_has_its_group(table):
    assert set(table) >= {"unsupervised", "diagonal", "auxiliary", "pairs", "time", "ima", "ivae"}
    for key, row in table.items():
        assert row["allows"] and row["n_on"] >= 4, key
        # on the group: rounding (the Monte-Carlo rows vanish pointwise)
        assert row["on_group_max_abs"] < 1e-12, key
        if key != "unsupervised":
            # off the group: a gap well above rounding
            assert row["off_group_min"] > 1e-3, key
    assert table["unsupervised"]["off_group_min"] is None
    assert table["isometry"]["gaussian_all_rotations_max_abs"] < 1e-25


def test_group_check_reports_both_sides():
    r = sy.group_check(lambda A: float(np.abs(A[0, 1])), [np.eye(2)], [np.ones((2, 2))])
    assert r == {"on_group_max_abs": 0.0, "off_group_min": 1.0, "n_on": 1, "n_off": 1}
