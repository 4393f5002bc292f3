"""Histogram discretiser (impossibility.metrics._discretize) against NumPy's own
``np.histogram`` + ``np.digitize`` (the reference's recipe)."""

import numpy as np
import pytest

from impossibility.metrics import histogram_bin_edges, histogram_discretize


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
    x = np.column_stack(
        [
            rng.normal(size=500),
            rng.exponential(size=500) * 1e-6,
            np.full(500, 3.25),  # constant column: range 3.25 +- 0.5
            rng.integers(0, 5, 500).astype(float),  # many ties, values on bin edges
            np.linspace(-1, 1, 500),
        ]
    )
    got = histogram_discretize(x, num_bins)
    np.testing.assert_array_equal(got, _reference_discretize(x, num_bins))
    for i in range(x.shape[1]):
        np.testing.assert_array_equal(
            histogram_bin_edges(x, num_bins)[:, i], np.histogram_bin_edges(x[:, i], num_bins)
        )
    assert got.min() >= 0 and got.max() <= num_bins - 1
    assert (got[:, 2] == got[0, 2]).all()  # a constant code gets one label


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


def test_discretize_types_and_bin_counts():
    x = np.zeros((10, 2))
    # text or objects as codes are a type mistake (they were a ValueError before the move)
    with pytest.raises(TypeError, match="codes must be an array of real numbers"):
        histogram_discretize(np.full((10, 2), "a"))
    with pytest.raises(TypeError, match="codes must be an array of real numbers"):
        histogram_bin_edges(np.array([[1.0, None]], dtype=object))
    # a float count is a type mistake, a zero count a value mistake
    with pytest.raises(TypeError, match="num_bins must be an integer; got 5.0"):
        histogram_discretize(x, 5.0)
    with pytest.raises(TypeError, match="num_bins must be an integer; got True"):
        histogram_bin_edges(x, True)
    with pytest.raises(ValueError, match="num_bins must be an integer >= 1; got 0"):
        histogram_bin_edges(x, 0)
