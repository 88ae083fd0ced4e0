"""Independent trainings on all CPU cores: one single-thread worker process per task.

A training pinned to one thread is bit-identical from run to run, but leaves the other cores
idle. :func:`run_tasks` runs independent tasks (one autoencoder with its latent fits, one
sweep point) in separate worker processes, each with one thread, and returns their results
in the order given. Tasks are module-level functions with picklable keyword arguments; the
trainings write their results to the cache (:mod:`latentdyn.cache`), so the usual pattern
is: fill the cache in workers, then load from it in the caller, which gives exactly the
numbers a serial run gives.

Workers are started with ``spawn`` (safe inside a Jupyter kernel and with torch threads),
inherit the environment (``ONEDNN_MAX_CPU_ISA`` included) and set ``torch`` to one thread.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from latentdyn.validation import check_positive_int


def available_workers() -> int:
    """CPU cores this process may use (``os.sched_getaffinity`` where it exists)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def resolve_workers(workers: int | str | None) -> int:
    """``"auto"``/``None``: one per available core; otherwise a positive integer."""
    if workers in (None, "auto"):
        return available_workers()
    return check_positive_int("workers", workers)


def _single_thread() -> None:
    """Worker set-up: one torch thread, and (on Linux) end with the parent process, so that an
    interrupted chapter leaves no training running."""
    import torch

    torch.set_num_threads(1)
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _call(task: tuple[Callable[..., Any], dict[str, Any]]) -> Any:
    function, arguments = task
    return function(**arguments)


def run_tasks(tasks: list[tuple[Callable[..., Any], dict[str, Any]]], workers: int | str | None = "auto") -> list[Any]:
    """Run ``function(**arguments)`` for each task; in worker processes when ``workers > 1``.

    Args:
        tasks: ``(function, arguments)`` pairs; functions must be importable (module level).
        workers: processes to use (capped at the number of tasks); 1 runs the tasks here, in
            order, in this process.

    Returns:
        The results in the order of ``tasks``. An exception in a task is raised here.
    """
    if not isinstance(tasks, list) or not all(
        isinstance(t, tuple) and len(t) == 2 and callable(t[0]) and isinstance(t[1], dict) for t in tasks
    ):
        raise ValueError("tasks must be a list of (function, keyword-arguments dict) pairs")
    count = min(resolve_workers(workers), len(tasks))
    if count <= 1:
        return [_call(task) for task in tasks]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=_single_thread) as pool:
        return list(pool.map(_call, tasks))


def fill_cache(tasks: list[tuple[Callable[..., Any], dict[str, Any]]], workers: int | str | None = "auto") -> int:
    """The pattern of the module docstring: run each distinct task once in ``workers``
    single-thread processes, for its side effect of filling the cache; the caller then loads
    every result from the cache, so its numbers equal a serial run's.

    Equal tasks (same function, equal arguments) share a cache entry and run once; tasks run in
    the order given (put the costliest first, so that the workers finish together). Nothing runs
    with one worker or fewer than two distinct tasks: the caller then computes as it loads.

    Returns:
        The number of tasks run in workers.
    """
    unique = list(
        {
            repr((function.__module__, function.__qualname__, sorted(arguments.items()))): (function, arguments)
            for function, arguments in tasks
        }.values()
    )
    if resolve_workers(workers) <= 1 or len(unique) <= 1:
        return 0
    run_tasks(unique, workers=workers)
    return len(unique)
