"""The four CpAE system chapters are one page: the same code cells (drawn from the damped
pendulum's, which shows every part), one page builder, no analysis of their own."""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest

from latentdyn.cpae.pages import CHECK_PREFIX, CHECK_TOLERANCES, run_cpae_page

BOOK = Path(__file__).resolve().parents[1] / "book"
CHAPTERS = {
    "damped_pendulum": "cpae_2_damped_pendulum",
    "elastic_double_pendulum": "cpae_3_elastic_pendulum",
    "rigid_double_pendulum": "cpae_4_double_pendulum",
    "swing_stick": "cpae_5_swing_stick",
}


def _code_cells(chapter: str) -> list[str]:
    notebook = jupytext.read(BOOK / f"{chapter}.md")
    return [cell.source.strip() for cell in notebook.cells if cell.cell_type == "code"]


def test_every_system_chapter_is_the_damped_page_with_its_system():
    damped = _code_cells(CHAPTERS["damped_pendulum"])
    for system, chapter in CHAPTERS.items():
        cells = _code_cells(chapter)
        parameters = cells[0].replace(f'system: str = "{system}"', 'system: str = "damped_pendulum"')
        assert parameters == damped[0], f"{chapter}: its parameters differ from the damped page's beyond the system"
        for cell in cells[1:]:
            assert cell in damped, f"{chapter} has a code cell the damped page does not:\n{cell}"
        assert "run_cpae_page(" in cells[1]


def test_no_chapter_cell_computes_what_the_page_builder_should():
    """Cells glue, show and check; they call no experiment function besides the entry call."""
    called = set()
    for chapter in CHAPTERS.values():
        for cell in _code_cells(chapter):
            code = "\n".join(line.split("#")[0] for line in cell.splitlines())
            called |= set(re.findall(r"\b([a-z_]+)\(", code))
    allowed = {
        "run_cpae_page",
        "glue",
        "display",
        "table",
        "Markdown",
        "isinstance",
        "print",
        "check_values",
        "long_table",
        "paired_table",
        "system_table",
        "drop",
        "len",
        "items",
    }
    assert called <= allowed, f"chapter cells call {sorted(called - allowed)}"


def test_every_system_has_a_check_prefix_and_every_part_a_tolerance():
    assert set(CHECK_PREFIX) == set(CHAPTERS)
    assert len(set(CHECK_PREFIX.values())) == len(CHECK_PREFIX)
    assert all(set(tolerance) <= {"abs_tol", "rel_tol"} for tolerance in CHECK_TOLERANCES.values())


def test_an_unknown_system_is_refused_by_name():
    with pytest.raises(ValueError, match="system"):
        run_cpae_page("triple_pendulum", profile="smoke")


def test_a_page_without_shipped_or_recorded_parts():
    """The swing stick has neither shipped 64 px models nor recorded seeds: those parts are None
    and the page holds the run, its figures, its values and its properties check."""
    page = run_cpae_page("swing_stick", profile="smoke", workers=1)
    assert (page.long, page.claim, page.readings, page.budget, page.floor, page.curve_table) == (None,) * 6
    assert page.check_prefix == "swing" and list(page.checked) == ["properties"]
    assert all(isinstance(flag, bool) for flag in page.checked["properties"].values())
    assert {"fig_frames", "fig_vpt", "fig_latents"} <= set(page.figures)
    assert {"vpt_cpae", "vpt_standard", "time_step", "test_frames", "horizon", "recorded_verdict"} <= set(page.values)
    assert page.values["recorded_verdict"] == "not run"
