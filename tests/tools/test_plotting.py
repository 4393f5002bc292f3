"""Figures are written byte-identically, in the formats asked for, with the package style."""

import matplotlib.pyplot as plt
import pytest

from impossibility.tools.plotting import DISENTANGLED, ENTANGLED, figure_style, savefig


def _figure():
    with figure_style():
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.plot([0, 1], [0, 1], color=DISENTANGLED)
        ax.plot([0, 1], [1, 0], color=ENTANGLED)
        assert plt.rcParams["font.size"] == 9
    return fig


def test_savefig_is_byte_reproducible_in_every_format(tmp_path):
    first = savefig(_figure(), tmp_path / "a.png", formats=("png", "pdf", "svg"))
    again = savefig(_figure(), tmp_path / "b.png", formats=("png", "pdf", "svg"))
    assert [p.suffix for p in first] == [".png", ".pdf", ".svg"]
    for p, q in zip(first, again, strict=True):
        assert p.read_bytes() == q.read_bytes()
    assert plt.get_fignums() == []  # savefig closes the figure


def test_savefig_refuses_an_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="unsupported figure format 'bmp'"):
        savefig(_figure(), tmp_path / "a.png", formats=("bmp",))
    plt.close("all")
