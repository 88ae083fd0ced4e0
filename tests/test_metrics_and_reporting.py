"""Continuity metrics on trajectories with known answers, and rounding for reports."""

import numpy as np
import pandas as pd
import pytest
import torch

from latentdyn.cpae.metrics import continuity_constant, latent_increments, step_ratio
from latentdyn.reporting import format_significant, interval_column, significant


def uniform_motion(num_frames=11, velocity=(3.0, 4.0), time_step=0.1):
    times = torch.arange(num_frames, dtype=torch.float64) * time_step
    return times[:, None] * torch.tensor(velocity, dtype=torch.float64)


def test_increments_of_uniform_motion():
    latents = uniform_motion()
    torch.testing.assert_close(latent_increments(latents, 2), torch.full((9,), 1.0, dtype=torch.float64))


def test_continuity_constant_is_the_speed_for_uniform_motion():
    assert continuity_constant(uniform_motion(), 0.1, [1, 2, 4]) == pytest.approx(5.0)


def test_continuity_constant_skips_short_intervals():
    latents = uniform_motion().clone()
    latents[5:] += 1.0  # one jump of size 1 between frames 4 and 5
    jump = (1.3**2 + 1.4**2) ** 0.5  # one step of motion (0.3, 0.4) plus the jump (1, 1)
    assert continuity_constant(latents, 0.1, [1]) == pytest.approx(jump / 0.1)
    assert continuity_constant(latents, 0.1, [1, 8], min_interval=0.5) == pytest.approx(
        (3.4**2 + 4.2**2) ** 0.5 / 0.8
    )  # only lag 8 spans 0.5: motion (2.4, 3.2) + jump


def test_step_ratio():
    assert step_ratio(uniform_motion()) == pytest.approx(1.0)
    jumpy = uniform_motion().clone()
    jumpy[5:] += 10.0
    assert step_ratio(jumpy) > 10


def test_increments_need_enough_frames():
    with pytest.raises(ValueError, match="more than lag=3 frames"):
        latent_increments(torch.zeros(3, 2), 3)


def test_format_significant():
    assert format_significant(0.0133456, 3) == "0.0133"
    assert format_significant(16.850619, 3) == "16.9"
    assert format_significant(-1e-20, 3) == "-1e-20"
    assert format_significant(-0.0, 3) == "0"
    assert format_significant(7, 3) == 7
    assert format_significant("text", 3) == "text"


def test_interval_column():
    frame = pd.DataFrame({"mean": [1.0, -2.0], "95% low": [-0.51234, -3.0], "95% high": [2.5, -1.0049]})
    shown = interval_column(frame)
    assert list(shown.columns) == ["mean", "95% interval"]
    assert shown["95% interval"].tolist() == ["[-0.512, 2.5]", "[-3, -1]"]
    with pytest.raises(ValueError, match="no column 'lower'"):
        interval_column(frame, low="lower")


def test_significant_frame():
    frame = pd.DataFrame({"name": ["a"], "value": [3.14159], "count": [3]})
    assert significant(frame, 2).to_dict("records") == [{"name": "a", "value": "3.1", "count": 3}]


# ------------------------------------------------------------------------------ reader tables


def _wide_frame(columns: int, rows: int = 3) -> pd.DataFrame:
    frame = pd.DataFrame(
        np.arange(rows * columns, dtype=float).reshape(rows, columns) / 7,
        columns=[f"score_{i}" for i in range(columns)],
        index=pd.Index([f"damped_pendulum_{i}" for i in range(rows)], name="system_name"),
    )
    frame.iloc[0, 0] = np.nan
    return frame


def test_reader_table_splits_wide_tables_into_blocks_of_at_most_seven_columns():
    from latentdyn.reporting import MAX_COLUMNS, table

    shown = table(_wide_frame(13), caption="Scores")
    blocks = shown.blocks()
    assert [block.shape[1] for block in blocks] == [6, 6, 1]  # one column of row labels each
    assert sum(block.shape[1] for block in blocks) == 13
    html = shown._repr_html_()
    assert html.count("<table") == 3 and "Scores (continued)" in html
    for part in html.split("<table")[1:]:
        first_row = part.split("</tr>")[1]  # the first body row
        assert first_row.count("<td") + first_row.count("<th") <= MAX_COLUMNS


def test_reader_table_shows_readable_names_a_dash_for_missing_values_and_no_nan():
    from latentdyn.reporting import MISSING, readable, table

    html = table(_wide_frame(3), caption="x")._repr_html_()
    assert "damped pendulum 0" in html and "system name" in html and "score 1" in html
    assert "damped_pendulum" not in html and "nan" not in html and MISSING in html
    assert readable("damped_pendulum") == "damped pendulum"
    assert readable("VPT (%)") == "VPT (%)" and readable("psnr") == "psnr" and readable(3) == 3


def test_reader_table_prints_real_row_labels_without_trailing_zeros():
    from latentdyn.reporting import table

    frame = pd.DataFrame({"map": ["none", "mlp", "mlp"], "weight": [0.0, 0.01, 1.0], "VPT": [1.0, 2.0, 3.0]}).set_index(
        ["map", "weight"]
    )
    html = table(frame, hide_index=False)._repr_html_()
    assert ">0.01<" in html and ">1<" in html and "0.010000" not in html and "1.000000" not in html
    single = table(pd.Series([1.0, 2.0], index=pd.Index([0.1, 10.0], name="weight")), hide_index=False)
    assert ">0.1<" in single._repr_html_() and "0.100000" not in single._repr_html_()
    alike = pd.DataFrame({"x": [1.0, 2.0]}, index=pd.MultiIndex.from_tuples([("a", 0.1), ("a", 0.1000000001)]))
    assert "<table" in table(alike, hide_index=False)._repr_html_()  # labels that print alike stay apart


def test_reader_table_collapses_long_tables_and_says_when_there_are_no_rows():
    from latentdyn.reporting import table

    long = table(_wide_frame(2, rows=30), caption="Recorded runs")._repr_html_()
    assert long.startswith("<details>") and "30 rows" in long
    assert "<details>" not in table(_wide_frame(2, rows=5))._repr_html_()
    empty = table(_wide_frame(4).iloc[:0], caption="Sweep")._repr_html_()
    assert "<table" not in empty and "Sweep" in empty and "no rows" in empty


def test_reader_table_names_a_bad_argument():
    from latentdyn.reporting import table

    with pytest.raises(ValueError, match="max_columns"):
        table(_wide_frame(2), max_columns=0)
    with pytest.raises(ValueError, match="frame"):
        table([1, 2, 3])


def test_reader_table_repeats_the_naming_columns_in_every_block_when_the_index_is_hidden():
    from latentdyn.reporting import table

    frame = pd.DataFrame({"seed": [0, 1], "definition": ["relative error", "pixel MSE"]})
    for i in range(9):
        frame[f"score {i}"] = [0.5 + i, 1.5 + i]
    shown = table(frame)  # a plain 0, 1 index: hidden
    blocks = shown.blocks()
    assert len(blocks) == 2 and all(list(block.columns[:2]) == ["seed", "definition"] for block in blocks)
    assert [block.shape[1] for block in blocks] == [7, 6]  # 2 naming + 5, then 2 naming + the other 4
    assert shown.label_columns() == ["seed", "definition"]
    assert table(frame[["score 0", "score 1"]]).label_columns() == []  # every column is a number
