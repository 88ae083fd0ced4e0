"""Shared test set-up: a headless matplotlib backend, and per-chapter times for nbval runs."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")  # only for the test process; notebooks keep their inline backend
os.environ.setdefault("LATENTDYN_PROGRESS", "0")

_notebook_seconds: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report):
    path = Path(str(report.fspath))
    if path.suffix == ".ipynb":
        _notebook_seconds[path.stem] += report.duration


def pytest_terminal_summary(terminalreporter):
    if not _notebook_seconds:
        return
    terminalreporter.section("chapter execution times (nbval)")
    for name, seconds in sorted(_notebook_seconds.items()):
        terminalreporter.write_line(f"{name:40s} {seconds:7.1f} s")
    terminalreporter.write_line(f"{'total':40s} {sum(_notebook_seconds.values()):7.1f} s")


@pytest.fixture(autouse=True)
def _single_thread():
    """Unit tests run on one torch thread: fast on a shared machine and independent of its cores."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
