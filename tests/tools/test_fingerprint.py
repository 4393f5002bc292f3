"""Fingerprints per experiment: the source, the flag and the package modules it imports."""

import textwrap

from impossibility.tools.fingerprint import fingerprint, import_closure, library_versions
from impossibility.tools.reproduce import discover_experiments

EXPERIMENTS = discover_experiments()


def test_theorem1_figures_do_not_depend_on_the_metrics():
    deps = set(fingerprint(EXPERIMENTS["theorem1_warp"], False)[1])
    assert "entangle/theorem1.py" in deps and "bijections/gaussianize.py" in deps
    assert "tools/context.py" in deps  # the seeding is part of every result
    assert not any(d.startswith(("metrics/", "vae", "study", "symbolic")) for d in deps)
    assert "tools/plotting.py" not in deps  # drawing never changes a number


def test_attribute_access_and_relative_imports_are_followed(tmp_path):
    src = tmp_path / "exp.py"
    src.write_text("import impossibility as im\n\ndef compute(ctx):\n    return im.metrics.mig\n")
    closure = {p.as_posix() for p in import_closure(src)}
    assert any(p.endswith("impossibility/metrics/__init__.py") for p in closure)
    # metrics/__init__ imports .mig relatively, which imports ._discretize
    assert any(p.endswith("impossibility/metrics/_discretize.py") for p in closure)
    src.write_text(
        textwrap.dedent("""
        def compute(ctx):
            from impossibility.entangle import rotations
            return rotations
    """)
    )
    closure = {p.as_posix() for p in import_closure(src)}
    assert any(p.endswith("impossibility/entangle/rotations.py") for p in closure)
    assert any(p.endswith("impossibility/entangle/__init__.py") for p in closure)
    assert not any("metrics" in p for p in closure)


def test_fingerprint_changes_with_the_source_and_the_flag(tmp_path):
    src = tmp_path / "exp.py"
    src.write_text("import impossibility\n")
    full, quick = fingerprint(src, False)[0], fingerprint(src, True)[0]
    assert full != quick
    assert fingerprint(src, False)[0] == full  # deterministic
    src.write_text("import impossibility  # a comment is no code\n")
    assert fingerprint(src, False)[0] == full
    src.write_text("import impossibility\n\nSEED = 1\n")
    assert fingerprint(src, False)[0] != full


def test_library_versions_name_the_computing_libraries():
    v = library_versions()
    assert {"python", "numpy", "scipy", "sympy", "scikit-learn", "matplotlib"} <= set(v)


def test_code_digest_ignores_documentation_but_not_code(tmp_path):
    from impossibility.tools.fingerprint import code_digest

    def digest(text):
        p = tmp_path / "m.py"
        p.write_text(text)
        return code_digest(p)

    base = digest('"""Doc."""\n\ndef f(x):\n    """Doc of f."""\n    return x + 1\n')
    # docstrings, comments and formatting: same code
    assert digest('"""Other doc."""\n\n\ndef f( x ):  # comment\n    return x+1\n') == base
    assert digest('def f(x):\n    """A class of its own."""\n    return (x + 1)\n') == base
    # a constant, an operator or a signature: other code
    assert digest("def f(x):\n    return x + 2\n") != base
    assert digest("def f(x):\n    return x - 1\n") != base
    assert digest("def f(x, y=0):\n    return x + 1\n") != base
