"""The reliability suite: prints one line of counts at the end of any test run that included it."""

from __future__ import annotations

import pytest

from tests.reliability import tally


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if tally.touched():
        terminalreporter.write_sep("=", "reliability summary")
        terminalreporter.write_line(tally.summary_line())
