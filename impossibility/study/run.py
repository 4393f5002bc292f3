r"""One run: train a VAE with one objective on one data set and score it, :func:`run_one`.

Scores of the **mean** representation :math:`\mu(x)`: every disentanglement metric (with IRS
and the Pearson and Spearman MCC, docs/metrics.md §2.7 and §2.9), the
unsupervised scores (held-out ELBO, reconstruction, KL, Gaussian total correlation
:math:`\mathrm{TC}=-\tfrac12\log\det\mathrm{Corr}` of the mean and of the sampled codes
:math:`z\sim q(z\mid x)`, docs/theory.md §6.4, and the active dimensions, mean KL above 0.01 nats)
and downstream accuracy :math:`\mathrm{acc}(n)` of logistic regression and boosted trees with
few and with all labels, with the sample efficiency :math:`\mathrm{acc}(\text{small})/
\mathrm{acc}(\text{all})`. BLAS is limited to one thread, so a record is the same on every
backend.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np

from impossibility._typing import Array
from impossibility.vae import make_objective

from ._naming import stable_int
from .config import RunConfig
from .datasets import make_dataset

__all__ = ["run_one", "train_model"]

# a dimension is active when its mean KL to the prior exceeds this (nats)
_ACTIVE_KL = 0.01


def _flat(x: Array) -> Array:
    return np.asarray(x, dtype=np.float64).reshape(x.shape[0], -1)


def train_model(config: RunConfig, data: Any = None) -> tuple[Any, dict, dict]:
    """Train the VAE of ``config`` as :func:`run_one` does: ``(vae, history, rngs)``.

    ``rngs`` holds the run's remaining Generators, ``"eval"``, ``"metrics"`` and
    ``"downstream"``, in the state :func:`run_one` uses them, so a caller can recompute any score
    of the record exactly. ``data`` defaults to ``make_dataset(config.dataset)``.
    """
    from impossibility.vae import VAE

    s = config.settings
    data = make_dataset(config.dataset) if data is None else data
    rng_train, rng_eval, rng_metrics, rng_down = (
        np.random.default_rng(c) for c in config.seed_sequence().spawn(4)
    )
    # the training set depends on the data set and the base seed only: every model sees it
    rng_data = np.random.default_rng([config.base_seed, stable_int(config.dataset)])
    _, x = data.sample(s.n_train, rng_data)
    x = _flat(x)
    kw = (
        {
            "hidden": s.discriminator_hidden,
            "lr": s.lr,
            "discriminator_steps": s.discriminator_steps,
        }
        if config.model == "factor_vae"
        else {}
    )
    objective = make_objective(config.model, config.value, **kw)
    vae = VAE(x.shape[1], s.latent_dim, hidden=s.hidden, rng=rng_train, dtype=s.dtype)
    hist = vae.fit(
        x,
        rng=rng_train,
        objective=objective,
        n_steps=s.n_steps,
        batch_size=s.batch_size,
        lr=s.lr,
        progress=False,
    )
    return vae, hist, {"eval": rng_eval, "metrics": rng_metrics, "downstream": rng_down}


def run_one(config: RunConfig) -> dict[str, Any]:
    """Train one model and evaluate it; return a JSON-able record (does not write anything).

    The record has ``key``, ``config``, ``status`` (``"ok"`` or ``"failed"`` with ``error``),
    ``scores`` (a flat dict of floats), ``per_factor`` (downstream accuracies per factor),
    ``training`` (final loss terms) and ``seconds`` (wall time; the only field that differs
    between backends).

    Raises
    ------
    TypeError
        If ``config`` is not a :class:`RunConfig`.
    """
    if not isinstance(config, RunConfig):
        raise TypeError(f"config must be a RunConfig; got {type(config).__name__}")
    from threadpoolctl import threadpool_limits

    from impossibility.metrics import (
        MetricSizes,
        downstream_scores,
        evaluate_representation,
        gaussian_total_correlation,
        sample_factors_and_codes,
    )

    t0 = time.perf_counter()
    s = config.settings
    record: dict[str, Any] = {"key": config.key, "config": config.as_dict()}
    data = make_dataset(config.dataset)
    try:
        with threadpool_limits(limits=1), warnings.catch_warnings():
            from sklearn.exceptions import ConvergenceWarning

            warnings.simplefilter("ignore", ConvergenceWarning)
            vae, hist, rngs = train_model(config, data)
            rng_eval, rng_metrics, rng_down = rngs["eval"], rngs["metrics"], rngs["downstream"]
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
                "active_dims": float(np.sum(kl_dim > _ACTIVE_KL)),
            }
            active = kl_dim > _ACTIVE_KL
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
                metrics=[
                    "beta_vae",
                    "factor_vae",
                    "mig",
                    "sap",
                    "modularity_explicitness",
                    "irs",
                    "mcc",
                ],
                sizes=MetricSizes(
                    num_train=s.num_train,
                    num_test=s.num_test,
                    sample_batch_size=256,
                    beta_vae_num_train=s.beta_vae_num_train,
                    beta_vae_num_eval=s.beta_vae_num_eval,
                    factor_vae_num_train=s.factor_vae_num_train,
                    factor_vae_num_eval=s.factor_vae_num_eval,
                    factor_vae_num_variance_estimate=s.factor_vae_num_variance_estimate,
                    score_batch_size=s.score_batch_size,
                ),
            )
            scores.update(metrics)
            z_tr, y_tr = sample_factors_and_codes(data, rep, s.num_train, rng_down, batch_size=256)
            z_te, y_te = sample_factors_and_codes(data, rep, s.num_test, rng_down, batch_size=256)
            down = downstream_scores(
                z_tr,
                y_tr,
                z_te,
                y_te,
                rng=rng_down,
                small=s.downstream_small,
                n_estimators=s.dci_n_estimators,
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
