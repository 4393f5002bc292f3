"""Check every internal link, anchor and image of the built site: ``python check_links.py HTMLDIR``.

Sphinx checks the references it resolves; this reads the HTML it wrote, as a browser would, and
fails (exit status 1, one line per problem) when a local ``href`` or ``src`` names a file that is
not there or an anchor that no element of the target page carries. External links (http, https,
mailto) are not fetched: the build has no network.
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = ["broken_links", "main"]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key):
                self.ids.add(values[key])
        for key in ("href", "src"):
            if values.get(key) and not (tag == "link" and values.get("rel") == "preconnect"):
                self.links.append(values[key])


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def broken_links(site: Path) -> tuple[list[str], int]:
    """Problems found (as messages) and the number of local links checked."""
    site = Path(site)
    # _static/ holds the theme's Jinja templates, not pages
    pages = {p.resolve(): _parse(p) for p in site.rglob("*.html") if "_static" not in p.parts}
    problems, checked = [], 0
    for path, page in sorted(pages.items()):
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("//", "javascript:", "data:")):
                continue
            checked += 1
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            where = f"{path.relative_to(site.resolve())}: {link}"
            if not target.exists():
                problems.append(f"{where}: no such file")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{where}: no anchor #{parts.fragment}")
    return problems, checked


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not Path(args[0]).is_dir():
        print("usage: python check_links.py HTMLDIR (a built site)", file=sys.stderr)
        return 2
    problems, checked = broken_links(Path(args[0]))
    for problem in problems:
        print(problem)
    print(f"{checked} local links checked, {len(problems)} broken")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
