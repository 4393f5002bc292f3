"""The shared sprite-VAE configuration: one spec, one store entry, the same model as by hand."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from impossibility.vae import (
    SPRITE_VAE_PRESETS,
    VAE,
    SpriteVAEPreset,
    spec_key,
    sprite_vae_preset,
    train_or_load,
)


def _by_hand(quick: bool) -> dict:
    # the dictionaries experiments/audit.py, headline_metrics.py and vae_twin.py each wrote out
    if quick:
        return {
            "sprites": {
                "num_scales": 2,
                "num_orientations": 2,
                "num_positions": 6,
                "image_size": 16,
            },
            "latent_dim": 3,
            "hidden": [64, 32],
            "n_steps": 150,
            "batch_size": 32,
            "lr": 2e-3,
            "holdout": 0.2,
        }
    return {
        "sprites": {"num_scales": 4, "num_orientations": 4, "num_positions": 12, "image_size": 32},
        "latent_dim": 5,
        "hidden": [256, 128],
        "n_steps": 4000,
        "batch_size": 64,
        "lr": 1e-3,
        "holdout": 0.2,
    }


@pytest.mark.parametrize("quick", [False, True])
def test_the_spec_is_the_one_the_experiments_stored(quick):
    preset = sprite_vae_preset(quick)
    assert preset is SPRITE_VAE_PRESETS["quick" if quick else "default"]
    cfg = _by_hand(quick)
    assert preset.as_dict() == cfg
    for prior, key in (("normal", 0), ("logistic", 1)):
        old = dict(cfg, prior=prior, seed=20190609, key=key, rng="shared-0x5A17E")
        new = preset.spec(prior, seed=20190609, key=key)
        assert new == old and spec_key(new) == spec_key(old)  # the committed store entries


def test_priors_and_bad_arguments():
    preset = sprite_vae_preset()
    assert preset.prior("normal") is None
    logistic = preset.prior("logistic")
    assert len(logistic.marginals) == preset.latent_dim
    assert {m.dist.name for m in logistic.marginals} == {"logistic"}
    with pytest.raises(ValueError, match="prior"):
        preset.spec("laplace", seed=0, key=0)
    with pytest.raises(TypeError, match="quick"):
        sprite_vae_preset(1)
    with pytest.raises(TypeError, match="rng"):
        preset.train(np.zeros((4, 8)), 0)


def test_train_or_load_matches_training_by_hand(tmp_path):
    tiny = replace(sprite_vae_preset(True), hidden=(8,), n_steps=5, batch_size=4, latent_dim=2)
    x = (np.random.default_rng(0).random((16, 12)) > 0.5).astype(float)
    vae, hist, loaded = tiny.train_or_load(
        tmp_path, x, np.random.default_rng(3), prior="logistic", seed=1, key=2
    )
    assert not loaded and len(hist["elbo"]) == tiny.n_steps
    again, _, loaded = tiny.train_or_load(
        tmp_path, x, np.random.default_rng(99), prior="logistic", seed=1, key=2
    )
    assert loaded  # the same spec finds the stored entry, whatever Generator is passed now
    # the same model through the store's own function and a VAE built by hand
    rng = np.random.default_rng(3)
    by_hand = VAE((12,), 2, hidden=[8], prior=tiny.prior("logistic"), rng=rng)
    by_hand.fit(x, rng=rng, n_steps=5, batch_size=4, lr=tiny.lr, progress=False)
    ref, _, _ = train_or_load(
        tmp_path / "other", tiny.spec("logistic", seed=1, key=2), lambda: (by_hand, {"elbo": []})
    )
    for a, b in zip(again.parameters().values(), ref.parameters().values(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert isinstance(tiny, SpriteVAEPreset)
