"""Interventional Robustness Score (impossibility.metrics.irs): disentanglement_lib's values
(docs/metrics.md §10), its unit-test scenarios, and a loop over factor values in the test."""

import numpy as np
import pytest

from impossibility.metrics import histogram_discretize, irs, sample_factors_and_codes

REFERENCE_IRS = {"noisy_identity": 0.8558198204462674, "rotation": 0.4401935232270782}


def _irs_by_loops(z, g, q):
    """IRS written out value by value with numpy.quantile, codes stored code-major."""
    lat = np.ascontiguousarray(z.T)[z.var(axis=0) > 0].T
    dev = np.max(np.abs(lat - lat.mean(axis=0)), axis=0)
    matrix = np.empty((lat.shape[1], g.shape[1]))
    for i in range(g.shape[1]):
        values = np.unique(g[:, i])
        spread = [
            np.quantile(np.abs(lat[g[:, i] == v] - lat[g[:, i] == v].mean(axis=0)), q, axis=0)
            for v in values
        ]
        matrix[:, i] = 1.0 - np.sum(spread, axis=0) / len(values) / dev
    return np.average(matrix.max(axis=1), weights=dev), matrix


def test_irs_matches_reference(reference_case):
    r = reference_case
    got = irs(r.ztr, r.ytr)
    # same arithmetic in the same order; the rotation differs by 1 ulp, as the codes may (the
    # reference encoded them in mini-batches, another BLAS blocking of the same product)
    assert got.irs == pytest.approx(REFERENCE_IRS[r.name], abs=2e-16)
    assert got.num_active_dims == 5


@pytest.mark.parametrize("q", [0.99, 1.0, 0.5, 0.37])
def test_irs_equals_the_loop_over_values(codes_and_factors, q):
    z, y = codes_and_factors["rotation"], codes_and_factors["y"]
    z = np.column_stack([z, np.full(len(z), 3.0)])  # a constant code is dropped
    got = irs(z, y, diff_quantile=q)
    want, matrix = _irs_by_loops(z, histogram_discretize(y.astype(float), 20), q)
    assert got.irs == want  # bit for bit: same sums, same quantile interpolation
    np.testing.assert_array_equal(got.matrix, matrix)
    assert got.num_active_dims == 4 and got.max_deviations.shape == (4,)


def test_irs_reference_scenarios(tiny):
    # the reference's tests: ten factors of ten values observed as they are, 3000 points, the
    # factors not discretised; the identity scores in [0.9, 1], a zero code in [0, 0.1]
    data = tiny.Data(sizes=(10,) * 10)
    z, y = sample_factors_and_codes(data, tiny.perfect, 3000, np.random.default_rng(0))
    assert 0.9 <= irs(z, y, num_bins=None).irs <= 1.0
    zero = irs(np.zeros_like(z), y, num_bins=None)
    assert zero.irs == 0.0 and zero.num_active_dims == 0
    # and the reference's constant-dimension rule: constant codes are left out
    padded = np.column_stack([np.ones(len(z)), z, np.zeros(len(z))])
    assert irs(padded, y, num_bins=None).irs == irs(z, y, num_bins=None).irs


def test_irs_of_a_perfect_code_is_one_and_of_noise_is_low(uniform):
    rng = np.random.default_rng(1)
    y = uniform.factors(4000, [4, 5, 6], rng)
    # a code that is a function of one factor does not move when that factor is fixed (its
    # within-group deviations are rounding errors of the group mean: 1 to ~1e-14)
    assert irs(uniform.standardize(y, [4, 5, 6]), y).irs == pytest.approx(1.0, abs=1e-13)
    # independent noise is not 0: its 99% within-group deviation (~2.6 sd) is below the largest
    # deviation (~3.5 sd at n = 4000); the paper's q = 1 compares two maxima and is near 0
    noise = rng.normal(size=(4000, 3))
    assert 0.2 < irs(noise, y).irs < 0.45
    assert irs(noise, y, diff_quantile=1.0).irs < 0.2


def test_irs_invariances(codes_and_factors):
    z, y = codes_and_factors["identity"], codes_and_factors["y"]
    base = irs(z, y).irs
    # permuting codes, sign flips and shifts leave every deviation unchanged
    assert irs(-z[:, ::-1] + 7.0, y).irs == pytest.approx(base, abs=1e-14)
    assert irs(4.0 * z, y).irs == pytest.approx(base, abs=1e-14)


def test_irs_errors():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(50, 3)), rng.integers(0, 3, (50, 2))
    with pytest.raises(ValueError, match=r"diff_quantile must be > 0.0 and <= 1.0; got 0.0"):
        irs(z, y, diff_quantile=0.0)
    with pytest.raises(ValueError, match=r"fewer samples \(10\) than histogram bins"):
        irs(z[:10], y[:10])
    with pytest.raises(ValueError, match="same number of samples"):
        irs(z[:40], y)
    with pytest.raises(ValueError, match="non-finite"):
        irs(np.where(z > 2, np.nan, z), y)
    with pytest.raises(ValueError, match="integer class labels"):
        irs(z, y + 0.5)
    with pytest.raises(TypeError, match="num_bins must be an integer"):
        irs(z, y, num_bins=2.5)
    # one-class factors and constant codes are defined: every group is the whole sample
    assert np.isfinite(irs(z, np.zeros((50, 2), int)).irs)
