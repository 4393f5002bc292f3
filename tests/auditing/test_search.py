"""Twin search: Givens rotations, Procrustes starts, determinism, budgets that only widen."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from impossibility.auditing import audit
from impossibility.auditing.search import givens, haar_starts, procrustes_alignment


def test_givens_is_a_rotation_in_one_plane():
    g = givens(4, 1, 3, 0.3)
    np.testing.assert_allclose(g @ g.T, np.eye(4), atol=1e-15)
    assert np.linalg.det(g) == pytest.approx(1.0)
    untouched = [0, 2]
    np.testing.assert_array_equal(g[np.ix_(untouched, untouched)], np.eye(2))
    # composing +θ and −θ gives the identity, two ways of writing the inverse
    np.testing.assert_allclose(givens(4, 1, 3, -0.3) @ g, np.eye(4), atol=1e-15)


def test_haar_starts_are_orthogonal_and_reproducible():
    a = haar_starts(5, 3, np.random.default_rng(0))
    b = haar_starts(5, 3, np.random.default_rng(0))
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
        np.testing.assert_allclose(x @ x.T, np.eye(5), atol=1e-12)


def test_procrustes_undoes_a_rotation_and_is_equivariant(aligned):
    z, y = aligned
    q = stats.ortho_group.rvs(3, random_state=1)
    a = procrustes_alignment(z @ q.T, y)
    # the twin codes z Qᵀ Aᵀ are the aligned codes: A ≈ Q (the noise is 5 % of a unit code)
    np.testing.assert_allclose(a @ q, np.eye(3), atol=0.02)
    # equivariance: same twin whether the codes were rotated first or not
    np.testing.assert_allclose(a, procrustes_alignment(z, y) @ q.T, atol=1e-12)


def test_same_rng_same_report(aligned):
    z, y = aligned
    kw = dict(metrics=["mig", "modularity"], budget=30)
    r1 = audit(z, y, rng=np.random.default_rng(5), **kw)
    r2 = audit(z, y, rng=np.random.default_rng(5), **kw)
    assert r1.to_dict() == r2.to_dict()
    r3 = audit(z, y, rng=np.random.default_rng(6), **kw)
    assert r3.to_dict() != r1.to_dict()  # the seed matters (starts, plane order)


@pytest.mark.parametrize("budgets", [(10, 25, 60)])
def test_more_budget_only_widens(aligned, budgets):
    z, y = aligned
    reports = [
        audit(
            z @ stats.ortho_group.rvs(3, random_state=2).T,
            y,
            metrics=["mig", "modularity"],
            budget=b,
            rng=np.random.default_rng(3),
        )
        for b in budgets
    ]
    for small, large in zip(reports, reports[1:], strict=False):
        for name in small.names:
            assert large[name].lowest <= small[name].lowest
            assert large[name].highest >= small[name].highest
            assert large[name].evaluations >= small[name].evaluations
    # and the largest budget did move something (otherwise the test would be vacuous)
    first, last = reports[0], reports[-1]
    assert any(
        last[m].lowest < first[m].lowest or last[m].highest > first[m].highest for m in first.names
    )


def test_budget_too_small_is_refused(aligned):
    z, y = aligned
    with pytest.raises(ValueError, match="budget = 3 is too small"):
        audit(z, y, metrics=["mig"], budget=3, rng=np.random.default_rng(0))
