"""The four CpAE system chapters are one page: the same code cells (drawn from the damped
pendulum's, which shows every part), one page builder, no analysis of their own."""

from __future__ import annotations

import math
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
        "means_table",  # shows the latent claim's means (LatentClaimResult)
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
    """The swing stick has no shipped 64 px models, no authors' networks and no learning curves:
    those parts are None and the page holds the run, its figures, its values and its properties
    check."""
    page = run_cpae_page("swing_stick", profile="smoke", workers=1)
    assert (page.long, page.claim, page.authors, page.floor, page.curve_table, page.latent_budget) == (None,) * 6
    assert page.check_prefix == "swing" and list(page.checked) == ["properties"]
    # the chapter's check cell reads the groups: the prefixed name with the part's tolerance
    assert page.check_groups == {"swing_properties": (page.checked["properties"], CHECK_TOLERANCES["properties"])}
    assert all(isinstance(flag, bool) for flag in page.checked["properties"].values())
    assert {"fig_frames", "fig_vpt", "fig_latents"} <= set(page.figures)
    assert {"vpt_cpae", "vpt_standard", "time_step", "test_frames", "horizon"} <= set(page.values)
    assert not any(name.startswith("recorded_") for name in page.values)  # the 32 px recorded seeds are retired


def test_curve_values_quote_each_objective_and_compare_at_one_budget():
    """The damped page's learning-curve numbers: each objective's batch-64 run on its own, and the
    lambda = 1 run at the epoch the lambda = 0 run has reached (one change at one budget)."""
    import pandas as pd

    from latentdyn.cpae.pages import SystemPage, _add_curves

    def run(variant, weight, errors, r2, seed=0):
        return [
            {
                "run": f"{variant}-{weight}-{seed}",
                "variant": variant,
                "prediction_weight": weight,
                "seed": seed,
                "batch_size": 64,
                "epoch": epoch,
                "reconstruction_error": error,
                "pixel_mse": 0.001,
                "state_r2": r2[epoch - 1],
                "smoothness_ratio": 0.5,
                "latent_spread": 1.0,
                "epoch_wall_s": 1800.0,
            }
            for epoch, error in enumerate(errors, start=1)
        ]

    rows = (
        run("standard", 1.0, [1.0, 0.6, 0.45, 0.4], [0.5, 0.9, 0.95, 0.99])
        + run("cpae", 1.0, [1.0, 0.7, 0.5], [0.4, 0.8, 0.9])
        + run("standard", 0.0, [0.34, 0.28], [0.66, 0.7])
        + run("cpae", 0.0, [0.44], [0.52])
        + run("standard", 1.0, [0.9, 0.5], [0.6, 0.97], seed=1)  # a shipped seed's run: not the diagnostics'
    )
    page = SystemPage(system="damped_pendulum", result=None, long=None)
    _add_curves(page, pd.DataFrame(rows))
    values = page.values
    assert (values["curve_last_standard"], values["curve_epoch_standard"]) == (0.4, 4)
    assert (values["curve0_last_standard"], values["curve0_epoch_standard"]) == (0.28, 2)
    assert (values["curve0_matched_standard"], values["curve0_matched_r2_standard"]) == (0.6, 0.9)
    assert (values["curve0_matched_cpae"], values["curve0_r2_cpae"]) == (1.0, 0.52)
    assert values["curve_best"] == 0.28 and values["curve_best_variant"] == "standard AE"
    # one row a run, named by one short index level per setting
    assert page.curve_table.index.names == ["autoencoder", "batch", "λ", "seed"]
    assert page.curve_table.index[0] == ("standard AE", 64, "1", 0)
    assert page.curve_table.index[1] == ("standard AE", 64, "1", 1) and page.curve_table.index[-1] == (
        "CpAE",
        64,
        "0",
        0,
    )
    # the ablation variants' runs are the ablation page's
    ablation = SystemPage(system="damped_pendulum", result=None, long=None)
    _add_curves(ablation, pd.DataFrame(rows + run("cpae_no_penalty", 1.0, [1.0, 0.6], [0.5, 0.9])))
    assert len(ablation.curve_table) == len(page.curve_table) == 5
    assert (values["authors_epochs"], values["authors_batch"]) == (6, 64)  # the authors profile's budget
    assert math.isnan(values["authors_hours_standard"])  # its curve has 4 of the 6 epochs
