"""Explicitness (impossibility.metrics.explicitness) and the shared standardisation: a constant
code, labels missing from a split and disentanglement_lib's values."""

import numpy as np
import pytest

from impossibility.metrics import explicitness
from impossibility.metrics.explicitness import standardize


def test_standardize_uses_training_statistics_and_leaves_constant_codes_unscaled():
    rng = np.random.default_rng(0)
    train = np.column_stack([rng.normal(3.0, 2.0, 50), np.full(50, 7.0)])
    test = rng.normal(size=(20, 2))
    s_tr, s_te = standardize(train, test)
    np.testing.assert_allclose(s_tr[:, 0].mean(), 0.0, atol=1e-14)
    np.testing.assert_allclose(s_tr[:, 0].std(), 1.0, atol=1e-14)
    np.testing.assert_array_equal(s_tr[:, 1], 0.0)  # centred, divided by 1
    mean, std = train.mean(axis=0), np.where(train.std(axis=0) > 0, train.std(axis=0), 1.0)
    np.testing.assert_array_equal(s_te, (test - mean) / std)
    assert standardize(train)[1] is None


def test_explicitness_of_a_constant_code_is_finite(uniform):
    rng = np.random.default_rng(0)
    y = uniform.factors(300, [3, 4], rng)
    z = np.column_stack([uniform.standardize(y, [3, 4]), np.full(300, 2.5)])
    e = explicitness(z[:200], y[:200], z[200:], y[200:])  # constant code: centred, not scaled
    assert np.isfinite(e.train) and e.test > 0.9
    assert e.as_dict() == {"explicitness_train": e.train, "explicitness_test": e.test}
    np.testing.assert_allclose(e.auc_test.mean(), e.test, rtol=0, atol=1e-15)


def test_explicitness_label_errors():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(60, 3)), rng.integers(0, 2, (60, 2))
    with pytest.raises(ValueError, match="never occur in the training set"):
        explicitness(z, y, z, y + 1)
    y1 = np.column_stack([y[:, 0], np.full(60, 1)])
    with pytest.raises(ValueError, match="factor 1 takes the single value"):
        explicitness(z[:40], y1[:40], z[40:], y1[40:])


def test_explicitness_matches_reference(reference_case):
    r = reference_case
    e = explicitness(r.ztr, r.ytr, r.zte, r.yte)
    # lbfgs is deterministic; same scikit-learn version as the reference run. 1e-9 leaves room
    # for BLAS-dependent rounding in the optimiser (observed: identical).
    assert e.train == pytest.approx(r.value("explicitness_train"), abs=1e-9)
    assert e.test == pytest.approx(r.value("explicitness_test"), abs=1e-9)
