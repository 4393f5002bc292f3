r"""What each bias still allows: the group of twins on which its gap is exactly zero.

.. math:: \mathcal G_{\rm bias}=\{A\in O(d):\ \Delta_{\rm bias}(A)=0\}

A bias rules out the twins with :math:`\Delta>0` and no others. For each bias of the table the
group is stated and checked numerically: :math:`\max_{A\in\text{sample of }\mathcal G}|\Delta(A)|`
is rounding, and :math:`\min_{A\notin\mathcal G}\Delta(A)>0` over generic rotations and over
group-looking maps that break the setting (a permutation across a block, say). Settings use
:math:`d=3` with one block of two equal coordinates, so that "rotations inside a block" is tested,
except where the row's quantity is defined for :math:`d=2` only. Throughout, the twin keeps the
true prior law (its latents are :math:`A^\top z`), as in docs/theory.md §5.1; the groups are
derived in §5.6.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Callable

import numpy as np
from scipy import stats

from impossibility._typing import Array
from impossibility._validation import check_int, check_rng
from impossibility.priors import FactorizedPrior

from .auxiliary import AuxiliaryPrior, auxiliary_gap_quadrature, marginal_log_ratio
from .diagonal import plane_rotation
from .embrace_gap import embrace_gap
from .ima import linear_ima_contrast
from .isometry import isometry_defect_quadrature
from .ivae import ivae_gap
from .linear_vae import mean_field_gap
from .pairs import pair_gap
from .sparsity import l0_norm
from .temporal import ar1_pair_gap

__all__ = ["signed_permutations", "block_rotation", "group_check", "bias_symmetries"]

GapFn = Callable[[Array], float]


def signed_permutations(d: int, perms: list[tuple[int, ...]] | None = None) -> list[Array]:
    r"""The :math:`2^d\,d!` signed permutation matrices (or those of the given permutations)."""
    d = check_int(d, "d", minimum=1)
    out = []
    for p in perms if perms is not None else itertools.permutations(range(d)):
        P = np.eye(d)[list(p)]
        for signs in itertools.product((1.0, -1.0), repeat=d):
            out.append(np.asarray(signs)[:, None] * P)
    return out


def block_rotation(d: int, block: tuple[int, int], theta: float) -> Array:
    """A rotation by ``theta`` in the plane of two coordinates (inside a block)."""
    return plane_rotation(theta, d, block)


def group_check(gap: GapFn, allowed: list[Array], off: list[Array]) -> dict[str, float]:
    r""":math:`\max|\Delta|` on ``allowed`` and :math:`\min\Delta` on ``off`` (``None`` if empty).

    Returns
    -------
    dict
        ``on_group_max_abs``, ``off_group_min``, ``n_on``, ``n_off``.
    """
    on = [abs(float(gap(A))) for A in allowed]
    offv = [float(gap(A)) for A in off]
    return {
        "on_group_max_abs": max(on),
        "off_group_min": min(offv) if offv else None,
        "n_on": len(on),
        "n_off": len(offv),
    }


def _haar(d: int, rng: np.random.Generator, k: int, min_distance: float = 0.5) -> list[Array]:
    """``k`` Haar rotations at Frobenius distance ≥ ``min_distance`` from every signed permutation.

    (A Haar draw may land next to the group, where every gap is small; off the group means away
    from it.)
    """
    group = signed_permutations(d)
    out: list[Array] = []
    while len(out) < k:
        A = stats.special_ortho_group.rvs(d, random_state=rng)
        if min(np.linalg.norm(A - P) for P in group) >= min_distance:
            out.append(A)
    return out


def bias_symmetries(
    rng: np.random.Generator, *, n_mc: int = 2000, n_generic: int = 3, quadrature_panels: int = 8
) -> dict[str, dict[str, Any]]:
    r"""For every bias, the group it cannot rule out, and the check that the gap is 0 exactly there.

    Parameters
    ----------
    rng : numpy.random.Generator
        For the generic rotations and the Monte-Carlo rows (unsupervised, pairs).
    n_mc : int, default=2000
        Samples of the Monte-Carlo gaps (on the group they vanish pointwise).
    n_generic : int, default=3
        Haar-random rotations in every off-group sample.
    quadrature_panels : int, default=8
        Panels of the quadrature rows (auxiliary, isometry).

    Returns
    -------
    dict
        Per bias key: ``allows`` (the group, in words), ``setting`` and the entries of
        :func:`group_check`.
    """
    check_rng(rng)
    n_mc = check_int(n_mc, "n_mc", minimum=10)
    n_generic = check_int(n_generic, "n_generic", minimum=1)
    panels = check_int(quadrature_panels, "quadrature_panels", minimum=2)
    from impossibility.entangle import entangling_bijection  # lazy: keeps `biases` light

    out: dict[str, dict[str, Any]] = {}
    sp2, sp3 = signed_permutations(2), signed_permutations(3)
    blk = block_rotation(3, (0, 1), 0.7)
    # signed permutations that keep the block {0, 1} and coordinate 2 in place
    in_block = signed_permutations(3, [(0, 1, 2), (1, 0, 2)])
    across = [np.eye(3)[[2, 1, 0]], np.eye(3)[[0, 2, 1]]]  # swap 2 with a block coordinate
    off3 = _haar(3, rng, n_generic) + [block_rotation(3, (1, 2), 0.7)]
    off2 = _haar(2, rng, n_generic) + [plane_rotation(math.pi / 8)]

    # none: f = G⁻¹AG for every rotation A keeps p(x) — there is no "off the group"
    prior = FactorizedPrior([stats.logistic(), stats.logistic()])
    z = prior.sample(n_mc, rng)

    def unsup(A: Array) -> float:
        f = entangling_bijection(prior, A, require_complete=False)
        return float(np.max(np.abs(marginal_log_ratio(prior, f, z))))

    out["unsupervised"] = {
        "allows": "every Theorem 1 map G⁻¹AG, A ∈ O(d)",
        "setting": "logistic × logistic; max pointwise |log-ratio|",
        **group_check(unsup, sp2 + off2, []),  # no map is ruled out
    }

    lam = np.diag([3.0, 3.0, 8.0])
    out["diagonal"] = {
        "allows": "signed permutations; rotations inside blocks of equal posterior variance",
        "setting": "Λ = diag(3, 3, 8)",
        **group_check(lambda A: mean_field_gap(lam, A), sp3 + [blk], off3),
    }
    W = np.diag([1.0, 1.0, 2.0])
    out["ima"] = {
        "allows": "signed permutations (and rescalings) of columns; rotations inside blocks of "
        "equal column norm; every rotation of a conformal g",
        "setting": "W = diag(1, 1, 2)",
        **group_check(lambda A: linear_ima_contrast(W, A), sp3 + [blk], off3),
    }
    out["embrace_gap"] = {
        "allows": "as IMA: signed permutations; rotations inside blocks of equal column norm",
        "setting": "W = diag(1, 1, 2), σ = 1",
        **group_check(lambda A: float(embrace_gap(W, A, 1.0)[0]), sp3 + [blk], off3),
    }
    var = np.array([[1.0, 1.0, 4.0], [2.0, 2.0, 0.5], [1.0, 1.0, 1.0]])
    out["ivae"] = {
        "allows": "sign flips; permutations and rotations among coordinates with the same "
        "variance profile across segments",
        "setting": "Λ_u rows (1,1,4), (2,2,0.5), (1,1,1)",
        **group_check(lambda A: ivae_gap(var, A), in_block + [blk], off3 + across),
    }
    aux = AuxiliaryPrior([[0.5, 2.0], [0.5, 2.0]])

    def aux_gap(A: Array) -> float:
        f = entangling_bijection(aux.marginal, A, require_complete=False)
        return float(auxiliary_gap_quadrature(aux, f, n_panels=panels)["conditional"])

    flips = signed_permutations(2, [(0, 1)])
    out["auxiliary"] = {
        "allows": "sign flips (u_i is tied to coordinate i, so a permutation is seen)",
        "setting": "u_i ∈ {0,1}, σ(u_i) ∈ {0.5, 2}",
        **group_check(aux_gap, flips, off2[:1] + [np.eye(2)[[1, 0]]]),
    }
    gprior = FactorizedPrior.standard_normal(2)

    def pairs(A: Array) -> float:
        f = entangling_bijection(gprior, A, require_complete=False)
        return pair_gap(gprior, f, 1, 0.1, n_mc, rng)["gap"]

    out["pairs"] = {
        "allows": "signed permutations (of coordinates with equal marginals)",
        "setting": "N(0, I), k = 1 of 2, σ_n = 0.1",
        **group_check(pairs, sp2, off2),
    }
    rho = (0.9, 0.9, 0.3)
    out["time"] = {
        "allows": "signed permutations and rotations among coordinates of equal autocorrelation",
        "setting": "ρ = (0.9, 0.9, 0.3)",
        **group_check(lambda A: ar1_pair_gap(rho, A), in_block + [blk], off3 + across),
    }

    def transition_l0(A: Array) -> float:
        M = np.diag(rho)
        return float(l0_norm(A.T @ M @ A, 1e-10) - l0_norm(M, 1e-10))

    out["sparsity_transition"] = {
        "allows": "signed permutations; rotations inside blocks of equal autocorrelation",
        "setting": "M = diag(0.9, 0.9, 0.3); L0 excess",
        **group_check(transition_l0, sp3 + [blk], off3),
    }
    Wd = np.array([[1.0, 0.5, 0.0], [0.3, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.7]])

    def decoder_l0(A: Array) -> float:
        return float(l0_norm(Wd @ A.T, 1e-10) - l0_norm(Wd, 1e-10))

    out["sparsity_decoder"] = {
        "allows": "signed permutations; rotations among latents with the same column support",
        "setting": "W: columns 1, 2 on rows {1, 2}, column 3 on rows {3, 4}; L0 excess",
        **group_check(decoder_l0, sp3 + [blk], off3),
    }
    lprior = FactorizedPrior([stats.logistic(), stats.logistic()])

    def iso(p: FactorizedPrior) -> GapFn:
        def gap(A: Array) -> float:
            f = entangling_bijection(p, A, require_complete=False)
            return float(isometry_defect_quadrature(p, f, n_panels=panels)["defect"])

        return gap

    out["isometry"] = {
        "allows": "every rotation for N(0, I); signed permutations only for a non-Gaussian prior",
        "setting": "logistic × logistic (group: signed permutations); N(0, I): all rotations",
        **group_check(iso(lprior), sp2, off2),
    }
    gauss = group_check(iso(gprior), sp2 + off2, [])
    out["isometry"]["gaussian_all_rotations_max_abs"] = gauss["on_group_max_abs"]
    return out
