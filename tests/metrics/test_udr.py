"""Unsupervised Disentanglement Ranking (impossibility.metrics.udr): disentanglement_lib's
unit-test scenarios and a pair-by-pair reimplementation with scikit-learn's Lasso and scipy's
Spearman correlation."""

import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn import linear_model, preprocessing

from impossibility.metrics import relative_strength, udr


def _similarity(za, zb, correlation, tol):
    """R^{ab}: one scikit-learn Lasso of b on a, or one scipy Spearman per pair of latents."""
    if correlation == "lasso":
        return np.abs(linear_model.Lasso(alpha=0.1, tol=tol).fit(za, zb).coef_).T
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.array([[abs(stats.spearmanr(x, y)[0]) for y in zb.T] for x in za.T])


def _relative_strength_by_hand(r):
    side = (
        [max(v) ** 2 / sum(v) if sum(v) else 0.0 for v in r.T],
        [max(v) ** 2 / sum(v) if sum(v) else 0.0 for v in r],
    )
    return (np.mean(side[0]) + np.mean(side[1])) / 2


def _udr_pairwise(reps, kls, correlation="lasso", filter_low_kl=True, tol=1e-4):
    """What the reference does, one model pair and one latent pair at a time."""
    scale = preprocessing.StandardScaler().fit_transform
    zs = [scale(z) * (k > 0.01) for z, k in zip(reps, kls, strict=True)]
    keep = [k > 0.01 if filter_low_kl else np.ones(k.size, bool) for k in kls]
    m = len(zs)
    score = {
        (a, b): _relative_strength_by_hand(
            _similarity(zs[a], zs[b], correlation, tol)[keep[a]][:, keep[b]]
        )
        for a in range(m)
        for b in range(m)
        if a != b
    }
    return np.array([np.median([score[a, b] for a in range(m) if a != b]) for b in range(m)])


@pytest.fixture(scope="module")
def models():
    """Three 'models' of the same 1000 points: mixtures of 6 sources, increasingly entangled,
    with two dead latents each."""
    rng = np.random.default_rng(0)
    s = rng.normal(size=(1000, 6))
    reps = [s @ (np.eye(6) + 0.3 * i * rng.normal(size=(6, 6))) for i in range(3)]
    reps = [z + 0.1 * rng.normal(size=z.shape) for z in reps]
    kls = [np.r_[np.ones(4), 0.001, 0.05] for _ in range(3)]
    return reps, kls


@pytest.mark.parametrize("filter_low_kl", [True, False])
def test_udr_spearman_equals_pair_by_pair(models, filter_low_kl):
    reps, kls = models
    if not filter_low_kl:
        kls = [np.r_[np.ones(5), 0.05] for _ in kls]  # nothing zeroed: every rank is defined
    got = udr(reps, kls, correlation="spearman", filter_low_kl=filter_low_kl).model_scores
    want = _udr_pairwise(reps, kls, "spearman", filter_low_kl)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-14)


@pytest.mark.parametrize("filter_low_kl", [True, False])
def test_udr_lasso_equals_pair_by_pair(models, filter_low_kl):
    reps, kls = models
    got = udr(reps, kls, filter_low_kl=filter_low_kl).model_scores
    # the same optimum: scikit-learn's coordinate descent, run to convergence, agrees to 1e-9
    tight = _udr_pairwise(reps, kls, "lasso", filter_low_kl, tol=1e-12)
    np.testing.assert_allclose(got, tight, rtol=0, atol=1e-9)
    # with the reference's default tolerance (dual gap 1e-4 of |y|^2) it stops earlier
    default = _udr_pairwise(reps, kls, "lasso", filter_low_kl)
    np.testing.assert_allclose(got, default, rtol=0, atol=1e-4)


def _noise_codes(rng, n=1000, d=10):
    # the reference's DummyData: observations are uniform noise; the codes read 10 pixels
    return rng.uniform(size=(n, d))


@pytest.mark.parametrize("correlation", ["spearman", "lasso"])
def test_udr_reference_permutation_and_sign_scenario(correlation):
    rng = np.random.default_rng(0)
    z = _noise_codes(rng)
    perm, flip = rng.permutation(10), rng.choice(10, 5)
    z2 = z[:, perm]
    z2[:, flip] *= -1.0
    scores = udr([z, z2], correlation=correlation).model_scores
    assert np.all((0.8 <= scores) & (scores <= 1.0))


def test_udr_reference_kl_scenario():
    # one informative latent, nine fresh-noise latents with zero KL, in each of two models
    rng = np.random.default_rng(1)
    x = rng.uniform(size=(1000, 1))
    reps = [np.column_stack([x, rng.uniform(size=(1000, 9))]) for _ in range(2)]
    kls = [np.r_[1.0, np.zeros(9)]] * 2
    unfiltered = udr(reps, kls, filter_low_kl=False).model_scores
    assert np.all((0.0 <= unfiltered) & (unfiltered <= 0.2))
    filtered = udr(reps, kls).model_scores
    assert np.all((0.8 <= filtered) & (filtered <= 1.0))


def test_relative_strength_reference_matrices():
    assert relative_strength(np.eye(3)) == 1.0
    assert 0.6 <= relative_strength([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]) <= 0.7
    assert 0.3 <= relative_strength(np.ones((3, 3))) <= 0.4
    assert relative_strength(np.zeros((3, 3))) == 0.0
    # by hand: each of the first two columns and rows gives 1^2 / 2, the last ones 1 -> 2/3
    r = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert relative_strength(r) == pytest.approx(2 / 3, abs=1e-15)


def test_udr_correlation_matrices_reference_cases():
    rng = np.random.default_rng(0)
    v1 = rng.uniform(size=(1000, 3)) * 10.0
    v2 = v1.copy()
    for correlation, tol in (("spearman", 0.1), ("lasso", 0.2)):
        r = udr([v1, v2], correlation=correlation).correlations[0][1]
        np.testing.assert_allclose(r, np.eye(3), atol=tol)
    v2[:, 1] = v2[:, 0]
    want = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    for correlation, tol in (("spearman", 0.1), ("lasso", 0.2)):
        r = udr([v1, v2], correlation=correlation).correlations[0][1]
        np.testing.assert_allclose(r, want, atol=tol)


def test_udr_errors(models):
    reps, kls = models
    with pytest.raises(ValueError, match="at least 2 representations"):
        udr(reps[:1])
    with pytest.raises(ValueError, match="same n"):
        udr([reps[0], reps[1][:500]])
    with pytest.raises(TypeError, match="list of \\(n, D\\) code arrays"):
        udr(np.stack(reps))
    with pytest.raises(ValueError, match="one entry per latent"):
        udr(reps, [k[:3] for k in kls])
    with pytest.raises(ValueError, match="non-finite"):
        udr([reps[0], np.where(reps[1] > 2, np.nan, reps[1])])
    with pytest.raises(ValueError, match="correlation must be one of"):
        udr(reps, correlation="pearson")
    # zeroed latents kept by the filter have no Spearman correlation
    with pytest.raises(ValueError, match=r"latent\(s\) \[4\] are constant"):
        udr(reps, kls, correlation="spearman", filter_low_kl=False)
    # constant latents under Lasso are simply never used: finite scores
    flat = [np.column_stack([z, np.zeros(len(z))]) for z in reps]
    assert np.all(np.isfinite(udr(flat).model_scores))
