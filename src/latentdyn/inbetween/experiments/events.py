"""In-between frames judged where the scene changes: the event scores beside the whole-image ones.

A whole-image PSNR at ``t = 0.5`` is mostly the static or slowly moving ice texture; the event the
paper is about (a crack that forms or closes, a floe that appears) is a few per cent of the
pixels. The scenes know their event (:attr:`latentdyn.inbetween.data.seaice.SeaIceSequence.event_mask`),
and the summaries of :func:`latentdyn.inbetween.experiments.core.score_outputs` carry its scores
at the middle frame (``event_psnr_mid``, ``event_mae_mid``, ``event_depth_mid``; see
:func:`latentdyn.inbetween.image_metrics.event_scores`). This module puts them side by side with the
whole-image PSNR and decides, scene by scene, whether one method draws the event better than
another (:func:`latentdyn.verdicts.claim` on the paired differences over seeds: each seed is
another scene, scored for every method).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from latentdyn.inbetween.physics.advection import advect
from latentdyn.statistics import paired_difference
from latentdyn.validation import check_in_range, check_positive_float, check_positive_int
from latentdyn.verdicts import HIGHER, MET, NOT_REPRODUCED, REPRODUCED, claim, goal

EVENT_COLUMNS = ("psnr_mid", "event_psnr_mid", "event_mae_mid", "event_depth_mid")


def event_table(summary: pd.DataFrame, group: str = "scenario") -> pd.DataFrame:
    """One row per (scene, method) with an event: whole-image and event PSNR at ``t = 0.5``, event
    MAE and depth, the mean over seeds and (``*_std``) the standard deviation over seeds.

    Args:
        summary: one row per (seed, ``group``, method) with :data:`EVENT_COLUMNS`.
    """
    missing = [c for c in (group, "method", "seed", *EVENT_COLUMNS) if c not in summary]
    if missing:
        raise ValueError(f"summary lacks the columns {missing} (its scenes carry no event masks?)")
    rows = summary[np.isfinite(summary["event_psnr_mid"].astype(float))]
    grouped = rows.groupby([group, "method"], sort=False)[list(EVENT_COLUMNS)]
    table = pd.concat([grouped.mean(), grouped.std(ddof=0).add_suffix("_std")], axis=1).reset_index()
    table.insert(2, "seeds", rows.groupby([group, "method"], sort=False)["seed"].nunique().to_numpy())
    return table


def event_verdicts(
    summary: pd.DataFrame,
    method: str = "latent_advection",
    others: tuple[str, ...] | None = None,
    group: str = "scenario",
    column: str = "event_psnr_mid",
) -> pd.DataFrame:
    """Is ``method`` ahead of each of ``others`` on ``column`` (higher is better), scene by scene?

    The paired difference over seeds (the same scene per seed for both methods) with its 95 %
    t interval, and the outcome of :func:`latentdyn.verdicts.claim` ("reproduced": ahead;
    "reversed": behind; "not reproduced": no ordering; fewer than 2 seeds: no row).

    Returns:
        one row per (scene, other method): the means, the difference and its interval, the outcome.
    """
    rows = []
    finite = summary[np.isfinite(summary[column].astype(float))]
    for scene, block in finite.groupby(group, sort=False):
        table = block.pivot_table(index="seed", columns="method", values=column)
        candidates = [m for m in table.columns if m != method] if others is None else others
        for other in candidates:
            if method not in table or other not in table or table[[method, other]].dropna().shape[0] < 2:
                continue
            pair = table[[method, other]].dropna()
            estimate = paired_difference(pair[method].to_numpy(), pair[other].to_numpy())
            rows.append(
                {
                    group: scene,
                    "method": method,
                    "other": other,
                    "method_mean": float(pair[method].mean()),
                    "other_mean": float(pair[other].mean()),
                    "difference": estimate.mean,
                    "low": estimate.low,
                    "high": estimate.high,
                    "seeds": estimate.n,
                    "outcome": claim([estimate], HIGHER).outcome,
                }
            )
    return pd.DataFrame(rows)


# the scores on which the visibility blend is compared with the linear one (higher is better)
BLEND_SCORES = ("psnr_mid", "event_psnr_mid", "event_depth_mid")
# the event goals of the visibility blend: depth reached on both crack scenes
EVENT_DEPTH_TARGET = 0.8
GOAL_SCENES = ("crack_formation", "crack_closing")


def blend_effect(blend_summary: pd.DataFrame, group: str = "scenario") -> pd.DataFrame:
    """The visibility blend against the linear blend of the same trained model, per scene and score.

    Args:
        blend_summary: one row per (seed, ``group``, method) for ``latent_advection`` (visibility
            blend) and ``linear_blend`` (see
            :attr:`latentdyn.inbetween.experiments.runs.InbetweenScenariosResult.blend_summary`).

    Returns:
        one row per (scene, score of :data:`BLEND_SCORES`): the two means, the paired difference
        (visibility - linear) with its 95 % interval over seeds, and the outcome of
        :func:`latentdyn.verdicts.claim` ("reproduced" = the visibility blend is ahead). Empty when
        the summary is.
    """
    if blend_summary.empty:
        return pd.DataFrame()
    tables = [
        event_verdicts(blend_summary, "latent_advection", ("linear_blend",), group, column).assign(score=column)
        for column in BLEND_SCORES
    ]
    table = pd.concat([t for t in tables if not t.empty], ignore_index=True)
    return table[[group, "score"] + [c for c in table.columns if c not in (group, "score")]]


def event_goals(
    summary: pd.DataFrame, blend_summary: pd.DataFrame, group: str = "scenario", scenes: tuple[str, ...] = GOAL_SCENES
) -> pd.DataFrame:
    """The event goals of the main method, per crack scene: event depth at least
    :data:`EVENT_DEPTH_TARGET` (mean over seeds), event PSNR ahead of optimal transport (interval
    over seeds excludes zero), and whole-image PSNR not lower than with the linear blend (no
    interval below zero).

    Returns:
        one row per scene that was run: ``event_depth``, ``depth_met``, ``event_vs_ot`` (the
        outcome of :func:`event_verdicts`), ``whole_vs_linear`` (the outcome of
        :func:`blend_effect` on the whole-image PSNR), ``whole_not_lower`` and ``met`` (all three).
    """
    versus_ot = event_verdicts(summary, "latent_advection", ("optimal_transport",), group)
    versus_linear = blend_effect(blend_summary, group)
    rows = []
    for scene in scenes:
        block = summary[(summary[group] == scene) & (summary["method"] == "latent_advection")]
        if block.empty:
            continue
        depth = float(block["event_depth_mid"].mean())
        ot = versus_ot[versus_ot[group] == scene]["outcome"]
        linear = (
            versus_linear[(versus_linear[group] == scene) & (versus_linear["score"] == "psnr_mid")]["outcome"]
            if not versus_linear.empty
            else pd.Series(dtype=str)
        )
        row = {
            group: scene,
            "event_depth": depth,
            "depth_met": goal(depth, EVENT_DEPTH_TARGET).outcome == MET,
            "event_vs_ot": ot.iloc[0] if len(ot) else "not run",
            "whole_vs_linear": linear.iloc[0] if len(linear) else "not run",
        }
        row["whole_not_lower"] = row["whole_vs_linear"] in (REPRODUCED, NOT_REPRODUCED)
        row["met"] = row["depth_met"] and row["event_vs_ot"] == REPRODUCED and row["whole_not_lower"]
        rows.append(row)
    return pd.DataFrame(rows)


def changed_region(
    image0: np.ndarray,
    image1: np.ndarray,
    velocity: np.ndarray,
    time: float = 0.5,
    *,
    threshold: float = 0.1,
    window: int = 5,
) -> np.ndarray:
    """``(H, W)`` bool: the pixels at ``time`` where the two observations differ after the motion.

    For a pair without an event mask (a real or user-given pair), the part of the scene that
    transport along ``velocity`` does not explain: the first image carried to ``t = 1`` is
    compared with the second and the second carried back to ``t = 0`` with the first; each
    absolute difference is averaged over ``window`` x ``window`` pixels (speckle) and carried to
    ``time`` with the content it belongs to; a pixel is in the region where either exceeds
    ``threshold``.

    Args:
        image0, image1: ``(H, W)`` in [0, 1].
        velocity: ``(2, H, W)`` pixels per unit time, x then y (for example TV-L1 optical flow).
        time: in [0, 1].
        threshold: intensity difference that counts as a change.
        window: odd side of the averaging box, pixels.
    """
    time = check_in_range("time", time, 0.0, 1.0)
    threshold = check_positive_float("threshold", threshold)
    window = check_positive_int("window", window)
    if window % 2 == 0:
        raise ValueError(f"window must be odd, got {window}")
    first = torch.as_tensor(np.asarray(image0, np.float64))[None, None]
    second = torch.as_tensor(np.asarray(image1, np.float64))[None, None]
    if first.shape != second.shape or first.ndim != 4:
        raise ValueError(f"image0 and image1 must be (H, W) of one shape, got {first.shape[2:]} and {second.shape[2:]}")
    flow = torch.as_tensor(np.asarray(velocity, np.float64))[None]
    if flow.shape != (1, 2, *first.shape[2:]):
        raise ValueError(f"velocity must be (2, {first.shape[2]}, {first.shape[3]}), got {tuple(flow.shape[1:])}")

    def smoothed(difference: torch.Tensor) -> torch.Tensor:
        return F.avg_pool2d(difference.abs(), window, 1, window // 2, count_include_pad=False)

    miss0 = smoothed(advect(first, flow, 1.0, scheme="semi_lagrangian") - second)  # at t = 1
    miss1 = smoothed(advect(second, flow, -1.0, scheme="semi_lagrangian") - first)  # at t = 0
    at_time = torch.maximum(
        advect(miss0, flow, time - 1.0, scheme="semi_lagrangian"), advect(miss1, flow, time, scheme="semi_lagrangian")
    )
    return (at_time[0, 0] > threshold).numpy()


def region_scores(estimate: np.ndarray, truth: np.ndarray, region: np.ndarray) -> dict[str, float]:
    """``changed_psnr`` (dB) and ``changed_mae`` of one ``(H, W)`` frame in [0, 1] on ``region``
    (see :func:`changed_region`), and ``changed_fraction``, the region's share of the pixels; the
    two scores are NaN for an empty region."""
    region = np.asarray(region, dtype=bool)
    estimate = np.clip(np.asarray(estimate, np.float64), 0.0, 1.0)
    truth = np.asarray(truth, np.float64)
    if region.shape != truth.shape or estimate.shape != truth.shape:
        raise ValueError(
            f"region_scores: estimate, truth and region must share one shape, got "
            f"{estimate.shape}, {truth.shape} and {region.shape}"
        )
    if not region.any():
        return {"changed_psnr": float("nan"), "changed_mae": float("nan"), "changed_fraction": 0.0}
    error = (estimate - truth)[region]
    squared = float(np.mean(error**2))
    return {
        "changed_psnr": float(10 * np.log10(1.0 / squared)) if squared > 0 else float("inf"),
        "changed_mae": float(np.mean(np.abs(error))),
        "changed_fraction": float(region.mean()),
    }
