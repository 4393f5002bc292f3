"""Infinitely many entangling maps: the image of one point under f_t = G⁻¹ ∘ exp(tS) ∘ G.

Prior logistic × Gamma(3) × Laplace (d = 3), S skew-symmetric with nonzero off-diagonal entries.
As t runs over [0, 2π/‖S‖], the image f_t(u₀) of a fixed point traces a curve; every t in the
certified interval (0, t_max) gives a completely entangling map, and beyond it the entries of A(t)
vanish only at isolated t (marked). Right: the smallest |A_ij(t)| against t.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

import impossibility as im
from impossibility.tools.plotting import figure_style, savefig

DESCRIPTION = "The continuum of maps f_t: one point's image as t varies in A(t) = expm(tS)"


def compute(ctx: Any) -> dict:
    prior = im.FactorizedPrior([stats.logistic(), stats.gamma(3), stats.laplace()])
    rng = ctx.rng(0)
    S = im.random_skew(3, rng)
    path = im.RotationPath(S)
    sigma = float(np.linalg.norm(S, 2))
    t_end = 2 * np.pi / sigma
    ts = np.linspace(0, t_end, 120 if ctx.quick else 600)
    u0 = prior.ppf([[0.8, 0.3, 0.6]])
    images = np.vstack(
        [im.entangling_bijection(prior, path(t), require_complete=False).forward(u0) for t in ts]
    )
    min_entry = np.array([np.min(np.abs(path(t))) for t in ts])
    zeros = [z for z in path.entry_zeros(1e-9, t_end, num=4001) if z[2] > 1e-6]
    dens = max(
        im.density_invariance_error(
            im.entangling_bijection(prior, path(t), require_complete=False),
            prior,
            prior.sample(200, rng),
        ).max()
        for t in ts[:: max(1, len(ts) // 20)]
    )
    return {
        "ts": ts,
        "images": images,
        "u0": u0[0],
        "min_entry": min_entry,
        "t_max": path.t_max,
        "zeros": zeros,
        "t_end": t_end,
        "max_density_error": dens,
    }


def plot(results: dict, ctx: Any) -> list:
    with figure_style():
        import matplotlib.pyplot as plt

        ts, P = np.asarray(results["ts"]), np.asarray(results["images"])
        fig = plt.figure(figsize=(11, 4))
        ax = fig.add_subplot(1, 2, 1, projection="3d")
        sc = ax.scatter(P[:, 0], P[:, 1], P[:, 2], c=ts, cmap="viridis", s=6)
        ax.scatter(*results["u0"], color="k", s=30, label="$u_0=f_0(u_0)$")
        ax.set_xlabel("logistic"), ax.set_ylabel("Gamma(3)"), ax.set_zlabel("Laplace")
        ax.set_title("$f_t(u_0)$ for $A(t)=e^{tS}$")
        ax.legend(loc="upper left")
        fig.colorbar(sc, ax=ax, shrink=0.6, pad=0.15, label="t")
        ax = fig.add_subplot(1, 2, 2)
        ax.plot(ts, results["min_entry"], color="k")
        ax.axvspan(
            0,
            results["t_max"],
            color="tab:green",
            alpha=0.2,
            label=f"certified: all entries ≠ 0 (0 < t < {results['t_max']:.3f})",
        )
        for _, _, t0 in results["zeros"]:
            ax.axvline(t0, color="tab:red", lw=0.6, alpha=0.6)
        ax.plot([], [], color="tab:red", lw=0.6, label="isolated t with a zero entry")
        ax.set_xlabel("t"), ax.set_ylabel(r"$\min_{ij}|A_{ij}(t)|$")
        ax.set_xlim(0, results["t_end"])
        # headroom above the curve's highest peak, so the legend covers no data
        ax.set_ylim(top=1.4 * np.max(results["min_entry"]))
        ax.legend(loc="upper center", ncol=2, fontsize=7)
        ax.set_title(f"every t preserves p (max density error {results['max_density_error']:.1e})")
        fig.tight_layout()
        return savefig(fig, ctx.figure_dir / "theorem1_family.png")
