"""The system chapters' run: one pendulum-like system (:func:`run_cpae_system`), returning every
table and array its chapter shows (circular motion: :mod:`latentdyn.cpae.experiments.circle`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch

from latentdyn.cpae.data.videos import SYSTEMS
from latentdyn.cpae.experiments.autoencoder_stage import (
    autoencoder_arguments,
    encode,
)
from latentdyn.cpae.experiments.data import SystemData, prepare_system
from latentdyn.cpae.experiments.decoupled import DecoupledFit, TrainedModels, fit_decoupled, train_variant_task
from latentdyn.cpae.experiments.latent_stage import rollout_images
from latentdyn.cpae.experiments.scoring import cached_trivial_predictions
from latentdyn.cpae.metrics import vpt_curve
from latentdyn.cpae.settings import MODEL_LABELS, VARIANT_LABELS, system_settings
from latentdyn.parallel import fill_cache
from latentdyn.runtime import seed_everything
from latentdyn.statistics import ordering, paired_difference, standard_error
from latentdyn.validation import check_choice


@dataclass
class SystemResult:
    """Everything a system chapter shows.

    Attributes:
        system: name; settings: the resolved knobs.
        example_frames: ``(K, 3, H, W)`` float frames of the first test video.
        time_step: seconds per frame.
        latents: variant -> ``(n_show, T' - 1, d)`` encoded test videos.
        rollouts: variant -> ``(n_show, T' - 1, d)`` Neural ODE rollouts from the first state.
        true_states: ``(n_show, T', 2n)`` ground truth (or ``None`` for real video).
        strips: variant -> ``(K, 3, H, W)`` decoded Neural ODE rollout at the frames of ``strip_frames``.
        truth_strip: ``(K, 3, H, W)`` the true frames there; strip_frames: their indices.
        vpt: rows (variant, latent model): mean and standard error of VPT (%) over the test videos
            under both definitions, and the VPT against the autoencoder's own reconstructions.
        continuity: rows variant: smoothness ratio, step ratio, reconstruction MSE, mean relative
            frame error of the reconstructions, ceiling (VPT of the reconstructions, both
            definitions), in-between and on-frame errors.
        frame_errors: (variant, model) -> ``(N_test, T' - 1)`` relative error of every predicted frame.
        timings: seconds spent per stage.
        scores: one row per (variant, latent model, test video): ``vpt``, ``vpt_mse``, ``ceiling``,
            ``ceiling_mse``, ``reconstruction_error``.
        paired: one row per (other variant, latent model, definition): the paired difference
            other − standard AE over the same test videos, mean, standard error, 95 % interval.
        curves: VPT (%) of the Neural ODE against the relative-error threshold, per variant.
        trivial: where predictions without dynamics land (mean image, first frame held).
        losses: variant -> {"autoencoder": per-epoch loss, model: per-update loss}.
        data_source: what the videos are (``simulated, test seed ...`` or ``frames folder``).
        models: variant -> the trained (or shipped) autoencoder, latent standardiser and latent
            models that were scored (to re-use, export or ship them).
        reference: ``(C, H, 2W)`` the mean training input (the scale of the relative frame error).
        provenance: for shipped models, the training run's (commit, device, wall time, command)
            and the shipped file's (``shipped``); empty for a live training.
        scores_source: ``scored here``, or for shipped models whose stored scores were read,
            ``stored with the models``.
        score_check: for shipped models scored here, the comparison with their stored scores
            (:func:`latentdyn.cpae.experiments.shipped.score_shipped_system`); else empty.
    """

    system: str
    settings: dict[str, Any]
    example_frames: np.ndarray
    time_step: float
    latents: dict[str, np.ndarray]
    rollouts: dict[str, np.ndarray]
    true_states: np.ndarray | None
    strips: dict[str, np.ndarray]
    truth_strip: np.ndarray
    strip_frames: list[int]
    vpt: pd.DataFrame
    continuity: pd.DataFrame
    frame_errors: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    scores: pd.DataFrame | None = None
    paired: pd.DataFrame | None = None
    curves: pd.DataFrame | None = None
    trivial: pd.DataFrame | None = None
    losses: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    data_source: str = "simulated"
    models: dict[str, TrainedModels] = field(default_factory=dict, repr=False)
    reference: np.ndarray | None = field(default=None, repr=False)
    provenance: dict[str, Any] = field(default_factory=dict)
    scores_source: str = "scored here"
    score_check: pd.DataFrame = field(default_factory=pd.DataFrame)


DEFINITIONS = {"vpt": "relative error", "vpt_mse": "pixel MSE"}


def _score_tables(
    rows: dict[str, dict[str, Any]],
    kinds: tuple[str, ...],
    settings: dict[str, Any],
    errors: dict[tuple[str, str], np.ndarray],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per-video scores, paired differences against the standard AE, and VPT-threshold curves."""
    records = []
    for variant, row in rows.items():
        for kind in kinds:
            for video, (vpt, vpt_mse) in enumerate(zip(row["vpt"][kind], row["vpt_mse"][kind])):
                records.append(
                    {
                        "autoencoder": VARIANT_LABELS[variant],
                        "latent model": MODEL_LABELS[kind],
                        "video": video,
                        "vpt": float(vpt),
                        "vpt_mse": float(vpt_mse),
                        "ceiling": float(row["ceiling"][video]),
                        "ceiling_mse": float(row["ceiling_mse"][video]),
                        "reconstruction_error": float(row["reconstruction_errors"][video]),
                    }
                )
    scores = pd.DataFrame(records)
    paired = []
    if "standard" in rows and len(rows["standard"]["ceiling"]) >= 2:

        def row(variant: str, model: str, definition: str, first, second) -> dict[str, Any]:
            difference = paired_difference(first, second)
            return {
                "comparison": f"{VARIANT_LABELS[variant]} − standard AE",
                "latent model": model,
                "definition": definition,
                "mean difference (points)": difference.mean,
                "standard error": difference.standard_error,
                "95% low": difference.low,
                "95% high": difference.high,
                "videos": difference.n,
                "reading": ordering(difference, VARIANT_LABELS[variant], "standard AE"),
            }

        for variant in (v for v in rows if v != "standard"):
            paired += [
                row(variant, MODEL_LABELS[kind], definition, rows[variant][key][kind], rows["standard"][key][kind])
                for kind in kinds
                for key, definition in DEFINITIONS.items()
            ]
            paired.append(
                row(variant, "ceiling", "relative error", rows[variant]["ceiling"], rows["standard"]["ceiling"])
            )
    curves = []
    thresholds = tuple(settings["vpt_thresholds"])
    for variant in rows:
        if (variant, "neural_ode") in errors:
            curve = vpt_curve(torch.from_numpy(errors[(variant, "neural_ode")]), thresholds)
            curves += [
                {"autoencoder": VARIANT_LABELS[variant], "threshold": t, "VPT (%)": float(curve[i].mean())}
                for i, t in enumerate(thresholds)
            ]
    return scores, pd.DataFrame(paired), pd.DataFrame(curves)


def run_cpae_system(
    system: str = "damped_pendulum",
    *,
    profile: str = "book",
    seed: int = 0,
    frames_folder: str | None = None,
    frame_rate: float | None = None,
    frame_pattern: str | None = None,
    frame_background: float = 0.0,
    **knobs: Any,
) -> SystemResult:
    """Train and score the autoencoder variants and latent models on one system.

    Args:
        system: one of ``damped_pendulum``, ``elastic_double_pendulum``, ``rigid_double_pendulum``,
            ``swing_stick``.
        profile: ``smoke`` / ``book`` / ``paper`` defaults for every knob.
        seed: seeds the training data, splits, initialisations and mini-batches (the test videos
            are the same for every seed).
        frames_folder: a folder of real videos (one sub-folder of frames per video) to use instead
            of the simulation; its test split is then the test set, with no ground truth (no
            in-between metric). Trained weights are cached by the videos' content, so changed
            videos are never scored with old weights.
        frame_rate: frames per second of the real videos (default 60); the time axis of the
            figures follows it (the latent models work in frames).
        frame_pattern: a regular expression naming the frame files of ``frames_folder`` (with a
            group ``(?P<number>...)``); other files are then skipped instead of refused.
        frame_background: grey level in [0, 1] under transparent pixels of RGBA frames.
        knobs: any setting of ``SETTINGS["cpae_system"]`` (``None`` keeps the profile's);
            ``workers`` trains the autoencoders in that many single-thread processes (the
            numbers equal a serial run's).

    ``result.settings`` reports the data actually used: with ``frames_folder``, the number of
    videos and of frames per video found there replace the profile's ``num_trajectories`` and
    ``num_frames``.
    """
    check_choice("system", system, SYSTEMS)
    settings = system_settings(profile, knobs, system)
    if settings.get("networks") == "authors":
        raise ValueError(
            f"profile {profile!r} (the authors' networks) is trained by learning-curve runs "
            "(python -m latentdyn.cpae.experiments.learning_curve) and shipped by "
            "latentdyn.cpae.experiments.authors_runs; score its shipped models with "
            f"run_cpae_long({system!r}, profile={profile!r})"
        )
    seed_everything(seed, settings["num_threads"])  # evaluation too runs on a fixed thread count
    timings: dict[str, float] = {}
    started = time.perf_counter()
    data = prepare_system(system, settings, seed, frames_folder, frame_rate, frame_pattern, frame_background)
    dataset = data.dataset
    kinds = tuple(settings["latent_models"])
    timings["data"] = time.perf_counter() - started
    variants = tuple(settings["autoencoders"])
    started = time.perf_counter()
    if fill_cache(
        [
            (
                train_variant_task,
                {
                    "system": system,
                    "settings": settings,
                    "seed": seed,
                    "variant": variant,
                    "kinds": kinds,
                    "frames_folder": frames_folder,
                    "frame_rate": frame_rate,
                    "frame_pattern": frame_pattern,
                    "frame_background": frame_background,
                },
            )
            for variant in variants
        ],
        workers=settings["workers"],
    ):
        timings["train (parallel workers)"] = time.perf_counter() - started
    if frames_folder:
        settings.update(
            num_trajectories=dataset.frames.shape[0],
            num_frames=dataset.frames.shape[1],
            frames_folder=str(frames_folder),
            frame_rate=1 / dataset.time_step,
        )

    fits = {}
    for variant in variants:
        started = time.perf_counter()
        fits[variant] = fit_decoupled(
            data, f"{system}-{variant}", autoencoder_arguments(variant, settings), kinds, settings, seed
        )
        timings[f"train and score {variant}"] = time.perf_counter() - started
    return assemble_system_result(data, settings, fits, timings)


def assemble_system_result(
    data: SystemData, settings: dict[str, Any], fits: dict[str, DecoupledFit], timings: dict[str, float] | None = None
) -> SystemResult:
    """The chapter's tables and arrays from scored fits (variant -> :class:`DecoupledFit`) on the
    test videos of ``data``: shared by a live training (:func:`run_cpae_system`) and the shipped
    models (:func:`latentdyn.cpae.experiments.shipped.score_shipped_system`)."""
    system, test_pairs = data.system, data.test_pairs
    kinds = tuple(settings["latent_models"])
    rows, errors, latents_shown, rollouts_shown, strips, losses = {}, {}, {}, {}, {}, {}
    strip_frames = list(np.linspace(0, test_pairs.shape[1] - 1, settings["strip_length"]).round().astype(int))
    width = test_pairs.shape[-1] // 2
    for variant, fit in fits.items():
        rows[variant] = fit.row
        losses[variant] = {"autoencoder": fit.row["autoencoder_loss"], **fit.row["latent_losses"]}
        errors.update({(variant, kind): value for kind, value in fit.frame_errors.items()})
        shown = test_pairs[: settings["trajectories_shown"]]
        encoded = encode(fit.autoencoder, shown)
        latents_shown[variant] = encoded.numpy()
        if "neural_ode" in fit.models:
            rolled, decoded = rollout_images(
                fit.autoencoder, fit.models["neural_ode"], fit.standardiser, encoded[:, 0], shown.shape[1] - 1
            )
            rollouts_shown[variant] = rolled.numpy()
            strips[variant] = decoded[0, strip_frames, ..., :width].numpy()

    vpt = pd.DataFrame(
        [
            {
                "autoencoder": VARIANT_LABELS[v],
                "latent model": MODEL_LABELS[k],
                "VPT mean (%)": float(np.mean(r["vpt"][k])),
                "VPT SE (%)": standard_error(r["vpt"][k]),
                "VPT pixel MSE mean (%)": float(np.mean(r["vpt_mse"][k])),
                "VPT pixel MSE SE (%)": standard_error(r["vpt_mse"][k]),
                "VPT vs reconstruction (%)": float(np.mean(r["dynamics_vpt"][k])),
            }
            for v, r in rows.items()
            for k in kinds
        ]
    ).set_index(["autoencoder", "latent model"])
    continuity = pd.DataFrame(
        {
            VARIANT_LABELS[v]: {
                "smoothness ratio": r["smoothness"],
                "step ratio": r["step_ratio"],
                "reconstruction MSE": r["reconstruction_mse"],
                "reconstruction error": r["reconstruction_error"],
                "ceiling (%)": float(np.mean(r["ceiling"])),
                "ceiling pixel MSE (%)": float(np.mean(r["ceiling_mse"])),
                "in-between error": r["inbetween_error"],
                "on-frame error": r["onframe_error"],
            }
            for v, r in rows.items()
        }
    ).T
    scores, paired, curves = _score_tables(rows, kinds, settings, errors)
    trivial = pd.DataFrame(cached_trivial_predictions(data, settings["vpt_threshold"], settings["mse_threshold"])).T
    true_states = None if data.test_states is None else data.test_states[: settings["trajectories_shown"]]
    frames0 = data.test_frames[0].astype(np.float32) / 255.0
    return SystemResult(
        system,
        settings,
        frames0[strip_frames],
        data.dataset.time_step,
        latents_shown,
        rollouts_shown,
        true_states,
        strips,
        frames0[strip_frames],
        strip_frames,
        vpt,
        continuity,
        errors,
        dict(timings or {}),
        scores,
        paired,
        curves,
        trivial,
        losses,
        data.test_source,
        {variant: fit.trained_models() for variant, fit in fits.items()},
        data.reference.numpy(),
    )
