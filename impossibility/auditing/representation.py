r"""The twin's representation: the codes a model's entangled twin would report.

.. math:: \mu_A(x)=\mathbb E_{q(z\mid x)}\big[f_A(z)\big],\qquad f_A=G^{-1}\circ A\circ G

With the :math:`\mathcal N(0,I)` prior :math:`G` is the identity and :math:`f_A(z)=Az`, so the
twin's encoder mean is exactly :math:`A\mu(x)`: the codes are ``codes @ A.T`` and nothing else is
needed. With another normal prior :math:`f_A` is affine and :math:`\mathbb E[f_A(z)]=f_A(\mu)`,
also exact. With any other factorized prior the mean of :math:`f_A(z)` under the encoder's
posterior :math:`\mathcal N(\mu,\operatorname{diag}e^{\log\sigma^2})` is a Monte Carlo average
over :math:`S` antithetic draws :math:`z=\mu\pm\sigma\varepsilon`, the same draws for every twin
(common random numbers), with :math:`G(z)` computed once; antithetic pairs make the identity twin's
codes :math:`\mu` to rounding. Without log-variances the codes :math:`f_A(\mu)` can be used
instead, labelled as such (they are not the twin's encoder mean); otherwise the audit refuses.
"""

from __future__ import annotations

import numpy as np

from impossibility._typing import Array
from impossibility._validation import as_array, check_finite, check_int
from impossibility.bijections import Gaussianize
from impossibility.priors import FactorizedPrior, check_factorized_prior

__all__ = ["TwinCodes", "twin_codes"]

EXACT = "exact: codes @ A.T (N(0, I) prior, the twin's encoder mean is A·mu)"
AFFINE = "exact: f_A(mu) (normal prior, f_A is affine so E[f_A(z)] = f_A(mu))"
MONTE_CARLO = "Monte Carlo: mean of f_A(z) over {s} antithetic posterior draws per row (common)"
AT_MEAN = "approximate: f_A(mu), NOT the twin's encoder mean (no log-variances given)"


class TwinCodes:
    """``codes_of(A)``: the twin representation of a set of rows, for any orthogonal ``A``.

    Build it with :func:`twin_codes`; ``kind`` says how the codes are computed.
    """

    def __init__(self, kind: str, mu: Array, gauss: Gaussianize | None, y: Array | None):
        self.kind = kind
        self._mu = mu
        self._g = gauss
        self._y = y  # G(z) of the posterior draws, (S, n, d), or G(mu) (1, n, d)

    @property
    def d(self) -> int:
        """Code dimensions."""
        return self._mu.shape[1]

    @property
    def n(self) -> int:
        """Number of rows."""
        return self._mu.shape[0]

    def rows(self, index: Array) -> "TwinCodes":
        """The same twin representation restricted to rows ``index`` (same draws)."""
        y = None if self._y is None else self._y[:, index]
        return TwinCodes(self.kind, self._mu[index], self._g, y)

    def columns(self, A: Array, cols: list[int]) -> Array:
        """Columns ``cols`` of the twin's codes (cheaper than all of them when exact)."""
        if self._g is None:
            return self._mu @ A[cols].T
        return self(A)[:, cols]

    def __call__(self, A: Array) -> Array:
        if self._g is None:
            return self._mu @ A.T
        s, n, d = self._y.shape
        v = self._g.inverse((self._y.reshape(s * n, d)) @ A.T)
        return v.reshape(s, n, d).mean(axis=0)


def twin_codes(
    codes: Array,
    prior: FactorizedPrior | None,
    log_var: Array | None,
    rng: np.random.Generator,
    *,
    n_mc: int = 32,
    approximate: bool = False,
) -> TwinCodes:
    """How the twins' codes are computed for ``prior``; see the module docstring.

    Parameters
    ----------
    codes : ndarray of shape (n, d)
        Encoder means :math:`\\mu(x)` (validated by the caller).
    prior : FactorizedPrior or None
        The model's prior; ``None`` is :math:`\\mathcal N(0, I)`.
    log_var : array_like of shape (n, d), optional
        Encoder log-variances; needed for a non-normal prior unless ``approximate``.
    rng : numpy.random.Generator
        Source of the Monte Carlo draws (used only for a non-normal prior).
    n_mc : int, default=32
        Posterior draws per row (even: antithetic pairs).
    approximate : bool, default=False
        Without ``log_var``, use :math:`f_A(\\mu)` (labelled) instead of refusing.

    Raises
    ------
    ValueError
        If the prior's dimension differs from the codes', ``log_var`` has another shape or is not
        finite, a posterior draw lies outside the prior's support, or ``log_var`` is missing for
        a non-normal prior and ``approximate`` is false.
    """
    d = codes.shape[1]
    if prior is None:
        return TwinCodes(EXACT, codes, None, None)
    prior = check_factorized_prior(prior)
    if prior.d != d:
        raise ValueError(f"prior has d = {prior.d} coordinates but the codes have {d} columns")
    gauss = Gaussianize(prior)
    if gauss.is_identity:
        return TwinCodes(EXACT, codes, None, None)
    if gauss.is_constant_jacobian:
        return TwinCodes(AFFINE, codes, gauss, gauss.forward(codes)[None])
    if log_var is None:
        if not approximate:
            raise ValueError(
                "for a non-normal prior the twin's representation is the posterior mean of "
                "f_A(z): pass log_var (the encoder's log-variances, shape (n, d)), or "
                "approximate=True to audit f_A(mu) instead"
            )
        return TwinCodes(AT_MEAN, codes, gauss, gauss.forward(codes)[None])
    lv = check_finite(as_array(log_var, "log_var", ndim=2), "log_var")
    if lv.shape != codes.shape:
        raise ValueError(f"log_var must have the shape of codes {codes.shape}; got {lv.shape}")
    n_mc = check_int(n_mc, "n_mc", minimum=2)
    if n_mc % 2:
        raise ValueError(f"n_mc must be even (antithetic pairs); got {n_mc}")
    eps = rng.standard_normal((n_mc // 2, *codes.shape))
    eps = np.concatenate([eps, -eps])
    z = codes + np.exp(0.5 * lv) * eps
    lo, hi = prior.support
    if np.any(z <= lo) or np.any(z >= hi):
        raise ValueError(
            "a posterior draw mu + sigma * eps lies outside the prior's support "
            f"{prior.support}: a Gaussian encoder does not fit this prior (the KL is infinite)"
        )
    y = gauss.forward(z.reshape(-1, d)).reshape(z.shape)
    return TwinCodes(MONTE_CARLO.format(s=n_mc), codes, gauss, y)
