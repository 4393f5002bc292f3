r"""The decoder likelihood :math:`p_\theta(x\mid z)` from the decoder output :math:`o=g_\theta(z)`.

``"bernoulli"``: :math:`\log p=\sum_k x_ko_k-\operatorname{softplus}(o_k)` (logits, targets in
[0, 1]); ``"gaussian"``: :math:`\log p=\log N(x;o,e^{v})` with a learned per-feature
log-variance :math:`v` or a fixed one, :math:`v=2\log\sigma_{obs}` (0 when neither is given).
This is the one place that switches on the likelihood: the VAE, its twin and the inductive-bias
models call it through :meth:`VAE.observation_log_likelihood
<impossibility.vae.VAE.observation_log_likelihood>` and :meth:`VAE.observe
<impossibility.vae.VAE.observe>`.
"""

from __future__ import annotations

import math

import numpy as np

from impossibility import nn
from impossibility._typing import Array
from impossibility._validation import check_choice, check_rng, check_scalar

__all__ = ["LIKELIHOODS", "DecoderLikelihood"]

#: The decoder likelihoods a VAE can have.
LIKELIHOODS = ("bernoulli", "gaussian")


class DecoderLikelihood:
    r"""Bernoulli or diagonal-Gaussian :math:`p(x\mid o)` of a decoder output :math:`o`.

    Parameters
    ----------
    kind : {"bernoulli", "gaussian"}, default="bernoulli"
    obs_std : float, optional
        Gaussian only: a fixed observation standard deviation :math:`\sigma_{obs}`; ``None``
        means the model learns a per-feature log-variance (passed to the methods as
        ``obs_logvar``).

    Raises
    ------
    ValueError
        If ``kind`` is unknown, or ``obs_std`` is given for a Bernoulli likelihood or is not
        positive.
    """

    def __init__(self, kind: str = "bernoulli", obs_std: float | None = None):
        self.kind = check_choice(kind, "likelihood", LIKELIHOODS)
        if obs_std is not None:
            if kind != "gaussian":
                raise ValueError("obs_std only applies to the Gaussian likelihood")
            obs_std = check_scalar(obs_std, "obs_std", minimum=0.0, include_min=False)
        self.obs_std = obs_std

    @property
    def learns_variance(self) -> bool:
        """Whether a model with this likelihood learns a per-feature log-variance."""
        return self.kind == "gaussian" and self.obs_std is None

    def logvar(self, obs_logvar: Array | None = None) -> Array | float:
        """The observation log-variance: the learned one if given, else
        :math:`2\\log\\sigma_{obs}`, else 0."""
        if obs_logvar is not None:
            return obs_logvar
        return 2.0 * math.log(self.obs_std) if self.obs_std is not None else 0.0

    def check_targets(self, x: Array) -> None:
        """Raise ``ValueError`` if a Bernoulli likelihood gets targets outside [0, 1]."""
        if self.kind == "bernoulli" and (x.min() < 0 or x.max() > 1):
            raise ValueError(
                "a Bernoulli decoder needs targets in [0, 1]; got values in "
                f"[{x.min():.4g}, {x.max():.4g}] "
                "(rescale the data or use likelihood='gaussian')"
            )

    def log_prob_and_grads(
        self, out: Array, x: Array, obs_logvar: Array | None = None
    ) -> tuple[Array, Array, Array | None]:
        r""":math:`\log p(x_n\mid o_n)` (n,), its gradient with respect to ``out`` (n, D) and, for
        the Gaussian, with respect to the log-variance (n, D) per element (``None`` for Bernoulli).
        """
        if self.kind == "bernoulli":
            ll, g = nn.bernoulli_log_likelihood(out, x)
            return ll, g, None
        return nn.gaussian_log_likelihood(out, self.logvar(obs_logvar), x)

    def mean(self, out: Array) -> Array:
        """:math:`\\mathbb E[x\\mid o]`: pixel probabilities :math:`\\sigma(o)` or the means o."""
        return nn.sigmoid(out) if self.kind == "bernoulli" else out

    def observe(
        self,
        out: Array,
        rng: np.random.Generator | None,
        mode: str = "mean",
        obs_logvar: Array | None = None,
    ) -> Array:
        """Observations from decoder outputs: the mean (``mode="mean"``) or a draw from
        :math:`p(x\\mid o)` (``mode="sample"``, which needs ``rng``)."""
        check_choice(mode, "mode", ("mean", "sample"))
        if mode == "mean":
            return self.mean(out)
        check_rng(rng)
        if self.kind == "bernoulli":
            p = nn.sigmoid(out)
            return (rng.random(p.shape) < p).astype(np.float64)
        # in the output's precision: a float32 model's learned log-variance evaluated in float64
        std = np.exp(0.5 * np.asarray(self.logvar(obs_logvar), dtype=np.result_type(out, 1.0)))
        return out + std * rng.standard_normal(out.shape)

    def __repr__(self) -> str:
        extra = f", obs_std={self.obs_std}" if self.obs_std is not None else ""
        return f"DecoderLikelihood({self.kind!r}{extra})"
