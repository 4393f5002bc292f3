"""Every proof notebook executes without a failing cell; its committed .ipynb matches its .py."""

import pytest

from impossibility.tools.notebooks import check_sources, execute, proof_sources

SOURCES = proof_sources()


def test_there_are_proofs():
    assert len(SOURCES) >= 2


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_proof_executes(path):
    nb = execute(path)
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert not errors


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_committed_notebook_matches_source(path):
    assert check_sources(path) == []
