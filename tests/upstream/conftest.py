"""A failing upstream API test's report ends with the tail of heat-all's log."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    heat_all = getattr(item, "funcargs", {}).get("heat_all")
    if report.failed and heat_all is not None:
        report.sections.append(("heat-all log", heat_all.tail()))
    return report
