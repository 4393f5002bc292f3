"""Tests for impossibility.vae: gradients, estimators, training, save/load and the entangled
twin."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from impossibility import (
    FactorizedPrior,
    Orthogonal,
    entangling_bijection,
    nn,
    random_entangling_rotation,
    rotation_2d,
)
from impossibility.objectives import AnnealedVAE, BetaVAE
from impossibility.vae import VAE, EntangledVAE, affine_part

# Finite-difference gradient checks: see tests/test_nn.py (h = 1e-6, errors ≈ 1e-9 relative).
GRAD_RTOL = 1e-6
# Model vs twin with common random numbers: the identities of theory.md §3.4 hold exactly, so the
# only differences are rounding in f, f⁻¹ and log|det J_f| (≈ 1e-14 on ELBO terms of size ≈ 40).
CRN_ATOL = 1e-10

PRIORS = {
    "normal": lambda d: None,
    "laplace": lambda d: FactorizedPrior.iid(stats.laplace(), d),
    "logistic": lambda d: FactorizedPrior.iid(stats.logistic(scale=0.7), d),
}


def binary_patterns(rng, n, d_latent=3, side=8):
    """Random binary 8×8 images driven by a few latent factors (stripes and blobs)."""
    z = rng.uniform(size=(n, d_latent))
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    logits = (
        4 * np.sin(ii[None] * (0.3 + z[:, 0, None, None]))
        + 3 * np.cos(jj[None] * (0.2 + z[:, 1, None, None]))
        - 6 * (z[:, 2, None, None] - 0.5)
    )
    return (rng.random((n, side, side)) < 1 / (1 + np.exp(-logits))).astype(float)


def continuous_mixing(rng, n, d=3, D=6, noise=0.05):
    """x = tanh(W z) + noise."""
    w = rng.normal(size=(D, d))
    z = rng.normal(size=(n, d))
    return np.tanh(z @ w.T) + noise * rng.normal(size=(n, D))


def full_prior(vae):
    return vae.prior if vae.prior is not None else FactorizedPrior.standard_normal(vae.latent_dim)


@pytest.fixture(scope="module")
def trained():
    """Tiny models trained briefly, one per prior: Bernoulli on 8×8 patterns."""
    rng = np.random.default_rng(12345)
    x = binary_patterns(rng, 600)
    models = {}
    for name, make in PRIORS.items():
        vae = VAE((8, 8), 3, hidden=(32, 32), prior=make(3), rng=rng)
        vae.fit(x, n_steps=300, batch_size=64, lr=3e-3, rng=rng, progress=False)
        f = entangling_bijection(full_prior(vae), random_entangling_rotation(3, rng))
        models[name] = (vae, vae.entangled(f))
    return x, models


# ---------------------------------------------------------------------------- gradients
def _grad_check(vae, x, eps, objective=None, kl="auto"):
    objective = objective or BetaVAE(1.0)
    _, grads, _, _ = vae.loss_and_grads(x, eps, objective, kl=kl, step=3)

    def loss():
        return vae.loss_and_grads(x, eps, objective, kl=kl, step=3)[0]

    params = vae.parameters()
    assert set(grads) == set(params)
    for k, p in params.items():
        fd = nn.finite_difference_gradient(loss, p)
        assert nn.relative_error(grads[k], fd) < GRAD_RTOL, k


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
def test_elbo_gradient_matches_finite_differences(likelihood, obs_std, prior_name, kl):
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
    _grad_check(vae, x, rng.standard_normal((6, 2)), kl=kl)


def test_gradient_with_generic_prior_family_uses_numerical_score():
    # Student-t marginals have no analytic score here: a 5-point stencil with error O(h⁴) ≈ 1e-12.
    rng = np.random.default_rng(1)
    prior = FactorizedPrior([stats.t(4), stats.gumbel_r()])
    vae = VAE(4, 2, hidden=(3,), activation="tanh", prior=prior, rng=rng)
    _grad_check(vae, rng.random((5, 4)), rng.standard_normal((5, 2)))
    z = rng.normal(size=(7, 2))
    h = 1e-5
    fd = np.stack(
        [(prior.log_prob(z + h * e) - prior.log_prob(z - h * e)) / (2 * h) for e in np.eye(2)], 1
    )
    np.testing.assert_allclose(vae._prior.score(z), fd, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("prior_name", ["laplace", "logistic"])
def test_analytic_prior_scores_match_logpdf_differences(prior_name):
    prior = (
        FactorizedPrior([stats.laplace(0.3, 2.0), stats.logistic(-1, 0.5)])
        if prior_name == "laplace"
        else FactorizedPrior.iid(stats.logistic(0.5, 1.5), 2)
    )
    vae = VAE(3, 2, hidden=(2,), prior=prior, rng=np.random.default_rng(0))
    z = np.random.default_rng(2).normal(size=(9, 2)) * 2 + 0.11
    h = 1e-6
    fd = np.stack(
        [(prior.log_prob(z + h * e) - prior.log_prob(z - h * e)) / (2 * h) for e in np.eye(2)], 1
    )
    np.testing.assert_allclose(vae._prior.score(z), fd, rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------------------- estimators
def test_closed_form_and_monte_carlo_kl_agree_in_expectation():
    rng = np.random.default_rng(3)
    vae = VAE(6, 3, hidden=(8,), rng=rng)
    x = rng.random((4, 6))
    ana = vae.elbo_terms(x, rng, n_samples=1, kl="analytic")["kl"]
    mc = vae.elbo_terms(x, rng, n_samples=4000, kl="mc")
    # the MC KL average has standard error sd/√S; 5 SE leaves a ~1e-6 false-alarm rate per point
    samples = mc["rec"] - mc["elbo_samples"]  # per-sample KL estimates, (S, n)
    se = samples.std(axis=0, ddof=1) / np.sqrt(samples.shape[0])
    assert np.all(np.abs(mc["kl"] - ana) < 5 * se)
    assert np.all(ana > 0)


def test_importance_weighted_log_px_matches_exact_linear_gaussian_model():
    # Linear decoder, fixed noise: p(x) = N(b, W Wᵀ + σ² I) exactly (W = decoder kernel,
    # transposed).
    rng = np.random.default_rng(4)
    vae = VAE(4, 2, hidden=(), likelihood="gaussian", obs_std=0.5, rng=rng)
    W, b = vae.decoder[0].W.T, vae.decoder[0].b
    x = rng.normal(size=(5, 4))
    exact = stats.multivariate_normal(b, W @ W.T + 0.25 * np.eye(4)).logpdf(x)
    est, se = vae.log_px(x, rng, n_importance=20000, return_stderr=True)
    # an untrained encoder is a poor proposal: allow 5 delta-method SEs plus the O(1/K) bias
    assert np.all(np.abs(est - exact) < 5 * se + 0.01)
    elbo = vae.elbo(x, rng, n_samples=2000)
    assert np.all(elbo < exact + 0.05)  # ELBO ≤ log p(x) (0.05 ≫ its MC error here)


def test_log_px_with_one_sample_is_the_single_sample_elbo():
    rng = np.random.default_rng(5)
    vae = VAE(6, 2, hidden=(5,), rng=rng)
    x = rng.random((3, 6))
    eps = rng.standard_normal((1, 3, 2))
    np.testing.assert_allclose(vae.log_px(x, eps=eps), vae.elbo(x, eps=eps, kl="mc"), atol=1e-12)


def test_log_px_chunking_does_not_change_result():
    rng = np.random.default_rng(6)
    vae = VAE(6, 2, hidden=(5,), rng=rng)
    x = rng.random((3, 6))
    eps = rng.standard_normal((50, 3, 2))
    a = vae.log_importance_weights(x, eps=eps)
    b = vae.log_importance_weights(x, eps=eps, chunk_elements=20)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


# ---------------------------------------------------------------------------- training and API
def test_fit_improves_elbo_on_patterns_and_continuous_data():
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


def test_fit_is_reproducible_from_the_generator():
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
        callback=lambda t, logs: seen.append(t),
    )
    assert seen == [0, 1, 2, 3, 4]
    assert "fit beta_vae" in capsys.readouterr().err


def test_encode_decode_sample_shapes():
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


def test_a_prior_of_standard_normals_is_recognised():
    rng = np.random.default_rng(11)
    vae = VAE(4, 2, hidden=(3,), prior=FactorizedPrior.standard_normal(2), rng=rng)
    assert vae.prior_is_standard_normal
    x = rng.random((3, 4))
    eps = rng.standard_normal((3, 2))
    ref = VAE(4, 2, hidden=(3,), rng=np.random.default_rng(11))
    np.testing.assert_allclose(vae.elbo(x, eps=eps), ref.elbo(x, eps=eps), atol=1e-13)


# ---------------------------------------------------------------------------- save / load
def test_save_load_round_trip(tmp_path):
    rng = np.random.default_rng(12)
    prior = FactorizedPrior([stats.laplace(scale=2.0), stats.logistic(0.5)])
    vae = VAE(5, 2, hidden=(4, 3), likelihood="gaussian", prior=prior, rng=rng)
    vae.fit(rng.normal(size=(30, 5)), n_steps=3, rng=rng, progress=False)
    path = vae.save(tmp_path / "model")
    assert path.suffix == ".npz"
    with np.load(path, allow_pickle=False) as f:  # readable without pickle
        assert "meta" in f.files
    back = VAE.load(path)
    x = rng.normal(size=(4, 5))
    eps = rng.standard_normal((4, 2))
    np.testing.assert_array_equal(back.elbo(x, eps=eps), vae.elbo(x, eps=eps))
    assert back.prior == prior and back.steps_trained == 3 and back.config() == vae.config()


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
    from impossibility.vae import _checksum

    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    import json

    meta = json.loads(str(arrays["meta"][()]))
    meta["config"]["hidden"] = [7]
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(tmp_path / "mismatch.npz", **arrays)
    with pytest.raises(ValueError, match="has shape"):
        VAE.load(tmp_path / "mismatch.npz")
    # 6. wrong format tag
    meta["format"] = "something/else"
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(tmp_path / "fmt.npz", **arrays)
    with pytest.raises(ValueError, match="format"):
        VAE.load(tmp_path / "fmt.npz")
    assert _checksum({"a": np.zeros(2)}) != _checksum({"a": np.ones(2)})


# ---------------------------------------------------------------------------- the entangled twin
@pytest.mark.parametrize("prior_name", sorted(PRIORS))
def test_twin_elbo_and_log_weights_agree_with_common_random_numbers(trained, prior_name):
    x, models = trained
    vae, twin = models[prior_name]
    assert twin.is_affine == (prior_name == "normal")  # f is a rotation only for N(0, I)
    rng = np.random.default_rng(20)
    xb = x[:100]
    eps = rng.standard_normal((4, 100, 3))
    a = vae.elbo_terms(xb, eps=eps, kl="mc")
    b = twin.elbo_terms(xb, eps=eps)
    np.testing.assert_allclose(b["elbo_samples"], a["elbo_samples"], rtol=0, atol=CRN_ATOL)
    np.testing.assert_allclose(b["rec"], a["rec"], rtol=0, atol=CRN_ATOL)
    np.testing.assert_allclose(b["kl"], a["kl"], rtol=0, atol=CRN_ATOL)
    eps_iw = rng.standard_normal((64, 100, 3))
    np.testing.assert_allclose(
        twin.log_importance_weights(xb, eps=eps_iw),
        vae.log_importance_weights(xb, eps=eps_iw),
        rtol=0,
        atol=CRN_ATOL,
    )
    np.testing.assert_allclose(
        twin.log_px(xb, eps=eps_iw), vae.log_px(xb, eps=eps_iw), rtol=0, atol=CRN_ATOL
    )


@pytest.mark.parametrize("prior_name", sorted(PRIORS))
def test_twin_agrees_within_monte_carlo_error_with_independent_samples(trained, prior_name):
    x, models = trained
    vae, twin = models[prior_name]
    xb = x[:200]
    a = vae.elbo_terms(xb, np.random.default_rng(21), n_samples=8, kl="mc")["elbo_samples"]
    b = twin.elbo_terms(xb, np.random.default_rng(22), n_samples=8)["elbo_samples"]
    # the data-set mean ELBO of each is an average of 1600 single-sample terms whose per-point
    # MC noise is independent between the two; the x-variation is common, so compare per point
    diff = (b - a).mean(0)  # (n,), each with variance (var_a + var_b)/8
    se = np.sqrt((a.var(0, ddof=1) + b.var(0, ddof=1)) / 8)
    z = diff.sum() / np.sqrt((se**2).sum())
    assert abs(z) < 4, z  # standard-normal statistic; 4 ⇒ false alarm ≈ 6e-5
    # and the importance-weighted log p(x): delta-method SEs
    la, sa = vae.log_px(xb[:50], np.random.default_rng(23), n_importance=256, return_stderr=True)
    lb, sb = twin.log_px(xb[:50], np.random.default_rng(24), n_importance=256, return_stderr=True)
    zz = (lb - la).sum() / np.sqrt((sa**2 + sb**2).sum())
    assert abs(zz) < 4, zz


def test_twin_closed_form_kl_for_a_rotation_equals_the_models(trained):
    x, models = trained
    vae, twin = models["normal"]
    eps = np.random.default_rng(25).standard_normal((100, 3))
    a = vae.elbo_terms(x[:100], eps=eps, kl="analytic")
    b = twin.elbo_terms(x[:100], eps=eps, kl="analytic")
    # full-covariance Gaussian KL (trace, norm, slogdet of AΣAᵀ) vs the diagonal formula
    np.testing.assert_allclose(b["kl"], a["kl"], rtol=0, atol=CRN_ATOL)
    np.testing.assert_allclose(b["rec"], a["rec"], rtol=0, atol=CRN_ATOL)
    # and mixing MC with closed form does NOT agree sample by sample (pitfall 1)
    c = twin.elbo_terms(x[:100], eps=eps, kl="mc")
    assert np.max(np.abs(c["kl"] - a["kl"])) > 1e-3
    _, twin_l = models["laplace"]
    with pytest.raises(ValueError, match="affine f and the N\\(0, I\\) prior"):
        twin_l.elbo(x[:2], np.random.default_rng(0), kl="analytic")


@pytest.mark.parametrize("prior_name", sorted(PRIORS))
def test_invariant_objectives_beta_vae_and_annealed_vae(trained, prior_name):
    x, models = trained
    vae, twin = models[prior_name]
    eps = np.random.default_rng(26).standard_normal((64, 3))
    fp, fpt = vae.forward(x[:64], eps, kl="mc"), twin.forward(x[:64], eps)
    for obj in (BetaVAE(4.0), BetaVAE(16.0), AnnealedVAE(5.0, anneal_steps=100)):
        for step in (0, 50, 200):
            assert abs(obj.loss(fpt, step=step)[0] - obj.loss(fp, step=step)[0]) < 1e3 * CRN_ATOL
            # (AnnealedVAE multiplies the KL by γ = 1000)


@pytest.mark.parametrize("prior_name", sorted(PRIORS))
def test_twin_log_q_through_inverse_matches_sampling_path(trained, prior_name):
    x, models = trained
    vae, twin = models[prior_name]
    eps = np.random.default_rng(27).standard_normal((50, 3))
    fp = twin.forward(x[:50], eps)
    np.testing.assert_allclose(twin.log_q(fp.z, x[:50]), fp.log_q, rtol=0, atol=CRN_ATOL)
    # and it is a different density from the original encoder's at the same point
    assert np.max(np.abs(vae.log_q(fp.z, x[:50]) - fp.log_q)) > 0.1


@pytest.mark.parametrize("prior_name", sorted(PRIORS))
def test_twin_is_entangled_and_generates_the_same_distribution(trained, prior_name):
    x, models = trained
    vae, twin = models[prior_name]
    z = np.random.default_rng(28).normal(size=(5, 3))
    assert np.max(np.abs(twin.decode(z) - vae.decode(z))) > 1e-3  # a different decoder
    np.testing.assert_allclose(twin.decode(twin.f.forward(z)), vae.decode(z), atol=1e-12)
    # every twin code depends on every original code: the Jacobian of f is dense (sign pattern of A)
    jac = twin.f.jacobian(vae.sample_codes(x[:10], np.random.default_rng(29)))
    assert np.all(np.abs(jac) > 1e-6)
    # same p(x): mean generated image agrees within Monte Carlo error
    n = 4000
    ma = vae.sample(n, np.random.default_rng(30)).reshape(n, -1)
    mb = twin.sample(n, np.random.default_rng(31)).reshape(n, -1)
    w = np.random.default_rng(32).normal(size=(64, 3))  # three fixed projections of the images
    pa, pb = ma @ w, mb @ w
    zstat = (pb.mean(0) - pa.mean(0)) / np.sqrt((pa.var(0) + pb.var(0)) / n)
    assert np.max(np.abs(zstat)) < 4  # three N(0, 1) statistics: false alarm ≈ 2e-4


def test_twin_moments_for_a_rotation_are_exact(trained):
    x, models = trained
    vae, twin = models["normal"]
    A = twin.f.A
    mu, lv = vae.encode(x[:10])
    m, cov = twin.encoder_moments(x[:10])
    np.testing.assert_allclose(m, mu @ A.T, atol=1e-14)
    np.testing.assert_allclose(cov, A @ (np.exp(lv)[:, :, None] * np.eye(3)) @ A.T, atol=1e-14)
    # Monte-Carlo moments of a nonlinear twin converge to the sample moments
    _, twin_l = models["laplace"]
    m1, c1 = twin_l.encoder_moments(x[:3], rng=np.random.default_rng(0), n_mc=20000)
    zs = twin_l.sample_codes(np.tile(x[:3], (3000, 1, 1)), np.random.default_rng(1)).reshape(
        3000, 3, 3
    )
    assert np.max(np.abs(m1 - zs.mean(0))) < 0.05  # SE ≈ sd/√3000 ≈ 0.02
    with pytest.raises(ValueError, match="need rng"):
        twin_l.encoder_moments(x[:3])


def test_affine_part_detection():
    rng = np.random.default_rng(32)
    A = random_entangling_rotation(3, rng)
    j, c = affine_part(Orthogonal(A), 3)
    np.testing.assert_array_equal(j, A)
    shifted = entangling_bijection(
        FactorizedPrior([stats.norm(1, 2), stats.norm(-1, 0.5), stats.norm()]), A
    )
    jc = affine_part(shifted, 3)
    assert jc is not None
    z = rng.normal(size=(4, 3))
    np.testing.assert_allclose(shifted.forward(z), z @ jc[0].T + jc[1], atol=1e-12)
    assert affine_part(entangling_bijection(FactorizedPrior.iid(stats.laplace(), 3), A), 3) is None


def test_entangled_validation():
    rng = np.random.default_rng(33)
    vae = VAE(4, 2, hidden=(3,), rng=rng)
    with pytest.raises(ValueError, match="d = 3"):
        vae.entangled(Orthogonal(random_entangling_rotation(3, rng)))
    with pytest.raises(TypeError, match="Bijector"):
        EntangledVAE(vae, np.eye(2))
    with pytest.raises(TypeError, match="must be a VAE"):
        EntangledVAE("vae", Orthogonal(rotation_2d(0.3)))


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


@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_loss_and_gradients_match_pytorch_autograd(likelihood):
    # An independent implementation of the same network and loss (skipped without PyTorch).
    torch = pytest.importorskip("torch")
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "bench_vae", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_vae.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rng = np.random.default_rng(35)
    vae = VAE(12, 3, hidden=(8, 6), likelihood=likelihood, rng=rng)
    x = rng.random((40, 12))
    # float64 on both sides: agreement to rounding (≈ 1e-15 relative)
    assert bench.check_against_autograd(torch, vae, x, rng) < 1e-12


def test_twin_of_a_gaussian_decoder_vae_on_continuous_data():
    # Continuous mixing data, learned observation noise, Laplace prior (nonlinear f).
    rng = np.random.default_rng(36)
    x = continuous_mixing(rng, 400, d=3, D=6)
    prior = FactorizedPrior.iid(stats.laplace(scale=0.8), 3)
    vae = VAE(6, 3, hidden=(32, 32), likelihood="gaussian", prior=prior, rng=rng)
    vae.fit(x, n_steps=300, lr=3e-3, rng=rng, progress=False)
    twin = vae.entangled(entangling_bijection(prior, random_entangling_rotation(3, rng)))
    assert not twin.is_affine
    eps = rng.standard_normal((3, 200, 3))
    a = vae.elbo_terms(x[:200], eps=eps, kl="mc")["elbo_samples"]
    b = twin.elbo_terms(x[:200], eps=eps)["elbo_samples"]
    np.testing.assert_allclose(b, a, rtol=0, atol=CRN_ATOL)
    e2 = rng.standard_normal((32, 200, 3))
    np.testing.assert_allclose(
        twin.log_px(x[:200], eps=e2), vae.log_px(x[:200], eps=e2), rtol=0, atol=CRN_ATOL
    )
