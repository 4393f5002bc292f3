"""A trained VAE and its entangled twin: the same ELBO and log p(x), opposite latent traversals.

Data: procedural sprites (3 shapes × 4 scales × 4 orientations × 12 × 12 positions, 32×32
binary images), 20 % of the factor combinations held out. Two VAEs are trained by maximising the
ELBO (Bernoulli decoder, MLP 1024-256-128-d, d = 5, Adam): one with the standard-normal prior,
whose Theorem-1 map is the rotation f(z) = Az, and one with an i.i.d. logistic prior, whose map
f = G⁻¹ ∘ A ∘ G is nonlinear. The twin of each (``vae.entangled(f)``) has the pushforward
encoder f#q and the decoder p(x | f⁻¹(z')).

Figure ``vae_twin_elbo``: training curves with the final training ELBO; held-out ELBO and
importance-weighted log p(x) of model and twin, each estimated with its *own* random draws
(mean ± standard error over held-out points; the paired difference is within Monte-Carlo
error); and the per-sample differences of every single-sample ELBO term and log-weight with
common random numbers (rounding level, ~1e-14) against independent draws (Monte-Carlo level).

Figure ``vae_twin_traversals``: decoded images along each latent axis for the normal-prior VAE
and for its twin (decoder ∘ f⁻¹), with how far each traversal moves the sprite's centre and
area. A VAE trained without supervision for a few thousand steps is itself only partly
disentangled (as the 2019 study found for most runs), so the figure ``vae_twin_ground_truth``
shows the exact version: the sprite renderer driven by continuous factors z ~ N(0, I) (scale,
angle, x, y) is a generator g whose latents are the true factors, its twin g ∘ f⁻¹ renders the
same distribution of images, and traversing one latent changes one factor for g and every factor
for g ∘ f⁻¹. Beside it, the continuous-factor data set (logistic factors through an invertible
network): the true factors g⁻¹(x) recovered exactly along traversals of each model's latents.
"""

from __future__ import annotations

import time
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
from impossibility.tools.plotting import DISENTANGLED, ENTANGLED, figure_style, savefig
from impossibility.vae import VAE, importance_weighted_log_px, train_or_load

DESCRIPTION = (
    "VAE vs entangled twin: equal held-out ELBO / log p(x) (normal prior: rotation; logistic "
    "prior: nonlinear f), ~1e-14 per-sample agreement, and latent traversals (one vs all factors)"
)

PRIORS = ("normal", "logistic")
PRIOR_LABELS = {
    "normal": "N(0, I) prior, f(z) = Az",
    "logistic": "logistic prior, f = G⁻¹∘A∘G (nonlinear)",
}
#: Bin edges of log10 |Δ| for the per-sample agreement histogram.
HIST_EDGES = np.linspace(-18, 3, 85)


def _config(quick: bool) -> dict:
    if quick:
        return {
            "sprites": {
                "num_scales": 2,
                "num_orientations": 2,
                "num_positions": 6,
                "image_size": 16,
            },
            "latent_dim": 3,
            "hidden": [64, 32],
            "n_steps": 150,
            "batch_size": 32,
            "lr": 2e-3,
            "holdout": 0.2,
            "n_eval": 40,
            "n_elbo_samples": 4,
            "n_importance": 16,
            "n_traversal": 7,
            "gt_grid": 24,
            "gt_supersample": 2,
            "gt_image_size": 24,
        }
    return {
        "sprites": {"num_scales": 4, "num_orientations": 4, "num_positions": 12, "image_size": 32},
        "latent_dim": 5,
        "hidden": [256, 128],
        "n_steps": 4000,
        "batch_size": 64,
        "lr": 1e-3,
        "holdout": 0.2,
        "n_eval": 400,
        "n_elbo_samples": 16,
        "n_importance": 64,
        "n_traversal": 9,
        "gt_grid": 64,
        "gt_supersample": 4,
        "gt_image_size": 48,
    }


# ----------------------------------------------------------------------------- data and models
def _prior(name: str, d: int) -> Any:
    return None if name == "normal" else im.FactorizedPrior.iid(stats.logistic(), d)


def _train_or_load(ctx: Any, cfg: dict, prior_name: str, x_train: np.ndarray, key: int):
    """The VAE for ``prior_name`` from the shared model store, trained on a miss.

    The spec names everything the weights depend on (data, architecture, training settings,
    seeds), so experiments asking for the same model get the same entry.
    """
    spec = {
        k: cfg[k]
        for k in ("sprites", "latent_dim", "hidden", "n_steps", "batch_size", "lr", "holdout")
    }
    spec.update(prior=prior_name, seed=ctx.seed, key=key, rng="shared-0x5A17E")

    def train() -> tuple[VAE, dict]:
        rng = ctx.shared_rng(10, key)
        d = cfg["latent_dim"]
        vae = VAE(x_train.shape[1:], d, hidden=cfg["hidden"], prior=_prior(prior_name, d), rng=rng)
        t0 = time.perf_counter()
        hist = vae.fit(
            x_train,
            rng=rng,
            n_steps=cfg["n_steps"],
            batch_size=cfg["batch_size"],
            lr=cfg["lr"],
            progress=False,
        )
        ctx.log(
            f"{prior_name} prior: trained {cfg['n_steps']} steps in "
            f"{time.perf_counter() - t0:.0f} s, final ELBO "
            f"{hist['elbo'][-min(500, len(hist['elbo'])) :].mean():.2f}"
        )
        return vae, hist

    return train_or_load(ctx.model_dir, spec, train, name=f"sprite_vae_{prior_name}", log=ctx.log)


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
    for name, a, b in (
        ("elbo", ta["elbo"], tb["elbo"]),
        ("log_px", lp_a, lp_b),
        ("rec", ta["rec"], tb["rec"]),
        ("kl", ta["kl"], tb["kl"]),
    ):
        out[name] = {"model": _mean_se(a), "twin": _mean_se(b), "paired_diff": _mean_se(b - a)}
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


# ----------------------------------------------------------------------------- part (b)
def _attributes(images: np.ndarray) -> np.ndarray:
    """Centre x, centre y (pixels, y up) and area (pixels) of grey images (n, P, P[, 1])."""
    img = images.reshape(images.shape[0], images.shape[1], images.shape[2])
    P = img.shape[1]
    c = np.arange(P) + 0.5
    mass = img.sum(axis=(1, 2))
    safe = np.maximum(mass, 1e-12)
    cx = (img.sum(axis=1) * c).sum(axis=1) / safe
    cy = P - (img.sum(axis=2) * c).sum(axis=1) / safe
    return np.stack([cx, cy, mass], axis=1)


def _as_uint8(images: np.ndarray) -> np.ndarray:
    return np.clip(np.round(255 * images[..., 0]), 0, 255).astype(np.uint8)


def _traversals(
    ctx: Any, cfg: dict, vae: VAE, twin: Any, f: Any, data: ProceduralSprites, x_test: np.ndarray
) -> dict:
    T = cfg["n_traversal"]
    ts = np.linspace(-2.5, 2.5, T)
    nv = data.factors_num_values
    base_factors = np.array([[2, nv[1] - 1, 0, nv[3] // 2, nv[4] // 2]])  # a large centred heart
    x0 = data.sample_observations_from_factors(base_factors, ctx.rng(30))
    mu0 = vae.encode(x0)[0]
    # order latents by their average KL on held-out data (most informative first)
    mu_t, lv_t = vae.encode(x_test)
    kl_dim = 0.5 * np.mean(mu_t**2 + np.exp(lv_t) - lv_t - 1.0, axis=0)
    order = np.argsort(-kl_dim)
    out: dict[str, Any] = {
        "ts": ts,
        "kl_per_dim": kl_dim[order],
        "order": order,
        "base_image": pack_uint8(_as_uint8(x0)[0]),
    }
    for name, model, base in (("model", vae, mu0), ("twin", twin, f.forward(mu0))):
        imgs, attrs = [], []
        for i in order:
            z = np.repeat(base, T, axis=0)
            z[:, i] = ts
            dec = model.decode(z)
            imgs.append(_as_uint8(dec))
            attrs.append(_attributes(dec))
        attrs = np.array(attrs)  # (d, T, 3)
        out[name] = {
            "images": pack_uint8(np.array(imgs)),
            "attributes": np.round(attrs, 4),
            "ranges": np.ptp(attrs, axis=1),
        }
    return out


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
    cfg = _config(ctx.quick)
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
    models = {}
    for key, name in enumerate(PRIORS):
        vae, hist, cached = _train_or_load(ctx, cfg, name, x_train, key)
        f = im.entangling_bijection(vae.prior or im.FactorizedPrior.standard_normal(d), A)
        twin = vae.entangled(f)
        models[name] = (vae, twin, f)
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
    vae, twin, f = models["normal"]
    results["traversals"] = _traversals(ctx, cfg, vae, twin, f, data, x_eval)
    results["ground_truth_sprites"] = _ground_truth_sprites(
        ctx, cfg, im.random_entangling_rotation(4, ctx.rng(5))
    )
    results["ground_truth_mixing"] = _ground_truth_mixing(ctx, cfg)
    return results


# ----------------------------------------------------------------------------- plots
def _mosaic(images: np.ndarray, pad: int = 2, pad_value: float = 0.12) -> np.ndarray:
    """Tile uint8 images (R, C, P, P) into one float array with ``pad``-pixel separators."""
    imgs = np.asarray(images, dtype=np.float64) / 255.0
    R, C, P, Q = imgs.shape
    out = np.full((R * (P + pad) - pad, C * (Q + pad) - pad), pad_value)
    for r in range(R):
        for c in range(C):
            out[r * (P + pad) : r * (P + pad) + P, c * (Q + pad) : c * (Q + pad) + Q] = imgs[r, c]
    return out


def _show_mosaic(
    ax: Any, images: np.ndarray, row_labels: list, col_labels: list, colour: str
) -> None:
    imgs = np.asarray(images)
    R, C, P = imgs.shape[0], imgs.shape[1], imgs.shape[2]
    pad = max(1, P // 16)
    ax.imshow(_mosaic(imgs, pad), cmap="Greys", vmin=0, vmax=1, interpolation="nearest")
    ax.set_yticks([r * (P + pad) + P / 2 for r in range(R)], row_labels)
    ax.set_xticks([c * (P + pad) + P / 2 for c in range(C)], col_labels, fontsize=7)
    ax.tick_params(length=0)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(True)
        ax.spines[side].set_color(colour)
        ax.spines[side].set_linewidth(2)


def _plot_elbo(res: dict, ctx: Any) -> list:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        2, 3, figsize=(13.5, 7.4), gridspec_kw={"width_ratios": [1.15, 1, 1.1]}
    )
    fig.subplots_adjust(hspace=0.55, wspace=0.32)
    for row, name in enumerate(PRIORS):
        r = res[name]
        ax = axes[row, 0]
        ax.plot(
            r["train_curve_steps"],
            r["train_curve_elbo"],
            color=DISENTANGLED,
            lw=1.3,
            label="minibatch ELBO (window means)",
        )
        ax.axhline(r["final_train_elbo"], color="0.4", ls=":", lw=1)
        ax.set_xlabel("training step")
        ax.set_ylabel("ELBO (nats / image)")
        lo = np.percentile(r["train_curve_elbo"], 3)
        ax.set_ylim(lo - 5, r["final_train_elbo"] + 0.12 * (r["final_train_elbo"] - lo) + 2)
        ax.set_title(
            f"{r['prior']}\ntraining: final ELBO {r['final_train_elbo']:.2f} "
            f"± {r['final_train_elbo_se']:.2f} (last 500 steps)",
            fontsize=9,
        )
        ax.text(
            0.97,
            0.05,
            "(the twin of every iterate has the same ELBO)",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=7,
            color=ENTANGLED,
        )
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 0.12), fontsize=7, frameon=False)

        ax = axes[row, 1]
        labels = ["ELBO", f"log p(x)\n(IW, K = {r['n_importance']})"]
        keys = ["elbo", "log_px"]
        for j, key in enumerate(keys):
            for who, colour, dx in (("model", DISENTANGLED, -0.13), ("twin", ENTANGLED, 0.13)):
                m, se = r[key][who]
                ax.errorbar(
                    j + dx,
                    m,
                    yerr=se,
                    fmt="o",
                    ms=6,
                    color=colour,
                    capsize=5,
                    lw=1.6,
                    label=("VAE" if who == "model" else "entangled twin") if j == 0 else None,
                )
        ax.set_xticks([0, 1], labels)
        ax.set_xlim(-0.6, 1.6)
        vals = [r[k][w][0] for k in keys for w in ("model", "twin")]
        ses = [r[k][w][1] for k in keys for w in ("model", "twin")]
        span = max(vals) - min(vals) + 4 * max(ses)
        ax.set_ylim(
            min(vals) - 2.2 * max(ses) - 0.55 * span, max(vals) + 2.2 * max(ses) + 0.25 * span
        )
        ax.set_ylabel("nats / image (mean ± s.e.)")
        ax.set_title(f"{r['n_eval']} held-out images, independent draws", fontsize=9)
        pe, pl = r["elbo"]["paired_diff"], r["log_px"]["paired_diff"]
        crn = r["crn_max_abs_diff"]
        ax.text(
            0.5,
            0.03,
            f"twin − VAE, paired over images:\nELBO {pe[0]:+.3f} ± {pe[1]:.3f},  "
            f"log p(x) {pl[0]:+.3f} ± {pl[1]:.3f}\n"
            f"with common random numbers, max |Δ|:\nELBO terms {crn['elbo_samples']:.0e},  "
            f"log p(x) {crn['log_px']:.0e}",
            transform=ax.transAxes,
            ha="center",
            va="bottom",
            fontsize=7,
            bbox=dict(boxstyle="round", fc="white", ec="0.8"),
        )
        ax.legend(loc="upper center", fontsize=7, ncol=2, frameon=False)

        ax = axes[row, 2]
        edges = np.asarray(r["hist_edges"], dtype=float)
        zero_at, w = edges[0] - 1.5, edges[1] - edges[0]  # exact zeros get their own bar
        for key, zkey, colour, label in (
            ("hist_crn", "n_exact_zero_crn", "k", "common random numbers"),
            ("hist_independent", "n_exact_zero_independent", "0.65", "independent draws"),
        ):
            ax.stairs(r[key], edges, fill=True, color=colour, alpha=0.85, label=label)
            if r[zkey]:
                ax.bar(zero_at, r[zkey], width=w, color=colour, alpha=0.85)
        eps_pos = np.log10(np.finfo(float).eps)
        ax.axvline(eps_pos, color="k", ls=":", lw=1, label="float64 ε")
        ax.set_xticks([zero_at, -15, -10, -5, 0], ["Δ=0", "−15", "−10", "−5", "0"])
        ax.set_xlim(zero_at - 1, edges[-1])
        ax.set_xlabel("log₁₀ |single-sample ELBO term: VAE − twin|")
        ax.set_ylabel("count")
        extra = f";  closed-form KL {crn['analytic_kl']:.0e}" if "analytic_kl" in crn else ""
        ax.set_title(
            f"{r['n_samples_compared']} terms ({r['n_exact_zero_crn']} identical); max |Δ| of\n"
            f"log-weights (K = {r['n_importance']}) {crn['log_weights']:.0e}{extra}",
            fontsize=8.5,
        )
        ax.legend(loc="upper left", bbox_to_anchor=(0.3, 0.8), fontsize=7, frameon=False)
    cfg = res["config"]
    fig.suptitle(
        "A trained VAE and its entangled twin (encoder f#q, decoder p(x | f⁻¹(z')), same prior): "
        "the same ELBO and log p(x)\n"
        f"{cfg['sprites']['image_size']}×{cfg['sprites']['image_size']} sprites, "
        f"d = {cfg['latent_dim']}, "
        f"{res['n_train_images']} training / {res['n_test_images']} held-out factor combinations, "
        f"{cfg['n_steps']} Adam steps",
        y=1.0,
        fontsize=10.5,
    )
    return savefig(fig, Path(ctx.figure_dir) / "vae_twin_elbo.png")


def _plot_traversals(res: dict, ctx: Any) -> list:
    import matplotlib.pyplot as plt

    tr = res["traversals"]
    ts = np.asarray(tr["ts"])
    d = len(tr["order"])
    fig = plt.figure(figsize=(12.5, 0.62 * d + 3.0))
    gs = fig.add_gridspec(
        2, 2, height_ratios=[d, 2.3], hspace=0.25, wspace=0.3, top=0.86, bottom=0.04
    )
    col_labels = [f"{t:+.1f}" for t in ts]
    ranges = {w: np.asarray(tr[w]["ranges"], dtype=float) for w in ("model", "twin")}
    scale = np.maximum(np.maximum(ranges["model"].max(axis=0), ranges["twin"].max(axis=0)), 1e-12)
    for c, (who, colour, title, sym) in enumerate(
        (
            ("model", DISENTANGLED, "trained VAE: decoder(μ(x₀) with $z_i$ ← t)", "z"),
            ("twin", ENTANGLED, "its entangled twin: decoder∘f⁻¹(f(μ(x₀)) with $z'_i$ ← t)", "z'"),
        )
    ):
        ax = fig.add_subplot(gs[0, c])
        if who == "model":
            rows = [
                f"$z_{{{int(i) + 1}}}$ (KL {k:.1f})"
                for i, k in zip(tr["order"], tr["kl_per_dim"], strict=True)
            ]
        else:
            rows = [f"$z'_{{{int(i) + 1}}}$" for i in tr["order"]]
        _show_mosaic(ax, unpack_uint8(tr[who]["images"]), rows, col_labels, colour)
        ax.set_title(title, color=colour, fontsize=9.5)
        ax.set_xlabel("traversal value t")
        ax = fig.add_subplot(gs[1, c])
        R = ranges[who] / scale
        ax.imshow(R.T, cmap="Greys", vmin=0, vmax=1, aspect="auto")
        for (i, j), v in np.ndenumerate(ranges[who]):
            ax.text(
                i,
                j,
                f"{v:.1f}",
                ha="center",
                va="center",
                fontsize=7.5,
                color="white" if R[i, j] > 0.55 else "k",
            )
        ax.set_yticks(range(3), ["centre x (px)", "centre y (px)", "area (px)"])
        ax.set_xticks(range(d), [f"${sym}_{{{int(i) + 1}}}$" for i in tr["order"]])
        share = (R / np.maximum(R.sum(axis=1, keepdims=True), 1e-12)).max(axis=1).mean()
        ax.set_title(
            "range over t of the decoded sprite's centre and area; mean share of the "
            f"largest: {share:.2f}\n(1: each latent moves one attribute, 1/3: all alike; "
            "shades normalised per attribute)",
            fontsize=8,
        )
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.tick_params(length=0)
    fig.suptitle(
        "Latent traversals from one image x₀ of the trained N(0, I)-prior VAE and of its twin "
        "(z' = Az): "
        "same decoder, same ELBO.\nThis VAE, trained without supervision, is itself only partly "
        "disentangled (like most runs of the 2019 study); vae_twin_ground_truth shows the exact "
        "case.",
        y=0.985,
        fontsize=10,
    )
    return savefig(fig, Path(ctx.figure_dir) / "vae_twin_traversals.png")


FACTOR_COLOURS = ("#2ca02c", "#9467bd", "#8c564b", "#e377c2")


def _plot_ground_truth(res: dict, ctx: Any) -> list:
    import matplotlib.pyplot as plt

    gt = res["ground_truth_sprites"]
    mix = res["ground_truth_mixing"]
    names = gt["factor_names"]
    ts = np.asarray(gt["ts"])
    A = np.asarray(gt["A"])
    fig = plt.figure(figsize=(13.5, 7.6))
    outer = fig.add_gridspec(2, 1, height_ratios=[1, 1.15], hspace=0.42, top=0.93, bottom=0.07)
    top = outer[0].subgridspec(1, 4, width_ratios=[5, 1.3, 5, 1.3], wspace=0.14)
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
        ax = fig.add_subplot(top[0, 2 * c])
        rows = [f"${sym}_{i + 1}$" + (f" = {names[i]}" if who == "model" else "") for i in range(4)]
        _show_mosaic(ax, unpack_uint8(gt[who]["images"]), rows, col_labels, colour)
        ax.set_title(title, color=colour, fontsize=9.5)
        ax.set_xlabel("traversal value t (other latents 0)")
        ax = fig.add_subplot(top[0, 2 * c + 1])
        W = np.abs(M)
        ax.imshow(W, cmap="Greys", vmin=0, vmax=1)
        for (i, j), v in np.ndenumerate(W):
            ax.text(
                j,
                i,
                f"{v:.2f}".lstrip("0") if v < 1 else "1",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if v > 0.55 else "k",
            )
        ax.set_xticks(range(4), names, rotation=90, fontsize=7.5)
        ax.set_yticks(range(4), [f"${sym}_{i + 1}$" for i in range(4)], fontsize=8)
        ax.set_title(f"|∂ factor / ∂${sym}_i$|", fontsize=8.5)
        ax.tick_params(length=0)
    bottom = outer[1].subgridspec(1, 7, width_ratios=[1, 1, 1, 0.3, 1, 1, 1], wspace=0.12)
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
        outer[1].get_position(fig).y1 + 0.055,
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
        return (
            _plot_elbo(results, ctx)
            + _plot_traversals(results, ctx)
            + _plot_ground_truth(results, ctx)
        )
