"""DCI disentanglement, completeness and informativeness (impossibility.metrics.dci): the
importance-matrix formulas by hand, a perfect vs a rotated code, reproducibility, a constant code
and disentanglement_lib's values (slow)."""

import joblib
import numpy as np
import pytest
from scipy import stats

from impossibility.metrics import dci, dci_from_importance, dci_importance_matrix


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


def test_dci_from_importance_errors():
    with pytest.raises(ValueError, match="D >= 2 codes and K >= 2 factors"):
        dci_from_importance(np.ones((1, 3)))
    with pytest.raises(ValueError, match="finite and non-negative"):
        dci_from_importance(-np.eye(2))
    # text is a type mistake (a ValueError before the move)
    with pytest.raises(TypeError, match="importance must be an array of real numbers"):
        dci_from_importance([["a", "b"], ["c", "d"]])


def test_dci_perfect_vs_rotation_and_n_jobs(codes_and_factors):
    n = 400
    y = codes_and_factors["y"][:n, :3]
    yt = codes_and_factors["y"][n : n + 300, :3]
    ident = codes_and_factors["identity"][:, :3]
    rot = ident @ stats.ortho_group.rvs(3, random_state=np.random.default_rng(9)).T
    good = dci(ident[:n], y, ident[n : n + 300], yt, rng=np.random.default_rng(0))
    bad = dci(rot[:n], y, rot[n : n + 300], yt, rng=np.random.default_rng(0))
    assert good.disentanglement > 0.9 and good.completeness > 0.9
    assert good.informativeness_test > 0.95
    assert bad.disentanglement < 0.6 and bad.completeness < 0.6
    np.testing.assert_allclose(good.importance_matrix.sum(axis=0), 1.0, atol=1e-12)
    # same rng -> same result, whether the per-factor fits run in parallel or not (threads here
    # to keep the test fast; the seeds are drawn before any fit, so the backend is irrelevant)
    with joblib.parallel_config(backend="threading"):
        again = dci(ident[:n], y, ident[n : n + 300], yt, rng=np.random.default_rng(0), n_jobs=2)
    assert again.as_dict() == good.as_dict()
    # the importance matrix alone is the same computation
    imp, acc_tr, acc_te = dci_importance_matrix(
        ident[:n], y, ident[n : n + 300], yt, rng=np.random.default_rng(0)
    )
    np.testing.assert_array_equal(imp, good.importance_matrix)
    np.testing.assert_array_equal(acc_te, good.accuracy_test)


def test_dci_permuting_codes_permutes_importances(codes_and_factors):
    n = 400
    y = codes_and_factors["y"][:n, :2]
    yt = codes_and_factors["y"][n : n + 200, :2]
    z = codes_and_factors["rotation"][:, :3]
    a = dci(z[:n], y, z[n : n + 200], yt, rng=np.random.default_rng(3))
    p = [2, 0, 1]
    b = dci(z[:n, p], y, z[n : n + 200, p], yt, rng=np.random.default_rng(3))
    # The trees visit features in a random order and keep the first of equally good splits, so
    # a permutation changes tie-breaking (frequent in late boosting stages on small data);
    # measured: importances move by up to 0.006, D by < 0.002. Tolerances: 0.02 and 0.01.
    np.testing.assert_allclose(b.importance_matrix, a.importance_matrix[p], atol=0.02)
    assert b.disentanglement == pytest.approx(a.disentanglement, abs=0.01)


def test_dci_gives_a_constant_code_no_importance(uniform):
    rng = np.random.default_rng(0)
    y = uniform.factors(300, [3, 4], rng)
    z = np.column_stack([uniform.standardize(y, [3, 4]), np.full(300, 2.5)])
    d = dci(z[:200], y[:200], z[200:], y[200:], rng=rng)
    assert d.importance_matrix[2].sum() == 0.0


@pytest.mark.slow
def test_dci_matches_reference(reference_case):
    r = reference_case
    d = dci(r.ztr, r.ytr, r.zte, r.yte, rng=np.random.default_rng(0), n_jobs=2)
    # Tree tie-breaking depends on the random state (global RNG in the reference): docs/metrics.md
    # §2.4 recommends comparing with a tolerance of about 1e-3 (observed here: <= 3e-4).
    assert d.disentanglement == pytest.approx(r.value("dci_disentanglement"), abs=1e-3)
    assert d.completeness == pytest.approx(r.value("dci_completeness"), abs=1e-3)
    assert d.informativeness_train == pytest.approx(r.value("dci_informativeness_train"), abs=1e-3)
    assert d.informativeness_test == pytest.approx(r.value("dci_informativeness_test"), abs=1e-3)
