"""The chapters in the order of the book's table of contents (``_toc.yml``).

    python tools/toc.py tests/notebooks   # the notebooks of that folder, one path a line, in book order

Used by ``make times`` (every chapter in book order into an empty data cache, as a reader's
first build runs them) and by ``tools/other_isa.py plan`` (nbval in book order within a group,
so that a chapter reuses the models an earlier chapter trained, as in a build).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_stems(toc: Path = ROOT / "_toc.yml") -> list[str]:
    """File stems of the table of contents in reading order: the root, then every part's chapters."""
    content = yaml.safe_load(toc.read_text())
    files = [content["root"]]
    for part in content.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    files += [chapter["file"] for chapter in content.get("chapters", [])]
    return [Path(name).stem for name in files]


def in_book_order(paths: list[Path], toc: Path = ROOT / "_toc.yml") -> list[Path]:
    """``paths`` sorted by their stem's place in the table of contents; stems it does not list
    come last, by name."""
    place = {stem: index for index, stem in enumerate(toc_stems(toc))}
    return sorted(paths, key=lambda path: (place.get(path.stem, len(place)), path.name))


if __name__ == "__main__":
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        sys.exit(__doc__)
    notebooks = in_book_order(sorted(Path(sys.argv[1]).glob("*.ipynb")))
    if not notebooks:
        sys.exit(f"no notebooks in {sys.argv[1]}")
    print("\n".join(str(path) for path in notebooks))
