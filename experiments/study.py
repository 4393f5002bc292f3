"""A small-scale reproduction of the 2019 study (Locatello et al., §5): six objectives × six
hyperparameter values × seeds on 16×16 procedural sprites, every metric on every model.

compute() runs (or resumes) the sweep of :func:`impossibility.study.run_study` with the per-run
cache in ``ctx.cache_dir`` and returns :func:`impossibility.study.summarize` of the records;
plot() draws the paper's figure families from those numbers:

* ``study_tc.png`` — Gaussian total correlation of the mean and of the sampled representation
  against the regularisation strength, per objective (claim 1);
* ``study_spearman.png`` — Spearman rank correlations between the disentanglement metrics
  (claim 2);
* ``study_variance.png`` — share of each score's variance explained by the objective, by the
  hyperparameter (nested in the objective) and by the seed; and the metric distributions per
  objective (claim 3);
* ``study_selection.png`` — rank correlation of unsupervised scores with the metrics, and how
  often the run an unsupervised score picks beats another run of the same objective (claim 4);
* ``study_downstream.png`` — downstream accuracy with few and many labels, and its rank
  correlation with every metric (claim 5);
* ``study_transfer.png`` — choosing a hyperparameter with a metric on one data set and using it
  on the same (other seeds) or another data set, for the same or another metric (claim 4).

Figures of the first data set have no suffix; those of the others end in ``_<data set>``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from impossibility.study import MODELS, PRESETS, run_study, summarize
from impossibility.tools.plotting import figure_style, savefig

DESCRIPTION = (
    "Small-scale reproduction of the 2019 study: TC of mean vs sampled codes, metric "
    "agreement, variance shares, unsupervised selection, downstream accuracy"
)

MODEL_LABELS = {
    "beta_vae": r"$\beta$-VAE ($\beta$)",
    "factor_vae": r"FactorVAE ($\gamma$)",
    "beta_tc_vae": r"$\beta$-TCVAE ($\beta$)",
    "dip_vae_i": r"DIP-VAE-I ($\lambda_{od}$)",
    "dip_vae_ii": r"DIP-VAE-II ($\lambda_{od}$)",
    "annealed_vae": r"AnnealedVAE ($C_{max}$)",
}

HPARAM_LABELS = {
    "beta_vae": r"$\beta$ (stronger →)",
    "factor_vae": r"$\gamma$ (stronger →)",
    "beta_tc_vae": r"$\beta$ (stronger →)",
    "dip_vae_i": r"$\lambda_{od}$ (stronger →)",
    "dip_vae_ii": r"$\lambda_{od}$ (stronger →)",
    "annealed_vae": r"$C_{max}$ nats (← stronger: a larger capacity regularises less)",
}


def compute(ctx: Any) -> dict:
    preset = "quick" if ctx.quick else "default"
    n_jobs = int(os.environ.get("IMPOSSIBILITY_STUDY_JOBS", "2"))
    records = run_study(
        preset,
        backend="loky",
        n_jobs=n_jobs,
        out_dir=ctx.cache_dir,
        base_seed=ctx.seed,
        log=ctx.log,
        show_progress=False,
    )
    out = summarize(records)
    p = PRESETS[preset]
    import joblib
    import scipy
    import sklearn

    out["versions"] = {
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "joblib": joblib.__version__,
    }
    out["scale_notes"] = [
        "data: 16x16 procedural sprites, 3 shapes x 3 scales x 4 orientations x 6 x 6 positions "
        "(1,296 images; paper: 64x64, 737,280 dSprites images and 6 other data sets)",
        "models: MLP encoder/decoder (paper: conv nets), 10 latents, Bernoulli decoder, N(0, I)",
        "training: n_steps Adam steps at lr (paper: 300,000 at 1e-4); FactorVAE discriminator "
        "discriminator_hidden (paper: 6 x 1000)",
        "metrics on the mean representation with reduced sample sizes (settings); DCI and "
        "downstream trees with dci_n_estimators boosting stages (paper: 100)",
        "downstream: logistic regression (C=1, standardised codes; paper: LogisticRegressionCV) "
        "and boosted trees with downstream_small and num_train labels (paper: 10 ... 10,000)",
    ]
    out["preset"] = {
        "name": p.name,
        "description": p.description,
        "datasets": list(p.datasets),
        "models": list(p.models),
        "seeds": list(p.seeds),
    }
    return out


def _shade(
    ax: Any,
    matrix: np.ndarray,
    xlabels: list[str],
    ylabels: list[str],
    title: str,
    vmin: float = -1.0,
    vmax: float = 1.0,
    cmap: str = "RdBu_r",
    fmt: str = "{:.2f}",
) -> Any:
    m = np.array([[np.nan if v is None else v for v in row] for row in matrix], dtype=float)
    im = ax.imshow(m, vmin=vmin, vmax=vmax, cmap=cmap)
    ax.set_xticks(range(len(xlabels)), xlabels, rotation=45, ha="right")
    ax.set_yticks(range(len(ylabels)), ylabels)
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            txt = "n/a" if not np.isfinite(m[i, j]) else fmt.format(m[i, j])
            ax.text(
                j,
                i,
                txt,
                ha="center",
                va="center",
                fontsize=7,
                color="white"
                if np.isfinite(m[i, j]) and abs(m[i, j] - (vmin + vmax) / 2) > 0.3 * (vmax - vmin)
                else "black",
            )
    ax.set_title(title)
    ax.spines[:].set_visible(False)
    return im


def _models(results: dict, ds: str) -> list[str]:
    return [m for m in MODELS if m in results["tc"][ds]]


def _plot_tc(results: dict, ctx: Any, ds: str) -> list:
    import matplotlib.pyplot as plt

    models = _models(results, ds)
    ncol = min(3, len(models))
    nrow = int(np.ceil(len(models) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.6 * ncol, 2.8 * nrow), squeeze=False)
    for ax, m in zip(axes.flat, models, strict=False):
        e = results["tc"][ds][m]
        x = np.arange(len(e["values"]))
        for key, color, label in (
            ("tc_mean", "tab:red", "mean $\\mu(x)$"),
            ("tc_sampled", "tab:blue", "sampled $z$"),
            ("tc_mean_active", "tab:orange", "mean, active dims only"),
        ):
            ls = "--" if key == "tc_mean_active" else "-"
            ax.errorbar(
                x,
                e[key],
                yerr=e[key + "_sd"],
                color=color,
                ls=ls,
                marker="o",
                ms=3,
                capsize=2,
                label=label,
            )
        ax.set_xticks(x, [f"{v:g}" for v in e["values"]])
        ax.set_yscale("symlog", linthresh=0.1)
        ax.set_ylim(bottom=0)
        trend = results["spearman"].get(ds, {}).get("tc_vs_hparam", {}).get(m)
        title = MODEL_LABELS[m]
        if trend:
            title += (
                f"\n$\\rho_s$(value, TC): mean {trend['tc_mean']:+.2f}, "
                f"sampled {trend['tc_sampled']:+.2f}"
            )
        ax.set_title(title, fontsize=8)
        ax.set_xlabel(HPARAM_LABELS[m])
        ax.set_ylabel("Gaussian TC (nats)")
    for ax in axes.flat[len(models) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(
        f"Total correlation of the mean vs the sampled representation (mean ± sd over seeds; {ds})",
        fontsize=10,
    )
    fig.tight_layout()
    return savefig(fig, ctx.figure_dir / f"study_tc{_suffix(results, ds)}.png")


def _plot_spearman(results: dict, ctx: Any, ds: str) -> list:
    import matplotlib.pyplot as plt

    labels = [results["labels"]["disentanglement"][k] for k in results["keys"]["disentanglement"]]
    fig, ax = plt.subplots(figsize=(4.8, 4.2))
    im = _shade(
        ax,
        results["spearman"][ds]["metrics"],
        labels,
        labels,
        f"Spearman rank correlation between metrics\n"
        f"({sum(r['dataset'] == ds for r in results['runs'])} models, {ds})",
    )
    fig.colorbar(im, ax=ax, shrink=0.8)
    fig.tight_layout()
    return savefig(fig, ctx.figure_dir / f"study_spearman{_suffix(results, ds)}.png")


def _plot_variance(results: dict, ctx: Any, ds: str) -> list:
    import matplotlib.pyplot as plt

    dis = results["keys"]["disentanglement"]
    keys = dis + ["elbo", "tc_mean", "tc_sampled", "gbt_all", "lr_all"]
    lab = {
        **results["labels"]["disentanglement"],
        **results["labels"]["unsupervised"],
        **results["labels"]["downstream"],
    }
    var = results["variance"][ds]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [1, 1.3]})
    bottom = np.zeros(len(keys))
    for part, color, name in (
        ("model", "tab:purple", "objective"),
        ("hparam", "tab:green", "hyperparameter | objective"),
        ("seed", "tab:gray", "seed (residual)"),
    ):
        h = np.array([var[k][part] if var[k][part] is not None else 0.0 for k in keys])
        ax.bar(range(len(keys)), h, bottom=bottom, color=color, label=name)
        bottom += h
    ax.set_xticks(range(len(keys)), [lab[k] for k in keys], rotation=45, ha="right")
    ax.set_ylabel("share of the total sum of squares")
    ax.set_ylim(0, 1)
    # legends above the axes: below them they collide with the long rotated metric names
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    ax.set_title("Nested variance decomposition", pad=22)
    # distributions of each metric per objective
    rows = results["runs"]
    models = _models(results, ds)
    width = 0.8 / max(1, len(models))
    cmap = plt.get_cmap("tab10")
    for i, m in enumerate(models):
        data = [[r[k] for r in rows if r["model"] == m and r["dataset"] == ds] for k in dis]
        pos = np.arange(len(dis)) + (i - (len(models) - 1) / 2) * width
        bp = bx.boxplot(
            data,
            positions=pos,
            widths=width * 0.9,
            patch_artist=True,
            showfliers=False,
            medianprops={"color": "k", "lw": 0.8},
        )
        for b in bp["boxes"]:
            b.set_facecolor(cmap(i))
            b.set_alpha(0.7)
        bx.plot([], [], color=cmap(i), lw=6, alpha=0.7, label=MODEL_LABELS[m].split(" (")[0])
    bx.set_xticks(range(len(dis)), [lab[k] for k in dis], rotation=45, ha="right")
    bx.set_ylabel("score (all values and seeds)")
    bx.set_title("Metric distributions per objective", pad=30)
    bx.legend(fontsize=6, ncol=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    fig.tight_layout()
    return savefig(fig, ctx.figure_dir / f"study_variance{_suffix(results, ds)}.png")


def _plot_selection(results: dict, ctx: Any, ds: str) -> list:
    import matplotlib.pyplot as plt

    dis = results["keys"]["disentanglement"]
    uns = results["keys"]["unsupervised"]
    dl = [results["labels"]["disentanglement"][k] for k in dis]
    ul = [results["labels"]["unsupervised"][k] for k in uns]
    sel = results["selection"][ds]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.8))
    im = _shade(
        ax,
        results["spearman"][ds]["metrics_vs_unsupervised"],
        ul,
        dl,
        "Spearman: metric vs unsupervised score\n(all models)",
    )
    fig.colorbar(im, ax=ax, shrink=0.8)
    win = [[sel[u][k]["win_rate"] for u in uns] for k in dis]
    im = _shade(
        bx,
        win,
        [f"best {u}" for u in ul],
        dl,
        "P(run picked by the score beats another run\nof the same objective); random = 0.5",
        vmin=0.0,
        vmax=1.0,
        cmap="PuOr_r",
    )
    fig.colorbar(im, ax=bx, shrink=0.8)
    fig.tight_layout()
    return savefig(fig, ctx.figure_dir / f"study_selection{_suffix(results, ds)}.png")


def _plot_downstream(results: dict, ctx: Any, ds: str) -> list:
    import matplotlib.pyplot as plt

    dis = results["keys"]["disentanglement"]
    down = results["keys"]["downstream"]
    small = results.get("settings", {}).get("downstream_small", "small")
    big = results.get("settings", {}).get("num_train", "all")
    names = {
        "lr_small": f"LR acc@{small}",
        "lr_all": f"LR acc@{big}",
        "lr_efficiency": "LR efficiency",
        "gbt_small": f"GBT acc@{small}",
        "gbt_all": f"GBT acc@{big}",
        "gbt_efficiency": "GBT efficiency",
    }
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10.5, 3.8), gridspec_kw={"width_ratios": [1.2, 1]})
    im = _shade(
        ax,
        results["spearman"][ds]["metrics_vs_downstream"],
        [names[k] for k in down],
        [results["labels"]["disentanglement"][k] for k in dis],
        "Spearman: metric vs downstream accuracy\n(efficiency = acc@small / acc@large)",
    )
    fig.colorbar(im, ax=ax, shrink=0.8)
    models = _models(results, ds)
    x = np.arange(len(models))
    for j, (k, c) in enumerate(
        (
            ("lr_small", "tab:cyan"),
            ("lr_all", "tab:blue"),
            ("gbt_small", "tab:olive"),
            ("gbt_all", "tab:green"),
        )
    ):
        bx.bar(
            x + (j - 1.5) * 0.2,
            [results["downstream"][ds][m][k] for m in models],
            0.2,
            color=c,
            label=names[k],
        )
    bx.set_xticks(x, [MODEL_LABELS[m].split(" (")[0] for m in models], rotation=30, ha="right")
    bx.set_ylabel("test accuracy, mean over factors")
    bx.set_ylim(0, 1)
    bx.legend(fontsize=7, ncol=2)
    bx.set_title("Downstream accuracy per objective")
    fig.tight_layout()
    return savefig(fig, ctx.figure_dir / f"study_downstream{_suffix(results, ds)}.png")


def _suffix(results: dict, ds: str) -> str:
    return "" if ds == results["datasets"][0] else f"_{ds}"


def _plot_transfer(results: dict, ctx: Any) -> list:
    import matplotlib.pyplot as plt

    t = results["transfer"]
    m = [
        [t["same_metric_same_data"], t["other_metric_same_data"]],
        [t["same_metric_other_data"], t["other_metric_other_data"]],
    ]
    fig, ax = plt.subplots(figsize=(4.6, 3.6))
    im = _shade(
        ax,
        m,
        ["same metric", "other metric"],
        ["same data set\n(other seeds)", "other data set"],
        "Transferring the best hyperparameter:\nP(beats another run of the objective); "
        "random = 0.5",
        vmin=0.0,
        vmax=1.0,
        cmap="PuOr_r",
    )
    fig.colorbar(im, ax=ax, shrink=0.8)
    fig.tight_layout()
    return savefig(fig, ctx.figure_dir / "study_transfer.png")


def plot(results: dict, ctx: Any) -> list:
    if not results.get("datasets"):
        raise ValueError("the study has no successful runs to plot")
    with figure_style():
        paths = []
        for ds in results["datasets"]:
            for f in (_plot_tc, _plot_spearman, _plot_variance, _plot_selection, _plot_downstream):
                paths += f(results, ctx, ds)
        if results.get("transfer"):
            paths += _plot_transfer(results, ctx)
    return paths
