"""Plug-in mutual information and entropy (impossibility.metrics._info) against
``sklearn.metrics.mutual_info_score`` pair by pair, and hand-computed cases."""

import numpy as np
import pytest
from sklearn.metrics import mutual_info_score

from impossibility.metrics import discrete_entropy, discrete_mutual_info, histogram_discretize


def test_mi_matrix_agrees_with_sklearn_pair_by_pair():
    rng = np.random.default_rng(1)
    n = 3000
    codes = histogram_discretize(rng.normal(size=(n, 6)) + 0.0, 20)
    factors = np.column_stack(
        [
            rng.integers(0, 3, n),
            codes[:, 0] // 4,  # strongly dependent on code 0
            rng.integers(-5, 40, n),  # negative labels, many values
            (codes[:, 1] + rng.integers(0, 3, n)) % 7,
            np.full(n, 2),  # a single value: MI 0 by convention
        ]
    )
    m = discrete_mutual_info(codes, factors)
    expected = np.array(
        [
            [mutual_info_score(codes[:, i], factors[:, j]) for j in range(factors.shape[1])]
            for i in range(codes.shape[1])
        ]
    )
    # Same term-by-term formula as scikit-learn; only the summation order differs, so the
    # discrepancy is a few ulps of values O(1): 1e-12 is a generous bound.
    np.testing.assert_allclose(m, expected, rtol=0, atol=1e-12)
    assert m[0, 1] > 1.0 and (m[:, 4] == 0).all()
    h = discrete_entropy(factors)
    np.testing.assert_allclose(h, [mutual_info_score(f, f) for f in factors.T], rtol=0, atol=1e-12)


def test_mi_hand_cases():
    # identical balanced binary labels: I = H = log 2
    a = np.array([[0], [0], [1], [1]])
    assert discrete_mutual_info(a, a)[0, 0] == pytest.approx(np.log(2), abs=1e-15)
    # independent (every cell count 1): I = 0
    b = np.array([[0], [1], [0], [1]])
    assert discrete_mutual_info(a, b)[0, 0] == 0.0
    # counts (0,0)=2, (1,0)=2, (1,1)=2 over N=6: I = (1/3) log(1.5 * 0.75 * 1.5)
    a = np.array([0, 0, 1, 1, 1, 1])[:, None]
    b = np.array([0, 0, 0, 0, 1, 1])[:, None]
    assert discrete_mutual_info(a, b)[0, 0] == pytest.approx(np.log(1.6875) / 3, abs=1e-15)
    # entropy of (1/2, 1/4, 1/4) = 1.5 log 2
    y = np.array([[7], [7], [-1], [3]])
    assert discrete_entropy(y)[0] == pytest.approx(1.5 * np.log(2), abs=1e-15)


def test_mi_invariant_to_relabelling_and_column_order():
    rng = np.random.default_rng(2)
    a = rng.integers(0, 5, (400, 3))
    b = (a[:, :2] + rng.integers(0, 2, (400, 2))) % 5
    m = discrete_mutual_info(a, b)
    relabelled = np.array([10, -3, 99, 4, 0])[b]  # a bijection of the label values
    np.testing.assert_allclose(discrete_mutual_info(a, relabelled), m, atol=1e-14)
    np.testing.assert_allclose(discrete_mutual_info(a[:, ::-1], b)[::-1], m, atol=1e-14)
    np.testing.assert_allclose(discrete_mutual_info(b, a), m.T, atol=1e-14)


def test_mi_rejects_non_integer_labels_and_mismatched_rows():
    with pytest.raises(ValueError, match="integer"):
        discrete_mutual_info(np.zeros((5, 1), int), np.full((5, 1), 0.5))
    with pytest.raises(ValueError, match="same number of samples"):
        discrete_mutual_info(np.zeros((5, 1), int), np.zeros((6, 1), int))
    with pytest.raises(ValueError, match="non-finite"):
        discrete_mutual_info(np.zeros((5, 1), int), np.array([[0.0], [1], [np.nan], [1], [0]]))


def test_labels_of_the_wrong_type_are_a_type_error():
    # text, objects or complex numbers as labels: TypeError (a ValueError before the move)
    with pytest.raises(TypeError, match="b must be an array of real numbers"):
        discrete_mutual_info(np.zeros((3, 1), int), np.array([["a"], ["b"], ["a"]]))
    with pytest.raises(TypeError, match="labels must be an array of real numbers"):
        discrete_entropy(np.array([[1], [None]], dtype=object))
    with pytest.raises(TypeError, match="a must be an array of real numbers"):
        discrete_mutual_info(np.ones((3, 1), complex), np.zeros((3, 1), int))
    # booleans are labels
    np.testing.assert_array_equal(
        discrete_entropy(np.array([[True], [False]])), discrete_entropy(np.array([[1], [0]]))
    )
