"""Derive, record and check the reference notebooks in tests/notebooks.

    python tools/notebooks.py record [CHAPTER ...]   # book/X.md -> tests/notebooks/X.ipynb, executed
    python tools/notebooks.py check                  # every chapter has an in-sync reference
    python tools/notebooks.py prose                  # copy the chapters' markdown into the references
    python tools/notebooks.py strip                  # drop figure images from the committed references

A chapter is a file book/*.md with a jupytext header (an executable MyST notebook).
The reference is always derived from the chapter (never the reverse) and executed with
the `book` profile, from tests/notebooks (where nbval re-executes it), with this machine's own
CPU kernels; the reference's metadata says which (``latentdyn.recorded_cpu_capability``), so
that nbval can re-execute it with other ones (tools/other_isa.py).

In sync means: the same code cells (sources and tags, the parameters cell among them). Markdown
is not compared: the book build executes the chapter itself, so a prose-only edit needs no
re-recording (``prose`` copies the new markdown into the references, without executing, for the
launch buttons that open them). A reference keeps what nbval compares and the glue data, without
figure images (nbval never compares them): :func:`strip_for_reference`.
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
from other_isa import machine_capability

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
REFERENCES = ROOT / "tests" / "notebooks"


def chapters() -> list[Path]:
    """Executable chapters: book/*.md files that carry a jupytext header."""
    return sorted(path for path in BOOK.glob("*.md") if "\njupytext:" in "\n" + path.read_text())


def code_cells(notebook: nbformat.NotebookNode) -> list[tuple[str, tuple[str, ...]]]:
    """What the sync check compares: each code cell's source and tags, in order."""
    return [
        (cell.source.strip(), tuple(cell.metadata.get("tags", ())))
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]


_IMAGES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")
# glue stores a figure under papermill's record types; nbval compares neither kind
IMAGE_TYPES = _IMAGES + tuple(f"application/papermill.record/{mime}" for mime in _IMAGES)
CHECKED_MARK = "NBVAL_CHECK_OUTPUT"


def strip_for_reference(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what nbval does not compare and nothing reads: figure images from every output, and
    HTML renderings from the outputs of unchecked cells (their text/plain form stays, and so
    does the glue metadata). Returns the notebook, changed in place."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        checked = CHECKED_MARK in cell.source
        for output in cell.get("outputs", []):
            data = output.get("data")
            if data is None:
                continue
            for mime in list(data):
                html = mime.endswith("text/html")
                if mime in IMAGE_TYPES or (html and not checked):
                    del data[mime]
            if not data and output.get("output_type") in ("display_data", "execute_result"):
                data["text/plain"] = "<figure: not kept in the reference>"
    return notebook


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
        NotebookClient(
            notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(REFERENCES)}}
        ).execute()
        notebook.metadata["latentdyn"] = {"recorded_cpu_capability": capability}
        target = REFERENCES / f"{chapter.stem}.ipynb"
        nbformat.write(strip_for_reference(notebook), target)
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
            problems.append(
                f"{reference.relative_to(ROOT)} does not say which CPU kernels recorded it "
                "(re-record it with make reference CHAPTERS=" + chapter.stem + ")"
            )
        if code_cells(jupytext.read(chapter)) != code_cells(recorded):
            problems.append(
                f"{chapter.name}: code cells differ from {reference.relative_to(ROOT)} "
                "(re-record it with make reference CHAPTERS=" + chapter.stem + ")"
            )
        images = sum(
            mime in IMAGE_TYPES
            for cell in recorded.cells
            for output in cell.get("outputs", [])
            for mime in output.get("data", {})
        )
        if images:
            problems.append(
                f"{reference.relative_to(ROOT)} holds {images} figure image(s) (python tools/notebooks.py strip)"
            )
    orphans = {p.stem for p in REFERENCES.glob("*.ipynb")} - {p.stem for p in chapters()}
    problems += [f"tests/notebooks/{name}.ipynb has no chapter book/{name}.md" for name in sorted(orphans)]
    for problem in problems:
        print("OUT OF SYNC:", problem)
    if not problems:
        print(f"{len(chapters())} chapters in sync with their reference notebooks")
    return 1 if problems else 0


def copy_prose() -> None:
    """Replace each reference's markdown cells by its chapter's (the code cells must be in sync)."""
    for chapter in chapters():
        reference = REFERENCES / f"{chapter.stem}.ipynb"
        recorded, source = nbformat.read(reference, as_version=4), jupytext.read(chapter)
        if code_cells(source) != code_cells(recorded):
            sys.exit(f"{chapter.name}: code cells differ from its reference; re-record it instead")
        outputs = iter([cell for cell in recorded.cells if cell.cell_type == "code"])
        # a markdown cell whose text is unchanged keeps its recorded cell (and id): no churn
        unchanged = {cell.source: cell for cell in recorded.cells if cell.cell_type == "markdown"}
        cells = []
        for cell in source.cells:
            cells.append(next(outputs) if cell.cell_type == "code" else unchanged.get(cell.source, cell))
        if cells == recorded.cells:
            continue
        recorded.cells = cells
        nbformat.write(recorded, reference)
        print(f"markdown of {reference.relative_to(ROOT)} copied from {chapter.relative_to(ROOT)}")


def strip_references() -> None:
    for reference in sorted(REFERENCES.glob("*.ipynb")):
        before = reference.stat().st_size
        nbformat.write(strip_for_reference(nbformat.read(reference, as_version=4)), reference)
        print(f"{reference.relative_to(ROOT)}: {before / 1e6:.2f} MB -> {reference.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    command, *arguments = sys.argv[1:] or ["check"]
    if command == "record":
        record(arguments)
    elif command == "check":
        sys.exit(check())
    elif command == "prose":
        copy_prose()
    elif command == "strip":
        strip_references()
    else:
        sys.exit(__doc__)
