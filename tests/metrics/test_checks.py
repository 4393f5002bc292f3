"""Argument checks at the boundary of every public metric (impossibility.metrics._checks):
scikit-learn's rule, ``TypeError`` for a wrong type and ``ValueError`` for a wrong value, with
messages that name the argument and quote what was given."""

import numpy as np
import pytest

from impossibility.metrics import (
    dci,
    dci_importance_matrix,
    discrete_mutual_info,
    explicitness,
    gaussian_total_correlation,
    mean_pairwise_mutual_info,
    mig,
    modularity,
    sap,
    unsupervised_scores,
)


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
        lambda: mig(z, y),
        lambda: modularity(z, y),
        lambda: dci(z, y, z, y, rng=rng),
        lambda: sap(z, y, z, y),
        lambda: sap(z, y, continuous_factors=True),
        lambda: explicitness(z, y, z, y),
        lambda: gaussian_total_correlation(z),
        lambda: unsupervised_scores(z),
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
    # an int as rng is a type mistake: TypeError (it was a ValueError before the move)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        dci(z, y, z, y, rng=0)
    with pytest.raises(ValueError, match="codes_test and factors_test"):
        sap(z, y)
    with pytest.raises(ValueError, match="never occur in the training set"):
        explicitness(z, y, z, y + 1)
    with pytest.raises(ValueError, match="at least one sample"):
        mig(np.zeros((0, 3)), np.zeros((0, 2), int))


def test_codes_of_the_wrong_type_are_a_type_error():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(60, 3)), rng.integers(0, 2, (60, 2))
    text = z.astype(str)
    objects = np.array(z, dtype=object)
    with pytest.raises(TypeError, match="codes must be an array of real numbers; got dtype <U"):
        mig(text, y)
    with pytest.raises(TypeError, match="codes must be an array of real numbers; got dtype obj"):
        modularity(objects, y)
    with pytest.raises(TypeError, match="codes_train must be an array of real numbers"):
        dci(text, y, z, y, rng=rng)
    with pytest.raises(TypeError, match="codes_test must be an array of real numbers"):
        explicitness(z, y, objects, y)
    with pytest.raises(TypeError, match="codes must be an array of real numbers"):
        unsupervised_scores(z + 0j)


def test_factors_of_the_wrong_type_are_a_type_error():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(60, 3)), rng.integers(0, 2, (60, 2))
    with pytest.raises(TypeError, match="factors must be an array of real numbers; got dtype <U"):
        mig(z, y.astype(str))
    with pytest.raises(TypeError, match="factors_test must be an array of real numbers"):
        sap(z, y, z, np.array(y, dtype=object))
    # whole floats and booleans are class labels
    assert mig(z, y.astype(float)) == mig(z, y)
    assert modularity(z, y.astype(bool)) == modularity(z, y)


def test_counts_and_generators_of_the_wrong_type_are_a_type_error():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(60, 3)), rng.integers(0, 2, (60, 2))
    with pytest.raises(TypeError, match="num_bins must be an integer; got 20.0"):
        mig(z, y, num_bins=20.0)
    with pytest.raises(TypeError, match="num_bins must be an integer; got '20'"):
        modularity(z, y, num_bins="20")
    with pytest.raises(ValueError, match="num_bins must be an integer >= 2; got 1"):
        mean_pairwise_mutual_info(z, num_bins=1)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator.*RandomState"):
        dci_importance_matrix(z, y, z, y, rng=np.random.RandomState(0))
    with pytest.raises(TypeError, match="n_jobs must be an integer; got 1.0"):
        dci(z, y, z, y, rng=rng, n_jobs=1.0)


def test_mismatched_rows_of_labels():
    with pytest.raises(ValueError, match=r"same number of samples.*'a': 5, 'b': 6"):
        discrete_mutual_info(np.zeros((5, 1), int), np.zeros((6, 1), int))


def test_float_labels_beyond_int64_keep_their_classes():
    # issue 11: labels ≥ 2⁶³ all became the same int64 in the cast, merging classes (mig 0.572
    # instead of 0.522). Two ways: the labels themselves, and a score that must not change.
    from impossibility.metrics import mig
    from impossibility.metrics._checks import as_factors, as_split

    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, size=(300, 2))
    z = y + 0.3 * rng.standard_normal((300, 2))
    big = y.astype(np.float64) * 2.0**63 + 2.0**63
    encoded = as_factors(big)
    assert [len(np.unique(encoded[:, k])) for k in range(2)] == [4, 4]
    assert mig(z, big) == mig(z, y)
    # a split is ranked jointly, so a label means the same class in train and test
    _, ytr, _, yte = as_split(z[:200], big[:200], z[200:], big[200:])
    np.testing.assert_array_equal(np.concatenate([ytr, yte]), encoded)
