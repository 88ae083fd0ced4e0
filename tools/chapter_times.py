"""Print the execution time of every chapter from nbval's JUnit report (``make nbval`` writes
``_build/nbval-times-*.xml``, one per group of chapters run with the same CPU kernels): the sum
of its cells' times, and the total.

    python tools/chapter_times.py REPORT.xml [REPORT.xml ...]
"""
from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path


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
        print(f"{name:40s} {seconds / 60:6.1f} min")
    print(f"{'total':40s} {sum(times.values()) / 60:6.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
