"""Tests for impossibility.generative.twin: the entangled twin g∘f⁻¹ and the invariance of p(x)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from impossibility import FactorizedPrior, entangling_bijection
from impossibility.bijections import Bijector, Chain
from impossibility.generative import (
    EntangledBijector,
    EntangledGenerator,
    GaussianNoiseDecoder,
    InjectiveMLP,
    InvertibleMLP,
    entangle_generator,
    log_px_exact,
)


def _fd_jacobian(fn, z: np.ndarray, h: float = 1e-6) -> np.ndarray:
    cols = [(fn(z + h * e) - fn(z - h * e)) / (2 * h) for e in np.eye(z.shape[1])]
    return np.stack(cols, axis=2)


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
    # change of variables with f's analytic log-det; typical error 1e-14 (docs/theory.md §7.5)
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


def test_twin_log_det_and_jacobian_compose():
    prior = FactorizedPrior([stats.gamma(3), stats.logistic(), stats.norm()])
    rng = np.random.default_rng(5)
    f = entangling_bijection(prior, rng=rng)
    g = InvertibleMLP.random(3, rng)
    twin = EntangledBijector(g, f)
    zh = prior.sample(100, rng)
    x, ld = twin.forward_and_log_det(zh)
    J = twin.jacobian(zh)
    np.testing.assert_allclose(J, _fd_jacobian(twin.forward, zh), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.linalg.slogdet(J)[1], ld, atol=1e-9)
    _, ldi = twin.inverse_and_log_det(x)
    np.testing.assert_allclose(ldi, -ld, atol=1e-9)
    # every entry of the twin's Jacobian is nonzero: each entangled latent moves every x_i
    assert np.all(np.abs(J) > 0)


def test_twin_of_an_invertible_decoder_is_the_chain_g_after_f_inverse():
    prior = FactorizedPrior([stats.logistic(), stats.laplace(), stats.gamma(2)])
    rng = np.random.default_rng(14)
    f = entangling_bijection(prior, rng=rng)
    g = InvertibleMLP.random(3, rng)
    twin = entangle_generator(g, f)
    assert isinstance(twin, EntangledBijector) and isinstance(twin, Chain)
    assert twin.bijectors[0] is g and twin.bijectors[1].inv is f
    assert twin.is_constant_jacobian is False
    x = g.forward(prior.sample(200, rng))
    # the twin's inverse log-det is log|det J_{g⁻¹}(x)| + log|det J_f(g⁻¹(x))|, in that order
    z, ld_g = g.inverse_and_log_det(x)
    z_hat, ld_f = f.forward_and_log_det(z)
    got, ld = twin.inverse_and_log_det(x)
    np.testing.assert_array_equal(got, z_hat)
    np.testing.assert_array_equal(ld, ld_g + ld_f)
    # and independently: slogdet of central differences of x ↦ f(g⁻¹(x))
    np.testing.assert_allclose(np.linalg.slogdet(_fd_jacobian(twin.inverse, x))[1], ld, atol=1e-6)
    np.testing.assert_allclose(twin.left_inverse(x), z_hat, atol=0)
    # a normal prior: f is a rotation, the twin of an affine g is affine
    normal = FactorizedPrior.standard_normal(2)
    lin = InvertibleMLP([rng.normal(size=(2, 2)) + 2 * np.eye(2)], [np.zeros(2)])
    assert entangle_generator(lin, entangling_bijection(normal, rng=rng)).is_constant_jacobian


def test_twin_of_an_injective_decoder():
    prior = FactorizedPrior([stats.logistic(), stats.norm()])
    rng = np.random.default_rng(15)
    f = entangling_bijection(prior, rng=rng)
    g = InjectiveMLP.random(2, 5, rng)
    twin = entangle_generator(g, f)
    assert type(twin) is EntangledGenerator and not isinstance(twin, Bijector)
    assert (twin.d, twin.dim_x) == (2, 5)
    z = prior.sample(50, rng)
    zh = f.forward(z)
    np.testing.assert_allclose(twin.forward(zh), g.forward(z), atol=1e-12)
    np.testing.assert_allclose(twin.left_inverse(g.forward(z)), zh, atol=1e-10)
    np.testing.assert_allclose(twin.jacobian(zh), _fd_jacobian(twin.forward, zh), atol=1e-6)
    assert twin.forward(zh[0]).shape == (5,) and twin.jacobian(zh[0]).shape == (5, 2)
    # a noisy decoder keeps its noise and entangles its mean
    dec = entangle_generator(GaussianNoiseDecoder(g, 0.3), f)
    assert isinstance(dec, GaussianNoiseDecoder) and dec.sigma == 0.3
    assert isinstance(dec.mean, EntangledGenerator) and dec.mean.f is f


def test_twin_inverse_refuses_points_outside_the_prior_support():
    # g⁻¹(x) with a negative coordinate is outside the gamma prior's support, where f is undefined
    prior = FactorizedPrior([stats.gamma(3), stats.norm()])
    rng = np.random.default_rng(16)
    f = entangling_bijection(prior, rng=rng)
    g = InvertibleMLP([np.eye(2)], [np.zeros(2)])
    twin = entangle_generator(g, f)
    with pytest.raises(ValueError, match="outside the open support"):
        twin.inverse(np.array([[-1.0, 0.0]]))
    with pytest.raises(ValueError, match="outside the open support"):
        log_px_exact(twin, prior, np.array([[-1.0, 0.0]]))


def test_mismatched_bijection_changes_log_px():
    # negative control: a rotation preserves N(0, I) but not a Laplace prior, so using it as "f"
    # for a Laplace prior changes p(x) — the invariance tests above can fail
    prior = FactorizedPrior.iid(stats.laplace(), 2)
    rng = np.random.default_rng(6)
    wrong = entangling_bijection(FactorizedPrior.iid(stats.norm(), 2), rng=rng)
    g = InvertibleMLP.random(2, rng)
    x = g.forward(prior.sample(500, rng))
    with pytest.raises(ValueError, match="the twin's f preserves N\\(0, I\\)"):
        log_px_exact(entangle_generator(g, wrong), prior, x)
    unchecked = entangle_generator(g, wrong, check_prior=False)
    diff = log_px_exact(g, prior, x) - log_px_exact(unchecked, prior, x)
    assert np.max(np.abs(diff)) > 0.1


def test_twin_bad_input():
    rng = np.random.default_rng(0)
    g = InvertibleMLP.random(2, rng)
    f2 = entangling_bijection(FactorizedPrior.iid(stats.norm(), 2), rng=rng)
    f3 = entangling_bijection(FactorizedPrior.iid(stats.norm(), 3), rng=rng)
    with pytest.raises(ValueError, match="R\\^3"):
        EntangledGenerator(g, f3)
    with pytest.raises(ValueError, match="R\\^3"):
        entangle_generator(g, f3)
    with pytest.raises(TypeError, match="Bijector"):
        EntangledGenerator(g, np.eye(2))
    with pytest.raises(TypeError, match="forward"):
        EntangledGenerator(np.eye(2), f2)
    with pytest.raises(TypeError, match="Bijector"):
        EntangledBijector(InjectiveMLP.random(2, 3, rng), f2)
    with pytest.raises(TypeError, match="left_inverse"):
        EntangledGenerator(InvertibleMLP.random(2, rng), f2).left_inverse(np.zeros((1, 2)))
