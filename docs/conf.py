"""Sphinx configuration of the impossibility documentation site.

Build: ``pip install -e ".[docs]" && python -m sphinx -W -b html docs docs/_build/html``.

The API reference, the CLI pages, the proof pages and the figure gallery are generated at build
time (``docs/_ext/generate.py``) from the package itself: the ``__all__`` of every subpackage,
the argparse parsers, ``proofs/*.ipynb`` (executed notebooks, rendered with their stored
outputs; nothing is executed during the build) and ``experiments/*.py`` with the committed
``figures/``. Warnings are errors, so an undocumented public name or a broken link fails the build.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))  # the package and experiments/ of this checkout
sys.path.insert(0, str(DOCS / "_ext"))

import impossibility  # noqa: E402

project = "impossibility"
author = "The impossibility developers"
copyright = "2026, The impossibility developers"
release = impossibility.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
    "sphinxarg.ext",
    "sphinx-mathjax-offline",  # MathJax served from the site itself: formulas render offline
    "generate",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "_ext", "**.ipynb_checkpoints", "README.md"]
root_doc = "index"

# Notebooks: rendered from their stored outputs, never executed by the docs build.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 4
myst_dmath_double_inline = True

# Every reference to the package must resolve (docs/_ext/generate.py resolves re-exported and
# relative names by importing them); other libraries' names are not linked (no network at build).
nitpicky = True
nitpick_ignore_regex = [
    (
        r"py:.*",
        r"(numpy|np|scipy|sklearn|matplotlib|plt|sympy|sp|joblib|dask|ray|torch|mpmath"
        r"|hypothesis|pytest|typing|collections|pathlib|argparse|threadpoolctl)(\..*)?",
    ),
    (
        r"py:.*",
        r"(int|float|str|bool|bytes|dict|list|tuple|set|object|type|callable|None"
        r"|Exception|ValueError|TypeError|Path|Sequence|Mapping|Iterable|Callable|Any)",
    ),
]

# API reference: every name of every ``__all__``, documented once where it is defined.
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

html_theme = "pydata_sphinx_theme"
html_title = f"impossibility {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}
html_show_sourcelink = False
