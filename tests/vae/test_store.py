"""Tests for impossibility.vae.store: the content-addressed store behind train_or_load."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from impossibility.vae import STORE_FORMAT, VAE, spec_key, store_paths, train_or_load

SPEC = {
    "sprites": {"num_scales": 2, "num_orientations": 2, "num_positions": 6, "image_size": 16},
    "latent_dim": 2,
    "hidden": [4],
    "n_steps": 5,
    "batch_size": 8,
    "lr": 2e-3,
    "holdout": 0.2,
    "prior": "normal",
    "seed": 0,
    "key": 0,
    "rng": "shared-0x5A17E",
}


class Trainer:
    """Trains a tiny VAE deterministically from the spec; counts the calls."""

    def __init__(self, spec=SPEC):
        self.spec = spec
        self.calls = 0

    def __call__(self):
        self.calls += 1
        rng = np.random.default_rng(self.spec["seed"])
        x = (rng.random((40, 6)) < 0.4).astype(float)
        vae = VAE(6, self.spec["latent_dim"], hidden=self.spec["hidden"], rng=rng)
        hist = vae.fit(x, rng=rng, n_steps=self.spec["n_steps"], batch_size=8, progress=False)
        return vae, hist


def assert_same(a, b):
    assert a.config() == b.config() and a.steps_trained == b.steps_trained
    for k, v in a.parameters().items():
        np.testing.assert_array_equal(b.parameters()[k], v)


def test_cache_hit_loads_without_training(tmp_path):
    train = Trainer()
    messages = []
    vae, hist, loaded = train_or_load(tmp_path, SPEC, train, name="m", log=messages.append)
    assert not loaded and train.calls == 1
    again, hist2, loaded2 = train_or_load(tmp_path, SPEC, train, name="m", log=messages.append)
    assert loaded2 and train.calls == 1
    assert_same(vae, again)
    assert set(hist2) == set(hist)
    for k in hist:
        np.testing.assert_array_equal(hist2[k], hist[k])
    assert "trained and stored" in messages[0] and "loaded trained VAE" in messages[1]
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]  # atomic writes


def test_key_and_file_names_are_those_the_experiments_used(tmp_path):
    # experiments/vae_twin.py and headline_metrics.py named their cache files like this
    tag = hashlib.sha256(json.dumps(SPEC, sort_keys=True).encode()).hexdigest()[:16]
    assert spec_key(SPEC) == tag
    model, hist = store_paths(tmp_path, SPEC, "sprite_vae_normal")
    assert model.name == f"sprite_vae_normal_{tag}.npz"
    assert hist.name == f"sprite_vae_normal_{tag}.history.npz"
    # key order and tuples vs lists do not matter, any value does
    assert spec_key(dict(reversed(list(SPEC.items())))) == tag
    assert spec_key({**SPEC, "hidden": (4,)}) == tag
    assert spec_key({**SPEC, "lr": 1e-3}) != tag


def test_different_spec_gives_a_different_file(tmp_path):
    other = {**SPEC, "n_steps": 7}
    a, _, _ = train_or_load(tmp_path, SPEC, Trainer(), name="m")
    b, _, loaded = train_or_load(tmp_path, other, Trainer(other), name="m")
    assert not loaded and a.steps_trained == 5 and b.steps_trained == 7
    assert store_paths(tmp_path, SPEC, "m") != store_paths(tmp_path, other, "m")
    assert len(list(tmp_path.glob("m_*.npz"))) == 4  # two entries of two files


@pytest.mark.parametrize("damage", ["truncate_model", "garbage_history", "delete_history"])
def test_a_damaged_entry_is_retrained(tmp_path, damage):
    train = Trainer()
    first, _, _ = train_or_load(tmp_path, SPEC, train, name="m")
    model, hist = store_paths(tmp_path, SPEC, "m")
    if damage == "truncate_model":
        model.write_bytes(model.read_bytes()[:200])
    elif damage == "garbage_history":
        hist.write_bytes(b"not a zip")
    else:
        hist.unlink()
    messages = []
    vae, _, loaded = train_or_load(tmp_path, SPEC, train, name="m", log=messages.append)
    assert not loaded and train.calls == 2
    assert_same(first, vae)  # same spec, same weights
    assert train_or_load(tmp_path, SPEC, train, name="m")[2]  # and the entry is whole again
    if damage != "delete_history":
        assert "ignoring unreadable store entry" in messages[0]


def test_tampered_or_foreign_entries_are_retrained(tmp_path):
    train = Trainer()
    train_or_load(tmp_path, SPEC, train, name="m")
    model, hist = store_paths(tmp_path, SPEC, "m")
    with np.load(hist, allow_pickle=False) as f:  # pickle-free
        arrays = {k: f[k] for k in f.files}
    meta = json.loads(str(arrays["meta"][()]))
    assert meta["format"] == STORE_FORMAT and meta["spec"] == SPEC
    # 1. a history value changed behind the checksum's back
    bad = dict(arrays)
    bad["history/loss"] = bad["history/loss"] + 1.0
    np.savez(hist, **bad)
    assert not train_or_load(tmp_path, SPEC, train, name="m")[2] and train.calls == 2
    # 2. a valid VAE file with other weights in place of the model
    VAE(6, 2, hidden=[4], rng=np.random.default_rng(99)).save(model)
    assert not train_or_load(tmp_path, SPEC, train, name="m")[2] and train.calls == 3
    # 3. an entry written for another spec under this name
    meta["spec"] = {**SPEC, "seed": 1}
    np.savez(hist, **{**arrays, "meta": np.array(json.dumps(meta))})
    assert not train_or_load(tmp_path, SPEC, train, name="m")[2] and train.calls == 4
    # 4. a history in the experiments' old format (plain arrays, no meta)
    np.savez(hist, **{k[len("history/") :]: v for k, v in arrays.items() if k != "meta"})
    assert not train_or_load(tmp_path, SPEC, train, name="m")[2] and train.calls == 5
    assert train_or_load(tmp_path, SPEC, train, name="m")[2] and train.calls == 5


def test_validation_errors(tmp_path):
    with pytest.raises(TypeError, match="spec must be a mapping"):
        train_or_load(tmp_path, [1, 2], Trainer(), name="m")
    with pytest.raises(TypeError, match="spec must hold only JSON values"):
        train_or_load(tmp_path, {"f": object()}, Trainer(), name="m")
    with pytest.raises(ValueError, match="name must be a non-empty file-name prefix"):
        train_or_load(tmp_path, SPEC, Trainer(), name="a/b")
    with pytest.raises(TypeError, match="name must be a string"):
        train_or_load(tmp_path, SPEC, Trainer(), name=3)
    with pytest.raises(TypeError, match=r"train\(\) must return \(VAE, history\)"):
        train_or_load(tmp_path, SPEC, lambda: ("vae", {}), name="m")
