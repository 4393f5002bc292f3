"""The promised accuracies are stated once: the README's accuracy table quotes these values."""

import re
from pathlib import Path

from impossibility import tolerances

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_accuracy_table_states_the_promises():
    table = README[README.index("## Accuracy") :]
    table = table[: table.index("\n## ", 1)]
    for value in (
        tolerances.ROUND_TRIP_BULK,
        tolerances.ROUND_TRIP_TAIL,
        tolerances.DENSITY_INVARIANCE,
        tolerances.LOG_DET_VS_SLOGDET,
        tolerances.JACOBIAN_VS_FD_RELATIVE,
        tolerances.SYMBOLIC_VS_NUMERIC,
        tolerances.MPMATH_G,
    ):
        text = re.sub(r"e-0(\d)", r"e-\1", f"{value:g}")  # 1e-08 is written 1e-8
        assert text in table, f"README accuracy table does not state {text}"


def test_promises_of_the_accuracy_figure_are_the_constants():
    assert tolerances.PROMISES == {
        "bulk_round_trip": tolerances.ROUND_TRIP_BULK,
        "tail_round_trip": tolerances.ROUND_TRIP_TAIL,
        "density_error": tolerances.DENSITY_INVARIANCE,
        "fd_error": tolerances.JACOBIAN_VS_FD_RELATIVE,
    }
