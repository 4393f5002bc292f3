"""Every citation of the project's notes resolves inside the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CITE = re.compile(r"docs/(theory|metrics)\.md §(\d+(?:\.\d+)?)")


def _tracked(suffixes: tuple[str, ...]) -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    files = out.stdout.split() if out.returncode == 0 else []
    if not files:  # not a git checkout (e.g. an sdist): walk the tree
        files = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()]
    return [ROOT / f for f in files if f.endswith(suffixes) and not f.startswith("figures/")]


def _sections(note: str) -> set[str]:
    text = (ROOT / "docs" / f"{note}.md").read_text()
    return set(re.findall(r"^#+ (\d+(?:\.\d+)?)[ .]", text, re.M))


def test_every_cited_section_exists():
    sections = {"theory": _sections("theory"), "metrics": _sections("metrics")}
    missing = []
    for path in _tracked((".py", ".md", ".ipynb")):
        for note, sec in CITE.findall(path.read_text(errors="ignore")):
            if sec.rstrip(".") not in sections[note]:
                missing.append(f"{path.relative_to(ROOT)}: docs/{note}.md §{sec}")
    assert missing == []


def test_no_citation_of_a_file_outside_the_repository():
    bare = re.compile(r"(?<![/\w])(theory|metrics)\.md §")
    offenders = [
        str(p.relative_to(ROOT))
        for p in _tracked((".py", ".ipynb"))
        if bare.search(p.read_text(errors="ignore"))
    ]
    assert offenders == []
