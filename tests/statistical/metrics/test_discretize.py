"""Histogram discretiser (impossibility.metrics._discretize) on hypothesis-generated arrays,
against NumPy's own ``np.histogram`` + ``np.digitize`` (the reference's recipe)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from impossibility.metrics import histogram_discretize


def _reference_discretize(x, num_bins):
    """The reference recipe, column by column (labels 1..B), shifted to 0..B-1."""
    out = np.empty(x.shape, dtype=np.int64)
    for i in range(x.shape[1]):
        edges = np.histogram(x[:, i], num_bins)[1][:-1]
        out[:, i] = np.digitize(x[:, i], edges) - 1
    return out


@settings(deadline=None, max_examples=60)
@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 40), st.integers(1, 4)),
        elements=st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False),
    ),
    st.integers(1, 25),
)
def test_discretize_matches_reference_recipe_on_arbitrary_arrays(x, num_bins):
    np.testing.assert_array_equal(
        histogram_discretize(x, num_bins), _reference_discretize(x, num_bins)
    )
