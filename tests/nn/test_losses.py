"""Tests for impossibility.nn.losses: values against scipy/closed forms, gradients against finite
differences."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from impossibility import nn

RTOL = 1e-6  # central differences, h = 1e-6: see tests/nn/conftest.py


def test_bernoulli_log_likelihood_value_and_gradient():
    rng = np.random.default_rng(4)
    logits = rng.normal(size=(5, 6)) * 3
    x = rng.uniform(size=(5, 6))  # soft targets are allowed
    ll, g = nn.bernoulli_log_likelihood(logits, x)
    p = 1 / (1 + np.exp(-logits))
    np.testing.assert_allclose(ll, (x * np.log(p) + (1 - x) * np.log1p(-p)).sum(1), rtol=1e-12)
    w = rng.normal(size=5)
    fd = nn.finite_difference_gradient(
        lambda: float(w @ nn.bernoulli_log_likelihood(logits, x)[0]), logits
    )
    assert nn.relative_error(g * w[:, None], fd) < RTOL


def test_gaussian_log_likelihood_value_and_gradients():
    rng = np.random.default_rng(5)
    mean = rng.normal(size=(5, 3))
    logvar = rng.normal(size=(5, 3)) * 0.5
    x = rng.normal(size=(5, 3))
    ll, gm, gv = nn.gaussian_log_likelihood(mean, logvar, x)
    ref = stats.norm(mean, np.exp(0.5 * logvar)).logpdf(x).sum(1)
    np.testing.assert_allclose(ll, ref, rtol=1e-12)
    w = rng.normal(size=5)

    def f():
        return float(w @ nn.gaussian_log_likelihood(mean, logvar, x)[0])

    assert nn.relative_error(gm * w[:, None], nn.finite_difference_gradient(f, mean)) < RTOL
    assert nn.relative_error(gv * w[:, None], nn.finite_difference_gradient(f, logvar)) < RTOL


def test_softmax_cross_entropy_value_and_gradient():
    rng = np.random.default_rng(6)
    logits = rng.normal(size=(6, 3)) * 2
    labels = rng.integers(0, 3, size=6)
    loss, g = nn.softmax_cross_entropy(logits, labels)
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    np.testing.assert_allclose(loss, -np.log(p[np.arange(6), labels]), rtol=1e-12)
    fd = nn.finite_difference_gradient(
        lambda: float(nn.softmax_cross_entropy(logits, labels)[0].sum()), logits
    )
    assert nn.relative_error(g, fd) < RTOL
    with pytest.raises(ValueError, match="labels must lie"):
        nn.softmax_cross_entropy(logits, np.full(6, 3))
    # float labels are a type mistake (was ValueError before the layout move)
    with pytest.raises(TypeError, match="integers of shape"):
        nn.softmax_cross_entropy(logits, np.zeros(6))
    with pytest.raises(ValueError, match=r"integers of shape \(6,\); got shape \(5,\)"):
        nn.softmax_cross_entropy(logits, np.zeros(5, dtype=int))
