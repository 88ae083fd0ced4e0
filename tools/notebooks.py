"""Derive, record and check the reference notebooks in tests/notebooks.

    python tools/notebooks.py record [CHAPTER ...]   # book/X.md -> tests/notebooks/X.ipynb, executed
    python tools/notebooks.py check                  # every chapter has an in-sync reference

A chapter is a file book/*.md with a jupytext header (an executable MyST notebook).
The reference is always derived from the chapter (never the reverse) and executed with
the `book` profile, from tests/notebooks (where nbval re-executes it), with this machine's own
CPU kernels; the reference's metadata says which (``latentdyn.recorded_cpu_capability``), so
that nbval can re-execute it with other ones (tools/other_isa.py).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from other_isa import machine_capability  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
REFERENCES = ROOT / "tests" / "notebooks"


def chapters() -> list[Path]:
    """Executable chapters: book/*.md files that carry a jupytext header."""
    return sorted(path for path in BOOK.glob("*.md") if "\njupytext:" in "\n" + path.read_text())


def cell_inputs(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def record(names: list[str]) -> None:
    selected = [p for p in chapters() if not names or p.stem in names]
    missing = set(names) - {p.stem for p in selected}
    if missing:
        sys.exit(f"no such chapter(s): {sorted(missing)}")
    capability = machine_capability()  # refuses a limited ISA: references use the machine's best
    REFERENCES.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("LATENTDYN_PROGRESS", "none")  # no widget state in the references
    for chapter in selected:
        notebook = jupytext.read(chapter)
        began = time.perf_counter()
        NotebookClient(notebook, timeout=900, kernel_name="python3",
                       resources={"metadata": {"path": str(REFERENCES)}}).execute()
        notebook.metadata["latentdyn"] = {"recorded_cpu_capability": capability}
        target = REFERENCES / f"{chapter.stem}.ipynb"
        nbformat.write(notebook, target)
        print(f"recorded {target.relative_to(ROOT)} in {time.perf_counter() - began:.1f} s ({capability} kernels)")


def check() -> int:
    problems = []
    for chapter in chapters():
        reference = REFERENCES / f"{chapter.stem}.ipynb"
        if not reference.exists():
            problems.append(f"{chapter.name}: no reference {reference.relative_to(ROOT)} (run make reference)")
            continue
        recorded = nbformat.read(reference, as_version=4)
        if "recorded_cpu_capability" not in recorded.metadata.get("latentdyn", {}):
            problems.append(f"{reference.relative_to(ROOT)} does not say which CPU kernels recorded it "
                            "(re-record it with make reference CHAPTERS=" + chapter.stem + ")")
        if cell_inputs(jupytext.read(chapter)) != cell_inputs(recorded):
            problems.append(f"{chapter.name}: inputs differ from {reference.relative_to(ROOT)} "
                            "(re-record it with make reference CHAPTERS=" + chapter.stem + ")")
    orphans = {p.stem for p in REFERENCES.glob("*.ipynb")} - {p.stem for p in chapters()}
    problems += [f"tests/notebooks/{name}.ipynb has no chapter book/{name}.md" for name in sorted(orphans)]
    for problem in problems:
        print("OUT OF SYNC:", problem)
    if not problems:
        print(f"{len(chapters())} chapters in sync with their reference notebooks")
    return 1 if problems else 0


if __name__ == "__main__":
    command, *arguments = sys.argv[1:] or ["check"]
    if command == "record":
        record(arguments)
    elif command == "check":
        sys.exit(check())
    else:
        sys.exit(__doc__)
