"""Metrics on latent trajectories (continuity, smoothness) and on decoded rollouts (VPT, in-between error)."""

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


def continuity_constant(latents: torch.Tensor, time_step: float, lags: list[int], min_interval: float = 0.0) -> float:
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


def smoothness_ratio(latents: torch.Tensor) -> float:
    """Mean second difference over mean first difference, ``mean|z_{n+1} - 2 z_n + z_{n-1}| / mean|z_{n+1} - z_n|``.

    For states sampled from a smooth curve every ``dt`` this is ``O(dt)`` (small); a
    trajectory that zig-zags from frame to frame has a ratio of order 1 or more. Unlike
    :func:`step_ratio` it does not grow when the motion merely changes speed.

    Args:
        latents: ``(T, d)`` states at equally spaced times, ``T >= 3``.
    """
    check_tensor("latents", latents, ndim=2)
    if latents.shape[0] < 3:
        raise ValueError(f"latents must have at least 3 frames, got shape {tuple(latents.shape)}")
    first = torch.linalg.vector_norm(latents[1:] - latents[:-1], dim=1).mean()
    second = torch.linalg.vector_norm(latents[2:] - 2 * latents[1:-1] + latents[:-2], dim=1).mean()
    if float(first) == 0.0:
        return float("inf")
    return float(second / first)


def filter_roughness(filters: torch.Tensor) -> float:
    """How much a filter changes from one pixel to the next, whatever its scale: per filter the mean
    squared difference between horizontally and vertically neighbouring entries over the mean
    square of its entries, averaged over the filters (0 for a constant filter, about 2 for white
    noise, 4 for a checkerboard; a filter that is a smooth function of position scores near 0).

    Args:
        filters: ``(C_out, C_in, K, K)`` a filter bank, ``K >= 2``.
    """
    check_tensor("filters", filters, ndim=4)
    if min(filters.shape[-2:]) < 2:
        raise ValueError(f"filters must be at least 2x2, got shape {tuple(filters.shape)}")
    flat = filters.reshape(-1, *filters.shape[-2:]).double()
    across = (flat[:, :, 1:] - flat[:, :, :-1]).pow(2).flatten(1).mean(1)
    down = (flat[:, 1:, :] - flat[:, :-1, :]).pow(2).flatten(1).mean(1)
    square = flat.pow(2).flatten(1).mean(1).clamp_min(1e-30)
    return float(((across + down) / 2 / square).mean())


def relative_frame_error(predicted: torch.Tensor, truth: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """Per-frame error ``|x_hat - x| / |x - x_ref|`` (Frobenius norms over pixels and channels).

    ``x_ref`` is a fixed reference image (the mean training frame): an error of 1 means the
    prediction is as far from the truth as that static image is.

    Args:
        predicted, truth: ``(..., C, H, W)`` images in [0, 1].
        reference: ``(C, H, W)``.

    Returns:
        ``(...)`` errors.
    """
    check_tensor("predicted", predicted, finite=False)
    check_tensor("truth", truth)
    if predicted.shape != truth.shape:
        raise ValueError(f"predicted {tuple(predicted.shape)} and truth {tuple(truth.shape)} must match")
    check_tensor("reference", reference, shape=tuple(truth.shape[-3:]))
    # norms over the last three axes directly: flatten(-3) copies a strided (sliced or
    # channels-last) difference first
    error = torch.linalg.vector_norm(predicted - truth, dim=(-3, -2, -1))
    scale = torch.linalg.vector_norm(truth - reference, dim=(-3, -2, -1)).clamp_min(1e-12)
    return error / scale


def valid_prediction_time(frame_errors: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """Valid Prediction Time: percentage of the horizon before the error first exceeds ``threshold``.

    Args:
        frame_errors: ``(N, T)`` per-frame errors of ``N`` rollouts over ``T`` predicted frames
            (frame 0 is the first *predicted* frame). NaN counts as exceeding.
        threshold: the error above which a prediction is no longer valid.

    Returns:
        ``(N,)`` VPT in percent: ``100 * k / T`` where ``k`` is the number of leading frames
        whose error stays at or below the threshold (100 if it never exceeds it).
    """
    check_tensor("frame_errors", frame_errors, ndim=2, finite=False)
    threshold = check_positive_float("threshold", threshold)
    valid = (frame_errors <= threshold) & torch.isfinite(frame_errors)
    leading = torch.cumprod(valid.to(torch.int64), dim=1).sum(dim=1)
    return 100.0 * leading.to(torch.float64) / frame_errors.shape[1]


def pixel_mse(predicted: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """Per-frame mean squared pixel error, ``mean((x_hat - x)^2)`` over channels and pixels.

    Args:
        predicted, truth: ``(..., C, H, W)`` images in [0, 1].

    Returns:
        ``(...)`` errors (NaN where the prediction is not finite).
    """
    check_tensor("predicted", predicted, finite=False)
    check_tensor("truth", truth)
    if predicted.shape != truth.shape:
        raise ValueError(f"predicted {tuple(predicted.shape)} and truth {tuple(truth.shape)} must match")
    return (predicted - truth).square().mean(dim=(-3, -2, -1))


def vpt_curve(frame_errors: torch.Tensor, thresholds) -> torch.Tensor:
    """VPT of every rollout at every threshold: ``(len(thresholds), N)`` percentages.

    Args:
        frame_errors: ``(N, T)`` per-frame errors (see :func:`valid_prediction_time`).
        thresholds: increasing positive thresholds.
    """
    values = [float(t) for t in thresholds]
    if not values or any(b <= a for a, b in zip(values, values[1:])):
        raise ValueError(f"thresholds must be a non-empty increasing sequence, got {values}")
    return torch.stack([valid_prediction_time(frame_errors, t) for t in values])
