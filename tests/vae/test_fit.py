"""Tests for impossibility.vae.fit: the one minibatch training loop."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility.vae import VAE, train_loop


def test_draws_indices_then_steps_and_collects_logs():
    seen = []

    def step(t, idx):
        seen.append(idx.copy())
        return {"loss": float(t), "other": 2.0 * t}

    calls = []
    hist = train_loop(
        step,
        n_rows=10,
        n_steps=4,
        batch_size=3,
        rng=np.random.default_rng(0),
        callback=lambda t, logs: calls.append((t, logs["other"])),
    )
    ref = np.random.default_rng(0)
    for idx in seen:
        np.testing.assert_array_equal(idx, ref.integers(0, 10, size=3))
    np.testing.assert_array_equal(hist["loss"], [0.0, 1.0, 2.0, 3.0])
    assert calls == [(0, 0.0), (1, 2.0), (2, 4.0), (3, 6.0)]
    assert train_loop(step, n_rows=2, n_steps=0, batch_size=1, rng=np.random.default_rng(0)) == {}


def test_a_non_finite_loss_stops_training():
    def step(t, idx):
        return {"loss": np.nan if t == 2 else 1.0}

    with pytest.raises(FloatingPointError, match="loss became nan at step 2"):
        train_loop(step, n_rows=5, n_steps=5, batch_size=2, rng=np.random.default_rng(0))
    # other keys are not checked (e.g. a discriminator's own loss)
    hist = train_loop(
        lambda t, idx: {"discriminator_loss": np.inf},
        n_rows=5,
        n_steps=2,
        batch_size=2,
        rng=np.random.default_rng(0),
    )
    assert np.all(np.isinf(hist["discriminator_loss"]))


def test_validation_errors():
    def step(t, idx):
        return {}

    with pytest.raises(TypeError, match="Generator"):
        train_loop(step, n_rows=5, n_steps=1, batch_size=2, rng=0)
    with pytest.raises(ValueError, match="n_rows must be an integer >= 1"):
        train_loop(step, n_rows=0, n_steps=1, batch_size=2, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="batch_size must be an integer"):
        train_loop(step, n_rows=5, n_steps=1, batch_size=2.0, rng=np.random.default_rng(0))


def test_fit_limits_blas_threads_only_while_training():
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    seen = []
    rng = np.random.default_rng(34)
    vae = VAE(4, 2, hidden=(3,), rng=rng)
    vae.fit(
        rng.random((20, 4)),
        n_steps=2,
        rng=rng,
        callback=lambda t, logs: seen.append(blas_threads()),
    )
    assert all(all(n == 1 for n in s) for s in seen)
    assert blas_threads() == before
    with pytest.raises(ValueError, match="threads must be"):
        vae.fit(rng.random((20, 4)), n_steps=2, rng=rng, threads=0)
