"""A trained VAE and its entangled twin: the same ELBO and log p(x), opposite latent traversals.

Data: procedural sprites (3 shapes × 4 scales × 4 orientations × 12 × 12 positions, 32×32
binary images), 20 % of the factor combinations held out. Two VAEs are trained by maximising the
ELBO (Bernoulli decoder, MLP 1024-256-128-d, d = 5, Adam): one with the standard-normal prior,
whose Theorem-1 map is the rotation f(z) = Az, and one with an i.i.d. logistic prior, whose map
f = G⁻¹ ∘ A ∘ G is nonlinear. The twin of each (``vae.entangled(f)``) has the pushforward
encoder f#q and the decoder p(x | f⁻¹(z')).

Figures
-------
vae_twin_elbo
    The paired differences twin − VAE over held-out images of the ELBO, its two terms and the
    importance-weighted log p(x), with independent draws for the two models (Monte-Carlo noise,
    95 % intervals) and with common random numbers (the twin at f of the model's draws: rounding,
    at most 1e-13 per sample); and the histogram of the per-sample differences both ways.
vae_twin_ground_truth
    The exact version of the traversals (``vae_twin_traversals`` shows them for this trained VAE,
    which is only partly disentangled): the sprite renderer driven by continuous factors
    z ~ N(0, I) (scale, angle, x, y) is a generator g whose latents are the true factors, its
    twin g ∘ f⁻¹ renders the same distribution of images, and traversing one latent changes one
    factor for g and every factor for g ∘ f⁻¹. Beside it, the continuous-factor data set
    (logistic factors through an invertible network): the true factors g⁻¹(x) recovered exactly
    along traversals of each model's latents.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

import impossibility as im
from impossibility._io import pack_uint8, unpack_uint8
from impossibility.data import (
    ContinuousMixingData,
    GaussianFactorSprites,
    ProceduralSprites,
    holdout_split,
)
from impossibility.tools.plotting import DISENTANGLED, ENTANGLED, figure_style, image_grid, savefig
from impossibility.vae import VAE, importance_weighted_log_px, sprite_vae_preset

DESCRIPTION = (
    "VAE vs entangled twin: equal held-out ELBO / log p(x) (normal prior: rotation; logistic "
    "prior: nonlinear f), ~1e-13 per-sample agreement, and ground-truth traversals (one vs all "
    "factors)"
)

PRIORS = ("normal", "logistic")
PRIOR_LABELS = {
    "normal": "N(0, I) prior, f(z) = Az",
    "logistic": "logistic prior, f = G⁻¹∘A∘G (nonlinear)",
}
#: Bin edges of log10 |Δ| for the per-sample agreement histogram.
HIST_EDGES = np.linspace(-18, 3, 85)


def _config(quick: bool) -> dict:
    """The shared sprite VAE's settings and this experiment's evaluation sizes."""
    sizes = (
        {"n_eval": 40, "n_elbo_samples": 4, "n_importance": 16, "n_traversal": 7}
        | {"gt_grid": 24, "gt_supersample": 2, "gt_image_size": 24}
        if quick
        else {"n_eval": 400, "n_elbo_samples": 16, "n_importance": 64, "n_traversal": 9}
        | {"gt_grid": 64, "gt_supersample": 4, "gt_image_size": 48}
    )
    return sprite_vae_preset(quick).as_dict() | sizes


# ----------------------------------------------------------------------------- data and models
def _smooth_curve(v: np.ndarray, n_points: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Means of ``v`` over consecutive windows: (window-centre steps, window means)."""
    edges = np.linspace(0, len(v), min(n_points, len(v)) + 1).astype(int)
    steps = 0.5 * (edges[:-1] + edges[1:])
    return steps, np.array([v[a:b].mean() for a, b in zip(edges[:-1], edges[1:], strict=True)])


def _mean_se(v: np.ndarray) -> tuple[float, float]:
    return float(np.mean(v)), float(np.std(v, ddof=1) / np.sqrt(len(v)))


# ----------------------------------------------------------------------------- part (a)
def _invariance(ctx: Any, cfg: dict, vae: VAE, twin: Any, x: np.ndarray, key: int) -> dict:
    n, d = x.shape[0], vae.latent_dim
    rng = ctx.rng(20, key)
    S, K = cfg["n_elbo_samples"], cfg["n_importance"]
    eps_a, eps_b = rng.standard_normal((2, S, n, d))  # independent draws for model and twin
    iw_a, iw_b = rng.standard_normal((2, K, n, d))
    out: dict[str, Any] = {"n_eval": n, "n_elbo_samples": S, "n_importance": K}
    ta = vae.elbo_terms(x, eps=eps_a, kl="mc")
    tb = twin.elbo_terms(x, eps=eps_b, kl="mc")
    tc = twin.elbo_terms(x, eps=eps_a, kl="mc")  # common random numbers
    lw_a = vae.log_importance_weights(x, eps=iw_a)
    lw_b = twin.log_importance_weights(x, eps=iw_b)
    lw_c = twin.log_importance_weights(x, eps=iw_a)  # common random numbers
    (lp_a, se_a), (lp_b, se_b), (lp_c, _) = (
        importance_weighted_log_px(w, return_stderr=True) for w in (lw_a, lw_b, lw_c)
    )
    for name, a, b, c in (
        ("elbo", ta["elbo"], tb["elbo"], tc["elbo"]),
        ("log_px", lp_a, lp_b, lp_c),
        ("rec", ta["rec"], tb["rec"], tc["rec"]),
        ("kl", ta["kl"], tb["kl"], tc["kl"]),
    ):
        out[name] = {"model": _mean_se(a), "twin": _mean_se(b), "paired_diff": _mean_se(b - a)}
        out[name]["crn_paired_diff"] = _mean_se(c - a)  # twin on the model's own draws
    out["log_px"]["mc_stderr_median"] = {
        "model": float(np.median(se_a)),
        "twin": float(np.median(se_b)),
    }
    crn = {
        "elbo_samples": float(np.abs(ta["elbo_samples"] - tc["elbo_samples"]).max()),
        "rec": float(np.abs(ta["rec"] - tc["rec"]).max()),
        "kl": float(np.abs(ta["kl"] - tc["kl"]).max()),
        "log_weights": float(np.abs(lw_a - lw_c).max()),
        "log_px": float(np.abs(lp_a - lp_c).max()),
    }
    if vae.prior_is_standard_normal:  # closed-form KL of the diagonal vs the rotated full Gaussian
        ka = vae.elbo_terms(x, eps=eps_a[:1], kl="analytic")["kl"]
        kb = twin.elbo_terms(x, eps=eps_a[:1], kl="analytic")["kl"]
        crn["analytic_kl"] = float(np.abs(ka - kb).max())
        out["analytic_kl"] = {"model": _mean_se(ka), "twin": _mean_se(kb)}
    out["crn_max_abs_diff"] = crn
    # per-sample differences for the histogram: log10 |Δ| with CRN and with independent draws
    d_crn = np.abs(ta["elbo_samples"] - tc["elbo_samples"]).ravel()
    d_ind = np.abs(ta["elbo_samples"] - tb["elbo_samples"]).ravel()
    # histogram of log10 |Δ| (exact zeros counted apart; everything below 1e-19 is zero here)
    edges = HIST_EDGES
    with np.errstate(divide="ignore"):
        la, lb = np.log10(d_crn), np.log10(d_ind)
    out["hist_edges"] = edges
    out["hist_crn"] = np.histogram(np.clip(la[d_crn > 0], edges[0], edges[-1]), edges)[0]
    out["hist_independent"] = np.histogram(np.clip(lb[d_ind > 0], edges[0], edges[-1]), edges)[0]
    out["n_exact_zero_independent"] = int(np.sum(d_ind == 0))
    out["n_exact_zero_crn"] = int(np.sum(d_crn == 0))
    out["n_samples_compared"] = int(d_crn.size)
    return out


# ----------------------------------------------------------------------------- ground truth
def _as_uint8(images: np.ndarray) -> np.ndarray:
    return np.clip(np.round(255 * images[..., 0]), 0, 255).astype(np.uint8)


def _ground_truth_sprites(ctx: Any, cfg: dict, A4: np.ndarray) -> dict:
    """Exact generator z ~ N(0, I_4) → (scale, angle, x, y) → rendered heart; twin g∘f⁻¹, f = A."""
    n = cfg["gt_grid"]
    data = ProceduralSprites(
        shapes=("heart",),
        num_scales=n,
        num_orientations=n,
        num_positions=n,
        image_size=cfg["gt_image_size"],
        sprite_radius=0.24,
        supersample=cfg["gt_supersample"],
    )

    generator = GaussianFactorSprites(data)  # latents (shape, scale, angle, x, y) ~ N(0, I)

    def render(z: np.ndarray) -> np.ndarray:
        # the single shape's latent is constant; the other four are the traversed factors
        return generator.forward(np.column_stack([np.zeros(len(z)), z]))

    T = cfg["n_traversal"]
    ts = np.linspace(-2.0, 2.0, T)
    out: dict[str, Any] = {"ts": ts, "A": A4, "factor_names": ["scale", "angle", "x", "y"]}
    for name, M in (("model", np.eye(4)), ("twin", A4)):
        imgs = []
        for i in range(4):
            zp = np.zeros((T, 4))
            zp[:, i] = ts
            imgs.append(
                _as_uint8(render(zp @ M))
            )  # twin decoder: z = f⁻¹(z') = Aᵀz' (row form z' A)
        out[name] = {"images": pack_uint8(np.array(imgs))}
    return out


def _ground_truth_mixing(ctx: Any, cfg: dict) -> dict:
    """Continuous-factor data: traversals of g (latents = true factors) and of g ∘ f⁻¹, read back
    through the exact inverse g⁻¹ (``latents_from_observations``)."""
    rng = ctx.rng(40)
    K = 3
    prior = im.FactorizedPrior.iid(stats.logistic(), K)
    data = ContinuousMixingData.random(K, rng, prior=prior)
    f = im.entangling_bijection(prior, rng=rng)
    ts = np.linspace(-4.0, 4.0, 41 if not ctx.quick else 11)
    out: dict[str, Any] = {"ts": ts, "A": f.A, "prior": repr(prior)}
    for name in ("model", "twin"):
        curves = []
        for i in range(K):
            zl = np.zeros((len(ts), K))
            zl[:, i] = ts
            z_true = zl if name == "model" else f.inverse(zl)
            x = data.observations_from_latents(z_true)
            curves.append(data.latents_from_observations(x))  # (T, K): the true factors
        out[name] = {"true_factors": np.array(curves)}
    # p(x) of the two models agree exactly (change of variables, squash Jacobian common to both)
    z = prior.sample(2000, rng)
    y = data.mixing.forward(z)
    twin_g = im.entangle_generator(data.mixing, f)
    lp = im.log_px_exact(data.mixing, prior, y)
    lpt = im.log_px_exact(twin_g, prior, y)
    out["log_px_max_abs_diff"] = float(np.abs(lp - lpt).max())
    return out


# ----------------------------------------------------------------------------- compute
def compute(ctx: Any) -> dict:
    cfg, preset = _config(ctx.quick), sprite_vae_preset(ctx.quick)
    data = ProceduralSprites(**cfg["sprites"])
    train_f, test_f = holdout_split(data, cfg["holdout"], ctx.shared_rng(1))
    x_train = data.sample_observations_from_factors(train_f, ctx.rng(2))
    eval_rows = ctx.rng(3).choice(len(test_f), size=min(cfg["n_eval"], len(test_f)), replace=False)
    x_eval = data.sample_observations_from_factors(test_f[eval_rows], ctx.rng(2))
    d = cfg["latent_dim"]
    A = im.random_entangling_rotation(d, ctx.shared_rng(4))  # also the headline's VAE twin
    results: dict[str, Any] = {
        "config": cfg,
        "A": A,
        "n_train_images": len(train_f),
        "n_test_images": len(test_f),
        "factor_names": data.factor_names,
        "factors_num_values": data.factors_num_values,
    }
    for key, name in enumerate(PRIORS):
        rng = ctx.shared_rng(10, key)
        kw = {"prior": name, "seed": ctx.seed, "key": key, "log": ctx.log}
        vae, hist, cached = preset.train_or_load(ctx.model_dir, x_train, rng, **kw)
        f = im.entangling_bijection(vae.prior or im.FactorizedPrior.standard_normal(d), A)
        twin = vae.entangled(f)
        steps, curve = _smooth_curve(np.asarray(hist["elbo"]))
        tail = np.asarray(hist["elbo"])[-min(500, len(hist["elbo"])) :]
        res = _invariance(ctx, cfg, vae, twin, x_eval, key)
        res.update(
            prior=PRIOR_LABELS[name],
            twin_is_affine=bool(twin.is_affine),
            train_curve_steps=steps,
            train_curve_elbo=np.round(curve, 4),
            final_train_elbo=float(tail.mean()),
            final_train_elbo_se=float(tail.std(ddof=1) / np.sqrt(len(tail))),
            train_kl_mode="analytic" if vae.prior_is_standard_normal else "mc",
            loaded_from_cache=cached,
        )
        ctx.log(
            f"{name}: held-out ELBO {res['elbo']['model'][0]:.3f} "
            f"vs twin {res['elbo']['twin'][0]:.3f}; "
            f"log p(x) {res['log_px']['model'][0]:.3f} vs {res['log_px']['twin'][0]:.3f}; "
            f"CRN max |Δ| per sample {res['crn_max_abs_diff']['elbo_samples']:.1e}"
        )
        results[name] = res
    results["ground_truth_sprites"] = _ground_truth_sprites(
        ctx, cfg, im.random_entangling_rotation(4, ctx.rng(5))
    )
    results["ground_truth_mixing"] = _ground_truth_mixing(ctx, cfg)
    return results


# ----------------------------------------------------------------------------- plots
#: The paired differences of the ELBO figure: results key, label.
DIFF_ROWS = (
    ("elbo", "ELBO"),
    ("rec", "reconstruction\nE log p(x|z)"),
    ("kl", "KL (Monte Carlo)"),
    ("log_px", "log p(x), IW"),
)


def _plot_elbo(res: dict, ctx: Any) -> list:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(12.5, 7.2), gridspec_kw={"width_ratios": [1.1, 1]})
    fig.subplots_adjust(hspace=0.62, wspace=0.62, top=0.84, bottom=0.08)
    for row, name in enumerate(PRIORS):
        r = res[name]
        crn = r["crn_max_abs_diff"]
        ax = axes[row, 0]  # paired differences twin − VAE over held-out images
        for y, (key, _) in enumerate(DIFF_ROWS):
            m, se = r[key]["paired_diff"]
            ax.errorbar(
                m,
                y - 0.14,
                xerr=1.96 * se,
                fmt="o",
                color="0.5",
                capsize=4,
                lw=1.5,
                label="independent draws (95 % interval)" if y == 0 else None,
            )
            mc, sec = r[key]["crn_paired_diff"]
            ax.errorbar(
                mc,
                y + 0.14,
                xerr=1.96 * sec,
                fmt="D",
                ms=5,
                color="k",
                capsize=4,
                label="common random numbers" if y == 0 else None,
            )
            txt = f"indep. {m:+.3f} ± {1.96 * se:.3f}\nCRN {mc:+.0e}"
            ax.text(1.02, y, txt, transform=ax.get_yaxis_transform(), va="center", fontsize=7)
        ax.axvline(0, color="0.7", lw=0.8, zorder=0)
        ax.set_yticks(range(len(DIFF_ROWS)), [lab for _, lab in DIFF_ROWS], fontsize=8)
        ax.set_ylim(len(DIFF_ROWS) - 0.5, -0.7)
        lim = 1.15 * max(
            abs(r[k]["paired_diff"][0]) + 1.96 * r[k]["paired_diff"][1] for k, _ in DIFF_ROWS
        )
        ax.set_xlim(-lim, lim)
        ax.set_xlabel("twin − VAE (nats / image), mean over held-out images")
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, 1.0), fontsize=7, ncol=2, frameon=False)
        ax.set_title(
            f"{r['prior']}: held-out ELBO {r['elbo']['model'][0]:.2f} (VAE) vs "
            f"{r['elbo']['twin'][0]:.2f} (twin)\n{r['n_eval']} images, {r['n_elbo_samples']} "
            f"samples each, K = {r['n_importance']}; training ELBO {r['final_train_elbo']:.2f} "
            f"± {r['final_train_elbo_se']:.2f}",
            fontsize=8.5,
            loc="left",
        )
        ax = axes[row, 1]  # per-sample |Δ| of the single-sample ELBO terms
        edges = np.asarray(r["hist_edges"], dtype=float)
        zero_at, w = edges[0] - 1.5, edges[1] - edges[0]  # exact zeros get their own bar
        for key, zkey, colour, label in (
            ("hist_crn", "n_exact_zero_crn", "k", "common random numbers"),
            ("hist_independent", "n_exact_zero_independent", "0.65", "independent draws"),
        ):
            ax.stairs(r[key], edges, fill=True, color=colour, alpha=0.85, label=label)
            if r[zkey]:
                ax.bar(zero_at, r[zkey], width=w, color=colour, alpha=0.85)
        ax.axvline(np.log10(np.finfo(float).eps), color="k", ls=":", lw=1, label="float64 ε")
        ax.set_xticks([zero_at, -15, -10, -5, 0], ["Δ=0", "−15", "−10", "−5", "0"])
        ax.set_xlim(zero_at - 1, edges[-1])
        ax.set_xlabel("log₁₀ |single-sample ELBO: VAE − twin|")
        ax.set_ylabel("count")
        extra = f", closed-form KL {crn['analytic_kl']:.0e}" if "analytic_kl" in crn else ""
        ax.set_title(
            f"{r['n_samples_compared']} single-sample ELBOs ({r['n_exact_zero_crn']} identical)\n"
            f"max |Δ| with CRN: ELBO {crn['elbo_samples']:.0e}, log-weights "
            f"{crn['log_weights']:.0e}{extra}",
            fontsize=8.5,
        )
        # in the empty stretch between rounding (~1e-14) and Monte-Carlo noise (~1)
        ax.legend(loc="upper left", bbox_to_anchor=(0.36, 0.97), fontsize=7, frameon=False)
    cfg = res["config"]
    fig.suptitle(
        "A trained VAE and its entangled twin (encoder f#q, decoder p(x | f⁻¹(z')), same prior) "
        "have the same ELBO and log p(x):\npaired differences are Monte-Carlo noise with "
        "independent draws and rounding (per sample ≤ "
        f"{max(res[p]['crn_max_abs_diff']['elbo_samples'] for p in PRIORS):.0e}) with common "
        "random numbers (the twin evaluated "
        "at f of the model's draws)\n"
        f"{cfg['sprites']['image_size']}×{cfg['sprites']['image_size']} sprites, "
        f"d = {cfg['latent_dim']}, {res['n_train_images']} training / {res['n_test_images']} "
        f"held-out factor combinations, {cfg['n_steps']} Adam steps",
        y=0.995,
        fontsize=10,
    )
    return savefig(fig, Path(ctx.figure_dir) / "vae_twin_elbo.png")


FACTOR_COLOURS = ("#2ca02c", "#9467bd", "#8c564b", "#e377c2")


def _plot_ground_truth(res: dict, ctx: Any) -> list:
    import matplotlib.pyplot as plt

    gt = res["ground_truth_sprites"]
    mix = res["ground_truth_mixing"]
    names = gt["factor_names"]
    ts = np.asarray(gt["ts"])
    A = np.asarray(gt["A"])
    # one traversal mosaic per row, across the figure: tiles ~1 inch, so angle and position show
    fig = plt.figure(figsize=(13.5, 14.0))
    outer = fig.add_gridspec(3, 1, height_ratios=[1, 1, 0.9], hspace=0.3, top=0.94, bottom=0.05)
    col_labels = [f"{t:+.1f}" for t in ts]
    for c, (who, colour, M, title, sym) in enumerate(
        (
            (
                "model",
                DISENTANGLED,
                np.eye(4),
                "generator g: its latents are the true factors",
                "z",
            ),
            ("twin", ENTANGLED, A, "twin g∘f⁻¹ with f(z) = Az: the same law of images", "z'"),
        )
    ):
        top = outer[c].subgridspec(1, 2, width_ratios=[9, 1.6], wspace=0.08)
        ax = fig.add_subplot(top[0, 0])
        rows = [f"${sym}_{i + 1}$" + (f" = {names[i]}" if who == "model" else "") for i in range(4)]
        image_grid(ax, unpack_uint8(gt[who]["images"]), rows, col_labels, colour)
        ax.set_title(title, color=colour, fontsize=10)
        ax.set_xlabel("traversal value t (other latents 0)")
        ax = fig.add_subplot(top[0, 1])
        W = np.abs(M)
        ax.imshow(W, cmap="Greys", vmin=0, vmax=1)
        for (i, j), v in np.ndenumerate(W):
            txt, tone = f"{v:.2f}".lstrip("0") if v < 1 else "1", "white" if v > 0.55 else "k"
            ax.text(j, i, txt, ha="center", va="center", fontsize=7, color=tone)
        ax.set_xticks(range(4), names, rotation=90, fontsize=7.5)
        ax.set_yticks(range(4), [f"${sym}_{i + 1}$" for i in range(4)], fontsize=8)
        ax.set_title(f"|∂ factor / ∂${sym}_i$|", fontsize=8.5)
        ax.tick_params(length=0)
    bottom = outer[2].subgridspec(1, 7, width_ratios=[1, 1, 1, 0.3, 1, 1, 1], wspace=0.12)
    tsm = np.asarray(mix["ts"])
    K = np.asarray(mix["model"]["true_factors"]).shape[0]
    first = None
    for c, (who, colour, sym) in enumerate(
        (("model", DISENTANGLED, "z"), ("twin", ENTANGLED, "z'"))
    ):
        curves = np.asarray(mix[who]["true_factors"], dtype=float)  # (K latents, T, K factors)
        for i in range(K):
            ax = fig.add_subplot(bottom[0, 4 * c + i], sharey=first)
            first = first or ax
            for j in range(K):
                ax.plot(
                    tsm,
                    curves[i, :, j],
                    color=FACTOR_COLOURS[j],
                    lw=1.7,
                    label=f"true factor $z_{j + 1}$",
                )
            ax.axhline(0, color="0.85", lw=0.6, zorder=0)
            ax.set_title(
                f"{'g' if who == 'model' else 'g∘f⁻¹'}: traverse ${sym}_{i + 1}$",
                color=colour,
                fontsize=9,
            )
            ax.set_xlabel("t")
            if i == 0:
                ax.set_ylabel("true factors g⁻¹(x)")
            else:
                plt.setp(ax.get_yticklabels(), visible=False)
            if c == 0 and i == 0:
                ax.legend(fontsize=7, loc="upper left", frameon=False)
    fig.text(
        0.5,
        outer[2].get_position(fig).y1 + 0.03,
        "Continuous-factor data (3 i.i.d. logistic factors, invertible network g, exact inverse): "
        "the true factors read back from x along each traversal.\nLeft the model g, right its twin "
        "g∘f⁻¹ with the nonlinear f = G⁻¹∘A∘G.  Exact log p(x) of the two models differs by at most"
        f" {mix['log_px_max_abs_diff']:.0e}.",
        ha="center",
        va="center",
        fontsize=9,
    )
    fig.suptitle(
        "Ground truth: a model whose latents are the true factors, and its twin — one latent moves "
        "one factor, versus every latent moves every factor",
        y=0.985,
        fontsize=10.5,
    )
    return savefig(fig, Path(ctx.figure_dir) / "vae_twin_ground_truth.png")


def plot(results: dict, ctx: Any) -> list:
    with figure_style():
        return _plot_elbo(results, ctx) + _plot_ground_truth(results, ctx)
