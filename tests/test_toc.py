"""tools/toc.py: the chapters in the order of the table of contents (make times, nbval groups)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import toc  # noqa: E402


def test_book_order_follows_the_table_of_contents_and_puts_unlisted_files_last(tmp_path):
    table = tmp_path / "_toc.yml"
    table.write_text(
        "format: jb-book\nroot: book/intro\nparts:\n  - caption: A\n    chapters:\n"
        "      - file: book/zeta\n      - file: book/alpha\n  - caption: B\n    chapters:\n"
        "      - file: book/mid\n"
    )
    paths = [Path(f"nb/{name}.ipynb") for name in ("alpha", "extra_b", "intro", "mid", "extra_a", "zeta")]
    assert [p.stem for p in toc.in_book_order(paths, table)] == ["intro", "zeta", "alpha", "mid", "extra_a", "extra_b"]


def test_every_reference_notebook_is_a_chapter_of_the_book():
    listed = set(toc.toc_stems())
    references = {path.stem for path in (ROOT / "tests" / "notebooks").glob("*.ipynb")}
    assert references and references <= listed, sorted(references - listed)
