"""Weak supervision with pairs: the twin does not preserve the law of pairs, and Ada-GVAE uses that.

Pairs (z, z̃) share all but k = 1 of d = 3 factors (docs/theory.md §5.3).

(a) Exactly equal coordinates per pair: d − k for every pair of the model, none for the twin's
    (f(z), f(z̃)) — the hard-sharing pair law is singular and the twin's is not.
(b) Soft sharing z̃_shared = z_shared + σ_n ε: the expected log-likelihood gap of the twin against
    σ_n (exact log-densities, logsumexp over the subsets; Monte Carlo over pairs), for a Gaussian
    and a Laplace × logistic × Gaussian prior, and the predicted small-σ_n behaviour c/σ_n².
    With k = d (nothing shared) the gap is 0.
(c) Ada-GVAE (NumPy, hand-written gradients) against β-VAE with the same architecture, β, number
    of steps and images per step, on procedural sprites (shape 3 × scale 3 × x 8 × y 8, 16×16,
    one factor changed per pair); disentanglement metrics with reduced sample sizes (below).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

import impossibility as im
from impossibility import biases, nn
from impossibility.data import ProceduralSprites
from impossibility.metrics import MetricSizes, evaluate_representation
from impossibility.tools.plotting import DISENTANGLED, ENTANGLED, figure_style, savefig
from impossibility.vae import VAE, BetaVAE

DESCRIPTION = (
    "Pairs sharing all but k factors: the twin's pair likelihood gap grows like σ_n⁻²; "
    "Ada-GVAE vs β-VAE"
)

METRICS = ("mig", "dci_disentanglement", "sap", "factor_vae_eval_accuracy", "modularity")
METRIC_LABELS = {
    "mig": "MIG",
    "dci_disentanglement": "DCI disent.",
    "sap": "SAP",
    "factor_vae_eval_accuracy": "FactorVAE",
    "modularity": "modularity",
}


def _priors() -> dict[str, Any]:
    return {
        "N(0, I₃)": im.FactorizedPrior.standard_normal(3),
        "Laplace × logistic × N": im.FactorizedPrior(
            [stats.laplace(), stats.logistic(), stats.norm()]
        ),
    }


def compute(ctx: Any) -> dict:
    quick = ctx.quick
    out: dict[str, Any] = {}
    n_mc = 2000 if quick else 20000
    noises = [0.3, 0.1, 0.03] if quick else [1.0, 0.5, 0.3, 0.2, 0.1, 0.05, 0.03, 0.02, 0.01]
    with nn.blas_threads(1):
        A = im.random_entangling_rotation(3, ctx.rng(0))
        curves = {}
        for name, prior in _priors().items():
            f = im.entangling_bijection(prior, A)
            rng = ctx.rng(1)
            z, zt, _ = biases.sample_latent_pairs(prior, 1, n_mc, rng)
            eq_true = np.bincount(np.sum(z == zt, axis=1), minlength=4)
            eq_twin = np.bincount(np.sum(f.forward(z) == f.forward(zt), axis=1), minlength=4)
            gaps = [biases.pair_gap(prior, f, 1, s, n_mc, rng) for s in noises]
            control = biases.pair_gap(prior, f, 3, 0.1, n_mc, rng)
            lead = biases.pair_gap_leading_term(prior, f, 1, n_mc, rng)
            curves[name] = {
                "noise": noises,
                "gap": [g["gap"] for g in gaps],
                "stderr": [g["stderr"] for g in gaps],
                "lead_c": lead["c"],
                "lead_stderr": lead["stderr"],
                "control_k_eq_d": control["gap"],
                "equal_counts_true": eq_true,
                "equal_counts_twin": eq_twin,
            }
        out["latent"] = {"curves": curves, "A": A, "n_mc": n_mc, "d": 3, "k": 1}

        # (c) Ada-GVAE vs β-VAE on sprites
        base = ProceduralSprites(
            num_scales=3, num_orientations=1, num_positions=8, image_size=16, supersample=2
        )
        ds = biases.VaryingFactors(base)
        rng = ctx.rng(2)
        n_pairs = 2000 if quick else 10000
        x1, x2, _, _ = biases.make_pair_dataset(ds, n_pairs, 1, rng)
        cfg = {
            "latent_dim": 6,
            "hidden": [128, 64],
            "beta": 2.0,
            "n_steps": 150 if quick else 4000,
            "batch_pairs": 32,
            "lr": 1e-3,
            "n_pairs": n_pairs,
            "seeds": [0] if quick else [0, 1, 2],
        }
        msizes = (
            {
                "num_train": 500,
                "num_test": 250,
                "factor_vae_num_train": 100,
                "factor_vae_num_eval": 50,
                "factor_vae_num_variance_estimate": 500,
                "score_batch_size": 16,
            }
            if quick
            else {
                "num_train": 1000,
                "num_test": 500,
                "factor_vae_num_train": 500,
                "factor_vae_num_eval": 300,
                "factor_vae_num_variance_estimate": 2000,
                "score_batch_size": 32,
            }
        )
        # DCI's gradient-boosted trees take seconds: skipped in the quick version
        metric_families = ["mig", "sap", "factor_vae", "modularity_explicitness"] + (
            [] if quick else ["dci"]
        )
        runs = []
        for seed in cfg["seeds"]:
            for model in ("ada_gvae", "beta_vae"):
                r = ctx.rng(10, seed)  # same initialisation and stream for both models
                vae = VAE(
                    ds.observation_shape, cfg["latent_dim"], hidden=tuple(cfg["hidden"]), rng=r
                )
                if model == "ada_gvae":
                    hist = biases.AdaGVAE(vae, beta=cfg["beta"]).fit(
                        x1,
                        x2,
                        rng=r,
                        n_steps=cfg["n_steps"],
                        batch_size=cfg["batch_pairs"],
                        lr=cfg["lr"],
                        progress=False,
                    )
                    shared = float(np.mean(hist["shared"][-200:]))
                else:
                    hist = vae.fit(
                        np.concatenate([x1, x2]),
                        rng=r,
                        objective=BetaVAE(cfg["beta"]),
                        n_steps=cfg["n_steps"],
                        batch_size=2 * cfg["batch_pairs"],
                        lr=cfg["lr"],
                        progress=False,
                    )
                    shared = None
                scores = evaluate_representation(
                    lambda x, vae=vae: vae.encode(x)[0],
                    ds,
                    ctx.rng(20, seed),
                    metrics=metric_families,
                    sizes=MetricSizes(**msizes),
                )
                runs.append(
                    {
                        "model": model,
                        "seed": seed,
                        "scores": {k: scores[k] for k in METRICS if k in scores},
                        "reconstruction": float(np.mean(hist["reconstruction"][-200:])),
                        "kl": float(np.mean(hist["kl"][-200:])),
                        "shared_latents": shared,
                    }
                )
                ctx.log(
                    f"  {model} seed {seed}: "
                    + ", ".join(f"{k} {v:.3f}" for k, v in runs[-1]["scores"].items())
                )
        out["training"] = {
            "config": cfg,
            "metric_sizes": msizes,
            "runs": runs,
            "factors": ds.factor_names,
            "factor_sizes": ds.factors_num_values,
        }
    return out


def plot(results: dict, ctx: Any) -> list:
    with figure_style():
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(14, 4.4))
        gs = fig.add_gridspec(1, 3, width_ratios=[0.8, 1.3, 1.5], wspace=0.3)
        lat = results["latent"]
        curves = lat["curves"]
        d, k = lat["d"], lat["k"]

        ax = fig.add_subplot(gs[0])
        first = next(iter(curves.values()))
        counts = np.arange(d + 1)
        width = 0.38
        ax.bar(
            counts - width / 2,
            first["equal_counts_true"],
            width,
            color=DISENTANGLED,
            label="model (z, z̃)",
        )
        ax.bar(
            counts + width / 2,
            first["equal_counts_twin"],
            width,
            color=ENTANGLED,
            label="twin (f(z), f(z̃))",
        )
        ax.set_xticks(counts)
        ax.set_xlabel("exactly equal coordinates in a pair")
        ax.set_ylabel(f"pairs (of {lat['n_mc']})")
        ax.set_title(f"(a) hard sharing, d = {d}, k = {k}:\n{d - k} equal always vs never")
        ax.legend(fontsize=7, loc="upper center")
        ax.set_ylim(0, lat["n_mc"] * 1.25)

        ax = fig.add_subplot(gs[1])
        colors = [ENTANGLED, "tab:purple"]
        for (name, c), col in zip(curves.items(), colors, strict=True):
            s = np.asarray(c["noise"])
            ax.errorbar(
                s,
                c["gap"],
                yerr=c["stderr"],
                fmt="o",
                color=col,
                ms=4,
                capsize=2,
                label=f"{name}: gap (MC, exact densities)",
            )
            ss = np.geomspace(s.min(), s.max(), 50)
            ax.plot(
                ss,
                c["lead_c"] / ss**2,
                "--",
                color=col,
                lw=1,
                label=f"{name}: c/σ_n², c = {c['lead_c']:.3f}; k = d: {c['control_k_eq_d']:.0e}",
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ticks = [
            v
            for v in (0.01, 0.03, 0.1, 0.3, 1.0)
            if min(first["noise"]) <= v <= max(first["noise"])
        ]
        ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
        ax.minorticks_off()
        ax.set_xlabel("sharing noise σ_n")
        ax.set_ylabel("log-likelihood gap [nats per pair]")
        ax.set_title("(b) soft sharing: the twin's gap grows like σ_n⁻²")
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.17), frameon=False)

        tr = results["training"]
        ax = fig.add_subplot(gs[2])
        models = [
            ("ada_gvae", "Ada-GVAE (pairs)", "tab:green"),
            ("beta_vae", "β-VAE (unsupervised)", "0.55"),
        ]
        shown = [m for m in METRICS if all(m in r["scores"] for r in tr["runs"])]
        xs = np.arange(len(shown))
        width = 0.38
        for j, (key, label, col) in enumerate(models):
            vals = np.array(
                [[r["scores"][m] for m in shown] for r in tr["runs"] if r["model"] == key]
            )
            pos = xs + (j - 0.5) * width
            ax.bar(
                pos,
                vals.mean(axis=0),
                width,
                color=col,
                alpha=0.85,
                label=f"{label}, mean of {len(vals)} seeds",
            )
            for row in vals:
                ax.plot(pos, row, "k.", ms=3)
        ax.set_xticks(xs, [METRIC_LABELS[m] for m in shown])
        ax.set_ylim(0, 1.16)  # a band above 1 for the legend, off the bars
        ax.set_yticks(np.linspace(0, 1, 6))
        ax.set_ylabel("score")
        cfg, ms = tr["config"], tr["metric_sizes"]
        ax.set_title(
            f"(c) sprites {'×'.join(map(str, tr['factor_sizes']))}, d = {cfg['latent_dim']}, "
            f"β = {cfg['beta']:g}, {cfg['n_steps']} steps × {2 * cfg['batch_pairs']} images"
        )
        ax.legend(fontsize=7, loc="upper center", ncol=2, frameon=False)
        ax.text(
            0.0,
            -0.1,
            f"metrics on {ms['num_train']} train / {ms['num_test']} test points; FactorVAE "
            f"score {ms['factor_vae_num_train']}/{ms['factor_vae_num_eval']} votes of batch "
            f"{ms['score_batch_size']} (the study: 10,000 / 5,000, batch 64)",
            transform=ax.transAxes,
            fontsize=7,
            va="top",
        )
        fig.suptitle(
            "Weak supervision with pairs breaks the symmetry: the entangled twin assigns "
            "the observed pairs lower likelihood",
            fontsize=11,
            y=1.04,
        )
        return savefig(fig, ctx.figure_dir / "bias_pairs.png")
