"""Shared test configuration: hypothesis profiles.

``make test`` / ``make unit`` (and CI) use the "repro" profile: derandomized, so
every machine runs the same examples and a red run reproduces exactly.
``make explore`` (HYPOTHESIS_PROFILE=explore) runs only the property tests,
with fresh random examples and `EXPLORE_FACTOR` times as many of them (each
test's own ``max_examples`` is scaled too), to look for counterexamples; a
failure prints the example to pin as an ``@example``.
"""

import os

import pytest
from hypothesis import settings

EXPLORE_FACTOR = int(os.environ.get("EXPLORE_FACTOR", "10"))
"""How many times more examples `make explore` runs than `make unit`."""

settings.register_profile("repro", derandomize=True, deadline=None, print_blob=True)
settings.register_profile(
    "explore", derandomize=False, deadline=None, print_blob=True, max_examples=100 * EXPLORE_FACTOR
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "repro")
settings.load_profile(PROFILE)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under the explore profile keep only the property tests, each with EXPLORE_FACTOR x its examples."""
    if PROFILE != "explore":
        return
    kept, dropped = [], []
    for item in items:
        test = getattr(item, "obj", None)
        own = getattr(test, "_hypothesis_internal_use_settings", None)
        if own is None:
            dropped.append(item)
            continue
        test._hypothesis_internal_use_settings = settings(  # type: ignore[union-attr]
            own, max_examples=own.max_examples * EXPLORE_FACTOR, derandomize=False
        )
        kept.append(item)
    config.hook.pytest_deselected(items=dropped)
    items[:] = kept
