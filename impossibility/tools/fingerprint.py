"""What a results file depends on: the experiment's code and the package modules it imports.

The fingerprint of an experiment is a SHA-256 over its code, the ``quick`` flag and every module
of the package in its *import closure*: the modules it imports (at the top or inside a function),
the modules those import, and so on, with each package's ``__init__.py`` (Python runs it on the
way in). Files enter as code only (:func:`code_digest`: docstrings, comments and layout left out),
the closure is read with :mod:`ast` without running anything, and ``im.vae`` / ``im.VAE`` after
``import impossibility as im`` count as imports through the package's lazy-import tables. Modules
that cannot change a number (the command line, the runner, plotting; not the seeding in
:mod:`.context`) are left out. So editing ``metrics/`` recomputes only the experiments that use
it, and a docstring or a figure's style recomputes nothing. Library versions are recorded beside
the fingerprint, not in it: a machine with newer NumPy reuses the committed numbers and says
which versions made them.
"""

from __future__ import annotations

import ast
import hashlib
import platform
from functools import lru_cache
from importlib import metadata
from pathlib import Path

__all__ = ["PACKAGE_DIR", "code_digest", "import_closure", "fingerprint", "library_versions"]

PACKAGE_DIR = Path(__file__).resolve().parents[1]
PACKAGE = PACKAGE_DIR.name
#: Package files that never change a computed number (the seeding of the runner does).
_NUMBER_FREE = {
    "__main__.py",
    "tools/__init__.py",
    "tools/cli.py",
    "tools/fingerprint.py",
    "tools/notebooks.py",
    "tools/plotting.py",
    "tools/reproduce.py",
}
_LIBRARIES = ("numpy", "scipy", "sympy", "scikit-learn", "matplotlib", "joblib")


def _module_file(dotted: str) -> Path | None:
    """The file of ``impossibility.a.b`` (a module or a package), or None."""
    parts = dotted.split(".")
    if parts[0] != PACKAGE:
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _dotted(path: Path) -> str:
    rel = path.relative_to(PACKAGE_DIR).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join([PACKAGE, *parts])


@lru_cache(maxsize=None)
def _lazy_tables() -> dict[str, str]:
    """Top-level attribute → module, from ``_SUBMODULES`` and ``_LAZY`` in ``__init__.py``."""
    tree = ast.parse((PACKAGE_DIR / "__init__.py").read_text())
    table: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, node.value
            if name == "_SUBMODULES" and isinstance(value, ast.Set):
                table.update({e.value: f"{PACKAGE}.{e.value}" for e in value.elts})
            elif name == "_LAZY" and isinstance(value, ast.Dict):
                table.update(
                    {
                        k.value: f"{PACKAGE}.{v.value}"
                        for k, v in zip(value.keys, value.values, strict=True)
                    }
                )
    return table


def _imports(source: str, package: str | None) -> set[str]:
    """Dotted names of the package modules that ``source`` imports (relative to ``package``)."""
    tree = ast.parse(source)
    found: set[str] = set()
    aliases: set[str] = set()  # local names bound to the top-level package
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == PACKAGE:
                    found.add(a.name)
                    if a.asname or "." not in a.name:
                        aliases.add(a.asname or PACKAGE)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if package is None:
                    continue
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] != PACKAGE:
                continue
            found.add(mod)
            for a in node.names:  # `from pkg import submodule` imports the submodule too
                found.add(f"{mod}.{a.name}")
                if mod == PACKAGE and a.name in _lazy_tables():
                    found.add(_lazy_tables()[a.name])
    if aliases:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr in _lazy_tables()
            ):
                found.add(_lazy_tables()[node.attr])
    return found


def import_closure(source: Path) -> list[Path]:
    """Every package file that ``source`` imports, directly or not, sorted."""
    seen: set[Path] = set()
    todo = [(Path(source).read_text(), None)]
    while todo:
        text, package = todo.pop()
        for dotted in _imports(text, package):
            parts = dotted.split(".")
            # importing a.b.c executes a/__init__, a/b/__init__ and a/b/c
            for k in range(1, len(parts) + 1):
                path = _module_file(".".join(parts[:k]))
                if path is None or path in seen:
                    continue
                seen.add(path)
                pkg = (
                    _dotted(path)
                    if path.name == "__init__.py"
                    else _dotted(path.parent / "__init__.py")
                )
                todo.append((path.read_text(), pkg))
    return sorted(seen)


def code_digest(path: Path) -> bytes:
    """The code of a Python file without its docstrings, comments and layout.

    The abstract syntax tree with every module, class and function docstring removed, dumped
    without line numbers: editing a docstring, a comment or the formatting leaves it unchanged,
    editing a statement, a constant or a signature changes it.
    """
    tree = ast.parse(Path(path).read_text())
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                if isinstance(body[0].value.value, str):
                    node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, annotate_fields=False, include_attributes=False).encode()


def fingerprint(source: Path, quick: bool) -> tuple[str, list[str]]:
    """SHA-256 of the experiment, its flag and its number-bearing import closure.

    Each file enters through :func:`code_digest`, so documentation edits recompute nothing.
    Returns the hex digest and the package-relative paths that went into it.
    """
    h = hashlib.sha256()
    h.update(b"quick" if quick else b"full")
    h.update(code_digest(source))
    deps = []
    closure = set(import_closure(source)) | {PACKAGE_DIR / "tools" / "context.py"}
    for path in sorted(closure):
        rel = path.relative_to(PACKAGE_DIR).as_posix()
        if rel in _NUMBER_FREE:
            continue
        deps.append(rel)
        h.update(rel.encode())
        h.update(code_digest(path))
    return h.hexdigest(), deps


def library_versions() -> dict[str, str]:
    """Python and the versions of the libraries that compute or draw the results."""
    out = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out
