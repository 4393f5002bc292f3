"""The biases use a VAE only through its public component API, checked by check_vae."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility import nn
from impossibility.biases._vae_contract import check_vae
from impossibility.vae import VAE


def test_input_gradient_matches_sequential_backward():
    rng = np.random.default_rng(6)
    net = nn.mlp([3, 7, 5, 4], rng=rng, activation="tanh")
    x = rng.normal(size=(6, 3))
    dy = rng.normal(size=(6, 4))
    _, cache = net.forward(x)
    dx, _ = net.backward(cache, dy)
    np.testing.assert_allclose(net.input_gradient(cache, dy), dx, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"likelihood": "gaussian", "obs_std": 0.3}, {"likelihood": "gaussian"}],
    ids=["bernoulli", "fixed-std", "learned-variance"],
)
def test_observation_log_likelihood_is_the_vae_s(kwargs):
    rng = np.random.default_rng(7)
    vae = VAE(5, 2, hidden=(4,), rng=rng, **kwargs)
    if vae.obs_logvar is not None:
        vae.obs_logvar[...] = rng.normal(size=5)
    x, z = rng.random((3, 5)), rng.normal(size=(3, 2))
    out, _ = vae.decoder_forward(z)
    ll, d_out, _ = vae.observation_log_likelihood(out, x)
    np.testing.assert_allclose(ll, vae.log_likelihood(x, z), rtol=1e-14)
    # the gradient in the decoder output, checked by central differences
    h = 1e-6
    e = np.zeros_like(out)
    e[0, 1] = h
    fd = (
        vae.observation_log_likelihood(out + e, x)[0]
        - vae.observation_log_likelihood(out - e, x)[0]
    )
    np.testing.assert_allclose(d_out[0, 1], fd[0] / (2 * h), rtol=1e-7)


def test_check_vae_names_what_is_missing():
    vae = VAE(3, 2, hidden=(), rng=np.random.default_rng(0))
    assert check_vae(vae) is vae

    class EncoderOnly:
        latent_dim, x_size, likelihood = 2, 3, "bernoulli"

        def encode(self, x):
            return x, x

        def parameters(self):
            return {}

    with pytest.raises(TypeError, match=r"vae must provide .encoder_forward\(\)"):
        check_vae(EncoderOnly())
    with pytest.raises(TypeError, match=r"vae must provide .encode\(\)"):
        check_vae(3)
