"""Exact references for the uncertainty helpers and the cross-machine checked values."""

import json
import math

import numpy as np
import pytest

from latentdyn import checks
from latentdyn.statistics import mean_estimate, ordering, paired_difference


def test_mean_estimate_matches_direct_formula():
    values = np.array([1.0, 2.0, 4.0, 7.0, 11.0])
    estimate = mean_estimate(values)
    mean = values.mean()
    se = values.std(ddof=1) / math.sqrt(values.size)
    assert estimate.mean == pytest.approx(mean)
    assert estimate.standard_error == pytest.approx(se)
    # t quantile for 4 degrees of freedom at 97.5 %: 2.7764451
    assert estimate.high - mean == pytest.approx(2.7764451 * se, rel=1e-6)
    assert estimate.low == pytest.approx(2 * mean - estimate.high)


def test_paired_difference_cancels_item_variation():
    base = np.linspace(0, 100, 50)
    first, second = base + 1.0 + 0.01 * np.sin(np.arange(50)), base
    difference = paired_difference(first, second)
    assert difference.mean == pytest.approx(1.0, abs=1e-2)
    assert difference.excludes_zero()
    assert ordering(difference, "CpAE", "standard AE") == "CpAE ahead of standard AE"
    tied = paired_difference(base + np.tile([1.0, -1.0], 25), base)
    assert not tied.excludes_zero()
    assert ordering(tied, "a", "b").startswith("no ordering")
    assert ordering(difference, "CpAE", "standard AE", short=True) == "CpAE ahead"
    assert ordering(paired_difference(second, first), "CpAE", "standard AE", short=True) == "standard AE ahead"
    assert ordering(tied, "a", "b", short=True) == "no ordering"


def test_statistics_refuse_bad_input():
    with pytest.raises(ValueError, match="first"):
        paired_difference([1.0], [2.0])
    with pytest.raises(ValueError, match="same items"):
        paired_difference([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="NaN"):
        mean_estimate([1.0, float("nan")])
    with pytest.raises(ValueError, match="confidence"):
        mean_estimate([1.0, 2.0], confidence=1.5)


def test_checked_values_record_then_check(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LATENTDYN_CHECKED_VALUES", "record")
    recorded = checks.checked_lines("demo", {"psnr": 25.21, "fell": True}, abs_tol=0.5, folder=tmp_path)
    assert json.loads((tmp_path / "demo.json").read_text())["values"] == {"psnr": 25.21, "fell": True}
    monkeypatch.setenv("LATENTDYN_CHECKED_VALUES", "check")
    # another machine: a different last digit prints the same text
    assert checks.checked_lines("demo", {"psnr": 25.6, "fell": True}, abs_tol=0.5, folder=tmp_path) == recorded
    mismatch = checks.checked_lines("demo", {"psnr": 26.0, "fell": False}, abs_tol=0.5, folder=tmp_path)
    assert mismatch[0].startswith("psnr: MISMATCH measured 26")
    assert "MISMATCH" in mismatch[1]
    with pytest.raises(ValueError, match="re-record"):
        checks.checked_lines("demo", {"psnr": 25.2}, abs_tol=0.5, folder=tmp_path)


def test_checked_values_need_a_tolerance_and_a_mode(tmp_path, monkeypatch):
    monkeypatch.setenv("LATENTDYN_CHECKED_VALUES", "show")
    with pytest.raises(ValueError, match="tolerance"):
        checks.checked_lines("demo", {"x": 1.0}, folder=tmp_path)
    assert checks.checked_lines("demo", {"ok": True}, folder=tmp_path)[0] == "ok: True"
    monkeypatch.setenv("LATENTDYN_CHECKED_VALUES", "sometimes")
    with pytest.raises(ValueError, match="LATENTDYN_CHECKED_VALUES"):
        checks.checked_lines("demo", {"ok": True}, folder=tmp_path)


def test_within_is_relative_or_absolute():
    assert checks.within(103.0, 108.0, abs_tol=0.0, rel_tol=0.05)
    assert not checks.within(100.0, 108.0, abs_tol=1.0, rel_tol=0.05)
    assert checks.within(float("nan"), float("nan"), 0.1, 0.0)
    assert not checks.within(1.0, float("inf"), 0.1, 0.0)


def _square_with_threads(value):
    import torch

    return value * value, torch.get_num_threads()


def test_run_tasks_in_single_thread_workers_keeps_order():
    from latentdyn.parallel import run_tasks

    tasks = [(_square_with_threads, {"value": v}) for v in (3, 1, 2)]
    results = run_tasks(tasks, workers=2)
    assert [r[0] for r in results] == [9, 1, 4]
    assert all(r[1] == 1 for r in results)
    assert [r[0] for r in run_tasks(tasks, workers=1)] == [9, 1, 4]
    with pytest.raises(ValueError, match="tasks"):
        run_tasks([(3, {})])


def test_standard_error_direct_formula():
    from latentdyn.statistics import standard_error

    values = [2.0, 4.0, 9.0]
    assert standard_error(values) == pytest.approx(np.std(values, ddof=1) / math.sqrt(3))
    assert math.isnan(standard_error([1.0]))


def test_all_finite_agrees_with_isfinite():
    """The one-reduction finiteness check of every validated tensor gives torch.isfinite(...).all()."""
    import torch

    from latentdyn.validation import all_finite, check_tensor

    cases = [
        torch.rand(5, 4),
        torch.zeros(0, 3),
        torch.rand(3, dtype=torch.float64),
        torch.rand(4).bfloat16(),
        torch.rand(6, requires_grad=True),
        torch.rand(2, 3, 4).transpose(0, 2),
    ]
    for bad in (float("nan"), float("inf"), float("-inf")):
        for position in (0, 7, 19):
            tensor = torch.rand(20)
            tensor[position] = bad
            cases.append(tensor)
    both = torch.rand(10)
    both[2], both[5] = float("inf"), float("nan")
    cases.append(both)
    for tensor in cases:
        assert all_finite(tensor) == bool(torch.isfinite(tensor).all()), tensor
    with pytest.raises(ValueError, match="frames contains NaN"):
        check_tensor("frames", cases[-1])
