"""Worker processes: tasks run once each, in separate single-thread processes, results in order."""

from __future__ import annotations

import os

import pytest

from latentdyn.parallel import fill_cache, run_tasks


def append_line(path: str, text: str) -> int:
    """A task with a visible side effect: one line per run, and the worker's process id back."""
    with open(path, "a") as handle:
        handle.write(text + "\n")
    import torch

    assert torch.get_num_threads() == 1 or os.getpid() == MAIN_PROCESS
    return os.getpid()


MAIN_PROCESS = os.getpid()


def test_run_tasks_keeps_the_order_and_uses_other_processes(tmp_path):
    log = tmp_path / "log.txt"
    pids = run_tasks([(append_line, {"path": str(log), "text": str(k)}) for k in range(3)], workers=2)
    assert len(pids) == 3 and MAIN_PROCESS not in pids
    assert sorted(log.read_text().split()) == ["0", "1", "2"]
    assert run_tasks([(append_line, {"path": str(log), "text": "here"})], workers=2) == [MAIN_PROCESS]


def test_fill_cache_runs_each_distinct_task_once_and_nothing_with_one_worker(tmp_path):
    log = tmp_path / "log.txt"
    tasks = [(append_line, {"path": str(log), "text": text}) for text in ("a", "b", "a", "b", "c")]
    assert fill_cache(tasks, workers=2) == 3
    assert sorted(log.read_text().split()) == ["a", "b", "c"]
    assert fill_cache(tasks, workers=1) == 0  # the caller computes as it loads
    assert fill_cache(tasks[:1] * 4, workers=2) == 0  # one distinct task: no worker is worth starting
    assert sorted(log.read_text().split()) == ["a", "b", "c"]


def test_run_tasks_refuses_what_is_not_a_task_list():
    with pytest.raises(ValueError, match="tasks must be"):
        run_tasks([append_line], workers=1)
    with pytest.raises(ValueError, match="workers"):
        run_tasks([(append_line, {"path": os.devnull, "text": ""})], workers=0)
