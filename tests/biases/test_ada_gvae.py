"""Ada-GVAE: hand-written gradients, and the averaging of the latents it finds shared."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility import biases as pr
from impossibility import nn
from impossibility.data import ProceduralSprites
from impossibility.vae import VAE, BetaVAE


def _sprites():
    return pr.VaryingFactors(
        ProceduralSprites(num_scales=3, num_orientations=1, num_positions=6, image_size=16)
    )


def test_shared_mask_hand_case():
    mu1 = np.array([[0.0, 0.0, 0.0]])
    mu2 = np.array([[0.0, 3.0, 0.1]])
    lv = np.zeros((1, 3))
    # δ = (0, 9, 0.01): midpoint 4.5, so latents 0 and 2 are shared
    np.testing.assert_array_equal(pr.ada_gvae_shared_mask(mu1, lv, mu2, lv), [[True, False, True]])


@pytest.mark.parametrize("aggregate", [True, False])
def test_ada_gvae_gradients_against_finite_differences(aggregate):
    rng = np.random.default_rng(8)
    vae = VAE(6, 3, hidden=(5,), activation="tanh", rng=rng)
    for p in vae.parameters().values():
        p += 0.1 * rng.normal(size=p.shape)  # nonzero biases: no special points
    x1 = rng.random((4, 6))
    x2 = rng.random((4, 6))
    e1, e2 = rng.normal(size=(2, 4, 3))
    model = pr.AdaGVAE(vae, beta=2.0, aggregate=aggregate)
    _, grads, logs = model.loss_and_grads(x1, x2, e1, e2)
    if aggregate:
        assert 0 < logs["shared"] < 3
    for name, p in model.parameters().items():
        fd = nn.finite_difference_gradient(lambda: model.loss_and_grads(x1, x2, e1, e2)[0], p)
        # central differences at h = 1e-6: truncation ~1e-12, rounding ~1e-10 relative
        assert nn.relative_error(fd, grads[name]) < 1e-6, name


def test_ada_gvae_without_aggregation_is_twice_the_beta_vae_loss():
    rng = np.random.default_rng(9)
    vae = VAE(6, 3, hidden=(5,), rng=rng)
    x1, x2 = rng.random((2, 4, 6))
    e1, e2 = rng.normal(size=(2, 4, 3))
    loss, grads, _ = pr.AdaGVAE(vae, beta=3.0, aggregate=False).loss_and_grads(x1, x2, e1, e2)
    ref_loss, ref_grads, _, _ = vae.loss_and_grads(
        np.concatenate([x1, x2]), np.concatenate([e1, e2]), BetaVAE(3.0)
    )
    # sum of the two β-ELBOs over B pairs = 2 × the mean β-VAE loss over the 2B images
    assert loss == pytest.approx(2 * ref_loss, rel=1e-13)
    for k in grads:
        np.testing.assert_allclose(grads[k], 2 * ref_grads[k], rtol=1e-11, atol=1e-13)


def test_ada_gvae_short_training_marks_most_latents_shared():
    ds = _sprites()
    rng = np.random.default_rng(10)
    x1, x2, _, _ = pr.make_pair_dataset(ds, 2000, 1, rng)
    vae = VAE(ds.observation_shape, 5, hidden=(64,), rng=rng)
    hist = pr.AdaGVAE(vae, beta=2.0).fit(
        x1, x2, rng=rng, n_steps=300, batch_size=32, lr=2e-3, progress=False
    )
    assert hist["loss"][-50:].mean() < hist["loss"][:50].mean()
    # one factor changes per pair: after a short run the adaptive threshold marks at least half
    # of the 5 latents as shared on average (it starts from an arbitrary split)
    assert hist["shared"][-50:].mean() >= 2.5


def test_validation_types_and_values():
    rng = np.random.default_rng(0)
    vae = VAE(6, 3, hidden=(5,), rng=rng)
    with pytest.raises(TypeError, match=r"vae must provide .encode\(\)"):
        pr.AdaGVAE(object())
    with pytest.raises(ValueError, match="beta must be >= 0; got -1.0"):
        pr.AdaGVAE(vae, beta=-1.0)
    with pytest.raises(TypeError, match="beta must be a real number"):
        pr.AdaGVAE(vae, beta="2")
    with pytest.raises(ValueError, match="fixed-obs_std Gaussian"):
        pr.AdaGVAE(VAE(6, 3, hidden=(5,), likelihood="gaussian", rng=rng))
    prior = im.FactorizedPrior([stats.laplace()] * 3)
    with pytest.raises(ValueError, match="closed-form KL to N"):
        pr.AdaGVAE(VAE(6, 3, hidden=(5,), prior=prior, rng=rng))
    model = pr.AdaGVAE(vae)
    x = rng.random((4, 6))
    e = rng.normal(size=(4, 3))
    with pytest.raises(ValueError, match="x2 must hold rows of 6 values"):
        model.loss_and_grads(x, rng.random((4, 5)), e, e)
    bad = e.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="eps1 contains 1 non-finite"):
        model.loss_and_grads(x, x, bad, e)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        model.fit(x, x, rng=0)
    with pytest.raises(TypeError, match="n_steps must be an integer; got 10.0"):
        model.fit(x, x, rng=rng, n_steps=10.0)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1; got 0"):
        model.fit(x, x, rng=rng, batch_size=0)
    with pytest.raises(ValueError, match="lr must be > 0; got 0.0"):
        model.fit(x, x, rng=rng, lr=0.0)
