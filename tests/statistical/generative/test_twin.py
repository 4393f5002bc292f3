"""Property tests for impossibility.generative.twin (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

from impossibility import entangling_bijection
from impossibility.generative import InvertibleMLP, entangle_generator, log_px_exact
from impossibility.testing import priors, seeds


@settings(deadline=None, max_examples=15)
@given(
    prior=priors(min_d=2, max_d=5, families=["norm", "laplace", "logistic", "gamma", "beta"]),
    seed=seeds(),
)
def test_twin_log_px_property(prior, seed):
    rng = np.random.default_rng(seed)
    f = entangling_bijection(prior, rng=rng)
    g = InvertibleMLP.random(prior.d, rng)
    q = rng.uniform(1e-6, 1 - 1e-6, size=(200, prior.d))
    x = g.forward(prior.ppf(q))
    a, b = log_px_exact(g, prior, x), log_px_exact(entangle_generator(g, f), prior, x)
    assert np.max(np.abs(a - b) / np.maximum(1.0, np.abs(a))) <= 1e-10
