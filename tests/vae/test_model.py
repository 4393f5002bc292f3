"""Tests for impossibility.vae.model: gradients, training, the probabilistic API, validation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from impossibility import FactorizedPrior, Orthogonal, nn, random_entangling_rotation
from impossibility.vae import VAE, BetaVAE

PRIORS = {
    "normal": lambda d: None,
    "laplace": lambda d: FactorizedPrior.iid(stats.laplace(), d),
    "logistic": lambda d: FactorizedPrior.iid(stats.logistic(scale=0.7), d),
}


@pytest.mark.parametrize(
    "likelihood,obs_std,prior_name,kl",
    [
        ("bernoulli", None, "normal", "analytic"),
        ("bernoulli", None, "normal", "mc"),
        ("gaussian", None, "normal", "analytic"),
        ("gaussian", 0.3, "normal", "mc"),
        ("gaussian", None, "laplace", "mc"),
        ("bernoulli", None, "logistic", "mc"),
    ],
)
def test_elbo_gradient_matches_finite_differences(
    likelihood, obs_std, prior_name, kl, check_vae_gradients
):
    rng = np.random.default_rng(0)
    vae = VAE(
        5,
        2,
        hidden=(4,),
        likelihood=likelihood,
        obs_std=obs_std,
        activation="tanh",
        prior=PRIORS[prior_name](2),
        rng=rng,
    )
    x = rng.random((6, 5)) if likelihood == "bernoulli" else rng.normal(size=(6, 5))
    check_vae_gradients(vae, x, rng.standard_normal((6, 2)), kl=kl)


def test_fit_improves_elbo_on_patterns_and_continuous_data(binary_patterns, continuous_mixing):
    rng = np.random.default_rng(7)
    x = binary_patterns(rng, 400)
    vae = VAE((8, 8), 3, hidden=(32, 32), rng=rng)
    before = vae.elbo(x, np.random.default_rng(0), n_samples=4).mean()
    hist = vae.fit(x, n_steps=300, lr=3e-3, rng=rng, progress=False)
    after = vae.elbo(x, np.random.default_rng(0), n_samples=4).mean()
    assert after > before + 5  # starts at ≈ −44 nats (64 pixels), trains to ≈ −30
    assert set(hist) >= {"loss", "reconstruction", "kl", "elbo"} and hist["loss"].shape == (300,)
    xc = continuous_mixing(rng, 400)
    gv = VAE(6, 3, hidden=(32, 32), likelihood="gaussian", rng=rng)

    def mse():
        return np.mean((gv.decode(gv.encode(xc)[0]) - xc) ** 2)

    mse0 = mse()  # ≈ 0.4 untrained (data variance ≈ 0.4 per feature)
    h = gv.fit(xc, n_steps=800, lr=3e-3, rng=rng, progress=False)
    assert mse() < 0.5 * mse0  # ≈ 0.1 after 800 steps
    assert h["loss"][-50:].mean() < h["loss"][:50].mean() - 2  # ≈ 6.6 → 2.5 nats


def test_fit_is_reproducible_from_the_generator(binary_patterns):
    x = binary_patterns(np.random.default_rng(0), 100)
    outs = []
    for _ in range(2):
        rng = np.random.default_rng(99)
        vae = VAE((8, 8), 2, hidden=(8,), rng=rng)
        outs.append(vae.fit(x, n_steps=20, rng=rng, progress=False)["loss"])
    np.testing.assert_array_equal(*outs)


def test_progress_bar_and_callback(capsys):
    rng = np.random.default_rng(8)
    vae = VAE(4, 2, hidden=(3,), rng=rng)
    seen = []
    vae.fit(
        rng.random((20, 4)),
        n_steps=5,
        rng=rng,
        progress=True,
        callback=lambda t, logs: seen.append((t, vae.steps_trained)),
    )
    assert seen == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]  # counted before the callback
    assert "fit beta_vae" in capsys.readouterr().err


def test_fit_continues_with_the_same_optimizer_and_a_new_rate():
    rng = np.random.default_rng(9)
    vae = VAE(4, 2, hidden=(3,), rng=rng)
    x = rng.random((20, 4))
    vae.fit(x, n_steps=3, rng=rng, progress=False)
    opt = vae.optimizer
    vae.fit(x, n_steps=2, lr=5e-4, rng=rng, progress=False)
    assert vae.optimizer is opt and opt.lr == 5e-4 and opt.t == 5 and vae.steps_trained == 5
    with pytest.raises(ValueError, match="lr must be > 0"):
        vae.fit(x, n_steps=2, lr=-1.0, rng=rng)


def test_encode_decode_sample_shapes(binary_patterns):
    rng = np.random.default_rng(9)
    vae = VAE((8, 8), 3, hidden=(16,), rng=rng)
    x = binary_patterns(rng, 5)
    mu, lv = vae.encode(x)
    assert mu.shape == lv.shape == (5, 3)
    assert vae.decode(mu).shape == (5, 8, 8)
    assert np.all((vae.decode(mu) > 0) & (vae.decode(mu) < 1))
    s = vae.sample(7, rng, mode="sample")
    assert s.shape == (7, 8, 8) and set(np.unique(s)) <= {0.0, 1.0}
    assert vae.represent(x, mode="sampled", rng=rng).shape == (5, 3)
    np.testing.assert_array_equal(vae.represent(x), mu)


def test_input_validation():
    rng = np.random.default_rng(10)
    vae = VAE(4, 2, hidden=(3,), rng=rng)
    with pytest.raises(ValueError, match=r"shape \(n, \*\(4,\)\)"):
        vae.elbo(np.zeros((3, 5)), rng)
    with pytest.raises(ValueError, match="targets in \\[0, 1\\]"):
        vae.elbo(np.full((3, 4), 2.0), rng)
    with pytest.raises(ValueError, match="NaN"):
        vae.elbo(np.full((3, 4), np.nan), rng)
    with pytest.raises(ValueError, match="eps must have shape"):
        vae.elbo(np.zeros((3, 4)), eps=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="rng"):
        vae.elbo(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="closed-form KL"):
        VAE(4, 2, prior=FactorizedPrior.iid(stats.laplace(), 2), rng=rng).elbo(
            np.zeros((1, 4)), rng, kl="analytic"
        )
    with pytest.raises(ValueError, match="infinite"):
        VAE(4, 2, prior=FactorizedPrior.iid(stats.beta(2, 2), 2), rng=rng)
    with pytest.raises(ValueError, match="latent_dim = 3"):
        VAE(4, 3, prior=FactorizedPrior.iid(stats.laplace(), 2), rng=rng)
    with pytest.raises(ValueError, match="likelihood must be"):
        VAE(4, 2, likelihood="poisson", rng=rng)
    with pytest.raises(TypeError, match="Generator"):
        VAE(4, 2, rng=0)
    with pytest.raises(ValueError, match="kl must be"):
        vae.elbo(np.zeros((1, 4)), rng, kl="exact")
    with pytest.raises(ValueError, match="obs_std"):
        VAE(4, 2, obs_std=0.1, rng=rng)


def test_type_mistakes_raise_type_errors():
    rng = np.random.default_rng(10)
    with pytest.raises(TypeError, match="latent_dim must be an integer"):
        VAE(4, 2.0, rng=rng)
    with pytest.raises(TypeError, match="x_dim must be a positive integer or a shape tuple"):
        VAE(4.5, 2, rng=rng)
    with pytest.raises(TypeError, match="x_dim must be an integer"):
        VAE((8, 8.0), 2, rng=rng)
    with pytest.raises(TypeError, match="x_dim must be a positive integer or a shape tuple"):
        VAE(None, 2, rng=rng)
    with pytest.raises(ValueError, match="x_dim must be a positive integer or a shape tuple"):
        VAE((), 2, rng=rng)
    with pytest.raises(TypeError, match="hidden width must be an integer"):
        VAE(4, 2, hidden=(3.0,), rng=rng)
    with pytest.raises(TypeError, match="prior must provide"):
        VAE(4, 2, prior="laplace", rng=rng)
    vae = VAE(4, 2, hidden=(3,), rng=rng)
    with pytest.raises(TypeError, match="n_steps must be an integer"):
        vae.fit(rng.random((5, 4)), n_steps=2.0, rng=rng)
    with pytest.raises(TypeError, match="objective must provide"):
        vae.fit(rng.random((5, 4)), n_steps=2, rng=rng, objective="beta_vae")
    with pytest.raises(TypeError, match="x must be an array of real numbers"):
        vae.encode([["a"] * 4])
    with pytest.raises(ValueError, match="mode must be one of"):
        vae.represent(rng.random((2, 4)), mode="median")
    with pytest.raises(TypeError, match="n must be an integer"):
        vae.sample(2.0, rng)


def test_a_prior_of_standard_normals_is_recognised():
    rng = np.random.default_rng(11)
    vae = VAE(4, 2, hidden=(3,), prior=FactorizedPrior.standard_normal(2), rng=rng)
    assert vae.prior_is_standard_normal
    x = rng.random((3, 4))
    eps = rng.standard_normal((3, 2))
    ref = VAE(4, 2, hidden=(3,), rng=np.random.default_rng(11))
    np.testing.assert_allclose(vae.elbo(x, eps=eps), ref.elbo(x, eps=eps), atol=1e-13)


def test_default_objective_is_the_elbo():
    rng = np.random.default_rng(12)
    vae = VAE(4, 2, hidden=(3,), rng=rng)
    x, eps = rng.random((5, 4)), rng.standard_normal((5, 2))
    a = vae.loss_and_grads(x, eps)
    b = vae.loss_and_grads(x, eps, BetaVAE(1.0))
    assert a[0] == b[0] == pytest.approx(-vae.elbo(x, eps=eps).mean(), rel=1e-12)


@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_loss_and_gradients_match_pytorch_autograd(likelihood):
    # An independent implementation of the same network and loss (skipped without PyTorch).
    torch = pytest.importorskip("torch")
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "bench_vae", Path(__file__).resolve().parents[2] / "benchmarks" / "bench_vae.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rng = np.random.default_rng(35)
    vae = VAE(12, 3, hidden=(8, 6), likelihood=likelihood, rng=rng)
    x = rng.random((40, 12))
    # float64 on both sides: agreement to rounding (≈ 1e-15 relative)
    assert bench.check_against_autograd(torch, vae, x, rng) < 1e-12


# ------------------------------------------------------------------------------ float32 training
# float32 against float64 gradients on the same weights, batch and noise: each gradient entry is
# a batch sum of products along a chain of ~6 layers, each step rounded at u = 2^-24 ≈ 6e-8, so
# norm-wise errors of ~10u-100u are expected; measured over 5 seeds: 1e-7 to 2.4e-7, up to
# 1.5e-6 for DIP-VAE-I (whose λ_d (C_ii - 1)² term differences a batch covariance near 1). 2e-5
# leaves a margin of 10 and is still far below the O(1) error of a wrong formula.
F32_GRAD_RTOL = 2e-5

OBJECTIVES32 = [
    ("beta_vae", 4.0),
    ("factor_vae", 10.0),
    ("beta_tc_vae", 4.0),
    ("dip_vae_i", 5.0),
    ("dip_vae_ii", 5.0),
    ("annealed_vae", 25.0),
]


def _objective(name, value):
    from impossibility.vae import make_objective

    return make_objective(name, value, **({"hidden": (16,)} if name == "factor_vae" else {}))


@pytest.mark.parametrize("name,value", OBJECTIVES32)
def test_float32_training_keeps_every_array_float32(binary_patterns, name, value):
    x = binary_patterns(np.random.default_rng(0), 200)
    vae = VAE((8, 8), 3, hidden=(16, 8), rng=np.random.default_rng(1), dtype=np.float32)
    seen = []
    backward = vae.backward

    def spy(fp, cot):  # every forward-pass array and every gradient of every step
        grads = backward(fp, cot)
        seen.extend(a.dtype for a in grads.values())
        seen.extend(getattr(fp, f).dtype for f in ("x", "rec", "kl", "z", "mu", "logvar", "eps"))
        return grads

    vae.backward = spy
    objective = _objective(name, value)
    hist = vae.fit(x, rng=np.random.default_rng(2), objective=objective, n_steps=5, batch_size=32)
    assert len(seen) > 5 and all(dt == np.float32 for dt in seen)
    arrays = [*vae.parameters().values(), *vae.optimizer.m.values(), *vae.optimizer.v.values()]
    if name == "factor_vae":
        arrays += list(objective.discriminator.net.parameters().values())
        arrays += list(objective.discriminator.optimizer.v.values())
    assert all(a.dtype == np.float32 for a in arrays)
    assert np.all(np.isfinite(hist["loss"])) and vae.steps_trained == 5


@pytest.mark.parametrize("name,value", OBJECTIVES32)
def test_float32_gradients_agree_with_float64(binary_patterns, name, value):
    rng = np.random.default_rng(3)
    x = binary_patterns(rng, 64).reshape(64, -1)
    vae32 = VAE((8, 8), 3, hidden=(16, 8), activation="tanh", rng=rng, dtype="float32")
    vae64 = vae32.astype(np.float64)  # exactly the same weights
    eps = rng.standard_normal((64, 3))
    out = {}
    for vae in (vae32, vae64):
        obj = _objective(name, value)
        obj.prepare(latent_dim=3, n_steps=10, rng=np.random.default_rng(4), dtype=vae.dtype)
        if name == "factor_vae" and vae is vae64:  # the same discriminator weights
            obj.discriminator.net.set_parameters(out["disc"])
        loss, grads, _, _ = vae.loss_and_grads(x, eps, obj, step=3)
        out[vae.dtype.name] = (loss, grads)
        if name == "factor_vae":
            out["disc"] = obj.discriminator.net.parameters()
    (l32, g32), (l64, g64) = out["float32"], out["float64"]
    assert abs(l32 - l64) <= 1e-5 * abs(l64)
    assert all(g.dtype == np.float32 for g in g32.values())
    flat32 = np.concatenate([g32[k].ravel() for k in sorted(g64)])
    flat64 = np.concatenate([g64[k].ravel() for k in sorted(g64)])
    assert nn.relative_error(flat32, flat64) < F32_GRAD_RTOL


def test_float32_model_evaluates_in_float64(binary_patterns):
    rng = np.random.default_rng(5)
    x = binary_patterns(rng, 100)
    vae32 = VAE((8, 8), 3, hidden=(16,), rng=rng, dtype=np.float32)
    vae32.fit(x, rng=rng, n_steps=20, batch_size=32)
    vae64 = vae32.astype("float64")
    assert vae64.astype(np.float32).config() == vae32.config()
    eps = rng.standard_normal((2, 100, 3))
    a, b = vae32.elbo_terms(x, eps=eps), vae64.elbo_terms(x, eps=eps)
    assert a["elbo"].dtype == np.float64
    # the same float64 arithmetic on the same (float32-representable) weights
    np.testing.assert_allclose(a["elbo"], b["elbo"], rtol=1e-14, atol=0)
    assert vae32.encode(x)[0].dtype == vae32.decode(rng.normal(size=(3, 3))).dtype == np.float64
    # so the twin of a float32 model agrees with it to float64 rounding, as a float64 model's
    f = Orthogonal(random_entangling_rotation(3, rng))
    t = vae32.entangled(f).elbo_terms(x, eps=eps, kl="mc")
    ref = vae32.elbo_terms(x, eps=eps, kl="mc")["elbo_samples"]
    np.testing.assert_allclose(t["elbo_samples"], ref, rtol=0, atol=1e-10)


def test_dtype_is_validated():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        VAE(4, 2, rng=rng, dtype=np.float16)
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        VAE(4, 2, rng=rng, dtype=None)
    assert VAE(4, 2, rng=rng).dtype == np.float64
    assert "dtype=float32" in repr(VAE(4, 2, rng=rng, dtype="float32"))
