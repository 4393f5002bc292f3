"""A bad-input battery across the public API (issue 11), part 1: arrays.

Every case feeds one malformed array (NaN, inf, complex, text, objects, a wrong ndim or width, no
rows, mismatched rows, a non-orthogonal matrix) to one public function and requires a
``TypeError`` for a wrong type or a ``ValueError`` for a wrong value whose message names the
argument, never a silent NaN or a wrong answer. Scalars, counts and generators: part 2
(``test_bad_input_battery_scalars.py``). Each case is tiny; the battery runs in seconds.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility import biases, data, generative, metrics, nn, vae

RNG = np.random.default_rng
P = im.FactorizedPrior.standard_normal(2)
LAP = im.FactorizedPrior.iid(stats.laplace(), 2)
A = im.rotation_2d(0.6)
F = im.entangling_bijection(LAP, A)
S = np.array([[0.0, 1.0], [-1.0, 0.0]])
G = generative.InvertibleMLP.random(2, RNG(0))
Z = RNG(1).standard_normal((12, 2))
Y = RNG(2).integers(0, 3, size=(12, 2))


def _vae() -> vae.VAE:
    return vae.VAE(4, 2, hidden=(4,), likelihood="gaussian", obs_std=1.0, rng=RNG(0))


X4 = RNG(3).random((6, 4))

# (target id, argument name, callable of the bad array, a good array of the expected shape)
ARRAY_TARGETS: list[tuple[str, str, Callable[[Any], Any], Any]] = [
    ("prior.log_prob", "z", lambda a: P.log_prob(a), Z),
    ("prior.cdf", "z|u", lambda a: LAP.cdf(a), Z),
    ("prior.marginal_log_prob", "z|u", lambda a: LAP.marginal_log_prob(a), Z),
    ("prior.check_points", "z|u", lambda a: LAP.check_points(a), Z),
    ("Orthogonal.forward", "x", lambda a: im.Orthogonal(A).forward(a), Z),
    ("Orthogonal.inverse", "y", lambda a: im.Orthogonal(A).inverse(a), Z),
    ("Orthogonal.jacobian", "x", lambda a: im.Orthogonal(A).jacobian(a), Z),
    ("Gaussianize.forward", "x", lambda a: im.Gaussianize(LAP).forward(a), Z),
    ("Gaussianize.inverse", "y", lambda a: im.Gaussianize(LAP).inverse(a), Z),
    ("f.forward", "x", lambda a: F.forward(a), Z),
    ("f.inverse_and_log_det", "y", lambda a: F.inverse_and_log_det(a), Z),
    ("f.jacobian", "x", lambda a: F.jacobian(a), Z),
    ("Swirl.forward", "x", lambda a: im.Swirl(S).forward(a), Z),
    ("Chain.forward", "x", lambda a: im.Chain([im.Orthogonal(A), F]).forward(a), Z),
    ("density_invariance_error", "u", lambda a: im.density_invariance_error(F, LAP, a), Z),
    ("gaussian_resolution", "u", lambda a: im.gaussian_resolution(LAP, a), Z),
    ("marginal_ks_tests", "samples", lambda a: im.marginal_ks_tests(a, P), Z),
    ("projection_ks_test", "samples", lambda a: im.projection_ks_test(a, P, RNG(0)), Z),
    ("energy_distance.x", "x", lambda a: im.energy_distance(a, Z), Z),
    ("energy_distance.y", "y", lambda a: im.energy_distance(Z, a), Z),
    ("energy_test", "x", lambda a: im.energy_test(a, Z, RNG(0), n_resamples=9), Z),
    ("log_px_exact", "x", lambda a: generative.log_px_exact(G, P, a), Z),
    ("InvertibleMLP.forward", "x|z", lambda a: G.forward(a), Z),
    ("vae.encode", "x", lambda a: _vae().encode(a), X4),
    ("vae.elbo", "x", lambda a: _vae().elbo(a, RNG(0)), X4),
    ("vae.log_px", "x", lambda a: _vae().log_px(a, RNG(0), n_importance=4), X4),
    ("vae.represent", "x", lambda a: _vae().represent(a), X4),
    ("vae.fit", "x", lambda a: _vae().fit(a, n_steps=1, rng=RNG(0), progress=False), X4),
    ("vae.decode", "z", lambda a: _vae().decode(a), Z),
    ("vae.log_prior", "z", lambda a: _vae().log_prior(a), Z),
    ("twin.decode", "z", lambda a: _vae().entangled(im.Orthogonal(A)).decode(a), Z),
    ("mig.codes", "codes", lambda a: metrics.mig(a, Y), Z),
    ("modularity.codes", "codes", lambda a: metrics.modularity(a, Y), Z),
    ("gaussian_total_correlation", "codes", lambda a: metrics.gaussian_total_correlation(a), Z),
    ("sample_covariance", "codes", lambda a: metrics.sample_covariance(a), Z),
    ("histogram_discretize", "codes", lambda a: metrics.histogram_discretize(a, 3), Z),
    ("mean_pairwise_mutual_info", "codes", lambda a: metrics.mean_pairwise_mutual_info(a, 3), Z),
    ("unsupervised_scores", "codes", lambda a: metrics.unsupervised_scores(a, 3), Z),
    (
        "gaussian_wasserstein_correlation",
        "codes",
        lambda a: metrics.gaussian_wasserstein_correlation(a),
        Z,
    ),
    ("sap.codes_train", "codes", lambda a: metrics.sap(a, Y, Z, Y), Z),
    ("explicitness.codes_test", "codes", lambda a: metrics.explicitness(Z, Y, a, Y), Z),
    ("rotated_offdiagonal.R", "R", lambda a: biases.rotated_offdiagonal(a, [1.0, 2.0]), A),
    ("stays_diagonal.R", "R", lambda a: biases.stays_diagonal(a, [1.0, 2.0]), A),
    ("mean_field_gap", "Lambda", lambda a: biases.mean_field_gap(a), np.eye(2)),
    ("marginal_log_ratio", "z", lambda a: biases.marginal_log_ratio(LAP, F, a), Z),
    ("exact_sharing_fraction", "z", lambda a: biases.exact_sharing_fraction(a, Z, 1), Z),
    ("ar1_pair_gap.A", "A", lambda a: biases.ar1_pair_gap([0.5, 0.2], a), A),
    ("linear_gaussian_darmois", "M", lambda a: im.linear_gaussian_darmois(a), A + np.eye(2)),
    ("RotationPath", "S", lambda a: im.RotationPath(a), S),
    ("Swirl", "S", lambda a: im.Swirl(a), S),
    ("entangling_bijection.A", "A", lambda a: im.entangling_bijection(LAP, a), A),
    ("Orthogonal.A", "A", lambda a: im.Orthogonal(a), A),
    ("check_orthogonal", "A", lambda a: im.check_orthogonal(a), A),
    ("sigmoid", "x", lambda a: nn.sigmoid(a), Z),
    ("softplus", "x", lambda a: nn.softplus(a), Z),
    ("Linear.forward", "x", lambda a: nn.Linear(2, 3, rng=RNG(0)).forward(a), Z),
    (
        "gaussian_from_factors",
        "factors",
        lambda a: data.gaussian_from_factors(a, [3, 3]),
        Y.astype(float),
    ),
    ("factors_from_gaussian", "z", lambda a: data.factors_from_gaussian(a, [3, 3]), Z),
    ("importance_weighted_log_px", "logw", lambda a: vae.importance_weighted_log_px(a), Z),
]

# elementwise maps: any shape is valid, and NaN propagates as in NumPy's ufuncs (they run inside
# training steps, where the model's boundary has already checked its inputs)
_ELEMENTWISE = {"sigmoid", "softplus", "Linear.forward"}
_ANY_NDIM = {"sigmoid", "softplus", "importance_weighted_log_px"}
# any number of columns is valid (codes of any width, K importance samples of any n)
_FREE_WIDTH = {
    "mig.codes",
    "modularity.codes",
    "gaussian_total_correlation",
    "sample_covariance",
    "histogram_discretize",
    "mean_pairwise_mutual_info",
    "unsupervised_scores",
    "gaussian_wasserstein_correlation",
    "importance_weighted_log_px",
    "sigmoid",
    "softplus",
}
# the good array is integer labels: a float array is a wrong *type* there
_INTEGER = {"gaussian_from_factors"}
# square-matrix targets: the "width" case makes them non-square
_MATRIX = {
    "rotated_offdiagonal.R",
    "stays_diagonal.R",
    "mean_field_gap",
    "ar1_pair_gap.A",
    "linear_gaussian_darmois",
    "RotationPath",
    "Swirl",
    "entangling_bijection.A",
    "Orthogonal.A",
    "check_orthogonal",
}


def _variants(tid: str, good: np.ndarray) -> list[tuple[str, Any, type]]:
    g = np.asarray(good, dtype=float)
    nan, inf = g.copy(), g.copy()
    nan.flat[1] = np.nan
    inf.flat[0] = np.inf
    value_error = TypeError if tid in _INTEGER else ValueError
    out = [] if tid in _ELEMENTWISE else [("nan", nan, value_error), ("inf", inf, value_error)]
    out += [
        ("complex", g + 1j, TypeError),
        ("text", np.full(g.shape, "1.0"), TypeError),
        ("object", np.full(g.shape, None, dtype=object), TypeError),
    ]
    if tid not in _ANY_NDIM:
        out.append(("3d", g[None], value_error))
    if tid not in _FREE_WIDTH:
        out.append(("width", np.zeros((g.shape[0], g.shape[1] + 1)), value_error))
    return out


CASES = [
    pytest.param(fn, bad, exc, name, id=f"{tid}-{kind}")
    for tid, name, fn, good in ARRAY_TARGETS
    for kind, bad, exc in _variants(tid, good)
]

# empty selections, mismatched rows and matrices of the wrong kind
_NON_ORTHOGONAL = np.array([[1.0, 1.0], [0.0, 1.0]])
EXTRA = [
    ("mig-empty", lambda: metrics.mig(Z[:0], Y[:0]), ValueError, "codes"),
    ("modularity-empty", lambda: metrics.modularity(Z[:0], Y[:0]), ValueError, "codes"),
    ("tc-empty", lambda: metrics.gaussian_total_correlation(Z[:0]), ValueError, "codes"),
    ("vae.fit-empty", lambda: _vae().fit(X4[:0], n_steps=1, rng=RNG(0)), ValueError, "x"),
    ("vae.elbo-empty", lambda: _vae().elbo(X4[:0], RNG(0)), ValueError, "x"),
    ("energy-empty", lambda: im.energy_distance(Z[:0], Z), ValueError, "x"),
    ("ks-empty", lambda: im.marginal_ks_tests(Z[:0], P), ValueError, "samples"),
    ("mig-rows", lambda: metrics.mig(Z, Y[:5]), ValueError, "samples|rows"),
    ("modularity-rows", lambda: metrics.modularity(Z[:5], Y), ValueError, "samples|rows"),
    ("sap-rows", lambda: metrics.sap(Z, Y[:5], Z, Y), ValueError, "samples|rows"),
    ("explicitness-rows", lambda: metrics.explicitness(Z, Y, Z[:5], Y), ValueError, "rows"),
    ("vae.log_q-rows", lambda: _vae().log_q(Z[:3], X4), ValueError, "rows|z"),
    ("sharing-rows", lambda: biases.exact_sharing_fraction(Z, Z[:3], 1), ValueError, "z"),
    ("dim-mismatch.f", lambda: im.density_invariance_error(F, P, Z[:, :1]), ValueError, "u"),
    ("mig-frac-labels", lambda: metrics.mig(Z, Y + 0.5), ValueError, "factors"),
    ("mig-nan-labels", lambda: metrics.mig(Z, Y * np.nan), ValueError, "factors"),
    ("mig-complex-labels", lambda: metrics.mig(Z, Y + 0j), TypeError, "factors"),
    ("entangling.nonorth", lambda: im.entangling_bijection(LAP, _NON_ORTHOGONAL), ValueError, "A"),
    ("Orthogonal.nonorth", lambda: im.Orthogonal(2 * np.eye(2)), ValueError, "A"),
    ("Orthogonal.atol-nan", lambda: im.Orthogonal(A, atol=np.nan), ValueError, "atol"),
    ("ar1.nonorth", lambda: biases.ar1_pair_gap([0.5, 0.2], _NON_ORTHOGONAL), ValueError, "A"),
    ("stays_diagonal.nonorth", lambda: biases.stays_diagonal(2 * A, [1.0, 2.0]), ValueError, "R"),
    ("RotationPath.not-skew", lambda: im.RotationPath(np.eye(2)), ValueError, "S"),
    ("Swirl.not-skew", lambda: im.Swirl(np.eye(2)), ValueError, "S"),
    ("qr.coords", lambda: im.quantile_reflection(P, [5]), ValueError, "coords"),
    ("qr.coords-float", lambda: im.quantile_reflection(P, [0.5]), TypeError, "coords"),
    ("perm.not-perm", lambda: im.permutation_bijection(P, [0, 0]), ValueError, "perm"),
    ("perm.range", lambda: im.permutation_bijection(P, [0, 2]), ValueError, "perm"),
    ("darmois.tail", lambda: im.DarmoisShear2D().inverse([[25.0, 0.0]]), ValueError, "y"),
    ("seq.widths", lambda: nn.Sequential([nn.Linear(2, 3), nn.Linear(4, 1)]), ValueError, "layers"),
    ("relerr.shapes", lambda: nn.relative_error(np.ones(2), np.ones(3)), ValueError, "a and b"),
    ("gll.shapes", lambda: nn.gaussian_log_likelihood(Z, 0.0, Z[:, :1]), ValueError, "mean"),
    ("bce.shapes", lambda: nn.bernoulli_log_likelihood(Z, Z[:, :1]), ValueError, "logits"),
    (
        "prior.nan-param",
        lambda: im.FactorizedPrior([stats.norm(np.nan), stats.norm()]),
        ValueError,
        "parameter",
    ),
    (
        "prior.complex-param",
        lambda: im.FactorizedPrior([stats.norm(1j), stats.norm()]),
        TypeError,
        "parameter",
    ),
    (
        "prior.bad-param",
        lambda: im.FactorizedPrior([stats.beta(-1, 2), stats.norm()]),
        ValueError,
        "parameters",
    ),
]
CASES += [pytest.param(fn, None, exc, name, id=tid) for tid, fn, exc, name in EXTRA]


@pytest.mark.parametrize("fn, bad, exc, name", CASES)
def test_bad_array_is_refused_naming_the_argument(fn, bad, exc, name):
    call = (lambda: fn(bad)) if bad is not None else fn
    try:
        result = call()
    except exc as e:
        assert re.search(name, str(e)), f"message does not name {name!r}: {e}"
        return
    pytest.fail(f"accepted silently, returned {result!r:.200}")


def test_battery_size():
    assert len(CASES) > 400
