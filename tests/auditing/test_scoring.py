"""Incremental scores after a Givens move equal the metric's own value on the moved twin."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from impossibility.auditing import METRICS
from impossibility.auditing.representation import twin_codes
from impossibility.auditing.scoring import Scorer
from impossibility.auditing.search import givens


@pytest.mark.parametrize("name", ["mig", "modularity", "sap"])
def test_move_equals_full_evaluation(make_aligned, name):
    z, y = make_aligned(600, 4, 9, noise=0.3)
    twins = twin_codes(z, None, None, np.random.default_rng(0))
    metric = METRICS[name]
    fast = Scorer(twins, y, metric.fn, metric.per_code, seed=123)
    slow = Scorer(twins, y, metric.fn, None, seed=123)
    a = stats.ortho_group.rvs(4, random_state=0)
    value, state = fast.start(a)
    assert value == pytest.approx(slow.value(a), abs=1e-12)
    rng = np.random.default_rng(1)
    for _ in range(4):  # a short walk: each step reuses the previous state
        i, j = sorted(rng.choice(4, 2, replace=False))
        a = givens(4, i, j, rng.uniform(-0.5, 0.5)) @ a
        value, state = fast.move(a, state, int(i), int(j))
        assert value == pytest.approx(slow.value(a), abs=1e-12)


def _runs(make_aligned, names):
    z, y = make_aligned(300, 3, 2)
    for name in names:
        v = METRICS[name].fn(z, y, np.random.default_rng(0))
        assert np.isfinite(v), name
        assert v == METRICS[name].fn(z, y, np.random.default_rng(0)), f"{name} not deterministic"


def test_fast_registered_metrics_run_on_arrays(make_aligned):
    _runs(make_aligned, [n for n, m in METRICS.items() if m.fast])


@pytest.mark.slow
def test_slow_registered_metrics_run_on_arrays(make_aligned):
    _runs(make_aligned, [n for n, m in METRICS.items() if not m.fast])
