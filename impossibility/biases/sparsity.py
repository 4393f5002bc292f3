r"""Sparse decoders (Zheng et al. 2022) and sparse latent mechanisms (Lachapelle et al. 2022).

.. math:: L_0(J)=\#\{(i,j):|J_{ij}|>\tau\},\qquad
          L_1(J)=\sum_{ij}\frac{|J_{ij}|}{\lVert J_{:,j}\rVert}

(:math:`L_1` with unit columns, so that rescaling a latent does not change it). A sparsity bias
prefers the model whose generator :math:`g` (or latent mechanism :math:`z_t=Mz_{t-1}+\epsilon_t`)
has the smaller support. The twin's generator :math:`g\circ f^{-1}` has Jacobian
:math:`J_g(f^{-1}(z))J_{f^{-1}}(z)`, and Theorem 1's :math:`f` makes every entry of
:math:`J_{f^{-1}}` nonzero, so the support of each row of :math:`J_g` spreads to the union of the
supports it meets (docs/theory.md §5.5). For AR(1) latents the twin's mechanism is
:math:`A^\top MA` (:func:`twin_transition`): a diagonal :math:`M` with distinct entries
(:math:`d` nonzeros) becomes dense (:math:`d^2`); the entrywise :math:`L_1` cannot decrease,
because it bounds the rotation-invariant nuclear norm, which equals :math:`L_1` for a diagonal
matrix. Controls: signed permutations keep both numbers, and equal autocorrelations keep
:math:`M=\rho I`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from impossibility._typing import Array
from impossibility._validation import (
    as_array,
    as_matrix,
    check_int,
    check_orthogonal,
    check_rng,
    check_scalar,
)

__all__ = [
    "SparseGenerator",
    "support",
    "l0_norm",
    "l1_norm",
    "structural_sparsity",
    "twin_transition",
    "fit_transition",
    "sparsity_numbers",
]


class SparseGenerator:
    r"""A nonlinear generator :math:`\mathbb R^2\to\mathbb R^3` with a structurally sparse Jacobian.

    .. math:: g(z)=\big(z_1+\tfrac12\tanh z_1,\ 2z_2+\tfrac12\tanh z_2,\
              z_1+z_2+\tfrac12\tanh(z_1-z_2)\big)

    Support :math:`\{(1,1),(2,2),(3,1),(3,2)\}`: 4 of 6 entries, each latent identified by the
    intersection of the rows it enters (:func:`structural_sparsity`).
    """

    d, D = 2, 3

    def forward(self, z: ArrayLike) -> Array:
        """:math:`g(z)`, shape (n, 3)."""
        za = as_array(z, "z", shape=(None, 2))
        a, b = za[:, 0], za[:, 1]
        return np.column_stack(
            [a + 0.5 * np.tanh(a), 2 * b + 0.5 * np.tanh(b), a + b + 0.5 * np.tanh(a - b)]
        )

    def jacobian(self, z: ArrayLike) -> Array:
        """:math:`J_g(z)`, shape (n, 3, 2); the two structural zeros are exact."""
        za = as_array(z, "z", shape=(None, 2))
        a, b = za[:, 0], za[:, 1]
        J = np.zeros((za.shape[0], 3, 2))
        J[:, 0, 0] = 1 + 0.5 / np.cosh(a) ** 2
        J[:, 1, 1] = 2 + 0.5 / np.cosh(b) ** 2
        c = 0.5 / np.cosh(a - b) ** 2
        J[:, 2, 0], J[:, 2, 1] = 1 + c, 1 - c
        return J


def support(J: ArrayLike, tol: float = 1e-10) -> Array:
    r"""Boolean support :math:`|J_{ij}|>\tau\max|J|` of one matrix or a batch (any of them)."""
    Ja = as_array(J, "J")
    if Ja.ndim < 2:
        raise ValueError(f"J must have shape (..., D, d); got {Ja.shape}")
    tol = check_scalar(tol, "tol", minimum=0)
    scale = max(float(np.max(np.abs(Ja))), np.finfo(float).tiny)
    s = np.abs(Ja) > tol * scale
    return np.any(s.reshape(-1, *Ja.shape[-2:]), axis=0)


def l0_norm(J: ArrayLike, tol: float = 1e-10) -> int:
    """Number of entries of the (union) support, :func:`support`."""
    return int(np.sum(support(J, tol)))


def l1_norm(J: ArrayLike, *, normalize: bool = True) -> Array:
    r""":math:`\sum_{ij}|J_{ij}|/\lVert J_{:,j}\rVert`, batched over leading axes, shape (...).

    ``normalize=False``: the plain entrywise :math:`\sum_{ij}|J_{ij}|` (for mechanisms, whose scale
    is fixed by stationarity).
    """
    Ja = as_array(J, "J")
    if Ja.ndim < 2:
        raise ValueError(f"J must have shape (..., D, d); got {Ja.shape}")
    if not normalize:
        return np.sum(np.abs(Ja), axis=(-2, -1))
    norms = np.linalg.norm(Ja, axis=-2, keepdims=True)
    if np.any(norms == 0):
        raise ValueError("every column of J must be nonzero")
    return np.sum(np.abs(Ja) / norms, axis=(-2, -1))


def structural_sparsity(S: ArrayLike) -> bool:
    r"""Zheng et al.'s structural sparsity of a support :math:`S\subseteq[D]\times[d]`.

    For every latent :math:`j` the rows that depend on it, :math:`R_j=\{i:S_{ij}\}`, share no other
    latent: :math:`\bigcap_{i\in R_j}\{k:S_{ik}\}=\{j\}`.
    """
    Sa = np.asarray(S, dtype=bool)
    if Sa.ndim != 2:
        raise ValueError(f"S must be a (D, d) boolean support; got shape {Sa.shape}")
    for j in range(Sa.shape[1]):
        rows = Sa[:, j]
        if not rows.any():
            return False
        common = np.all(Sa[rows], axis=0)
        if int(common.sum()) != 1:
            return False
    return True


def twin_transition(M: ArrayLike, A: ArrayLike) -> Array:
    r"""The twin's linear mechanism :math:`A^\top MA` (latents :math:`z'=A^\top z`)."""
    Mm = as_matrix(M, "M", square=True)
    Am = check_orthogonal(A, name="A")
    if Am.shape != Mm.shape:
        raise ValueError(f"A must have shape {Mm.shape}; got {Am.shape}")
    return Am.T @ Mm @ Am


def fit_transition(
    rho: ArrayLike, A: ArrayLike, n_steps: int, rng: np.random.Generator
) -> dict[str, Array]:
    r"""The twin's mechanism estimated from data: least squares of :math:`z'_t` on :math:`z'_{t-1}`.

    Simulates one stationary AR(1) chain :math:`z_{i,t}=\rho_iz_{i,t-1}+\sqrt{1-\rho_i^2}\epsilon`
    of ``n_steps`` steps, maps it to the twin's latents :math:`z'=A^\top z` and regresses; an
    estimate of :func:`twin_transition` independent of its algebra (error
    :math:`O(n^{-1/2})`).

    Returns
    -------
    dict
        ``true`` (d, d) the regression on :math:`z` itself, ``twin`` (d, d) on :math:`z'`.
    """
    check_rng(rng)
    n_steps = check_int(n_steps, "n_steps", minimum=10)
    r = as_array(rho, "rho").reshape(-1)
    if not np.all(np.abs(r) < 1):
        raise ValueError(f"rho must hold autocorrelations in (-1, 1); got {r.tolist()}")
    Am = check_orthogonal(A, name="A")
    d = r.size
    z = np.empty((n_steps, d))
    z[0] = rng.standard_normal(d)
    eps = rng.standard_normal((n_steps, d)) * np.sqrt(1 - r * r)
    for t in range(1, n_steps):
        z[t] = r * z[t - 1] + eps[t]
    zp = z @ Am  # rows z'ₜ = Aᵀ zₜ

    def ols(y: Array) -> Array:
        coef, *_ = np.linalg.lstsq(y[:-1], y[1:], rcond=None)
        return coef.T  # yₜ ≈ coefᵀ… as a matrix acting on column vectors

    return {"true": ols(z), "twin": ols(zp)}


def sparsity_numbers(
    J_true: ArrayLike, J_twin: ArrayLike, tol: float = 1e-8, *, normalize: bool = True
) -> dict[str, float]:
    r""":math:`L_0` and mean :math:`L_1` of the true and the twin's Jacobians (or mechanisms).

    Returns
    -------
    dict
        ``l0_true``, ``l0_twin``, ``l1_true``, ``l1_twin`` (means over a batch) with
        ``l1_true_stderr``, ``l1_twin_stderr``, and the gaps ``l0_gap``, ``l1_gap`` (twin minus
        true).
    """
    l1t = np.atleast_1d(l1_norm(J_true, normalize=normalize))
    l1w = np.atleast_1d(l1_norm(J_twin, normalize=normalize))

    def stderr(v: Array) -> float:  # of the mean over a batch of Jacobians; 0 for one matrix
        return float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else 0.0

    out = {
        "l0_true": float(l0_norm(J_true, tol)),
        "l0_twin": float(l0_norm(J_twin, tol)),
        "l1_true": float(l1t.mean()),
        "l1_twin": float(l1w.mean()),
        "l1_true_stderr": stderr(l1t),
        "l1_twin_stderr": stderr(l1w),
    }
    out["l0_gap"] = out["l0_twin"] - out["l0_true"]
    out["l1_gap"] = out["l1_twin"] - out["l1_true"]
    return out
