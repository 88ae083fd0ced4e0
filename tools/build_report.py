"""After a book build: check every page of the table of contents as a reader meets it.

    python tools/build_report.py _build/html

For each page it reports, and fails on:

- a missing page, or an executable chapter with ``glue:figure`` directives that shows no image;
- ``NBVAL_CHECK_OUTPUT`` anywhere in the page (those cells must carry ``remove-cell``);
- a visible ``glue(`` call: code of a cell that is not behind a ``hide-input``/``hide-cell``
  toggle (a ``remove-cell`` cell is not in the HTML at all);
- a path into ``../shared`` (the project's shared folder, which a reader does not have);
- an image whose alt text is empty or a file name or path (a lightbox thumbnail may have an
  empty alt: its enlarged copy carries the text);
- a figure image saved below :data:`MIN_DPI` dpi (the PNG's ``pHYs`` chunk; matplotlib writes it);
- an unresolved bibliography key;
- output a reader should never see in prose: an object's repr (``<IPython.core.display.Markdown
  object>``, a glued value shown with the wrong role) or unrendered ``$...$`` mathematics (glued
  Markdown parsed as CommonMark, the default of the ``glue:md`` role);
- a script loaded from the network, or stored widget state (the pages must work offline).

Every page is checked and reported, so one run lists all the work left; the exit status is 1
when any page fails.
"""

from __future__ import annotations

import re
import struct
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from bs4 import BeautifulSoup, Tag

ROOT = Path(__file__).resolve().parents[1]
MIN_DPI = 150.0
INCHES_PER_METRE = 39.3701
SHARED_PATH = re.compile(r"\.\./shared\b|/work/shared\b")
HIDING_TAGS = ("tag_hide-input", "tag_hide-cell")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
HASH_NAME = re.compile(r"[0-9a-f]{16,}", re.IGNORECASE)


@dataclass
class PageReport:
    """What one built page shows: its images and every problem found."""

    name: str
    images: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def toc_files(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Every page of the table of contents, root first (``book/intro`` ...)."""
    toc = yaml.safe_load(toc_path.read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    return files


# ------------------------------------------------------------------------------ single checks


def nbval_markers(text: str) -> list[str]:
    return ["shows an NBVAL_CHECK_OUTPUT cell (tag it remove-cell)"] if "NBVAL_CHECK_OUTPUT" in text else []


def _hidden(cell_input: Tag) -> bool:
    """True when a cell's code sits behind a toggle (``hide-input``/``hide-cell``)."""
    for ancestor in cell_input.parents:
        if ancestor.name == "details":
            return True
        classes = ancestor.get("class") or []
        if "cell" in classes and any(tag in classes for tag in HIDING_TAGS):
            return True
    return False


def visible_glue_calls(soup: BeautifulSoup) -> list[str]:
    """One problem per code cell whose visible source calls ``glue(``."""
    problems = []
    for cell_input in soup.select("div.cell_input"):
        source = cell_input.get_text()
        if "glue(" in source and not _hidden(cell_input):
            first = next((line.strip() for line in source.splitlines() if "glue(" in line), "")
            problems.append(f"shows a glue( call: {first[:70]!r} (tag the cell remove-cell or hide-cell)")
    return problems


def shared_paths(text: str) -> list[str]:
    found = sorted(set(SHARED_PATH.findall(text)))
    return [f"mentions the path {path!r}, which a reader does not have" for path in found]


def alt_text_problem(alt: str | None, classes: Iterable[str] = ()) -> str | None:
    """Why ``alt`` is not a meaningful alt text, or ``None`` when it is."""
    if alt is None or not alt.strip():
        if "lightbox-trigger" in classes:
            return None  # decorative thumbnail: the lightbox's enlarged copy carries the text
        return "has no alt text"
    text = alt.strip()
    path_like = not re.search(r"\s", text) and ("/" in text or "\\" in text)
    if path_like or text.lower().endswith(IMAGE_SUFFIXES) or HASH_NAME.fullmatch(text.replace(" ", "")):
        return f"has a file name as alt text ({text[:50]!r})"
    return None


def png_dpi(path: Path) -> float | None:
    """Horizontal resolution in dots per inch from a PNG's ``pHYs`` chunk; ``None`` if absent."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG file")
    position = 8
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        if kind == b"pHYs":
            per_unit_x, _, unit = struct.unpack(">IIB", data[position + 8 : position + 17])
            return per_unit_x / INCHES_PER_METRE if unit == 1 else None
        if kind in (b"IDAT", b"IEND"):
            return None  # pHYs must come before the image data
        position += 12 + length
    return None


def image_problems(soup: BeautifulSoup, page: Path) -> tuple[int, list[str]]:
    """Number of distinct content images, and their alt-text and resolution problems."""
    content = soup.find("main") or soup
    problems, seen = [], set()
    for image in content.find_all("img"):
        source = image.get("src", "")
        problem = alt_text_problem(image.get("alt"), image.get("class") or [])
        if problem:
            problems.append(f"image {Path(source).name} {problem}")
        if source in seen or source.startswith(("data:", "http:", "https:")):
            continue
        seen.add(source)
        path = (page.parent / source).resolve()
        if path.suffix.lower() == ".png" and "_images" in path.parts and path.is_file():
            dpi = png_dpi(path)
            if dpi is None:
                problems.append(f"image {path.name} records no resolution (save it with dpi={MIN_DPI:g})")
            elif dpi < MIN_DPI - 0.5:
                problems.append(f"image {path.name} is saved at {dpi:.0f} dpi (< {MIN_DPI:g})")
    return len(seen), problems


def _context(node: Tag, width: int = 40) -> str:
    text = " ".join(node.parent.get_text(" ", strip=True).split()) if node.parent else ""
    return text[: width * 2]


def unresolved_citations(soup: BeautifulSoup) -> list[str]:
    """Citations and cross-references that Sphinx could not resolve.

    sphinxcontrib-bibtex renders a citation of an unknown key as a ``span.bibtex-citation``
    without a link (``[]``); Sphinx renders an unresolved ``{doc}``/``{ref}`` as a ``span.xref``
    outside a link; docutils marks other failures ``.problematic``.
    """
    problems = []
    for citation in soup.select("span.bibtex-citation"):
        if citation.find("a") is None:
            problems.append(f"has an unresolved citation (unknown bibliography key) in {_context(citation)!r}")
    for reference in soup.select("span.xref"):
        if reference.find_parent("a") is None:
            problems.append(f"has an unresolved reference {reference.get_text(strip=True)!r}")
    for node in soup.select(".problematic"):
        problems.append(f"has a markup error at {node.get_text(strip=True)[:40]!r}")
    return problems


def network_resources(soup: BeautifulSoup, text: str) -> list[str]:
    problems = [
        f"loads a script from the network ({script['src'][:60]})"
        for script in soup.find_all("script", src=True)
        if script["src"].startswith(("http:", "https:", "//"))
    ]
    if "application/vnd.jupyter.widget-state+json" in text:
        problems.append("stores widget state (progress bars must not be widgets in the build)")
    return problems


# ------------------------------------------------------------------------------ pages


OBJECT_REPR = re.compile(r"<[A-Za-z_][\w.]*\.[A-Za-z_]\w* object(?: at 0x[0-9a-f]+)?>")
RAW_MATH = re.compile(r"\$[^$\s][^$]{0,80}?\$")


def raw_output_in_prose(soup: BeautifulSoup) -> list[str]:
    """Object reprs and unrendered ``$...$`` in the page's text outside code blocks and scripts."""
    soup = BeautifulSoup(str(soup), "html.parser")  # a copy: the caller's tree stays whole
    for node in soup.find_all(["pre", "code", "script", "style"]):
        node.decompose()
    text = soup.get_text(" ")
    problems = [
        f"shows an object's repr: {match!r} (glue it with the matching role, e.g. glue:md)"
        for match in dict.fromkeys(OBJECT_REPR.findall(text))
    ]
    problems += [
        f"shows unrendered mathematics: {match!r} "
        "(glue it with {glue:md}`key:myst`: the role parses CommonMark by default)"
        for match in list(dict.fromkeys(RAW_MATH.findall(text)))[:3]
    ]
    return problems


def check_page(name: str, html_dir: Path, root: Path = ROOT) -> PageReport:
    """All checks of one page of the table of contents."""
    report = PageReport(name)
    page = html_dir / f"{name}.html"
    if not page.exists():
        report.problems.append(f"page missing: {page}")
        return report
    text = page.read_text(encoding="utf-8")
    soup = BeautifulSoup(text, "html.parser")
    report.images, image_issues = image_problems(soup, page)
    report.problems += nbval_markers(text)
    report.problems += visible_glue_calls(soup)
    report.problems += shared_paths(text)
    report.problems += image_issues
    report.problems += unresolved_citations(soup)
    report.problems += network_resources(soup, text)
    report.problems += raw_output_in_prose(soup)
    source = root / f"{name}.md"
    if source.exists():
        markdown = source.read_text(encoding="utf-8")
        if "\njupytext:" in "\n" + markdown and "glue:figure" in markdown and report.images == 0:
            report.problems.append("shows no figure although the chapter glues figures")
    return report


def main(html_dir: Path) -> int:
    reports = [check_page(name, html_dir) for name in toc_files()]
    for report in reports:
        status = "ok  " if report.ok else "FAIL"
        print(f"{status} {report.name:36s} {report.images:3d} images")
        for problem in report.problems:
            print(f"       - {problem}")
    failed = [report.name for report in reports if not report.ok]
    print(
        f"{len(reports) - len(failed)} of {len(reports)} pages pass"
        + (f"; failing: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "_build/html")))
