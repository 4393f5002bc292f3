"""Tests of impossibility.study.datasets: the study's data sets are deterministic."""

from __future__ import annotations

import numpy as np
import pytest

import impossibility.study as st


@pytest.mark.parametrize("name", sorted(st.DATASETS))
def test_make_dataset_is_deterministic(name):
    a, b = st.make_dataset(name), st.make_dataset(name)
    fa, xa = a.sample(20, np.random.default_rng(0))
    fb, xb = b.sample(20, np.random.default_rng(0))
    assert np.array_equal(fa, fb) and np.array_equal(xa, xb)
    assert a.num_factors == len(a.factors_num_values)


def test_make_dataset_checks():
    with pytest.raises(
        ValueError, match=r"name must be one of \['mixing5', 'sprites16'\]; got 'mnist'"
    ):
        st.make_dataset("mnist")
    with pytest.raises(TypeError, match="name must be one of .* \\(a string\\); got 3"):
        st.make_dataset(3)
