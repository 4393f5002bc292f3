"""Shared test configuration: hypothesis profiles and the suite's statistical error budget.

Statistical assertions (a p-value compared with a level) go through the ``stat_check`` fixture.
Each uses the level ALPHA = 1e-10, and the session fails if more than MAX_STAT_ASSERTIONS = 10⁴
of them ran, so by Bonferroni the probability that a correct implementation fails any of them is
at most 10⁴ · 1e-10 = 1e-6. (Seeds are fixed and hypothesis is derandomized in CI, so a run is
deterministic; the bound is over the choice of seeds.)
"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

ALPHA = 1e-10
MAX_STAT_ASSERTIONS = 10_000

# `ci` is hypothesis' built-in profile (derandomized, no deadline, no database), loaded
# automatically when CI is set; `dev` is the default locally, `thorough` for long local runs.
settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile(
    "thorough", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
if not os.environ.get("CI"):
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

_counter = {"n": 0}


class _StatCheck:
    alpha = ALPHA

    def __call__(self, pvalue: float, what: str) -> None:
        _counter["n"] += 1
        assert pvalue > ALPHA, f"{what}: p-value {pvalue:.3g} ≤ α = {ALPHA:g}"


@pytest.fixture(scope="session")
def stat_check() -> _StatCheck:
    """Assert that a p-value exceeds the suite's per-assertion level ALPHA (and count it)."""
    return _StatCheck()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _counter["n"] > MAX_STAT_ASSERTIONS:
        print(
            f"\n{_counter['n']} statistical assertions exceed the budget of {MAX_STAT_ASSERTIONS}: "
            "the suite-level false-failure bound of 1e-6 no longer holds"
        )
        session.exitstatus = 1
