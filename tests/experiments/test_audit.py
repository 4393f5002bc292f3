"""experiments/audit.py (quick): intervals contain the observed values; twins keep the ELBO."""

from __future__ import annotations

import pytest

from impossibility._io import read_json
from impossibility.auditing import AuditReport
from impossibility.tools.reproduce import run_experiments


@pytest.mark.slow
def test_audit_experiment_quick(tmp_path):
    run_experiments(out=tmp_path, quick=True, only=["audit"], log=lambda m: None)
    res = read_json(tmp_path / "quick" / "results" / "audit.json")["results"]
    assert (tmp_path / "quick" / "audit.png").is_file()
    for name in ("true_factors", "sprite_vae", "study_best"):
        rep = AuditReport.from_dict(res[name]["report"])
        for m in rep.metrics:
            assert m.lowest <= m.observed <= m.highest
        for c in rep.likelihood:  # the two VAEs: every extremal twin has the model's ELBO
            assert c["max_abs_elbo_difference"] < 1e-9
    true = AuditReport.from_dict(res["true_factors"]["report"])
    assert true["mig"].observed > 0.9 and true["mig"].lowest < 0.5
