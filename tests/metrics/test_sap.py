"""SAP score (impossibility.metrics.sap): the continuous mode by hand, invariances, why discrete
SAP stays low for a perfect code, a constant code and disentanglement_lib's values."""

import numpy as np
import pytest

from impossibility.metrics import mig, sap, sap_score_matrix


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


def test_continuous_sap_invariant_to_code_scale(codes_and_factors):
    n = codes_and_factors["split"]
    y = codes_and_factors["y"][:n]
    z = codes_and_factors["rotation"][:n]
    assert sap(z * [1e3, -1e-2, 5.0, 1.0], y, continuous_factors=True) == pytest.approx(
        sap(z, y, continuous_factors=True), abs=1e-12
    )


def test_continuous_sap_perfect_code_near_one_rotation_low(codes_and_factors):
    n = codes_and_factors["split"]
    y = codes_and_factors["y"][:n]
    assert sap(codes_and_factors["identity"][:n], y, continuous_factors=True) > 0.9
    assert sap(codes_and_factors["rotation"][:n], y, continuous_factors=True) < 0.5


def test_discrete_sap_low_for_perfect_code_with_many_valued_factor(uniform):
    rng = np.random.default_rng(7)
    sizes = [2, 20]
    y = uniform.factors(3000, sizes, rng)
    z = uniform.standardize(y, sizes) + 0.01 * rng.normal(size=y.shape)  # (nearly) perfect
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


def test_discrete_sap_of_a_constant_code_is_a_class_frequency(uniform):
    rng = np.random.default_rng(0)
    y = uniform.factors(300, [3, 4], rng)
    z = np.column_stack([uniform.standardize(y, [3, 4]), np.full(300, 2.5)])
    # a classifier on a constant code predicts one class for every point, so its accuracy is
    # the test frequency of some class
    s = sap_score_matrix(z[:200], y[:200], z[200:], y[200:])
    for k in range(2):
        freqs = [np.mean(y[200:, k] == c) for c in range([3, 4][k])]
        assert min(abs(s[2, k] - f) for f in freqs) < 1e-12


def test_sap_argument_errors():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(60, 3)), rng.integers(0, 2, (60, 2))
    with pytest.raises(ValueError, match="codes_test and factors_test"):
        sap(z, y)
    # continuous factors: real numbers (text is a type mistake, NaN a value mistake)
    with pytest.raises(TypeError, match="factors_train must be an array of real numbers"):
        sap(z, y.astype(str), continuous_factors=True)
    with pytest.raises(ValueError, match="factors_train contains 2 non-finite"):
        sap(z, np.where(np.arange(60)[:, None] == 3, np.nan, y), continuous_factors=True)
    # rng is optional but, when given, a Generator (a ValueError before the move)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        sap(z, y, z, y, rng=np.random.RandomState(0))
    with pytest.raises(TypeError, match="n_jobs must be an integer; got 2.0"):
        sap(z, y, z, y, n_jobs=2.0)
    with pytest.raises(ValueError, match="n_jobs must be None, positive, or negative"):
        sap_score_matrix(z, y, z, y, n_jobs=0)


def test_sap_matches_reference(reference_case):
    r = reference_case
    # continuous: squared correlations from moments summed in another order (observed 4e-15)
    assert sap(r.ztr, r.ytr, continuous_factors=True) == pytest.approx(
        r.value("sap_continuous"), abs=1e-12
    )
    # discrete: the same deterministic liblinear (primal) fits, accuracies are counts / 5000
    assert sap(r.ztr, r.ytr, r.zte, r.yte, rng=np.random.default_rng(0)) == pytest.approx(
        r.value("sap_discrete"), abs=1e-12
    )
