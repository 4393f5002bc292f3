"""Property tests for impossibility.generative.nonlinearities (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from impossibility.generative import TanhResidual
from impossibility.testing import seeds


@settings(deadline=None)
@given(alpha=st.floats(-0.95, 20.0), seed=seeds())
def test_tanh_residual_inverse_to_machine_precision(alpha, seed):
    h = TanhResidual(alpha)
    rng = np.random.default_rng(seed)
    a = np.concatenate(
        [rng.normal(scale=s, size=200) for s in (1e-9, 1e-3, 1.0, 30.0, 1e6)] + [[0.0]]
    )
    back = h.inverse(h.forward(a))
    # y = h(a) carries a rounding error ≈ ε(|a| + |α|); h' ≥ min(1, 1+α) ≥ 0.05, so the inverse
    # can be off by ≈ 20 ε (|a| + |α|) at worst; 64 ε leaves a margin
    tol = 64 * np.finfo(float).eps * (np.abs(a) + abs(alpha)) / min(1.0, 1.0 + alpha) + 1e-300
    assert np.all(np.abs(back - a) <= tol)
