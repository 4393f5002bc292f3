"""Unsupervised scores (impossibility.metrics.unsupervised): Gaussian total correlation and
Wasserstein correlation, mean pairwise mutual information; hand cases, invariances, degenerate
covariances and disentanglement_lib's values."""

import numpy as np
import pytest
from scipy import linalg

from impossibility.metrics import (
    gaussian_total_correlation,
    gaussian_total_correlation_from_covariance,
    gaussian_wasserstein_correlation,
    gaussian_wasserstein_correlation_from_covariance,
    mean_pairwise_mutual_info,
    sample_covariance,
    unsupervised_scores,
)


def test_gaussian_total_correlation_hand_cases():
    for rho in (0.0, 0.3, -0.9):
        cov = np.array([[4.0, 2 * rho * 3], [2 * rho * 3, 9.0]])  # sds 2 and 3
        assert gaussian_total_correlation_from_covariance(cov) == pytest.approx(
            -0.5 * np.log(1 - rho**2), abs=1e-14
        )
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
        ref / np.trace(cov), rel=1e-10
    )
    assert gaussian_wasserstein_correlation_from_covariance(np.diag([1.0, 3.0])) == 0.0


def test_mean_pairwise_mutual_info_hand_case(hand_case):
    # codes z0 = y0, z2 = y1, z1 = y0 OR y1 (2 bins): pairs (0,1) and (1,2) share c, (0,2) 0
    assert mean_pairwise_mutual_info(hand_case.z, num_bins=2) == pytest.approx(
        (2 * 2 * hand_case.c) / 6, abs=1e-14
    )


def test_mean_pairwise_mutual_info_invariant_to_code_permutation_and_affine_maps(
    codes_and_factors,
):
    n = codes_and_factors["split"]
    for key in ("identity", "rotation"):
        z = codes_and_factors[key][:n]
        base = mean_pairwise_mutual_info(z)
        perm = z[:, [2, 0, 3, 1]]
        # exact for power-of-two scalings and sign flips; see test_mig for the affine case
        scaled = z * np.array([4.0, -0.5, 1.0, -2.0])
        affine = z * np.array([3.7, -0.21, 1.0, 12.0]) + np.array([5.0, -1.0, 0.3, 1e3])
        for variant in (perm, scaled, affine):
            np.testing.assert_allclose(mean_pairwise_mutual_info(variant), base, rtol=0, atol=1e-14)


def test_gaussian_total_correlation_invariant_to_code_scale_and_order(codes_and_factors):
    n = codes_and_factors["split"]
    z = codes_and_factors["rotation"][:n]
    tc = gaussian_total_correlation(z)
    assert gaussian_total_correlation(z * [1e3, 1e-2, 5.0, 1.0]) == pytest.approx(tc, rel=1e-9)
    assert gaussian_total_correlation(z[:, ::-1]) == pytest.approx(tc, rel=1e-12)


def test_gaussian_total_correlation_blind_to_rotations(codes_and_factors):
    # the Gaussian TC cannot tell a perfect code from its rotation (both are uncorrelated)
    n = codes_and_factors["split"]
    assert gaussian_total_correlation(codes_and_factors["identity"][:n]) < 0.01
    assert gaussian_total_correlation(codes_and_factors["rotation"][:n]) < 0.01


def test_gaussian_total_correlation_refuses_a_constant_code(uniform):
    rng = np.random.default_rng(0)
    y = uniform.factors(300, [3, 4], rng)
    z = np.column_stack([uniform.standardize(y, [3, 4]), np.full(300, 2.5)])
    with pytest.raises(ValueError, match="zero .*variance"):
        gaussian_total_correlation(z)


def test_covariance_errors():
    with pytest.raises(ValueError, match="symmetric"):
        gaussian_total_correlation_from_covariance(np.array([[1.0, 0.5], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="positive semi-definite"):
        gaussian_total_correlation_from_covariance(np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="square"):
        gaussian_wasserstein_correlation_from_covariance(np.ones((2, 3)))
    with pytest.raises(ValueError, match="non-finite"):
        gaussian_total_correlation_from_covariance(np.array([[1.0, np.nan], [np.nan, 1.0]]))
    # text as a covariance is a type mistake (a ValueError before the move)
    with pytest.raises(TypeError, match="covariance must be an array of real numbers"):
        gaussian_total_correlation_from_covariance([["1", "0"], ["0", "1"]])
    with pytest.raises(ValueError, match="at least 2 samples"):
        sample_covariance(np.ones((1, 3)))


def test_unsupervised_scores_are_the_individual_scores(codes_and_factors):
    z = codes_and_factors["rotation"][:500]
    got = unsupervised_scores(z, num_bins=10)
    assert got == {
        "gaussian_total_correlation": gaussian_total_correlation(z),
        "gaussian_wasserstein_correlation": gaussian_wasserstein_correlation(z),
        "gaussian_wasserstein_correlation_norm": gaussian_wasserstein_correlation(z, True),
        "mutual_info_score": mean_pairwise_mutual_info(z, num_bins=10),
    }
    with pytest.raises(ValueError, match="at least 2 code dimension"):
        unsupervised_scores(z[:, :1])


def test_unsupervised_scores_match_reference(reference_case):
    r = reference_case
    got = unsupervised_scores(r.ztr)
    # TC and MI: same formulas, rounding only (observed: identical).
    assert got["gaussian_total_correlation"] == pytest.approx(
        r.value("gaussian_total_correlation"), rel=1e-10
    )
    assert got["mutual_info_score"] == pytest.approx(r.value("mutual_info_score"), abs=1e-13)
    # W = 2 tr S - 2 tr(...)^(1/2) cancels ~4 digits (W ~ 5e-4, tr S ~ 5); we take the square
    # root through a symmetric eigendecomposition, the reference through scipy's sqrtm
    # (observed relative difference 3e-12).
    for key in ("gaussian_wasserstein_correlation", "gaussian_wasserstein_correlation_norm"):
        assert got[key] == pytest.approx(r.value(key), rel=1e-9)
