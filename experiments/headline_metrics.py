"""The headline: equal likelihood, very different disentanglement scores.

Three pairs (model whose latents are the true factors → its entangled twin under Theorem 1's f):

1. **Continuous factors.** ``ContinuousMixingData``: 4 i.i.d. logistic factors (10 bins each)
   through a random invertible network g and an elementwise squash. Representation of the model:
   the exact inverse g⁻¹(x) (``latents_from_observations``); of the twin: f(g⁻¹(x)) with the
   nonlinear f = G⁻¹∘A∘G. Likelihood: the exact log p(x) of both generative models by the change
   of variables (``log_px_exact`` on g and on g∘f⁻¹, plus the squash's log-Jacobian, common to
   both).
2. **Sprites, true factors.** Procedural sprites (3 shapes × 4 scales × 4 orientations × 12 × 12
   positions, 32×32). Representation: the true factor values read off each image (exact lookup in
   the table of all rendered images; orientations of the symmetric square and ellipse are only
   known modulo their symmetry, as for any representation), in Gaussian coordinates
   Φ⁻¹((k + ½)/n); twin: A times that, A a completely entangling rotation (Theorem 1's f for
   N(0, I)). Generative model: z ~ N(0, I₅), factor k_j = ⌊n_j Φ(z_j)⌋, x = render(k); twin:
   z' ~ N(0, I₅), x = render(k(Aᵀz')). Likelihood: log p(x) of held-out images, exact for the
   model (multiplicity / number of combinations) and Monte Carlo for both models: the twin from
   the model's draws pushed through f (common random numbers: the same factor bins, so the same
   estimate) and, for comparison, from independent draws.
3. **Sprites, trained VAE.** The ELBO-trained N(0, I)-prior VAE of ``experiments/vae_twin.py``
   (same data split, seed and settings; its cached weights are reused when present) and the
   same twin (same A). Representation: the encoder mean μ(x); twin: Aμ(x). Likelihood: held-out
   ELBO and importance-weighted log p(x) of the VAE and of ``vae.entangled(f)``.

Metrics (all of ``impossibility.metrics``, at reduced sample sizes stated in the results file):
BetaVAE and FactorVAE scores, MIG, DCI disentanglement / completeness / informativeness, SAP
(discrete, as in the study, and continuous), modularity, explicitness, and the unsupervised
Gaussian total correlation, Wasserstein correlation and mutual-information score. Each metric
draws the same factors and observations for a model and its twin (same generator seed), so the
two bars differ only through the representation.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

import impossibility as im
from impossibility.data import (
    ContinuousMixingData,
    ProceduralSprites,
    TrueFactorOracle,
    factors_from_gaussian,
    holdout_split,
)
from impossibility.generative import entangle_generator, log_px_exact
from impossibility.metrics import METRIC_NAMES, MetricSizes, evaluate_representation
from impossibility.tools.plotting import DISENTANGLED, ENTANGLED, figure_style, savefig
from impossibility.vae import VAE, sprite_vae_preset

DESCRIPTION = (
    "Headline: model with the true factors as latents vs its entangled twin — identical "
    "likelihood, very different BetaVAE/FactorVAE/MIG/DCI/SAP/modularity scores"
)

#: Metrics shown as bars (all in [0, 1]) and their labels.
BAR_METRICS = [
    ("beta_vae_eval_accuracy", "BetaVAE"),
    ("factor_vae_eval_accuracy", "FactorVAE"),
    ("mig", "MIG"),
    ("dci_disentanglement", "DCI\ndisent."),
    ("dci_completeness", "DCI\ncompl."),
    ("dci_informativeness_test", "DCI\ninform."),
    ("sap", "SAP"),
    ("sap_continuous", "SAP\n(contin.)"),
    ("modularity", "modularity"),
    ("explicitness_test", "explicit-\nness"),
]
#: Unsupervised scores (not in [0, 1]).
UNSUPERVISED = [
    ("gaussian_total_correlation", "Gaussian TC"),
    ("mutual_info_score", "mutual info"),
]
PAIRS = ("continuous", "sprites_true", "sprites_vae")
PAIR_TITLES = {
    "continuous": "continuous factors: g⁻¹(x) vs f(g⁻¹(x))",
    "sprites_true": "sprites: true factors vs f(true factors)",
    "sprites_vae": "sprites: trained VAE μ(x) vs twin Aμ(x)",
}


#: Sample sizes as (full run, quick smoke run).
# fmt: off
_SIZES = {
    "num_train": (2000, 300), "num_test": (1000, 150),
    "dci_num_train": (1000, 200), "dci_num_test": (500, 100),
    "beta_vae_num_train": (300, 60), "beta_vae_num_eval": (150, 30),
    "factor_vae_num_train": (300, 60), "factor_vae_num_eval": (150, 30),
    "factor_vae_num_variance_estimate": (2000, 300), "score_batch_size": (32, 16),
    "n_eval": (500, 60), "n_elbo_samples": (16, 2), "n_importance": (128, 16),
    "n_mc_px": (1_000_000, 20_000),
}
# fmt: on
#: The study's seven metric families (the later ones are not in the figure).
_FAMILIES = list(METRIC_NAMES[: METRIC_NAMES.index("unsupervised") + 1])


def _sizes(quick: bool) -> dict:
    out: dict[str, Any] = {k: v[int(quick)] for k, v in _SIZES.items()}
    # the smoke test runs the fast families only (DCI alone takes ~8 s per representation)
    out["families"] = ["factor_vae", "mig", "sap", "unsupervised"] if quick else _FAMILIES
    return out


# ----------------------------------------------------------------------------- metrics
def _all_metrics(rep: Any, data: Any, seed: int, sz: dict) -> dict:
    """Every metric of impossibility.metrics for ``rep`` on ``data`` (generator seeded by
    ``seed``: a model and its twin get the same factors and observations)."""
    sizes = MetricSizes(
        num_train=sz["num_train"],
        num_test=sz["num_test"],
        beta_vae_num_train=sz["beta_vae_num_train"],
        beta_vae_num_eval=sz["beta_vae_num_eval"],
        factor_vae_num_train=sz["factor_vae_num_train"],
        factor_vae_num_eval=sz["factor_vae_num_eval"],
        factor_vae_num_variance_estimate=sz["factor_vae_num_variance_estimate"],
        score_batch_size=sz["score_batch_size"],
    )
    rest = [m for m in sz["families"] if m != "dci"]
    out = evaluate_representation(rep, data, np.random.default_rng(seed), metrics=rest, sizes=sizes)
    cont = evaluate_representation(
        rep, data, np.random.default_rng(seed), metrics=["sap"], continuous_sap=True, sizes=sizes
    )
    out["sap_continuous"] = cont["sap"]
    if "dci" in sz["families"]:  # gradient-boosted trees: the slowest metric by far
        dci_sizes = replace(sizes, num_train=sz["dci_num_train"], num_test=sz["dci_num_test"])
        out.update(
            evaluate_representation(
                rep, data, np.random.default_rng(seed), metrics=["dci"], sizes=dci_sizes
            )
        )
    return out


def _mean_se(v: np.ndarray) -> list:
    v = np.asarray(v, dtype=np.float64)
    return [float(v.mean()), float(v.std(ddof=1) / np.sqrt(len(v)))]


# ----------------------------------------------------------------------------- pair 1
def _continuous(ctx: Any, sz: dict) -> dict:
    rng = ctx.rng(1)
    K = 4
    prior = im.FactorizedPrior.iid(stats.logistic(), K)
    data = ContinuousMixingData.random(K, rng, num_bins=10, prior=prior)
    f = im.entangling_bijection(prior, rng=rng)
    twin_g = entangle_generator(data.mixing, f)
    x = data.sample_observations(sz["n_eval"] * 4, ctx.rng(2))
    y, ls = data.squash_bijector.inverse_and_log_det(x)  # s⁻¹ and its log-det
    lp = log_px_exact(data.mixing, prior, y) + ls
    lpt = log_px_exact(twin_g, prior, y) + ls

    t0 = time.perf_counter()
    m = _all_metrics(data.latents_from_observations, data, 100, sz)
    t = _all_metrics(lambda obs: f.forward(data.latents_from_observations(obs)), data, 100, sz)
    ctx.log(
        f"continuous: metrics in {time.perf_counter() - t0:.0f} s; "
        f"MIG {m['mig']:.3f} vs {t['mig']:.3f}; "
        f"log p(x) max |Δ| {np.abs(lp - lpt).max():.1e}"
    )
    return {
        "data": repr(data),
        "prior": repr(prior),
        "A": f.A,
        "num_bins": data.factors_num_values,
        "likelihood": {
            "kind": "exact log p(x)",
            "n": len(x),
            "model": _mean_se(lp),
            "twin": _mean_se(lpt),
            "max_abs_diff": float(np.abs(lp - lpt).max()),
        },
        "metrics": {"model": m, "twin": t},
    }


# ----------------------------------------------------------------------------- pair 2
def _sprites_true(ctx: Any, sz: dict, quick: bool) -> dict:
    data = ProceduralSprites(**sprite_vae_preset(quick).sprites)
    oracle = TrueFactorOracle(data)
    K = data.num_factors
    A = im.random_entangling_rotation(K, ctx.rng(4))
    f = im.entangling_bijection(im.FactorizedPrior.standard_normal(K), A)

    def rep_twin(obs: np.ndarray) -> np.ndarray:
        return f.forward(oracle(obs))

    # likelihood of held-out images: exact for the model, Monte Carlo for model and twin
    n_combos = len(oracle.combinations)
    multiplicity = oracle.multiplicity
    rng = ctx.rng(5)
    eval_combos = rng.choice(n_combos, size=min(sz["n_eval"], n_combos), replace=False)
    rep_of_eval = oracle.canonical[eval_combos]
    exact = np.log(multiplicity[rep_of_eval] / n_combos)
    nv = np.asarray(data.factors_num_values)

    def mc_log_px(twin: str, g: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        M, chunk = sz["n_mc_px"], 200_000
        counts = np.zeros(n_combos, dtype=np.int64)
        for start in range(0, M, chunk):
            z = g.standard_normal((min(chunk, M - start), K))
            if twin == "crn":  # common random numbers: the model's draws z pushed through f,
                z = f.forward(z)  # z' = f(z) ~ N(0, I) since f keeps N(0, I)
            if twin:
                z = f.inverse(z)  # the twin's decoder: render(k(f⁻¹(z'))), z' ~ N(0, I)
            k = factors_from_gaussian(z, nv)
            counts += np.bincount(np.ravel_multi_index(k.T, tuple(nv)), minlength=n_combos)
        per_image = np.bincount(oracle.canonical, weights=counts, minlength=n_combos)
        p = per_image[rep_of_eval] / M
        return np.log(p), np.sqrt((1 - p) / (M * p))  # delta-method s.e. of log p̂

    lm, sm = mc_log_px("", ctx.rng(6))
    lt, st = mc_log_px("independent", ctx.rng(7))
    lc, _ = mc_log_px("crn", ctx.rng(6))  # the model's own draws
    t0 = time.perf_counter()
    m = _all_metrics(oracle, data, 200, sz)
    t = _all_metrics(rep_twin, data, 200, sz)
    ctx.log(
        f"sprites (true factors): metrics in {time.perf_counter() - t0:.0f} s; MIG {m['mig']:.3f} "
        f"vs {t['mig']:.3f}; log p(x) exact {exact.mean():.4f}, MC {lm.mean():.4f} "
        f"vs twin {lt.mean():.4f}"
    )
    return {
        "data": repr(data),
        "A": A,
        "n_distinct_images": oracle.n_distinct_images,
        "n_combinations": n_combos,
        "likelihood": {
            "kind": f"log p(x), Monte Carlo ({sz['n_mc_px']:,} draws per model)",
            "n": len(eval_combos),
            "model": _mean_se(lm),
            "twin": _mean_se(lt),
            "exact": _mean_se(exact),
            "mc_stderr_median": {"model": float(np.median(sm)), "twin": float(np.median(st))},
            "paired_diff": _mean_se(lt - lm),
            "z_score": float((lt - lm).mean() / ((lt - lm).std(ddof=1) / np.sqrt(len(lt)))),
            "crn": {
                "twin": _mean_se(lc),
                "paired_diff": _mean_se(lc - lm),
                "max_abs_diff": float(np.abs(lc - lm).max()),
                "n_identical": int(np.sum(lc == lm)),
            },
        },
        "metrics": {"model": m, "twin": t},
    }


# ----------------------------------------------------------------------------- pair 3
def _sprite_vae(ctx: Any, quick: bool) -> tuple[VAE, dict, ProceduralSprites, np.ndarray, bool]:
    """The normal-prior sprite VAE (vae_twin trains the same one: one entry of the model store)."""
    cfg = sprite_vae_preset(quick)
    data = ProceduralSprites(**cfg.sprites)
    train_f, test_f = holdout_split(data, cfg.holdout, ctx.shared_rng(1))
    x_train = data.sample_observations_from_factors(train_f, np.random.default_rng(0))
    rng = ctx.shared_rng(10, 0)
    vae, hist, cached = cfg.train_or_load(
        ctx.model_dir, x_train, rng, seed=ctx.seed, key=0, log=ctx.log
    )
    return vae, hist, data, test_f, cached


def _sprites_vae(ctx: Any, sz: dict, quick: bool) -> dict:
    vae, hist, data, test_f, cached = _sprite_vae(ctx, quick)
    d = vae.latent_dim
    A = im.random_entangling_rotation(d, ctx.shared_rng(4))  # vae_twin's twin
    f = im.entangling_bijection(im.FactorizedPrior.standard_normal(d), A)
    twin = vae.entangled(f)
    rng = ctx.rng(9)
    rows = rng.choice(len(test_f), size=min(sz["n_eval"], len(test_f)), replace=False)
    x = data.sample_observations_from_factors(test_f[rows], rng)
    S, Kiw = sz["n_elbo_samples"], sz["n_importance"]
    eps, eps_iw = rng.standard_normal((S, len(x), d)), rng.standard_normal((Kiw, len(x), d))
    # common random numbers: the two models are evaluated on identical noise (docs/theory.md §3.4)
    ea, eb = vae.elbo(x, eps=eps, kl="mc"), twin.elbo(x, eps=eps, kl="mc")
    ka = vae.elbo(x, eps=eps, kl="analytic")
    kb = twin.elbo(x, eps=eps, kl="analytic")
    la, lb = vae.log_px(x, eps=eps_iw), twin.log_px(x, eps=eps_iw)

    t0 = time.perf_counter()
    m = _all_metrics(vae.represent, data, 300, sz)
    t = _all_metrics(twin.represent, data, 300, sz)
    ctx.log(
        f"sprites (VAE): metrics in {time.perf_counter() - t0:.0f} s; "
        f"MIG {m['mig']:.3f} vs {t['mig']:.3f}; "
        f"ELBO {ea.mean():.3f} vs {eb.mean():.3f}"
    )
    tail = np.asarray(hist["elbo"])[-min(500, len(hist["elbo"])) :]
    return {
        "A": A,
        "latent_dim": d,
        "n_steps": int(vae.steps_trained),
        "loaded_from_cache": cached,
        "final_train_elbo": float(tail.mean()),
        "likelihood": {
            "kind": f"held-out ELBO ({S} samples, closed-form KL) and IW log p(x) (K = {Kiw})",
            "n": len(x),
            "model": _mean_se(ka),
            "twin": _mean_se(kb),
            "log_px": {"model": _mean_se(la), "twin": _mean_se(lb)},
            "elbo_mc_kl": {"model": _mean_se(ea), "twin": _mean_se(eb)},
            "max_abs_diff": float(np.abs(ka - kb).max()),
            "max_abs_diff_mc_kl": float(np.abs(ea - eb).max()),
            "max_abs_diff_log_px": float(np.abs(la - lb).max()),
        },
        "metrics": {"model": m, "twin": t},
    }


def compute(ctx: Any) -> dict:
    sz = _sizes(ctx.quick)
    t0 = time.perf_counter()
    out = {
        "sample_sizes": sz,
        "continuous": _continuous(ctx, sz),
        "sprites_true": _sprites_true(ctx, sz, ctx.quick),
        "sprites_vae": _sprites_vae(ctx, sz, ctx.quick),
    }
    out["seconds"] = time.perf_counter() - t0
    return out


# ----------------------------------------------------------------------------- plot
def _bar_pair(ax: Any, x: float, vals: list, errs: list | None, width: float, fmt: str,
              fontsize: float = 6.5, inside: bool = False) -> None:  # fmt: skip
    """Two bars (model, twin) centred on ``x``, each labelled with its value."""
    span = ax.get_ylim()[1] - ax.get_ylim()[0]
    for k, (v, colour) in enumerate(zip(vals, (DISENTANGLED, ENTANGLED), strict=True)):
        xe, err = x + (k - 0.5) * width, None if errs is None else errs[k]
        ax.bar(xe, v, width=width * 0.94, color=colour, alpha=0.9, yerr=err, capsize=2,
               ecolor="k", error_kw={"lw": 0.8})  # fmt: skip
        y, va, kw = (v / 2, "center", {"color": "white", "rotation": 90}) if inside else (
            v + 0.012 * span, "bottom", {}
        )  # fmt: skip
        ax.text(xe, y, format(v, fmt), ha="center", va=va, fontsize=fontsize, **kw)


def plot(results: dict, ctx: Any) -> list:
    with figure_style():
        import matplotlib.pyplot as plt
        from matplotlib.patches import Patch

        fig, axes = plt.subplots(
            3, 3, figsize=(14, 10.5), gridspec_kw={"width_ratios": [1.05, 5.4, 1.25]}
        )
        fig.subplots_adjust(hspace=0.6, wspace=0.3, top=0.88, bottom=0.09)
        for row, pair in enumerate(PAIRS):
            r = results[pair]
            lik = r["likelihood"]
            ax = axes[row, 0]
            if pair == "sprites_vae":
                groups = [
                    ("ELBO", lik["model"], lik["twin"]),
                    ("log p(x)", lik["log_px"]["model"], lik["log_px"]["twin"]),
                ]
                worst = max(lik["max_abs_diff"], lik["max_abs_diff_log_px"])
                note = f"max |Δ| {worst:.0e}\n(same noise)"
            elif pair == "continuous":
                groups = [("exact\nlog p(x)", lik["model"], lik["twin"])]
                note = f"max |Δ| {lik['max_abs_diff']:.0e}\n({lik['n']} points)"
            else:  # the twin's estimate from the model's draws pushed through f (CRN)
                label = f"Monte Carlo\nlog p(x)\n(exact {lik['exact'][0]:.3f})"
                groups = [(label, lik["model"], lik["crn"]["twin"])]
                dm, dse = lik["paired_diff"]
                crn = lik["crn"]
                same = "Δ = 0" if crn["max_abs_diff"] == 0 else f"|Δ| ≤ {crn['max_abs_diff']:.0e}"
                note = (
                    f"twin − model, same draws\nthrough f: {same} "
                    f"({crn['n_identical']}/{lik['n']});\nindependent: {dm:+.3f} ± "
                    f"{1.96 * dse:.3f} (95 %)"
                )
            vals = [g[1][0] for g in groups] + [g[2][0] for g in groups]
            lo, hi = min(0.0, min(vals)), max(0.0, max(vals))
            ax.set_ylim(lo - 0.08 * (hi - lo), hi + 0.08 * (hi - lo))
            for j, (_, a, b) in enumerate(groups):
                _bar_pair(ax, j, [a[0], b[0]], [a[1], b[1]], 0.4, ".2f", 7, inside=True)
            ax.axhline(0, color="k", lw=0.6)
            ax.set_xticks(range(len(groups)), [g[0] for g in groups], fontsize=8)
            ax.set_xlim(-0.55, len(groups) - 0.45)
            ax.set_ylabel("nats (mean ± s.e.)")
            ax.set_title(f"likelihood\n{note}", fontsize=8)

            ax = axes[row, 1]
            ax.set_ylim(0, 1.12)
            m, t = r["metrics"]["model"], r["metrics"]["twin"]
            for j, (key, _) in enumerate(BAR_METRICS):
                if key in m:
                    _bar_pair(ax, j, [m[key], t[key]], None, 0.4, ".2f")
                else:
                    ax.text(j, 0.05, "not run\n(quick)", ha="center", fontsize=6, color="0.5")
            ax.set_xticks(range(len(BAR_METRICS)), [lab for _, lab in BAR_METRICS], fontsize=8)
            ax.set_xlim(-0.55, len(BAR_METRICS) - 0.45)
            ax.set_ylabel("score")
            title = PAIR_TITLES[pair]
            if pair == "sprites_vae":
                title += f" (this VAE is itself entangled: MIG {m['mig']:.2f})"
            ax.set_title(title, fontsize=10.5, loc="left")

            ax = axes[row, 2]
            uvals = [m[k] for k, _ in UNSUPERVISED] + [t[k] for k, _ in UNSUPERVISED]
            ax.set_ylim(0, max(0.05, max(uvals)) * 1.2)
            for j, (key, _) in enumerate(UNSUPERVISED):
                _bar_pair(ax, j, [m[key], t[key]], None, 0.4, ".2f")
            ax.set_xticks(range(len(UNSUPERVISED)), [lab for _, lab in UNSUPERVISED], fontsize=8)
            ax.set_xlim(-0.55, len(UNSUPERVISED) - 0.45)
            ax.set_ylabel("nats")
            ax.set_title("unsupervised scores", fontsize=9)
        handles = [
            Patch(
                color=DISENTANGLED, label="model: latents = true factors (row 3: the trained VAE)"
            ),
            Patch(color=ENTANGLED, label="its entangled twin under Theorem 1's f"),
        ]
        fig.legend(
            handles=handles,
            loc="upper center",
            ncol=2,
            bbox_to_anchor=(0.5, 0.945),
            frameon=False,
            fontsize=9,
        )
        sz = results["sample_sizes"]
        fig.suptitle(
            "Same likelihood, different disentanglement: every metric for a model and its "
            "entangled twin",
            y=0.975,
            fontsize=12,
        )
        fig.text(
            0.5,
            0.012,
            "Reduced sample sizes: MIG, SAP, modularity, explicitness, unsupervised "
            f"{sz['num_train']} + "
            f"{sz['num_test']} points; DCI {sz['dci_num_train']} + {sz['dci_num_test']}; BetaVAE "
            f"{sz['beta_vae_num_train']} + {sz['beta_vae_num_eval']} and FactorVAE "
            f"{sz['factor_vae_num_train']} + {sz['factor_vae_num_eval']} votes of "
            f"{sz['score_batch_size']} (variances from {sz['factor_vae_num_variance_estimate']}); "
            "same factors and images for model and twin.\nInformativeness-type scores (DCI "
            "informativeness, explicitness) see the same information in both. The unsupervised "
            "scores agree only when f preserves the law of the codes (row 1, codes ~ p); discrete "
            "true-factor codes and VAE means are not p-distributed.",
            ha="center",
            fontsize=7.5,
        )
        return savefig(fig, Path(ctx.figure_dir) / "headline_metrics.png")
