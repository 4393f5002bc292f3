"""Audit three representations: how far MIG, SAP and modularity move at identical likelihood.

For each representation, ``impossibility.audit_model`` (or ``audit`` for the true factors)
searches the entangled twins (Theorem 1 with the N(0, I) prior: f(z) = Az, encoder mean Aμ(x),
decoder g ∘ Aᵀ) for the lowest and highest value of each score, and checks for every extremal
twin that its per-sample ELBO equals the model's (common noise) and that importance-weighted
log p(x) agrees within Monte Carlo error (independent draws).

1. **True factors** of the procedural sprites (3 shapes × 4 scales × 4 orientations × 12 × 12
   positions) in Gaussian coordinates Φ⁻¹((k + ½)/n): the model z ~ N(0, I₅), k = ⌊nΦ(z)⌋,
   x = render(k) of ``headline_metrics``.
2. **The trained sprite VAE** of ``vae_twin`` / ``headline_metrics`` (5 latents, N(0, I), 4,000
   steps; the same entry of the model store), on held-out factor combinations.
3. **The best study model by MIG** (``figures/results/study.json``: ``reproduce`` runs this
   experiment after the study and recomputes it when the study's results change): the
   configuration is retrained with the study's own seeds and settings
   (``impossibility.study.run.train_model``), and the MIG recomputed with the record's metric seed
   matches the record, which shows it is the same model; its codes are the encoder means of fresh
   draws of the data set.

The interval found is an inner bound of each score's range over twins.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

import impossibility as im
from impossibility.data import ProceduralSprites, gaussian_from_factors, holdout_split
from impossibility.tools.plotting import DISENTANGLED, ENTANGLED, figure_style, savefig
from impossibility.vae import VAE, sprite_vae_preset

DESCRIPTION = (
    "Audit: MIG, SAP and modularity of three representations, each with the interval found "
    "over twins of identical likelihood"
)
METRICS = ["mig", "sap", "modularity"]
LABELS = {"mig": "MIG", "sap": "SAP", "modularity": "modularity"}
#: Run after the study and recompute when its results change (the best model is read from them).
READS_RESULTS_OF = ("study",)

MODELS = ("true_factors", "sprite_vae", "study_best")
TITLES = {
    "true_factors": "true factors (sprites)",
    "sprite_vae": "trained sprite VAE",
    "study_best": "best study model by MIG",
}


def _sizes(quick: bool) -> dict:
    return (
        {"n": 500, "budget": 16, "check_rows": 50}
        if quick
        else {
            "n": 5000,
            "budget": 200,
            "check_rows": 256,
        }
    )


def _flat(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64).reshape(x.shape[0], -1)


def _audit_vae(vae: VAE, x: np.ndarray, y: np.ndarray, sz: dict, rng) -> dict:
    """audit_model through two lambdas: the decoder output is z itself, the likelihood the VAE's."""
    t0 = time.perf_counter()
    report = im.audit_model(
        lambda obs: vae.encode(obs),
        lambda z: z,
        x,
        y,
        prior=None,
        likelihood=lambda obs, z: vae.log_likelihood(obs, z),
        metrics=METRICS,
        budget=sz["budget"],
        check_rows=sz["check_rows"],
        rng=rng,
        progress=False,
    )
    return {"report": report.to_dict(), "seconds": time.perf_counter() - t0}


def _true_factors(ctx: Any, sz: dict) -> dict:
    data = ProceduralSprites(**sprite_vae_preset(ctx.quick).sprites)
    k = data.sample_factors(sz["n"], ctx.rng(1))
    codes = gaussian_from_factors(k, data.factors_num_values)
    t0 = time.perf_counter()
    report = im.audit(codes, k, metrics=METRICS, budget=sz["budget"], rng=ctx.rng(2))
    return {"report": report.to_dict(), "seconds": time.perf_counter() - t0, "data": repr(data)}


def _sprite_vae(ctx: Any, sz: dict) -> dict:
    # the sprite VAE of vae_twin and headline_metrics (same data, split, settings and seeds): one
    # entry of the model store, never trained twice
    cfg = sprite_vae_preset(ctx.quick)
    data = ProceduralSprites(**cfg.sprites)
    train_f, test_f = holdout_split(data, cfg.holdout, ctx.shared_rng(1))
    x_train = data.sample_observations_from_factors(train_f, np.random.default_rng(0))
    vae, _, cached = cfg.train_or_load(
        ctx.model_dir,
        x_train,
        ctx.shared_rng(10, 0),
        seed=ctx.seed,
        key=0,
        log=ctx.log,
    )
    rng = ctx.rng(3)
    y = test_f[rng.choice(len(test_f), size=min(sz["n"], len(test_f)), replace=False)]
    x = data.sample_observations_from_factors(y, rng)
    out = _audit_vae(vae, x, y, sz, ctx.rng(4))
    return {**out, "cached": bool(cached), "n_test_combinations": int(len(test_f))}


def _study_best(ctx: Any, sz: dict) -> dict:
    """Retrain the best study run by MIG with the study's own seeds and check it is the same."""
    from threadpoolctl import threadpool_limits

    from impossibility._io import read_json
    from impossibility.metrics import MetricSizes, evaluate_representation
    from impossibility.study import PRESETS, build_configs
    from impossibility.study.datasets import make_dataset
    from impossibility.study.run import train_model

    stored = ctx.figure_dir / "results" / "study.json"
    study = read_json(stored) if stored.is_file() else {"results": {"runs": []}}
    runs = study["results"]["runs"]
    best = max(runs, key=lambda r: r["mig"]) if runs else {}
    configs = build_configs(PRESETS["quick" if ctx.quick else "default"])
    match = [
        c
        for c in configs
        if best
        and (c.dataset, c.model, c.value, c.seed)
        == (best["dataset"], best["model"], best["value"], best["seed"])
    ]
    config = match[0] if match else configs[0]  # quick: the quick preset's first run
    t0 = time.perf_counter()
    with threadpool_limits(limits=1):
        vae, _, rngs = train_model(config)
    train_seconds = time.perf_counter() - t0
    data = make_dataset(config.dataset)
    s = config.settings

    def rep(obs: np.ndarray) -> np.ndarray:
        return vae.encode(_flat(obs))[0]

    mig_again = evaluate_representation(
        rep,
        data,
        rngs["metrics"],
        metrics=["mig"],
        sizes=MetricSizes(num_train=s.num_train, num_test=s.num_test, sample_batch_size=256),
    )["mig"]
    y, x = data.sample(sz["n"], ctx.rng(5))
    out = _audit_vae(vae, _flat(x), y, sz, ctx.rng(6))
    return {
        **out,
        "config": config.as_dict(),
        "record_mig": float(best["mig"]) if match else None,
        # the study results this choice was made from: rerun this experiment when they change
        "study_fingerprint": study.get("fingerprint"),
        "retrained_mig": float(mig_again),
        "train_seconds": train_seconds,
    }


def compute(ctx: Any) -> dict:
    sz = _sizes(ctx.quick)
    out = {"sizes": sz, "metrics": METRICS}
    for name, fn in (
        ("true_factors", _true_factors),
        ("sprite_vae", _sprite_vae),
        ("study_best", _study_best),
    ):
        out[name] = fn(ctx, sz)
        rep = im.AuditReport.from_dict(out[name]["report"])
        ctx.log(f"audit {name}: {out[name]['seconds']:.0f} s\n{rep.summary()}")
    return out


def plot(results: dict, ctx: Any) -> list:
    with figure_style():
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, len(MODELS), figsize=(12.5, 4.4), sharey=True)
        for ax, name in zip(axes, MODELS, strict=True):
            rep = im.AuditReport.from_dict(results[name]["report"])
            xs = np.arange(len(METRICS))
            for x, m in zip(xs, METRICS, strict=True):
                a = rep[m]
                ax.vlines(
                    x,
                    a.lowest,
                    a.highest,
                    color=ENTANGLED,
                    lw=6,
                    alpha=0.45,
                    label="range over twins found" if x == 0 else None,
                )
                ax.plot(
                    x,
                    a.observed,
                    "o",
                    color=DISENTANGLED,
                    ms=8,
                    label="observed" if x == 0 else None,
                )
                ax.text(x + 0.12, a.highest, f"{a.highest:.2f}", fontsize=7, va="bottom")
                ax.text(
                    x - 0.12,
                    a.observed,
                    f"{a.observed:.2f}",
                    fontsize=7,
                    ha="right",
                    va="center",
                    color=DISENTANGLED,
                )
                ax.text(x + 0.12, a.lowest, f"{a.lowest:.2f}", fontsize=7, va="top")
            ax.set_xticks(xs, [LABELS[m] for m in METRICS])
            ax.set_xlim(-0.5, len(METRICS) - 0.3)
            ax.set_ylim(-0.04, 1.08)
            checks = rep.likelihood
            if checks:
                dmax = max(c["max_abs_elbo_difference"] for c in checks)
                zmax = max(abs(c["log_px_z"]) for c in checks)
                note = (
                    f"every extremal twin: |ELBO twin − model| ≤ {dmax:.0e} nats,\n"
                    f"IW log p(x) difference within {zmax:.1f} s.e."
                )
            else:
                note = "twins: codes @ Aᵀ (exact), same generative law"
            ax.set_xlabel(note, fontsize=8)
            ax.set_title(
                f"{TITLES[name]}\n{rep.n} × {rep.d} codes, budget {rep.budget}", fontsize=9.5
            )
        axes[0].set_ylabel("score")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="upper right", fontsize=8, ncol=2, frameon=False)
        fig.suptitle(
            "Each score over twins with identical likelihood (the range found is an inner bound)",
            fontsize=11,
            x=0.4,
        )
        fig.tight_layout(rect=(0, 0, 1, 0.97))
        return savefig(fig, ctx.figure_dir / "audit.png")
