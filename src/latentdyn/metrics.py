"""Metrics on latent trajectories (continuity) — more (VPT, PSNR, SSIM) arrive with later chapters."""

from __future__ import annotations

import torch

from latentdyn.validation import check_positive_float, check_positive_int, check_tensor


def latent_increments(latents: torch.Tensor, lag: int = 1) -> torch.Tensor:
    """Euclidean norms ``||z_{n+lag} - z_n||`` along a trajectory.

    Args:
        latents: ``(T, ...)`` latent states at equally spaced times (trailing dimensions
            are flattened, so a feature map is treated as one long vector).
        lag: number of frames between the two states.

    Returns:
        ``(T - lag,)`` increments.
    """
    check_tensor("latents", latents)
    lag = check_positive_int("lag", lag)
    if latents.ndim < 1 or latents.shape[0] <= lag:
        raise ValueError(f"latents must have more than lag={lag} frames, got shape {tuple(latents.shape)}")
    flat = latents.reshape(latents.shape[0], -1)
    return torch.linalg.vector_norm(flat[lag:] - flat[:-lag], dim=1)


def continuity_constant(latents: torch.Tensor, time_step: float, lags: list[int],
                        min_interval: float = 0.0) -> float:
    """Smallest ``c`` with ``||z(t + dt) - z(t)|| <= c dt`` over the given lags with ``dt >= min_interval``.

    This is the constant of delta-continuity measured on a trajectory: pass
    ``min_interval`` = the time the object needs to cross one pixel (``delta / speed``).

    Args:
        latents: ``(T, ...)`` latent states every ``time_step``.
        time_step: time between consecutive frames.
        lags: frame lags to test; those with ``lag * time_step < min_interval`` are skipped.
        min_interval: shortest interval the bound has to hold for.
    """
    time_step = check_positive_float("time_step", time_step)
    min_interval = check_positive_float("min_interval", min_interval, allow_zero=True)
    usable = [lag for lag in lags if lag * time_step >= min_interval * (1 - 1e-9)]
    if not usable:
        raise ValueError(f"no lag in {lags} spans min_interval={min_interval} at time_step={time_step}")
    ratios = [float(latent_increments(latents, lag).max()) / (lag * time_step) for lag in usable]
    return max(ratios)


def step_ratio(latents: torch.Tensor) -> float:
    """Largest one-frame step over the median one-frame step (1 for a uniform motion; large for jumps)."""
    steps = latent_increments(latents, 1)
    median = float(steps.median())
    if median == 0.0:
        return float("inf")
    return float(steps.max()) / median
