r"""Theorem 1's map :math:`f=G^{-1}\circ A\circ G`: the law of :math:`z` kept, every input mixed.

For a factorized prior :math:`p` with Gaussianizing map :math:`G` and an orthogonal :math:`A` whose
entries are all nonzero, :math:`f(z)\overset{d}{=}z` for :math:`z\sim p` (the same joint law), while

.. math:: \frac{\partial f_i}{\partial u_j}=\frac{\varphi(y'_i)}{p_i(v_i)}\,A_{ij}\,
   \frac{p_j(u_j)}{\varphi(y_j)}\neq0\qquad(y=G(u),\ y'=Ay,\ v=f(u)),

so every output depends on every input. The log-determinant comes from the chain rule, never
from the identity :math:`\log|\det J_f|=\log p(u)-\log p(f(u))`, which is what the package checks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._typing import Array
from .._validation import check_dimension, check_orthogonal, check_rng, check_scalar
from ..bijections import Orthogonal
from ..priors import FactorizedPrior, check_factorized_prior
from .conjugated import Conjugated
from .rotations import default_min_abs_entry, random_entangling_rotation

__all__ = ["EntanglingBijection", "entangling_bijection"]


class EntanglingBijection(Conjugated):
    r"""Theorem 1's map :math:`f=G^{-1}\circ A\circ G` for a factorized prior and orthogonal A.

    forward :math:`v=G^{-1}(A\,G(u))`; inverse :math:`u=G^{-1}(A^\top G(v))`;

    .. math::
        \log|\det J_f(u)|=\sum_j[\log p_j(u_j)-\log\varphi(y_j)]+\log|\det A|
        +\sum_i[\log\varphi(y'_i)-\log p_i(v_i)],

    :math:`J_f=D_{\rm out}AD_{\rm in}`, so
    :math:`\operatorname{sign}\partial f_i/\partial u_j=\operatorname{sign}A_{ij}`.
    Build it with :func:`entangling_bijection`.
    """

    def __init__(self, prior: FactorizedPrior, A: ArrayLike, *, atol: float | None = None):
        super().__init__(prior, Orthogonal(A, atol=atol), name="f")
        self._affine = None
        if self.gaussianize.is_constant_jacobian and not self.gaussianize.is_identity:
            # every marginal N(μᵢ, σᵢ²): f(u) = μ + M(u − μ) with M = diag(σ) A diag(σ)⁻¹, one
            # matrix product instead of two scalings around it; log|det M| = log|det A|
            loc = np.array([prior.normal_affine(i)[0] for i in range(self.d)])
            scale = np.array([prior.normal_affine(i)[1] for i in range(self.d)])
            A = self.inner.A
            self._affine = (
                loc,
                (scale[:, None] * A / scale[None, :]).T,
                (scale[:, None] * A.T / scale[None, :]).T,
            )

    @property
    def A(self) -> Array:
        """The orthogonal matrix acting in Gaussian space."""
        return self.inner.A

    def _linear(self, x: Array, inverse: bool) -> Array | None:
        """f or f⁻¹ when G is affine (every marginal normal), else None."""
        if self.gaussianize.is_identity:  # standard-normal prior: f is exactly u ↦ Au
            return x @ self.inner.A if inverse else x @ self.inner.A.T
        if self._affine is None:
            return None
        loc, m_t, m_inv_t = self._affine
        out = np.subtract(x, loc) @ (m_inv_t if inverse else m_t)
        out += loc
        return out

    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        v = self._linear(x, inverse=False)
        if v is None:
            return super()._forward_and_log_det(x)
        return v, np.full(x.shape[0], self.inner.log_abs_det)

    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        u = self._linear(y, inverse=True)
        if u is None:
            return super()._inverse_and_log_det(y)
        return u, np.full(y.shape[0], -self.inner.log_abs_det)

    def _forward(self, x: Array) -> Array:
        v = self._linear(x, inverse=False)
        return super()._forward(x) if v is None else v

    def _inverse(self, y: Array) -> Array:
        u = self._linear(y, inverse=True)
        return super()._inverse(y) if u is None else u

    def __repr__(self) -> str:
        return f"EntanglingBijection({self.prior!r}, A=<{self.d}×{self.d} orthogonal>)"


def entangling_bijection(
    prior: FactorizedPrior,
    A: ArrayLike | None = None,
    *,
    rng: np.random.Generator | None = None,
    require_complete: bool = True,
    min_abs_entry: float = 0.0,
    atol: float | None = None,
) -> EntanglingBijection:
    r"""Theorem 1's map :math:`f=G^{-1}\circ A\circ G` for ``prior``.

    Parameters
    ----------
    prior : FactorizedPrior
        A factorized continuous prior with d ≥ 2 coordinates.
    A : array_like of shape (d, d), optional
        Orthogonal matrix. Default: :func:`random_entangling_rotation` drawn from ``rng``.
    rng : numpy.random.Generator, optional
        Needed only when ``A`` is not given.
    require_complete : bool, default=True
        Refuse an ``A`` with an entry :math:`|A_{ij}|\le` ``min_abs_entry`` (such an f leaves some
        output independent of some input, so it is not *completely* entangling).
    min_abs_entry : float, default=0.0
        Threshold for ``require_complete``.
    atol : float, optional
        Orthogonality tolerance (default :math:`10^3\varepsilon d`).

    Returns
    -------
    EntanglingBijection

    Raises
    ------
    ValueError
        For d < 2, a non-orthogonal or wrongly shaped A, or a (near-)zero entry when complete
        entanglement is required.

    Examples
    --------
    >>> from scipy import stats
    >>> prior = FactorizedPrior([stats.laplace(), stats.beta(2, 5), stats.gamma(3)])
    >>> f = entangling_bijection(prior, rng=np.random.default_rng(0))
    >>> z = prior.sample(4, np.random.default_rng(1))
    >>> bool(np.allclose(f.inverse(f.forward(z)), z))
    True
    """
    check_factorized_prior(prior)
    d = check_dimension(prior.d)
    min_abs_entry = check_scalar(min_abs_entry, "min_abs_entry", minimum=0.0)
    if A is None:
        if rng is None:
            raise ValueError("give either an orthogonal matrix A or a Generator rng to draw one")
        check_rng(rng)
        tau = max(min_abs_entry, default_min_abs_entry(d))
        A = random_entangling_rotation(d, rng, min_abs_entry=tau)
    A = check_orthogonal(A, atol=atol)
    if A.shape != (d, d):
        raise ValueError(f"A must have shape ({d}, {d}) to match the prior; got {A.shape}")
    if require_complete:
        small = np.abs(A) <= min_abs_entry
        if np.any(small):
            i, j = np.argwhere(small)[0]
            raise ValueError(
                f"A[{i}, {j}] = {A[i, j]!r}: with a zero entry, output {i} of f does not depend on "
                f"input {j}, so f is not completely entangling (pass require_complete=False to "
                "allow it)"
            )
    return EntanglingBijection(prior, A, atol=atol)
