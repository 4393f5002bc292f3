"""Auxiliary variables (iVAE): Theorem 1's f preserves p(x) but not p(z | u) nor p(x, u).

Design (docs/theory.md §5.2): independent u_i ∈ {0, 1} (uniform) and z_i | u_i ~ N(0, σ²(u_i)) with
σ(0) = r^(−1/2), σ(1) = r^(1/2), so the marginal p(z) is a product of Gaussian scale mixtures and
Theorem 1's f = G⁻¹ ∘ R(π/4) ∘ G is defined for it.

(a) Densities for d = 2: the marginal p(z) and the twin's are identical; the conditional
    p(z | u = (0, 1)) and the twin's (law of f⁻¹(ẑ), ẑ ~ p(· | u)) are not.
(b) The gap against the modulation ratio r: E_u KL(p(·|u) ‖ twin) by quadrature (exact), the p(x)
    gap on the same nodes (zero), and the variability check with one shared u and a rotation:
    isotropic modulation ⇒ 0, anisotropic ⇒ closed form > 0 (where, however, the marginal is not
    factorized and the rotation changes it too).
(c) d = 5 by Monte Carlo, through an invertible MLP generator: log p(x, u) gap vs log p(x) gap.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import impossibility as im
from impossibility import nn
from impossibility.biases import auxiliary as ax
from impossibility.tools.plotting import DISENTANGLED, ENTANGLED, figure_style, savefig

DESCRIPTION = "Auxiliary variable u: the twin keeps p(x) exactly but loses nats on p(x, u)"


def _aux(r: float, d: int = 2) -> ax.AuxiliaryPrior:
    s = [1 / math.sqrt(r), math.sqrt(r)]
    return ax.AuxiliaryPrior([s] * d)


def compute(ctx: Any) -> dict:
    quick = ctx.quick
    R = im.rotation_2d(math.pi / 4)
    out: dict[str, Any] = {}
    with nn.blas_threads(1):
        # (a) densities on a grid, r = 4 (σ ∈ {0.5, 2})
        aux = _aux(4.0)
        f = im.entangling_bijection(aux.marginal, R)
        g = np.linspace(-4, 4, 61 if quick else 161)
        Z = np.stack(np.meshgrid(g, g, indexing="xy"), axis=-1).reshape(-1, 2)
        v, ld = f.forward_and_log_det(Z)
        u = np.tile([0, 1], (Z.shape[0], 1))
        out["a"] = {
            "grid": g,
            "marginal": np.exp(aux.marginal.log_prob(Z)),
            "marginal_twin": np.exp(aux.marginal.log_prob(v) + ld),
            "conditional": np.exp(aux.conditional_log_prob(Z, u)),
            "conditional_twin": np.exp(aux.conditional_log_prob(v, u) + ld),
            "u": [0, 1],
            "scales": aux.scales[0],
        }
        # (b) gap against the modulation ratio
        ratios = [1.0, 2.0, 4.0, 8.0] if quick else [1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0]
        rows = []
        for r in ratios:
            a = _aux(r)
            fr = im.entangling_bijection(a.marginal, R)
            q = ax.auxiliary_gap_quadrature(a, fr, n_panels=8 if quick else 24)
            s0, s1 = 1 / math.sqrt(r), math.sqrt(r)
            iso = ax.shared_rotation_gap(
                [[s0, s0], [s1, s1]], R, rng=ctx.rng(1), n_mc=2000 if quick else 20000
            )
            ani = ax.shared_rotation_gap(
                [[s0, s1], [s1, s0]], R, rng=ctx.rng(2), n_mc=2000 if quick else 20000
            )
            rows.append(
                {
                    "ratio": r,
                    "conditional": q["conditional"],
                    "error_estimate": q["error_estimate"],
                    "marginal": q["marginal"],
                    "marginal_max_abs": q["marginal_max_abs"],
                    "shared_isotropic": iso["conditional"],
                    "shared_isotropic_marginal": iso["marginal"],
                    "shared_anisotropic": ani["conditional"],
                    "shared_anisotropic_marginal": ani["marginal"],
                    "shared_anisotropic_marginal_stderr": ani["marginal_stderr"],
                }
            )
        out["b"] = rows
        # (c) d = 5 by Monte Carlo through an invertible generator
        rng = ctx.rng(3)
        a5 = _aux(4.0, d=5)
        f5 = im.entangling_bijection(a5.marginal, rng=rng)
        gen = im.generative.InvertibleMLP.random(5, rng)
        n = 2000 if quick else 50000
        obs = ax.observed_gap(a5, f5, gen, n, rng)
        lat = ax.auxiliary_gap_mc(a5, f5, n, rng)
        out["c"] = {
            "observed": obs,
            "latent": lat,
            "n": n,
            "A_min_abs": float(np.min(np.abs(f5.A))),
        }
    return out


def plot(results: dict, ctx: Any) -> list:
    with figure_style():
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(14, 4.6))
        gs = fig.add_gridspec(1, 4, width_ratios=[1, 1, 1.6, 1.0], wspace=0.35)
        a = results["a"]
        g = np.asarray(a["grid"])
        n = g.size

        def contours(ax_, true, twin, title):
            T = np.asarray(true).reshape(n, n)
            W = np.asarray(twin).reshape(n, n)
            levels = np.sort(np.unique(np.max(T) * np.array([0.02, 0.1, 0.3, 0.6])))
            ax_.contour(g, g, T, levels=levels, colors=DISENTANGLED, linewidths=1.2)
            ax_.contour(g, g, W, levels=levels, colors=ENTANGLED, linewidths=1.0, linestyles="--")
            ax_.set_aspect("equal")
            ax_.set_xlabel("$z_1$")
            ax_.set_ylabel("$z_2$")
            ax_.set_title(title)

        ax0 = fig.add_subplot(gs[0])
        contours(ax0, a["marginal"], a["marginal_twin"], "(a) p(z): model = twin")
        ax0.plot([], [], color=DISENTANGLED, label="model")
        ax0.plot([], [], color=ENTANGLED, ls="--", label="entangled twin")
        ax0.legend(loc="lower left", fontsize=7)
        ax1 = fig.add_subplot(gs[1])
        s = a["scales"]
        contours(
            ax1,
            a["conditional"],
            a["conditional_twin"],
            f"(b) p(z | u=(0,1)), σ=({s[0]:g}, {s[1]:g})",
        )

        rows = results["b"]
        r = np.array([row["ratio"] for row in rows])
        ax2 = fig.add_subplot(gs[2])
        ax2.plot(
            r,
            [row["conditional"] for row in rows],
            "o-",
            color=ENTANGLED,
            label="per-coordinate u, Theorem-1 f: log p(x, u) gap (quadrature)",
        )
        # the two zero series would sit on one another: offset them sideways (log x axis)
        ax2.plot(
            r * 0.93,
            [row["marginal"] for row in rows],
            "s--",
            color=DISENTANGLED,
            mfc="none",
            ms=6,
            label="same model: log p(x) gap (max |pointwise| %.0e; drawn left)"
            % max(row["marginal_max_abs"] for row in rows),
        )
        ax2.plot(
            r,
            [row["shared_anisotropic"] for row in rows],
            "^-",
            color="tab:orange",
            label="shared u, anisotropic, rotation: p(x, u) gap (closed form)",
        )
        ax2.errorbar(
            r,
            [row["shared_anisotropic_marginal"] for row in rows],
            yerr=[1.96 * row["shared_anisotropic_marginal_stderr"] for row in rows],
            fmt="^:",
            color="tab:orange",
            mfc="none",
            capsize=2,
            label="   … and its p(x) gap (MC ± 95 %; rotation is no twin there)",
        )
        ax2.plot(
            r * 1.07,
            [row["shared_isotropic"] for row in rows],
            "D-",
            color="0.4",
            ms=4,
            label="shared u, isotropic σ(u)I, rotation: both gaps 0 (drawn right)",
        )
        ax2.set_xscale("log")
        ax2.set_yscale("symlog", linthresh=0.1, linscale=0.5)
        ax2.set_xticks(r, [f"{v:g}" for v in r])
        ax2.minorticks_off()
        ax2.set_xlabel("modulation ratio σ(1)/σ(0)")
        ax2.set_ylabel("expected log-likelihood gap [nats per observation]")
        ax2.set_title("(c) d = 2: gap against modulation strength")
        ax2.set_ylim(-0.02, None)
        h, lab = ax2.get_legend_handles_labels()  # errorbar handles come last: restore the order
        order = [0, 1, 2, 4, 3]
        ax2.legend(
            [h[i] for i in order],
            [lab[i] for i in order],
            fontsize=7,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.15),
        )

        c = results["c"]
        ax3 = fig.add_subplot(gs[3])
        vals = [c["observed"]["joint"], c["latent"]["conditional"], c["observed"]["marginal"]]
        errs = [c["observed"]["joint_stderr"], c["latent"]["conditional_stderr"], 0.0]
        ax3.bar([0, 1, 2], vals, yerr=errs, color=[ENTANGLED, ENTANGLED, DISENTANGLED], capsize=3)
        ax3.set_xticks([0, 1, 2], ["(x, u)\nvia g", "(z | u)", "x alone"])
        for i, v in enumerate(vals):
            ax3.annotate(
                f"{v:.3f}" if abs(v) > 1e-6 else f"{v:.0e}",
                (i, v),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                fontsize=8,
            )
        ax3.set_ylabel("gap [nats per observation]")
        ax3.set_title(f"(d) d = 5, ratio 4, MC n = {c['n']}")
        fig.suptitle(
            "An observed auxiliary variable breaks the symmetry: the twin keeps p(x) "
            "exactly and loses likelihood on (x, u)",
            fontsize=11,
        )
        return savefig(fig, ctx.figure_dir / "bias_auxiliary.png")
