"""Marginal specs of the command line: ``"beta(2, 5)"`` → ``stats.beta(2, 5)``, safely.

The family name must be a ``scipy.stats`` continuous univariate family; its arguments are parsed
with :func:`ast.literal_eval` (numbers only, never ``eval``) and checked against the family's
shape parameters and SciPy's own argument check, so every mistake gets a message that says what
to type instead.
"""

from __future__ import annotations

import ast
import difflib
import re
from typing import Any

import numpy as np
from scipy import stats
from scipy.stats._multivariate import multi_rv_generic

__all__ = ["parse_marginal", "family_names"]

_SPEC = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$", re.DOTALL)
_EXAMPLES = "e.g. 'norm', 'beta(2, 5)', 'laplace(scale=2)'"


def family_names() -> list[str]:
    """Names of every univariate distribution family in ``scipy.stats``."""
    return sorted(
        n
        for n in dir(stats)
        if isinstance(getattr(stats, n), (stats.rv_continuous, stats.rv_discrete))
    )


def _number(node: ast.AST, spec: str) -> float:
    try:
        value = ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        value = None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"arguments of {spec!r} must be literal numbers; got {ast.unparse(node)}")
    return value


def parse_marginal(spec: str) -> Any:
    """Parse ``"beta(2, 5)"`` or ``"laplace(scale=2)"`` into a frozen continuous distribution.

    Raises
    ------
    ValueError
        For text that is not ``name`` or ``name(args)``, an unknown family (with the nearest
        names), a discrete or joint distribution, missing or unknown parameters, or parameters
        SciPy rejects (a negative shape or scale).
    """
    if not isinstance(spec, str):
        raise TypeError(f"a marginal spec must be a string; got {type(spec).__name__}")
    m = _SPEC.match(spec)
    if m is None:
        raise ValueError(f"cannot parse marginal {spec!r}; expected {_EXAMPLES}")
    name, argstr = m.group(1), m.group(2) or ""
    family = getattr(stats, name, None)
    if isinstance(family, multi_rv_generic):
        raise ValueError(
            f"{name!r} is a joint (multivariate) distribution, not a factorized prior: give one "
            "univariate marginal per coordinate, e.g. 'norm' 'norm'"
        )
    if isinstance(family, stats.rv_discrete):
        raise ValueError(
            f"{name!r} is a discrete distribution: Theorem 1 needs continuous marginals (a CDF "
            "without atoms)"
        )
    if not isinstance(family, stats.rv_continuous):
        near = difflib.get_close_matches(name, family_names(), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(near)}?" if near else f"; expected {_EXAMPLES}"
        raise ValueError(f"{name!r} is not a scipy.stats distribution family{hint}")
    try:
        call = ast.parse(f"f({argstr})", mode="eval").body
    except SyntaxError:
        raise ValueError(f"cannot parse the arguments of {spec!r}; expected {_EXAMPLES}") from None
    if not isinstance(call, ast.Call) or any(k.arg is None for k in call.keywords):
        raise ValueError(f"cannot parse the arguments of {spec!r}; expected {_EXAMPLES}")
    names = [k.arg for k in call.keywords]
    if len(set(names)) != len(names):
        raise ValueError(f"{spec!r} repeats a keyword argument")
    args = [_number(a, spec) for a in call.args]
    kwargs = {k.arg: _number(k.value, spec) for k in call.keywords}
    shapes = [s.strip() for s in (family.shapes or "").split(",") if s.strip()]
    allowed = [*shapes, "loc", "scale"]
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise ValueError(
            f"{name} has no parameter {', '.join(unknown)}; its parameters are {', '.join(allowed)}"
        )
    if len(args) > len(allowed):
        raise ValueError(
            f"{name} takes at most {len(allowed)} parameters ({', '.join(allowed)}); "
            f"got {len(args)} in {spec!r}"
        )
    twice = sorted(set(allowed[: len(args)]) & set(kwargs))
    if twice:
        raise ValueError(f"{spec!r} gives {', '.join(twice)} twice")
    missing = [s for k, s in enumerate(shapes) if k >= len(args) and s not in kwargs]
    if missing:
        raise ValueError(
            f"{name} needs {len(shapes)} shape parameter(s) ({', '.join(shapes)}); missing "
            f"{', '.join(missing)} in {spec!r}"
        )
    values = dict(zip(allowed, args, strict=False)) | kwargs
    shape_values = [values[s] for s in shapes]
    scale = values.get("scale", 1.0)
    loc = values.get("loc", 0.0)
    bad = not (np.isfinite(loc) and np.isfinite(scale) and scale > 0)
    bad = (
        bad
        or not all(np.isfinite(shape_values))
        or not bool(np.all(family._argcheck(*map(np.asarray, shape_values))))
    )
    if bad:
        given = ", ".join(f"{k}={v!r}" for k, v in values.items())
        raise ValueError(
            f"invalid parameters for {name}: {given} (SciPy's check fails: shapes must be in the "
            "family's range, loc finite, scale > 0)"
        )
    return family(*args, **kwargs)
