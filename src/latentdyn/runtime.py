"""Device choice, determinism and progress bars: the run-time conventions of every experiment."""

from __future__ import annotations

import os
import random
from collections.abc import Iterable, Iterator
from typing import TypeVar

import numpy as np
import torch
from tqdm.auto import tqdm

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


def progress(iterable: Iterable[T], description: str, *, total: int | None = None,
             enabled: bool = True) -> Iterator[T]:
    """Wrap ``iterable`` in a tqdm progress bar (a widget in notebooks, text in terminals).

    Set ``LATENTDYN_PROGRESS=0`` in the environment, or ``enabled=False``, to silence it.
    """
    if os.environ.get("LATENTDYN_PROGRESS", "1") == "0":
        enabled = False
    return iter(tqdm(iterable, desc=description, total=total, disable=not enabled,
                     leave=False, dynamic_ncols=True))
