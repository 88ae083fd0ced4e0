"""The results tables: every measured VPT beside the paper's, the paired differences, the recorded
runs, the gap of the shipped models per configuration, and the pose-error floor of the
reconstruction target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch

from latentdyn.cache import project_root
from latentdyn.cpae.data.videos import SYSTEMS, build_system, frame_pairs, render_states, split_indices
from latentdyn.cpae.experiments.data import prepare_system
from latentdyn.cpae.experiments.shipped import LongResult, run_cpae_long, shipped_seeds
from latentdyn.cpae.experiments.systems import SystemResult, run_cpae_system
from latentdyn.cpae.metrics import relative_frame_error, valid_prediction_time
from latentdyn.cpae.recorded_runs import (
    load_recorded_runs,
    recorded_runs_table,
    seed_readings,
)
from latentdyn.cpae.settings import AUTHORS_PROFILE, MODEL_LABELS, RECONSTRUCTION_TARGET, system_settings
from latentdyn.cpae.shipped_models import shipped_folder
from latentdyn.reporting import interval_column, readable
from latentdyn.statistics import standard_error

PAPER_VPT_FILE = "cpae_paper_vpt.csv"


def paper_vpt() -> pd.DataFrame:
    """The paper's reported VPT (``data/reference/cpae_paper_vpt.csv``, with its source column)."""
    root = project_root()
    path = (root / "data" / "reference" / PAPER_VPT_FILE) if root else None
    if path is None or not path.is_file():
        raise FileNotFoundError(f"the paper's numbers are missing: expected data/reference/{PAPER_VPT_FILE}")
    return pd.read_csv(path, comment="#")


@dataclass
class ResultsSummary:
    """Every VPT this book measured beside the paper's, the paired differences and the recorded runs.

    Attributes:
        comparison: one row per (system, autoencoder) of the profile's run (re-executed by CI):
            Neural ODE VPT by relative error (mean and standard error over the test videos), by
            pixel MSE, the ceilings (VPT of the reconstructions, both definitions), VPT against
            own reconstructions, reconstruction error, and the paper's VPT where it reports one.
        paired: one row per (system, latent model, definition): the paired difference CpAE −
            standard AE on the same test videos (Neural ODE under both VPT definitions, and the
            ceiling), mean, standard error, 95 % interval, videos and reading.
        all_vpt: VPT of every latent model, indexed (system, autoencoder, latent model).
        smoothness: the continuity measures, indexed (system, autoencoder).
        recorded: every recorded run (:func:`latentdyn.cpae.recorded_runs.recorded_runs_table`),
            with where it ran, its data source and a ``stale`` reason when its profile has changed.
        test_videos: system -> number of test videos of the profile's run.
        runs: system -> the profile's :class:`SystemResult` (for the properties a correct run has).
        long: system -> the shipped long-configuration models re-scored
            (:func:`latentdyn.cpae.experiments.shipped.run_cpae_long`), for every system that has any.
    """

    comparison: pd.DataFrame
    paired: pd.DataFrame
    all_vpt: pd.DataFrame
    smoothness: pd.DataFrame
    recorded: pd.DataFrame
    test_videos: dict[str, int]
    runs: dict[str, SystemResult]
    long: dict[str, LongResult] = field(default_factory=dict)


COMPARISON_COLUMNS = [
    "system",
    "autoencoder",
    "measured VPT (%)",
    "measured VPT SE (%)",
    "measured VPT pixel MSE (%)",
    "ceiling (%)",
    "ceiling pixel MSE (%)",
    "measured VPT vs reconstruction (%)",
    "reconstruction error",
    "paper VPT (%)",
]
PAIRED_COLUMNS = [
    "system",
    "latent model",
    "definition",
    "mean difference (points)",
    "standard error",
    "95% low",
    "95% high",
    "videos",
    "reading",
]


def run_cpae_results(
    *,
    profile: str = "book",
    seed: int = 0,
    systems: tuple[str, ...] = SYSTEMS,
    long_profile: str = "long",
    **knobs: Any,
) -> ResultsSummary:
    """Collect the system experiments (from the cache when the chapters ran before),
    their paired differences CpAE − standard AE, the recorded runs, and the shipped models of
    ``long_profile`` re-scored (every system that has shipped seeds)."""
    results = {system: run_cpae_system(system, profile=profile, seed=seed, **knobs) for system in systems}
    paper = paper_vpt()
    node = MODEL_LABELS["neural_ode"]
    rows, all_rows, smooth_rows, paired_rows, videos = [], [], [], [], {}
    for system, result in results.items():
        for (encoder, model), values in result.vpt.iterrows():
            all_rows.append(
                {"system": system, "autoencoder": encoder, "latent model": model, "VPT (%)": values["VPT mean (%)"]}
            )
        for encoder, values in result.continuity.iterrows():
            smooth_rows.append({"system": system, "autoencoder": encoder, **values.to_dict()})
            match = paper[(paper["system"] == system) & (paper["autoencoder"] == encoder)]
            vpt = result.vpt.loc[(encoder, node)]
            rows.append(
                {
                    "system": system,
                    "autoencoder": encoder,
                    "measured VPT (%)": float(vpt["VPT mean (%)"]),
                    "measured VPT SE (%)": float(vpt["VPT SE (%)"]),
                    "measured VPT pixel MSE (%)": float(vpt["VPT pixel MSE mean (%)"]),
                    "ceiling (%)": float(values["ceiling (%)"]),
                    "ceiling pixel MSE (%)": float(values["ceiling pixel MSE (%)"]),
                    "measured VPT vs reconstruction (%)": float(vpt["VPT vs reconstruction (%)"]),
                    "reconstruction error": float(values["reconstruction error"]),
                    "paper VPT (%)": float(match["vpt"].iloc[0]) if len(match) else float("nan"),
                }
            )
        if result.paired is not None and len(result.paired):
            chosen = result.paired[
                (result.paired["comparison"] == "CpAE − standard AE")
                & result.paired["latent model"].isin([node, "ceiling"])
            ]
            paired_rows += [{"system": system, **row} for row in chosen.to_dict("records")]
        videos[system] = (
            int(result.scores["video"].nunique()) if result.scores is not None and len(result.scores) else 0
        )
    recorded = recorded_runs_table()
    return ResultsSummary(
        pd.DataFrame(rows, columns=COMPARISON_COLUMNS),
        pd.DataFrame(paired_rows).reindex(columns=PAIRED_COLUMNS),
        pd.DataFrame(all_rows).set_index(["system", "autoencoder", "latent model"]),
        pd.DataFrame(smooth_rows).set_index(["system", "autoencoder"]),
        recorded,
        videos,
        results,
        {
            system: run_cpae_long(system, profile=long_profile)
            for system in systems
            if shipped_seeds(system, long_profile)
        },
    )


def scale_readings(
    systems: tuple[str, ...] = ("damped_pendulum", "elastic_double_pendulum"),
    profiles: tuple[str, ...] = ("long", AUTHORS_PROFILE),
) -> pd.DataFrame:
    """The CpAE − standard AE gap of every shipped configuration: for each system and profile
    (``long``: the book's networks; ``authors``: the authors'), the seed readings
    (:func:`seed_readings`) of its shipped models, from the scores stored with them (which the
    system chapters re-score), with the profile's resolution, large filter size and training
    videos as columns. Systems and profiles with no shipped model give no rows."""
    frames = []
    shipped = load_recorded_runs(shipped_folder()) if shipped_folder().is_dir() else []
    for system in systems:
        for profile in profiles:
            readings = seed_readings(system, profile, runs=[run for run in shipped if run.profile == profile])
            if not len(readings):
                continue
            settings = system_settings(profile, {}, system)
            frames.append(
                readings.assign(
                    system=system,
                    profile=profile,
                    resolution=settings["resolution"],
                    filter=settings["large_filter_size"],
                    videos_trained=len(split_indices(settings["num_trajectories"], seed=0)["train"]),
                )
            )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def scale_gap_table(gap: pd.DataFrame, definition: str = "relative error") -> pd.DataFrame:
    """:func:`scale_readings` for a page: the rows of ``definition``, index (configuration, seed)
    with the configuration as "<system>, <profile>", the difference in points with its 95 %
    interval as one column, both ceilings and the reading."""
    shown = gap[gap["definition"] == definition]
    shown = shown.assign(configuration=shown["system"].map(readable) + ", " + shown["profile"])
    columns = ["configuration", "seed", "mean difference (points)", "95% low", "95% high"]
    columns += ["ceiling standard AE (%)", "ceiling CpAE (%)", "reading"]
    return (
        interval_column(shown[columns])
        .rename(columns={"mean difference (points)": "difference (points)"})
        .set_index(["configuration", "seed"])
    )


def pose_error_floor(
    system: str = "damped_pendulum",
    *,
    profile: str = "book",
    seed: int = 0,
    tip_offsets: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0),
    **knobs: Any,
) -> pd.DataFrame:
    """How exactly a decoder must place the rod to reach a reconstruction error: the score of a
    "reconstruction" that draws the damped pendulum perfectly but at a wrong angle.

    Every test video is re-rendered (:func:`latentdyn.cpae.data.videos.render_states`) with the rod's
    angle moved so that its tip moves by ``offset`` pixels, and scored as the chapters score a
    reconstruction: relative error of each input (two frames side by side) against the true input,
    with the mean training input of ``seed``'s videos as the scale, averaged over the inputs;
    the ceiling is the VPT of those inputs (%, from the second input on) at the profile's
    ``vpt_threshold``.

    Args:
        system: ``"damped_pendulum"`` (one angle; the other systems have several coordinates).
        profile, seed, knobs: the chapter's settings (resolution, bar width, test videos).
        tip_offsets: displacements of the rod's tip in pixels (positive).

    Returns:
        One row per offset: ``tip offset (pixels)``, ``angle offset (degrees)``,
        ``reconstruction error`` (mean over the test videos), ``SE`` (over the videos),
        ``ceiling (%)``, ``videos``.
    """
    if system != "damped_pendulum":
        raise ValueError(f"system: only 'damped_pendulum' has a single angle to move, got {system!r}")
    offsets = [float(offset) for offset in tip_offsets]
    if not offsets or min(offsets) <= 0:
        raise ValueError(f"tip_offsets must be positive pixel distances, got {tip_offsets!r}")
    settings = system_settings(profile, knobs, system)
    data = prepare_system(system, settings, seed)
    rod = build_system(system)
    pixel = 2 * rod.extent / settings["resolution"]  # metres per pixel
    rows = []
    for offset in offsets:
        angle = offset * pixel / rod.bars[0].length  # radians: tip displacement / rod length
        states = np.array(data.test_states, dtype=np.float64)
        states[..., 0] += angle
        frames = render_states(system, states, settings["resolution"], min_bar_pixels=settings["min_bar_pixels"])
        pairs = torch.from_numpy(frame_pairs(frames))
        errors = relative_frame_error(pairs, data.test_pairs, data.reference)  # (N, T' - 1)
        per_video = errors.mean(dim=1).numpy()
        rows.append(
            {
                "tip offset (pixels)": offset,
                "angle offset (degrees)": float(np.degrees(angle)),
                "reconstruction error": float(errors.mean()),
                "SE": standard_error(per_video),
                "ceiling (%)": float(valid_prediction_time(errors[:, 1:], settings["vpt_threshold"]).float().mean()),
                "videos": len(per_video),
            }
        )
    return pd.DataFrame(rows)


def pose_floor_values(floor: pd.DataFrame, target: float = RECONSTRUCTION_TARGET) -> dict[str, float]:
    """The numbers a page quotes from :func:`pose_error_floor`: the relative error, the angle
    (degrees) and the ceiling (%) of a rod drawn exactly but with its tip one pixel off
    (``floor_one_error``, ``floor_one_angle``, ``floor_one_ceiling``; NaN when 1 pixel is not an
    offset of ``floor``), and the tip offset in pixels at which the error reaches ``target``
    (``floor_target_pixels``, interpolated with 0 offset scoring 0; NaN when the error does not grow
    with the offset or never reaches ``target``)."""
    one = floor.loc[np.isclose(floor["tip offset (pixels)"], 1.0)]
    values = {
        "floor_one_error": float(one["reconstruction error"].iloc[0]) if len(one) else float("nan"),
        "floor_one_angle": float(one["angle offset (degrees)"].iloc[0]) if len(one) else float("nan"),
        "floor_one_ceiling": float(one["ceiling (%)"].iloc[0]) if len(one) else float("nan"),
        "floor_target_pixels": float("nan"),
    }
    offsets = np.concatenate(([0.0], floor["tip offset (pixels)"].to_numpy(float)))
    errors = np.concatenate(([0.0], floor["reconstruction error"].to_numpy(float)))
    if np.all(np.diff(errors) > 0) and target <= errors[-1]:
        values["floor_target_pixels"] = float(np.interp(target, errors, offsets))
    return values
