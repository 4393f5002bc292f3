"""Tests for impossibility.vae.io: pickle-free, checksummed VAE files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from impossibility import FactorizedPrior
from impossibility._io import array_checksum, payload_digest
from impossibility.vae import FORMAT, VAE


def test_save_load_round_trip(tmp_path):
    rng = np.random.default_rng(12)
    prior = FactorizedPrior([stats.laplace(scale=2.0), stats.logistic(0.5)])
    vae = VAE(5, 2, hidden=(4, 3), likelihood="gaussian", prior=prior, rng=rng)
    vae.fit(rng.normal(size=(30, 5)), n_steps=3, rng=rng, progress=False)
    path = vae.save(tmp_path / "model")
    assert path.suffix == ".npz"
    with np.load(path, allow_pickle=False) as f:  # readable without pickle
        assert "meta" in f.files
        assert json.loads(str(f["meta"][()]))["format"] == FORMAT
        # the checksum bytes of the files written before the layout move
        assert str(f["checksum"][()]) == array_checksum(vae.parameters())
    back = VAE.load(path)
    x = rng.normal(size=(4, 5))
    eps = rng.standard_normal((4, 2))
    np.testing.assert_array_equal(back.elbo(x, eps=eps), vae.elbo(x, eps=eps))
    assert back.prior == prior and back.steps_trained == 3 and back.config() == vae.config()
    assert not list(tmp_path.glob("*.tmp*"))  # written atomically, no temporary left behind


def test_save_creates_folders_and_load_needs_a_file(tmp_path):
    vae = VAE(3, 2, hidden=(2,), rng=np.random.default_rng(0))
    path = vae.save(tmp_path / "a" / "b" / "m.npz")
    assert path.exists() and VAE.load(path).config() == vae.config()
    with pytest.raises(FileNotFoundError):
        VAE.load(tmp_path / "missing.npz")


def test_load_rejects_corrupted_and_mismatched_files(tmp_path):
    rng = np.random.default_rng(13)
    vae = VAE(5, 2, hidden=(4,), rng=rng)
    path = vae.save(tmp_path / "m.npz")
    # 1. not a zip at all
    bad = tmp_path / "garbage.npz"
    bad.write_bytes(b"not an npz file at all")
    with pytest.raises(ValueError, match="not a readable .npz"):
        VAE.load(bad)
    # 2. truncated file
    trunc = tmp_path / "trunc.npz"
    trunc.write_bytes(path.read_bytes()[:300])
    with pytest.raises(ValueError, match="not a readable .npz"):
        VAE.load(trunc)
    # 3. a parameter changed behind the checksum's back
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["param/decoder.0.b"] = arrays["param/decoder.0.b"] + 1.0
    np.savez(tmp_path / "tampered.npz", **arrays)
    with pytest.raises(ValueError, match="checksum mismatch"):
        VAE.load(tmp_path / "tampered.npz")
    # 4. some other npz
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="not a VAE file"):
        VAE.load(tmp_path / "other.npz")
    # 5. configuration that does not match the arrays (checksum recomputed by the forger)
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    meta = json.loads(str(arrays["meta"][()]))
    meta["config"]["hidden"] = [7]
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(tmp_path / "edited.npz", **arrays)
    with pytest.raises(ValueError, match="metadata digest mismatch"):
        VAE.load(tmp_path / "edited.npz")
    arrays["meta_digest"] = np.array(payload_digest(meta))
    np.savez(tmp_path / "mismatch.npz", **arrays)
    with pytest.raises(ValueError, match="has shape"):
        VAE.load(tmp_path / "mismatch.npz")
    # 6. wrong format tag
    meta["format"] = "something/else"
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(tmp_path / "fmt.npz", **arrays)
    with pytest.raises(ValueError, match="format"):
        VAE.load(tmp_path / "fmt.npz")
    assert array_checksum({"a": np.zeros(2)}) != array_checksum({"a": np.ones(2)})
    # 7. a stored configuration the constructor refuses
    meta = json.loads(str(arrays["meta"][()]))
    meta["format"] = FORMAT
    meta["config"]["likelihood"] = "poisson"
    arrays["meta"] = np.array(json.dumps(meta))
    arrays["meta_digest"] = np.array(payload_digest(meta))
    np.savez(tmp_path / "cfg.npz", **arrays)
    with pytest.raises(ValueError, match="stored configuration is invalid"):
        VAE.load(tmp_path / "cfg.npz")


def test_edited_activation_and_nan_weights_are_refused(tmp_path):
    # issue 11: the checksum covered only the parameters, so an edited activation loaded
    # silently (a different function of the same weights), and so did a NaN weight
    rng = np.random.default_rng(3)
    vae = VAE(4, 2, hidden=(5,), rng=rng)
    path = vae.save(tmp_path / "m.npz")
    x = rng.random((3, 4))
    np.testing.assert_array_equal(VAE.load(path).encode(x)[0], vae.encode(x)[0])
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    meta = json.loads(str(arrays["meta"][()]))
    meta["config"]["activation"] = "tanh" if meta["config"]["activation"] != "tanh" else "relu"
    edited = dict(arrays, meta=np.array(json.dumps(meta)))
    np.savez(tmp_path / "act.npz", **edited)
    with pytest.raises(ValueError, match="metadata digest mismatch"):
        VAE.load(tmp_path / "act.npz")
    # reformatting the JSON (key order, spaces) is not an edit
    meta = json.loads(str(arrays["meta"][()]))
    same = dict(arrays, meta=np.array(json.dumps(meta, indent=2, sort_keys=True)))
    np.savez(tmp_path / "fmt2.npz", **same)
    VAE.load(tmp_path / "fmt2.npz")
    params = {k[len("param/") :]: v.copy() for k, v in arrays.items() if k.startswith("param/")}
    params["encoder.0.W"][0, 0] = np.nan
    nan = dict(arrays, checksum=np.array(array_checksum(params)))
    nan["param/encoder.0.W"] = params["encoder.0.W"]
    np.savez(tmp_path / "nan.npz", **nan)
    with pytest.raises(ValueError, match="'encoder.0.W' holds non-finite"):
        VAE.load(tmp_path / "nan.npz")


def test_float32_model_round_trips_and_files_without_a_dtype_load_as_float64(tmp_path):
    rng = np.random.default_rng(3)
    vae = VAE(6, 2, hidden=(5,), likelihood="gaussian", rng=rng, dtype=np.float32)
    vae.fit(rng.normal(size=(40, 6)), n_steps=4, rng=rng)
    back = VAE.load(vae.save(tmp_path / "m32"))
    assert back.dtype == np.float32 and back.config()["dtype"] == "float32"
    for k, p in vae.parameters().items():
        q = back.parameters()[k]
        assert q.dtype == np.float32 and np.array_equal(q, p)
    x = rng.normal(size=(3, 6))
    eps = rng.standard_normal((3, 2))
    np.testing.assert_array_equal(back.elbo(x, eps=eps), vae.elbo(x, eps=eps))
    # a file of the same format written before the dtype setting: its configuration has no
    # "dtype", and it loads as the float64 model it was
    old = VAE(6, 2, hidden=(5,), likelihood="gaussian", rng=rng)
    path = old.save(tmp_path / "old")
    with np.load(path, allow_pickle=False) as f:
        arrays = dict(f)
    meta = json.loads(str(arrays["meta"][()]))
    del meta["config"]["dtype"]
    arrays["meta"] = np.array(json.dumps(meta))
    arrays["meta_digest"] = np.array(payload_digest(meta))
    np.savez(path, **arrays)
    loaded = VAE.load(path)
    assert loaded.dtype == np.float64 and loaded.config() == old.config()
