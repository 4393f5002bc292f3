"""Plug-in mutual information (impossibility.metrics._info) on hypothesis-generated label
tables, against ``sklearn.metrics.mutual_info_score`` pair by pair."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.metrics import mutual_info_score

from impossibility.metrics import discrete_entropy, discrete_mutual_info


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
    # same term-by-term formula, only the summation order differs: a few ulps of O(1) values
    np.testing.assert_allclose(m, expected, rtol=0, atol=1e-12)
    assert (m >= 0).all()
    # I(a; b) <= min(H(a), H(b)) (up to rounding)
    ha, hb = discrete_entropy(a), discrete_entropy(b)
    assert (m <= np.minimum(ha[:, None], hb[None, :]) + 1e-12).all()
