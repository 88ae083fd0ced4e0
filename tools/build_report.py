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
- a script loaded from the network, or stored widget state (the pages must work offline);
- a paragraph that appears twice on a page (generated boilerplate);
- a markdown list rendered as running text (``- item - item`` inside a paragraph);
- a table without data cells, or one wider than the content column (more than
  :data:`MAX_TABLE_COLUMNS` cells in a row, or wider than :data:`MAX_TABLE_CHARACTERS`
  characters when every cell wraps at its longest word);
- a sentence pointing at "the table below" with no table before the section ends;
- a figure whose plotted data are all zero or all missing (the warning that
  :func:`latentdyn.plotting.style.finish` writes into the executed notebook, read from
  ``jupyter_execute`` beside the HTML).

Every page is checked and reported, so one run lists all the work left; the exit status is 1
when any page fails.
"""

from __future__ import annotations

import json
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
MIN_REPEATED_CHARACTERS = 80  # shorter paragraphs ("Not run.") may repeat on purpose
MAX_TABLE_COLUMNS = 7  # the reader tables of latentdyn.reporting show at most 7 side by side
MAX_TABLE_CHARACTERS = 110  # about the content column's width at the tables' font size
LIST_MARKER = re.compile(r"(?:^|[.:;!?]\s)\s*[-*+]\s+[\w*`(\"“]")
INLINE_MATH = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]|\$[^$]*\$")
TABLE_BELOW = re.compile(r"\b(?:table|tables) below\b|\bfollowing table\b", re.IGNORECASE)
FIGURE_DATA_WARNING = "FigureDataWarning"


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


def _paragraph_texts(soup: BeautifulSoup) -> list[str]:
    content = soup.find("main") or soup
    return [" ".join(p.get_text(" ", strip=True).split()) for p in content.find_all("p") if not p.find_parent("pre")]


def repeated_paragraphs(soup: BeautifulSoup, min_characters: int = MIN_REPEATED_CHARACTERS) -> list[str]:
    """One problem per paragraph of at least ``min_characters`` characters that appears more than once."""
    counts: dict[str, int] = {}
    for text in _paragraph_texts(soup):
        if len(text) >= min_characters:
            counts[text] = counts.get(text, 0) + 1
    return [f"repeats a paragraph {count} times: {text[:70]!r}" for text, count in counts.items() if count > 1]


def inline_lists(soup: BeautifulSoup) -> list[str]:
    """Paragraphs that hold a markdown list as running text (a list glued inline)."""
    return [
        f"shows a markdown list as running text: {text[:70]!r} (glue it as a block, or make it a table)"
        for text in _paragraph_texts(soup)
        if LIST_MARKER.search(INLINE_MATH.sub(" ", text))
    ]


def _rows(table: Tag) -> list[list[str]]:
    return [[cell.get_text(" ", strip=True) for cell in row.find_all(["td", "th"])] for row in table.find_all("tr")]


def table_problems(
    soup: BeautifulSoup, max_columns: int = MAX_TABLE_COLUMNS, max_characters: int = MAX_TABLE_CHARACTERS
) -> list[str]:
    """Tables without data cells, and tables wider than the content column: more than
    ``max_columns`` cells in a row, or a narrowest layout (every cell wrapped at its longest word,
    two characters of padding a column) wider than ``max_characters``."""
    content = soup.find("main") or soup
    problems = []
    for number, table in enumerate(content.find_all("table"), start=1):
        rows = _rows(table)
        header = " | ".join(rows[0])[:50] if rows else ""
        if not any(cell for row in table.find_all("tr") for cell in row.find_all("td")) or not any(
            text for row in rows[1:] for text in row
        ):
            problems.append(f"table {number} ({header!r}) has no data cells")
            continue
        columns = max(len(row) for row in rows)
        widths = [0] * columns
        for row in rows:
            for index, text in enumerate(row):
                widths[index] = max(widths[index], max((len(word) for word in text.split()), default=0))
        characters = sum(widths) + 2 * columns
        if columns > max_columns:
            problems.append(f"table {number} ({header!r}) has {columns} columns (at most {max_columns})")
        elif characters > max_characters:
            problems.append(
                f"table {number} ({header!r}) needs {characters} characters at its narrowest "
                f"(the column holds about {max_characters})"
            )
    return problems


def missing_announced_tables(soup: BeautifulSoup) -> list[str]:
    """Sentences that announce "the table below" in a section that shows no table after them."""
    content = soup.find("main") or soup
    problems = []
    for paragraph in content.find_all("p"):
        text = " ".join(paragraph.get_text(" ", strip=True).split())
        if not TABLE_BELOW.search(text):
            continue
        for following in paragraph.find_all_next(["table", "h1", "h2", "h3"]):
            if following.name == "table":
                break
            problems.append(f"announces a table below that the section does not show: {text[:70]!r}")
            break
        else:
            problems.append(f"announces a table below that the page does not show: {text[:70]!r}")
    return problems


def figure_data_warnings(notebook: Path) -> list[str]:
    """The all-zero / all-missing figure warnings in an executed notebook's outputs (removed cells
    included: the figures are made in hidden cells and glued)."""
    if not notebook.exists():
        return []
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    problems = []
    for cell in cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "")
            text = "".join(text) if isinstance(text, list) else text
            for line in text.splitlines():
                if FIGURE_DATA_WARNING in line:
                    problems.append(
                        "draws a figure without data: " + line.split(FIGURE_DATA_WARNING + ":", 1)[-1].strip()
                    )
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
    report.problems += repeated_paragraphs(soup)
    report.problems += inline_lists(soup)
    report.problems += table_problems(soup)
    report.problems += missing_announced_tables(soup)
    report.problems += figure_data_warnings(html_dir.parent / "jupyter_execute" / f"{name}.ipynb")
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
