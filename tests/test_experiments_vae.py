"""experiments/vae_twin.py and experiments/headline_metrics.py: their quick runs state what the
figures claim, the true-factor lookup is exact, and the two experiments share one trained VAE."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from impossibility.data import ProceduralSprites
from impossibility.tools.reproduce import read_json, run_experiments

ROOT = Path(__file__).resolve().parents[1]


def _module(name: str):
    spec = importlib.util.spec_from_file_location(
        f"_exp_{name}", ROOT / "experiments" / f"{name}.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    # vae_twin first: headline_metrics must find and reuse its cached normal-prior VAE
    run_experiments(out=out, quick=True, only=["vae_twin", "headline_metrics"], log=lambda m: None)
    return {
        name: read_json(out / "results" / f"{name}.quick.json")["results"]
        for name in ("vae_twin", "headline_metrics")
    }, out


def test_vae_twin_elbo_identical_sample_by_sample(quick_results):
    res = quick_results[0]["vae_twin"]
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


def test_vae_twin_ground_truth_traversals(quick_results, tmp_path):
    res = quick_results[0]["vae_twin"]
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
    vt = _module("vae_twin")
    gt = vt._unpack(res["ground_truth_sprites"]["model"]["images"])  # (4 factors, T, P, P)
    twin_gt = vt._unpack(res["ground_truth_sprites"]["twin"]["images"])
    T = gt.shape[1]
    assert gt.shape[0] == 4 and twin_gt.shape == gt.shape
    # t = 0 is the same latent point (f(0) = 0) for both generators: the same image
    np.testing.assert_array_equal(gt[:, T // 2], twin_gt[:, T // 2])


def test_headline_likelihood_equal_metrics_differ(quick_results):
    res = quick_results[0]["headline_metrics"]
    assert res["continuous"]["likelihood"]["max_abs_diff"] < 1e-10  # exact change of variables
    vae = res["sprites_vae"]["likelihood"]
    assert vae["max_abs_diff"] < 1e-10 and vae["max_abs_diff_log_px"] < 1e-10
    assert abs(res["sprites_true"]["likelihood"]["z_score"]) < 5  # Monte Carlo agreement
    for pair in ("continuous", "sprites_true"):
        m, t = res[pair]["metrics"]["model"], res[pair]["metrics"]["twin"]
        # the true factors give a high MIG; their image under a completely entangling f a low one
        # (quick sizes: observed 0.67 vs 0.15 and 0.77 vs 0.11; 0.3 leaves ample room for noise)
        assert m["mig"] - t["mig"] > 0.3
        assert m["factor_vae_eval_accuracy"] > t["factor_vae_eval_accuracy"]


def test_headline_reuses_the_vae_of_vae_twin(quick_results):
    res, out = quick_results
    assert res["headline_metrics"]["sprites_vae"]["loaded_from_cache"]
    assert (
        res["headline_metrics"]["sprites_vae"]["final_train_elbo"]
        == res["vae_twin"]["normal"]["final_train_elbo"]
    )
    assert list((out / "cache" / "quick" / "vae_twin").glob("sprite_vae_normal_*.npz"))
    # ... and the same twin: the same completely entangling rotation A
    np.testing.assert_array_equal(res["headline_metrics"]["sprites_vae"]["A"], res["vae_twin"]["A"])


def test_true_factor_lookup_is_exact():
    hm = _module("headline_metrics")
    data = ProceduralSprites(num_scales=2, num_orientations=4, num_positions=5, image_size=16)
    rng = np.random.default_rng(3)
    oracle = hm._TrueFactors(data, rng)
    factors = data.sample_factors(300, rng)
    images = data.sample_observations_from_factors(factors, rng)
    found = oracle.factors(images)
    # the recovered factors render the very same image (symmetric shapes: same image, other angle)
    np.testing.assert_array_equal(data.sample_observations_from_factors(found, rng), images)
    # an image rendered by one combination only gives back exactly that combination
    flat = np.ravel_multi_index(factors.T, tuple(data.factors_num_values))
    unique = np.bincount(oracle.canonical)[oracle.canonical[flat]] == 1
    assert unique.sum() > 50  # observed 77 of 300: squares, ellipses and small sprites collide
    np.testing.assert_array_equal(found[unique], factors[unique])
    with pytest.raises(ValueError, match="not a render"):
        oracle.factors(np.zeros((1, 16, 16, 1)) + np.eye(16)[None, :, :, None])


def test_squash_log_jacobian_matches_finite_differences():
    hm = _module("headline_metrics")
    x = np.array([[0.03, 0.5, 0.91], [0.2, 0.77, 0.4999]])
    ls, y = hm._log_squash_jacobian(x)
    h = 1e-7
    ya = hm._log_squash_jacobian(x + h)[1]
    yb = hm._log_squash_jacobian(x - h)[1]
    fd = np.log(np.abs((ya - yb) / (2 * h))).sum(axis=1)
    # central differences: rounding error ~ε/h ≈ 1e-9 relative dominates the O(h²) truncation
    np.testing.assert_allclose(ls, fd, rtol=1e-6)
    np.testing.assert_allclose(0.5 + 0.5 * y / np.hypot(1, y), x, atol=1e-15)
