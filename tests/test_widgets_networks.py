"""Wiring of the network explorer (notebooks/06_cnn_time_and_space.ipynb); the report is tested
in tests/test_reports_networks.py."""

from __future__ import annotations

import html

from course_lib import architectures
from course_lib.reports import networks
from course_lib.widgets.networks import network_explorer


def test_network_list_and_batch_slider_wired_to_the_report() -> None:
    explorer = network_explorer("lenet5", 2)
    assert explorer.report is networks.report
    name, batch = explorer.controls["name"], explorer.controls["batch"]
    assert list(name.options) == architectures.names() and name.description == "network"
    assert (batch.min, batch.max, batch.value) == (*networks.LIMITS["batch"], 2)
    first = bytes(explorer.figure_view.value)
    batch.value = 64
    assert html.unescape(explorer.panel.value) == f"<pre>{networks.text('lenet5', 64)}</pre>"
    assert bytes(explorer.figure_view.value) not in (first, b"")
    assert list(explorer.children[:2]) == [name, batch]
