r"""Training objectives of the 2019 study and their regularisers, with analytic gradients.

Every objective is *minimised*; with per-example reconstruction log-likelihood
:math:`\mathcal R_b=\log p_\theta(x_b\mid z_b)` and :math:`\mathrm{KL}_b` (closed form or
Monte Carlo, see :mod:`impossibility.vae`), batch means over :math:`b=1..B`:

* :class:`BetaVAE`: :math:`-\bar{\mathcal R}+\beta\,\overline{\mathrm{KL}}`;
  β ∈ {1, 2, 4, 6, 8, 16}.
* :class:`AnnealedVAE`: :math:`-\bar{\mathcal R}+\gamma\,|\overline{\mathrm{KL}}-C_t|`,
  :math:`C_t=\min(C_{max},C_{max}t/T)`, γ = 1000; C_max ∈ {5, 10, 25, 50, 75, 100}.
* :class:`BetaTCVAE`:
  :math:`-\bar{\mathcal R}+\overline{\mathrm{KL}}+(\beta-1)\widehat{\mathrm{TC}}`;
  β ∈ {1, 2, 4, 6, 8, 10}.
* :class:`FactorVAE`:
  :math:`-\bar{\mathcal R}+\overline{\mathrm{KL}}+\gamma\,\overline{\ell_0(z)-\ell_1(z)}`;
  γ ∈ {10, 20, 30, 40, 50, 100}.
* :class:`DIPVAE`: :math:`-\bar{\mathcal R}+\overline{\mathrm{KL}}+\lambda_{od}\sum_{i\ne j}C_{ij}^2
  +\lambda_d\sum_i(C_{ii}-1)^2`; λ_od ∈ {1, 2, 5, 10, 20, 50}.

(DIP-VAE-I: :math:`C=\operatorname{Cov}_B[\mu]`, :math:`\lambda_d=10\lambda_{od}`; DIP-VAE-II:
:math:`C=\operatorname{Cov}_B[\mu]+\operatorname{mean}_B\operatorname{diag}\sigma^2`,
:math:`\lambda_d=\lambda_{od}`.)

An objective maps a :class:`ForwardPass` to ``(loss, Cotangents, logs)``: the cotangents are the
partial derivatives of the loss with respect to the per-example :math:`\mathcal R_b`,
:math:`\mathrm{KL}_b` and (for the aggregate-posterior penalties) the encoder outputs
:math:`\mu,\log\sigma^2` and the sample :math:`z`; the VAE back-propagates them.

**Symmetry (theory.md §3.6).** β-VAE and AnnealedVAE see the data only through
:math:`(\mathcal R_b,\mathrm{KL}_b)`, which the entangled twin reproduces sample by sample, so their
losses are invariant. β-TCVAE, FactorVAE and DIP-VAE penalise the *aggregate* posterior (its total
correlation, or the covariance of the encoder means), which an entangling :math:`f` changes unless
the aggregate posterior is preserved by :math:`f` (e.g. equals the prior). One exception, for
rotations: :math:`P(C)=\lambda_{od}\lVert C-I\rVert_F^2+(\lambda_d-\lambda_{od})\sum_i(C_{ii}-1)^2`
and
the twin's matrix is :math:`ACA^\top` (using its full encoder covariance), so DIP-VAE-II with the
study's :math:`\lambda_d=\lambda_{od}` is exactly rotation invariant, while DIP-VAE-I
(:math:`\lambda_d=10\lambda_{od}`) moves by
:math:`-\tfrac12(\lambda_d-\lambda_{od})\sin^2(2\theta)(C_{11}-C_{22})^2`
for a planar rotation by :math:`\theta` — zero iff :math:`C` is isotropic. The functions
:func:`total_correlation_mws`, :func:`dip_regularizer`, :func:`factor_vae_regularizer` and
:func:`regularizer_report` evaluate each regulariser on a model *and* on its twin (through sampled
codes and encoder moments) so that the size of the break can be measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import logsumexp

from impossibility import nn
from impossibility._validation import check_rng as _check_rng

__all__ = [
    "ForwardPass",
    "Cotangents",
    "Objective",
    "BetaVAE",
    "AnnealedVAE",
    "BetaTCVAE",
    "FactorVAE",
    "DIPVAE",
    "Discriminator",
    "OBJECTIVES",
    "make_objective",
    "STUDY_GRID",
    "gaussian_kl",
    "gaussian_pairwise_log_density",
    "mws_total_correlation",
    "mws_total_correlation_gaussian",
    "dip_covariance",
    "dip_penalty",
    "permute_dims",
    "total_correlation_mws",
    "dip_regularizer",
    "factor_vae_regularizer",
    "regularizer_report",
]

Array = NDArray[np.float64]
LOG_2PI = float(np.log(2.0 * np.pi))

#: The hyperparameter grid of ``unsupervised_study_v1`` (theory.md §6.2, metrics.md §4).
STUDY_GRID: dict[str, tuple[float, ...]] = {
    "beta_vae": (1.0, 2.0, 4.0, 6.0, 8.0, 16.0),
    "annealed_vae": (5.0, 10.0, 25.0, 50.0, 75.0, 100.0),
    "factor_vae": (10.0, 20.0, 30.0, 40.0, 50.0, 100.0),
    "dip_vae_i": (1.0, 2.0, 5.0, 10.0, 20.0, 50.0),
    "dip_vae_ii": (1.0, 2.0, 5.0, 10.0, 20.0, 50.0),
    "beta_tc_vae": (1.0, 2.0, 4.0, 6.0, 8.0, 10.0),
}


# ------------------------------------------------------------------------------ data structures
@dataclass
class ForwardPass:
    r"""One stochastic forward pass of a VAE (or of its entangled twin) on a batch.

    Attributes
    ----------
    x : ndarray of shape (B, D)
        The batch, flattened.
    rec : ndarray of shape (B,)
        :math:`\log p(x_b\mid z_b)`.
    kl : ndarray of shape (B,)
        :math:`\mathrm{KL}_b`, closed form (``kl_mode="analytic"``) or the single-sample Monte-Carlo
        estimate :math:`\log q(z_b\mid x_b)-\log p(z_b)` (``"mc"``).
    kl_mode : {"analytic", "mc"}
    z : ndarray of shape (B, d)
        The reparameterised sample (for a twin: :math:`z'=f(z)`).
    mu, logvar, eps : ndarray of shape (B, d) or None
        Diagonal-Gaussian encoder outputs and the standard-normal noise (``None`` for a twin, whose
        encoder is not diagonal Gaussian).
    log_q, log_p : ndarray of shape (B,) or None
        :math:`\log q(z_b\mid x_b)` and :math:`\log p(z_b)` when computed.
    cache : Any
        Internal: what the model's backward pass needs.
    """

    x: Array
    rec: Array
    kl: Array
    kl_mode: str
    z: Array
    mu: Array | None = None
    logvar: Array | None = None
    eps: Array | None = None
    log_q: Array | None = None
    log_p: Array | None = None
    cache: Any = None

    @property
    def batch_size(self) -> int:
        return int(self.rec.shape[0])


@dataclass
class Cotangents:
    r"""Partial derivatives of a scalar loss with respect to the quantities of a
    :class:`ForwardPass`.

    ``rec`` and ``kl`` have shape (B,); ``mu``, ``logvar`` and ``z`` shape (B, d), each ``None``
    when the loss does not depend on it *directly* (dependence through :math:`z=\mu+\sigma\epsilon`
    is added by the model's backward pass).
    """

    rec: Array | None = None
    kl: Array | None = None
    mu: Array | None = None
    logvar: Array | None = None
    z: Array | None = None


class _ModelLike(Protocol):  # what the regulariser functions need from a VAE or a twin
    latent_dim: int

    def sample_codes(self, x: ArrayLike, rng: Any = None, *, eps: Any = None) -> Array: ...

    def encoder_moments(
        self, x: ArrayLike, *, rng: Any = None, n_mc: int = 2000
    ) -> tuple[Array, Array]: ...

    def pairwise_log_q(self, z: ArrayLike, x: ArrayLike) -> tuple[Array, Array | None]: ...


# ------------------------------------------------------------------------------- pure functions
def gaussian_kl(mu: Array, logvar: Array) -> tuple[Array, Array, Array]:
    r"""Closed-form :math:`\mathrm{KL}(N(\mu,\operatorname{diag}e^{v})\,\|\,N(0,I))` per row, with
    gradients.

    :math:`\mathrm{KL}=\tfrac12\sum_j(\mu_j^2+e^{v_j}-v_j-1)`;
    :math:`\partial/\partial\mu_j=\mu_j`, :math:`\partial/\partial v_j=\tfrac12(e^{v_j}-1)`.

    Returns
    -------
    kl : ndarray of shape (n,)
    dkl_dmu, dkl_dlogvar : ndarray of shape (n, d)
    """
    ev = np.exp(logvar)
    kl = 0.5 * (mu * mu + ev - logvar - 1.0).sum(axis=1)
    return kl, mu, 0.5 * (ev - 1.0)


def gaussian_pairwise_log_density(z: Array, mu: Array, logvar: Array) -> Array:
    r"""Per-dimension :math:`L_{jil}=\log N(z_{jl};\mu_{il},e^{v_{il}})`, shape (M, N, d).

    Parameters
    ----------
    z : ndarray of shape (M, d)
        Codes.
    mu, logvar : ndarray of shape (N, d)
        Diagonal-Gaussian encoder outputs of N inputs.
    """
    diff = z[:, None, :] - mu[None, :, :]
    return -0.5 * (diff * diff * np.exp(-logvar)[None] + logvar[None] + LOG_2PI)


def _mws_core(log_joint: Array, log_marg: Array) -> tuple[float, Array, Array]:
    # TC^ = mean_j [ LSE_i joint_ji − Σ_l LSE_i marg_jil ] and its derivative in both inputs
    m = log_joint.shape[0]
    lse_j = logsumexp(log_joint, axis=1)
    lse_m = logsumexp(log_marg, axis=1)  # (M, d)
    value = float(np.mean(lse_j - lse_m.sum(axis=1)))
    a = np.exp(log_joint - lse_j[:, None]) / m  # softmax over i, (M, N)
    b = np.exp(log_marg - lse_m[:, None, :]) / m  # (M, N, d)
    return value, a, b


def mws_total_correlation(
    log_q_joint: ArrayLike,
    log_q_marginals: ArrayLike,
    *,
    dataset_size: int | None = None,
) -> float:
    r"""Minibatch-weighted-sampling estimate of the total correlation of the aggregate posterior.

    With codes :math:`z_j` (:math:`j=1..M`), each drawn from :math:`q(\cdot\mid x_j)`, and a batch
    of
    inputs :math:`x_i` (:math:`i=1..M`):

    .. math::
        \widehat{\mathrm{TC}}=\frac1M\sum_j\Big[\operatorname*{LSE}_i\log q(z_j\mid x_i)
        -\sum_l\operatorname*{LSE}_i\log q(z_{jl}\mid x_i)\Big]+(d-1)\log(MN)

    (Chen et al. 2018). The reference implementation drops the constant :math:`(d-1)\log(MN)`
    (:math:`N` = data-set size), which does not change gradients but makes the reported number
    negative; it is added back when ``dataset_size`` is given.

    Parameters
    ----------
    log_q_joint : array_like of shape (M, M)
        :math:`\log q(z_j\mid x_i)`, codes along axis 0, inputs along axis 1.
    log_q_marginals : array_like of shape (M, M, d)
        :math:`\log q_l(z_{jl}\mid x_i)` (marginal densities of the encoder).
    dataset_size : int, optional
        :math:`N`; ``None`` returns the reference's constant-free value.
    """
    lj = np.asarray(log_q_joint, dtype=np.float64)
    lm = np.asarray(log_q_marginals, dtype=np.float64)
    if lj.ndim != 2 or lm.ndim != 3 or lm.shape[:2] != lj.shape:
        raise ValueError(
            f"log_q_joint must have shape (M, N) and log_q_marginals (M, N, d); got {lj.shape} "
            f"and {lm.shape}"
        )
    value, _, _ = _mws_core(lj, lm)
    return value + _tc_constant(lm.shape[1], lm.shape[2], dataset_size)


def _tc_constant(m: int, d: int, dataset_size: int | None) -> float:
    if dataset_size is None:
        return 0.0
    if not isinstance(dataset_size, (int, np.integer)) or dataset_size < 1:
        raise ValueError(f"dataset_size must be a positive integer or None; got {dataset_size!r}")
    return (d - 1) * float(np.log(m) + np.log(dataset_size))


def mws_total_correlation_gaussian(
    z: Array, mu: Array, logvar: Array
) -> tuple[float, Array, Array, Array]:
    r"""Constant-free MWS estimate for a diagonal-Gaussian encoder and its gradients.

    With :math:`L_{jil}` from :func:`gaussian_pairwise_log_density`, :math:`a_{ji}` the softmax over
    :math:`i` of :math:`\sum_lL_{jil}` and :math:`b_{jil}` the softmax over :math:`i` of
    :math:`L_{jil}`,
    :math:`\partial\widehat{\mathrm{TC}}/\partial L_{jil}=(a_{ji}-b_{jil})/M`, and with
    :math:`r_{jil}=(z_{jl}-\mu_{il})e^{-v_{il}}`:
    :math:`\partial L/\partial z_{jl}=-r`, :math:`\partial L/\partial\mu_{il}=r`,
    :math:`\partial L/\partial v_{il}=\tfrac12[(z_{jl}-\mu_{il})r-1]`.

    Returns
    -------
    tc : float
    dtc_dz, dtc_dmu, dtc_dlogvar : ndarray of shape (M, d)
    """
    diff = z[:, None, :] - mu[None, :, :]
    prec = np.exp(-logvar)[None]
    r = diff * prec
    lq = -0.5 * (diff * r + logvar[None] + LOG_2PI)
    value, a, b = _mws_core(lq.sum(axis=2), lq)
    g = a[:, :, None] - b  # ∂TC/∂L, (M, N, d)
    gr = g * r
    dz = -gr.sum(axis=1)
    dmu = gr.sum(axis=0)
    dlv = 0.5 * (g * (diff * r - 1.0)).sum(axis=0)
    return value, dz, dmu, dlv


def dip_covariance(mu: Array, logvar: Array | None = None, *, kind: str = "i") -> Array:
    r"""The covariance DIP-VAE penalises.

    DIP-VAE-I: :math:`C=\operatorname{Cov}_B[\mu]=\frac1B\sum_b\mu_b\mu_b^\top-\bar\mu\bar\mu^\top`
    (divides by B, as the reference); DIP-VAE-II adds
    :math:`\frac1B\sum_b\operatorname{diag}e^{v_b}`.
    """
    kind = _check_kind(kind)
    c = mu - mu.mean(axis=0)
    cov = c.T @ c / mu.shape[0]
    if kind == "ii":
        if logvar is None:
            raise ValueError("DIP-VAE-II needs the encoder log-variances (logvar)")
        cov = cov + np.diag(np.exp(logvar).mean(axis=0))
    return cov


def dip_penalty(cov: ArrayLike, lambda_od: float, lambda_d: float) -> tuple[float, Array]:
    r""":math:`P(C)=\lambda_{od}\sum_{i\neq j}C_{ij}^2+\lambda_d\sum_i(C_{ii}-1)^2` and
    :math:`\partial P/\partial C`.

    :math:`\partial P/\partial C_{ij}=2\lambda_{od}C_{ij}` off the diagonal,
    :math:`2\lambda_d(C_{ii}-1)` on it.
    """
    cov = np.asarray(cov, dtype=np.float64)
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1]:
        raise ValueError(f"cov must be a square matrix; got shape {cov.shape}")
    diag = np.diag(cov)
    off = cov - np.diag(diag)
    value = float(lambda_od * np.sum(off * off) + lambda_d * np.sum((diag - 1.0) ** 2))
    grad = 2.0 * lambda_od * off + np.diag(2.0 * lambda_d * (diag - 1.0))
    return value, grad


def permute_dims(z: Array, rng: np.random.Generator) -> Array:
    r"""Shuffle every latent dimension independently across the batch (FactorVAE's :math:`\bar q` →
    :math:`\prod_j\bar q_j` sampler)."""
    n, d = z.shape
    idx = rng.permuted(np.tile(np.arange(n), (d, 1)), axis=1).T  # (n, d), column j a permutation
    return z[idx, np.arange(d)[None, :]]


def _check_kind(kind: str) -> str:
    k = str(kind).lower()
    if k not in ("i", "ii"):
        raise ValueError(f"DIP-VAE kind must be 'i' or 'ii'; got {kind!r}")
    return k


def _check_positive(name: str, value: float, *, allow_zero: bool = True) -> float:
    v = float(value)
    if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise ValueError(f"{name} must be finite and {'≥' if allow_zero else '>'} 0; got {value!r}")
    return v


def _base_logs(fp: ForwardPass) -> dict[str, float]:
    rec = float(np.mean(fp.rec))
    kl = float(np.mean(fp.kl))
    return {"reconstruction": -rec, "kl": kl, "elbo": rec - kl}


def _require_gaussian(fp: ForwardPass, who: str) -> None:
    if fp.mu is None or fp.logvar is None:
        raise TypeError(
            f"{who} needs a diagonal-Gaussian encoder (mu, logvar); a twin's forward pass has "
            "none. "
            "Use total_correlation_mws / dip_regularizer / factor_vae_regularizer to evaluate the "
            "regulariser on a twin."
        )


# ----------------------------------------------------------------------------------- objectives
class Objective:
    """Base class of training objectives (minimised). See the module docstring."""

    name = "objective"

    def prepare(self, *, latent_dim: int, n_steps: int, rng: np.random.Generator) -> None:
        """Called by ``VAE.fit`` before training (schedules, auxiliary networks)."""

    def loss(
        self, fp: ForwardPass, *, step: int = 0, rng: np.random.Generator | None = None
    ) -> tuple[float, Cotangents, dict[str, float]]:
        """Return ``(loss, cotangents, logs)`` for a forward pass at training step ``step``."""
        raise NotImplementedError

    def update(self, fp: ForwardPass, *, rng: np.random.Generator) -> dict[str, float]:
        """Called after the VAE update with the same forward pass (FactorVAE's discriminator)."""
        return {}

    def config(self) -> dict[str, Any]:
        """JSON-able description."""
        return {"name": self.name}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class BetaVAE(Objective):
    r""":math:`\beta`-VAE (Higgins et al. 2017): minimise
    :math:`-\bar{\mathcal R}+\beta\,\overline{\mathrm{KL}}`.

    ``beta=1`` is the plain negative ELBO. Invariant under the entangled twin.
    """

    name = "beta_vae"

    def __init__(self, beta: float = 1.0):
        self.beta = _check_positive("beta", beta)

    def loss(self, fp, *, step=0, rng=None):
        b = fp.batch_size
        value = float(np.mean(-fp.rec + self.beta * fp.kl))
        cot = Cotangents(rec=np.full(b, -1.0 / b), kl=np.full(b, self.beta / b))
        logs = _base_logs(fp)
        logs["loss"] = value
        return value, cot, logs

    def config(self):
        return {"name": self.name, "beta": self.beta}


class AnnealedVAE(Objective):
    r"""AnnealedVAE (Burgess et al. 2018): minimise
    :math:`-\bar{\mathcal R}+\gamma\,|\overline{\mathrm{KL}}-C_t|`.

    :math:`C_t=\min(C_{max},\,C_{max}\,t/T)` with :math:`t` the 0-based training step. The reference
    uses :math:`T=100{,}000` of 300,000 steps; here :math:`T` is either given (``anneal_steps``) or
    ``anneal_fraction`` (default 1/3, the reference's ratio) of the run length passed to
    :meth:`prepare` by ``fit``. Invariant under the entangled twin.

    Parameters
    ----------
    c_max : float
        Final capacity :math:`C_{max}` in nats.
    gamma : float, default=1000
    anneal_steps : int, optional
    anneal_fraction : float, default=1/3
    """

    name = "annealed_vae"

    def __init__(
        self,
        c_max: float,
        *,
        gamma: float = 1000.0,
        anneal_steps: int | None = None,
        anneal_fraction: float = 1.0 / 3.0,
    ):
        self.c_max = _check_positive("c_max", c_max)
        self.gamma = _check_positive("gamma", gamma)
        if anneal_steps is not None and (
            not isinstance(anneal_steps, (int, np.integer)) or anneal_steps < 1
        ):
            raise ValueError(
                f"anneal_steps must be a positive integer or None; got {anneal_steps!r}"
            )
        if not (0 < anneal_fraction <= 1):
            raise ValueError(f"anneal_fraction must lie in (0, 1]; got {anneal_fraction!r}")
        self.anneal_fraction = float(anneal_fraction)
        self._fixed_steps = anneal_steps
        self.anneal_steps = anneal_steps

    def prepare(self, *, latent_dim, n_steps, rng):
        if self._fixed_steps is None:
            self.anneal_steps = max(1, int(round(self.anneal_fraction * n_steps)))

    def capacity(self, step: int) -> float:
        """:math:`C_t`."""
        if self.anneal_steps is None:
            raise ValueError(
                "AnnealedVAE has no schedule length: pass anneal_steps=… or let fit() call "
                "prepare()"
            )
        return float(min(self.c_max, self.c_max * step / self.anneal_steps))

    def loss(self, fp, *, step=0, rng=None):
        b = fp.batch_size
        c = self.capacity(step)
        kl_mean = float(np.mean(fp.kl))
        gap = kl_mean - c
        value = float(np.mean(-fp.rec)) + self.gamma * abs(gap)
        cot = Cotangents(rec=np.full(b, -1.0 / b), kl=np.full(b, self.gamma * np.sign(gap) / b))
        logs = _base_logs(fp)
        logs.update(loss=value, capacity=c)
        return value, cot, logs

    def config(self):
        return {
            "name": self.name,
            "c_max": self.c_max,
            "gamma": self.gamma,
            "anneal_steps": self._fixed_steps,
            "anneal_fraction": self.anneal_fraction,
        }


class BetaTCVAE(Objective):
    r""":math:`\beta`-TCVAE (Chen et al. 2018): minimise
    :math:`-\bar{\mathcal R}+\overline{\mathrm{KL}}+(\beta-1)\widehat{\mathrm{TC}}`.

    :math:`\widehat{\mathrm{TC}}` is the minibatch-weighted-sampling estimate over the training
    batch
    (:func:`mws_total_correlation`). The logged ``tc`` includes the constant
    :math:`(d-1)\log(BN)` the reference drops when ``dataset_size`` (:math:`N`) is given
    (``tc_reference`` is the constant-free value). ``include_constant_in_loss`` adds
    :math:`(\beta-1)(d-1)\log(BN)` to the loss value; gradients are identical either way.

    Parameters
    ----------
    beta : float
    dataset_size : int, optional
    include_constant_in_loss : bool, default=False
    """

    name = "beta_tc_vae"

    def __init__(
        self,
        beta: float,
        *,
        dataset_size: int | None = None,
        include_constant_in_loss: bool = False,
    ):
        self.beta = _check_positive("beta", beta)
        _tc_constant(2, 2, dataset_size)  # validates
        if include_constant_in_loss and dataset_size is None:
            raise ValueError("include_constant_in_loss=True needs dataset_size")
        self.dataset_size = dataset_size
        self.include_constant_in_loss = bool(include_constant_in_loss)

    def loss(self, fp, *, step=0, rng=None):
        _require_gaussian(fp, "BetaTCVAE")
        b, d = fp.z.shape
        tc, dz, dmu, dlv = mws_total_correlation_gaussian(fp.z, fp.mu, fp.logvar)
        const = _tc_constant(b, d, self.dataset_size)
        w = self.beta - 1.0
        value = float(np.mean(-fp.rec + fp.kl)) + w * (
            tc + (const if self.include_constant_in_loss else 0.0)
        )
        cot = Cotangents(
            rec=np.full(b, -1.0 / b), kl=np.full(b, 1.0 / b), z=w * dz, mu=w * dmu, logvar=w * dlv
        )
        logs = _base_logs(fp)
        logs.update(loss=value, tc=tc + const, tc_reference=tc)
        return value, cot, logs

    def config(self):
        return {
            "name": self.name,
            "beta": self.beta,
            "dataset_size": self.dataset_size,
            "include_constant_in_loss": self.include_constant_in_loss,
        }


class DIPVAE(Objective):
    r"""DIP-VAE (Kumar et al. 2018): minimise :math:`-\bar{\mathcal R}+\overline{\mathrm{KL}}+P(C)`.

    :math:`P` from :func:`dip_penalty`, :math:`C` from :func:`dip_covariance` on the batch.
    Backward:
    with :math:`G=\partial P/\partial C` (symmetric),
    :math:`\partial P/\partial\mu_b=\frac2BG(\mu_b-\bar\mu)` and, for type II,
    :math:`\partial P/\partial v_{bi}=G_{ii}e^{v_{bi}}/B`.

    Parameters
    ----------
    lambda_od : float
    kind : {"i", "ii"}, default="i"
    lambda_d : float, optional
        Default :math:`10\lambda_{od}` (type I) or :math:`\lambda_{od}` (type II), as in the study.
    """

    def __init__(self, lambda_od: float, *, kind: str = "i", lambda_d: float | None = None):
        self.kind = _check_kind(kind)
        self.lambda_od = _check_positive("lambda_od", lambda_od)
        if lambda_d is None:
            lambda_d = (10.0 if self.kind == "i" else 1.0) * self.lambda_od
        self.lambda_d = _check_positive("lambda_d", lambda_d)

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"dip_vae_{self.kind}"

    def loss(self, fp, *, step=0, rng=None):
        _require_gaussian(fp, "DIPVAE")
        b = fp.batch_size
        cov = dip_covariance(fp.mu, fp.logvar, kind=self.kind)
        pen, g = dip_penalty(cov, self.lambda_od, self.lambda_d)
        dmu = (2.0 / b) * (fp.mu - fp.mu.mean(axis=0)) @ g
        dlv = np.exp(fp.logvar) * (np.diag(g) / b) if self.kind == "ii" else None
        value = float(np.mean(-fp.rec + fp.kl)) + pen
        cot = Cotangents(rec=np.full(b, -1.0 / b), kl=np.full(b, 1.0 / b), mu=dmu, logvar=dlv)
        logs = _base_logs(fp)
        logs.update(loss=value, dip_penalty=pen)
        return value, cot, logs

    def config(self):
        return {"name": self.name, "lambda_od": self.lambda_od, "lambda_d": self.lambda_d}


class Discriminator:
    r"""FactorVAE's discriminator: an MLP from codes to two logits :math:`(\ell_0,\ell_1)`, with
    its own Adam.

    Class 0 is "sample of :math:`\bar q(z)`", class 1 "dimension-wise permuted sample" (a sample of
    :math:`\prod_j\bar q_j`). Its loss is
    :math:`-\tfrac12\overline{\log p_0(z)}-\tfrac12\overline{\log p_1(\tilde z)}` with softmax
    probabilities clipped to :math:`[10^{-6},1-10^{-6}]` (zero gradient where clipped, as in the
    reference); the density-ratio trick gives
    :math:`\mathrm{TC}(\bar q)\approx\mathbb E_{\bar q}[\ell_0(z)-\ell_1(z)]` (raw logits).

    Parameters
    ----------
    latent_dim : int
    hidden : sequence of int, default=(256, 256, 256)
        The reference uses six layers of 1000 units; the default is smaller so that the laptop
        study runs in minutes (pass ``(1000,) * 6`` for the reference size).
    rng : numpy.random.Generator
        Initialisation.
    lr, beta1, beta2, eps : float, default=1e-4, 0.5, 0.9, 1e-8
        The discriminator's Adam (reference values).
    negative_slope : float, default=0.2
    clip : float, default=1e-6
    """

    def __init__(
        self,
        latent_dim: int,
        hidden: Sequence[int] = (256, 256, 256),
        *,
        rng: np.random.Generator,
        lr: float = 1e-4,
        beta1: float = 0.5,
        beta2: float = 0.9,
        eps: float = 1e-8,
        negative_slope: float = 0.2,
        clip: float = 1e-6,
    ):
        _check_rng(rng)
        if not (0 <= clip < 0.5):
            raise ValueError(f"clip must lie in [0, 0.5); got {clip!r}")
        self.latent_dim = int(latent_dim)
        self.hidden = tuple(int(h) for h in hidden)
        self.net = nn.mlp(
            [self.latent_dim, *self.hidden, 2],
            rng=rng,
            activation="leaky_relu",
            negative_slope=negative_slope,
        )
        self.clip = float(clip)
        self.optimizer = nn.Adam(self.net.parameters(), lr=lr, beta1=beta1, beta2=beta2, eps=eps)

    def logits(self, z: ArrayLike) -> Array:
        """:math:`(\\ell_0,\\ell_1)`, shape (n, 2)."""
        return self.net(np.asarray(z, dtype=np.float64))

    def tc_estimate(self, z: ArrayLike) -> float:
        r"""Density-ratio estimate :math:`\overline{\ell_0(z)-\ell_1(z)}` of the total
        correlation."""
        lg = self.logits(z)
        return float(np.mean(lg[:, 0] - lg[:, 1]))

    def loss_and_grads(self, z: Array, z_perm: Array) -> tuple[float, dict[str, Array]]:
        """Discriminator loss (clipped cross-entropy, see class docstring) and parameter
        gradients."""
        b = z.shape[0]
        both = np.concatenate([z, z_perm], axis=0)
        labels = np.concatenate(
            [np.zeros(b, dtype=np.int64), np.ones(z_perm.shape[0], dtype=np.int64)]
        )
        logits, cache = self.net.forward(both)
        shifted = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        p /= p.sum(axis=1, keepdims=True)
        rows = np.arange(both.shape[0])
        py = p[rows, labels]
        pc = np.clip(py, self.clip, 1.0 - self.clip)
        weight = np.where(labels == 0, 0.5 / b, 0.5 / z_perm.shape[0])
        value = float(np.sum(-np.log(pc) * weight))
        grad = p.copy()
        grad[rows, labels] -= 1.0
        active = (py >= self.clip) & (py <= 1.0 - self.clip)
        grad *= (weight * active)[:, None]
        _, grads = self.net.backward(cache, grad)
        return value, grads

    def step(self, z: Array, rng: np.random.Generator) -> float:
        """One Adam step on codes ``z`` (class 0) and their dimension-wise permutation (class 1)."""
        value, grads = self.loss_and_grads(z, permute_dims(z, rng))
        self.optimizer.step(grads)
        return value


class FactorVAE(Objective):
    r"""FactorVAE (Kim & Mnih 2018): minimise
    :math:`-\bar{\mathcal R}+\overline{\mathrm{KL}}+\gamma\,\overline{\ell_0(z)-\ell_1(z)}`.

    The discriminator (:class:`Discriminator`, built in :meth:`prepare` if not given) is updated in
    :meth:`update` from the *same* forward pass, with the codes treated as constants, by its own
    Adam
    (:math:`\beta_1=0.5,\beta_2=0.9`); the VAE's gradient flows through the discriminator's logits
    into :math:`z`.

    Parameters
    ----------
    gamma : float
    discriminator : Discriminator, optional
    hidden : sequence of int, default=(256, 256, 256)
        Discriminator widths when it is built here.
    lr : float, default=1e-4
        Discriminator learning rate.
    """

    name = "factor_vae"

    def __init__(
        self,
        gamma: float,
        *,
        discriminator: Discriminator | None = None,
        hidden: Sequence[int] = (256, 256, 256),
        lr: float = 1e-4,
    ):
        self.gamma = _check_positive("gamma", gamma)
        self.discriminator = discriminator
        self.hidden = tuple(int(h) for h in hidden)
        self.lr = float(lr)

    def prepare(self, *, latent_dim, n_steps, rng):
        if self.discriminator is None or self.discriminator.latent_dim != latent_dim:
            self.discriminator = Discriminator(latent_dim, self.hidden, rng=rng, lr=self.lr)

    def loss(self, fp, *, step=0, rng=None):
        if self.discriminator is None:
            raise ValueError("FactorVAE has no discriminator yet: call prepare(...) or fit()")
        b = fp.batch_size
        logits, cache = self.discriminator.net.forward(fp.z)
        tc = float(np.mean(logits[:, 0] - logits[:, 1]))
        dlogits = np.empty_like(logits)
        dlogits[:, 0] = self.gamma / b
        dlogits[:, 1] = -self.gamma / b
        dz, _ = self.discriminator.net.backward(cache, dlogits)
        value = float(np.mean(-fp.rec + fp.kl)) + self.gamma * tc
        cot = Cotangents(rec=np.full(b, -1.0 / b), kl=np.full(b, 1.0 / b), z=dz)
        logs = _base_logs(fp)
        logs.update(loss=value, tc=tc)
        return value, cot, logs

    def update(self, fp, *, rng):
        assert self.discriminator is not None
        return {"discriminator_loss": self.discriminator.step(fp.z, rng)}

    def config(self):
        return {"name": self.name, "gamma": self.gamma, "hidden": list(self.hidden), "lr": self.lr}


#: Objective constructors by the study's model names.
OBJECTIVES: dict[str, Callable[..., Objective]] = {
    "beta_vae": BetaVAE,
    "annealed_vae": AnnealedVAE,
    "beta_tc_vae": BetaTCVAE,
    "factor_vae": FactorVAE,
    "dip_vae_i": lambda lambda_od, **kw: DIPVAE(lambda_od, kind="i", **kw),
    "dip_vae_ii": lambda lambda_od, **kw: DIPVAE(lambda_od, kind="ii", **kw),
}


def make_objective(name: str, value: float, **kwargs: Any) -> Objective:
    """Build the study's objective ``name`` with its grid hyperparameter ``value``.

    ``value`` is β (beta_vae, beta_tc_vae), C_max (annealed_vae), γ (factor_vae) or λ_od
    (dip_vae_*).

    Examples
    --------
    >>> make_objective("dip_vae_ii", 5.0).lambda_d
    5.0
    """
    if name not in OBJECTIVES:
        raise ValueError(f"unknown objective {name!r}; expected one of {sorted(OBJECTIVES)}")
    return OBJECTIVES[name](value, **kwargs)


# ------------------------------------------------------------- regularisers of a model or a twin
def total_correlation_mws(
    model: _ModelLike,
    x: ArrayLike,
    rng: np.random.Generator | None = None,
    *,
    eps: ArrayLike | None = None,
    dataset_size: int | None = None,
) -> float:
    r"""β-TCVAE's regulariser evaluated on a model or twin: the MWS TC estimate on the batch ``x``.

    Codes :math:`z_j` are sampled from the model's encoder (for a twin, :math:`z'_j=f(z_j)`), and
    the joint and per-dimension marginal densities :math:`q(z_j\mid x_i)`,
    :math:`q_l(z_{jl}\mid x_i)`
    come from ``model.pairwise_log_q`` (for a linear twin the marginals of
    :math:`N(A\mu,A\operatorname{diag}\sigma^2A^\top)`). See :func:`mws_total_correlation`.
    """
    z = model.sample_codes(x, rng, eps=eps)
    joint, marg = model.pairwise_log_q(z, x)
    if marg is None:
        raise NotImplementedError(
            "the MWS estimator needs the marginal densities of every encoder coordinate; the "
            "pushforward of a diagonal Gaussian through a nonlinear f has no closed-form "
            "marginals. "
            "Use factor_vae_regularizer (sample-based) for nonlinear twins."
        )
    return mws_total_correlation(joint, marg, dataset_size=dataset_size)


def dip_regularizer(
    model: _ModelLike,
    x: ArrayLike,
    *,
    lambda_od: float = 1.0,
    lambda_d: float | None = None,
    kind: str = "i",
    rng: np.random.Generator | None = None,
    n_mc: int = 2000,
) -> tuple[float, Array]:
    r"""DIP-VAE's penalty evaluated on a model or twin from its encoder moments.

    With per-input encoder mean :math:`m(x)` and covariance :math:`S(x)` (``model.encoder_moments``:
    :math:`\mu,\operatorname{diag}\sigma^2` for the VAE;
    :math:`A\mu, A\operatorname{diag}\sigma^2A^\top`
    for a twin with linear :math:`f`; Monte-Carlo moments with ``n_mc`` samples for a nonlinear
    one),
    DIP-I uses :math:`C=\operatorname{Cov}_B[m]` and DIP-II
    :math:`C=\operatorname{Cov}_B[m]+\overline{S}`
    (the full covariance for a twin, whose encoder is not diagonal).

    Returns
    -------
    penalty : float
    C : ndarray of shape (d, d)
    """
    kind = _check_kind(kind)
    if lambda_d is None:
        lambda_d = (10.0 if kind == "i" else 1.0) * lambda_od
    mean, cov = model.encoder_moments(x, rng=rng, n_mc=n_mc)
    c = mean - mean.mean(axis=0)
    big_c = c.T @ c / mean.shape[0]
    if kind == "ii":
        big_c = big_c + cov.mean(axis=0)
    pen, _ = dip_penalty(big_c, lambda_od, lambda_d)
    return pen, big_c


def factor_vae_regularizer(
    model: _ModelLike,
    x: ArrayLike,
    rng: np.random.Generator,
    *,
    discriminator: Discriminator | None = None,
    n_steps: int = 500,
    batch_size: int = 128,
    hidden: Sequence[int] = (32, 32),
    lr: float = 1e-3,
    n_eval: int | None = None,
    threads: int | None = 1,
) -> float:
    r"""FactorVAE's regulariser (density-ratio TC estimate) on a model or twin, from sampled codes.

    If ``discriminator`` is given it is evaluated as is (what the objective sees at these
    parameters); otherwise a fresh :class:`Discriminator` is trained for ``n_steps`` on codes
    re-sampled from ``model`` on random batches of ``x``, and evaluated on an independent draw of
    codes for all of ``x`` (or ``n_eval`` rows). The fresh discriminator uses a larger learning
    rate than the training default, since it starts from scratch. ``threads`` limits BLAS
    threads while training it (see :func:`impossibility.nn.blas_threads`).
    """
    _check_rng(rng)
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    if discriminator is None:
        discriminator = Discriminator(model.latent_dim, hidden, rng=rng, lr=lr)
        with nn.blas_threads(threads):
            for _ in range(int(n_steps)):
                idx = rng.integers(0, n, size=min(batch_size, n))
                discriminator.step(model.sample_codes(x[idx], rng), rng)
    xe = x if n_eval is None else x[rng.integers(0, n, size=int(n_eval))]
    return discriminator.tc_estimate(model.sample_codes(xe, rng))


def regularizer_report(
    model: _ModelLike,
    twin: _ModelLike,
    x: ArrayLike,
    rng: np.random.Generator,
    *,
    dip_lambda_od: float = 1.0,
    factor_vae: bool = True,
    factor_vae_kwargs: Mapping[str, Any] | None = None,
    n_mc: int = 2000,
) -> dict[str, dict[str, float]]:
    r"""Each aggregate-posterior regulariser on ``model`` and on ``twin``, and the change under f.

    β-TCVAE's TC (common random numbers for model and twin; skipped for a nonlinear twin), DIP-I and
    DIP-II penalties (study defaults :math:`\lambda_d`), and — if ``factor_vae`` — the density-ratio
    TC from freshly trained discriminators (same seed for both).

    Returns
    -------
    dict
        ``{regulariser: {"model": value, "twin": value, "gap": twin − model}}``.
    """
    _check_rng(rng)
    x = np.asarray(x, dtype=np.float64)
    out: dict[str, dict[str, float]] = {}

    def put(name: str, a: float, b: float) -> None:
        out[name] = {"model": float(a), "twin": float(b), "gap": float(b) - float(a)}

    eps = rng.standard_normal((x.shape[0], model.latent_dim))
    try:
        put(
            "beta_tc_vae_tc",
            total_correlation_mws(model, x, eps=eps),
            total_correlation_mws(twin, x, eps=eps),
        )
    except NotImplementedError:
        pass
    mc_seed = int(rng.integers(2**63))
    for kind in ("i", "ii"):
        put(
            f"dip_vae_{kind}",
            dip_regularizer(model, x, lambda_od=dip_lambda_od, kind=kind)[0],
            dip_regularizer(
                twin,
                x,
                lambda_od=dip_lambda_od,
                kind=kind,
                rng=np.random.default_rng(mc_seed),
                n_mc=n_mc,
            )[0],
        )
    if factor_vae:
        kw = dict(factor_vae_kwargs or {})
        seed = int(rng.integers(2**63))
        put(
            "factor_vae_tc",
            factor_vae_regularizer(model, x, np.random.default_rng(seed), **kw),
            factor_vae_regularizer(twin, x, np.random.default_rng(seed), **kw),
        )
    return out
