"""The exported hypothesis strategies draw what they promise."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import impossibility as im
from impossibility.testing import (
    FAMILIES,
    FAMILY_EXAMPLES,
    dimensions,
    entangling_rotations,
    points,
    priors,
)


def test_family_examples_cover_every_family():
    assert set(FAMILY_EXAMPLES) == set(FAMILIES)
    for name, dist in FAMILY_EXAMPLES.items():
        assert im.FactorizedPrior([dist]).families == [name]


@settings(max_examples=20)
@given(prior=priors(max_d=5), data=st.data())
def test_drawn_priors_rotations_and_points_are_valid(prior, data):
    assert 2 <= prior.d <= 5
    A = data.draw(entangling_rotations(prior.d))
    np.testing.assert_allclose(A.T @ A, np.eye(prior.d), atol=1e-12)
    assert np.min(np.abs(A)) >= im.default_min_abs_entry(prior.d)
    z = data.draw(points(prior, 7, lo=1e-3, hi=1 - 1e-3))
    assert z.shape == (7, prior.d)
    prior.check_points(z)  # strictly inside the open support


@given(dimensions(3, 4))
def test_dimensions_respect_bounds(d):
    assert 3 <= d <= 4
