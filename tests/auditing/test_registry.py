"""The metric registry: names, aliases, one-line registration of a new metric."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility.auditing import METRICS, audit, get_metrics, register_metric


def test_default_and_aliases():
    assert list(get_metrics(None)) == ["mig", "sap", "modularity"]
    assert list(get_metrics("mig, dci")) == ["mig", "dci_disentanglement"]
    with pytest.raises(TypeError, match="strings"):
        get_metrics([1])
    with pytest.raises(ValueError, match="at least one"):
        get_metrics("")


def test_a_new_metric_is_one_line(make_aligned):
    z, y = make_aligned(400, 3, 1)
    # the absolute correlation of code 0 with factor 0: a score twins can move anywhere in [0, 1]
    register_metric("corr00", lambda c, f, rng: abs(np.corrcoef(c[:, 0], f[:, 0])[0, 1]))
    try:
        r = audit(z, y, metrics=["corr00"], budget=40, rng=np.random.default_rng(0))
        assert r["corr00"].highest > 0.95 and r["corr00"].lowest < 0.05
    finally:
        del METRICS["corr00"]
    with pytest.raises(TypeError, match="callable"):
        register_metric("bad", 3)
