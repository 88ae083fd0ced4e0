"""Device choice, determinism and progress bars: the run-time conventions of every experiment."""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

import numpy as np
import torch

from latentdyn.validation import check_choice, check_positive_int

T = TypeVar("T")

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """Return the ``torch.device`` to run on.

    ``"auto"`` picks CUDA if available, then Apple's MPS, then the CPU. An explicit
    ``"cuda"`` or ``"mps"`` that is not available raises ``ValueError``.
    """
    if isinstance(device, torch.device):
        device = device.type if device.index is None else str(device)
    if not isinstance(device, str):
        raise ValueError(f"device must be a string such as 'auto' or 'cpu', got {device!r}")
    kind = device.split(":")[0]
    check_choice("device", kind, DEVICE_CHOICES)
    if kind == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' was requested but CUDA is not available here")
    if kind == "mps" and not torch.backends.mps.is_available():
        raise ValueError("device='mps' was requested but MPS is not available here")
    return torch.device(device)


def seed_everything(seed: int, num_threads: int | None = None, *, deterministic: bool = True) -> int:
    """Fix every random seed and the number of CPU threads; return the thread count used.

    Seeds Python's ``random``, NumPy's legacy global generator and torch (CPU and CUDA),
    asks cuDNN for deterministic kernels (``deterministic=False`` lets cuDNN benchmark and
    pick the fastest, possibly non-deterministic, kernels: a GPU speed knob with no effect on
    the CPU), and pins ``torch.set_num_threads``. With
    ``num_threads=None`` the count already in force is kept (it follows
    ``OMP_NUM_THREADS``) but is still pinned, so that nothing changes it during a run.
    Running the same experiment twice on one machine then gives identical metrics.

    Args:
        seed: a non-negative integer.
        num_threads: CPU threads for torch, or ``None`` to keep the current count.
    """
    seed = check_positive_int("seed", seed, allow_zero=True)
    if num_threads is None:
        num_threads = torch.get_num_threads()
    num_threads = check_positive_int("num_threads", num_threads)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    torch.backends.cudnn.deterministic = bool(deterministic)
    torch.backends.cudnn.benchmark = not deterministic
    torch.set_num_threads(num_threads)
    return num_threads


PROGRESS_MODES = ("auto", "widget", "text", "none")
_PROGRESS_ALIASES = {"": "auto", "1": "auto", "on": "auto", "true": "auto", "0": "none", "off": "none", "false": "none"}


def progress_mode() -> str:
    """How progress bars are shown, from the environment variable ``LATENTDYN_PROGRESS``.

    - ``auto`` (the default): a widget in an interactive notebook, text in a terminal;
    - ``widget``: always a notebook widget (needs ``ipywidgets``);
    - ``text``: a plain text bar on standard error (no widget, no widget state saved);
    - ``none`` (also ``0``/``off``): no bar at all.

    The book build and the nbval re-execution run chapters with ``none`` (set by the book's
    Sphinx extension and by ``tests/conftest.py``), so that executed pages store neither
    widgets nor stale bars; ``make rerun`` uses ``text``.
    """
    value = os.environ.get("LATENTDYN_PROGRESS", "auto").strip().lower()
    value = _PROGRESS_ALIASES.get(value, value)
    if value not in PROGRESS_MODES:
        raise ValueError(f"LATENTDYN_PROGRESS must be one of {PROGRESS_MODES} (or 0/1), got {value!r}")
    return value


def progress(iterable: Iterable[T], description: str, *, total: int | None = None, enabled: bool = True) -> Iterator[T]:
    """Iterate over ``iterable`` with a tqdm progress bar in the mode of :func:`progress_mode`.

    ``enabled=False`` silences the bar whatever the mode.
    """
    mode = progress_mode() if enabled else "none"
    if mode == "none":
        return iter(iterable)
    if mode == "text":
        from tqdm.std import tqdm as bar

        keywords = {"file": sys.stderr, "ascii": True, "mininterval": 5.0}
    elif mode == "widget":
        from tqdm.notebook import tqdm as bar

        keywords = {}
    else:
        from tqdm.auto import tqdm as bar

        keywords = {"dynamic_ncols": True}
    return iter(bar(iterable, desc=description, total=total, leave=False, **keywords))
