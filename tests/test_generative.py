"""Tests for impossibility.generative: generators, the entangled twin and the invariance of p(x)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from impossibility import FactorizedPrior, entangling_bijection
from impossibility.generative import (
    EntangledGenerator,
    GaussianNoiseDecoder,
    InjectiveMLP,
    InvertibleMLP,
    LeakyReLU,
    TanhResidual,
    entangle_generator,
    log_px_exact,
    log_px_importance,
    log_px_quadrature,
)
from impossibility.testing import priors, seeds


def _fd_jacobian(fn, z: np.ndarray, h: float = 1e-6) -> np.ndarray:
    cols = [(fn(z + h * e) - fn(z - h * e)) / (2 * h) for e in np.eye(z.shape[1])]
    return np.stack(cols, axis=2)


def _two_sided_p(zscore: np.ndarray) -> float:
    """Smallest two-sided normal p-value of a batch of z-scores (Bonferroni over the batch)."""
    return float(min(1.0, len(zscore) * 2 * special.ndtr(-np.max(np.abs(zscore)))))


# ============================================================================ nonlinearities
@settings(deadline=None)
@given(alpha=st.floats(-0.95, 20.0), seed=seeds())
def test_tanh_residual_inverse_to_machine_precision(alpha, seed):
    h = TanhResidual(alpha)
    rng = np.random.default_rng(seed)
    a = np.concatenate(
        [rng.normal(scale=s, size=200) for s in (1e-9, 1e-3, 1.0, 30.0, 1e6)] + [[0.0]]
    )
    back = h.inverse(h.forward(a))
    # y = h(a) carries a rounding error ≈ ε(|a| + |α|); h' ≥ min(1, 1+α) ≥ 0.05, so the inverse
    # can be off by ≈ 20 ε (|a| + |α|) at worst; 64 ε leaves a margin
    tol = 64 * np.finfo(float).eps * (np.abs(a) + abs(alpha)) / min(1.0, 1.0 + alpha) + 1e-300
    assert np.all(np.abs(back - a) <= tol)


def test_nonlinearity_derivatives_match_finite_differences():
    a = np.linspace(-6, 6, 101) + 0.013  # avoid the kink of the leaky ReLU at 0
    for h in (TanhResidual(2.0), TanhResidual(-0.5), LeakyReLU(0.2)):
        fd = (h.forward(a + 1e-6) - h.forward(a - 1e-6)) / 2e-6
        np.testing.assert_allclose(h.derivative(a), fd, rtol=1e-8)  # central FD error ~1e-10
        np.testing.assert_allclose(
            h.log_derivative(a), np.log(h.derivative(a)), rtol=1e-14, atol=1e-15
        )
    big = np.array([-800.0, 800.0])  # sech² must not overflow (warnings are errors in the suite)
    np.testing.assert_array_equal(TanhResidual(1.0).derivative(big), [1.0, 1.0])
    lr = LeakyReLU(0.3)
    np.testing.assert_allclose(lr.inverse(lr.forward(a)), a, rtol=4e-16)  # (s·a)/s: one rounding


# ============================================================================ invertible MLP
@pytest.mark.parametrize("d", [1, 2, 5])
@pytest.mark.parametrize("h", [TanhResidual(2.0), LeakyReLU(0.3)])
def test_invertible_mlp(d, h):
    rng = np.random.default_rng(d)
    g = InvertibleMLP.random(d, rng, n_layers=4, nonlinearity=h)
    z = 2 * rng.normal(size=(300, d))
    x, ld = g.forward_and_log_det(z)
    zb, ldi = g.inverse_and_log_det(x)
    np.testing.assert_allclose(zb, z, atol=1e-12)  # a few ulps per layer (measured 4e-15)
    np.testing.assert_allclose(ldi, -ld, atol=1e-12)
    J = g.jacobian(z)
    # analytic Jacobian vs central differences (error ~h² + ε/h ≈ 1e-10 relative to |J|)
    np.testing.assert_allclose(J, _fd_jacobian(g.forward, z), atol=1e-6)
    np.testing.assert_allclose(np.linalg.slogdet(J)[1], ld, atol=1e-12)


def test_general_invertible_weights_log_det():
    rng = np.random.default_rng(1)
    W = [rng.normal(size=(3, 3)) + 2 * np.eye(3) for _ in range(3)]
    g = InvertibleMLP(W, [rng.normal(size=3) for _ in range(3)], TanhResidual(0.7))
    z = rng.normal(size=(50, 3))
    _, ld = g.forward_and_log_det(z)
    np.testing.assert_allclose(np.linalg.slogdet(g.jacobian(z))[1], ld, atol=1e-12)
    np.testing.assert_allclose(g.inverse(g.forward(z)), z, atol=1e-12)


def test_injective_mlp():
    rng = np.random.default_rng(2)
    g = InjectiveMLP.random(3, 7, rng)
    z = rng.normal(size=(200, 3))
    x = g.forward(z)
    assert x.shape == (200, 7)
    np.testing.assert_allclose(g.left_inverse(x), z, atol=1e-12)
    np.testing.assert_allclose(g.jacobian(z), _fd_jacobian(g.forward, z), atol=1e-6)


def test_linear_gaussian_change_of_variables_matches_closed_form():
    # g(z) = W z + b with z ~ N(0, I): x ~ N(b, W Wᵀ), an independent formula
    rng = np.random.default_rng(3)
    W, b = rng.normal(size=(3, 3)), rng.normal(size=3)
    g = InvertibleMLP([W], [b])
    prior = FactorizedPrior.iid(stats.norm(), 3)
    x = rng.normal(size=(100, 3)) * 3
    np.testing.assert_allclose(
        log_px_exact(g, prior, x), stats.multivariate_normal(b, W @ W.T).logpdf(x), atol=1e-12
    )


# ============================================================================ the twin (invertible)
INVERTIBLE_CASES = {
    "normal-2": [stats.norm(), stats.norm()],
    "laplace-logistic-2": [stats.laplace(scale=2), stats.logistic()],
    "laplace-3": [stats.laplace()] * 3,
    "logistic-4": [stats.logistic(loc=1, scale=0.5)] * 4,
    "beta-gamma-mixed-5": [
        stats.beta(2, 5),
        stats.gamma(3),
        stats.norm(),
        stats.laplace(),
        stats.logistic(),
    ],
    "gamma-beta-3": [stats.gamma(2, scale=2), stats.beta(3, 3), stats.gamma(5)],
}


@pytest.mark.parametrize("case", list(INVERTIBLE_CASES))
def test_twin_has_the_same_log_px(case):
    prior = FactorizedPrior(INVERTIBLE_CASES[case])
    rng = np.random.default_rng(len(case))
    f = entangling_bijection(prior, rng=rng)
    g = InvertibleMLP.random(prior.d, rng)
    twin = entangle_generator(g, f)
    assert isinstance(twin, EntangledGenerator)
    z = prior.sample(3000, rng)
    x = g.forward(z)
    a, b = log_px_exact(g, prior, x), log_px_exact(twin, prior, x)
    assert np.all(np.isfinite(a))
    # change of variables with f's analytic log-det; typical error 1e-14 (theory.md §7.5)
    assert np.max(np.abs(a - b)) <= 1e-10
    # the twin really is entangled: its latents are f(z), and its decoder maps them back to x
    zh = twin.inverse(x)
    np.testing.assert_allclose(zh, f.forward(z), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(twin.forward(zh), x, rtol=1e-10, atol=1e-10)


def test_twin_log_px_on_a_grid_of_x():
    prior = FactorizedPrior([stats.logistic(), stats.laplace()])
    rng = np.random.default_rng(4)
    f = entangling_bijection(prior, rng=rng)
    g = InvertibleMLP.random(2, rng)
    xs = np.linspace(-12, 12, 61)
    x = np.stack(np.meshgrid(xs, xs), axis=-1).reshape(-1, 2)
    a, b = log_px_exact(g, prior, x), log_px_exact(entangle_generator(g, f), prior, x)
    assert np.max(np.abs(a - b)) <= 1e-10 * np.maximum(1, np.abs(a)).max()


@settings(deadline=None, max_examples=15)
@given(
    prior=priors(min_d=2, max_d=5, families=["norm", "laplace", "logistic", "gamma", "beta"]),
    seed=seeds(),
)
def test_twin_log_px_property(prior, seed):
    rng = np.random.default_rng(seed)
    f = entangling_bijection(prior, rng=rng)
    g = InvertibleMLP.random(prior.d, rng)
    q = rng.uniform(1e-6, 1 - 1e-6, size=(200, prior.d))
    x = g.forward(prior.ppf(q))
    a, b = log_px_exact(g, prior, x), log_px_exact(entangle_generator(g, f), prior, x)
    assert np.max(np.abs(a - b) / np.maximum(1.0, np.abs(a))) <= 1e-10


def test_twin_log_det_and_jacobian_compose():
    prior = FactorizedPrior([stats.gamma(3), stats.logistic(), stats.norm()])
    rng = np.random.default_rng(5)
    f = entangling_bijection(prior, rng=rng)
    g = InvertibleMLP.random(3, rng)
    twin = EntangledGenerator(g, f)
    zh = prior.sample(100, rng)
    x, ld = twin.forward_and_log_det(zh)
    J = twin.jacobian(zh)
    np.testing.assert_allclose(J, _fd_jacobian(twin.forward, zh), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.linalg.slogdet(J)[1], ld, atol=1e-9)
    _, ldi = twin.inverse_and_log_det(x)
    np.testing.assert_allclose(ldi, -ld, atol=1e-9)
    # every entry of the twin's Jacobian is nonzero: each entangled latent moves every x_i
    assert np.all(np.abs(J) > 0)


def test_mismatched_bijection_changes_log_px():
    # negative control: a rotation preserves N(0, I) but not a Laplace prior, so using it as "f"
    # for a Laplace prior changes p(x) — the invariance tests above can fail
    prior = FactorizedPrior.iid(stats.laplace(), 2)
    rng = np.random.default_rng(6)
    wrong = entangling_bijection(FactorizedPrior.iid(stats.norm(), 2), rng=rng)
    g = InvertibleMLP.random(2, rng)
    x = g.forward(prior.sample(500, rng))
    diff = log_px_exact(g, prior, x) - log_px_exact(entangle_generator(g, wrong), prior, x)
    assert np.max(np.abs(diff)) > 0.1


# ============================================================================ noisy decoder
def _linear_gaussian(d: int, D: int, sigma: float, rng):
    W, b = rng.normal(size=(D, d)), rng.normal(size=D)
    mean = InjectiveMLP(InvertibleMLP([np.eye(d)], [np.zeros(d)]), W, b, None)
    dec = GaussianNoiseDecoder(mean, sigma)
    exact = stats.multivariate_normal(b, W @ W.T + sigma**2 * np.eye(D))
    return dec, exact


def _gentle_decoder(d: int, D: int, sigma: float, rng) -> GaussianNoiseDecoder:
    # moderate slopes keep the posterior ≳ 0.1 wide, which the quadrature resolves
    mean = InjectiveMLP.random(
        d, D, rng, nonlinearity=TanhResidual(1.0), out_nonlinearity=TanhResidual(0.5)
    )
    return GaussianNoiseDecoder(mean, sigma)


def test_noisy_decoder_likelihood_and_sampling():
    rng = np.random.default_rng(7)
    dec = _gentle_decoder(2, 4, 0.3, rng)
    z = rng.normal(size=(5, 2))
    x = dec.sample(z, rng)
    expected = stats.multivariate_normal(np.zeros(4), 0.09 * np.eye(4))
    np.testing.assert_allclose(
        dec.log_likelihood(x, z), expected.logpdf(x - dec.mean.forward(z)), atol=1e-12
    )
    one = dec.log_likelihood(x[0], z)
    np.testing.assert_allclose(one, expected.logpdf(x[0] - dec.mean.forward(z)), atol=1e-12)


def test_quadrature_matches_closed_form_linear_gaussian():
    rng = np.random.default_rng(8)
    prior = FactorizedPrior.iid(stats.norm(), 2)
    dec, exact = _linear_gaussian(2, 4, 0.4, rng)
    x = dec.sample(prior.sample(6, rng), rng)
    truth = exact.logpdf(x)
    for panels in (8, 16, 32):  # measured errors 2e-3, 3e-7, 3e-12: the estimate is conservative
        est, err = log_px_quadrature(dec, prior, x, n_panels=panels)
        assert np.all(np.abs(est - truth) <= err)  # the error estimate bounds the actual error
    assert np.all(err < 1e-6)
    # the twin of a standard-normal model is a rotation: exact p(x) unchanged
    twin = entangle_generator(dec, entangling_bijection(prior, rng=rng))
    est2, err2 = log_px_quadrature(twin, prior, x, n_panels=32)
    assert np.all(np.abs(est2 - truth) <= err2)
    # quantile-space nodes agree too (less accurate in the tails, hence the coarser bound)
    est3, err3 = log_px_quadrature(dec, prior, x, space="quantile", n_panels=32)
    assert np.all(np.abs(est3 - truth) <= err3) and np.all(err3 < 1e-2)


QUADRATURE_CASES = {
    "logistic-laplace": ([stats.logistic(), stats.laplace()], 32),
    "normal-gamma": ([stats.norm(), stats.gamma(3)], 16),
    "beta-gamma": ([stats.beta(2, 5), stats.gamma(3)], 16),
}


@pytest.mark.parametrize("case", list(QUADRATURE_CASES))
def test_quadrature_twin_agrees(case):
    marg, panels = QUADRATURE_CASES[case]
    prior = FactorizedPrior(marg)
    rng = np.random.default_rng(len(case))
    f = entangling_bijection(prior, rng=rng)
    dec = _gentle_decoder(2, 5, 0.5, rng)
    twin = entangle_generator(dec, f)
    x = dec.sample(prior.sample(6, rng), rng)
    a, ea = log_px_quadrature(dec, prior, x, n_panels=panels)
    b, eb = log_px_quadrature(twin, prior, x, n_panels=panels)
    assert np.all(np.maximum(ea, eb) < 1e-3)  # both resolved, so the comparison means something
    assert np.all(np.abs(a - b) <= ea + eb)
    # negative control: the twin built with the wrong bijection differs by far more than the error
    wrong = entangle_generator(
        dec, entangling_bijection(FactorizedPrior.iid(stats.norm(), 2), rng=rng)
    )
    if case == "logistic-laplace":  # defined on all of R², so the wrong f can be applied
        c, ec = log_px_quadrature(wrong, prior, x, n_panels=panels)
        assert np.max(np.abs(a - c) - ea - ec) > 1e-3


def test_importance_sampling_calibrated_against_closed_form(stat_check):
    # normal prior, linear decoder, d = 5: IS estimates vs the exact log N(x; b, WWᵀ + σ²I);
    # z-scores use the delta-method standard error (ESS checked to be large enough for it)
    rng = np.random.default_rng(9)
    prior = FactorizedPrior.iid(stats.norm(), 5)
    dec, exact = _linear_gaussian(5, 7, 1.5, rng)
    x = dec.sample(prior.sample(5, rng), rng)
    est, se, ess = log_px_importance(dec, prior, x, rng, 100_000, return_ess=True)
    assert np.all(ess > 200)
    stat_check(_two_sided_p((est - exact.logpdf(x)) / se), "IS vs closed form")
    # the stderr is honest: not hugely larger than the actual error either
    assert np.all(se < 0.1)


IS_CASES = {
    "d3-prior": ([stats.logistic(), stats.laplace(), stats.norm()], None),
    "d4-prior": ([stats.beta(2, 5), stats.gamma(3), stats.norm(), stats.logistic()], None),
    "d5-student": (
        [stats.norm(), stats.laplace(scale=2), stats.logistic(), stats.gamma(3), stats.beta(2, 5)],
        "t",
    ),
}


@pytest.mark.parametrize("case", list(IS_CASES))
def test_importance_sampling_twin_agrees(case, stat_check):
    marg, prop = IS_CASES[case]
    prior = FactorizedPrior(marg)
    d = prior.d
    rng = np.random.default_rng(d)
    f = entangling_bijection(prior, rng=rng)
    dec = _gentle_decoder(d, d + 3, 1.0, rng)
    twin = entangle_generator(dec, f)
    x = dec.sample(prior.sample(4, rng), rng)
    proposal = None
    if prop == "t":  # a fixed heavy-tailed proposal built from the prior's quartiles only
        proposal = FactorizedPrior(
            [stats.t(df=5, loc=m.median(), scale=m.ppf(0.75) - m.ppf(0.25)) for m in marg]
        )
    a, sa, ea = log_px_importance(
        dec, prior, x, np.random.default_rng(100), 60_000, proposal=proposal, return_ess=True
    )
    b, sb, eb = log_px_importance(
        twin, prior, x, np.random.default_rng(200), 60_000, proposal=proposal, return_ess=True
    )
    assert np.all(np.minimum(ea, eb) > 50)  # enough effective samples for the normal approximation
    # independent draws: a − b ≈ N(0, sa² + sb²) if both estimate the same p(x)
    stat_check(_two_sided_p((a - b) / np.hypot(sa, sb)), f"IS twin agreement {case}")


def test_importance_sampling_agrees_with_quadrature(stat_check):
    prior = FactorizedPrior([stats.logistic(), stats.gamma(3)])
    rng = np.random.default_rng(11)
    f = entangling_bijection(prior, rng=rng)
    dec = _gentle_decoder(2, 4, 0.5, rng)
    x = dec.sample(prior.sample(4, rng), rng)
    q, eq = log_px_quadrature(dec, prior, x, n_panels=16)
    assert np.all(eq < 1e-4)
    for i, model in enumerate([dec, entangle_generator(dec, f)]):
        m, s = log_px_importance(model, prior, x, np.random.default_rng(300 + i), 40_000)
        stat_check(_two_sided_p((m - q) / s), f"IS vs quadrature (model {i})")


def test_importance_stderr_matches_spread(stat_check):
    # 40 independent estimates at n = 3000: Σ((m_r − m̄)/s_r)² ~ χ²(39) if the stderr is right
    prior = FactorizedPrior.iid(stats.norm(), 2)
    rng = np.random.default_rng(12)
    dec = _gentle_decoder(2, 3, 0.7, rng)
    x = dec.sample(prior.sample(1, rng), rng)
    ms, ss = [], []
    for r in range(40):
        m, s = log_px_importance(dec, prior, x, np.random.default_rng(1000 + r), 3000)
        ms.append(m[0])
        ss.append(s[0])
    ms, ss = np.array(ms), np.array(ss)
    chi2 = np.sum(((ms - ms.mean()) / ss) ** 2)
    p = 2 * min(stats.chi2.cdf(chi2, 39), stats.chi2.sf(chi2, 39))
    stat_check(p, "IS stderr calibration")


# ============================================================================ bad input
def test_bad_input():
    rng = np.random.default_rng(0)
    prior = FactorizedPrior.iid(stats.norm(), 2)
    g = InvertibleMLP.random(2, rng)
    dec = _gentle_decoder(2, 3, 0.5, rng)
    with pytest.raises(ValueError, match="alpha"):
        TanhResidual(-1.0)
    with pytest.raises(ValueError, match="slope"):
        LeakyReLU(0.0)
    with pytest.raises(ValueError, match="singular"):
        InvertibleMLP([np.ones((2, 2))], [np.zeros(2)])
    with pytest.raises(ValueError, match="biases"):
        InvertibleMLP([np.eye(2)], [])
    with pytest.raises(ValueError, match="D must be"):
        InjectiveMLP.random(3, 2, rng)
    with pytest.raises(ValueError, match="full column rank"):
        InjectiveMLP(g, np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="sigma"):
        GaussianNoiseDecoder(g, 0.0)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        g.forward(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="not finite"):
        g.inverse(np.array([[np.nan, 0.0]]))
    with pytest.raises(ValueError, match="R\\^3"):
        EntangledGenerator(g, entangling_bijection(FactorizedPrior.iid(stats.norm(), 3), rng=rng))
    with pytest.raises(ValueError, match="not invertible"):
        log_px_exact(dec, prior, np.zeros((1, 3)))
    with pytest.raises(ValueError, match="GaussianNoiseDecoder"):
        log_px_quadrature(g, prior, np.zeros((1, 2)))
    with pytest.raises(ValueError, match="coordinates"):
        log_px_quadrature(dec, FactorizedPrior.iid(stats.norm(), 3), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="max_nodes"):
        log_px_quadrature(dec, prior, np.zeros((1, 3)), n_panels=1000)
    with pytest.raises(ValueError, match="space"):
        log_px_quadrature(dec, prior, np.zeros((1, 3)), space="chebyshev")
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        log_px_quadrature(dec, prior, np.zeros((1, 2)))
    with pytest.raises(ValueError, match="n_samples"):
        log_px_importance(dec, prior, np.zeros((1, 3)), rng, 1)
    with pytest.raises(TypeError, match="Generator"):
        log_px_importance(dec, prior, np.zeros((1, 3)), 0, 10)
    with pytest.raises(ValueError, match="proposal"):
        log_px_importance(dec, prior, np.zeros((1, 3)), rng, 10, proposal=object())
    with pytest.raises(ValueError, match="rows"):
        dec.log_likelihood(np.zeros((2, 3)), np.zeros((3, 2)))


def test_proposal_outside_support_gets_zero_weight():
    # a Student-t proposal puts mass outside a Beta prior's support: those draws must be dropped,
    # not passed to f (which is undefined there), and the estimate must still agree with quadrature
    prior = FactorizedPrior([stats.beta(2, 5), stats.norm()])
    rng = np.random.default_rng(13)
    f = entangling_bijection(prior, rng=rng)
    dec = _gentle_decoder(2, 3, 0.5, rng)
    twin = entangle_generator(dec, f)
    x = dec.sample(prior.sample(2, rng), rng)
    proposal = FactorizedPrior([stats.t(df=4, loc=0.3, scale=0.3), stats.t(df=4)])
    m, s = log_px_importance(twin, prior, x, rng, 20_000, proposal=proposal)
    q, e = log_px_quadrature(twin, prior, x, n_panels=16)
    assert np.all(e < 1e-4)
    assert np.all(np.abs(m - q) < 7 * s)  # 7 standard errors: two-sided normal tail 2.6e-12
