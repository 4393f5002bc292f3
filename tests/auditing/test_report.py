"""AuditReport: JSON round trip, table, lookup."""

from __future__ import annotations

import json

import numpy as np
import pytest

from impossibility.auditing import AuditReport, audit


@pytest.fixture(scope="module")
def report(aligned):
    z, y = aligned
    return audit(z, y, metrics=["mig", "modularity"], budget=12, rng=np.random.default_rng(0))


def test_json_round_trip(report, tmp_path):
    path = report.to_json(tmp_path / "r.json")
    back = AuditReport.from_json(path)
    assert back.to_dict() == report.to_dict()
    np.testing.assert_array_equal(back["mig"].lowest_twin, report["mig"].lowest_twin)
    assert json.loads(path.read_text())["note"].startswith("lowest/highest are the extremes FOUND")


def test_summary_and_lookup(report):
    text = report.summary()
    for name in report.names:
        line = next(s for s in text.splitlines() if s.startswith(name))
        assert f"{report[name].observed:.4f}" in line and f"{report[name].lowest:.4f}" in line
    assert "inner bound" in text
    assert report["mig"].width == report["mig"].highest - report["mig"].lowest
    with pytest.raises(KeyError, match="no metric 'sap'"):
        report["sap"]
