"""Mutual Information Gap (impossibility.metrics.mig): a hand-computed case, invariances, a
perfect vs a rotated code, degenerate inputs and disentanglement_lib's values."""

import numpy as np
import pytest

from impossibility.metrics import mig


def test_mig_hand_case(hand_case):
    z, y, c = hand_case.z, hand_case.y, hand_case.c
    # each factor: top log 2, second c; MIG = (log 2 - c) / log 2
    assert mig(z, y, num_bins=2) == pytest.approx(1 - c / np.log(2), abs=1e-14)
    # without z2, factor 1's best code is z1 (c) and the runner-up z0 (0):
    # MIG = ((log 2 - c) + c) / (2 log 2) = 1/2
    assert mig(z[:, :2], y, num_bins=2) == pytest.approx(0.5, abs=1e-14)


def test_mig_invariant_to_code_permutation_and_affine_maps(codes_and_factors):
    n = codes_and_factors["split"]
    y = codes_and_factors["y"][:n]
    for key in ("identity", "rotation"):
        z = codes_and_factors[key][:n]
        base = mig(z, y)
        perm = z[:, [2, 0, 3, 1]]
        # power-of-two scalings and sign flips are exact in floating point, so the bins (and
        # hence the values) are identical; a general shift/scale can move a point lying within
        # one rounding error of a bin edge, which for continuous data is a ~1e-13 event.
        scaled = z * np.array([4.0, -0.5, 1.0, -2.0])
        affine = z * np.array([3.7, -0.21, 1.0, 12.0]) + np.array([5.0, -1.0, 0.3, 1e3])
        for variant in (perm, scaled, affine):
            np.testing.assert_allclose(mig(variant, y), base, rtol=0, atol=1e-14)


def test_mig_not_invariant_to_nonlinear_monotone_maps(codes_and_factors):
    # Equal-width bins live in the code's own scale (as in the reference): a strictly
    # increasing but nonlinear map (exp) changes which points share a bin, and MIG changes.
    n = codes_and_factors["split"]
    y = codes_and_factors["y"][:n]
    z = codes_and_factors["identity"][:n].copy()
    warped = z.copy()
    warped[:, 3] = np.exp(3 * z[:, 3])  # 6-valued factor squeezed into few low bins
    assert mig(warped, y) < mig(z, y) - 0.01


def test_mig_invariant_to_factor_relabelling(codes_and_factors):
    n = codes_and_factors["split"]
    y = codes_and_factors["y"][:n]
    z = codes_and_factors["rotation"][:n]
    relabelled = y * 10 - 7  # injective relabelling of every factor
    assert mig(z, relabelled) == pytest.approx(mig(z, y), abs=1e-14)


def test_mig_perfect_code_near_one_rotation_low(codes_and_factors):
    n = codes_and_factors["split"]
    y = codes_and_factors["y"][:n]
    # docs/metrics.md §10 (10,000 points, 5 factors): MIG 0.958 vs 0.164
    assert mig(codes_and_factors["identity"][:n], y) > 0.9
    assert mig(codes_and_factors["rotation"][:n], y) < 0.4


def test_mig_of_a_constant_code_is_zero(uniform):
    rng = np.random.default_rng(0)
    y = uniform.factors(300, [3, 4], rng)
    z = np.column_stack([uniform.standardize(y, [3, 4]), np.full(300, 2.5)])
    assert mig(z, y) == pytest.approx(mig(z[:, :2], y), abs=1e-14)  # MI of a constant = 0


def test_mig_matches_reference(reference_case):
    r = reference_case
    # Same discretisation (bit-exact) and the same MI formula as scikit-learn; only the order of
    # the final sums differs, so agreement is to a few ulps (observed: exact or 1 ulp).
    assert mig(r.ztr, r.ytr) == pytest.approx(r.value("mig"), abs=1e-13)
