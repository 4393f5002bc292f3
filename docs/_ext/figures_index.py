"""Which committed figure each experiment draws, and its caption, read without running anything.

An experiment's module docstring may end with a numpydoc-style section::

    Figures
    -------
    name_of_figure
        Its caption (one paragraph).

Figures it does not list are assigned to it by name (``<experiment>.png`` or
``<experiment>_*.png``, longest experiment name first) and captioned with its ``DESCRIPTION``.
Docstrings do not enter an experiment's fingerprint, so captions never trigger a recomputation.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

__all__ = ["experiment_figures"]


def _module_info(path: Path) -> tuple[str, str, str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree) or ""
    description = ""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "DESCRIPTION" for t in node.targets
        ):
            description = ast.literal_eval(node.value)
    return doc, description, path.stem


def _figures_section(doc: str) -> dict[str, str]:
    match = re.search(r"^Figures\n-+\n(.*?)(?:\n\S[^\n]*\n-+\n|\Z)", doc, re.S | re.M)
    if not match:
        return {}
    captions: dict[str, str] = {}
    current = None
    for line in match.group(1).splitlines():
        if line and not line[0].isspace():
            current = line.strip()
            captions[current] = ""
        elif current is not None and line.strip():
            captions[current] = (captions[current] + " " + line.strip()).strip()
    return captions


def _intro(doc: str) -> str:
    """The docstring before its Figures section, as one paragraph per blank-line block."""
    return re.split(r"^Figures\n-+\n", doc, flags=re.M)[0].strip()


def experiment_figures(root: Path) -> tuple[list[dict], list[str]]:
    """Experiments with their figures and captions, and the problems found (as messages)."""
    root = Path(root)
    experiments = [
        _module_info(p)
        for p in sorted((root / "experiments").glob("*.py"))
        if not p.stem.startswith("_")
    ]
    pngs = sorted(p.stem for p in (root / "figures").glob("*.png"))
    claimed: dict[str, tuple[str, str]] = {}
    problems = []
    for doc, _description, name in experiments:
        for fig, caption in _figures_section(doc).items():
            if fig not in pngs:
                problems.append(f"experiments/{name}.py lists figure {fig!r}: no figures/{fig}.png")
            claimed[fig] = (name, caption)
    by_length = sorted(experiments, key=lambda e: -len(e[2]))
    for fig in pngs:
        if fig in claimed:
            continue
        owner = next((e for e in by_length if fig == e[2] or fig.startswith(e[2] + "_")), None)
        if owner is None:
            problems.append(f"figures/{fig}.png is drawn by no experiment")
            continue
        claimed[fig] = (owner[2], owner[1])
    entries = []
    for doc, description, name in experiments:
        figs = [
            {"file": f"{fig}.png", "caption": caption}
            for fig, (owner, caption) in claimed.items()
            if owner == name and fig in pngs
        ]
        entries.append(
            {
                "name": name,
                "description": description or name,
                "intro": _intro(doc),
                "figures": figs,
            }
        )
    return entries, problems
