"""Tests for impossibility.vae.likelihoods: the one switch on the decoder likelihood."""

from __future__ import annotations

import math

import numpy as np
import pytest

from impossibility import nn
from impossibility.vae import LIKELIHOODS, DecoderLikelihood


def test_log_prob_and_grads_are_the_nn_losses():
    rng = np.random.default_rng(0)
    out, x = rng.normal(size=(4, 3)), rng.random((4, 3))
    ll, g, gv = DecoderLikelihood("bernoulli").log_prob_and_grads(out, x)
    ref = nn.bernoulli_log_likelihood(out, x)
    np.testing.assert_array_equal(ll, ref[0])
    np.testing.assert_array_equal(g, ref[1])
    assert gv is None
    learned = rng.normal(size=3)
    for lik, lv in (
        (DecoderLikelihood("gaussian"), learned),
        (DecoderLikelihood("gaussian", obs_std=0.4), 2.0 * math.log(0.4)),
    ):
        got = lik.log_prob_and_grads(out, x, learned if lik.learns_variance else None)
        for a, b in zip(got, nn.gaussian_log_likelihood(out, lv, x), strict=True):
            np.testing.assert_array_equal(a, b)


def test_log_variance_rules():
    assert DecoderLikelihood("gaussian").logvar() == 0.0
    assert DecoderLikelihood("gaussian", 2.0).logvar() == 2.0 * math.log(2.0)
    v = np.ones(3)
    assert DecoderLikelihood("gaussian").logvar(v) is v
    assert DecoderLikelihood("gaussian").learns_variance
    assert not DecoderLikelihood("gaussian", 0.1).learns_variance
    assert not DecoderLikelihood("bernoulli").learns_variance
    assert LIKELIHOODS == ("bernoulli", "gaussian")


def test_mean_and_observe():
    out = np.array([[-30.0, 0.0, 30.0]])
    b = DecoderLikelihood("bernoulli")
    np.testing.assert_allclose(b.mean(out), nn.sigmoid(out))
    draws = b.observe(np.zeros((2000, 1)), np.random.default_rng(0), "sample")
    assert set(np.unique(draws)) == {0.0, 1.0} and abs(draws.mean() - 0.5) < 0.05
    g = DecoderLikelihood("gaussian", obs_std=0.5)
    np.testing.assert_array_equal(g.observe(out, None, "mean"), out)
    s = g.observe(np.zeros((4000, 1)), np.random.default_rng(1), "sample")
    assert abs(s.std() - 0.5) < 0.02


def test_check_targets():
    DecoderLikelihood("bernoulli").check_targets(np.array([[0.0, 1.0]]))
    DecoderLikelihood("gaussian").check_targets(np.array([[-3.0, 7.0]]))
    with pytest.raises(ValueError, match=r"targets in \[0, 1\]"):
        DecoderLikelihood("bernoulli").check_targets(np.array([[1.5]]))


def test_validation_errors():
    with pytest.raises(ValueError, match="likelihood must be one of"):
        DecoderLikelihood("poisson")
    with pytest.raises(TypeError, match="likelihood must be one of"):
        DecoderLikelihood(1)
    with pytest.raises(ValueError, match="obs_std only applies to the Gaussian"):
        DecoderLikelihood("bernoulli", obs_std=0.1)
    with pytest.raises(ValueError, match="obs_std must be > 0"):
        DecoderLikelihood("gaussian", obs_std=0.0)
    with pytest.raises(TypeError, match="obs_std must be a real number"):
        DecoderLikelihood("gaussian", obs_std="0.1")
