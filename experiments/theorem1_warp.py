"""How Theorem 1's f warps the latent space, for four different priors.

For each prior: a grid of iso-quantile lines (each line fixes one coordinate at a quantile) and its
image under f = G⁻¹ ∘ A ∘ G. A disentangled coordinate system becomes a curvilinear one whose lines
are no longer axis-aligned (every output depends on every input), drawn over the prior's density,
which f leaves unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from impossibility import FactorizedPrior, entangling_bijection, rotation_2d
from impossibility.tools.plotting import DISENTANGLED, ENTANGLED, figure_style, savefig

DESCRIPTION = (
    "Grid warp of f = G⁻¹∘A∘G for four priors (Gaussian, Laplace×logistic, Beta×Gamma, uniform)"
)

PRIORS = {
    "Gaussian N(0, I)": [stats.norm(), stats.norm()],
    "Laplace × logistic": [stats.laplace(), stats.logistic()],
    "Beta(2, 5) × Gamma(3)": [stats.beta(2, 5), stats.gamma(3)],
    "uniform(0, 1)²": [stats.uniform(), stats.uniform()],
}
THETA = np.pi / 5  # rotation angle of A; every entry of A is nonzero (θ ∉ π/2·ℤ)


def compute(ctx: Any) -> dict:
    n_lines = 7 if ctx.quick else 11
    n_pts = 60 if ctx.quick else 200
    levels = np.linspace(0.05, 0.95, n_lines)
    t = np.linspace(0.005, 0.995, n_pts)
    out = {"theta": THETA, "priors": {}}
    for name, marg in PRIORS.items():
        prior = FactorizedPrior(marg)
        f = entangling_bijection(prior, rotation_2d(THETA))
        lines = []
        for lev in levels:
            for axis in (0, 1):
                q = np.empty((n_pts, 2))
                q[:, axis] = lev
                q[:, 1 - axis] = t
                z = prior.ppf(q)
                lines.append({"axis": axis, "level": lev, "z": z, "fz": f.forward(z)})
        lo = prior.ppf([[0.005, 0.005]])[0]
        hi = prior.ppf([[0.995, 0.995]])[0]
        gx = np.linspace(lo[0], hi[0], 120)
        gy = np.linspace(lo[1], hi[1], 120)
        X, Y = np.meshgrid(gx, gy)
        logp = prior.log_prob(np.column_stack([X.ravel(), Y.ravel()])).reshape(X.shape)
        out["priors"][name] = {"lines": lines, "gx": gx, "gy": gy, "logp": logp, "lo": lo, "hi": hi}
    return out


def plot(results: dict, ctx: Any) -> list:
    with figure_style():
        import matplotlib.pyplot as plt
        from matplotlib.lines import Line2D

        # the README's order (a results file stores its keys sorted)
        names = [n for n in PRIORS if n in results["priors"]]
        fig, axes = plt.subplots(2, len(names), figsize=(3.0 * len(names), 6.0))
        for k, name in enumerate(names):
            r = results["priors"][name]
            for row, key, color in ((0, "z", DISENTANGLED), (1, "fz", ENTANGLED)):
                ax = axes[row, k]
                ax.contourf(
                    r["gx"],
                    r["gy"],
                    np.exp(np.asarray(r["logp"])),
                    levels=12,
                    cmap="Greys",
                    alpha=0.35,
                )
                for line in r["lines"]:
                    pts = np.asarray(line[key])
                    ls = "-" if line["axis"] == 0 else "--"
                    ax.plot(pts[:, 0], pts[:, 1], ls, color=color, lw=0.8)
                ax.set_xlim(r["lo"][0], r["hi"][0])
                ax.set_ylim(r["lo"][1], r["hi"][1])
                ax.set_xlabel("$u_1$" if row == 0 else "$f_1(u)$")
                ax.set_ylabel("$u_2$" if row == 0 else "$f_2(u)$")
                if row == 0:
                    ax.set_title(name)
        for row, label in enumerate(("iso-quantile grid of $z$", r"its image under $f$")):
            axes[row, 0].annotate(
                label, (-0.42, 0.5), xycoords="axes fraction", rotation=90, ha="center",
                va="center", fontsize=10, fontweight="bold",
            )  # fmt: skip
        handles = [
            Line2D([], [], color="0.3", ls="-", lw=1, label="$u_1$ fixed at a quantile"),
            Line2D([], [], color="0.3", ls="--", lw=1, label="$u_2$ fixed at a quantile"),
        ]
        fig.legend(handles=handles, loc="lower center", ncol=2, bbox_to_anchor=(0.5, -0.04))
        fig.suptitle(
            r"Theorem 1: $f=G^{-1}\circ A\circ G$ ($A$ = rotation by 36°) keeps the prior density "
            "(grey) and warps a disentangled grid (top) into an entangled one (bottom)",
            y=1.01,
        )
        fig.tight_layout()
        return savefig(fig, ctx.figure_dir / "theorem1_warp.png")
