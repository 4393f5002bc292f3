"""Tests for impossibility.symbolic: the SymPy proofs, their failure modes, and the lambdified maps
against the numeric implementation in impossibility.entangle.

Tolerances for numeric agreement (symbolic closed forms, lambdified to float64, vs the stable numeric
package): points are drawn at quantiles in [0.02, 0.98], where the naive closed forms are well
conditioned (erfinv at |arg| ≤ 0.96, tan away from ±π/2); both sides are float64 evaluations of the
same function, measured to agree to ≤ 3e-14 in relative terms. The issue asks for ≤ 1e-12, which we
use as a mixed tolerance |a − b| ≤ 1e-12·max(1, |b|).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp

from impossibility import (
    Conjugated,
    FactorizedPrior,
    Swirl,
    entangling_bijection,
    linear_gaussian_darmois,
)
from impossibility import symbolic as S

PRIOR_NAMES = sorted(S.PRIORS)
TOL = 1e-12  # see module docstring


def _close(a, b, tol=TOL):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b)))


def _bulk_points(name: str, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    return S.PRIORS[name].scipy().ppf(rng.uniform(0.02, 0.98, size=(n, d)))


def _numeric_A(m: S.SymbolicMap, values: dict[str, float]) -> np.ndarray:
    subs = {p: values[p.name] for p in m.params}
    return np.array(m.A.subs(subs), dtype=np.float64)


_PARAMS = {2: {"theta": 0.7}, 3: {"k1": 0.3, "k2": -0.5, "k3": 0.8}}


# -------------------------------------------------------------- registry
@pytest.mark.parametrize("name", PRIOR_NAMES)
def test_registry_formulas_match_scipy(name):
    """pdf, cdf and quantile expressions agree with scipy.stats (an independent implementation)."""
    pr = S.PRIORS[name]
    dist = pr.scipy()
    x, q = sp.Symbol("x", real=True), sp.Symbol("q", real=True)
    pdf = sp.lambdify(x, pr.pdf(x), modules=["scipy", "numpy"])
    cdf = sp.lambdify(x, pr.cdf(x), modules=["scipy", "numpy"])
    qf = sp.lambdify(q, pr.quantile(q), modules=["scipy", "numpy"])
    probs = np.linspace(0.03, 0.97, 31)
    pts = dist.ppf(probs)
    # bulk evaluations of textbook formulas: a few ulps apart
    assert _close(pdf(pts), dist.pdf(pts)) < 1e-13
    assert _close(cdf(pts), dist.cdf(pts)) < 1e-13
    assert _close(qf(probs), pts) < 1e-13


@pytest.mark.parametrize("name", PRIOR_NAMES)
def test_marginal_identities_hold(name):
    res = S.prove_marginal_identities(name)
    assert res.holds, res.summary()
    assert res.residual == 0
    claims = " ".join(s.claim for s in res.steps)
    for part in ("F'(x) = p(x)", "p(x) > 0", "F⁻¹(F(x)) = x", "(i)", "(ii)"):
        assert part in claims


def test_laplace_is_proved_on_both_half_lines():
    res = S.prove_marginal_identities("laplace")
    pieces = {s.claim.split("]")[0] for s in res.steps}
    assert any("-oo < x < 0" in p for p in pieces) and any("0 < x < oo" in p for p in pieces)
    assert any("single-expression forms" in s.claim and s.holds for s in res.steps)


def test_bad_pieces_are_rejected():
    x, p = sp.Symbol("x", real=True), sp.Symbol("p", real=True)
    a = S.PriorPiece(
        sp.exp(x) / 2, sp.exp(x) / 2, sp.log(2 * p), -sp.oo, sp.S.Zero, sp.S.Zero, sp.Rational(1, 2)
    )
    b = S.PriorPiece(
        sp.exp(-x) / 2,
        1 - sp.exp(-x) / 2,
        -sp.log(2 * (1 - p)),
        sp.S.One,
        sp.oo,
        sp.Rational(1, 2),
        sp.S.One,
    )
    with pytest.raises(ValueError, match="adjacent"):
        S.SymbolicPrior("gap", (a, b))
    with pytest.raises(ValueError, match="from 0 to 1"):
        S.SymbolicPrior("half", (a,))
    with pytest.raises(ValueError, match="unknown prior 'gumbel'"):
        S.get_prior("gumbel")


# -------------------------------------------------------------- density invariance
@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("name", PRIOR_NAMES)
def test_density_invariance_structured(name, d):
    res = S.prove_density_invariance(name, d)
    assert res.holds, res.summary()
    assert res.residual == 0
    assert all(s.status in ("proved", "definition") for s in res.steps)


def test_density_invariance_mixed_priors_and_householder():
    assert S.prove_density_invariance(["laplace", "cauchy"], 2)
    assert S.prove_density_invariance(
        ["uniform", "exponential", "logistic"], 3, S.householder_matrix(3)
    )


def test_shear_is_refuted_with_a_checkable_witness():
    shear = sp.Matrix([[1, 1], [0, 1]])
    res = S.prove_density_invariance("logistic", 2, shear)
    assert not res.holds and not bool(res)
    assert res.residual != 0
    by_claim = {s.claim: s for s in res.steps}
    orth = next(s for c, s in by_claim.items() if c.startswith("A is orthogonal"))
    assert orth.status == "refuted"
    norm = next(s for c, s in by_claim.items() if c.startswith("T preserves the norm"))
    assert norm.status == "refuted"
    # recompute the witness residual ‖Ay‖² − ‖y‖² independently with NumPy
    w = dict(norm.witness)
    y = np.array([w["y1"], w["y2"]])
    A = np.array([[1.0, 1.0], [0.0, 1.0]])
    assert np.isclose(abs(np.sum((A @ y) ** 2) - np.sum(y**2)), w["residual"], rtol=1e-12)
    # the marginal steps are unaffected by A
    assert all(s.holds for s in res.steps if s.claim.startswith("[logistic]"))


def test_wrong_density_is_refuted():
    x, p = sp.Symbol("x", real=True), sp.Symbol("p", real=True)
    bad = S.SymbolicPrior(
        "bad-logistic",
        (
            S.PriorPiece(
                sp.exp(-x) / (1 + sp.exp(-x)),  # not F'(x): this is 1 − F(x)
                1 / (1 + sp.exp(-x)),
                sp.log(p / (1 - p)),
                -sp.oo,
                sp.oo,
                sp.S.Zero,
                sp.S.One,
            ),
        ),
    )
    res = S.prove_density_invariance(bad, 2)
    assert not res.holds
    failed = {s.claim.split(": ")[0] for s in res.failed_steps}
    assert any("derivative of the CDF" in c for c in failed)
    assert all(s.status == "refuted" for s in res.failed_steps)
    assert res.residual != 0


def test_custom_prior_and_non_positive_density():
    x, p = sp.Symbol("x", real=True), sp.Symbol("p", real=True)
    # Beta(2, 1) on (0, 1): pdf 2x, CDF x², quantile √p — a valid custom prior
    beta21 = S.SymbolicPrior(
        "beta21", (S.PriorPiece(2 * x, x**2, sp.sqrt(p), sp.S.Zero, sp.S.One, sp.S.Zero, sp.S.One),)
    )
    assert S.prove_marginal_identities(beta21)
    assert S.prove_density_invariance(beta21, 2)
    # "pdf" cos x with "CDF" sin x on (0, π): F' = p, but p < 0 on (π/2, π) and F does not reach 1
    sine = S.SymbolicPrior(
        "sine",
        (S.PriorPiece(sp.cos(x), sp.sin(x), sp.asin(p), sp.S.Zero, sp.pi, sp.S.Zero, sp.S.One),),
    )
    res = S.prove_marginal_identities(sine)
    assert not res.holds
    status = {s.claim.split("] ")[1][:20]: s.status for s in res.steps}
    assert status["the density is the d"] == "proved"
    assert status["p(x) > 0 on the open"] == "refuted"
    assert status["F runs from 0 to 1 o"] == "refuted"


def test_normal_prior_map_is_exactly_linear():
    m = S.symbolic_map("normal", 2)
    assert sp.simplify(m.f - m.A * sp.Matrix(m.u)) == sp.zeros(2, 1)


def test_direct_proof_fast_priors():
    for name in ("normal", "uniform", "exponential"):
        res = S.prove_density_invariance_direct(name, 2)
        assert res.holds, res.summary()
    res = S.prove_density_invariance_direct("exponential", 2, sp.Matrix([[1, 1], [0, 1]]))
    assert not res.holds
    assert res.steps[-1].status == "refuted"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["cauchy", "laplace", "logistic"])
def test_direct_proof_slow_priors(name):
    # logistic: one global simplify takes minutes (theory.md §2.4); Laplace: 16 piece combinations
    assert S.prove_density_invariance_direct(name, 2)


# -------------------------------------------------------------- chain rule & Gaussian lemma
@pytest.mark.parametrize("d", [2, 3])
def test_chain_rule_with_abstract_maps(d):
    res = S.prove_chain_rule(d)
    assert res.holds and res.residual == 0


def test_chain_rule_for_nonlinear_inner_map():
    assert S.prove_chain_rule(2, inner=S.swirl_map(2))


def test_gaussian_invariance_and_its_failures():
    assert S.prove_gaussian_invariance(d=2)
    assert S.prove_gaussian_invariance(d=3)
    assert S.prove_gaussian_invariance(S.householder_matrix(2))
    assert S.prove_gaussian_invariance(S.householder_matrix(4, sp.Rational(1, 3)))
    # a scaling keeps nothing: norm and volume both change
    res = S.prove_gaussian_invariance(sp.diag(2, sp.Rational(1, 2)))
    assert not res.holds
    assert [s.status for s in res.steps[:2]] == ["refuted", "refuted"]
    assert res.steps[2].holds  # |det| = 1 still holds for diag(2, 1/2)


def test_cayley_transform_is_a_rotation():
    A = S.cayley_transform(S.skew_symmetric())
    assert sp.simplify(A.T * A - sp.eye(3)) == sp.zeros(3, 3)
    assert sp.simplify(A.det()) == 1
    with pytest.raises(ValueError, match="skew-symmetric"):
        S.cayley_transform(sp.Matrix([[0, 1], [1, 0]]))


# -------------------------------------------------------------- entanglement
@pytest.mark.parametrize("d", [2, 3])
def test_complete_entanglement(d):
    res = S.prove_complete_entanglement("laplace", d)
    assert res.holds, res.summary()
    assert len(res.conditions) >= d  # the A_ij ≠ 0 conditions
    if d == 2:
        th = sp.Symbol("theta", real=True)
        assert set(res.conditions) == {sp.Ne(sp.sin(th), 0), sp.Ne(sp.cos(th), 0)}


def test_entanglement_fails_for_zero_entries():
    res = S.prove_complete_entanglement("logistic", 2, sp.eye(2))
    assert not res.holds
    assert res.steps[-1].status == "refuted"
    assert res.residual == sp.ImmutableMatrix([[0, 1], [1, 0]])
    # a rotation about a coordinate axis (k2 = k3 = 0) leaves entries identically zero
    k1 = sp.Symbol("k1", real=True)
    A = S.cayley_transform(S.skew_symmetric([k1, 0, 0]))
    assert not S.prove_complete_entanglement("cauchy", 3, A)


def test_structured_jacobian_equals_symbolic_jacobian_numerically():
    """J_f = D_out·A·D_in with the (i)/(ii) forms, on the concrete expressions."""
    rng = np.random.default_rng(7)
    for name in ("logistic", "laplace", "cauchy"):
        m = S.symbolic_map(name, 2)
        th = m.params[0]
        structured = sp.lambdify(
            m.u, m.structured_jacobian().subs(th, 0.4), modules=["scipy", "numpy"]
        )
        nm = m.numeric({"theta": 0.4})
        u = _bulk_points(name, 20, 2, rng)
        J = nm.jacobian(u)
        Js = np.stack([np.asarray(structured(*row), dtype=float) for row in u])
        assert _close(J, Js) < TOL
        # sign pattern of J equals that of A (all entries nonzero for θ = 0.4)
        A = _numeric_A(m, {"theta": 0.4})
        assert np.all(np.sign(J) == np.sign(A))


# -------------------------------------------------------------- general d
def test_general_d_argument():
    res = S.prove_general_d()
    assert res.holds, res.summary()
    statuses = [s.status for s in res.steps]
    assert statuses.count("definition") == 1 and statuses.count("proved") == len(statuses) - 1


def test_general_d_needs_orthogonality():
    res = S.prove_general_d(orthogonal=False)
    assert not res.holds
    failed = [s.claim for s in res.failed_steps]
    assert "AᵀA = I" in failed and "|det A| = 1" in failed
    assert res.residual != 0


# -------------------------------------------------------------- swirl
@pytest.mark.parametrize("theta", ["function", "quadratic"])
def test_swirl_2d(theta):
    res = S.prove_swirl(2, theta)
    assert res.holds, res.summary()
    assert any("det J_T(y) = 1" in s.claim for s in res.steps)


def test_swirl_with_wrong_angle_dependence_fails():
    """Rotating by an angle that depends on y₁ (not on ‖y‖) keeps the norm but not the volume."""
    y = sp.symbols("y1:3", real=True)
    b = sp.Symbol("b", real=True)
    T = sp.ImmutableMatrix(S.rotation_2d(b * y[0]) * sp.Matrix(y))
    res = S.prove_gaussian_invariance(inner=S.GaussianMap("bad swirl", y, T))
    assert not res.holds
    by = {s.claim.split(":")[0]: s.status for s in res.steps}
    assert by["T preserves the norm"] == "proved"
    assert by["T preserves volume"] in ("refuted", "not proved")
    assert res.steps[-1].status == "refuted"


def test_swirl_transported_to_a_prior():
    assert S.prove_density_invariance("exponential", 2, inner=S.swirl_map(2))


@pytest.mark.slow
def test_swirl_3d():
    # structured proof with Rodrigues' formula: about a minute of simplification
    assert S.prove_swirl(3)


# -------------------------------------------------------------- Darmois
def test_darmois_linear_gaussian():
    res = S.prove_darmois_linear_gaussian()
    assert res.holds, res.summary()
    assert S.prove_darmois_linear_gaussian(sp.Matrix([[2, 1], [-1, 3]]))


def test_darmois_wrong_factor_fails():
    M = sp.Matrix(2, 2, sp.symbols("m11 m12 m21 m22", real=True))
    res = S.prove_darmois_linear_gaussian(L=sp.Matrix([[M[0, 0], 0], [M[1, 0], M[1, 1]]]))
    assert not res.holds
    assert res.steps[0].status == "refuted"
    assert res.steps[-1].status == "refuted"
    with pytest.raises(ValueError, match="invertible"):
        S.darmois_linear_gaussian_2d(sp.Matrix([[1, 2], [2, 4]]))


def test_darmois_matches_numeric():
    M, L, Q = S.darmois_linear_gaussian_2d()
    fQ = sp.lambdify(sorted(M.free_symbols, key=lambda s: s.name), Q, modules="numpy")
    rng = np.random.default_rng(3)
    for _ in range(5):
        Mn = rng.standard_normal((2, 2))
        assert _close(np.asarray(fQ(*Mn.ravel()), dtype=float), linear_gaussian_darmois(Mn)) < TOL


# -------------------------------------------------------------- lambdify vs entangle
@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("name", PRIOR_NAMES)
def test_lambdified_map_matches_entangle(name, d):
    rng = np.random.default_rng(100 + d)
    m = S.symbolic_map(name, d)
    nm = m.numeric(_PARAMS[d])
    A = _numeric_A(m, _PARAMS[d])
    f = entangling_bijection(FactorizedPrior.iid(S.PRIORS[name].scipy(), d), A)
    u = _bulk_points(name, 40, d, rng)
    v = f.forward(u)
    assert _close(nm.forward(u), v) < TOL
    assert _close(nm.inverse(v), u) < TOL
    assert _close(nm.jacobian(u), f.jacobian(u)) < TOL
    assert _close(nm.log_abs_det_jacobian(u), f.forward_log_det_jacobian(u)) < TOL
    # the identity itself, from the symbolic Jacobian: log-space sums of O(1) terms, ≤ ~1e-14 seen
    assert np.max(np.abs(nm.density_ratio_minus_one(u))) < TOL


def test_piecewise_laplace_matches_closed_form_laplace():
    """Without its Abs/sign closed forms the Laplace prior falls back to Piecewise: same numbers."""
    lap_pw = dataclasses.replace(S.PRIORS["laplace"], name="laplace-piecewise", closed_forms=None)
    assert isinstance(lap_pw.gaussianize(sp.Symbol("x", real=True)), sp.Piecewise)
    assert S.prove_density_invariance(lap_pw, 2)
    u = _bulk_points("laplace", 30, 2, np.random.default_rng(21))
    a = S.symbolic_map(lap_pw, 2).numeric({"theta": 0.7})
    b = S.symbolic_map("laplace", 2).numeric({"theta": 0.7})
    assert _close(a.forward(u), b.forward(u)) < TOL
    assert _close(a.jacobian(u), b.jacobian(u)) < TOL


@pytest.mark.parametrize("name", ["normal", "logistic", "cauchy", "exponential", "uniform"])
def test_direct_and_chain_rule_jacobians_agree(name):
    m = S.symbolic_map(name, 2)
    nm = m.numeric({"theta": 1.1})
    u = _bulk_points(name, 20, 2, np.random.default_rng(11))
    assert _close(nm.jacobian(u, direct=True), nm.jacobian(u)) < TOL


@pytest.mark.parametrize("name", PRIOR_NAMES)
def test_lambdified_swirl_matches_entangle(name):
    m = S.symbolic_map(name, 2, inner=S.swirl_map(2, "quadratic"))
    nm = m.numeric({"a": 0.3, "b": 0.8})
    f = Conjugated(
        FactorizedPrior.iid(S.PRIORS[name].scipy(), 2),
        Swirl(np.array([[0.0, -1.0], [1.0, 0.0]]), 0.3, 0.8),
    )
    u = _bulk_points(name, 30, 2, np.random.default_rng(5))
    v = f.forward(u)
    assert _close(nm.forward(u), v) < TOL
    assert _close(nm.inverse(v), u) < TOL
    assert _close(nm.jacobian(u), f.jacobian(u)) < TOL
    assert _close(nm.log_abs_det_jacobian(u), f.forward_log_det_jacobian(u)) < TOL


def test_high_precision_reference():
    """mpmath at 40 digits: a reference free of float64 round-off in the closed forms."""
    m = S.symbolic_map("cauchy", 2)
    ref = m.numeric({"theta": 0.7}, dps=40)
    f = entangling_bijection(
        FactorizedPrior.iid(S.PRIORS["cauchy"].scipy(), 2), _numeric_A(m, {"theta": 0.7})
    )
    u = _bulk_points("cauchy", 5, 2, np.random.default_rng(9))
    assert _close(ref.forward(u), f.forward(u)) < TOL
    assert _close(ref.jacobian(u), f.jacobian(u)) < TOL
    assert _close(ref.log_abs_det_jacobian(u), f.forward_log_det_jacobian(u)) < TOL
    # at 40 digits the identity's residual is pure float64 rounding of the inputs/outputs
    assert np.max(np.abs(ref.density_ratio_minus_one(u))) < 1e-13


# -------------------------------------------------------------- API and validation
def test_symbolic_map_api():
    m = S.symbolic_map("logistic", 2)
    assert m.d == 2 and len(m.u) == 2 and m.f.shape == (2, 1)
    assert [p.name for p in m.params] == ["theta"]
    assert m.A == S.rotation_2d()
    m3 = S.symbolic_map("exponential", 3)
    assert [p.name for p in m3.params] == ["k1", "k2", "k3"]
    assert all(u.is_positive for u in m3.u)  # support (0, ∞)


def test_proof_result_reporting():
    res = S.prove_density_invariance("uniform", 2)
    text = res.summary()
    assert text.startswith("PROVED") and "✓" in text and "(ii)" in text
    bad = S.prove_gaussian_invariance(sp.Matrix([[1, 1], [0, 1]]))
    assert str(bad).startswith("NOT PROVED") and "✗" in str(bad) and "witness" in str(bad)
    assert len(bad.failed_steps) == 3


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: S.symbolic_map("logistic", 1), "d must be an integer ≥ 2"),
        (lambda: S.symbolic_map("logistic", 4), "no default symbolic rotation for d = 4"),
        (lambda: S.symbolic_map(["logistic"], 2), "got 1 priors for d = 2"),
        (
            lambda: S.symbolic_map("logistic", 2, sp.eye(3)),
            r"A has shape \(3, 3\), expected \(2, 2\)",
        ),
        (
            lambda: S.symbolic_map("logistic", 2, sp.eye(2), inner=S.swirl_map(2)),
            "either A or inner",
        ),
        (lambda: S.swirl_map(4), "d = 2 or 3"),
        (lambda: S.swirl_map(2, "cubic"), "theta must be"),
        (lambda: S.householder_matrix(1), "d must be an integer ≥ 2"),
        (lambda: S.prove_gaussian_invariance(), "give A, inner, or d"),
    ],
)
def test_validation_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_numeric_map_validation():
    m = S.symbolic_map("exponential", 2)
    with pytest.raises(ValueError, match=r"missing values for parameters \['theta'\]"):
        m.numeric()
    with pytest.raises(ValueError, match="unknown parameter 'phi'"):
        m.numeric({"theta": 0.1, "phi": 1.0})
    with pytest.raises(ValueError, match="must be finite"):
        m.numeric({"theta": np.nan})
    with pytest.raises(ValueError, match="dps must be an integer ≥ 15"):
        m.numeric({"theta": 0.1}, dps=5)
    nm = m.numeric({"theta": 0.1})
    with pytest.raises(ValueError, match=r"u must have shape \(n, 2\)"):
        nm.forward(np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"u\[1, 0\] = -1.0 is outside the open support"):
        nm.forward(np.array([[1.0, 1.0], [-1.0, 2.0]]))
    with pytest.raises(ValueError, match="NaN or inf"):
        nm.forward(np.array([[np.inf, 1.0]]))
    assert nm.forward(np.array([0.5, 1.5])).shape == (2,)
