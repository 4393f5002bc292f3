"""A number for each inductive bias: how far it moves the likelihood of the entangled twin.

d = 2 and Theorem 1's f = G⁻¹ ∘ R(π/4) ∘ G throughout (impossibility.biases.table.bias_table):
expected log-likelihood gap Δ = E[log p_true(observed) − log p_twin(observed)] in nats per
observation for each bias, next to its control without the bias (gap 0). The unsupervised case
(only x observed) is exactly zero: pointwise, up to rounding in f and its log-determinant.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from impossibility import nn
from impossibility.biases.table import bias_table
from impossibility.tools.plotting import DISENTANGLED, ENTANGLED, figure_style, savefig

DESCRIPTION = (
    "One number per inductive bias: the twin's log-likelihood gap (unsupervised: exactly 0)"
)


def compute(ctx: Any) -> dict:
    with nn.blas_threads(1):
        return bias_table(
            ctx.rng(0),
            n_mc=4000 if ctx.quick else 100_000,
            quadrature_panels=8 if ctx.quick else 32,
        )


def plot(results: dict, ctx: Any) -> list:
    with figure_style():
        import matplotlib.pyplot as plt

        rows = results["rows"]
        order = results["order"]
        fig, ax = plt.subplots(figsize=(10.5, 4.2))
        floor = 1e-3  # bars start here on the log axis; zero-valued rows are drawn as markers
        y = np.arange(len(order))[::-1]
        for yi, key in zip(y, order, strict=True):
            row = rows[key]
            gap = float(row["gap"])
            if abs(gap) < 1e-9:
                ax.plot(floor, yi + 0.15, marker="o", color=DISENTANGLED, ms=7, clip_on=False)
                txt = f"{gap:.0e}  (max |pointwise| {row.get('max_abs', 0.0):.0e}): exactly 0"
                ax.text(floor * 1.4, yi + 0.15, txt, va="center", fontsize=8)
            else:
                ax.barh(yi + 0.15, gap - floor, left=floor, height=0.35, color=ENTANGLED)
                err = f" ± {row['stderr']:.2g}" if row["stderr"] > 0 else " (exact)"
                ax.text(gap * 1.15, yi + 0.15, f"{gap:.4g}{err}", va="center", fontsize=8)
            if row["control_label"] is not None:
                ax.plot(floor, yi - 0.22, marker="o", color="0.5", ms=5, clip_on=False)
                ax.text(
                    floor * 1.4,
                    yi - 0.22,
                    f"control — {row['control_label']}: {row['control_gap']:.0e}",
                    va="center",
                    fontsize=7,
                    color="0.35",
                )
        ax.set_yticks(y, [f"{rows[k]['label']}\nobserved {rows[k]['observed']}" for k in order])
        ax.set_xscale("log")
        ax.set_xlim(floor, 10 ** np.ceil(np.log10(max(r["gap"] for r in rows.values()) * 8)))
        ax.set_xlabel("expected log-likelihood gap of the entangled twin [nats per observation]")
        ax.set_title(
            "Each inductive bias makes the entangled twin a worse model of what is observed; "
            "without one the gap is exactly 0",
            fontsize=10,
        )
        notes = "; ".join(f"{rows[k]['label']}: {rows[k]['setting']}" for k in order[1:])
        ax.text(
            0.0,
            -0.2,
            "Settings (d = 2, f = G⁻¹R(π/4)G): " + notes,
            transform=ax.transAxes,
            fontsize=6.5,
            va="top",
            wrap=True,
        )
        fig.tight_layout()
        return savefig(fig, ctx.figure_dir / "bias_table.png")
