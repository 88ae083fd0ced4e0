"""After a book build: check that every chapter page exists and shows its figures.

    python tools/build_report.py _build/html

Exits non-zero when a page of the table of contents is missing or a chapter page that
should show figures has none (a figure can silently vanish when a glue key changes).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    return files


def main(html_dir: Path) -> int:
    failures = 0
    for name in toc_files():
        page = html_dir / f"{name}.html"
        if not page.exists():
            print(f"MISSING {page}")
            failures += 1
            continue
        text = page.read_text()
        figures = len(re.findall(r"<img [^>]*src=", text))
        executable = "\njupytext:" in "\n" + (ROOT / f"{name}.md").read_text()
        print(f"{name:40s} {figures:3d} images")
        if executable and "glue:figure" in (ROOT / f"{name}.md").read_text() and figures == 0:
            print(f"NO FIGURES in {page}")
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "_build/html")))
