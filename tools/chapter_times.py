"""Print the execution time of every chapter from nbval's JUnit report (``make nbval`` writes
``_build/nbval-times-*.xml``, one per group of chapters run with the same CPU kernels): the sum
of its cells' times, and the total; times over the budget (5 min a chapter, 25 min the book)
are marked.

    python tools/chapter_times.py REPORT.xml [REPORT.xml ...]
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path

# the book profile's budget on a two-core CPU (seconds): per chapter, and for the whole book
CHAPTER_BUDGET, BOOK_BUDGET = 5 * 60, 25 * 60


def chapter_times(report: Path) -> dict[str, float]:
    """Seconds per notebook (the ``classname``/``file`` of each test case, without folders)."""
    times: dict[str, float] = defaultdict(float)
    for case in ElementTree.parse(report).iter("testcase"):
        name = case.get("classname", "?").removesuffix(".ipynb")
        times[name.replace("/", ".").split(".")[-1]] += float(case.get("time", 0.0))
    return dict(times)


def main(argv: list[str]) -> int:
    reports = [Path(name) for name in argv]
    missing = [str(report) for report in reports if not report.is_file()]
    if not reports or missing:
        print(f"no nbval report at {', '.join(missing) or 'any path given'}: run make nbval first", file=sys.stderr)
        return 2
    times: dict[str, float] = {}
    for report in reports:
        times.update(chapter_times(report))
    for name, seconds in sorted(times.items(), key=lambda item: -item[1]):
        print(f"{name:40s} {seconds / 60:6.1f} min" + ("   over the budget" if seconds > CHAPTER_BUDGET else ""))
    total = sum(times.values())
    print(f"{'total':40s} {total / 60:6.1f} min" + ("   over the budget" if total > BOOK_BUDGET else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
