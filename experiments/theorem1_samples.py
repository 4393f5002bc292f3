"""Samples of z and f(z) have identical laws, yet the Jacobian of f has no zero entry.

Prior Laplace(0, 2) × Beta(2, 5) × Gamma(3) × logistic, A a Haar-random orthogonal matrix with
every |A_ij| ≥ ½d^(-5/2). Left: scatter of two coordinates of z and of f(z) (independent in both).
Middle: the four marginal histograms of f(z) over the prior's densities, with KS p-values.
Right: the Jacobian of f at a sample point (every entry nonzero; signs equal those of A), and the
smallest |∂f_i/∂u_j| over all samples.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

import impossibility as im
from impossibility.tools.plotting import DISENTANGLED, ENTANGLED, figure_style, savefig

DESCRIPTION = "z vs f(z): identical marginals and joint law, beside the all-nonzero Jacobian of f"

MARGINALS = [stats.laplace(scale=2), stats.beta(2, 5), stats.gamma(3), stats.logistic()]
NAMES = ["Laplace(0, 2)", "Beta(2, 5)", "Gamma(3)", "logistic"]


def compute(ctx: Any) -> dict:
    n = 5_000 if ctx.quick else 50_000
    prior = im.FactorizedPrior(MARGINALS)
    rng = ctx.rng(0)
    A = im.random_entangling_rotation(prior.d, rng)
    f = im.entangling_bijection(prior, A)
    z = prior.sample(n, rng)
    fz = f.forward(z)
    fresh = prior.sample(n, rng)
    ks = [r.pvalue for r in im.marginal_ks_tests(fz, prior)]
    joint = im.projection_ks_test(fz, prior, rng).pvalue
    m = min(n, 1500)
    energy = im.energy_test(
        fz[:m], fresh[:m], rng, n_resamples=199, transform=im.Gaussianize(prior)
    )
    rep = im.entanglement_report(f, z[:2000], finite_differences=True)
    u0 = prior.median
    return {
        "A": A,
        "z": z[:3000],
        "fz": fz[:3000],
        "ks_pvalues": ks,
        "joint_projection_pvalue": joint,
        "energy_statistic": energy.statistic,
        "energy_pvalue": energy.pvalue,
        "density_error": im.density_invariance_error(f, prior, z).max(),
        "jacobian_at_median": f.jacobian(u0),
        "min_abs_partial": rep.min_abs_partial,
        "fraction_nonzero": rep.fraction_nonzero,
        "max_fd_error": rep.max_fd_error,
        "correlation_fz": np.corrcoef(fz.T),
        "n": n,
    }


def plot(results: dict, ctx: Any) -> list:
    with figure_style():
        import matplotlib.pyplot as plt

        z, fz = np.asarray(results["z"]), np.asarray(results["fz"])
        fig = plt.figure(figsize=(14, 4.2))
        gs = fig.add_gridspec(2, 5, width_ratios=[1.3, 1, 1, 1.1, 1.4], wspace=0.6, hspace=0.6)
        ax = fig.add_subplot(gs[:, 0])
        ax.scatter(
            z[:, 0], z[:, 3], s=2, alpha=0.35, color=DISENTANGLED, label="$z$", rasterized=True
        )
        ax.scatter(
            fz[:, 0], fz[:, 3], s=2, alpha=0.35, color=ENTANGLED, label="$f(z)$", rasterized=True
        )
        ax.set_xlim(-12, 12), ax.set_ylim(-8, 8)
        ax.set_xlabel("coordinate 1 (Laplace)"), ax.set_ylabel("coordinate 4 (logistic)")
        ax.legend(markerscale=4, loc="upper right")
        ax.set_title("samples: same joint law")
        for i in range(4):
            ax = fig.add_subplot(gs[i // 2, 1 + i % 2])
            m = MARGINALS[i]
            lo, hi = m.ppf(0.002), m.ppf(0.998)
            bins = np.linspace(lo, hi, 40)
            ax.hist(z[:, i], bins=bins, density=True, histtype="step", color=DISENTANGLED, lw=1.2)
            ax.hist(fz[:, i], bins=bins, density=True, histtype="step", color=ENTANGLED, lw=1.2)
            xs = np.linspace(lo, hi, 300)
            ax.plot(xs, m.pdf(xs), "k:", lw=1)
            ax.set_title(f"{NAMES[i]}\nKS p = {results['ks_pvalues'][i]:.2f}", fontsize=8)
            ax.set_yticks([])
        ax = fig.add_subplot(gs[:, 3])
        C = np.asarray(results["correlation_fz"])
        im0 = ax.imshow(C, vmin=-1, vmax=1, cmap="RdBu_r")
        ax.set_title("corr(f(z))")
        ax.set_xticks(range(4)), ax.set_yticks(range(4))
        fig.colorbar(im0, ax=ax, fraction=0.046, pad=0.04)
        ax.set_xlabel("coordinate")
        ax = fig.add_subplot(gs[:, 4])
        J = np.asarray(results["jacobian_at_median"])
        # log10|J| on a sequential scale: a linear scale makes the small row look like zeros,
        # the opposite of the claim; the sign stays in the printed value
        logJ = np.log10(np.abs(J))
        lo, hi = np.floor(logJ.min()), np.ceil(logJ.max())
        im1 = ax.imshow(logJ, cmap="viridis", vmin=lo, vmax=hi)
        for (i, j), val in np.ndenumerate(J):
            dark = logJ[i, j] < (lo + hi) / 2
            ax.text(
                j, i, f"{val:.2f}", ha="center", va="center", fontsize=7,
                color="white" if dark else "black",
            )  # fmt: skip
        ax.set_xticks(range(4)), ax.set_yticks(range(4))
        ax.set_xlabel("input $u_j$"), ax.set_ylabel("output $f_i$")
        ax.set_title(
            "$\\log_{10}|J_f|$ at the median (values printed)\n"
            f"min |∂f_i/∂u_j| over samples = {results['min_abs_partial']:.2g} > 0",
            fontsize=8,
        )
        fig.colorbar(im1, ax=ax, fraction=0.046, label="$\\log_{10}|\\partial f_i/\\partial u_j|$")
        fig.suptitle(
            f"f(z) ~ p exactly (density error {results['density_error']:.1e}, joint projection p = "
            f"{results['joint_projection_pvalue']:.2f}, energy p = {results['energy_pvalue']:.2f}) "
            "while every output of f depends on every input",
            y=1.03,
        )
        return savefig(fig, ctx.figure_dir / "theorem1_samples.png")
