r"""Proofs as data: a :class:`ProofStep` per checked claim, a :class:`ProofResult` per proof.

A step states :math:`\text{lhs}=\text{rhs}` (or :math:`\text{lhs}>0`) and records the residual
SymPy reduced :math:`\text{lhs}-\text{rhs}` to. It *holds* when that residual is exactly 0 (or
provably positive); otherwise it is ``"refuted"`` if the residual is visibly nonzero at a
deterministic test point (the witness, evaluated with 30 digits) and ``"not proved"`` if SymPy
could neither simplify nor refute it. So ``holds=False`` means *not established*. The step
builders here (:func:`equality_step`, :func:`positivity_step`, :func:`definition_step`,
:func:`proof_result`) are what every proof of the subpackage is written with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence, TypeAlias

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

__all__ = [
    "ProofStep",
    "ProofResult",
    "Symbolic",
    "Domain",
    "is_zero",
    "matexpr_is_zero",
    "reduce_expression",
    "equality_step",
    "positivity_step",
    "definition_step",
    "proof_result",
]

#: A SymPy expression, matrix or matrix expression: what a proof step compares.
Symbolic: TypeAlias = sp.Basic | sp.MatrixBase

#: Where a symbol lives: a map from a real number s onto the symbol's domain (for witnesses).
Domain = Mapping[sp.Symbol, Callable[[sp.Expr], sp.Expr]]

# Deterministic trial values of s for a witness; the k-th symbol is shifted by 0.173·k.
_TRIALS = (0.37, -0.81, 1.23)


@dataclass(frozen=True)
class ProofStep:
    r"""One checked claim of a proof.

    Attributes
    ----------
    claim : str
        The statement, in words and formulas.
    lhs, rhs : sympy object
        The two sides (for an inequality ``lhs > rhs``).
    residual : sympy object
        What SymPy reduced ``lhs - rhs`` to (0 when proved; for an inequality, the simplified lhs).
    status : str
        ``"proved"``, ``"refuted"`` (a witness shows the residual is nonzero / not positive),
        ``"not proved"`` (SymPy could neither prove nor refute), or ``"definition"`` (a definition
        or an elementary fact stated, not checked).
    how : str
        The SymPy operation that settled it.
    witness : tuple of (str, float) pairs, optional
        For a refuted step: the point (variable name, value) and, last, ``("residual", value)``.
    relation : str
        ``"="`` or ``">"``.
    """

    claim: str
    lhs: Symbolic
    rhs: Symbolic
    residual: Symbolic
    status: str
    how: str = ""
    witness: tuple[tuple[str, float], ...] | None = None
    relation: str = "="

    @property
    def holds(self) -> bool:
        """True if the step was proved (or is a definition)."""
        return self.status in ("proved", "definition")

    def __str__(self) -> str:
        mark = {"proved": "✓", "definition": "≡", "refuted": "✗", "not proved": "?"}[self.status]
        text = f"[{mark}] {self.claim}"
        if self.status != "definition":
            label = "simplified (must be > 0)" if self.relation == ">" else "residual"
            text += f"\n      {label}: {sp.sstr(self.residual)}"
        if self.witness:
            text += "\n      witness: " + ", ".join(f"{k} = {v:.6g}" for k, v in self.witness)
        return text


@dataclass(frozen=True)
class ProofResult:
    r"""A proof: the identity claimed, its residual, whether it holds, and the steps.

    ``bool(result)`` is ``result.holds``. ``holds`` is True only when every step holds; a False
    means *not established* (see ``ProofStep.status`` for refuted vs not proved).

    Attributes
    ----------
    identity : str
        The claim.
    residual : sympy object
        The residual of the final identity after all steps (0 when it holds).
    holds : bool
    steps : tuple of ProofStep
    conditions : tuple of sympy relationals
        Side conditions under which the claim holds (e.g. :math:`A_{ij}\neq0`), if any.
    """

    identity: str
    residual: Symbolic
    holds: bool
    steps: tuple[ProofStep, ...]
    conditions: tuple[sp.Basic, ...] = ()

    def __bool__(self) -> bool:
        return self.holds

    @property
    def failed_steps(self) -> tuple[ProofStep, ...]:
        """The steps that do not hold."""
        return tuple(s for s in self.steps if not s.holds)

    def summary(self) -> str:
        """A readable multi-line account of the proof."""
        head = f"{'PROVED' if self.holds else 'NOT PROVED'}: {self.identity}"
        lines = [head, f"  final residual: {sp.sstr(self.residual)}"]
        if self.conditions:
            lines.append("  under: " + ", ".join(sp.sstr(c) for c in self.conditions))
        lines += ["  " + str(s).replace("\n", "\n  ") for s in self.steps]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def is_zero(e: Symbolic) -> bool:
    """True for an expression equal to 0, or a matrix whose entries all are."""
    if isinstance(e, sp.MatrixBase):
        return all(is_zero(x) for x in e)
    return bool(e == 0)


def matexpr_is_zero(e: Symbolic) -> bool:
    """True for 0 or a ZeroMatrix (matrix-expression results of refine/doit)."""
    return bool(e == 0) or isinstance(e, sp.ZeroMatrix)


def _has_abstract(e: sp.Basic) -> bool:
    return bool(e.atoms(AppliedUndef, sp.Derivative, sp.Subs, sp.MatrixSymbol))


def reduce_expression(e: Symbolic, simplifier: Callable[[Symbolic], Symbolic]) -> Symbolic:
    """Reduce an expression (or matrix) towards 0: structural test, powsimp, then ``simplifier``."""
    if isinstance(e, sp.MatrixBase):
        return sp.ImmutableMatrix(
            e.shape[0], e.shape[1], [reduce_expression(x, simplifier) for x in e]
        )
    if e == 0:
        return sp.S.Zero
    e = sp.powsimp(e)
    if e == 0:
        return sp.S.Zero
    return simplifier(e)


def _default_value(sym: sp.Symbol, s: float) -> sp.Expr:
    if sym.is_positive:
        return sp.exp(sp.Float(s, 30))
    if sym.is_negative:
        return -sp.exp(sp.Float(s, 30))
    return sp.Float(s, 30)


def _evaluate(
    e: sp.Basic, domain: Domain, trial: int
) -> tuple[dict[sp.Symbol, sp.Expr], complex] | None:
    """Evaluate at a deterministic point; return (point, complex value) or None."""
    syms = sorted(e.free_symbols, key=lambda s: s.name)
    point = {}
    for k, sym in enumerate(syms):
        s = _TRIALS[trial] + 0.173 * k
        point[sym] = domain[sym](sp.Float(s, 30)) if sym in domain else _default_value(sym, s)
    try:
        val = complex(sp.N(e.subs(point), 30))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not np.isfinite(val.real) or not np.isfinite(val.imag):
        return None
    return point, val


def _find_witness(
    residual: Symbolic, domain: Domain, *, positive: bool = False
) -> tuple[tuple[str, float], ...] | None:
    """A deterministic point where the residual is clearly nonzero (or not positive), if found."""
    entries = list(residual) if isinstance(residual, sp.MatrixBase) else [residual]
    for e in entries:
        e = sp.sympify(e)
        if e.is_number and not positive:
            val = complex(sp.N(e, 30))
            if abs(val) > 1e-20:
                return (("residual", float(abs(val))),)
            continue
        if _has_abstract(e):
            continue
        for trial in range(len(_TRIALS)):
            got = _evaluate(e, domain, trial)
            if got is None:
                continue
            point, val = got
            bad = (val.real <= 0 or abs(val.imag) > 1e-20) if positive else abs(val) > 1e-20
            if bad:
                pts = tuple((s.name, float(sp.re(v))) for s, v in point.items())
                return pts + (("residual", float(val.real if positive else abs(val))),)
    return None


def equality_step(
    claim: str,
    lhs: Symbolic,
    rhs: Symbolic,
    *,
    domain: Domain | None = None,
    simplifier: Callable[[Symbolic], Symbolic] = sp.simplify,
    how: str = "simplify(lhs - rhs) == 0",
) -> ProofStep:
    """Check ``lhs = rhs`` by reducing ``lhs - rhs`` to 0; refute it by a witness if one exists."""
    residual = reduce_expression(lhs - rhs, simplifier)
    if is_zero(residual):
        return ProofStep(claim, lhs, rhs, sp.S.Zero, "proved", how)
    wit = _find_witness(residual, domain or {})
    return ProofStep(claim, lhs, rhs, residual, "refuted" if wit else "not proved", how, wit)


def positivity_step(claim: str, expr: sp.Expr, *, domain: Domain | None = None) -> ProofStep:
    """Check ``expr > 0`` with SymPy's assumptions after ``simplify``; refute it with a witness."""
    red = sp.simplify(expr)
    if red.is_positive:
        return ProofStep(
            claim, expr, sp.S.Zero, red, "proved", "simplify(expr).is_positive", relation=">"
        )
    wit = _find_witness(red, domain or {}, positive=True)
    return ProofStep(
        claim,
        expr,
        sp.S.Zero,
        red,
        "refuted" if wit else "not proved",
        "simplify(expr).is_positive",
        wit,
        relation=">",
    )


def definition_step(claim: str, lhs: Symbolic = sp.S.Zero, rhs: Symbolic = sp.S.Zero) -> ProofStep:
    """A definition or an elementary fact, stated and not checked."""
    return ProofStep(claim, lhs, rhs, sp.S.Zero, "definition", "stated")


def proof_result(
    identity: str,
    residual: Symbolic,
    steps: Sequence[ProofStep],
    conditions: Sequence[sp.Basic] = (),
) -> ProofResult:
    """The proof of ``identity``: it holds when every step holds and the residual is 0."""
    steps = tuple(steps)
    holds = all(s.holds for s in steps) and is_zero(residual)
    return ProofResult(identity, residual, holds, steps, tuple(conditions))
