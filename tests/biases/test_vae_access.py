"""The one private module through which `biases` reaches a VAE's networks."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility import nn
from impossibility.biases import _vae_access
from impossibility.vae import VAE


def test_input_grad_matches_sequential_backward():
    rng = np.random.default_rng(6)
    net = nn.mlp([3, 7, 5, 4], rng=rng, activation="tanh")
    x = rng.normal(size=(6, 3))
    dy = rng.normal(size=(6, 4))
    _, cache = net.forward(x)
    dx, _ = net.backward(cache, dy)
    got = _vae_access.sequential_input_grad(net, cache, dy)
    np.testing.assert_allclose(got, dx, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"likelihood": "gaussian", "obs_std": 0.3}, {"likelihood": "gaussian"}],
    ids=["bernoulli", "fixed-std", "learned-variance"],
)
def test_decoder_log_likelihood_is_the_vae_s(kwargs):
    rng = np.random.default_rng(7)
    vae = VAE(5, 2, hidden=(4,), rng=rng, **kwargs)
    if vae.obs_logvar is not None:
        vae.obs_logvar[...] = rng.normal(size=5)
    x, z = rng.random((3, 5)), rng.normal(size=(3, 2))
    out, _ = _vae_access.decoder_forward(vae, z)
    ll, _ = _vae_access.decoder_log_likelihood(vae, out, x)
    np.testing.assert_allclose(ll, vae.log_likelihood(x, z), rtol=1e-14)


def test_check_vae_names_what_is_missing():
    vae = VAE(3, 2, hidden=(), rng=np.random.default_rng(0))
    assert _vae_access.check_vae(vae, networks=("encoder", "decoder")) is vae

    class NoNetworks:
        latent_dim, x_size, likelihood = 2, 3, "bernoulli"

        def encode(self, x):
            return x, x

        def parameters(self):
            return {}

    with pytest.raises(TypeError, match=r"vae.decoder must provide .forward\(\)"):
        _vae_access.check_vae(NoNetworks())
    with pytest.raises(TypeError, match=r"vae must provide .encode\(\)"):
        _vae_access.check_vae(3)
