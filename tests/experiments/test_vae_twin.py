"""experiments/vae_twin.py: its quick run states what the figures claim."""

from __future__ import annotations

import numpy as np

from impossibility._io import unpack_uint8


def test_vae_twin_elbo_identical_sample_by_sample(vae_quick_results):
    res = vae_quick_results[0]["vae_twin"]
    for prior in ("normal", "logistic"):
        r = res[prior]
        # common random numbers: only rounding in f, f⁻¹ and log|det J_f| separates the two models
        # (observed ~1e-13 for images of 256 Bernoulli pixels); a wrong twin differs by O(1) nats
        assert max(r["crn_max_abs_diff"].values()) < 1e-10
        # independent draws: the paired difference is Monte-Carlo noise, within 5 standard errors
        for key in ("elbo", "log_px"):
            m, se = r[key]["paired_diff"]
            assert abs(m) <= 5 * se + 1e-12
    assert res["normal"]["twin_is_affine"] and not res["logistic"]["twin_is_affine"]
    assert (
        res["normal"]["crn_max_abs_diff"]["analytic_kl"] < 1e-10
    )  # rotation-invariant closed form


def test_vae_twin_ground_truth_traversals(vae_quick_results, tmp_path):
    res = vae_quick_results[0]["vae_twin"]
    mix = res["ground_truth_mixing"]
    ts = np.asarray(mix["ts"])
    model = np.asarray(mix["model"]["true_factors"])  # (latent i, t, factor j)
    twin = np.asarray(mix["twin"]["true_factors"])
    K = model.shape[0]
    for i in range(K):
        # the model: traversing latent i moves factor i exactly (g⁻¹∘g = id) and nothing else
        np.testing.assert_allclose(model[i, :, i], ts, atol=1e-9)
        others = np.delete(model[i], i, axis=1)
        assert np.abs(others).max() < 1e-9
        # the twin: every factor moves (all Jacobian entries of f⁻¹ are nonzero)
        assert np.ptp(twin[i], axis=0).min() > 1e-2
    assert mix["log_px_max_abs_diff"] < 1e-10
    gt = unpack_uint8(res["ground_truth_sprites"]["model"]["images"])  # (4 factors, T, P, P)
    twin_gt = unpack_uint8(res["ground_truth_sprites"]["twin"]["images"])
    T = gt.shape[1]
    assert gt.shape[0] == 4 and twin_gt.shape == gt.shape
    # t = 0 is the same latent point (f(0) = 0) for both generators: the same image
    np.testing.assert_array_equal(gt[:, T // 2], twin_gt[:, T // 2])
