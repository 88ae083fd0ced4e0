"""The theory chapter's experiments: delta-continuity of a convolution layer, and the cost of J.

- :func:`run_delta_continuity`: a disc moves in a straight line at constant speed and is
  rendered (point-sampled, hard edge) on grids of several pixel sizes ``delta``. Each
  frame goes through one convolution filter of fixed physical size, either white noise
  (not Lipschitz) or a smooth function vanishing on its border (Lipschitz), followed by a
  normalisation as in a Conv-BN layer. We measure how far the latent state (the feature
  map) moves per frame as a function of the time step ``dt`` and of ``delta``.
- :func:`run_regularizer_benchmark`: time and memory of the filter-continuity regularizer
  J in its direct ``O(K^4)`` form and its exact separable form.
- :func:`run_continuity_theory`: both, as the chapter runs them.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch

from latentdyn.cpae.data.rendering import disc_centres_on_line, render_discs
from latentdyn.cpae.metrics import continuity_constant, latent_increments
from latentdyn.cpae.models.filters import (
    correlate_same,
    filter_size_in_pixels,
    grid_lipschitz_constant,
    smooth_filter,
    white_noise_filter,
)
from latentdyn.cpae.regularizers import METHODS, filter_continuity_penalty, pairwise_elements
from latentdyn.profiles import resolve_settings
from latentdyn.runtime import progress, resolve_device, seed_everything
from latentdyn.validation import (
    check_choice,
    check_in_range,
    check_positive_float,
    check_positive_int,
)

FILTER_KINDS = ("white_noise", "smooth")


@dataclass
class DeltaContinuityResult:
    """What :func:`run_delta_continuity` measured.

    Attributes:
        settings: every setting the run used (profile values and overrides).
        summary: one row per (filter kind, resolution): ``pixel_size`` (delta),
            ``filter_pixels`` (side in pixels), ``filter_lipschitz`` (grid estimate of the
            filter's Lipschitz constant), ``continuity_constant`` (smallest c with
            ||z(t+dt) - z(t)|| <= c dt for all dt >= delta / speed) and ``largest_step``
            (largest one-frame step, at the finest dt: the size of the jumps).
        increments: long table (kind, resolution, interval, max_increment, mean_increment):
            the largest and mean ||z(t+dt) - z(t)|| over the trajectory for each dt.
        probe_traces: long table (kind, resolution, time, value): the latent feature at a
            fixed physical point over time, divided by the root-mean-square of the first
            frame's feature map (so that the values of different resolutions compare).
        slopes: per kind, the slope of log(continuity_constant) against log(delta); ~0
            means the constant does not grow as pixels shrink (delta-continuity).
        frames: resolution -> the first frame ``(N, N)``.
        filters: (kind, resolution) -> the filter ``(K, K)``.
    """

    settings: dict[str, Any]
    summary: pd.DataFrame
    increments: pd.DataFrame
    probe_traces: pd.DataFrame
    slopes: dict[str, float]
    frames: dict[int, np.ndarray] = field(repr=False)
    filters: dict[tuple[str, int], np.ndarray] = field(repr=False)


def _make_filter(kind: str, size: int, seed: int, resolution: int) -> torch.Tensor:
    if kind == "smooth":
        return smooth_filter(size, seed)
    generator = torch.Generator().manual_seed(seed * 100_003 + resolution)
    return white_noise_filter(size, generator)


def _geometric_lags(num_frames: int, max_fraction: float = 0.35) -> list[int]:
    """Lags 1, ~1.4, 2, ~2.8, ... up to ``max_fraction`` of the trajectory."""
    largest = max(1, int(num_frames * max_fraction))
    lags = sorted({max(1, round(2 ** (k / 2))) for k in range(64) if 2 ** (k / 2) <= largest})
    return lags


def run_delta_continuity(
    profile: str = "book",
    seed: int = 0,
    *,
    resolutions: tuple[int, ...] | None = None,
    steps_per_finest_pixel: int | None = None,
    travel: float | None = None,
    disc_radius: float = 0.15,
    filter_extent: float = 0.25,
    speed: float = 1.0,
    angle_degrees: float = 30.0,
    start: tuple[float, float] = (0.32, 0.33),
    probe_point: tuple[float, float] = (0.45, 0.405),
    filter_kinds: tuple[str, ...] = FILTER_KINDS,
    device: str = "auto",
) -> DeltaContinuityResult:
    """Measure latent increments of a one-layer convolutional encoder on a moving disc.

    Args:
        profile: ``"smoke"``, ``"book"`` or ``"paper"``; chooses the ``None`` defaults.
        seed: seeds the filters.
        resolutions: image sides N (pixel size ``delta = 1 / N``).
        steps_per_finest_pixel: frames per pixel crossed on the finest grid; the time
            step is ``dt = 1 / (max(resolutions) * steps_per_finest_pixel * speed)``.
        travel: distance the disc moves (physical units).
        disc_radius: physical radius of the disc.
        filter_extent: physical side of the filter (``round(extent * N)`` pixels).
        speed: physical units per unit time.
        angle_degrees: direction of motion (oblique, so edges cross pixels irregularly).
        start: disc centre at ``t = 0``.
        probe_point: physical point whose feature value is traced over time.
        filter_kinds: any of ``"white_noise"`` and ``"smooth"``.
        device: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``.
    """
    settings = resolve_settings(
        "delta_continuity",
        profile,
        resolutions=resolutions,
        steps_per_finest_pixel=steps_per_finest_pixel,
        travel=travel,
    )
    resolutions = tuple(check_positive_int("resolutions", n) for n in settings["resolutions"])
    steps = check_positive_int("steps_per_finest_pixel", settings["steps_per_finest_pixel"])
    travel = check_positive_float("travel", settings["travel"])
    speed = check_positive_float("speed", speed)
    disc_radius = check_positive_float("disc_radius", disc_radius)
    filter_extent = check_in_range("filter_extent", filter_extent, 1e-6, 1.0)
    for kind in filter_kinds:
        check_choice("filter_kinds", kind, FILTER_KINDS)
    for name, point in (("start", start), ("probe_point", probe_point)):
        if len(point) != 2:
            raise ValueError(f"{name} must be a pair (x, y), got {point!r}")
        for coordinate in point:
            check_in_range(name, coordinate, 0.0, 1.0)
    seed_everything(seed)
    run_device = resolve_device(device)
    dtype = torch.float64 if run_device.type != "mps" else torch.float32

    time_step = 1.0 / (max(resolutions) * steps * speed)
    num_frames = int(round(travel / (speed * time_step))) + 1
    times = torch.arange(num_frames, dtype=torch.float64) * time_step
    centres = disc_centres_on_line(start, angle_degrees, speed, times)
    lags = _geometric_lags(num_frames)

    summary_rows, increment_rows, trace_rows = [], [], []
    frames_shown, filters_shown = {}, {}
    for resolution in progress(resolutions, "resolutions"):
        frames = render_discs(centres.to(run_device, dtype), resolution, disc_radius)
        frames_shown[resolution] = frames[0].cpu().numpy()
        pixel_size = 1.0 / resolution
        probe_row = min(int(probe_point[1] * resolution), resolution - 1)
        probe_col = min(int(probe_point[0] * resolution), resolution - 1)
        size = filter_size_in_pixels(filter_extent, resolution)
        for kind in filter_kinds:
            kernel = _make_filter(kind, size, seed, resolution)
            filters_shown[(kind, resolution)] = kernel.numpy()
            features = correlate_same(frames, kernel.to(run_device, dtype))
            latents = (features / torch.linalg.vector_norm(features[0])).cpu().double()
            summary_rows.append(
                {
                    "kind": kind,
                    "resolution": resolution,
                    "pixel_size": pixel_size,
                    "filter_pixels": size,
                    "filter_lipschitz": grid_lipschitz_constant(kernel, pixel_size / filter_extent),
                    "continuity_constant": continuity_constant(
                        latents, time_step, lags, min_interval=pixel_size / speed
                    ),
                    "largest_step": float(latent_increments(latents, 1).max()),
                }
            )
            for lag in lags:
                increments = latent_increments(latents, lag)
                increment_rows.append(
                    {
                        "kind": kind,
                        "resolution": resolution,
                        "interval": lag * time_step,
                        "max_increment": float(increments.max()),
                        "mean_increment": float(increments.mean()),
                    }
                )
            # in units of the first feature map's root-mean-square, comparable across N
            probe = (latents[:, probe_row, probe_col] * resolution).numpy()
            trace_rows.extend(
                {"kind": kind, "resolution": resolution, "time": float(t), "value": float(v)}
                for t, v in zip(times.numpy(), probe)
            )
    summary = pd.DataFrame(summary_rows)
    slopes = (
        {
            kind: float(np.polyfit(np.log(group["pixel_size"]), np.log(group["continuity_constant"]), 1)[0])
            for kind, group in summary.groupby("kind", sort=False)
        }
        if len(resolutions) > 1
        else {}
    )
    settings.update(
        dict(
            seed=seed,
            disc_radius=disc_radius,
            filter_extent=filter_extent,
            speed=speed,
            angle_degrees=angle_degrees,
            start=start,
            probe_point=probe_point,
            filter_kinds=tuple(filter_kinds),
            time_step=time_step,
            num_frames=num_frames,
            device=str(run_device),
        )
    )
    return DeltaContinuityResult(
        settings, summary, pd.DataFrame(increment_rows), pd.DataFrame(trace_rows), slopes, frames_shown, filters_shown
    )


@dataclass
class RegularizerBenchmarkResult:
    """What :func:`run_regularizer_benchmark` measured.

    Attributes:
        settings: every setting the run used.
        table: one row per (filter bank, method): ``bank`` (C_out x C_in x K x K),
            ``method``, ``value`` (J in float64), ``relative_difference`` (|J - J_separable|
            / J_separable), ``seconds`` (median time of one forward + backward pass in
            ``timing_dtype``), ``largest_tensor_mb`` (size of the largest tensor the method
            materialises, in MB of ``timing_dtype``).
        speedup: bank -> direct seconds / separable seconds.
        kernel_scales: one row per kernel scale sigma: J of a smooth filter, J of a
            white-noise filter of the same norm, and their ratio (how strongly J prefers
            smooth filters; see :func:`smoothness_preference`).
    """

    settings: dict[str, Any]
    table: pd.DataFrame
    speedup: dict[str, float]
    kernel_scales: pd.DataFrame


def smoothness_preference(kernel_scales: tuple[float, ...], size: int = 12, seed: int = 0) -> pd.DataFrame:
    """J of a smooth ``size x size`` filter and of white noise with the same norm, per sigma.

    The smooth filter is ``sin(pi u) sin(pi v)`` on the filter's support. A ratio near 1
    means J hardly distinguishes smooth from rough filters at that kernel scale.
    ``kernel_min`` is the smallest kernel value over the padded filter, ``exp(-2 / sigma)``
    (opposite corners of the unit square).
    """
    size = check_positive_int("size", size)
    grid = torch.linspace(0.0, 1.0, size, dtype=torch.float64)
    bump = torch.sin(torch.pi * grid)
    smooth = (bump[:, None] * bump[None, :])[None, None]
    noise = torch.randn(1, 1, size, size, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    noise = noise / noise.norm() * smooth.norm()
    rows = []
    for scale in kernel_scales:
        smooth_value = float(filter_continuity_penalty(smooth, kernel_scale=scale))
        noise_value = float(filter_continuity_penalty(noise, kernel_scale=scale))
        rows.append(
            {
                "kernel_scale": scale,
                "kernel_min": math.exp(-2.0 / scale),
                "J_smooth": smooth_value,
                "J_white_noise": noise_value,
                "ratio": smooth_value / noise_value,
            }
        )
    return pd.DataFrame(rows)


def _time_forward_backward(weight: torch.Tensor, method: str, repeats: int) -> float:
    def once() -> float:
        weight.grad = None
        if weight.device.type == "cuda":
            torch.cuda.synchronize()
        began = time.perf_counter()
        filter_continuity_penalty(weight, method=method).backward()
        if weight.device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - began

    once()  # warm-up
    return statistics.median(once() for _ in range(repeats))


def run_regularizer_benchmark(
    profile: str = "book",
    seed: int = 0,
    *,
    filter_banks: tuple[tuple[int, int, int, int], ...] | None = None,
    repeats: int | None = None,
    timing_dtype: str = "float32",
    kernel_scales: tuple[float, ...] = (10.0, 1.0, 0.1, 0.01),
    device: str = "auto",
) -> RegularizerBenchmarkResult:
    """Compare the direct and separable forms of J on random filter banks.

    Args:
        profile: ``"smoke"``, ``"book"`` or ``"paper"``; chooses the ``None`` defaults.
        seed: seeds the random filter banks.
        filter_banks: shapes ``(C_out, C_in, K_1, K_2)`` of the banks to test.
        repeats: timed repetitions (after one warm-up); the median is reported.
        timing_dtype: dtype of the timed passes, ``"float32"`` (training) or ``"float64"``.
        kernel_scales: values of sigma for :func:`smoothness_preference` (10 is the authors').
        device: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``.
    """
    settings = resolve_settings("regularizer_benchmark", profile, filter_banks=filter_banks, repeats=repeats)
    repeats = check_positive_int("repeats", settings["repeats"])
    check_choice("timing_dtype", timing_dtype, ("float32", "float64"))
    banks = [tuple(check_positive_int("filter_banks", n) for n in bank) for bank in settings["filter_banks"]]
    for bank in banks:
        if len(bank) != 4:
            raise ValueError(f"filter_banks entries must be (C_out, C_in, K_1, K_2), got {bank}")
    seed_everything(seed)
    run_device = resolve_device(device)
    value_dtype = torch.float64 if run_device.type != "mps" else torch.float32
    dtype = getattr(torch, timing_dtype)
    bytes_per_element = torch.finfo(dtype).bits // 8

    rows, speedup = [], {}
    for bank in progress(banks, "filter banks"):
        label = "x".join(map(str, bank))
        generator = torch.Generator().manual_seed(seed)
        weight = torch.randn(bank, generator=generator, dtype=torch.float64)
        with torch.no_grad():
            values = {
                m: float(filter_continuity_penalty(weight.to(run_device, value_dtype), method=m)) for m in METHODS
            }
        timed = weight.to(run_device, dtype).requires_grad_(True)
        seconds, peaks = {}, {}
        for method in METHODS:
            if run_device.type == "cuda":
                torch.cuda.reset_peak_memory_stats(run_device)
            seconds[method] = _time_forward_backward(timed, method, repeats)
            if run_device.type == "cuda":
                peaks[method] = torch.cuda.max_memory_allocated(run_device) / 2**20
        for method in METHODS:
            row = {
                "bank": label,
                "method": method,
                "value": values[method],
                "relative_difference": abs(values[method] - values["separable"]) / values["separable"],
                "seconds": seconds[method],
                "largest_tensor_mb": pairwise_elements(bank, method) * bytes_per_element / 2**20,
            }
            if peaks:
                row["measured_peak_mb"] = peaks[method]
            rows.append(row)
        speedup[label] = seconds["direct"] / seconds["separable"]
        del timed
    kernel_scales = tuple(check_positive_float("kernel_scales", s) for s in kernel_scales)
    settings.update(seed=seed, timing_dtype=timing_dtype, kernel_scales=kernel_scales, device=str(run_device))
    return RegularizerBenchmarkResult(
        settings, pd.DataFrame(rows), speedup, smoothness_preference(kernel_scales, seed=seed)
    )


@dataclass
class ContinuityTheoryResult:
    """Both parts of the theory chapter."""

    continuity: DeltaContinuityResult
    benchmark: RegularizerBenchmarkResult


def run_continuity_theory(
    profile: str = "book",
    seed: int = 0,
    *,
    device: str = "auto",
    continuity_options: dict[str, Any] | None = None,
    benchmark_options: dict[str, Any] | None = None,
) -> ContinuityTheoryResult:
    """Run :func:`run_delta_continuity` and :func:`run_regularizer_benchmark`.

    ``continuity_options`` and ``benchmark_options`` pass further keywords to each.
    """
    return ContinuityTheoryResult(
        run_delta_continuity(profile, seed, device=device, **(continuity_options or {})),
        run_regularizer_benchmark(profile, seed, device=device, **(benchmark_options or {})),
    )
