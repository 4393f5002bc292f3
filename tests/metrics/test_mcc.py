"""Mean correlation coefficient (impossibility.metrics.mcc): against scipy's pair-by-pair
correlations and a brute-force search over all matchings, invariances, and bad input."""

import itertools

import numpy as np
import pytest
from scipy import stats

from impossibility.metrics import correlation_matrix, mcc


def _mcc_brute_force(z, y, method):
    """Every code-factor correlation from scipy, the best matching by trying them all."""
    corr = stats.pearsonr if method == "pearson" else stats.spearmanr
    a = np.array(
        [[abs(corr(z[:, j], y[:, k])[0]) for k in range(y.shape[1])] for j in range(z.shape[1])]
    )
    if a.shape[0] >= a.shape[1]:
        best = max(
            a[list(p), range(a.shape[1])].sum()
            for p in itertools.permutations(range(a.shape[0]), a.shape[1])
        )
    else:
        best = max(
            a[range(a.shape[0]), list(p)].sum()
            for p in itertools.permutations(range(a.shape[1]), a.shape[0])
        )
    return best / min(a.shape)


@pytest.mark.parametrize("method", ["pearson", "spearman"])
@pytest.mark.parametrize("d", [2, 4, 6])
def test_mcc_equals_brute_force(codes_and_factors, method, d):
    rng = np.random.default_rng(d)
    y = codes_and_factors["y"][:500]
    z = codes_and_factors["rotation"][:500] @ rng.normal(size=(4, d))
    # Hungarian matching is exact; the correlations differ by rounding only
    assert mcc(z, y, method=method) == pytest.approx(_mcc_brute_force(z, y, method), abs=1e-12)


def test_correlation_matrix_is_scipys(codes_and_factors):
    z, y = codes_and_factors["rotation"][:300], codes_and_factors["y"][:300]
    c = correlation_matrix(z, y, method="spearman")
    full = stats.spearmanr(z, y).statistic  # ties in y: mean ranks in both
    np.testing.assert_allclose(c, full[:4, 4:], atol=1e-13)
    np.testing.assert_allclose(correlation_matrix(z, y), np.corrcoef(z.T, y.T)[:4, 4:], atol=1e-13)


def test_mcc_invariances_and_extremes(uniform):
    rng = np.random.default_rng(3)
    sizes = [3, 5, 7]
    y = uniform.factors(2000, sizes, rng)
    z = uniform.standardize(y, sizes)
    # permuted, sign-flipped, rescaled: Pearson 1; a monotone nonlinear map: Spearman 1 only
    moved = np.column_stack([-2.0 * z[:, 2] + 1.0, z[:, 0], 5.0 * z[:, 1]])
    assert mcc(moved, y) == pytest.approx(1.0, abs=1e-14)
    curved = np.exp(3.0 * z)
    assert mcc(curved, y, method="spearman") == pytest.approx(1.0, abs=1e-14)
    assert mcc(curved, y) < 0.95
    # a rotation mixes the factors; independent noise correlates with nothing
    rot = z @ stats.ortho_group.rvs(3, random_state=4).T
    assert mcc(rot, y) < 0.9
    assert mcc(rng.normal(size=z.shape), y) < 0.1


def test_mcc_on_the_reference_arrays(reference_case):
    r = reference_case
    # not a disentanglement_lib score: the identity code is near 1, the rotation well below
    got = mcc(r.ztr, r.ytr)
    assert (got > 0.99) if r.name == "noisy_identity" else (got < 0.8)


def test_mcc_errors():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(50, 3)), rng.integers(0, 3, (50, 2))
    with pytest.raises(ValueError, match=r"codes column\(s\) \[1\] are constant"):
        mcc(np.column_stack([z[:, 0], np.full(50, 2.0), z[:, 1]]), y)
    with pytest.raises(ValueError, match=r"factors column\(s\) \[0\] are constant"):
        mcc(z, np.column_stack([np.zeros(50), y[:, 0]]), method="spearman")
    with pytest.raises(ValueError, match="same number of samples"):
        mcc(z[:40], y)
    with pytest.raises(ValueError, match="non-finite"):
        mcc(np.where(z > 2, np.inf, z), y)
    with pytest.raises(ValueError, match="at least 2 samples"):
        mcc(z[:1], y[:1])
    with pytest.raises(ValueError, match="method must be one of"):
        mcc(z, y, method="kendall")
    with pytest.raises(TypeError, match="codes must be an array of real numbers"):
        mcc(z.astype(str), y)
