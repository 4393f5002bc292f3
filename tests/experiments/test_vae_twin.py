"""experiments/vae_twin.py and vae_twin_traversals.py: their quick runs state what the figures
claim."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility._io import unpack_uint8


def test_vae_twin_elbo_identical_sample_by_sample(vae_quick_results):
    res = vae_quick_results[0]["vae_twin"]
    for prior in ("normal", "logistic"):
        r = res[prior]
        # common random numbers: only rounding in f, f⁻¹ and log|det J_f| separates the two models
        # (observed ~1e-13 for images of 256 Bernoulli pixels); a wrong twin differs by O(1) nats
        assert max(r["crn_max_abs_diff"].values()) < 1e-10
        # independent draws: the paired difference is Monte-Carlo noise, within 5 standard errors;
        # common random numbers: the paired difference the figure shows is rounding
        for key in ("elbo", "log_px", "rec", "kl"):
            m, se = r[key]["paired_diff"]
            assert abs(m) <= 5 * se + 1e-12
            mc, sec = r[key]["crn_paired_diff"]
            assert abs(mc) <= r["crn_max_abs_diff"][key if key != "elbo" else "elbo_samples"]
            assert sec < 1e-10 < se
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


def test_traversal_shares_and_their_intervals(vae_quick_results):
    res, _ = vae_quick_results
    tr, twin = res["vae_twin_traversals"], res["vae_twin"]
    np.testing.assert_array_equal(tr["A"], twin["A"])  # the same twin as vae_twin's
    assert tr["loaded_from_cache"]  # ... of the same stored VAE
    share = tr["share"]
    per_m, per_t = np.asarray(share["per_base_model"]), np.asarray(share["per_base_twin"])
    assert len(per_m) == share["n_bases"] == len(per_t)
    assert np.all((per_m >= 1 / 3 - 1e-12) & (per_m <= 1 + 1e-12))  # a share lies in [1/3, 1]
    for key, v in (("model", per_m), ("twin", per_t), ("model_minus_twin", per_m - per_t)):
        m, lo, hi = share[key]
        assert m == pytest.approx(v.mean(), abs=1e-12) and lo <= m <= hi
        assert v.min() <= lo and hi <= v.max()  # a bootstrap mean stays within the data
    d = len(tr["order"])
    imgs = unpack_uint8(tr["model"]["images"])
    assert imgs.shape[:2] == (d, len(tr["ts"])) and unpack_uint8(tr["twin"]["images"]).shape == (
        imgs.shape
    )
