"""Image and velocity-field metrics for in-between frames: MSE, PSNR, SSIM, endpoint error.

PSNR and SSIM are scikit-image's (``skimage.metrics``) with ``data_range=1`` (images in
[0, 1]); SSIM uses its default 7x7 uniform window.
"""

from __future__ import annotations

import numpy as np
from skimage import metrics

from latentdyn.validation import check_positive_float


def _pair(name: str, estimate, truth) -> tuple[np.ndarray, np.ndarray]:
    estimate = np.asarray(estimate, dtype=np.float64)
    truth = np.asarray(truth, dtype=np.float64)
    if estimate.shape != truth.shape:
        raise ValueError(f"{name}: estimate and truth differ in shape, {estimate.shape} and {truth.shape}")
    if not (np.isfinite(estimate).all() and np.isfinite(truth).all()):
        raise ValueError(f"{name}: estimate or truth contains NaN or infinity")
    return estimate, truth


def mse(estimate, truth) -> float:
    """Mean squared error over all pixels."""
    estimate, truth = _pair("mse", estimate, truth)
    return float(np.mean((estimate - truth) ** 2))


def psnr(estimate, truth, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio ``10 log10(data_range^2 / MSE)`` in dB (estimate clipped to the range)."""
    estimate, truth = _pair("psnr", estimate, truth)
    data_range = check_positive_float("data_range", data_range)
    return float(metrics.peak_signal_noise_ratio(truth, np.clip(estimate, 0, data_range), data_range=data_range))


def ssim(estimate, truth, data_range: float = 1.0) -> float:
    """Structural similarity (``skimage.metrics.structural_similarity``), 2-D images."""
    estimate, truth = _pair("ssim", estimate, truth)
    if estimate.ndim != 2:
        raise ValueError(f"ssim: images must be 2-D, got shape {estimate.shape}")
    data_range = check_positive_float("data_range", data_range)
    return float(metrics.structural_similarity(truth, np.clip(estimate, 0, data_range), data_range=data_range))


def endpoint_error(velocity, truth, mask=None) -> float:
    """Mean Euclidean norm of ``velocity - truth``, both ``(2, H, W)``, over ``mask`` (all pixels by default)."""
    velocity, truth = _pair("endpoint_error", velocity, truth)
    if velocity.ndim != 3 or velocity.shape[0] != 2:
        raise ValueError(f"endpoint_error: fields must be (2, H, W), got {velocity.shape}")
    norms = np.linalg.norm(velocity - truth, axis=0)
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != norms.shape:
            raise ValueError(f"endpoint_error: mask must be {norms.shape}, got {mask.shape}")
        norms = norms[mask]
    return float(norms.mean())


def frame_scores(estimate, truth) -> dict[str, float]:
    """``{"psnr", "ssim", "mse"}`` of one frame."""
    return {"psnr": psnr(estimate, truth), "ssim": ssim(estimate, truth), "mse": mse(estimate, truth)}


EVENT_KEYS = ("event_psnr", "event_mae", "event_depth")


def event_scores(estimate, truth, texture_only, mask, data_range: float = 1.0) -> dict[str, float]:
    """Scores of one in-between frame on its event (the pixels ``mask`` where the truth differs
    from what the moving texture alone would give: a crack's open water, a floe that appears).

    Args:
        estimate, truth, texture_only: ``(H, W)`` images in [0, 1]: the method's frame, the true
            frame, and the frame of the moving texture without the event.
        mask: ``(H, W)`` bool, the event's pixels.

    Returns:
        ``event_psnr`` (dB) and ``event_mae`` on the mask, and ``event_depth``: the drawn change
        across the event relative to the true one,
        ``mean(texture_only - estimate) / mean(texture_only - truth)`` over the mask (1 = drawn
        fully, 0.5 = half, as a 50/50 blend draws a crack that one observation lacks, 0 = not
        drawn). NaN for all three when the mask is empty; the depth is NaN too when the true
        change averages to less than 1/255.
    """
    estimate, truth = _pair("event_scores", estimate, truth)
    texture_only, _ = _pair("event_scores", texture_only, truth)
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != truth.shape:
        raise ValueError(f"event_scores: mask must be {truth.shape}, got {mask.shape}")
    if not mask.any():
        return dict.fromkeys(EVENT_KEYS, float("nan"))
    data_range = check_positive_float("data_range", data_range)
    drawn = np.clip(estimate, 0, data_range)[mask]
    error = drawn - truth[mask]
    squared = float(np.mean(error**2))
    change = float(np.mean(texture_only[mask] - truth[mask]))
    return {
        "event_psnr": float(10 * np.log10(data_range**2 / squared)) if squared > 0 else float("inf"),
        "event_mae": float(np.mean(np.abs(error))),
        "event_depth": float(np.mean(texture_only[mask] - drawn)) / change if abs(change) >= 1 / 255 else float("nan"),
    }
