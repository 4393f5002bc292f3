"""experiments/px_invariance.py (quick): equal log p(x), exactly and within Monte Carlo error."""

from __future__ import annotations

import numpy as np

from impossibility._io import read_json
from impossibility.tools.reproduce import run_experiments


def test_px_invariance_quick(tmp_path):
    run_experiments(out=tmp_path, quick=True, only=["px_invariance"], log=lambda m: None)
    res = read_json(tmp_path / "quick" / "results" / "px_invariance.json")["results"]
    assert res["invertible"]["max_abs_diff"] < 1e-10  # the change of variables, to rounding
    for part in res["noisy"]:
        dis, ent = part["disentangled"], part["entangled"]
        crn = part["entangled_crn"]
        # common random numbers: the twin on f of the model's draws gets the model's weights, up
        # to the rounding of f⁻¹(f(z)); a wrong twin would differ by Monte-Carlo noise (~1e-2)
        diff = np.abs(np.asarray(crn["is_estimate"]) - np.asarray(dis["is_estimate"]))
        np.testing.assert_array_equal(diff, part["crn_abs_diff"])
        assert diff.max() < 1e-12
        np.testing.assert_allclose(crn["is_stderr"], dis["is_stderr"], rtol=1e-9)
        # independent draws: agreement within Monte Carlo error (5 standard errors)
        z = (np.asarray(ent["is_estimate"]) - np.asarray(dis["is_estimate"])) / np.hypot(
            ent["is_stderr"], dis["is_stderr"]
        )
        np.testing.assert_allclose(z, part["is_zscore"])
        assert np.abs(z).max() < 5
