"""Array-based metrics: hand-computed cases, invariances, perfect vs rotated codes, degenerate
inputs (impossibility.metrics: mig, modularity, explicitness, dci, sap, unsupervised scores)."""

import joblib
import numpy as np
import pytest
from scipy import linalg, stats

from impossibility.metrics import (
    dci,
    dci_from_importance,
    explicitness,
    gaussian_total_correlation,
    gaussian_total_correlation_from_covariance,
    gaussian_wasserstein_correlation_from_covariance,
    mean_pairwise_mutual_info,
    mig,
    modularity,
    sap,
    sap_score_matrix,
    unsupervised_scores,
)

# --------------------------------------------------------------------------- fixtures / data


def _factors(n, sizes, rng):
    return np.column_stack([rng.integers(0, s, n) for s in sizes])


def _standardize(y, sizes):
    s = np.asarray(sizes)
    return (y - (s - 1) / 2) / np.sqrt((s**2 - 1) / 12)


@pytest.fixture(scope="module")
def codes_and_factors():
    """Noisy identity code of 4 independent factors, and a Haar rotation of it (1500/700)."""
    rng = np.random.default_rng(123)
    sizes = [3, 5, 4, 6]
    y = _factors(2200, sizes, rng)
    z = _standardize(y, sizes) + 0.1 * rng.normal(size=y.shape)
    rot = stats.ortho_group.rvs(len(sizes), random_state=rng)
    return {"y": y, "identity": z, "rotation": z @ rot.T, "split": 1500}


# ------------------------------------------------------------------------------ hand cases

# Eight points, two balanced binary factors with every combination twice:
Y_HAND = np.array([[0, 0], [0, 0], [0, 1], [0, 1], [1, 0], [1, 0], [1, 1], [1, 1]])
# Codes: z0 = y0, z1 = y0 OR y1, z2 = y1. With 2 bins each code keeps its two values.
Z_HAND = np.column_stack([Y_HAND[:, 0], Y_HAND.max(axis=1), Y_HAND[:, 1]]).astype(float)
# By hand: I(z0;y0) = I(z2;y1) = log 2, I(z0;y1) = I(z2;y0) = 0 (balanced),
# I(z1;y0) = I(z1;y1) = c with c = 1/4 log 2 + 1/4 log(2/3) + 1/2 log(4/3) = 3/4 log(4/3).
C_HAND = 0.75 * np.log(4 / 3)


def test_mig_hand_case():
    # each factor: top log 2, second c; MIG = (log 2 - c) / log 2
    assert mig(Z_HAND, Y_HAND, num_bins=2) == pytest.approx(1 - C_HAND / np.log(2), abs=1e-14)
    # without z2, factor 1's best code is z1 (c) and the runner-up z0 (0):
    # MIG = ((log 2 - c) + c) / (2 log 2) = 1/2
    assert mig(Z_HAND[:, :2], Y_HAND, num_bins=2) == pytest.approx(0.5, abs=1e-14)


def test_modularity_hand_case():
    # z0, z2 depend on one factor each (1); z1 equally on both: delta = c^2 / c^2 = 1 -> 0
    assert modularity(Z_HAND, Y_HAND, num_bins=2) == pytest.approx(2 / 3, abs=1e-14)
    # a constant code carries no information and counts as 0 in the mean
    z = np.column_stack([Z_HAND, np.full(8, 4.0)])
    assert modularity(z, Y_HAND, num_bins=2) == pytest.approx(0.5, abs=1e-14)


def test_dci_from_importance_hand_cases():
    # epsilon = 1e-11 shifts entropies by about eps*log(eps) ~ 3e-10: tolerance 1e-8
    d, c = dci_from_importance(np.eye(3))
    assert d == pytest.approx(1.0, abs=1e-8) and c == pytest.approx(1.0, abs=1e-8)
    d, c = dci_from_importance(np.full((2, 2), 0.5))
    assert d == pytest.approx(0.0, abs=1e-12) and c == pytest.approx(0.0, abs=1e-12)
    # code 0: p = (3/4, 1/4), D0 = 1 - H2(3/4); code 1: p = (0, 1), D1 = 1; rho = (2/3, 1/3)
    r = np.array([[0.75, 0.25], [0.0, 0.5]])
    h2 = -(0.75 * np.log2(0.75) + 0.25 * np.log2(0.25))
    # factor 0: q = (1, 0) -> C0 = 1; factor 1: q = (1/3, 2/3) -> C1 = 1 - H2(1/3); w = (1/2, 1/2)
    h2c = -(np.log2(1 / 3) / 3 + 2 * np.log2(2 / 3) / 3)
    d, c = dci_from_importance(r)
    assert d == pytest.approx(2 / 3 * (1 - h2) + 1 / 3, abs=1e-8)
    assert c == pytest.approx(0.5 * 1 + 0.5 * (1 - h2c), abs=1e-8)
    # all-zero importances (no split anywhere): uniform weights, p uniform -> 0, not NaN
    assert dci_from_importance(np.zeros((3, 2))) == pytest.approx((0.0, 0.0), abs=1e-12)


def test_sap_continuous_hand_case():
    y = np.array([[1.0, 1.0], [-1, 1], [1, -1], [-1, -1]])  # orthogonal, zero-mean columns
    z = np.column_stack([y[:, 0], y[:, 0] + y[:, 1]])
    # squared correlations: z0 ~ (1, 0); z1 ~ (1/2, 1/2); SAP = ((1 - 1/2) + (1/2 - 0)) / 2
    s = sap_score_matrix(z, y, continuous_factors=True)
    np.testing.assert_allclose(s, [[1.0, 0.0], [0.5, 0.5]], atol=1e-15)
    assert sap(z, y, continuous_factors=True) == pytest.approx(0.5, abs=1e-15)
    # a (numerically) constant code scores 0 instead of NaN
    z2 = np.column_stack([z, np.full(4, 7.0)])
    assert np.array_equal(sap_score_matrix(z2, y, continuous_factors=True)[2], [0.0, 0.0])


def test_gaussian_total_correlation_hand_cases():
    for rho in (0.0, 0.3, -0.9):
        cov = np.array([[4.0, 2 * rho * 3], [2 * rho * 3, 9.0]])  # sds 2 and 3
        assert gaussian_total_correlation_from_covariance(cov) == pytest.approx(
            -0.5 * np.log(1 - rho**2), abs=1e-14)
    # exactly dependent codes: TC = +inf (documented), not NaN
    assert gaussian_total_correlation_from_covariance(np.ones((2, 2))) == np.inf


def test_gaussian_wasserstein_hand_case_and_sqrtm():
    a, b, c = 2.0, 5.0, 1.7
    cov = np.array([[a, c], [c, b]])
    # For 2x2 PSD M: tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)); M ~ Lambda^1/2 Sigma Lambda^1/2
    closed = 2 * (a + b) - 2 * np.sqrt(a * a + b * b + 2 * np.sqrt(a * b * (a * b - c * c)))
    got = gaussian_wasserstein_correlation_from_covariance(cov)
    assert got == pytest.approx(closed, rel=1e-12)
    # the reference's route: principal square root of diag(Sigma) @ Sigma with scipy
    rng = np.random.default_rng(5)
    x = rng.normal(size=(400, 4)) @ rng.normal(size=(4, 4))
    cov = np.cov(x, rowvar=False)
    ref = 2 * np.trace(cov) - 2 * np.trace(linalg.sqrtm(np.diag(np.diag(cov)) @ cov)).real
    assert gaussian_wasserstein_correlation_from_covariance(cov) == pytest.approx(ref, rel=1e-10)
    assert gaussian_wasserstein_correlation_from_covariance(cov, normalize=True) == pytest.approx(
        ref / np.trace(cov), rel=1e-10)
    assert gaussian_wasserstein_correlation_from_covariance(np.diag([1.0, 3.0])) == 0.0


def test_mean_pairwise_mutual_info_hand_case():
    # codes z0 = y0, z2 = y1, z1 = y0 OR y1 (2 bins): pairs (0,1) and (1,2) share c, (0,2) 0
    assert mean_pairwise_mutual_info(Z_HAND, num_bins=2) == pytest.approx(
        (2 * 2 * C_HAND) / 6, abs=1e-14)


# ---------------------------------------------------------------------------- invariances


def test_histogram_metrics_invariant_to_code_permutation_and_affine_maps(codes_and_factors):
    n = codes_and_factors["split"]
    y = codes_and_factors["y"][:n]
    for key in ("identity", "rotation"):
        z = codes_and_factors[key][:n]
        base = (mig(z, y), modularity(z, y), mean_pairwise_mutual_info(z))
        perm = z[:, [2, 0, 3, 1]]
        # power-of-two scalings and sign flips are exact in floating point, so the bins (and
        # hence the values) are identical; a general shift/scale can move a point lying within
        # one rounding error of a bin edge, which for continuous data is a ~1e-13 event.
        scaled = z * np.array([4.0, -0.5, 1.0, -2.0])
        affine = z * np.array([3.7, -0.21, 1.0, 12.0]) + np.array([5.0, -1.0, 0.3, 1e3])
        for variant in (perm, scaled, affine):
            got = (mig(variant, y), modularity(variant, y), mean_pairwise_mutual_info(variant))
            np.testing.assert_allclose(got, base, rtol=0, atol=1e-14)


def test_histogram_metrics_not_invariant_to_nonlinear_monotone_maps(codes_and_factors):
    # Equal-width bins live in the code's own scale (as in the reference): a strictly
    # increasing but nonlinear map (exp) changes which points share a bin, and MIG changes.
    n = codes_and_factors["split"]
    y = codes_and_factors["y"][:n]
    z = codes_and_factors["identity"][:n].copy()
    warped = z.copy()
    warped[:, 3] = np.exp(3 * z[:, 3])  # 6-valued factor squeezed into few low bins
    assert mig(warped, y) < mig(z, y) - 0.01


def test_factor_relabelling_and_code_scale_invariance(codes_and_factors):
    n = codes_and_factors["split"]
    y = codes_and_factors["y"][:n]
    z = codes_and_factors["rotation"][:n]
    relabelled = y * 10 - 7  # injective relabelling of every factor
    assert mig(z, relabelled) == pytest.approx(mig(z, y), abs=1e-14)
    assert modularity(z, relabelled) == pytest.approx(modularity(z, y), abs=1e-14)
    tc = gaussian_total_correlation(z)
    assert gaussian_total_correlation(z * [1e3, 1e-2, 5.0, 1.0]) == pytest.approx(tc, rel=1e-9)
    assert gaussian_total_correlation(z[:, ::-1]) == pytest.approx(tc, rel=1e-12)
    assert sap(z * [1e3, -1e-2, 5.0, 1.0], y, continuous_factors=True) == pytest.approx(
        sap(z, y, continuous_factors=True), abs=1e-12)


# ---------------------------------------------------------------- perfect vs rotated codes


def test_perfect_code_near_one_rotation_low_mig_modularity_sap(codes_and_factors):
    n = codes_and_factors["split"]
    y = codes_and_factors["y"][:n]
    ident, rot = codes_and_factors["identity"][:n], codes_and_factors["rotation"][:n]
    # metrics.md 10 (10,000 points, 5 factors): MIG 0.958 vs 0.164; modularity 1.000 vs 0.799
    assert mig(ident, y) > 0.9
    assert mig(rot, y) < 0.4
    assert modularity(ident, y) > 0.99
    # Modularity judges each code alone (is it driven by one factor?); after a rotation each
    # code still has one dominant factor in squared MI, so it drops but stays far from 0
    # (reference 0.80): it is the one metric of the three that does not become low.
    assert modularity(rot, y) < modularity(ident, y) - 0.1
    assert sap(ident, y, continuous_factors=True) > 0.9
    assert sap(rot, y, continuous_factors=True) < 0.5
    # the Gaussian TC cannot tell the two apart (both codes are uncorrelated)
    assert gaussian_total_correlation(ident) < 0.01 and gaussian_total_correlation(rot) < 0.01


def test_dci_perfect_vs_rotation_and_n_jobs(codes_and_factors):
    n = 400
    y = codes_and_factors["y"][:n, :3]
    yt = codes_and_factors["y"][n:n + 300, :3]
    ident = codes_and_factors["identity"][:, :3]
    rot = ident @ stats.ortho_group.rvs(3, random_state=np.random.default_rng(9)).T
    good = dci(ident[:n], y, ident[n:n + 300], yt, rng=np.random.default_rng(0))
    bad = dci(rot[:n], y, rot[n:n + 300], yt, rng=np.random.default_rng(0))
    assert good.disentanglement > 0.9 and good.completeness > 0.9
    assert good.informativeness_test > 0.95
    assert bad.disentanglement < 0.6 and bad.completeness < 0.6
    np.testing.assert_allclose(good.importance_matrix.sum(axis=0), 1.0, atol=1e-12)
    # same rng -> same result, whether the per-factor fits run in parallel or not (threads here
    # to keep the test fast; the seeds are drawn before any fit, so the backend is irrelevant)
    with joblib.parallel_config(backend="threading"):
        again = dci(ident[:n], y, ident[n:n + 300], yt, rng=np.random.default_rng(0), n_jobs=2)
    assert again.as_dict() == good.as_dict()


def test_dci_permuting_codes_permutes_importances(codes_and_factors):
    n = 400
    y = codes_and_factors["y"][:n, :2]
    yt = codes_and_factors["y"][n:n + 200, :2]
    z = codes_and_factors["rotation"][:, :3]
    a = dci(z[:n], y, z[n:n + 200], yt, rng=np.random.default_rng(3))
    p = [2, 0, 1]
    b = dci(z[:n, p], y, z[n:n + 200, p], yt, rng=np.random.default_rng(3))
    # The trees visit features in a random order and keep the first of equally good splits, so
    # a permutation changes tie-breaking (frequent in late boosting stages on small data);
    # measured: importances move by up to 0.006, D by < 0.002. Tolerances: 0.02 and 0.01.
    np.testing.assert_allclose(b.importance_matrix, a.importance_matrix[p], atol=0.02)
    assert b.disentanglement == pytest.approx(a.disentanglement, abs=0.01)


def test_discrete_sap_low_for_perfect_code_with_many_valued_factor():
    rng = np.random.default_rng(7)
    sizes = [2, 20]
    y = _factors(3000, sizes, rng)
    z = _standardize(y, sizes) + 0.01 * rng.normal(size=y.shape)  # (nearly) perfect code
    s = sap_score_matrix(z[:2000], y[:2000], z[2000:], y[2000:], rng=rng)
    assert s[0, 0] == 1.0  # a binary factor is one threshold: perfectly predicted
    # one-vs-rest linear rules on one number recognise little more than the extreme values
    # of a 20-valued factor: best accuracy about 2/20 to 3/20, far from 1
    assert s[1, 1] < 0.2
    # the binary factor's gap subtracts the uninformative code's accuracy (about 1/2)
    assert 0.3 < s[0, 0] - s[1, 0] < 0.7
    score = sap(z[:2000], y[:2000], z[2000:], y[2000:], rng=rng)
    assert score < 0.6  # although MIG calls the same code essentially perfect:
    assert mig(z[:2000], y[:2000]) > 0.95


# ----------------------------------------------------------------------- degenerate inputs


def test_constant_code_is_fine_where_defined():
    rng = np.random.default_rng(0)
    y = _factors(300, [3, 4], rng)
    z = np.column_stack([_standardize(y, [3, 4]), np.full(300, 2.5)])
    assert mig(z, y) == pytest.approx(mig(z[:, :2], y), abs=1e-14)  # MI of a constant = 0
    assert modularity(z, y) == pytest.approx(2 / 3 * modularity(z[:, :2], y), abs=1e-14)
    e = explicitness(z[:200], y[:200], z[200:], y[200:])  # constant code: centred, not scaled
    assert np.isfinite(e.train) and e.test > 0.9
    with pytest.raises(ValueError, match="zero .*variance"):
        gaussian_total_correlation(z)
    d = dci(z[:200], y[:200], z[200:], y[200:], rng=rng)
    assert d.importance_matrix[2].sum() == 0.0
    # SAP: a classifier on a constant code predicts one class for every point, so its accuracy
    # is the test frequency of some class
    s = sap_score_matrix(z[:200], y[:200], z[200:], y[200:])
    for k in range(2):
        freqs = [np.mean(y[200:, k] == c) for c in range([3, 4][k])]
        assert min(abs(s[2, k] - f) for f in freqs) < 1e-12


def test_constant_factor_is_refused():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(100, 3))
    y = np.column_stack([rng.integers(0, 3, 100), np.full(100, 1)])
    with pytest.raises(ValueError, match=r"factor\(s\) \[1\].*single value"):
        mig(z, y)
    with pytest.raises(ValueError, match="factor 1 takes a single value"):
        dci(z[:60], y[:60], z[60:], y[60:], rng=rng)
    with pytest.raises(ValueError, match="factor 1 takes a single value"):
        sap(z[:60], y[:60], z[60:], y[60:])
    with pytest.raises(ValueError, match="factor 1 takes the single value"):
        explicitness(z[:60], y[:60], z[60:], y[60:])
    with pytest.raises(ValueError, match="constant"):
        sap(z, y.astype(float), continuous_factors=True)


def test_fewer_samples_than_bins_is_refused():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(10, 3)), rng.integers(0, 2, (10, 2))
    for f in (mig, modularity):
        with pytest.raises(ValueError, match=r"fewer samples \(10\) than histogram bins"):
            f(z, y)
    with pytest.raises(ValueError, match="fewer samples"):
        mean_pairwise_mutual_info(z)
    assert np.isfinite(mig(z, y, num_bins=5))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_codes_are_refused(bad):
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(60, 3)), rng.integers(0, 2, (60, 2))
    z[5, 1] = bad
    calls = [
        lambda: mig(z, y), lambda: modularity(z, y),
        lambda: dci(z, y, z, y, rng=rng), lambda: sap(z, y, z, y),
        lambda: sap(z, y, continuous_factors=True), lambda: explicitness(z, y, z, y),
        lambda: gaussian_total_correlation(z), lambda: unsupervised_scores(z),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="non-finite"):
            call()


def test_shape_errors():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(60, 3)), rng.integers(0, 2, (60, 2))
    with pytest.raises(ValueError, match="at least 2 code dimensions"):
        mig(z[:, :1], y)
    with pytest.raises(ValueError, match="at least 2 factors"):
        modularity(z, y[:, :1])
    with pytest.raises(ValueError, match="at least 2 codes and 2 factors"):
        dci(z, y[:, :1], z, y[:, :1], rng=rng)
    with pytest.raises(ValueError, match="same number of samples"):
        mig(z[:50], y)
    with pytest.raises(ValueError, match="2-D"):
        mig(z[:, 0], y)
    with pytest.raises(ValueError, match="integer class labels"):
        mig(z, y + 0.5)
    with pytest.raises(ValueError, match="same columns"):
        sap(z, y, z[:, :2], y)
    with pytest.raises(ValueError, match="Generator"):
        dci(z, y, z, y, rng=0)
    with pytest.raises(ValueError, match="codes_test and factors_test"):
        sap(z, y)
    with pytest.raises(ValueError, match="never occur in the training set"):
        explicitness(z, y, z, y + 1)
    with pytest.raises(ValueError, match="symmetric"):
        gaussian_total_correlation_from_covariance(np.array([[1.0, 0.5], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="positive semi-definite"):
        gaussian_total_correlation_from_covariance(np.array([[1.0, 2.0], [2.0, 1.0]]))
