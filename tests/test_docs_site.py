"""The documentation site's sources: the audit guide's example, the gallery index, the escaper.

The site itself is built by CI (``python -m sphinx -W``); these checks need no Sphinx and catch
what the build would not: a guide whose printed output no longer matches the code, a figure that
no experiment claims, a formula mangled by escaping.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

from check_links import broken_links  # noqa: E402
from figures_index import experiment_figures  # noqa: E402
from rst_escape import escape_lines  # noqa: E402


def _blocks(markdown: str) -> list[tuple[str, str]]:
    return re.findall(r"```(\w+)\n(.*?)```", markdown, flags=re.S)


def test_audit_guide_prints_what_it_says():
    blocks = _blocks((ROOT / "docs" / "audit.md").read_text(encoding="utf-8"))
    kinds = [kind for kind, _ in blocks]
    code = blocks[kinds.index("python")][1]
    shown = blocks[kinds.index("text")][1].strip().splitlines()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs/audit.md", "exec"), {})
    printed = out.getvalue().strip().splitlines()
    # the page shows the table and omits the trailing note line
    assert printed[: len(shown)] == shown


def test_every_figure_belongs_to_one_experiment():
    entries, problems = experiment_figures(ROOT)
    assert problems == []
    files = [fig["file"] for exp in entries for fig in exp["figures"]]
    assert sorted(files) == sorted(p.name for p in (ROOT / "figures").glob("*.png"))
    assert all(fig["caption"] for exp in entries for fig in exp["figures"])


def test_a_figures_section_names_and_captions(tmp_path):
    (tmp_path / "experiments").mkdir()
    (tmp_path / "figures").mkdir()
    for name in ("demo_a", "demo_b", "demo_c", "other"):
        (tmp_path / "figures" / f"{name}.png").write_bytes(b"")
    (tmp_path / "experiments" / "demo.py").write_text(
        '"""Demo.\n\nFigures\n-------\ndemo_a\n    First\n    caption.\ndemo_b\n    Second.\n"""\n'
        'DESCRIPTION = "the demo"\n',
        encoding="utf-8",
    )
    entries, problems = experiment_figures(tmp_path)
    figs = {f["file"]: f["caption"] for f in entries[0]["figures"]}
    assert figs == {
        "demo_a.png": "First caption.",
        "demo_b.png": "Second.",
        "demo_c.png": "the demo",
    }
    assert problems == ["figures/other.png is drawn by no experiment"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("shape (n, *x_dim).", r"shape (n, \*x_dim)."),
        ("max |f(z) - z|", r"max \|f(z) - z\|"),
        ("*emphasis* and **strong**", "*emphasis* and **strong**"),
        (":math:`\\log|\\det J|` and ``a|b``", ":math:`\\log|\\det J|` and ``a|b``"),
        ("* a bullet, 2 * x", "* a bullet, 2 * x"),
    ],
)
def test_escape_leaves_markup_and_formulas(line, expected):
    assert escape_lines([line]) == [expected]


def test_escape_keeps_roles_over_lines_and_literal_blocks():
    lines = ["see :math:`|a", "+ b|` here |x|", "Example::", "", "    |kept| *x", "back |y|"]
    assert escape_lines(lines) == [
        "see :math:`|a",
        r"+ b|` here \|x\|",
        "Example::",
        "",
        "    |kept| *x",
        r"back \|y\|",
    ]


def test_link_checker_finds_missing_files_and_anchors(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="sub/page.html#here">ok</a> <a href="sub/page.html#gone">bad anchor</a>'
        '<img src="missing.png"> <a href="https://example.org/x">external</a> <a href="#top">',
        encoding="utf-8",
    )
    (tmp_path / "sub" / "page.html").write_text(
        '<h1 id="here">x</h1><a href="../index.html">up</a>', encoding="utf-8"
    )
    problems, checked = broken_links(tmp_path)
    assert checked == 5
    assert problems == [
        "index.html: sub/page.html#gone: no anchor #gone",
        "index.html: missing.png: no such file",
        "index.html: #top: no anchor #top",
    ]
