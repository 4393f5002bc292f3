"""Sphinx extension: write the generated pages of the site before Sphinx reads the sources.

On ``builder-inited`` it writes, into folders ignored by git:

* ``api/``: one page per public module (the ``__all__`` of ``impossibility`` and of every
  subpackage), each name documented once, on the page of the subpackage that defines it, and
  listed with a link on every other page that re-exports it;
* ``cli/``: one page per command of ``impossibility``, from its argparse parser;
* ``proofs/``: the executed notebooks ``proofs/*.ipynb``, copied (rendered with their stored
  outputs);
* ``gallery/``: every committed figure with its caption, the experiment that draws it and the
  command that regenerates it.

An undocumented public name, a figure no experiment claims, or a claimed figure that is missing
is a Sphinx warning, so ``sphinx -W`` fails on it.
"""

from __future__ import annotations

import importlib
import inspect
import shutil
from pathlib import Path
from typing import Any

from figures_index import experiment_figures
from rst_escape import escape_lines
from sphinx.application import Sphinx
from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging

logger = logging.getLogger(__name__)

GENERATED = ("api", "cli", "proofs", "gallery")
#: id of every documented object → the full name it is documented under (filled by write_api).
DOCUMENTED: dict[int, str] = {}


def _public_modules() -> list[str]:
    import impossibility

    subs = sorted(m for m in impossibility._SUBMODULES if m != "tools")  # tools: the CLI pages
    return ["impossibility"] + [f"impossibility.{m}" for m in subs]


def _kind(obj: Any) -> str:
    if inspect.ismodule(obj):
        return "module"
    if inspect.isclass(obj):
        return "class"
    if callable(obj):
        return "function"
    return "data"


def _canonical(modules: list[str]) -> dict[int, str]:
    """Object id → the module whose page documents it: where it is defined, else first lister."""
    exports = {m: importlib.import_module(m).__all__ for m in modules}
    home: dict[int, str] = {}
    for m in modules[1:] + modules[:1]:  # a subpackage is a better home than the top level
        mod = importlib.import_module(m)
        for name in exports[m]:
            obj = getattr(mod, name)
            defined = getattr(obj, "__module__", None) or ""
            best = defined == m or defined.startswith(m + ".")
            if id(obj) not in home or (best and not home[id(obj)][1]):
                home[id(obj)] = (m, best)
    return {k: v[0] for k, v in home.items()}


def _data_doc(module: str, name: str) -> list[str]:
    """The ``#:`` comment of a constant, from the module (or submodule) that assigns it."""
    import sys

    candidates = [module] + sorted(m for m in sys.modules if m.startswith(module + "."))
    candidates += sorted(m for m in sys.modules if m.startswith("impossibility."))
    for candidate in candidates:
        try:
            docs = ModuleAnalyzer.for_module(candidate).find_attr_docs()
        except Exception:  # a compiled or source-less module has no comments to read
            continue
        if ("", name) in docs:
            return list(docs[("", name)])
    return []


def _document(m: str, name: str, obj: Any) -> list[str]:
    kind = _kind(obj)
    if kind == "module":
        doc = inspect.getdoc(obj)
        return [f".. automodule:: {obj.__name__}", ""] if doc else []
    if kind == "data":
        doc = _data_doc(m, name)
        if not doc:
            return []
        value = repr(obj)
        value = value if len(value) <= 80 and "\n" not in value else f"<{type(obj).__name__}>"
        lines = [f".. py:data:: {name}", f"   :value: {value}", ""]
        return lines + [f"   {line}" for line in escape_lines(doc)] + [""]
    if not inspect.getdoc(obj):
        return []
    lines = [f".. auto{kind}:: {name}"]
    if kind == "class":
        lines.append("   :members:")
    return lines + [""]


def _target(m: str, name: str, obj: Any) -> str:
    return f"~{obj.__name__}" if _kind(obj) == "module" else f"~{m}.{name}"


def _title(text: str, char: str = "=") -> str:
    return f"{text}\n{char * len(text)}\n"


def _write_index(out: Path, head: list[str], pages: list[str]) -> None:
    """``out/index.rst``: the ``head`` blocks, then a toctree of ``pages``."""
    lines = head + [".. toctree::\n   :maxdepth: 1\n"] + [f"   {page}" for page in pages]
    (out / "index.rst").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_api(out: Path) -> None:
    modules = _public_modules()
    home = _canonical(modules)
    pages = []
    for m in modules:
        mod = importlib.import_module(m)
        local, elsewhere = [], []
        for name in mod.__all__:
            obj = getattr(mod, name)
            (local if home[id(obj)] == m else elsewhere).append((name, obj))
        lines = [_title(f"``{m}``"), f".. automodule:: {m}\n", f".. currentmodule:: {m}\n"]
        callables = [name for name, obj in local if _kind(obj) in ("class", "function")]
        others = [(name, obj) for name, obj in local if _kind(obj) in ("data", "module")]
        if callables:
            lines.append(".. autosummary::\n   :nosignatures:\n")
            lines += [f"   {name}" for name in callables]
            lines.append("")
        if others:
            lines.append(
                "Constants and submodules: "
                + ", ".join(
                    f":py:{'mod' if _kind(obj) == 'module' else 'data'}:`{_target(m, name, obj)}`"
                    for name, obj in others
                )
                + ".\n"
            )
        if elsewhere:
            lines.append("Also exported here, documented where they are defined:\n")
            lines += [f"* :obj:`{m}.{name} <{home[id(obj)]}.{name}>`" for name, obj in elsewhere]
            lines.append("")
        for name, obj in local:
            DOCUMENTED[id(obj)] = obj.__name__ if _kind(obj) == "module" else f"{m}.{name}"
        DOCUMENTED[id(mod)] = m
        local.sort(key=lambda item: _kind(item[1]) == "module")  # submodule docs change the
        for name, obj in local:  # current module, so they come last
            block = _document(m, name, obj)
            if not block:
                logger.warning(f"public name {m}.{name} has no docstring", type="impossibility")
            lines += block
        (out / f"{m}.rst").write_text("\n".join(lines), encoding="utf-8")
        pages.append(m)
    head = [
        _title("API reference"),
        "Every public name of the package: the ``__all__`` of ``impossibility`` and of each "
        "subpackage. Each name is documented on the page of the subpackage that defines it; "
        "``impossibility`` re-exports the core of Theorem 1.\n",
    ]
    _write_index(out, head, pages)


def write_cli(out: Path) -> None:
    from impossibility.tools.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    commands = list(sub.choices)
    for cmd in commands:
        if cmd == "study":  # dispatched to the sweep's own parser
            spec = (
                ":module: impossibility.study.cli\n   :func: _parser\n   :prog: impossibility study"
            )
        else:
            spec = (
                ":module: impossibility.tools.cli\n   :func: build_parser\n"
                f"   :prog: impossibility\n   :path: {cmd}"
            )
        text = _title(f"``impossibility {cmd}``") + f"\n.. argparse::\n   {spec}\n"
        (out / f"{cmd}.rst").write_text(text, encoding="utf-8")
    head = [
        _title("Command line"),
        "``impossibility`` is installed with the package. Every error is one line on stderr with "
        "exit status 2, never a traceback. One page per command, generated from its parser:\n",
        ".. argparse::\n   :module: impossibility.tools.cli\n   :func: build_parser\n"
        "   :prog: impossibility\n   :nosubcommands:\n",
    ]
    _write_index(out, head, commands)


def write_proofs(out: Path, root: Path) -> None:
    notebooks = sorted((root / "proofs").glob("*.ipynb"))
    for nb in notebooks:
        shutil.copy2(nb, out / nb.name)
    head = [
        _title("Proofs as notebooks"),
        "Each proof is a jupytext script ``proofs/NN_name.py`` executed into the notebook shown "
        "here with its stored outputs (``impossibility notebooks`` re-executes them; the test "
        "suite checks that every notebook matches its script). Symbolic steps are exact SymPy "
        "identities; numeric steps state their tolerance.\n",
    ]
    _write_index(out, head, [nb.stem for nb in notebooks])


def write_gallery(out: Path, root: Path) -> None:
    entries, problems = experiment_figures(root)
    for problem in problems:
        logger.warning(problem, type="impossibility")
    lines = [
        _title("Figure gallery"),
        "Every figure the package ships, grouped by the experiment that draws it. "
        "``impossibility reproduce`` regenerates all of them from a fresh clone (results are "
        "cached in ``figures/results/``, so a second run only redraws); "
        "``impossibility reproduce --only NAME`` regenerates one experiment.\n",
    ]
    for exp in entries:
        lines.append(_title(exp["name"].replace("_", " "), "-"))
        lines.append(f"**{escape_lines([exp['description']])[0]}**\n")
        lines.append(
            f"Drawn by ``experiments/{exp['name']}.py``; regenerate with "
            f"``impossibility reproduce --only {exp['name']}``.\n"
        )
        if exp["intro"]:
            lines += escape_lines(exp["intro"].splitlines()) + [""]
        for fig in exp["figures"]:
            lines.append(f".. figure:: ../../figures/{fig['file']}\n   :width: 100%\n")
            caption = escape_lines([fig["caption"]])[0]
            lines.append(f"   ``{fig['file']}``: {caption}\n")
    (out / "index.rst").write_text("\n".join(lines) + "\n", encoding="utf-8")


def generate(app: Sphinx) -> None:
    docs = Path(app.srcdir)
    root = docs.parent
    for name in GENERATED:
        folder = docs / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
    write_api(docs / "api")
    write_cli(docs / "cli")
    write_proofs(docs / "proofs", root)
    write_gallery(docs / "gallery", root)


def _lookup(dotted: str) -> tuple[Any, Any] | None:
    """(object, the object it was read from) for an importable dotted name, else None."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        owner = None
        try:
            for attr in parts[cut:]:
                owner, obj = obj, getattr(obj, attr)
        except AttributeError:
            return None
        return obj, owner
    return None


def _documented_name(target: str, context: list[str]) -> str | None:
    for prefix in context:
        found = _lookup(f"{prefix}.{target}" if prefix else target)
        if found is None:
            continue
        obj, owner = found
        if id(obj) in DOCUMENTED:
            return DOCUMENTED[id(obj)]
        attr = target.rsplit(".", 1)[-1]
        if owner is not None and inspect.isclass(owner):
            # a method is documented on the class that defines it (an inherited one on its base)
            for klass in owner.__mro__:
                if attr in vars(klass) and id(klass) in DOCUMENTED:
                    return f"{DOCUMENTED[id(klass)]}.{attr}"
    return None


def _resolve_reexport(app: Sphinx, env: Any, node: Any, contnode: Any) -> Any:
    """Resolve a Python reference to a re-exported name to the page that documents it.

    ``impossibility.audit`` is documented as ``impossibility.auditing.audit``, and docstrings
    refer to names relative to their module; the reference is looked up by importing it.
    """
    if node.get("refdomain") != "py" or not node.get("reftarget"):
        return None
    target = node["reftarget"].lstrip("~.")
    module = node.get("py:module") or ""
    parts = module.split(".") if module else []
    context = [".".join(parts[:i]) for i in range(len(parts), 0, -1)] + [""]
    if node.get("py:class"):
        context.insert(0, f"{module}.{node['py:class']}")
    name = _documented_name(target, context)
    if name is None or name == target:
        return None
    domain = env.get_domain("py")
    return domain.resolve_xref(env, node["refdoc"], app.builder, "obj", name, node, contnode)


def _escape_docstring(app, what, name, obj, options, lines: list[str]) -> None:
    lines[:] = escape_lines(lines)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", generate)
    # after numpydoc (priority 500) has turned the sections into reST
    app.connect("autodoc-process-docstring", _escape_docstring, priority=600)
    app.connect("missing-reference", _resolve_reexport)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
