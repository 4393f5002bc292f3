"""A small-scale reproduction of the 2019 study (Locatello et al., §5): six objectives × six
hyperparameter values × seeds on 16×16 procedural sprites, every metric on every model.

compute() runs (or resumes) the sweep of :func:`impossibility.study.run_study` with the per-run
cache in ``ctx.cache_dir`` and returns :func:`impossibility.study.summarize` of the records;
plot() draws the paper's figure families from those numbers:

Every number carries its 95 % interval (``results["uncertainty"]``,
``impossibility/study/uncertainty.py``); the claims are numbered as in docs/study.md. Figures of
the first data set (sprites16) have no suffix; those of mixing5 end in ``_mixing5``.

Figures
-------
study_tc
    Claim 1 on sprites16: Gaussian total correlation of the mean and of the sampled codes against
    each objective's regularisation strength (one dot per seed, geometric mean as a line; stronger
    to the right in every panel), with Spearman's rho and its 95 % interval.
study_tc_mixing5
    Claim 1 on mixing5, as ``study_tc``.
study_spearman
    Claim 2 on sprites16: Spearman rank correlations between the disentanglement metrics over all
    models, each with its 95 % interval; a star marks an interval that excludes 0.
study_spearman_mixing5
    Claim 2 on mixing5, as ``study_spearman``.
study_variance
    Claim 3 on sprites16: the shares of each metric's variance explained by the objective, by the
    hyperparameter within the objective and by the seed, with the seed share's 95 % interval.
study_variance_mixing5
    Claim 3 on mixing5, as ``study_variance``.
study_selection
    Claim 4a on sprites16: Spearman correlations between unsupervised scores and metrics, and the
    probability that the run an unsupervised score picks beats another run of its objective, per
    metric, with 95 % bootstrap intervals over seeds and the band where a random pick falls.
study_selection_mixing5
    Claim 4a on mixing5, as ``study_selection``.
study_transfer
    Claim 4b: the probability that the hyperparameter chosen on one metric or data set beats a
    random one on the same or another metric and data set, with 95 % intervals around chance.
study_downstream
    Claim 5 on sprites16: Spearman correlations between each metric and downstream accuracy from
    100 and 1,000 labels (logistic regression, gradient-boosted trees) and the sample efficiency
    100/1,000, starred where the 95 % interval excludes 0; beside them the accuracy of each
    objective with the chance level and the seeds' spread.
study_downstream_mixing5
    Claim 5 on mixing5, as ``study_downstream``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from impossibility.study import MODELS, PRESETS, run_study, summarize
from impossibility.tools.interval_plots import dot_plot, error_lengths, heatmap_with_intervals
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
    "annealed_vae": r"$C_{max}$ nats (smaller capacity = stronger →)",
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


def _models(results: dict, ds: str) -> list[str]:
    return [m for m in MODELS if m in results["tc"][ds]]


def _unc(results: dict, ds: str) -> dict:
    return results["uncertainty"][ds]


def _n(results: dict, ds: str) -> int:
    return sum(r["dataset"] == ds for r in results["runs"])


def _plot_tc(results: dict, ctx: Any, ds: str) -> list:
    import matplotlib.pyplot as plt

    models = _models(results, ds)
    ncol = min(3, len(models))
    nrow = int(np.ceil(len(models) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.8 * ncol, 3.0 * nrow), squeeze=False)
    series = (
        ("tc_mean", "tab:red", "mean $\\mu(x)$", "-"),
        ("tc_sampled", "tab:blue", "sampled $z$", "-"),
        ("tc_mean_active", "tab:orange", "mean, active dims only", "--"),
    )
    floor = 1e-3  # a TC of exactly 0 (no active dimension) is drawn at the floor
    for ax, m in zip(axes.flat, models, strict=False):
        vals = results["tc"][ds][m]["values"]
        order = vals[::-1] if m == "annealed_vae" else vals  # stronger regularisation →
        x = {v: i for i, v in enumerate(order)}
        rows = [r for r in results["runs"] if r["dataset"] == ds and r["model"] == m]
        for key, color, label, ls in series:
            pts = np.array([[x[r["value"]], max(r[key], floor)] for r in rows])
            jitter = (np.arange(len(pts)) % 3 - 1) * 0.08
            ax.plot(pts[:, 0] + jitter, pts[:, 1], "o", color=color, ms=2.5, alpha=0.6)
            gm = [np.exp(np.mean(np.log(pts[pts[:, 0] == i, 1]))) for i in range(len(order))]
            ax.plot(range(len(order)), gm, color=color, ls=ls, lw=1.2, label=label)
        ax.set_xticks(range(len(order)), [f"{v:g}" for v in order])
        ax.set_yscale("log")
        tr = _unc(results, ds)["tc_trend"].get(m, {})
        title = MODEL_LABELS[m]
        for key, short in (("tc_mean", "mean"), ("tc_sampled", "sampled")):
            if key in tr:
                t = tr[key]
                title += f"\n{short}: $\\rho$ = {t['rho']:+.2f} [{t['low']:+.2f}, {t['high']:+.2f}]"
        ax.set_title(title, fontsize=7.5)
        ax.set_xlabel(HPARAM_LABELS[m], fontsize=8)
        ax.set_ylabel("Gaussian TC (nats)")
    for ax in axes.flat[len(models) :]:
        ax.set_visible(False)
    h, lab = axes.flat[0].get_legend_handles_labels()
    fig.legend(
        h, lab, loc="upper center", ncol=3, fontsize=8, frameon=False, bbox_to_anchor=(0.5, 0.925)
    )
    fig.suptitle(
        f"Total correlation vs regularisation strength ({ds}; dots: one per seed, line: geometric "
        f"mean;\n$\\rho$ = Spearman(strength, TC) over the objective's models with its 95 % "
        f"interval; TC = 0 drawn at {floor:g})",
        fontsize=9,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.89))
    return savefig(fig, ctx.figure_dir / f"study_tc{_suffix(results, ds)}.png")


# pairs the paper's text names (claim 2); its values are shown only in its figures
_PAIRS = (
    ("beta_vae_eval_accuracy", "factor_vae_eval_accuracy"),
    ("mig", "dci_disentanglement"),
    ("mig", "sap"),
    ("beta_vae_eval_accuracy", "mig"),
    ("modularity", "mig"),
    ("modularity", "dci_disentanglement"),
    ("irs", "mig"),
    ("mcc_pearson", "mig"),
)


def _plot_spearman(results: dict, ctx: Any, ds: str) -> list:
    import matplotlib.pyplot as plt

    keys = results["keys"]["disentanglement"]
    labels = [results["labels"]["disentanglement"][k] for k in keys]
    u = _unc(results, ds)["spearman_metrics"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10.5, 4.4), gridspec_kw={"width_ratios": [1.2, 1]})
    im = heatmap_with_intervals(
        ax,
        results["spearman"][ds]["metrics"],
        labels,
        labels,
        f"Spearman $\\rho$ between metrics ({u['n']} models, {ds});\n"
        "* = the 95 % interval excludes 0",
        u["low"],
        u["high"],
    )
    fig.colorbar(im, ax=ax, shrink=0.8)
    for j, d in enumerate(results["datasets"]):
        S, ud = results["spearman"][d]["metrics"], _unc(results, d)["spearman_metrics"]
        for i, (a, b) in enumerate(_PAIRS):
            p, q = keys.index(a), keys.index(b)
            y = i + (j - 0.5) * 0.3
            bx.errorbar(
                np.nan if S[p][q] is None else S[p][q],
                y,
                xerr=error_lengths([S[p][q]], [ud["low"][p][q]], [ud["high"][p][q]]),
                fmt="os"[j],
                color=("tab:blue", "tab:orange")[j],
                ms=4,
                capsize=2,
                label=f"{d} (n = {ud['n']})" if i == 0 else None,
            )
    bx.axvline(0, color="k", lw=0.6)
    lab = results["labels"]["disentanglement"]
    bx.set_yticks(range(len(_PAIRS)), [f"{lab[a]} – {lab[b]}" for a, b in _PAIRS], fontsize=7)
    bx.invert_yaxis()
    bx.set_xlim(-1, 1)
    bx.set_xlabel("Spearman $\\rho$ with 95 % interval (Bonett–Wright)")
    bx.set_title(
        "Pairs the paper discusses (its values: figures only,\nnot given as numbers)", fontsize=9
    )
    bx.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return savefig(fig, ctx.figure_dir / f"study_spearman{_suffix(results, ds)}.png")


def _plot_variance(results: dict, ctx: Any, ds: str) -> list:
    import matplotlib.pyplot as plt

    dis = results["keys"]["disentanglement"]
    keys = dis + ["elbo", "tc_mean", "tc_sampled", "gbt_all", "lr_all"]
    lab = {
        **results["labels"]["disentanglement"],
        **results["labels"]["unsupervised"],
        **_down_names(results),
    }
    var, uv = results["variance"][ds], _unc(results, ds)["variance"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1, 1.3]})
    bottom = np.zeros(len(keys))
    for part, color, name in (
        ("model", "tab:purple", "objective"),
        ("hparam", "tab:green", "hyperparameter | objective"),
        ("seed", "tab:gray", "seed (residual), 95 % interval"),
    ):
        h = np.array([var[k][part] if var[k][part] is not None else 0.0 for k in keys])
        ax.bar(range(len(keys)), h, bottom=bottom, color=color, label=name)
        bottom += h
    # the seed share is the top segment: its interval moves the segment's lower edge
    seed = np.array([uv[k]["seed"] for k in keys], dtype=float)
    lo = np.array([uv[k]["low"] for k in keys], dtype=float)
    hi = np.array([uv[k]["high"] for k in keys], dtype=float)
    ax.errorbar(
        range(len(keys)),
        1 - seed,
        yerr=error_lengths(-seed, -hi, -lo),  # the bar sits at 1 − seed
        fmt="none",
        color="k",
        capsize=2,
        lw=0.8,
    )
    ax.set_xticks(range(len(keys)), [lab[k] for k in keys], rotation=45, ha="right")
    ax.set_ylabel("share of the total sum of squares")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    ax.set_title(
        f"Nested variance decomposition ({ds}, {_n(results, ds)} models)", pad=30, fontsize=9
    )
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
    bx.set_title(f"Metric distributions per objective ({ds})", pad=30, fontsize=9)
    bx.legend(fontsize=6, ncol=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    fig.tight_layout()
    return savefig(fig, ctx.figure_dir / f"study_variance{_suffix(results, ds)}.png")


def _span(sizes: list) -> str:
    return str(min(sizes)) if min(sizes) == max(sizes) else f"{min(sizes)}–{max(sizes)}"


def _plot_selection(results: dict, ctx: Any, ds: str) -> list:
    import matplotlib.pyplot as plt

    dis, uns = results["keys"]["disentanglement"], results["keys"]["unsupervised"]
    dl = [results["labels"]["disentanglement"][k] for k in dis]
    ul = [results["labels"]["unsupervised"][k] for k in uns]
    us = _unc(results, ds)["selection"]
    sizes = us["group_sizes"]
    fig = plt.figure(figsize=(15, 5.2))
    gs = fig.add_gridspec(1, len(uns) + 1, width_ratios=[2.6] + [1] * len(uns))
    ax = fig.add_subplot(gs[0])
    um = _unc(results, ds)["metrics_vs_unsupervised"]
    im = heatmap_with_intervals(
        ax,
        results["spearman"][ds]["metrics_vs_unsupervised"],
        ul,
        dl,
        f"Spearman: metric vs unsupervised\nscore ({um['n']} models; * = interval excludes 0)",
        um["low"],
        um["high"],
    )
    fig.colorbar(im, ax=ax, shrink=0.6)
    dot_axes: list = []
    for j, (u, name) in enumerate(zip(uns, ul, strict=True)):
        bx = fig.add_subplot(gs[j + 1])
        dot_axes.append(bx)
        e = us[u]
        dot_plot(
            bx,
            [e[k]["win_rate"] for k in dis],
            [e[k]["low"] for k in dis],
            [e[k]["high"] for k in dis],
            dl if j == 0 else [""] * len(dis),
            us["null_band"],
            f"picked by best {name}",
        )
        bx.set_xlabel("win rate")
        if j:
            bx.tick_params(labelleft=False)
    dot_axes[0].legend(fontsize=6, loc="lower left")
    fig.suptitle(
        f"{ds}: P(the run an unsupervised score picks beats another run of its objective), "
        f"averaged over {len(sizes)} objectives of {_span(sizes)} runs; dots with 95 % "
        "bootstrap intervals over seeds; grey: where a random pick falls 95 % of the time",
        fontsize=8.5,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    return savefig(fig, ctx.figure_dir / f"study_selection{_suffix(results, ds)}.png")


def _down_names(results: dict) -> dict:
    """Downstream labels with the label counts of the run, the same in every figure."""
    small = results.get("settings", {}).get("downstream_small", "small")
    big = results.get("settings", {}).get("num_train", "all")
    return {
        "lr_small": f"LR@{small}",
        "lr_all": f"LR@{big}",
        "lr_efficiency": f"LR eff. ({small}/{big})",
        "gbt_small": f"GBT@{small}",
        "gbt_all": f"GBT@{big}",
        "gbt_efficiency": f"GBT eff. ({small}/{big})",
    }


def _plot_downstream(results: dict, ctx: Any, ds: str) -> list:
    import matplotlib.pyplot as plt

    dis, down = results["keys"]["disentanglement"], results["keys"]["downstream"]
    names = _down_names(results)
    ud = _unc(results, ds)
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4.6), gridspec_kw={"width_ratios": [1.4, 1]})
    u = ud["metrics_vs_downstream"]
    im = heatmap_with_intervals(
        ax,
        results["spearman"][ds]["metrics_vs_downstream"],
        [names[k] for k in down],
        [results["labels"]["disentanglement"][k] for k in dis],
        f"Spearman: metric vs downstream accuracy ({ds}, {u['n']} models)\n"
        "* = 95 % interval excludes 0",
        u["low"],
        u["high"],
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
            yerr=np.nan_to_num([ud["downstream"]["seed_sd"][m][k] for m in models]),
            capsize=1.5,
            error_kw={"lw": 0.7},
            color=c,
            label=names[k],
        )
    if ud["downstream"]["chance"] is not None:
        bx.axhline(
            ud["downstream"]["chance"],
            color="k",
            ls=":",
            lw=1,
            label=f"chance ({ud['downstream']['chance']:.2f})",
        )
    bx.set_xticks(x, [MODEL_LABELS[m].split(" (")[0] for m in models], rotation=30, ha="right")
    bx.set_ylabel("test accuracy, mean over factors")
    bx.set_ylim(0, 1)
    bx.legend(fontsize=6.5, ncol=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    bx.set_title(
        "Downstream accuracy per objective (bars: mean; whiskers: seeds' sd)", fontsize=9, pad=34
    )
    fig.tight_layout()
    return savefig(fig, ctx.figure_dir / f"study_downstream{_suffix(results, ds)}.png")


def _suffix(results: dict, ds: str) -> str:
    return "" if ds == results["datasets"][0] else f"_{ds}"


def _plot_transfer(results: dict, ctx: Any) -> list:
    import matplotlib.pyplot as plt

    t = results["uncertainty"]["transfer"]
    cases = (
        ("same_metric_same_data", "same metric, same data set (other seeds)"),
        ("other_metric_same_data", "other metric, same data set"),
        ("same_metric_other_data", "same metric, other data set"),
        ("other_metric_other_data", "other metric, other data set"),
    )
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    dot_plot(
        ax,
        [t[c]["win_rate"] for c, _ in cases],
        [t[c]["low"] for c, _ in cases],
        [t[c]["high"] for c, _ in cases],
        [lab for _, lab in cases],
        title="Transferring the best hyperparameter value: P(beats another run of the\n"
        "objective), both data sets pooled; 95 % bootstrap intervals over seeds; 0.5 = random",
    )
    ax.set_xlim(0.3, 0.8)
    ax.set_xlabel("win rate")
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
