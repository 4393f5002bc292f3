r"""The VAE's prior :math:`p(z)=\prod_j p_j(z_j)`: log-density, score and sampler.

The default is :math:`\mathcal N(0,I_d)`, with
:math:`\log p(z)=-\tfrac12(\lVert z\rVert^2+d\log2\pi)` and score :math:`-z`; any
:class:`~impossibility.priors.FactorizedPrior` whose marginals have support :math:`\mathbb R` also
works (a Gaussian encoder puts mass everywhere, so the KL to a prior with bounded support would be
infinite). The score is analytic for normal, Laplace and logistic marginals and a 5-point central
difference of ``logpdf`` otherwise.
"""

from __future__ import annotations

import json
import math
from typing import Any, Callable

import numpy as np
from scipy import stats

from impossibility._typing import LOG_2PI, Array, PriorLike
from impossibility._validation import check_has_methods
from impossibility.priors import FactorizedPrior

__all__ = ["LatentPrior", "prior_from_spec"]


class LatentPrior:
    r""":math:`\log p(z)`, the score :math:`\nabla\log p(z)` and samples, for a VAE's prior.

    Parameters
    ----------
    prior : FactorizedPrior or None
        ``None`` means :math:`\mathcal N(0,I_d)`. A prior whose marginals are all standard normal
        is recognised as that default (then the closed-form KL is available).
    d : int
        The latent dimension the prior must have.

    Raises
    ------
    TypeError
        If ``prior`` does not look like a factorized prior.
    ValueError
        If its dimension is not ``d`` or a marginal does not have support :math:`\mathbb R`.
    """

    def __init__(self, prior: PriorLike | None, d: int):
        self.prior = prior
        self.d = d
        if prior is None:
            self.standard_normal = True
            self._scores: list[Callable[[Array], Array]] = []
            return
        check_has_methods(prior, "prior", ("log_prob", "sample"), what="a FactorizedPrior")
        for attr in ("d", "marginals"):
            if not hasattr(prior, attr):
                raise TypeError(
                    f"prior must be a FactorizedPrior (or provide .{attr}); "
                    f"got {type(prior).__name__}"
                )
        if prior.d != d:
            raise ValueError(f"prior has d = {prior.d} coordinates but latent_dim = {d}")
        scores = []
        sn = True
        for i, m in enumerate(prior.marginals):
            lo, hi = (float(v) for v in m.support())
            if not (lo == -np.inf and hi == np.inf):
                raise ValueError(
                    f"prior marginal {i} ({m.dist.name}) has support [{lo}, {hi}]: a Gaussian "
                    "encoder puts mass everywhere, so KL(q‖p) would be infinite; use a prior whose "
                    "marginals have the whole real line as support (normal, Laplace, logistic, …)"
                )
            name = m.dist.name
            sn = sn and name == "norm" and float(m.mean()) == 0.0 and float(m.std()) == 1.0
            scores.append(self._marginal_score(m))
        self.standard_normal = sn
        self._scores = scores

    @staticmethod
    def _marginal_score(m: Any) -> Callable[[Array], Array]:
        name = m.dist.name
        if name == "norm":
            loc, var = float(m.mean()), float(m.var())
            return lambda x: -(x - loc) / var
        if name == "laplace":
            loc, b = float(m.median()), float(m.std()) / math.sqrt(2.0)
            return lambda x: -np.sign(x - loc) / b
        if name == "logistic":
            loc, s = float(m.median()), float(m.std()) * math.sqrt(3.0) / math.pi
            return lambda x: -np.tanh(0.5 * (x - loc) / s) / s
        scale = float(m.ppf(0.75) - m.ppf(0.25))
        h = 1e-3 * scale

        def fd(x: Array) -> Array:  # error O(h⁴)
            f = m.logpdf
            return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)

        return fd

    def log_prob(self, z: Array) -> Array:
        """:math:`\\log p(z_n)` of validated codes (n, d), shape (n,)."""
        if self.standard_normal:
            return -0.5 * (np.einsum("ij,ij->i", z, z) + self.d * LOG_2PI)
        return np.asarray(self.prior.log_prob(z), dtype=z.dtype)

    def score(self, z: Array) -> Array:
        """:math:`\\nabla\\log p(z_n)` of validated codes (n, d), shape (n, d)."""
        if self.standard_normal:
            return -z
        out = np.empty_like(z)
        for i, s in enumerate(self._scores):
            out[:, i] = s(z[:, i])
        return out

    def sample(self, n: int, rng: np.random.Generator) -> Array:
        """``n`` draws from the prior, shape (n, d)."""
        if self.prior is None:
            return rng.standard_normal((n, self.d))
        return np.asarray(self.prior.sample(n, rng), dtype=np.float64)

    def spec(self) -> list[dict[str, Any]] | None:
        """A JSON-able description (``None`` for the default), read back by
        :func:`prior_from_spec`."""
        if self.prior is None:
            return None
        out = []
        for m in self.prior.marginals:
            entry = {"family": m.dist.name, "args": list(m.args), "kwds": dict(m.kwds)}
            try:
                json.dumps(entry)
            except TypeError as e:
                raise ValueError(
                    f"cannot save prior marginal {m.dist.name}{m.args}: its parameters are not "
                    f"plain numbers ({e})"
                ) from None
            out.append(entry)
        return out

    def __repr__(self) -> str:
        return "LatentPrior(N(0, I))" if self.prior is None else f"LatentPrior({self.prior!r})"


def prior_from_spec(spec: list[dict[str, Any]] | None) -> FactorizedPrior | None:
    """The prior described by :meth:`LatentPrior.spec` (``None`` for the default N(0, I)).

    Raises
    ------
    ValueError
        If a family is not a continuous distribution of :mod:`scipy.stats`.
    """
    if spec is None:
        return None
    marginals = []
    for entry in spec:
        fam = getattr(stats, str(entry["family"]), None)
        if fam is None or not isinstance(fam, stats.rv_continuous):
            raise ValueError(f"unknown scipy.stats continuous family {entry['family']!r} in file")
        marginals.append(fam(*entry["args"], **entry["kwds"]))
    return FactorizedPrior(marginals)
