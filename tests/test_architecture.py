"""The package's boundaries: no module imports another's private names (import-linter, run by
``make lint``, checks the import contracts of pyproject.toml: no circles, layers, the two papers'
paths independent)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "latentdyn"


def private_imports(root: Path = PACKAGE) -> list[str]:
    """``module: name`` for every private name (one leading underscore) imported from another
    module of the package."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("latentdyn"):
                found += [
                    f"{path.relative_to(root)}: {node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
    return found


def test_no_private_name_crosses_a_module():
    assert private_imports() == []


def test_the_check_sees_a_private_import(tmp_path):
    (tmp_path / "a.py").write_text("from latentdyn.b import _hidden, shown\n")
    assert private_imports(tmp_path) == ["a.py: latentdyn.b._hidden"]


# the shared ground, the two papers' folders and what sits above both (README, "Layout")
TOP_LEVEL = {
    "__init__.py",
    "experiments.py",
    "headline.py",
    "cpae",
    "inbetween",
    "plotting",
    "cache.py",
    "checks.py",
    "image_files.py",
    "parallel.py",
    "profiles.py",
    "reporting.py",
    "runtime.py",
    "statistics.py",
    "validation.py",
    "verdicts.py",
}


def test_each_paper_is_one_folder_over_the_shared_ground():
    """A module of one paper belongs in its folder (``cpae/`` or ``inbetween/``): a new module at the
    top level is either shared ground, listed here and in the README, or misplaced."""
    here = {path.name for path in PACKAGE.iterdir() if path.name != "__pycache__"}
    assert here == TOP_LEVEL
