"""experiments/headline_metrics.py: equal likelihoods, different metrics, one shared VAE."""

from __future__ import annotations

import numpy as np


def test_headline_likelihood_equal_metrics_differ(vae_quick_results):
    res = vae_quick_results[0]["headline_metrics"]
    assert res["continuous"]["likelihood"]["max_abs_diff"] < 1e-10  # exact change of variables
    vae = res["sprites_vae"]["likelihood"]
    assert vae["max_abs_diff"] < 1e-10 and vae["max_abs_diff_log_px"] < 1e-10
    lik = res["sprites_true"]["likelihood"]
    assert abs(lik["z_score"]) < 5  # independent draws: Monte Carlo agreement
    # common random numbers (the model's draws through f): the same bins, so the same estimate,
    # up to a draw within rounding of a bin edge (expected count ~1e-9 at these sizes)
    assert lik["crn"]["max_abs_diff"] < 1e-12 and lik["crn"]["n_identical"] == lik["n"]
    assert lik["crn"]["paired_diff"][1] < 1e-12 < lik["paired_diff"][1]
    for pair in ("continuous", "sprites_true"):
        m, t = res[pair]["metrics"]["model"], res[pair]["metrics"]["twin"]
        # the true factors give a high MIG; their image under a completely entangling f a low one
        # (quick sizes: observed 0.67 vs 0.15 and 0.77 vs 0.11; 0.3 leaves ample room for noise)
        assert m["mig"] - t["mig"] > 0.3
        assert m["factor_vae_eval_accuracy"] > t["factor_vae_eval_accuracy"]


def test_headline_reuses_the_vae_of_vae_twin(vae_quick_results):
    res, out = vae_quick_results
    assert res["headline_metrics"]["sprites_vae"]["loaded_from_cache"]
    assert (
        res["headline_metrics"]["sprites_vae"]["final_train_elbo"]
        == res["vae_twin"]["normal"]["final_train_elbo"]
    )
    # one entry of the shared model store serves both experiments
    assert len(list((out / "cache" / "models").glob("sprite_vae_normal_*.history.npz"))) == 1
    # ... and the same twin: the same completely entangling rotation A
    np.testing.assert_array_equal(res["headline_metrics"]["sprites_vae"]["A"], res["vae_twin"]["A"])
