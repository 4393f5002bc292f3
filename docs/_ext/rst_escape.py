"""Escape the ``|`` and ``*`` of plain-text formulas in docstrings before docutils reads them.

The package's docstrings write formulas in plain text (``|z|``, ``(n, *x_dim)``), which
reStructuredText would read as substitution references and unterminated emphasis. The package
uses neither substitutions nor line blocks, so every ``|`` outside literals, roles and literal or
math blocks is escaped; a ``*`` is escaped unless it is part of a ``*emphasis*`` or
``**strong**`` pair on its line.
"""

from __future__ import annotations

import re

__all__ = ["escape_lines"]

_PROTECTED = re.compile(r"(``.+?``|:[\w:+-]+:`[^`]*`|`[^`]+`_{0,2}|\\\*|\\\|)", re.S)
_PAIR = re.compile(r"(?<![\w*\\])(\*\*?)(?=[^\s*])(.+?)(?<=[^\s\\])\1(?![\w*])")
_BLOCK_START = re.compile(r"^(\s*)(\.\. [\w:-]+::.*|.*::)$")


def _escape_prose(text: str) -> str:
    pieces = _PAIR.split(text)
    out = []
    # split() with two groups yields: prose, marker, inner, marker-less prose, ...
    i = 0
    while i < len(pieces):
        prose = pieces[i]
        # a "*" before white space (a bullet, "2 * x") cannot open emphasis: left alone
        out.append(re.sub(r"(?<!\\)(\*(?=\S)|\|)", r"\\\1", prose))
        if i + 2 < len(pieces):
            mark, inner = pieces[i + 1], pieces[i + 2]
            out.append(f"{mark}{inner.replace('|', chr(92) + '|')}{mark}")
        i += 3
    return "".join(out)


def _escape_text(text: str) -> str:
    # on whole paragraphs: a role or literal may run over several lines
    parts = _PROTECTED.split(text)
    return "".join(p if k % 2 else _escape_prose(p) for k, p in enumerate(parts))


def escape_lines(lines: list[str]) -> list[str]:
    """The docstring lines with plain-text ``|`` and ``*`` escaped (blocks left alone)."""
    out: list[str] = []
    prose: list[str] = []
    block_indent = None

    def flush() -> None:
        if prose:
            out.extend(_escape_text("\n".join(prose)).split("\n"))
            prose.clear()

    for line in lines:
        indent = len(line) - len(line.lstrip())
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                out.append(line)
                continue
            block_indent = None
        match = _BLOCK_START.match(line)
        if match and line.strip():
            prose.append(line)
            if line.lstrip().startswith(".."):  # a directive line is not prose
                prose.pop()
                flush()
                out.append(line)
            else:
                flush()
            block_indent = len(match.group(1))
            continue
        prose.append(line)
    flush()
    return out
