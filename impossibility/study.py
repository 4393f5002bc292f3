r"""A small-scale reproduction of the 2019 study: models × hyperparameters × seeds × data sets.

Each *run* trains one VAE with one of the six objectives of the study
(:data:`impossibility.objectives.STUDY_GRID`) on one locally generated data set and evaluates

* every disentanglement metric of :func:`impossibility.metrics.evaluate_representation` on the
  **mean** representation :math:`\mu(x)` (BetaVAE, FactorVAE, MIG, DCI, SAP, modularity,
  explicitness), DCI with a reduced number of boosting stages (see :class:`StudySettings`);
* the unsupervised scores: held-out ELBO, reconstruction log-likelihood and KL, and the Gaussian
  total correlation :math:`\mathrm{TC}=-\tfrac12\log\det\mathrm{Corr}` of the **mean** and of
  the **sampled** representation :math:`z\sim q(z\mid x)` (theory.md §6.4), plus the number of
  active latent dimensions (mean per-dimension KL above 0.01 nats);
* downstream usefulness: the test accuracy of predicting each factor from the mean
  representation with logistic regression and with gradient-boosted trees, trained on a small
  and a large number of labels (100 and ``StudySettings.num_train``), averaged over factors,
  and the sample efficiency :math:`\mathrm{acc}(100)/\mathrm{acc}(N)`.

Runs are independent tasks dispatched with :mod:`joblib` to a backend chosen by a flag:
``"sequential"``, ``"loky"`` (local processes), ``"threading"``, ``"dask"`` (a
``distributed`` cluster: a local one, or a scheduler address) or ``"ray"``. Every run derives
its random generator from its configuration only,
``default_rng(SeedSequence([base, crc32(data), crc32(model), round(1000 value), seed]))``,
never from a worker, and limits BLAS to one thread, so results are identical on every backend.
Each finished run is written at once as one JSON file named by the SHA-256 of its configuration
(temporary file, then :func:`os.replace`): an interrupted sweep resumes where it stopped and
never recomputes a finished run.

The analysis functions (:func:`spearman_matrix`, :func:`variance_decomposition`,
:func:`selection_analysis`, :func:`summarize`) work on the list of run records.

Command line: ``python -m impossibility.study --preset default --backend loky -j 2``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import warnings
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from impossibility.objectives import STUDY_GRID, make_objective
from impossibility._progress import progress
from impossibility._io import atomic_write_json, read_json

__all__ = [
    "STUDY_VERSION",
    "MODELS",
    "DATASETS",
    "StudySettings",
    "StudyPreset",
    "PRESETS",
    "RunConfig",
    "make_dataset",
    "build_configs",
    "run_one",
    "run_sweep",
    "run_study",
    "load_records",
    "DISENTANGLEMENT_SCORES",
    "UNSUPERVISED_SCORES",
    "DOWNSTREAM_SCORES",
    "spearman_matrix",
    "variance_decomposition",
    "selection_analysis",
    "transfer_analysis",
    "summarize",
    "main",
]

#: Bump when the meaning of a stored run changes (it enters every configuration hash).
STUDY_VERSION = 1

#: The six objectives of the study, in the paper's order.
MODELS: tuple[str, ...] = (
    "beta_vae",
    "factor_vae",
    "beta_tc_vae",
    "dip_vae_i",
    "dip_vae_ii",
    "annealed_vae",
)

#: Locally generated data sets by name: constructor arguments (see :func:`make_dataset`).
DATASETS: dict[str, dict[str, Any]] = {
    # dSprites-like, reduced: 3 shapes x 3 scales x 4 orientations x 6 x 6 positions, 16x16 px,
    # grey-level edges (2x2 supersampling) -> 1,296 distinct images.
    "sprites16": {
        "kind": "sprites",
        "image_size": 16,
        "num_scales": 3,
        "num_orientations": 4,
        "num_positions": 6,
        "sprite_radius": 0.2,
        "supersample": 2,
    },
    # 5 continuous independent factors (6 equal-probability bins each) through a random smooth
    # injective mixing into 64 dimensions, squashed to (0, 1).
    "mixing5": {
        "kind": "mixing",
        "num_factors": 5,
        "num_bins": 6,
        "observation_dim": 64,
        "mixing_seed": 7,
    },
}

Array = NDArray[np.float64]


# ------------------------------------------------------------------------------ configuration
@dataclass(frozen=True)
class StudySettings:
    """Everything a run depends on besides (data set, model, hyperparameter, seed).

    The study's values (theory.md §6.1, §6.3) are given in brackets; the reduced ones are what the
    presets use.

    Attributes
    ----------
    latent_dim : int
        Latents [10].
    hidden : tuple of int
        MLP widths of the encoder (decoder reversed) [a conv net with FC 256].
    n_steps, batch_size, lr : int, int, float
        Adam steps [300,000], batch [64], learning rate [1e-4; short runs need more].
    n_train : int
        Training images drawn from the data set.
    discriminator_hidden : tuple of int
        FactorVAE's discriminator [6 × 1000].
    num_train, num_test : int
        Points for MIG, DCI, SAP, modularity, unsupervised scores and the downstream task
        [10,000 / 5,000].
    beta_vae_num_train, beta_vae_num_eval, factor_vae_num_train, factor_vae_num_eval,
    factor_vae_num_variance_estimate : int
        Sampling-based scores [10,000 / 5,000 / 10,000 / 5,000 / 10,000].
    score_batch_size : int
        Pairs / votes batch for those scores [64].
    dci_n_estimators : int
        Boosting stages of DCI's and the downstream task's trees [100].
    downstream_small : int
        Labels of the small downstream training set [100; also 10 and 1,000 in the paper].
    num_eval : int
        Held-out images for the ELBO and the two total correlations [10,000].
    """

    latent_dim: int = 10
    hidden: tuple[int, ...] = (128, 64)
    n_steps: int = 1000
    batch_size: int = 64
    lr: float = 1e-3
    n_train: int = 4000
    discriminator_hidden: tuple[int, ...] = (64, 64)
    num_train: int = 1000
    num_test: int = 500
    beta_vae_num_train: int = 300
    beta_vae_num_eval: int = 200
    factor_vae_num_train: int = 300
    factor_vae_num_eval: int = 200
    factor_vae_num_variance_estimate: int = 1000
    score_batch_size: int = 64
    dci_n_estimators: int = 20
    downstream_small: int = 100
    num_eval: int = 1000

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if name in ("hidden", "discriminator_hidden"):
                if not value or any(not isinstance(h, int) or h < 1 for h in value):
                    raise ValueError(
                        f"{name} must be a non-empty tuple of positive ints; got {value!r}"
                    )
            elif name == "lr":
                if not (np.isfinite(value) and value > 0):
                    raise ValueError(f"lr must be positive and finite; got {value!r}")
            elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}")
        if self.downstream_small >= self.num_train:
            raise ValueError(
                f"downstream_small={self.downstream_small} must be below num_train={self.num_train}"
            )


@dataclass(frozen=True)
class StudyPreset:
    """A grid: data sets × models × hyperparameter values × seeds, and the run settings.

    ``values`` maps a model to its hyperparameter values (default: the study's six).
    """

    name: str
    datasets: tuple[str, ...]
    models: tuple[str, ...]
    seeds: tuple[int, ...]
    settings: StudySettings
    values: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    description: str = ""

    def grid_values(self, model: str) -> tuple[float, ...]:
        """Hyperparameter values of ``model`` in this preset."""
        return tuple(self.values.get(model, STUDY_GRID[model]))


PRESETS: dict[str, StudyPreset] = {
    "quick": StudyPreset(
        name="quick",
        datasets=("sprites16",),
        models=("beta_vae", "beta_tc_vae"),
        values={"beta_vae": (1.0, 16.0), "beta_tc_vae": (1.0, 10.0)},
        seeds=(0, 1),
        settings=StudySettings(
            hidden=(32,),
            n_steps=150,
            n_train=1000,
            num_train=200,
            num_test=100,
            beta_vae_num_train=40,
            beta_vae_num_eval=30,
            factor_vae_num_train=40,
            factor_vae_num_eval=30,
            factor_vae_num_variance_estimate=200,
            score_batch_size=16,
            dci_n_estimators=5,
            downstream_small=50,
            num_eval=200,
            discriminator_hidden=(16,),
        ),
        description="smoke test: 2 objectives x 2 values x 2 seeds, 150 steps (seconds)",
    ),
    "default": StudyPreset(
        name="default",
        datasets=("sprites16", "mixing5"),
        models=MODELS,
        seeds=(0, 1, 2),
        settings=StudySettings(),
        description="6 objectives x 6 values x 3 seeds on 16x16 sprites and on a 5-factor "
        "continuous mixing, 1,000 steps (about 40 min on 2 shared cores)",
    ),
    "full": StudyPreset(
        name="full",
        datasets=("sprites16", "mixing5"),
        models=MODELS,
        seeds=tuple(range(50)),
        settings=StudySettings(
            n_steps=20000,
            lr=5e-4,
            n_train=20000,
            hidden=(256, 256),
            discriminator_hidden=(1000,) * 6,
            num_train=10000,
            num_test=5000,
            beta_vae_num_train=10000,
            beta_vae_num_eval=5000,
            factor_vae_num_train=10000,
            factor_vae_num_eval=5000,
            factor_vae_num_variance_estimate=10000,
            dci_n_estimators=100,
            num_eval=10000,
        ),
        description="the paper's grid shape (6 x 6 x 50 seeds) on 2 data sets: a cluster job",
    ),
}


@dataclass(frozen=True)
class RunConfig:
    """One run: a data set, an objective, its hyperparameter value and a seed."""

    dataset: str
    model: str
    value: float
    seed: int
    settings: StudySettings
    base_seed: int = 20190609

    def as_dict(self) -> dict[str, Any]:
        """JSON-able description (this is what the hash covers)."""
        d = asdict(self)
        d["settings"] = {
            k: list(v) if isinstance(v, tuple) else v for k, v in d["settings"].items()
        }
        d["dataset_spec"] = DATASETS[self.dataset]
        if self.model == "factor_vae":
            # the discriminator's Adam runs at the VAE's learning rate, as in the reference (both
            # 1e-4 there); a 10x slower discriminator lost the adversarial game at gamma >= 30
            d["objective_options"] = {"discriminator_lr": self.settings.lr}
        d["study_version"] = STUDY_VERSION
        return d

    @property
    def key(self) -> str:
        """SHA-256 (first 16 hex digits) of the canonical JSON of :meth:`as_dict`."""
        blob = json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    @property
    def filename(self) -> str:
        """``<data>-<model>-<value>-s<seed>-<key>.json``."""
        return _filename_of({"config": self.as_dict(), "key": self.key})

    def seed_sequence(self) -> np.random.SeedSequence:
        """``SeedSequence([base, crc(data), crc(model), round(1000 value), seed])``."""
        return np.random.SeedSequence(
            [
                self.base_seed,
                _stable_int(self.dataset),
                _stable_int(self.model),
                int(round(1000 * self.value)),
                self.seed,
            ]
        )


def _stable_int(text: str) -> int:
    return zlib.crc32(text.encode())


def _validate_run(dataset: str, model: str, value: float, seed: int) -> None:
    if dataset not in DATASETS:
        raise ValueError(f"unknown data set {dataset!r}; expected one of {sorted(DATASETS)}")
    if model not in STUDY_GRID:
        raise ValueError(f"unknown model {model!r}; expected one of {sorted(STUDY_GRID)}")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"hyperparameter value must be positive and finite; got {value!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")


def build_configs(preset: StudyPreset | str, *, base_seed: int = 20190609) -> list[RunConfig]:
    """All runs of a preset, ordered data set → model → value → seed."""
    if isinstance(preset, str):
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; expected one of {sorted(PRESETS)}")
        preset = PRESETS[preset]
    out = []
    for ds in preset.datasets:
        for model in preset.models:
            for value in preset.grid_values(model):
                for seed in preset.seeds:
                    _validate_run(ds, model, float(value), seed)
                    out.append(
                        RunConfig(ds, model, float(value), int(seed), preset.settings, base_seed)
                    )
    return out


_TABLES: dict[str, Array] = {}


def _tabulated_sprites(name: str, spec: Mapping[str, Any]) -> Any:
    """:class:`ProceduralSprites` whose images are looked up in a table of every factor
    combination, rendered once per process (rendering is a deterministic function of the
    factors, so the images are the same; only faster)."""
    from impossibility.data import ProceduralSprites

    class TabulatedSprites(ProceduralSprites):
        def _observations(self, factors: NDArray[np.int64], rng: np.random.Generator) -> Array:
            if name not in _TABLES:
                grid = np.stack(
                    np.meshgrid(*[np.arange(n) for n in self.factors_num_values], indexing="ij"),
                    axis=-1,
                ).reshape(-1, self.num_factors)
                _TABLES[name] = super()._observations(grid, rng)
            idx = np.ravel_multi_index(tuple(factors.T), self.factors_num_values)
            return _TABLES[name][idx]

    return TabulatedSprites(**spec)


def make_dataset(name: str) -> Any:
    """Build the data set ``name`` of :data:`DATASETS` (deterministic)."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; expected one of {sorted(DATASETS)}")
    from impossibility.data import ContinuousMixingData

    spec = dict(DATASETS[name])
    kind = spec.pop("kind")
    if kind == "sprites":
        return _tabulated_sprites(name, spec)
    seed = spec.pop("mixing_seed")
    return ContinuousMixingData.random(
        spec["num_factors"],
        np.random.default_rng(seed),
        num_bins=spec["num_bins"],
        observation_dim=spec["observation_dim"],
    )


# ------------------------------------------------------------------------------------- one run
def _flat(x: Array) -> Array:
    return np.asarray(x, dtype=np.float64).reshape(x.shape[0], -1)


def _downstream_and_dci(
    z_tr: Array,
    y_tr: Array,
    z_te: Array,
    y_te: Array,
    *,
    small: int,
    n_estimators: int,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """DCI from boosted-tree importances, and downstream accuracies at ``small`` and all labels."""
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    from impossibility.metrics import dci_from_importance

    K = y_tr.shape[1]
    mean, std = z_tr.mean(0), z_tr.std(0)
    std = np.where(std > 0, std, 1.0)
    s_tr, s_te = (z_tr - mean) / std, (z_te - mean) / std
    importance = np.zeros((z_tr.shape[1], K))
    acc: dict[str, list[float]] = {f"{m}_{n}": [] for m in ("lr", "gbt") for n in ("small", "all")}
    for k in range(K):
        for n_lab, tag in ((small, "small"), (z_tr.shape[0], "all")):
            yk = y_tr[:n_lab, k]
            if np.unique(yk).size < 2:  # a classifier needs two classes: predict the only one
                acc[f"lr_{tag}"].append(float(np.mean(y_te[:, k] == yk[0])))
                acc[f"gbt_{tag}"].append(float(np.mean(y_te[:, k] == yk[0])))
                continue
            lr = LogisticRegression(max_iter=500).fit(s_tr[:n_lab], yk)
            acc[f"lr_{tag}"].append(float(np.mean(lr.predict(s_te) == y_te[:, k])))
            gbt = GradientBoostingClassifier(
                n_estimators=n_estimators, random_state=int(rng.integers(2**31 - 1))
            ).fit(z_tr[:n_lab], yk)
            acc[f"gbt_{tag}"].append(float(np.mean(gbt.predict(z_te) == y_te[:, k])))
            if tag == "all":
                importance[:, k] = np.abs(gbt.feature_importances_)
    dis, comp = dci_from_importance(importance)
    out: dict[str, Any] = {"dci_disentanglement": dis, "dci_completeness": comp}
    for name, values in acc.items():
        out[name] = float(np.mean(values))
        out[name + "_per_factor"] = values
    out["dci_informativeness_test"] = out["gbt_all"]
    for m in ("lr", "gbt"):
        out[f"{m}_efficiency"] = out[f"{m}_small"] / out[f"{m}_all"] if out[f"{m}_all"] > 0 else 0.0
    return out


def run_one(config: RunConfig) -> dict[str, Any]:
    """Train one model and evaluate it; return a JSON-able record (does not write anything).

    The record has ``key``, ``config``, ``status`` (``"ok"`` or ``"failed"`` with ``error``),
    ``scores`` (a flat dict of floats), ``per_factor`` (downstream accuracies per factor),
    ``training`` (final loss terms) and ``seconds`` (wall time; the only field that differs
    between backends).
    """
    from threadpoolctl import threadpool_limits

    from impossibility.metrics import evaluate_representation, gaussian_total_correlation
    from impossibility.metrics.sampling import sample_factors_and_codes
    from impossibility.vae import VAE

    t0 = time.perf_counter()
    s = config.settings
    record: dict[str, Any] = {"key": config.key, "config": config.as_dict()}
    data = make_dataset(config.dataset)
    rng_train, rng_eval, rng_metrics, rng_down = (
        np.random.default_rng(c) for c in config.seed_sequence().spawn(4)
    )
    # the training set depends on the data set and the base seed only: every model sees it
    rng_data = np.random.default_rng([config.base_seed, _stable_int(config.dataset)])
    try:
        with threadpool_limits(limits=1), warnings.catch_warnings():
            from sklearn.exceptions import ConvergenceWarning

            warnings.simplefilter("ignore", ConvergenceWarning)
            _, x = data.sample(s.n_train, rng_data)
            x = _flat(x)
            kw = (
                {"hidden": s.discriminator_hidden, "lr": s.lr}
                if config.model == "factor_vae"
                else {}
            )
            objective = make_objective(config.model, config.value, **kw)
            vae = VAE(x.shape[1], s.latent_dim, hidden=s.hidden, rng=rng_train)
            hist = vae.fit(
                x,
                rng=rng_train,
                objective=objective,
                n_steps=s.n_steps,
                batch_size=s.batch_size,
                lr=s.lr,
                progress=False,
            )
            tail = max(1, s.n_steps // 10)
            record["training"] = {k: float(np.mean(v[-tail:])) for k, v in hist.items()}

            # unsupervised scores on held-out images
            _, xe = data.sample(s.num_eval, rng_eval)
            xe = _flat(xe)
            terms = vae.elbo_terms(xe, rng_eval)
            mu, logvar = vae.encode(xe)
            z = mu + np.exp(0.5 * logvar) * rng_eval.standard_normal(mu.shape)
            kl_dim = 0.5 * (mu**2 + np.exp(logvar) - logvar - 1.0).mean(0)
            scores: dict[str, float] = {
                "elbo": float(terms["elbo"].mean()),
                "reconstruction": float(terms["rec"].mean()),
                "kl": float(terms["kl"].mean()),
                "tc_mean": gaussian_total_correlation(mu),
                "tc_sampled": gaussian_total_correlation(z),
                "active_dims": float(np.sum(kl_dim > 0.01)),
            }
            active = kl_dim > 0.01
            # TC of the mean codes restricted to active dimensions (Bonheme & Grzes: passive
            # dimensions drive TC(mean)); 0 when fewer than two are active
            scores["tc_mean_active"] = (
                gaussian_total_correlation(mu[:, active]) if active.sum() >= 2 else 0.0
            )

            def rep(obs: Array) -> Array:
                return vae.encode(_flat(obs))[0]

            metrics = evaluate_representation(
                rep,
                data,
                rng_metrics,
                metrics=["beta_vae", "factor_vae", "mig", "sap", "modularity_explicitness"],
                num_train=s.num_train,
                num_test=s.num_test,
                sample_batch_size=256,
                beta_vae_num_train=s.beta_vae_num_train,
                beta_vae_num_eval=s.beta_vae_num_eval,
                factor_vae_num_train=s.factor_vae_num_train,
                factor_vae_num_eval=s.factor_vae_num_eval,
                factor_vae_num_variance_estimate=s.factor_vae_num_variance_estimate,
                score_batch_size=s.score_batch_size,
            )
            scores.update(metrics)
            z_tr, y_tr = sample_factors_and_codes(data, rep, s.num_train, rng_down, batch_size=256)
            z_te, y_te = sample_factors_and_codes(data, rep, s.num_test, rng_down, batch_size=256)
            down = _downstream_and_dci(
                z_tr,
                y_tr,
                z_te,
                y_te,
                small=s.downstream_small,
                n_estimators=s.dci_n_estimators,
                rng=rng_down,
            )
            record["per_factor"] = {k: v for k, v in down.items() if k.endswith("_per_factor")}
            scores.update({k: v for k, v in down.items() if not k.endswith("_per_factor")})
        bad = [k for k, v in scores.items() if not np.isfinite(v)]
        if bad:
            raise FloatingPointError(f"non-finite scores {bad}")
        record["scores"] = {k: float(v) for k, v in scores.items()}
        record["status"] = "ok"
    except (FloatingPointError, ValueError, np.linalg.LinAlgError) as exc:
        record["status"] = "failed"
        record["error"] = f"{type(exc).__name__}: {exc}"
    record["seconds"] = time.perf_counter() - t0
    return record


# --------------------------------------------------------------------------------------- sweep
def _load_cached(path: Path, key: str) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        rec = read_json(path)
    except ValueError:
        return None
    if (
        not isinstance(rec, dict)
        or rec.get("key") != key
        or rec.get("status") not in ("ok", "failed")
    ):
        return None
    if rec["status"] == "ok" and not isinstance(rec.get("scores"), dict):
        return None
    return rec


def load_records(cache_dir: str | Path, configs: Iterable[RunConfig] | None = None) -> list[dict]:
    """Stored run records in ``cache_dir`` (only those of ``configs`` if given, in their order)."""
    cache_dir = Path(cache_dir)
    if configs is None:
        out = []
        for p in sorted(cache_dir.glob("*.json")):
            try:
                rec = read_json(p)
            except ValueError:
                continue
            if isinstance(rec, dict) and "key" in rec and "status" in rec:
                out.append(rec)
        return out
    recs = [_load_cached(cache_dir / c.filename, c.key) for c in configs]
    return [r for r in recs if r is not None]


def _start_backend(backend: str, n_jobs: int, address: str | None) -> Callable[[], None]:
    """Prepare dask/ray; return a function that shuts down what was started here."""
    if backend == "dask":
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "the dask backend needs dask.distributed: pip install 'impossibility[distributed]'"
            ) from exc
        if address:
            client = Client(address)
        else:
            workers = n_jobs if n_jobs > 0 else None
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
            return lambda: (client.close(), cluster.close())
        return client.close
    if backend == "ray":
        try:
            import ray
            from ray.util.joblib import register_ray
        except ImportError as exc:  # pragma: no cover
            raise ImportError(
                "the ray backend needs ray: pip install 'impossibility[ray]'"
            ) from exc
        register_ray()
        started = not ray.is_initialized()
        if started:
            ray.init(address=address, num_cpus=None if address or n_jobs < 1 else n_jobs)
        return ray.shutdown if started else (lambda: None)
    return lambda: None


_BACKENDS = ("sequential", "loky", "threading", "dask", "ray")


def run_sweep(
    configs: Sequence[RunConfig],
    cache_dir: str | Path,
    *,
    backend: str = "loky",
    n_jobs: int = -1,
    address: str | None = None,
    show_progress: bool | None = None,
    log: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Run every configuration not yet stored in ``cache_dir``; return all records in order.

    Parameters
    ----------
    configs : sequence of RunConfig
    cache_dir : path
        One ``<data>-<model>-<value>-s<seed>-<hash>.json`` per finished run, written atomically
        by this (the driving) process as each result arrives.
    backend : {"sequential", "loky", "threading", "dask", "ray"}, default="loky"
        joblib backend. ``"dask"`` starts a local ``distributed`` cluster with ``n_jobs``
        single-threaded worker processes unless ``address`` names a scheduler; ``"ray"``
        registers Ray's joblib backend (``address`` passed to ``ray.init``).
    n_jobs : int, default=-1
        Parallel workers (-1: all cores).
    show_progress : bool or None
        Progress bar (``None``: only on a terminal).
    log : callable, optional
        ``log(message)`` after each finished run (e.g. for ``nohup`` logs).

    Returns
    -------
    list of dict
        Records (see :func:`run_one`) in the order of ``configs``.
    """
    if backend not in _BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; expected one of {_BACKENDS}")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise ValueError(f"n_jobs must be a positive integer or -1; got {n_jobs!r}")
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    keys = [c.key for c in configs]
    if len(set(keys)) != len(keys):
        raise ValueError("configs contain duplicate runs (same configuration hash)")
    done: dict[str, dict[str, Any]] = {}
    todo: list[RunConfig] = []
    for c in configs:
        rec = _load_cached(cache_dir / c.filename, c.key)
        if rec is None:
            todo.append(c)
        else:
            done[c.key] = rec
    if log and done:
        log(f"{len(done)} of {len(configs)} runs already stored in {cache_dir}; {len(todo)} to go")

    def store(rec: dict[str, Any], i: int) -> None:
        atomic_write_json(cache_dir / _filename_of(rec), rec)
        done[rec["key"]] = rec
        if log:
            c = rec["config"]
            extra = "" if rec["status"] == "ok" else f" FAILED ({rec.get('error')})"
            log(
                f"[{i}/{len(todo)}] {c['dataset']} {c['model']} {c['value']:g} seed {c['seed']}: "
                f"{rec['seconds']:.1f} s{extra}"
            )

    if todo:
        from joblib import Parallel, delayed, parallel_config

        if backend == "sequential":
            for i, c in enumerate(progress(todo, desc="study", enabled=show_progress), 1):
                store(run_one(c), i)
        else:
            stop = _start_backend(backend, n_jobs, address)
            try:
                with parallel_config(backend=backend, n_jobs=n_jobs):
                    if backend == "ray":  # ray rejects generators: go in chunks
                        width = 4 * max(1, n_jobs)
                        chunks = [todo[i : i + width] for i in range(0, len(todo), width)]
                        results: Iterable[dict] = (
                            r for ch in chunks for r in Parallel()(delayed(run_one)(c) for c in ch)
                        )
                    else:
                        results = Parallel(return_as="generator_unordered")(
                            delayed(run_one)(c) for c in todo
                        )
                    for i, rec in enumerate(
                        progress(results, desc="study", total=len(todo), enabled=show_progress), 1
                    ):
                        store(rec, i)
            finally:
                stop()
    return [done[k] for k in keys]


def _filename_of(rec: Mapping[str, Any]) -> str:
    c = rec["config"]
    return f"{c['dataset']}-{c['model']}-{float(c['value']):g}-s{c['seed']}-{rec['key']}.json"


def run_study(
    preset: str | StudyPreset = "default",
    backend: str = "loky",
    n_jobs: int = -1,
    out_dir: str | Path = Path("figures/cache/full/study"),
    *,
    base_seed: int = 20190609,
    address: str | None = None,
    show_progress: bool | None = None,
    log: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Run (or resume) a preset's sweep, one JSON per run in ``out_dir``; return the records.

    ``python -m impossibility.study --preset default`` calls this. The default ``out_dir`` is the
    cache folder of the ``study`` experiment, so ``impossibility reproduce --only study`` reuses
    the runs.
    """
    configs = build_configs(preset, base_seed=base_seed)
    return run_sweep(
        configs,
        out_dir,
        backend=backend,
        n_jobs=n_jobs,
        address=address,
        show_progress=show_progress,
        log=log,
    )


# ------------------------------------------------------------------------------------ analysis
#: Disentanglement metrics (record score key → label), on the mean representation.
DISENTANGLEMENT_SCORES: dict[str, str] = {
    "beta_vae_eval_accuracy": "BetaVAE",
    "factor_vae_eval_accuracy": "FactorVAE",
    "mig": "MIG",
    "dci_disentanglement": "DCI Dis.",
    "modularity": "Modularity",
    "sap": "SAP",
}
#: Unsupervised scores (key → (label, +1 if higher is better, −1 if lower is better)).
UNSUPERVISED_SCORES: dict[str, tuple[str, int]] = {
    "elbo": ("ELBO", 1),
    "reconstruction": ("Reconstruction", 1),
    "tc_sampled": ("TC (sampled)", -1),
    "tc_mean": ("TC (mean)", -1),
    "kl": ("KL", -1),
}
#: Downstream scores (key → label).
DOWNSTREAM_SCORES: dict[str, str] = {
    "lr_small": "LR acc@small",
    "lr_all": "LR acc@all",
    "lr_efficiency": "LR efficiency",
    "gbt_small": "GBT acc@small",
    "gbt_all": "GBT acc@all",
    "gbt_efficiency": "GBT efficiency",
}


def _rankdata(x: Array) -> Array:
    from scipy.stats import rankdata

    return rankdata(x)


def spearman_matrix(table: Array) -> Array:
    r"""Spearman rank correlations between the columns of ``table`` (n, p): Pearson of ranks.

    A constant column gives NaN entries in its row and column (undefined correlation); they are
    reported as such rather than hidden.
    """
    t = np.asarray(table, dtype=np.float64)
    if t.ndim != 2 or t.shape[0] < 3:
        raise ValueError(f"need a table (n, p) with n >= 3 rows; got shape {t.shape}")
    r = np.column_stack([_rankdata(t[:, j]) for j in range(t.shape[1])])
    r = r - r.mean(0)
    norm = np.sqrt((r * r).sum(0))
    with np.errstate(invalid="ignore", divide="ignore"):
        c = (r.T @ r) / np.outer(norm, norm)
    c[:, norm == 0] = np.nan
    c[norm == 0, :] = np.nan
    return c


def variance_decomposition(
    values: Array, model: Sequence[Any], hparam: Sequence[Any]
) -> dict[str, float]:
    r"""Shares of the total sum of squares of a score explained by model, hyperparameter and seed.

    With hyperparameters nested in models,
    :math:`s_{mhr}=\mu+\alpha_m+\beta_{h(m)}+\varepsilon_{mhr}`:

    .. math::
        SS_{model}=\sum_m n_m(\bar s_m-\bar s)^2,\quad
        SS_{h|m}=\sum_{m,h} n_{mh}(\bar s_{mh}-\bar s_m)^2,\quad
        SS_{seed}=\sum (s-\bar s_{mh})^2,

    which add up to :math:`SS_{tot}=\sum(s-\bar s)^2` for any cell sizes. Returns the three
    shares (they sum to 1) and ``ss_total``; all shares are NaN when the score is constant.
    """
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 1 or len(model) != v.size or len(hparam) != v.size:
        raise ValueError(
            f"values, model and hparam must be 1-D of one length; got {v.shape}, {len(model)}, "
            f"{len(hparam)}"
        )
    if not np.isfinite(v).all():
        raise ValueError("values contain non-finite entries")
    grand = v.mean()
    cells: dict[Any, list[int]] = {}
    models: dict[Any, list[int]] = {}
    for i, (m, h) in enumerate(zip(model, hparam, strict=False)):
        cells.setdefault((m, h), []).append(i)
        models.setdefault(m, []).append(i)
    ss_tot = float(((v - grand) ** 2).sum())
    ss_m = float(sum(len(ix) * (v[ix].mean() - grand) ** 2 for ix in models.values()))
    ss_h = float(
        sum(len(ix) * (v[ix].mean() - v[models[mh[0]]].mean()) ** 2 for mh, ix in cells.items())
    )
    ss_s = float(sum(((v[ix] - v[ix].mean()) ** 2).sum() for ix in cells.values()))
    if ss_tot == 0:
        return {
            "model": float("nan"),
            "hparam": float("nan"),
            "seed": float("nan"),
            "ss_total": 0.0,
        }
    return {
        "model": ss_m / ss_tot,
        "hparam": ss_h / ss_tot,
        "seed": ss_s / ss_tot,
        "ss_total": ss_tot,
    }


def selection_analysis(
    selector: Array, target: Array, groups: Sequence[Any], *, higher_is_better: bool = True
) -> dict[str, float]:
    r"""How well an unsupervised score picks models with a high target score, within groups.

    In each group (e.g. one objective on one data set) the run with the best ``selector`` is
    chosen; its *win rate* is the fraction of the other runs of the group whose ``target`` it
    beats (ties count one half) — 0.5 is what a randomly chosen model achieves on average.
    Returns the mean win rate over groups, and the mean over groups of the Spearman correlation
    between selector (oriented so that larger is better) and target.
    """
    s = np.asarray(selector, dtype=np.float64) * (1.0 if higher_is_better else -1.0)
    t = np.asarray(target, dtype=np.float64)
    if s.shape != t.shape or s.ndim != 1 or len(groups) != s.size:
        raise ValueError(
            f"selector, target and groups must be 1-D of one length; got "
            f"{s.shape}, {t.shape}, {len(groups)}"
        )
    by: dict[Any, list[int]] = {}
    for i, g in enumerate(groups):
        by.setdefault(g, []).append(i)
    wins, rhos = [], []
    for ix in by.values():
        ix = np.asarray(ix)
        if ix.size < 3:
            continue
        best = ix[np.argmax(s[ix])]
        others = ix[ix != best]
        wins.append(float(np.mean((t[best] > t[others]) + 0.5 * (t[best] == t[others]))))
        rho = spearman_matrix(np.column_stack([s[ix], t[ix]]))[0, 1]
        if np.isfinite(rho):
            rhos.append(float(rho))
    return {
        "win_rate": float(np.mean(wins)) if wins else float("nan"),
        "spearman_within_group": float(np.mean(rhos)) if rhos else float("nan"),
        "groups": float(len(wins)),
    }


def transfer_analysis(
    rows: Sequence[Mapping[str, Any]], metrics: Sequence[str]
) -> dict[str, float | None]:
    r"""How well a hyperparameter chosen by one metric on one data set does on another.

    For every objective :math:`m`, source data set :math:`A`, source metric :math:`k`, target data
    set :math:`B` and target metric :math:`k'`: the value :math:`v^*` with the best mean of
    :math:`k` over the seeds on :math:`A` is chosen; each run of :math:`(m, v^*)` on :math:`B`
    is compared with every other run of :math:`m` on :math:`B`, and the win rate is the
    fraction of comparisons where it has the larger :math:`k'` (ties count one half; 0.5 is a
    random choice). When :math:`A=B` the value is chosen without the seed of the evaluated run
    (leave one seed out). Averages are returned for the four cases ``same_metric_same_data``,
    ``other_metric_same_data``, ``same_metric_other_data`` and ``other_metric_other_data``
    (the paper's Figure on transferring hyperparameters); ``None`` when a case has no data.
    """
    cases: dict[str, list[float]] = {
        f"{a}_metric_{b}_data": [] for a in ("same", "other") for b in ("same", "other")
    }
    datasets = sorted({r["dataset"] for r in rows})
    models = sorted({r["model"] for r in rows})
    for m in models:
        for src in datasets:
            src_rows = [r for r in rows if r["model"] == m and r["dataset"] == src]
            values = sorted({r["value"] for r in src_rows})
            if len(values) < 2:
                continue
            for dst in datasets:
                dst_rows = [r for r in rows if r["model"] == m and r["dataset"] == dst]
                for k in metrics:
                    for k2 in metrics:
                        case = f"{'same' if k == k2 else 'other'}_metric_" + (
                            "same_data" if src == dst else "other_data"
                        )
                        for run in dst_rows:
                            pool = [r for r in src_rows if src != dst or r["seed"] != run["seed"]]
                            by_value: dict[float, list[float]] = {}
                            for r in pool:
                                by_value.setdefault(r["value"], []).append(r[k])
                            means = {v: float(np.mean(x)) for v, x in by_value.items()}
                            if not means or run["value"] != max(means, key=means.get):
                                continue
                            others = [r[k2] for r in dst_rows if r is not run]
                            if others:
                                o = np.asarray(others)
                                cases[case].append(
                                    float(np.mean((run[k2] > o) + 0.5 * (run[k2] == o)))
                                )
    return {c: (float(np.mean(v)) if v else None) for c, v in cases.items()}


def _nan_to_none(x: Any) -> Any:
    if isinstance(x, float) and not np.isfinite(x):
        return None
    if isinstance(x, list):
        return [_nan_to_none(v) for v in x]
    if isinstance(x, dict):
        return {k: _nan_to_none(v) for k, v in x.items()}
    return x


def summarize(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """All tables behind the figures, from the run records (failed runs are counted and skipped).

    Returns a JSON-able dict (NaN → ``None``) with ``runs`` (flat per-run rows), ``tc`` (per
    data set, model and value: mean and standard deviation of TC of mean and sampled codes over
    seeds), ``spearman`` (between disentanglement metrics; between metrics and unsupervised
    scores; between metrics and downstream scores; per data set), ``variance`` (shares of model,
    hyperparameter and seed per score and data set), ``selection`` (win rates of unsupervised
    model selection) and ``downstream`` (mean accuracies per model).
    """
    ok = [r for r in records if r.get("status") == "ok"]
    failed = [r for r in records if r.get("status") != "ok"]
    rows = [
        {
            "dataset": r["config"]["dataset"],
            "model": r["config"]["model"],
            "value": float(r["config"]["value"]),
            "seed": int(r["config"]["seed"]),
            **r["scores"],
        }
        for r in ok
    ]
    out: dict[str, Any] = {
        "n_runs": len(records),
        "n_ok": len(ok),
        "n_failed": len(failed),
        "failed": [
            {
                "model": r["config"]["model"],
                "value": r["config"]["value"],
                "seed": r["config"]["seed"],
                "dataset": r["config"]["dataset"],
                "error": r.get("error", ""),
            }
            for r in failed
        ],
        "runs": rows,
        "seconds_total": float(sum(r.get("seconds", 0.0) for r in records)),
        "labels": {
            "disentanglement": DISENTANGLEMENT_SCORES,
            "unsupervised": {k: v[0] for k, v in UNSUPERVISED_SCORES.items()},
            "downstream": DOWNSTREAM_SCORES,
        },
    }
    if records:
        out["settings"] = records[0]["config"]["settings"]
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))  # in the order of the sweep
    out["datasets"] = datasets
    dis_keys = list(DISENTANGLEMENT_SCORES)
    uns_keys = list(UNSUPERVISED_SCORES)
    down_keys = list(DOWNSTREAM_SCORES)
    tc, spear, var, sel, down = {}, {}, {}, {}, {}
    for ds in datasets:
        rs = [r for r in rows if r["dataset"] == ds]
        models = [m for m in MODELS if any(r["model"] == m for r in rs)]
        tc[ds] = {}
        down[ds] = {}
        for m in models:
            vals = sorted({r["value"] for r in rs if r["model"] == m})
            entry = {"values": vals}
            for key in (
                "tc_mean",
                "tc_sampled",
                "tc_mean_active",
                "active_dims",
                "elbo",
                *down_keys,
                *dis_keys,
            ):
                cell = [[r[key] for r in rs if r["model"] == m and r["value"] == v] for v in vals]
                entry[key] = [float(np.mean(c)) for c in cell]
                entry[key + "_sd"] = [float(np.std(c, ddof=1)) if len(c) > 1 else 0.0 for c in cell]
            tc[ds][m] = entry
            down[ds][m] = {
                k: float(np.mean([r[k] for r in rs if r["model"] == m])) for k in down_keys
            }
        if len(rs) < 3:
            continue

        def table(keys: list[str], rs: list[dict] = rs) -> Array:
            return np.array([[r[k] for k in keys] for r in rs])

        spear[ds] = {
            "metrics": spearman_matrix(table(dis_keys)).tolist(),
            "metrics_vs_unsupervised": spearman_matrix(table(dis_keys + uns_keys))[
                : len(dis_keys), len(dis_keys) :
            ].tolist(),
            "metrics_vs_downstream": spearman_matrix(table(dis_keys + down_keys))[
                : len(dis_keys), len(dis_keys) :
            ].tolist(),
        }
        trend = {}
        for m in models:
            rm = [r for r in rs if r["model"] == m]
            if len({r["value"] for r in rm}) >= 2 and len(rm) >= 3:
                t = spearman_matrix(
                    np.array(
                        [
                            [r["value"], r["tc_mean"], r["tc_sampled"], r["tc_mean_active"]]
                            for r in rm
                        ]
                    )
                )
                trend[m] = {"tc_mean": t[0, 1], "tc_sampled": t[0, 2], "tc_mean_active": t[0, 3]}
        spear[ds]["tc_vs_hparam"] = trend
        mod = [r["model"] for r in rs]
        hp = [r["value"] for r in rs]
        var[ds] = {
            k: variance_decomposition(np.array([r[k] for r in rs]), mod, hp)
            for k in dis_keys + uns_keys + down_keys
        }
        groups = [r["model"] for r in rs]
        sel[ds] = {
            u: {
                k: selection_analysis(
                    np.array([r[u] for r in rs]),
                    np.array([r[k] for r in rs]),
                    groups,
                    higher_is_better=UNSUPERVISED_SCORES[u][1] > 0,
                )
                for k in dis_keys
            }
            for u in uns_keys
        }
    out.update(tc=tc, spearman=spear, variance=var, selection=sel, downstream=down)
    out["transfer"] = transfer_analysis(rows, dis_keys) if rows else {}
    if len(datasets) >= 2:  # do the rank correlations keep their sign across data sets?
        a, b = (np.array(spear[d]["metrics_vs_unsupervised"], dtype=float) for d in datasets[:2])
        ma, mb = (np.array(spear[d]["metrics"], dtype=float) for d in datasets[:2])
        iu = np.triu_indices_from(ma, 1)
        out["consistency"] = {
            "datasets": datasets[:2],
            "metrics_vs_unsupervised_same_sign": float(np.mean(np.sign(a) == np.sign(b))),
            "metrics_vs_unsupervised_correlation": float(np.corrcoef(a.ravel(), b.ravel())[0, 1]),
            "metric_pairs_correlation": float(np.corrcoef(ma[iu], mb[iu])[0, 1]),
        }
    out["keys"] = {"disentanglement": dis_keys, "unsupervised": uns_keys, "downstream": down_keys}
    return _nan_to_none(out)


# ------------------------------------------------------------------------------------------ CLI
def main(argv: Sequence[str] | None = None) -> int:
    """``python -m impossibility.study``: run or resume a preset's sweep."""
    parser = argparse.ArgumentParser(
        prog="impossibility study",
        description="Sweep the six objectives of Locatello et al. (2019) at small scale; each "
        "finished run is stored at once, so an interrupted sweep resumes.",
    )
    parser.add_argument("--preset", choices=sorted(PRESETS), default="default")
    parser.add_argument("--backend", choices=_BACKENDS, default="loky")
    parser.add_argument("-j", "--n-jobs", type=int, default=-1)
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=Path("figures/cache/full/study"),
        help="folder of per-run JSON files (default: the study experiment's cache)",
    )
    parser.add_argument(
        "--address",
        default=None,
        help="dask scheduler address or ray cluster address (default: local)",
    )
    parser.add_argument("--seed", type=int, default=20190609, help="base seed")
    parser.add_argument(
        "--summary",
        type=Path,
        default=None,
        help="also write the analysis (summarize()) to this JSON file",
    )
    args = parser.parse_args(argv)

    def log(msg: str) -> None:
        print(time.strftime("%H:%M:%S"), msg, file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    records = run_study(
        args.preset,
        args.backend,
        args.n_jobs,
        args.out_dir,
        base_seed=args.seed,
        address=args.address,
        log=log,
    )
    n_ok = sum(r["status"] == "ok" for r in records)
    log(f"{len(records)} runs ({n_ok} ok) in {time.perf_counter() - t0:.0f} s")
    if args.summary is not None:
        atomic_write_json(args.summary, summarize(records))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
