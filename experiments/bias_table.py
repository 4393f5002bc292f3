"""A number for each inductive bias: how far it moves the entangled twin, and what it still allows.

d = 2 and Theorem 1's f = G⁻¹ ∘ R(π/4) ∘ G throughout. The 2019 rows
(impossibility.biases.table.bias_table): expected log-likelihood gap Δ = E[log p_true(observed) −
log p_twin(observed)] in nats per observation, next to a control without the bias (gap 0); the
unsupervised case (only x observed) is exactly zero, pointwise up to rounding. The atlas rows
(impossibility.biases.atlas): IMA's contrast, the mean-field ELBO gap that tends to it, iVAE's
segment KL (nats), and the sparsity (L0 excess) and local-isometry (squared Jacobian defect) numbers
of the twin. For every row, the group of twins it cannot rule out (biases.symmetries) and, below,
how each magnitude depends on its setting.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from impossibility import nn
from impossibility.biases.atlas import ATLAS_ORDER, atlas_rows, setting_curves
from impossibility.biases.symmetries import bias_symmetries
from impossibility.biases.table import BIAS_ORDER, bias_table
from impossibility.tools.plotting import DISENTANGLED, ENTANGLED, figure_style, savefig

DESCRIPTION = (
    "One number per inductive bias (2019 rows and the atlas), its control and the group it allows"
)

NATS = ("unsupervised", "diagonal", "embrace_gap", "ima", "auxiliary", "ivae", "pairs", "time")
OTHER = ("sparsity_decoder", "sparsity_transition", "isometry")
LINTHRESH = 1e-2  # symlog: linear on [0, 1e-2], so an exact 0 sits on the axis, not off its edge


def compute(ctx: Any) -> dict:
    quick = ctx.quick
    with nn.blas_threads(1):
        # the 2019 rows draw from stream 0 alone: their numbers do not move when rows are added
        out = bias_table(
            ctx.rng(0), n_mc=4000 if quick else 100_000, quadrature_panels=8 if quick else 32
        )
        new = atlas_rows(
            ctx.rng(1), n_mc=4000 if quick else 100_000, quadrature_panels=8 if quick else 32
        )
        sym = bias_symmetries(
            ctx.rng(2),
            n_mc=400 if quick else 4000,
            n_generic=1 if quick else 3,
            quadrature_panels=4 if quick else 12,
        )
        curves = setting_curves(ctx.rng(3), n_mc=1000 if quick else 40_000)
    out["rows"].update(new)
    out["order"] = list(BIAS_ORDER) + list(ATLAS_ORDER)
    for key, row in out["rows"].items():
        row.setdefault("unit", "nats")
        row["allows"] = sym[key]["allows"]
    out["symmetries"] = sym
    out["setting_curves"] = curves
    return out


def _value_text(row: dict) -> str:
    gap = float(row["gap"])
    if "l0_twin" in row:
        return (
            f"L0 {row['l0_true']:g} → {row['l0_twin']:g} (+{gap:g}; 2nd way +{row['check']:g}), "
            f"L1 {row['l1_true']:.3g} → {row['l1_twin']:.3g}"
            + (f" (± {row['l1_twin_stderr']:.1g})" if row.get("l1_twin_stderr") else "")
        )
    if row.get("stderr", 0) > 0:
        return f"{gap:.4g} ± {row['stderr']:.2g}"
    check = row.get("check")
    if "nonlinear_mc" in row:
        return (
            f"{gap:.4g} (2nd way {float(check):.4g}); nonlinear g: "
            f"{row['nonlinear_quadrature']:.4g}"
            f" (quadrature), {row['nonlinear_mc']:.4g} ± {row['nonlinear_mc_stderr']:.1g} (MC)"
        )
    if "check_stderr" in row:
        return f"{gap:.4g} (quadrature; MC {float(check):.4g} ± {row['check_stderr']:.1g})"
    if check is not None:
        return f"{gap:.4g} (2nd way {float(check):.4g})"
    return f"{gap:.4g} (exact)"


def _bars(ax: Any, rows: dict, keys: tuple[str, ...], sym: dict, log: bool) -> None:
    y = np.arange(len(keys))[::-1] * 1.0
    top = max(float(rows[k]["gap"]) for k in keys)
    for yi, key in zip(y, keys, strict=True):
        row = rows[key]
        gap = float(row["gap"])
        if abs(gap) < 1e-9:
            ax.plot(0, yi + 0.2, marker="o", color=DISENTANGLED, ms=7, clip_on=False, zorder=3)
            txt = f"{gap:.0e} (max |pointwise| {row.get('max_abs', 0.0):.0e}): exactly 0"
            ax.text(0.004 if log else top * 0.02, yi + 0.2, txt, va="center", fontsize=7.5)
        else:
            ax.barh(yi + 0.2, gap, height=0.32, color=ENTANGLED)
            xt = gap * 1.25 if log else gap + top * 0.02
            unit = "" if row["unit"] in ("nats", "L0 entries") else f"  [{row['unit']}]"
            ax.text(xt, yi + 0.2, _value_text(row) + unit, va="center", fontsize=7.5)
        if row["control_label"] is not None:
            ax.plot(row["control_gap"], yi - 0.08, marker="o", color="0.5", ms=5, clip_on=False)
            ax.text(
                0.004 if log else top * 0.02,
                yi - 0.08,
                f"control — {row['control_label']}: {row['control_gap']:.0e}",
                va="center",
                fontsize=6.5,
                color="0.35",
            )
        s = sym[key]
        off = "—" if s["off_group_min"] is None else f"{s['off_group_min']:.2g}"
        note = (
            f"setting: {row['setting']}\nallows: {row['allows']}  [checked for {s['setting']}: "
            f"on it max|gap| {s['on_group_max_abs']:.0e}, off it min {off}]"
        )
        ax.text(
            0.004 if log else top * 0.02,
            yi - 0.36,
            note,
            va="center",
            fontsize=5.8,
            color="0.3",
            linespacing=1.1,
        )
    labels = [f"{rows[k]['label']}\nobserved {rows[k]['observed']}" for k in keys]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(-0.7, y[0] + 0.6)
    if log:
        ax.set_xscale("symlog", linthresh=LINTHRESH, linscale=0.6)
        ax.set_xlim(0, 10 ** np.ceil(np.log10(top * 8)))
        ax.axvspan(0, LINTHRESH, color="0.94", zorder=0)
        ax.text(LINTHRESH / 2, y[0] + 0.55, "linear", fontsize=6, ha="center", color="0.4")
    else:
        ax.set_xlim(0, top * 2.6)


def _curves(axes: Any, curves: dict, rows: dict) -> None:
    c = curves["pairs"]
    ax = axes[0]
    ax.errorbar(c["x"], c["gap"], yerr=c["stderr"], fmt="o", color=ENTANGLED, ms=4, label="MC ± se")
    ax.plot(c["x"], c["leading"], "--", color="0.4", label="c / σₙ² (leading term)")
    ax.plot([0.1], [rows["pairs"]["gap"]], "s", mfc="none", mec="k", ms=8, label="table's row")
    ax.set(xscale="log", yscale="log", xlabel=c["xlabel"], ylabel="gap [nats]", title="pairs")
    ax.set_xticks(c["x"], [f"{v:g}" for v in c["x"]])
    ax.minorticks_off()
    ax.legend(fontsize=6.5, frameon=False)
    c = curves["embrace_gap"]
    ax = axes[1]
    ax.plot(c["x"], c["gap"], color=ENTANGLED, label="mean-field gap of the twin")
    ax.axhline(c["limit"], ls="--", color="0.4", label=f"C_IMA = log 1.25 = {c['limit']:.4f}")
    ax.plot([0.1], [rows["embrace_gap"]["gap"]], "s", mfc="none", mec="k", ms=8)
    ax.set(xscale="log", xlabel=c["xlabel"], ylabel="gap [nats]", title="embrace the gap")
    ax.set_ylim(0, c["limit"] * 1.25)
    ax.legend(fontsize=6.5, frameon=False, loc="lower left")
    c = curves["time"]
    ax = axes[2]
    ax.plot(c["x"], c["gap"], color=ENTANGLED)
    ax.plot([0.3], [rows["time"]["gap"]], "s", mfc="none", mec="k", ms=8)
    ax.axvline(0.9, ls=":", color="0.5")
    ax.text(0.88, max(c["gap"]) * 0.9, "ρ₂ = ρ₁: gap 0", fontsize=6.5, ha="right", color="0.35")
    ax.set(xlabel=c["xlabel"], ylabel="gap [nats]", title="time (AR(1))")
    c = curves["ivae"]
    ax = axes[3]
    ax.plot(c["x"], c["gap"], color=ENTANGLED)
    ax.plot([4.0], [rows["ivae"]["gap"]], "s", mfc="none", mec="k", ms=8)
    ax.set(xscale="log", xlabel=c["xlabel"], ylabel="KL per segment [nats]", title="iVAE segment")
    ax.text(1.1, max(c["gap"]) * 0.9, "ratio 1 (isotropic): 0", fontsize=6.5, color="0.35")


def plot(results: dict, ctx: Any) -> list:
    with figure_style():
        import matplotlib.pyplot as plt

        rows, sym = results["rows"], results["symmetries"]
        fig = plt.figure(figsize=(15, 14.5))
        gs = fig.add_gridspec(3, 4, height_ratios=[len(NATS), len(OTHER) + 0.4, 1.9], hspace=0.22)
        ax = fig.add_subplot(gs[0, :])
        _bars(ax, rows, NATS, sym, log=True)
        ax.set_xlabel(
            "gap of the entangled twin [nats per observation; symlog axis, linear below 0.01]"
        )
        ax.set_title(
            "Each inductive bias makes the entangled twin a worse model; without one the gap is "
            "exactly 0 (d = 2, f = G⁻¹R(45°)G; square markers below: each row's setting)",
            fontsize=10,
        )
        ax2 = fig.add_subplot(gs[1, :])
        _bars(ax2, rows, OTHER, sym, log=False)
        ax2.set_xlabel(
            "model-class biases not in nats: excess nonzero entries (L0) of the twin's Jacobian or "
            "mechanism; isometry defect E‖JᵀJ − I‖²_F of the twin's map"
        )
        _curves([fig.add_subplot(gs[2, k]) for k in range(4)], results["setting_curves"], rows)
        fig.subplots_adjust(left=0.17, right=0.98, top=0.96, bottom=0.04)
        return savefig(fig, ctx.figure_dir / "bias_table.png")
