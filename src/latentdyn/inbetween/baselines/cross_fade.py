"""Linear cross-fade: ``I_t = (1 - t) I_0 + t I_1`` (no motion at all; beyond the paper)."""

from __future__ import annotations

import numpy as np

from latentdyn.validation import check_in_range


def cross_fade(image0: np.ndarray, image1: np.ndarray, times) -> np.ndarray:
    """``(T, H, W)`` frames ``(1 - t) image0 + t image1`` for each ``t`` in ``times``."""
    first, second = np.asarray(image0, dtype=np.float64), np.asarray(image1, dtype=np.float64)
    if first.ndim != 2 or first.shape != second.shape:
        raise ValueError(f"image0 and image1 must be 2-D of one shape, got {first.shape} and {second.shape}")
    times = [check_in_range("times", t, 0.0, 1.0) for t in times]
    return np.stack([(1 - t) * first + t * second for t in times]).astype(np.float32)
