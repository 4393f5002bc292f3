"""Histogram discretiser and plug-in mutual information (impossibility.metrics._discretize/_info).

Independent oracles: NumPy's own ``np.histogram`` + ``np.digitize`` (the reference's recipe) for
the discretiser, and ``sklearn.metrics.mutual_info_score`` pair by pair for the MI matrix.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.metrics import mutual_info_score

from impossibility.metrics import (
    discrete_entropy,
    discrete_mutual_info,
    histogram_bin_edges,
    histogram_discretize,
)


def _reference_discretize(x, num_bins):
    """The reference recipe, column by column (labels 1..B), shifted to 0..B-1."""
    out = np.empty(x.shape, dtype=np.int64)
    for i in range(x.shape[1]):
        edges = np.histogram(x[:, i], num_bins)[1][:-1]
        out[:, i] = np.digitize(x[:, i], edges) - 1
    return out


@pytest.mark.parametrize("num_bins", [2, 7, 20])
def test_discretize_matches_numpy_histogram_recipe(num_bins):
    rng = np.random.default_rng(0)
    x = np.column_stack([
        rng.normal(size=500),
        rng.exponential(size=500) * 1e-6,
        np.full(500, 3.25),                # constant column: range 3.25 +- 0.5
        rng.integers(0, 5, 500).astype(float),  # many ties, values on bin edges
        np.linspace(-1, 1, 500),
    ])
    got = histogram_discretize(x, num_bins)
    np.testing.assert_array_equal(got, _reference_discretize(x, num_bins))
    for i in range(x.shape[1]):
        np.testing.assert_array_equal(
            histogram_bin_edges(x, num_bins)[:, i], np.histogram_bin_edges(x[:, i], num_bins)
        )
    assert got.min() >= 0 and got.max() <= num_bins - 1
    assert (got[:, 2] == got[0, 2]).all()  # a constant code gets one label


@settings(deadline=None, max_examples=60)
@given(
    hnp.arrays(np.float64, st.tuples(st.integers(1, 40), st.integers(1, 4)),
               elements=st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False)),
    st.integers(1, 25),
)
def test_discretize_matches_reference_recipe_on_arbitrary_arrays(x, num_bins):
    np.testing.assert_array_equal(histogram_discretize(x, num_bins),
                                  _reference_discretize(x, num_bins))


def test_discretize_hand_case():
    # min 0, max 10, 5 bins: edges 0, 2, 4, 6, 8, 10; the max joins the last bin.
    x = np.array([[0.0], [1.99], [2.0], [5.0], [7.9], [8.0], [10.0]])
    np.testing.assert_array_equal(histogram_discretize(x, 5)[:, 0], [0, 0, 1, 2, 3, 4, 4])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_discretize_rejects_non_finite(bad):
    x = np.zeros((10, 2))
    x[3, 1] = bad
    with pytest.raises(ValueError, match="non-finite"):
        histogram_discretize(x)


def test_discretize_rejects_1d():
    with pytest.raises(ValueError, match="2-D"):
        histogram_discretize(np.arange(10.0))


def test_mi_matrix_agrees_with_sklearn_pair_by_pair():
    rng = np.random.default_rng(1)
    n = 3000
    codes = histogram_discretize(rng.normal(size=(n, 6)) + 0.0, 20)
    factors = np.column_stack([
        rng.integers(0, 3, n),
        codes[:, 0] // 4,                  # strongly dependent on code 0
        rng.integers(-5, 40, n),           # negative labels, many values
        (codes[:, 1] + rng.integers(0, 3, n)) % 7,
        np.full(n, 2),                     # a single value: MI 0 by convention
    ])
    m = discrete_mutual_info(codes, factors)
    expected = np.array([[mutual_info_score(codes[:, i], factors[:, j])
                          for j in range(factors.shape[1])] for i in range(codes.shape[1])])
    # Same term-by-term formula as scikit-learn; only the summation order differs, so the
    # discrepancy is a few ulps of values O(1): 1e-12 is a generous bound.
    np.testing.assert_allclose(m, expected, rtol=0, atol=1e-12)
    assert m[0, 1] > 1.0 and (m[:, 4] == 0).all()
    h = discrete_entropy(factors)
    np.testing.assert_allclose(
        h, [mutual_info_score(f, f) for f in factors.T], rtol=0, atol=1e-12
    )


@settings(deadline=None, max_examples=60)
@given(
    st.integers(1, 60).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.int64, (n, 2), elements=st.integers(-3, 6)),
            hnp.arrays(np.int64, (n, 3), elements=st.integers(0, 4)),
        )
    )
)
def test_mi_matrix_agrees_with_sklearn_on_small_random_tables(ab):
    a, b = ab
    m = discrete_mutual_info(a, b)
    expected = [[mutual_info_score(a[:, i], b[:, j]) for j in range(3)] for i in range(2)]
    np.testing.assert_allclose(m, expected, rtol=0, atol=1e-12)  # see the test above
    assert (m >= 0).all()
    # I(a; b) <= min(H(a), H(b)) (up to rounding)
    ha, hb = discrete_entropy(a), discrete_entropy(b)
    assert (m <= np.minimum(ha[:, None], hb[None, :]) + 1e-12).all()


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
