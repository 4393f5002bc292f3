"""Chain composes in TFP order: the last bijector is applied first."""

import numpy as np

from impossibility import Chain


def test_chain_applies_last_element_first(affine):
    scale, shift = affine(2.0, 0.0), affine(1.0, 1.0)
    x = np.array([[1.0, 2.0]])
    # TFP order: Chain([scale, shift])(x) = scale(shift(x)) = 2(x+1)
    np.testing.assert_allclose(Chain([scale, shift])(x), [[4.0, 6.0]])
    np.testing.assert_allclose(Chain([shift, scale])(x), [[3.0, 5.0]])
