"""Property-based tests of Theorem 1's map over random priors (14 scipy families), d and A.

Tolerances (docs/theory.md §7.5):
* round trip in the bulk (quantiles 1e-6 … 1−1e-6): |f⁻¹(f(z)) − z| ≤ 1e-12·max(1, |z|); the
  stable G keeps ~1e-15 relative error and SciPy's quantiles are accurate to ~1e-13 at worst;
* analytic vs central-difference Jacobian: |J − J_FD| ≤ 1e-6|J| + 1e-8·scale (FD error ~1e-9);
* chain-rule log|det J| vs slogdet of the assembled Jacobian: ≤ 1e-10·max(1, |log det|);
* density invariance: ≤ 1e-9 (observed ~1e-14; rounding in log p of heavy-tailed families).
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import impossibility as im
from impossibility.testing import entangling_rotations, points, priors, seeds


@st.composite
def setups(draw, max_d=16):
    prior = draw(priors(max_d=max_d))
    A = draw(entangling_rotations(prior.d))
    return prior, im.entangling_bijection(prior, A)


@settings(deadline=None)
@given(setups(), st.data())
def test_round_trip_both_ways(setup, data):
    prior, f = setup
    for direction in ("forward", "inverse"):
        z = data.draw(points(prior, 64))
        image = getattr(f, direction)(z)
        back = (f.inverse if direction == "forward" else f.forward)(image)
        # the promise holds where float64 resolves the image (see gaussian_resolution); elsewhere
        # (images next to an endpoint far from 0) no algorithm can reach 1e-12
        ok = (im.gaussian_resolution(prior, image) <= 1e-13) & (
            im.gaussian_resolution(prior, z) <= 1e-13
        )
        err = np.abs(back - z)[ok]
        assert np.all(err <= 1e-12 * np.maximum(1.0, np.abs(z[ok])))


@settings(deadline=None)
@given(setups(max_d=8), st.data())
def test_jacobian_matches_finite_differences_and_log_det(setup, data):
    prior, f = setup
    # quantiles 1e-3…1−1e-3: ≥ 1e3·h away from finite endpoints (docs/theory.md §7.5)
    z = data.draw(points(prior, 8, lo=1e-3, hi=1 - 1e-3))
    # local step ∝ min(interquartile range, distance to a finite endpoint): smooth on that scale
    iqr = np.array([m.ppf(0.75) - m.ppf(0.25) for m in prior.marginals])
    lo, hi = prior.support
    scale = np.minimum(iqr, np.minimum(np.abs(z - lo), np.abs(hi - z)))
    J = f.jacobian(z)
    Jfd = im.finite_difference_jacobian(f, z, rel_step=1e-6, scale=scale)
    # entries scale like (iqr_i / iqr_j); the absolute floor is relative to that
    floor = 1e-8 * iqr[None, :, None] / iqr[None, None, :]
    # FD needs the step h = 1e-6·scale to span ≥ 1e4 ulps of u (rounding error ≤ 1e-4·1e-12/1e-6);
    # rows next to an endpoint far from 0 (gamma(0.5, loc=1) at 1 + 1e-7) cannot be checked by FD
    fd_ok = np.all(1e-6 * scale >= 1e4 * np.spacing(np.abs(z)), axis=1)
    assert np.all((np.abs(J - Jfd) <= 1e-6 * np.abs(J) + floor)[fd_ok])
    ldj = f.forward_log_det_jacobian(z)
    sign, logabs = np.linalg.slogdet(J)
    assert np.all(sign != 0)
    assert np.all(np.abs(logabs - ldj) <= 1e-10 * np.maximum(1.0, np.abs(ldj)))


@settings(deadline=None)
@given(setups(), st.data())
def test_density_invariance_and_complete_entanglement(setup, data):
    prior, f = setup
    z = data.draw(points(prior, 64))
    assert im.density_invariance_error(f, prior, z).max() <= 1e-9
    J = f.jacobian(z)
    assert np.all(J != 0)
    # sign(∂f_i/∂u_j) = sign(A_ij): the positive diagonal factors cannot change it
    assert np.all(np.sign(J) == np.sign(f.A)[None])
    ildj = f.inverse_log_det_jacobian(f.forward(z))
    np.testing.assert_allclose(ildj, -f.forward_log_det_jacobian(z), atol=1e-9)


@settings(deadline=None, max_examples=15)
@given(setup=setups(max_d=6), seed=seeds())
def test_invariance_on_samples(setup, seed, stat_check):
    """f(z) for z ~ p passes per-coordinate KS tests and the joint projection test at α = 1e-10."""
    prior, f = setup
    rng = np.random.default_rng(seed)
    fz = f.forward(prior.sample(2000, rng))
    for i, r in enumerate(im.marginal_ks_tests(fz, prior)):
        stat_check(r.pvalue, f"KS of coordinate {i} ({prior.families[i]})")
    stat_check(im.projection_ks_test(fz, prior, rng).pvalue, "joint projection test")
