"""tools/notebooks.py: the sync check compares code cells only, and references keep no figure images."""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import notebooks  # noqa: E402

CHAPTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---
# A chapter

Some prose.

```{code-cell} ipython3
:tags: [parameters]
seed = 0
```

```{code-cell} ipython3
print(seed)  # NBVAL_CHECK_OUTPUT
```
"""


def _project(tmp_path, monkeypatch, chapter_text=CHAPTER):
    book, references = tmp_path / "book", tmp_path / "tests" / "notebooks"
    book.mkdir()
    references.mkdir(parents=True)
    (book / "chapter.md").write_text(chapter_text)
    monkeypatch.setattr(notebooks, "BOOK", book)
    monkeypatch.setattr(notebooks, "REFERENCES", references)
    monkeypatch.setattr(notebooks, "ROOT", tmp_path)
    notebook = jupytext.read(book / "chapter.md")
    notebook.metadata["latentdyn"] = {"recorded_cpu_capability": "AVX2"}
    figure = nbformat.v4.new_output(
        "display_data",
        data={"application/papermill.record/image/png": "iVBOR", "application/papermill.record/text/plain": "<Figure>"},
    )
    notebook.cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="0\n"), figure]
    nbformat.write(notebook, references / "chapter.ipynb")
    return book / "chapter.md", references / "chapter.ipynb"


def test_a_prose_only_edit_stays_in_sync_and_prose_copies_it(tmp_path, monkeypatch, capsys):
    chapter, reference = _project(tmp_path, monkeypatch)
    notebooks.strip_references()
    chapter.write_text(CHAPTER.replace("Some prose.", "Other prose, rewritten."))
    assert notebooks.check() == 0
    notebooks.copy_prose()
    assert "Other prose, rewritten." in reference.read_text()
    assert nbformat.read(reference, as_version=4).cells[-1].outputs[0]["text"] == "0\n"  # outputs kept


def test_a_code_edit_or_a_tag_edit_is_out_of_sync(tmp_path, monkeypatch, capsys):
    chapter, _ = _project(tmp_path, monkeypatch)
    notebooks.strip_references()
    chapter.write_text(CHAPTER.replace("seed = 0", "seed = 1"))
    assert notebooks.check() == 1
    assert "code cells differ" in capsys.readouterr().out
    chapter.write_text(CHAPTER.replace(":tags: [parameters]", ":tags: [remove-cell]"))
    assert notebooks.check() == 1


def test_references_keep_no_figure_images(tmp_path, monkeypatch, capsys):
    _, reference = _project(tmp_path, monkeypatch)
    assert notebooks.check() == 1
    assert "figure image" in capsys.readouterr().out
    notebooks.strip_references()
    assert notebooks.check() == 0
    data = nbformat.read(reference, as_version=4).cells[-1].outputs[1]["data"]
    assert set(data) == {"application/papermill.record/text/plain"}  # the glue record stays


def test_committed_references_hold_no_images():
    for path in sorted((ROOT / "tests" / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                assert not set(output.get("data", {})) & set(notebooks.IMAGE_TYPES), path.name


def test_no_chapter_closes_a_fence_twice():
    """A doubled closing fence opens a code block that swallows the markdown after it (a figure
    directive then shows as code: found once by a reader)."""
    for chapter in sorted((Path(__file__).resolve().parents[1] / "book").glob("*.md")):
        lines = chapter.read_text().splitlines()
        doubled = [n + 2 for n in range(len(lines) - 1) if lines[n] == lines[n + 1] == "```"]
        assert not doubled, f"{chapter.name}: a fence closed twice at line(s) {doubled}"
