"""Every import route the README documents works, and the experiments' public surface is complete."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROUTE = re.compile(r"from (latentdyn[\w.]*) import \(?([\w, ]+)\)?")


def _readme_routes() -> list[tuple[str, str]]:
    routes = []
    for module, names in ROUTE.findall((ROOT / "README.md").read_text()):
        routes += [(module, name.strip()) for name in names.split(",") if name.strip() not in ("", "...")]
    return sorted(set(routes))


DOTTED = re.compile(r"`(latentdyn(?:\.\w+)+)")


def _resolve(dotted: str):
    """A dotted name: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            value = getattr(value, attribute)
        return value
    raise ModuleNotFoundError(dotted)


@pytest.mark.parametrize("dotted", sorted(set(DOTTED.findall((ROOT / "README.md").read_text()))))
def test_every_dotted_name_in_the_readme_resolves(dotted):
    assert _resolve(dotted) is not None


def test_the_readme_documents_routes():
    assert ("latentdyn.experiments", "run_cpae_system") in _readme_routes()


@pytest.mark.parametrize("module, name", _readme_routes())
def test_every_readme_route_imports(module, name):
    assert getattr(importlib.import_module(module), name) is not None


def test_experiments_expose_every_entry_function_with_all():
    experiments = importlib.import_module("latentdyn.experiments")
    entries = {name for name in experiments.__all__ if name.startswith("run_")}
    for chapter in sorted((ROOT / "book").glob("*.md")):
        for name in re.findall(r"\b(run_[a-z_]+)\(", chapter.read_text()):
            assert name in entries, f"{chapter.name} calls {name}, which latentdyn.experiments does not expose"
    for name in experiments.__all__:
        assert not name.startswith("_") and getattr(experiments, name) is not None
