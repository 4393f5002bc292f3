"""The layout holds: public imports work, imports point one way, files stay small."""

from __future__ import annotations

import ast
import importlib
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

import impossibility as im

PACKAGE = Path(im.__file__).resolve().parent
ROOT = PACKAGE.parent
SUBPACKAGES = [
    "bijections",
    "entangle",
    "invariance",
    "symbolic",
    "generative",
    "nn",
    "vae",
    "data",
    "metrics",
    "biases",
    "study",
    "tools",
]


def _unit(path: Path) -> str:
    """The top-level unit of a package file: its subpackage or its module name."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imported_units(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    here = path.relative_to(PACKAGE).parts
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                base = list(here[:-1])[: len(here) - node.level]
                parts = base + (node.module.split(".") if node.module else [])
                names = [a.name for a in node.names]
                out |= {parts[0] if parts else n for n in names} if not parts else {parts[0]}
            elif node.module and node.module.split(".")[0] == "impossibility":
                parts = node.module.split(".")[1:]
                out |= {parts[0]} if parts else {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if parts[0] == "impossibility" and len(parts) > 1:
                    out.add(parts[1])
    return {u for u in out if (PACKAGE / u).is_dir() or (PACKAGE / f"{u}.py").is_file()}


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        unit = _unit(path)
        if unit in ("__init__", "__main__"):
            continue
        graph.setdefault(unit, set()).update(_imported_units(path) - {unit})
    return graph


def test_documented_imports_keep_working():
    assert callable(im.entangling_bijection) and im.Gaussianize and im.VAE and im.MetricSizes
    for name in ("vae", "symbolic", "generative", "data", "metrics", "biases", "study"):
        assert importlib.import_module(f"impossibility.{name}") is getattr(im, name)
    for name in im.__all__:
        assert getattr(im, name) is not None, name


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_each_subpackage_exports_what_it_lists(name):
    module = importlib.import_module(f"impossibility.{name}")
    for attr in getattr(module, "__all__", []):
        assert hasattr(module, attr), f"impossibility.{name}.__all__ names a missing {attr!r}"


def test_the_import_graph_has_no_cycle():
    try:
        order = list(TopologicalSorter(_graph()).static_order())
    except CycleError as exc:  # pragma: no cover - the failure message is the point
        pytest.fail(f"import cycle between subpackages/modules: {exc.args[1]}")
    assert order.index("priors") < order.index("bijections") < order.index("entangle")


def test_nothing_in_the_library_imports_the_tools():
    importers = sorted(u for u, deps in _graph().items() if "tools" in deps and u != "tools")
    assert importers == [], f"library units importing impossibility.tools: {importers}"


def test_experiments_never_import_each_other():
    names = {p.stem for p in (ROOT / "experiments").glob("*.py")}
    for path in (ROOT / "experiments").glob("*.py"):
        text = path.read_text()
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            else:
                continue
            assert not any(m.split(".")[0] in names | {"experiments"} for m in mods), path
        # nor read another experiment's files, except the stored results it declares in
        # READS_RESULTS_OF (the runner then orders the two and chains their fingerprints)
        declared = _reads_results_of(tree)
        for other in names - {path.stem} - declared:
            assert f'"{other}"' not in text and f"'{other}'" not in text, (path.name, other)


def _reads_results_of(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "READS_RESULTS_OF" for t in node.targets
        ):
            return set(ast.literal_eval(node.value))
    return set()


def test_no_library_file_is_over_450_lines():
    big = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 450
    }
    assert big == {}


def test_figures_regenerate_without_the_test_extra():
    # `pip install -e . && impossibility reproduce` has no hypothesis: no experiment may need it
    from impossibility.tools.fingerprint import import_closure

    for path in sorted((ROOT / "experiments").glob("*.py")):
        closure = {p.relative_to(PACKAGE).as_posix() for p in import_closure(path)}
        assert "testing.py" not in closure, path.name
        assert "hypothesis" not in path.read_text(), path.name
