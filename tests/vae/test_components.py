"""Tests for impossibility.vae.components: the public component API the twin and the
inductive-bias models are built from."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from impossibility import FactorizedPrior, nn
from impossibility.vae import (
    VAE,
    VAE_COMPONENTS,
    BetaVAE,
    DecoderLikelihood,
    LatentPrior,
    VAEComponents,
    gaussian_kl,
)


def small(likelihood="bernoulli", obs_std=None, prior=None, seed=0):
    return VAE(
        5,
        2,
        hidden=(4,),
        likelihood=likelihood,
        obs_std=obs_std,
        prior=prior,
        activation="tanh",
        rng=np.random.default_rng(seed),
    )


def test_a_vae_offers_the_component_api():
    vae = small()
    assert isinstance(vae, VAEComponents)
    assert all(callable(getattr(vae, m)) for m in VAE_COMPONENTS)
    assert isinstance(vae.latent_prior, LatentPrior)
    assert isinstance(vae.decoder_likelihood, DecoderLikelihood)


def test_check_x_and_check_z_shapes():
    vae = VAE((2, 3), 2, hidden=(4,), rng=np.random.default_rng(0))
    x = np.random.default_rng(1).random((4, 2, 3))
    np.testing.assert_array_equal(vae.check_x(x), x.reshape(4, 6))
    assert vae.check_x(x.reshape(4, 6)).shape == (4, 6)
    assert vae.check_x(x[0]).shape == (1, 6) and vae.check_x(x[0].ravel()).shape == (1, 6)
    assert vae.check_x(np.full((1, 6), 3.0), check_range=False).shape == (1, 6)
    assert vae.check_z([0.5, -1.0]).shape == (1, 2)
    with pytest.raises(ValueError, match=r"z must have shape \(n, 2\)"):
        vae.check_z(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="codes contains NaN"):
        vae.check_z([[np.inf, 0.0]], name="codes")
    with pytest.raises(TypeError, match="z must be an array of real numbers"):
        vae.check_z([["a", "b"]])
    with pytest.raises(ValueError, match=r"targets in \[0, 1\]"):
        vae.check_x(np.full((1, 6), 3.0))


def test_standard_noise_checked_or_drawn():
    vae = small()
    e = np.random.default_rng(2).standard_normal((3, 4, 2))
    np.testing.assert_array_equal(vae.standard_noise(4, eps=e), e)
    np.testing.assert_array_equal(vae.standard_noise(4, eps=e[0], n_samples=1), e[:1])
    drawn = vae.standard_noise(4, rng=np.random.default_rng(3), n_samples=5)
    np.testing.assert_array_equal(drawn, np.random.default_rng(3).standard_normal((5, 4, 2)))
    assert vae.standard_noise(4, rng=np.random.default_rng(3)).shape == (1, 4, 2)
    with pytest.raises(ValueError, match="eps holds 3 samples per point but n_samples=2"):
        vae.standard_noise(4, eps=e, n_samples=2)
    with pytest.raises(ValueError, match="eps contains"):
        vae.standard_noise(1, eps=[[np.nan, 0.0]])
    with pytest.raises(ValueError, match="give either rng"):
        vae.standard_noise(4)
    with pytest.raises(TypeError, match="Generator"):
        vae.standard_noise(4, rng=np.random.RandomState(0))
    with pytest.raises(TypeError, match="n_samples must be an integer"):
        vae.standard_noise(4, rng=np.random.default_rng(0), n_samples=2.0)


@pytest.mark.parametrize(
    "likelihood,obs_std", [("bernoulli", None), ("gaussian", None), ("gaussian", 0.3)]
)
def test_observation_log_likelihood_is_the_decoders(likelihood, obs_std):
    vae = small(likelihood, obs_std)
    rng = np.random.default_rng(4)
    if vae.obs_logvar is not None:
        vae.obs_logvar[...] = rng.normal(size=5) * 0.3
    x = rng.random((6, 5))
    z = rng.normal(size=(6, 2))
    out = vae.decoder(z)
    ll, g_out, g_lv = vae.observation_log_likelihood(out, x)
    np.testing.assert_array_equal(ll, vae.log_likelihood(x, z))
    if likelihood == "bernoulli":
        ref = nn.bernoulli_log_likelihood(out, x)
        assert g_lv is None
        assert vae.observation_logvar == 0.0
    else:
        lv = vae.obs_logvar if obs_std is None else 2.0 * math.log(obs_std)
        ref = nn.gaussian_log_likelihood(out, lv, x)
        np.testing.assert_array_equal(g_lv, ref[2])
        np.testing.assert_array_equal(vae.observation_logvar, lv)
    np.testing.assert_array_equal(ll, ref[0])
    np.testing.assert_array_equal(g_out, ref[1])


def test_encoder_and_decoder_components_reproduce_backward():
    # an ELBO gradient assembled from the public pieces equals VAE.backward's
    vae = small()
    rng = np.random.default_rng(5)
    x, eps = vae.check_x(rng.random((7, 5))), rng.standard_normal((7, 2))
    _, grads, _, _ = vae.loss_and_grads(x, eps, BetaVAE(1.0), kl="analytic")
    mu, lv, enc_cache = vae.encoder_forward(x)
    np.testing.assert_array_equal(np.concatenate(vae.encode(x), axis=1), np.c_[mu, lv])
    std = np.exp(0.5 * lv)
    out, dec_cache = vae.decoder_forward(mu + std * eps)
    _, g_out, _ = vae.observation_log_likelihood(out, x)
    b = x.shape[0]
    dz, dec = vae.decoder_backward(dec_cache, -g_out / b)
    _, dkl_dmu, dkl_dlv = gaussian_kl(mu, lv)
    enc = vae.encoder_backward(enc_cache, dz + dkl_dmu / b, 0.5 * dz * std * eps + dkl_dlv / b)
    mine = {**enc, **dec}
    assert set(mine) == set(grads)
    for k in grads:
        np.testing.assert_allclose(mine[k], grads[k], rtol=1e-13, atol=1e-15)
    # the decoder's input gradient without weight gradients (what refit_encoder uses)
    np.testing.assert_array_equal(vae.decoder.input_gradient(dec_cache, -g_out / b), dz)


@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_observe_matches_sample(likelihood):
    vae = small(likelihood)
    z = vae.latent_prior.sample(6, np.random.default_rng(6))
    np.testing.assert_array_equal(z, np.random.default_rng(6).standard_normal((6, 2)))
    out = vae.decoder(z)
    np.testing.assert_array_equal(vae.observe(out), vae.decode(z))
    rng = np.random.default_rng(7)
    a = vae.observe(vae.decoder(vae.latent_prior.sample(6, rng)), rng, mode="sample")
    ref = vae.sample(6, np.random.default_rng(7), mode="sample")  # same prior draws, same noise
    np.testing.assert_array_equal(a, ref)
    with pytest.raises(ValueError, match="mode must be one of"):
        vae.observe(out, mode="median")
    with pytest.raises(TypeError, match="Generator"):
        vae.observe(out, None, mode="sample")


def test_latent_prior_is_public():
    prior = FactorizedPrior.iid(stats.laplace(), 2)
    vae = small(prior=prior)
    z = np.random.default_rng(8).normal(size=(4, 2))
    np.testing.assert_array_equal(vae.latent_prior.log_prob(z), prior.log_prob(z))
    np.testing.assert_array_equal(vae.log_prior(z), prior.log_prob(z))
    assert vae.prior is prior and not vae.prior_is_standard_normal
