"""In-between frames judged where the scene changes: the event scores beside the whole-image ones.

A whole-image PSNR at ``t = 0.5`` is mostly the static or slowly moving ice texture; the event the
paper is about (a crack that forms or closes, a floe that appears) is a few per cent of the
pixels. The scenes know their event (:attr:`latentdyn.data.seaice.SeaIceSequence.event_mask`),
and the summaries of :func:`latentdyn.experiments.inbetween_core.score_outputs` carry its scores
at the middle frame (``event_psnr_mid``, ``event_mae_mid``, ``event_depth_mid``; see
:func:`latentdyn.image_metrics.event_scores`). This module puts them side by side with the
whole-image PSNR and decides, scene by scene, whether one method draws the event better than
another (:func:`latentdyn.verdicts.claim` on the paired differences over seeds: each seed is
another scene, scored for every method).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from latentdyn.statistics import paired_difference
from latentdyn.verdicts import HIGHER, claim

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
