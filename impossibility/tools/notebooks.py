"""Build and check the proof notebooks in ``proofs/`` with the standard Jupyter tooling.

Each proof is kept as a jupytext percent-format script ``proofs/NN_name.py`` (diffable, runs as a
plain script, opens as a notebook). :func:`build` turns it into an executed ``.ipynb`` beside it
with jupytext + nbclient, deterministically: cell ids are numbered and execution timings are not
recorded, so rebuilding an unchanged proof gives the same file. :func:`check_sources` says whether
a committed ``.ipynb`` still has the cells of its ``.py``.

Command line: ``impossibility notebooks`` (build all), ``impossibility notebooks --check``.
Needs the ``notebooks`` extra: ``pip install -e ".[notebooks]"``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["proof_sources", "read_source", "execute", "build", "check_sources"]


def _require():
    try:
        import jupytext
        import nbclient
        import nbformat
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "building notebooks needs the 'notebooks' extra: pip install -e \".[notebooks]\""
        ) from exc
    return jupytext, nbclient, nbformat


def proof_sources(root: Path | None = None) -> list[Path]:
    """The jupytext sources ``proofs/[0-9]*.py``, in order."""
    if root is None:
        from .reproduce import default_root

        root = default_root()
    return sorted((Path(root) / "proofs").glob("[0-9]*.py"))


def read_source(path: Path) -> Any:
    """Read a percent-format script as a notebook with stable cell ids ``cell-0``, ``cell-1``, …"""
    jupytext, _, _ = _require()
    nb = jupytext.read(path)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def execute(path: Path, *, timeout: int = 600) -> Any:
    """Execute the proof ``path`` in a fresh kernel (working directory ``proofs/``).

    Raises on the first failing cell.
    """
    _, nbclient, _ = _require()
    nb = read_source(path)
    client = nbclient.NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(Path(path).parent)}},
    )
    client.execute()
    return nb


def build(paths: list[Path] | None = None) -> list[Path]:
    """Execute each proof and write ``NN_name.ipynb`` beside it; return the written paths."""
    _, _, nbformat = _require()
    written = []
    for path in paths or proof_sources():
        nb = execute(path)
        out = Path(path).with_suffix(".ipynb")
        nbformat.write(nb, out)
        written.append(out)
    return written


def check_sources(path: Path) -> list[str]:
    """Differences between the cells of ``path`` (.py) and its committed ``.ipynb`` (or none)."""
    _, _, nbformat = _require()
    ipynb = Path(path).with_suffix(".ipynb")
    if not ipynb.exists():
        return [f"{ipynb.name} is missing; run `impossibility notebooks`"]
    src = read_source(path)
    built = nbformat.read(ipynb, as_version=4)
    problems = []
    if len(src.cells) != len(built.cells):
        problems.append(f"{ipynb.name}: {len(built.cells)} cells, {path.name} has {len(src.cells)}")
    for i, (a, b) in enumerate(zip(src.cells, built.cells, strict=False)):
        if a.cell_type != b.cell_type or a.source != b.source:
            problems.append(f"{ipynb.name}: cell {i} differs from {path.name}")
    for i, cell in enumerate(built.cells):
        if cell.cell_type == "code" and cell.source.strip() and cell.get("execution_count") is None:
            problems.append(f"{ipynb.name}: code cell {i} was not executed")
    return problems
