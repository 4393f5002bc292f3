"""Accuracy of the entangling map per SciPy family: the numbers behind the README's accuracy table.

For each of the 14 families of ``impossibility.testing.FAMILIES`` (one representative each), in a
d = 4 prior mixing it with logistic, Gamma(2) and normal coordinates and a Haar-random A:

* bulk round trip max |f⁻¹(f(z)) − z| / max(1, |z|) at quantiles in [1e-6, 1 − 1e-6];
* tail round trip of G at the 1e-12 and 1 − 1e-12 quantiles (relative);
* density invariance max |log p(f(u)) + log|det J_f(u)| − log p(u)|;
* analytic Jacobian vs central differences, max |J − J_FD| / (|J| + 1e-8).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

import impossibility as im
from impossibility import tolerances
from impossibility.families import FAMILY_EXAMPLES
from impossibility.tools import plotting

DESCRIPTION = "Round-trip, tail, density-invariance and Jacobian errors of f for 14 SciPy families"

# one representative per family, in a fixed order (ctx.rng(k) is keyed by the position)
REPRESENTATIVES = FAMILY_EXAMPLES


def compute(ctx: Any) -> dict:
    n = 2_000 if ctx.quick else 100_000
    out = {}
    for k, (name, dist) in enumerate(REPRESENTATIVES.items()):
        rng = ctx.rng(k)
        prior = im.FactorizedPrior([dist, stats.logistic(), stats.gamma(2.0), stats.norm()])
        f = im.entangling_bijection(prior, rng=rng)
        z = prior.ppf(rng.uniform(1e-6, 1 - 1e-6, size=(n, 4)))
        fz = f.forward(z)
        res = tolerances.GAUSSIAN_RESOLUTION
        ok = (im.gaussian_resolution(prior, fz) <= res) & (im.gaussian_resolution(prior, z) <= res)
        rt = np.max((np.abs(f.inverse(fz) - z) / np.maximum(1, np.abs(z)))[ok])
        G = im.Gaussianize(prior)
        med = prior.median
        tail = 0.0
        for u0 in (dist.ppf(1e-12), dist.isf(1e-12)):
            p = np.array([[u0, *med[1:]]])
            tail = max(tail, abs(G.inverse(G.forward(p))[0, 0] - u0) / max(1.0, abs(u0)))
        dens = im.density_invariance_error(f, prior, z).max()
        pts = prior.ppf(rng.uniform(1e-3, 1 - 1e-3, size=(200, 4)))
        fd = im.entanglement_report(f, pts).max_fd_error
        out[name] = {
            "bulk_round_trip": rt,
            "tail_round_trip": tail,
            "density_error": dens,
            "fd_error": fd,
            "excluded_unrepresentable": int(np.sum(~ok)),
            "n": n,
        }
        ctx.log(f"{name:12s} rt {rt:.1e} tail {tail:.1e} density {dens:.1e} fd {fd:.1e}")
    return {"families": out, "promises": tolerances.PROMISES}


def _label(name: str) -> str:
    """``name(args)`` of the representative, e.g. ``beta(2, 5)``: the parameters the bar is for."""
    dist = REPRESENTATIVES[name]
    params = [f"{a:g}" for a in dist.args] + [f"{k}={v:g}" for k, v in dist.kwds.items()]
    return f"{name}({', '.join(params)})"


def plot(results: dict, ctx: Any) -> list:
    with plotting.figure_style():
        import matplotlib.pyplot as plt

        fams = list(results["families"])
        keys = list(tolerances.PROMISES)  # the bars' order (the results file sorts its keys)
        labels = {
            "bulk_round_trip": "round trip, bulk",
            "tail_round_trip": "round trip, 1e-12 tails",
            "density_error": "density invariance",
            "fd_error": "Jacobian vs FD",
        }
        fig, ax = plt.subplots(figsize=(11, 3.8))
        width = 0.2
        x = np.arange(len(fams))
        colors = ["tab:blue", "tab:orange", "tab:green", "tab:purple"]
        for j, key in enumerate(keys):
            vals = np.array([max(results["families"][f][key], 1e-17) for f in fams])
            ax.bar(x + (j - 1.5) * width, vals, width, label=labels[key], color=colors[j])
            ax.axhline(results["promises"][key], color=colors[j], ls="--", lw=0.8)
        ax.set_yscale("log")
        ax.set_ylim(1e-17, 1e-4)
        ax.set_xticks(x, [_label(f) for f in fams], rotation=30, ha="right")
        ax.set_ylabel("max error (float64)")
        ax.text(
            0.99, 0.93, "no bar: error exactly 0", transform=ax.transAxes, ha="right", fontsize=7
        )
        ax.set_title(
            "Accuracy of f = G⁻¹∘A∘G per family (bars) against the promised tolerances (dashed)\n"
            "d = 4: the family's distribution as shown × logistic × Gamma(2) × normal, "
            "Haar-random A",
            fontsize=10,
        )
        ax.legend(ncol=4, loc="upper left")
        fig.tight_layout()
        return plotting.savefig(fig, ctx.figure_dir / "accuracy.png")
