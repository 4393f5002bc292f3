"""audit(): the issue's checks on codes whose answer is known, and its input validation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility.auditing import audit
from impossibility.metrics import mig, modularity

# Search tolerance on 1,000 rows. The maximum starts from the Procrustes alignment, which is
# equivariant, and is found to within 3e-4 of the aligned score here; the minimum starts from
# Haar draws, which differ between equivalent codes, and agrees to within 0.04. TOL and the 0.05
# below leave room for other seeds.
TOL = 0.02
METRICS = ["mig", "modularity"]


def _haar_values(z, y, fn, count, seed):
    return [fn(z @ a.T, y) for a in stats.ortho_group.rvs(z.shape[1], count, random_state=seed)]


def test_true_factors_highest_is_observed_lowest_below_typical_twin(aligned):
    z, y = aligned
    r = audit(z, y, metrics=METRICS, budget=60, rng=np.random.default_rng(0))
    for name, fn in (("mig", mig), ("modularity", modularity)):
        m = r[name]
        # the observed value is the metric's own, computed independently here
        assert m.observed == pytest.approx(fn(z, y), abs=1e-12)
        assert m.highest == pytest.approx(m.observed, abs=TOL)
        assert m.lowest <= np.median(_haar_values(z, y, fn, 20, 1))
        assert m.lowest <= m.observed <= m.highest


def test_search_undoes_a_random_rotation(aligned):
    z, y = aligned
    rot = stats.ortho_group.rvs(3, random_state=7)
    r = audit(z @ rot.T, y, metrics=METRICS, budget=60, rng=np.random.default_rng(1))
    assert r["mig"].observed < mig(z, y) - 0.3  # the rotation really entangled the codes
    assert r["mig"].highest == pytest.approx(mig(z, y), abs=TOL)
    assert r["modularity"].highest == pytest.approx(modularity(z, y), abs=TOL)
    # the twin found undoes R up to a signed permutation: |A R| is close to a permutation
    p = np.abs(r["mig"].highest_twin @ rot)
    np.testing.assert_allclose(np.sort(p, axis=1)[:, -1], 1.0, atol=0.05)


def test_interval_is_a_property_of_the_equivalence_class(aligned):
    z, y = aligned
    q = stats.ortho_group.rvs(3, random_state=11)
    base = audit(z, y, metrics=METRICS, budget=60, rng=np.random.default_rng(2))
    turned = audit(z @ q.T, y, metrics=METRICS, budget=60, rng=np.random.default_rng(2))
    for name in METRICS:
        assert turned[name].highest == pytest.approx(base[name].highest, abs=TOL)
        assert turned[name].lowest == pytest.approx(base[name].lowest, abs=0.05)


def test_twin_values_are_the_metric_of_the_twin_codes(aligned):
    z, y = aligned
    r = audit(z, y, metrics=["mig", "sap"], budget=20, rng=np.random.default_rng(3))
    m = r["mig"]
    assert m.lowest == pytest.approx(mig(z @ m.lowest_twin.T, y), abs=1e-12)
    for a in (m.lowest_twin, m.highest_twin):
        np.testing.assert_allclose(a @ a.T, np.eye(3), atol=1e-12)
    assert r["sap"].lowest <= r["sap"].observed <= r["sap"].highest


def test_subsampled_search_reports_all_rows(make_aligned):
    z, y = make_aligned(3000, 3, 4)
    r = audit(z, y, metrics=["mig"], budget=20, search_rows=500, rng=np.random.default_rng(0))
    assert r.search_rows == 500 and r.n == 3000
    m = r["mig"]
    assert m.observed == pytest.approx(mig(z, y), abs=1e-12)
    assert m.lowest == pytest.approx(mig(z @ m.lowest_twin.T, y), abs=1e-12)


def test_export_and_default_metrics(aligned):
    z, y = aligned
    r = im.audit(z, y, budget=12, rng=np.random.default_rng(0))
    assert r.names == ["mig", "sap", "modularity"]
    assert isinstance(r, im.AuditReport)


@pytest.mark.parametrize(
    ("codes", "factors", "kind", "match"),
    [
        (np.full((10, 2), np.nan), np.zeros((10, 2), int), ValueError, "NaN|finite"),
        (np.zeros((10, 2)), np.zeros((9, 2), int), ValueError, "rows|same number"),
        (np.zeros((10, 2)), np.full((10, 2), 0.5), ValueError, "integer class labels"),
        (np.zeros((10, 1)), np.zeros((10, 2), int), ValueError, "at least 2 dimensions"),
        (np.zeros(10), np.zeros((10, 2), int), ValueError, "2-D"),
        (np.array([["a", "b"]]), np.zeros((1, 2), int), TypeError, "codes"),
    ],
)
def test_bad_arrays_are_refused(codes, factors, kind, match):
    with pytest.raises(kind, match=match):
        audit(codes, factors, rng=np.random.default_rng(0))


def test_progress_bar_does_not_change_the_report(aligned, capsys):
    z, y = aligned
    kw = dict(metrics=["mig"], budget=12)
    shown = audit(z, y, rng=np.random.default_rng(0), progress=True, **kw)
    assert "audit" in capsys.readouterr().err  # the bar went to stderr
    hidden = audit(z, y, rng=np.random.default_rng(0), progress=False, **kw)
    assert shown.to_dict() == hidden.to_dict()
    assert capsys.readouterr().err == ""


def test_bad_arguments_are_refused(aligned):
    z, y = aligned
    with pytest.raises(ValueError, match="unknown metric 'nope'"):
        audit(z, y, metrics=["nope"], rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng"):
        audit(z, y, rng=np.random.RandomState(0))
    with pytest.raises(TypeError, match="budget"):
        audit(z, y, budget=10.0, rng=np.random.default_rng(0))
