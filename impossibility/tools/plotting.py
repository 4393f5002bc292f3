"""Shared figure style and byte-reproducible saving.

Every figure of the package goes through :func:`savefig`, which writes a PNG (and, on request, a
PDF and an SVG) with the metadata that would otherwise change from run to run removed, so that
regenerating a figure from the same results gives the same bytes.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import matplotlib

matplotlib.use("Agg")  # figures are files; never open a window (and never need a display)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

__all__ = ["figure_style", "savefig", "image_grid", "DISENTANGLED", "ENTANGLED"]

#: Colours used for the disentangled model and its entangled twin in every figure.
DISENTANGLED = "#1f77b4"
ENTANGLED = "#d62728"

_STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "impossibility",
    "image.cmap": "viridis",
}


@contextmanager
def figure_style() -> Iterator[None]:
    """Context manager applying the package's matplotlib style."""
    with plt.rc_context(_STYLE):
        yield


def savefig(
    fig: "plt.Figure", path: str | Path, *, formats: tuple[str, ...] = ("png",)
) -> list[Path]:
    """Save ``fig`` under ``path`` (suffix replaced per format) and close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save.
    path : str or Path
        Target path; its suffix is replaced by each entry of ``formats``.
    formats : tuple of str, default=("png",)
        Any of ``"png"``, ``"pdf"``, ``"svg"``. Dates and software stamps are stripped so the
        output is byte-identical across runs.

    Returns
    -------
    list of Path
        The files written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "png": {"Software": None},
        "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
        "svg": {"Date": None, "Creator": None},
    }
    written = []
    for fmt in formats:
        if fmt not in meta:
            raise ValueError(f"unsupported figure format {fmt!r}; expected one of {sorted(meta)}")
        out = path.with_suffix("." + fmt)
        # the SVG salt is read at save time: set it here, not only inside figure_style()
        with plt.rc_context({"svg.hashsalt": _STYLE["svg.hashsalt"]}):
            fig.savefig(out, format=fmt, metadata=meta[fmt], bbox_inches="tight")
        written.append(out)
    plt.close(fig)
    return written


def image_grid(
    ax: Any, images: Any, row_labels: list, col_labels: list, colour: str, pad_value: float = 0.12
) -> None:
    """Draw uint8 grey images of shape (rows, columns, P, P) as one tiled picture on ``ax``.

    Tiles are separated by ``max(1, P // 16)`` pixels of grey ``pad_value``; rows and columns are
    labelled at the tile centres and the frame is drawn in ``colour``.
    """
    imgs = np.asarray(images, dtype=np.float64) / 255.0
    R, C, P, Q = imgs.shape
    pad = max(1, P // 16)
    out = np.full((R * (P + pad) - pad, C * (Q + pad) - pad), pad_value)
    for r in range(R):
        for c in range(C):
            out[r * (P + pad) : r * (P + pad) + P, c * (Q + pad) : c * (Q + pad) + Q] = imgs[r, c]
    ax.imshow(out, cmap="Greys", vmin=0, vmax=1, interpolation="nearest")
    ax.set_yticks([r * (P + pad) + P / 2 for r in range(R)], row_labels)
    ax.set_xticks([c * (Q + pad) + Q / 2 for c in range(C)], col_labels, fontsize=7)
    ax.tick_params(length=0)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(True)
        ax.spines[side].set_color(colour)
        ax.spines[side].set_linewidth(2)
