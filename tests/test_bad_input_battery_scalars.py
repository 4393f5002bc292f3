"""A bad-input battery across the public API (issue 11), part 2: scalars, counts, generators.

Each case gives one public function a bad scalar parameter (NaN, ±inf, complex, text, a bool,
``None``), a bad count (negative, zero, fractional, a bool, text, NaN, absurdly large) or a bad
random generator (an int, a legacy ``RandomState``, ``None``), and requires a ``TypeError`` for a
wrong type or a ``ValueError`` for a wrong value whose message names the parameter: never a
silent NaN, a wrong answer or a hang. Arrays: part 1 (``test_bad_input_battery.py``).
"""

from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility import biases, data, generative, metrics, nn, symbolic, vae

RNG = np.random.default_rng
P = im.FactorizedPrior.standard_normal(2)
LAP = im.FactorizedPrior.iid(stats.laplace(), 2)
A = im.rotation_2d(0.6)
F = im.entangling_bijection(LAP, A)
S = np.array([[0.0, 1.0], [-1.0, 0.0]])
G = generative.InvertibleMLP.random(2, RNG(0))
Z = RNG(1).standard_normal((12, 2))
Y = RNG(2).integers(0, 3, size=(12, 2))
X4 = RNG(3).random((6, 4))


def _vae(**kw: Any) -> vae.VAE:
    kw = {"hidden": (4,), "likelihood": "gaussian", "obs_std": 1.0, "rng": RNG(0), **kw}
    return vae.VAE(4, 2, **kw)


def _noisy(sigma: Any) -> generative.GaussianNoiseDecoder:
    return generative.GaussianNoiseDecoder(G, sigma)


# real-valued parameters: (id, name, callable of the value)
SCALAR_TARGETS: list[tuple[str, str, Callable[[Any], Any]]] = [
    ("rotation_2d", "theta", lambda v: im.rotation_2d(v)),
    ("RotationPath.t", "t", lambda v: im.RotationPath(S)(v)),
    ("Swirl.a", "a", lambda v: im.Swirl(S, a=v)),
    ("Swirl.b", "b", lambda v: im.Swirl(S, b=v)),
    ("DarmoisShear2D.a", "a", lambda v: im.DarmoisShear2D(v)),
    ("householder.alpha", "alpha", lambda v: im.householder_rotation(3, v)),
    ("entangling.atol", "atol", lambda v: im.entangling_bijection(LAP, A, atol=v)),
    ("Orthogonal.atol", "atol", lambda v: im.Orthogonal(A, atol=v)),
    ("check_orthogonal.atol", "atol", lambda v: im.check_orthogonal(A, atol=v)),
    (
        "random_rotation.min_abs",
        "min_abs_entry",
        lambda v: im.random_entangling_rotation(2, RNG(0), min_abs_entry=v),
    ),
    ("GaussianNoiseDecoder", "sigma", _noisy),
    ("TanhResidual", "alpha", lambda v: generative.TanhResidual(v)),
    ("InvertibleLeakyReLU", "slope", lambda v: generative.InvertibleLeakyReLU(v)),
    (
        "quadrature.half_width",
        "half_width",
        lambda v: generative.log_px_quadrature(_noisy(0.5), P, Z[:1], half_width=v),
    ),
    ("BetaVAE", "beta", lambda v: vae.BetaVAE(v)),
    ("AnnealedVAE.c_max", "c_max", lambda v: vae.AnnealedVAE(v)),
    ("AnnealedVAE.gamma", "gamma", lambda v: vae.AnnealedVAE(1.0, gamma=v)),
    ("BetaTCVAE", "beta", lambda v: vae.BetaTCVAE(v)),
    ("FactorVAE", "gamma", lambda v: vae.FactorVAE(v)),
    ("DIPVAE", "lambda_od", lambda v: vae.DIPVAE(v)),
    ("make_objective", "value|beta", lambda v: vae.make_objective("beta_vae", v)),
    ("VAE.obs_std", "obs_std", lambda v: _vae(obs_std=v)),
    ("vae.fit.lr", "lr", lambda v: _vae().fit(X4, n_steps=1, lr=v, rng=RNG(0), progress=False)),
    ("DecoderLikelihood.obs_std", "obs_std", lambda v: vae.DecoderLikelihood("gaussian", v)),
    ("Adam.lr", "lr", lambda v: nn.Adam({"w": np.zeros(2)}, lr=v)),
    ("Adam.beta1", "beta1", lambda v: nn.Adam({"w": np.zeros(2)}, beta1=v)),
    (
        "mlp.negative_slope",
        "negative_slope",
        lambda v: nn.mlp([2, 3, 1], rng=RNG(0), activation="leaky_relu", negative_slope=v),
    ),
    ("fd_gradient.h", "h", lambda v: nn.finite_difference_gradient(lambda: 0.0, np.zeros(2), h=v)),
    ("plane_rotation", "theta", lambda v: biases.plane_rotation(v)),
    (
        "linear_log_px.sigma2",
        "sigma2",
        lambda v: biases.linear_log_px(Z[:, :2], np.eye(2), np.zeros(2), v),
    ),
    (
        "linear_posterior_precision",
        "sigma2",
        lambda v: biases.linear_posterior_precision(np.eye(2), v),
    ),
    (
        "pair_conditional.noise",
        "noise",
        lambda v: biases.pair_conditional_log_prob(LAP, Z, Z, 1, v),
    ),
    (
        "holdout_split",
        "holdout",
        lambda v: data.holdout_split(
            data.ProceduralSprites(num_scales=2, num_orientations=2, num_positions=2), v, RNG(0)
        ),
    ),
    ("symbolic.rotation_2d", "theta", lambda v: symbolic.rotation_2d(v)),
    ("symbolic.householder", "alpha", lambda v: symbolic.householder_matrix(3, v)),
    ("symbolic.skew_symmetric", r"k\[1\]", lambda v: symbolic.skew_symmetric([1, v, 2])),
    (
        "stays_diagonal.zero_tol",
        "zero_tol",
        lambda v: biases.stays_diagonal(A, [1.0, 2.0], zero_tol=v),
    ),
]

# parameters that must also be positive: zero and a negative value are refused too
_POSITIVE = {
    "GaussianNoiseDecoder",
    "TanhResidual",
    "VAE.obs_std",
    "vae.fit.lr",
    "Adam.lr",
    "DecoderLikelihood.obs_std",
    "fd_gradient.h",
    "linear_log_px.sigma2",
    "linear_posterior_precision",
    "quadrature.half_width",
    "holdout_split",
}


def _scalar_variants(tid: str) -> list[tuple[str, Any, type]]:
    out = [
        ("nan", float("nan"), ValueError),
        ("inf", float("inf"), ValueError),
        ("-inf", -float("inf"), ValueError),
        ("complex", 1j, TypeError),
        ("text", "0.5", TypeError),
        ("bool", True, TypeError),
        ("list", [0.5], TypeError),
    ]
    if tid in _POSITIVE:
        out += [("negative", -1.0, ValueError)]
    return out


# counts: (id, name, callable of the value, smallest valid value)
COUNT_TARGETS: list[tuple[str, str, Callable[[Any], Any], int]] = [
    ("random_rotation.d", "d", lambda v: im.random_entangling_rotation(v, RNG(0)), 2),
    ("random_skew.d", "d", lambda v: im.random_skew(v, RNG(0)), 2),
    ("householder.d", "d", lambda v: im.householder_rotation(v), 2),
    ("default_min_abs_entry.d", "d", lambda v: im.default_min_abs_entry(v), 2),
    ("standard_normal.d", "d", lambda v: im.FactorizedPrior.standard_normal(v), 1),
    ("iid.d", "d", lambda v: im.FactorizedPrior.iid(stats.norm(), v), 1),
    ("prior.sample.n", "n", lambda v: P.sample(v, RNG(0)), 0),
    (
        "projection.n_directions",
        "n_directions",
        lambda v: im.projection_ks_test(Z, P, RNG(0), n_directions=v),
        1,
    ),
    (
        "energy_test.n_resamples",
        "n_resamples",
        lambda v: im.energy_test(Z, Z, RNG(0), n_resamples=v),
        1,
    ),
    (
        "rotation.max_tries",
        "max_tries",
        lambda v: im.random_entangling_rotation(2, RNG(0), max_tries=v),
        1,
    ),
    ("DarmoisShear2D.n_hermite", "n_hermite", lambda v: im.DarmoisShear2D(n_hermite=v), 2),
    ("InvertibleMLP.random.d", "d", lambda v: generative.InvertibleMLP.random(v, RNG(0)), 1),
    (
        "importance.n_samples",
        "n_samples",
        lambda v: generative.log_px_importance(_noisy(0.5), P, Z[:1], RNG(0), v),
        2,
    ),
    (
        "quadrature.n_panels",
        "n_panels",
        lambda v: generative.log_px_quadrature(_noisy(0.5), P, Z[:1], n_panels=v),
        1,
    ),
    (
        "quadrature.order",
        "order",
        lambda v: generative.log_px_quadrature(_noisy(0.5), P, Z[:1], order=v),
        1,
    ),
    ("VAE.latent_dim", "latent_dim", lambda v: vae.VAE(4, v, hidden=(4,), rng=RNG(0)), 1),
    ("VAE.x_dim", "x_dim", lambda v: vae.VAE(v, 2, hidden=(4,), rng=RNG(0)), 1),
    ("VAE.hidden", "hidden", lambda v: vae.VAE(4, 2, hidden=(v,), rng=RNG(0)), 1),
    ("vae.sample.n", "n", lambda v: _vae().sample(v, RNG(0)), 0),
    ("vae.elbo.n_samples", "n_samples", lambda v: _vae().elbo(X4, RNG(0), n_samples=v), 1),
    (
        "vae.log_px.n_importance",
        "n_importance",
        lambda v: _vae().log_px(X4, RNG(0), n_importance=v),
        1,
    ),
    (
        "vae.fit.n_steps",
        "n_steps",
        lambda v: _vae().fit(X4, n_steps=v, rng=RNG(0), progress=False),
        1,
    ),
    (
        "vae.fit.batch_size",
        "batch_size",
        lambda v: _vae().fit(X4, n_steps=1, batch_size=v, rng=RNG(0), progress=False),
        1,
    ),
    ("Linear.d_in", "d_in", lambda v: nn.Linear(v, 2), 1),
    ("Linear.d_out", "d_out", lambda v: nn.Linear(2, v), 1),
    ("mlp.sizes", "sizes", lambda v: nn.mlp([2, v, 1], rng=RNG(0)), 1),
    ("blas_threads", "threads", lambda v: nn.blas_threads(v).__enter__(), 1),
    ("mig.num_bins", "num_bins", lambda v: metrics.mig(Z, Y, v), 2),
    ("histogram_discretize.num_bins", "num_bins", lambda v: metrics.histogram_discretize(Z, v), 1),
    ("modularity.num_bins", "num_bins", lambda v: metrics.modularity(Z, Y, v), 2),
    ("MetricSizes.num_train", "num_train", lambda v: metrics.MetricSizes(num_train=v), 1),
    ("plane_rotation.d", "d", lambda v: biases.plane_rotation(0.3, v), 2),
    (
        "moment_matched_normal.n",
        "n_samples",
        lambda v: biases.moment_matched_normal(v, 2, RNG(0)),
        3,
    ),
    ("moment_matched_normal.d", "d", lambda v: biases.moment_matched_normal(10, v, RNG(0)), 1),
    ("sample_latent_pairs.k", "k", lambda v: biases.sample_latent_pairs(LAP, v, 4, RNG(0)), 0),
    ("sample_latent_pairs.n", "n", lambda v: biases.sample_latent_pairs(LAP, 1, v, RNG(0)), 1),
    ("exact_sharing_fraction.k", "k", lambda v: biases.exact_sharing_fraction(Z, Z, v), 0),
    ("reference_linear_decoder.D", "D", lambda v: biases.reference_linear_decoder(v), 2),
    ("AlgebraicSquash.d", "d", lambda v: data.AlgebraicSquash(v), 1),
    ("sprites.num_scales", "num_scales", lambda v: data.ProceduralSprites(num_scales=v), 1),
    ("tc_constant.m", "m", lambda v: vae.tc_constant(v, 2, 100), 1),
    ("tc_constant.d", "d", lambda v: vae.tc_constant(4, v, 100), 1),
]


# counts whose None means "the default"
_OPTIONAL = {"vae.elbo.n_samples", "vae.log_px.n_importance", "blas_threads"}


def _count_variants(tid: str, minimum: int) -> list[tuple[str, Any, type]]:
    out = [
        ("below-min", minimum - 1, ValueError),
        ("negative", -5, ValueError),
        ("float", minimum + 0.5, TypeError),
        ("whole-float", float(minimum + 1), TypeError),
        ("bool", True, TypeError),
        ("text", str(minimum + 1), TypeError),
        ("nan", float("nan"), TypeError),
    ]
    return out if tid in _OPTIONAL else out + [("none", None, TypeError)]


# random generators: (id, callable of the generator)
RNG_TARGETS: list[tuple[str, Callable[[Any], Any]]] = [
    ("random_entangling_rotation", lambda r: im.random_entangling_rotation(2, r)),
    ("random_skew", lambda r: im.random_skew(2, r)),
    ("entangling_bijection", lambda r: im.entangling_bijection(LAP, rng=r)),
    ("prior.sample", lambda r: P.sample(3, r)),
    ("projection_ks_test", lambda r: im.projection_ks_test(Z, P, r)),
    ("energy_test", lambda r: im.energy_test(Z, Z, r, n_resamples=9)),
    ("InvertibleMLP.random", lambda r: generative.InvertibleMLP.random(2, r)),
    ("log_px_importance", lambda r: generative.log_px_importance(_noisy(0.5), P, Z[:1], r, 4)),
    ("VAE", lambda r: vae.VAE(4, 2, hidden=(4,), rng=r)),
    ("vae.sample", lambda r: _vae().sample(3, r)),
    ("vae.fit", lambda r: _vae().fit(X4, n_steps=1, rng=r, progress=False)),
    ("permute_dims", lambda r: vae.permute_dims(Z, r)),
    ("Linear.init", lambda r: nn.Linear(2, 2).init(r)),
    ("dci", lambda r: metrics.dci(Z, Y, Z, Y, rng=r)),
    (
        "holdout_split",
        lambda r: data.holdout_split(
            data.ProceduralSprites(num_scales=2, num_orientations=2, num_positions=2), 0.5, r
        ),
    ),
    ("moment_matched_normal", lambda r: biases.moment_matched_normal(10, 2, r)),
    ("sample_latent_pairs", lambda r: biases.sample_latent_pairs(LAP, 1, 4, r)),
    ("ContinuousMixingData.random", lambda r: data.ContinuousMixingData.random(2, r)),
]
_RNG_VARIANTS = [
    ("int", 0),
    ("RandomState", np.random.RandomState(0)),
    ("seedseq", np.random.SeedSequence(0)),
]

# flags: a truthy string or number must not switch a mode on
FLAG_CASES = [
    (
        "sap.continuous_factors",
        "continuous_factors",
        lambda v: metrics.sap(Z, Y, Z, Y, continuous_factors=v),
    ),
    (
        "entangled.check_prior",
        "check_prior",
        lambda v: vae.VAE(4, 2, hidden=(4,), rng=RNG(0)).entangled(im.Orthogonal(A), check_prior=v),
    ),
    (
        "entangle_generator.check_prior",
        "check_prior",
        lambda v: generative.entangle_generator(G, im.Orthogonal(A), check_prior=v),
    ),
]

CASES = (
    [
        pytest.param(fn, v, TypeError, name, id=f"{tid}-{kind}")
        for tid, name, fn in FLAG_CASES
        for kind, v in (("text", "no"), ("int", 1), ("none", None))
    ]
    + [
        pytest.param(fn, v, exc, name, id=f"{tid}-{kind}")
        for tid, name, fn in SCALAR_TARGETS
        for kind, v, exc in _scalar_variants(tid)
    ]
    + [
        pytest.param(fn, v, exc, name, id=f"{tid}-{kind}")
        for tid, name, fn, minimum in COUNT_TARGETS
        for kind, v, exc in _count_variants(tid, minimum)
    ]
    + [
        pytest.param(fn, v, TypeError, "rng|random_state|Generator", id=f"{tid}-rng-{kind}")
        for tid, fn in RNG_TARGETS
        for kind, v in _RNG_VARIANTS
    ]
)


@pytest.mark.parametrize("fn, value, exc, name", CASES)
def test_bad_parameter_is_refused_naming_it(fn, value, exc, name):
    try:
        result = fn(value)
    except exc as e:
        assert re.search(name, str(e)), f"message does not name {name!r}: {e}"
        return
    pytest.fail(f"accepted silently, returned {result!r:.200}")


def test_battery_size():
    assert len(CASES) > 500
