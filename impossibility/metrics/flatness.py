"""Flatness of factor traversals in code space (Michlo et al.; nmichlo/disent's ``flatness``).

.. math:: \\mathrm{flatness} = \\frac1{|F|}\\sum_{f \\in F}
          \\frac{\\overline{w}_f}{(n_f - 1)\\,\\overline{\\delta}_f}

Vary one factor :math:`f` over all its :math:`n_f` values with the others held at random
values, and encode: a traversal of :math:`n_f` codes. Its *width* :math:`w` is the largest
distance between two of them, its *length* :math:`(n_f-1)\\bar\\delta` the number of steps times
the mean distance between consecutive codes. A straight, evenly spaced traversal has width equal
to length (flatness 1); a curved or folded one is shorter in width. With the width in
:math:`L_2` and the steps in :math:`L_1` the main score also rewards axis alignment, since
:math:`\\|v\\|_2 = \\|v\\|_1` only for a vector along one axis (docs/metrics.md §2.12).
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from impossibility._typing import GroundTruthDataLike, Representation
from impossibility._validation import check_int, check_rng

from ._checks import check_data, check_representation
from .sampling import _observe_and_encode, _sample_factors

__all__ = ["flatness", "traversal_measures"]

# traversals encoded per call, and pairwise-difference entries per chunk (memory bound)
_CHUNK_ENTRIES = 2_000_000


def traversal_measures(z: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Width and mean step of each traversal ``z`` of shape ``(R, n_f, D)`` in the ``L_p`` norm.

    .. math:: w = \\max_{a, b} \\|z_a - z_b\\|_p, \\qquad
              \\bar\\delta = \\frac{1}{n_f - 1}\\Big(\\sum_{a} \\|z_{a+1} - z_a\\|_p -
              \\max_a \\|z_{a+1} - z_a\\|_p\\Big),

    steps taken cyclically (:math:`z_{n_f+1} = z_1`) and the largest one left out, so that a
    cyclic factor (whose last value neighbours its first) and an ordinary one are treated alike.
    """
    steps = np.linalg.norm(np.roll(z, -1, axis=1) - z, ord=p, axis=-1)  # (R, n_f)
    mean_step = (steps.sum(axis=1) - steps.max(axis=1)) / (z.shape[1] - 1)
    per = max(1, _CHUNK_ENTRIES // (z.shape[1] ** 2 * z.shape[2]))
    width = np.empty(z.shape[0])
    for s in range(0, z.shape[0], per):
        c = z[s : s + per]
        d = np.linalg.norm(c[:, :, None, :] - c[:, None, :, :], ord=p, axis=-1)
        width[s : s + per] = d.max(axis=(1, 2))
    return width, mean_step


def _traversals(
    data: GroundTruthDataLike,
    rep: Representation,
    rng: np.random.Generator,
    repeats: int,
    what: str,
) -> Iterator[tuple[int, np.ndarray]]:
    """Check the arguments now, then yield ``(n_f, codes)`` per factor with ``n_f >= 2``.

    ``codes`` ``(repeats, n_f, D)``: ``repeats`` random factor vectors, each expanded into a
    traversal over all values of the factor, rendered and encoded together.
    """
    rng = check_rng(rng)
    repeats = check_int(repeats, "repeats", minimum=1)
    k, sizes = check_data(data)
    check_representation(rep)
    active = [f for f in range(k) if sizes[f] >= 2]
    if not active:
        raise ValueError(f"{what} needs a factor with at least 2 values; sizes {sizes}")

    def encode() -> Iterator[tuple[int, np.ndarray]]:
        for f in active:
            n = sizes[f]
            base = _sample_factors(data, repeats, rng, k)
            factors = np.repeat(base, n, axis=0)
            factors[:, f] = np.tile(np.arange(n), repeats)
            yield n, _observe_and_encode(data, rep, factors, rng).reshape(repeats, n, -1)

    return encode()


def flatness(
    data: GroundTruthDataLike,
    rep: Representation,
    rng: np.random.Generator,
    *,
    repeats: int = 1024,
) -> dict[str, float]:
    """Flatness of ``rep`` along every factor with at least 2 values.

    For each such factor :math:`f`: ``repeats`` random factor vectors, each expanded into a
    traversal over all values of :math:`f`, rendered and encoded; then, with
    :func:`traversal_measures`, :math:`\\overline{w}_f` (mean width over repeats) and
    :math:`\\overline{\\delta}_f` (mean step) in the :math:`L_1` and :math:`L_2` norms, and the
    length :math:`\\ell_f = (n_f - 1)\\overline{\\delta}_f`. A factor whose traversals do not move
    the code (:math:`\\ell_f = 0`) scores 0. Returns disent's keys:

    * ``ave_flatness`` :math:`= \\operatorname{mean}_f \\overline{w}^{L_2}_f / \\ell^{L_1}_f`
      (the main score, in :math:`[0, 1]`),
    * ``ave_flatness_l1``, ``ave_flatness_l2`` (width and length in the same norm),
    * ``ave_width_l1``, ``ave_width_l2``, ``ave_length_l1``, ``ave_length_l2`` (means over
      factors).

    The default ``repeats`` is disent's (its docstring: about ±0.001 at 1024, ±0.003 at 128).
    Values agree with disent's in distribution (its traversals are drawn by PyTorch's
    generator, ours by ``rng``); the arithmetic per traversal is the same.

    Cost: :math:`\\texttt{repeats}\\sum_f n_f` renderings and encodings, and
    :math:`O(\\texttt{repeats}\\sum_f n_f^2 D)` for the widths.

    Raises
    ------
    TypeError
        For a ``data`` without the ground-truth interface, a non-callable ``rep``, a ``rng``
        that is not a Generator, or a non-integer ``repeats``.
    ValueError
        If ``repeats < 1``, no factor takes two values, or the codes are not finite.
    """
    traversals = _traversals(data, rep, rng, repeats, "flatness")
    width = {1: [], 2: []}
    length = {1: [], 2: []}
    for n, z in traversals:
        for p in (1, 2):
            w, step = traversal_measures(z, p)
            width[p].append(float(w.mean()))
            length[p].append((n - 1) * float(step.mean()))
    out = {}
    for name, wp, lp in (
        ("ave_flatness", 2, 1),
        ("ave_flatness_l1", 1, 1),
        ("ave_flatness_l2", 2, 2),
    ):
        ratios = [w / ell if ell > 0 else 0.0 for w, ell in zip(width[wp], length[lp], strict=True)]
        out[name] = float(np.mean(ratios))
    for p in (1, 2):
        out[f"ave_width_l{p}"] = float(np.mean(width[p]))
        out[f"ave_length_l{p}"] = float(np.mean(length[p]))
    return out
