"""The diagonal posterior breaks the rotation symmetry: best ELBO of a rotated VAE by angle.

With the N(0, I) prior Theorem 1's map is a rotation R(θ). The rotated model (decoder
p(x | R(θ)ᵀz')) is as good as the original for every θ when the encoder family is closed under
rotation (full-covariance Gaussians, or the pushforward R(θ)#q of the trained encoder): a flat
curve. With the diagonal-Gaussian family of the study's VAEs the best attainable ELBO depends on θ
and peaks at the axes the model found (θ ∈ (π/2)ℤ).

(a) The linear VAE of docs/theory.md §3.7 (D = 5, d = 2, σ² = 0.3, column norms 2 and 0.7):
    the closed-form gap(θ) = ½[Σᵢ log(RΛRᵀ)ᵢᵢ − log det Λ] and scipy-BFGS optima of per-point
    diagonal and full-covariance encoders.
(b) A linear VAE trained on data from that model: per-point encoders re-fitted by L-BFGS for each θ
    (fixed moment-matched noise, which is exact for a linear decoder), against the closed form for
    the trained decoder.
(c) A nonlinear VAE (MLP decoder) trained on a curved 2-factor data set: the same re-fit.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from impossibility import biases, nn
from impossibility.tools.plotting import DISENTANGLED, ENTANGLED, figure_style, savefig
from impossibility.vae import VAE

DESCRIPTION = (
    "Diagonal posterior: best ELBO of a rotated VAE peaks at the model's axes; "
    "flat for closed families"
)


def _curved_data(n: int, rng: np.random.Generator) -> np.ndarray:
    """z ~ N(0, I₂), x = tanh(z W₁ + c) W₂ + 0.05 ε in D = 8 (factor 0 weighs three times more)."""
    gen = np.random.default_rng(12345)  # the data-generating map is fixed; samples come from rng
    W1 = gen.normal(size=(2, 16)) * np.array([[1.5], [0.5]])
    c = 0.3 * gen.normal(size=16)
    W2 = gen.normal(size=(16, 8)) / 4
    z = rng.normal(size=(n, 2))
    return np.tanh(z @ W1 + c) @ W2 + 0.05 * rng.normal(size=(n, 8))


def compute(ctx: Any) -> dict:
    quick = ctx.quick
    out: dict[str, Any] = {}
    with nn.blas_threads(1):
        # (a) closed form and BFGS for the reference decoder
        W, b, s2 = biases.reference_linear_decoder()
        Lam = biases.linear_posterior_precision(W, s2)
        th_dense = np.linspace(-math.pi / 2, math.pi / 2, 181)
        th_pts = np.linspace(-math.pi / 2, math.pi / 2, 7 if quick else 25)
        x_ref = ctx.rng(0).normal(size=(3 if quick else 10, 5)) * 1.5
        curve = biases.linear_gap_curve(W, b, s2, th_pts, x_ref)
        out["a"] = {
            "theta_dense": th_dense,
            "formula_dense": [
                biases.mean_field_gap(Lam, biases.plane_rotation(t)) for t in th_dense
            ],
            "theta": th_pts,
            "bfgs_diagonal": curve["diagonal"],
            "bfgs_full": curve["full"],
            "formula": curve["formula"],
            "reference": {f"{k:.10f}": v for k, v in biases.REFERENCE_GAPS.items()},
            "reference_formula": [
                biases.mean_field_gap(Lam, biases.plane_rotation(t)) for t in biases.REFERENCE_GAPS
            ],
            "reference_bfgs": biases.linear_gap_curve(W, b, s2, list(biases.REFERENCE_GAPS), x_ref)[
                "diagonal"
            ],
        }

        # (b) trained linear VAE
        rng = ctx.rng(1)
        Q = stats.ortho_group.rvs(5, random_state=rng)
        Wt = Q @ W
        n = 2000 if quick else 8000
        x = rng.normal(size=(n, 2)) @ Wt.T + math.sqrt(s2) * rng.normal(size=(n, 5))
        vae = VAE(5, 2, hidden=(), likelihood="gaussian", obs_std=math.sqrt(s2), rng=rng)
        vae.fit(x, rng=rng, n_steps=600 if quick else 6000, batch_size=128, lr=3e-3, progress=False)
        Wv, bv, sv = biases.linear_vae_parameters(vae)
        Lv = biases.linear_posterior_precision(Wv, sv)
        xe = x[: 10 if quick else 100]
        th = np.linspace(-math.pi / 2, math.pi / 2, 5 if quick else 13)
        c = biases.elbo_rotation_curve(vae, xe, th, rng=rng, n_samples=8)
        lpx = float(np.mean(biases.linear_log_px(xe, Wv, bv, sv)))
        out["b"] = {
            "theta": th,
            "elbo_diagonal": c["elbo_diagonal"],
            "elbo_full": c["elbo_full"],
            "elbo_pushforward": c["elbo_pushforward"],
            "log_px": lpx,
            "theta_dense": th_dense,
            "formula_dense": [
                lpx - biases.mean_field_gap(Lv, biases.plane_rotation(t)) for t in th_dense
            ],
            "max_abs_refit_vs_formula": float(
                np.max(
                    np.abs(
                        lpx
                        - c["elbo_diagonal"]
                        - [biases.mean_field_gap(Lv, biases.plane_rotation(t)) for t in th]
                    )
                )
            ),
            "trained_precision": Lv,
            "n_points": xe.shape[0],
        }

        # (c) nonlinear VAE
        rng = ctx.rng(2)
        x = _curved_data(2000 if quick else 8000, rng)
        vae = VAE(
            8,
            2,
            hidden=(32,) if quick else (64,),
            activation="tanh",
            likelihood="gaussian",
            obs_std=0.05,
            rng=rng,
        )
        vae.fit(
            x,
            rng=rng,
            n_steps=500 if quick else 20000,
            batch_size=128,
            lr=3e-3 if quick else 1e-3,
            progress=False,
        )
        xe = x[: 10 if quick else 60]
        S = 8 if quick else 16
        th = np.linspace(-math.pi / 2, math.pi / 2, 5 if quick else 13)
        cd = biases.elbo_rotation_curve(
            vae, xe, th, rng=ctx.rng(3), n_samples=S, families=("diagonal",)
        )
        th_full = th[::2] if quick else th[::3]
        cf = biases.elbo_rotation_curve(
            vae, xe, th_full, rng=ctx.rng(3), n_samples=S, families=("full",)
        )
        _, lv = vae.encode(xe)
        out["c"] = {
            "theta": th,
            "elbo_diagonal": cd["elbo_diagonal"],
            "elbo_pushforward": cd["elbo_pushforward"],
            "theta_full": th_full,
            "elbo_full": cf["elbo_full"],
            "n_points": xe.shape[0],
            "n_samples": S,
            "posterior_std_ratio": float(np.median(np.exp(0.5 * (lv[:, 0] - lv[:, 1])))),
        }
    return out


def plot(results: dict, ctx: Any) -> list:
    with figure_style():
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 3, figsize=(14, 4.4))
        ticks = [-math.pi / 2, -math.pi / 4, 0, math.pi / 4, math.pi / 2]
        labels = ["−π/2", "−π/4", "0", "π/4", "π/2"]

        a = results["a"]
        ax = axes[0]
        ax.plot(
            a["theta_dense"],
            a["formula_dense"],
            color=ENTANGLED,
            lw=1.5,
            label=r"closed form $\frac{1}{2}[\sum_i\log(R\Lambda R^\top)_{ii}-\log\det\Lambda]$",
        )
        ax.plot(
            a["theta"],
            a["bfgs_diagonal"],
            "o",
            color=ENTANGLED,
            mfc="none",
            ms=6,
            label="BFGS, diagonal encoder",
        )
        ax.plot(
            a["theta"],
            a["bfgs_full"],
            "s",
            color=DISENTANGLED,
            ms=4,
            label="BFGS, full-covariance encoder",
        )
        ref = list(a["reference"].values())
        ax.text(
            0.5,
            0.98,
            f"BFGS: gap(π/8) = {a['reference_bfgs'][1]:.8f}, "
            f"gap(π/4) = {a['reference_bfgs'][2]:.8f}\n"
            f"docs/theory.md §3.7: {ref[1]:.8f}, {ref[2]:.8f}",
            transform=ax.transAxes,
            ha="center",
            va="top",
            fontsize=7,
        )
        ax.set_xticks(ticks, labels)
        ax.set_xlabel("rotation angle θ of the latent space")
        ax.set_ylabel("log p(x) − best ELBO  [nats per x]")
        ax.set_title("(a) linear VAE: only the diagonal family pays for rotating")
        ax.legend(loc="upper center", fontsize=7, bbox_to_anchor=(0.5, -0.2))
        ax.set_ylim(-0.02, max(a["formula_dense"]) * 1.35)

        b = results["b"]
        ax = axes[1]
        ax.axhline(b["log_px"], color="0.5", ls=":", lw=1, label="log p(x) (exact)")
        ax.plot(
            b["theta_dense"],
            b["formula_dense"],
            color=ENTANGLED,
            lw=1.2,
            label="log p(x) − closed-form gap (trained W)",
        )
        ax.plot(
            b["theta"],
            b["elbo_diagonal"],
            "o",
            color=ENTANGLED,
            mfc="none",
            label="re-fitted diagonal encoder",
        )
        ax.plot(
            b["theta"],
            b["elbo_full"],
            "s",
            color=DISENTANGLED,
            ms=4,
            label="re-fitted full-covariance encoder",
        )
        ax.plot(
            b["theta"],
            b["elbo_pushforward"],
            "-",
            color=DISENTANGLED,
            lw=1,
            alpha=0.7,
            label=r"pushforward $R(\theta)_{\#}\,q_\phi$ of the trained encoder",
        )
        ax.set_xticks(ticks, labels)
        ax.set_xlabel("rotation angle θ of the latent space")
        ax.set_ylabel(f"mean best ELBO over {b['n_points']} points [nats]")
        ax.set_title(
            f"(b) trained linear VAE (re-fit = formula to {b['max_abs_refit_vs_formula']:.0e})"
        )
        ax.legend(loc="upper center", fontsize=7, bbox_to_anchor=(0.5, -0.2))

        c = results["c"]
        ax = axes[2]
        ax.plot(
            c["theta"],
            c["elbo_diagonal"],
            "o-",
            color=ENTANGLED,
            mfc="none",
            label="re-fitted diagonal encoder",
        )
        ax.plot(
            c["theta_full"],
            c["elbo_full"],
            "s-",
            color=DISENTANGLED,
            ms=4,
            label="re-fitted full-covariance encoder",
        )
        pf = np.asarray(c["elbo_pushforward"])
        ax.plot(
            [],
            [],
            " ",
            label=r"pushforward $R(\theta)_{\#}\,q_\phi$ of the trained encoder: "
            f"{pf.mean():.3f} at every θ (spread {np.ptp(pf):.0e})",
        )
        th = np.asarray(c["theta"])
        best = th[int(np.argmax(c["elbo_diagonal"]))]
        ax.axvline(best, color=ENTANGLED, ls=":", lw=0.8)
        ax.annotate(
            f"best diagonal frame θ* = {math.degrees(best):+.0f}° (mod 90°)",
            (best, max(c["elbo_diagonal"])),
            xytext=(-60, 14),
            textcoords="offset points",
            fontsize=7,
            color=ENTANGLED,
        )
        ax.set_xticks(ticks, labels)
        ax.set_xlabel("rotation angle θ of the latent space")
        ax.set_ylabel(f"mean best ELBO over {c['n_points']} points [nats]")
        ax.set_title("(c) MLP-decoder VAE: the diagonal ELBO depends on θ")
        ax.legend(loc="upper center", fontsize=7, bbox_to_anchor=(0.5, -0.2))

        fig.suptitle(
            "Rotating the latent space costs ELBO only when the encoder is restricted to "
            "diagonal Gaussians",
            fontsize=11,
        )
        fig.tight_layout()
        return savefig(fig, ctx.figure_dir / "bias_diagonal_posterior.png")
