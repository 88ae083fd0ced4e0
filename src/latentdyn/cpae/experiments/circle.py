"""The circular-motion experiment (the CpAE paper's first): a white disc circling in a 48 x 48
video, encoded by three full-image autoencoders (standard AE, AE + L2, CpAE) whose latent states
a Neural ODE continues past the training frames.

:func:`run_cpae_circle` trains the three autoencoders and their Neural ODEs (cached) and scores
them; :func:`score_circle` is the scoring alone, so that models trained elsewhere (the shipped
runs at the authors' length, :mod:`latentdyn.cpae.experiments.circle_shipped`) are scored
exactly as a live run is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch

from latentdyn.cache import parameters_key
from latentdyn.cpae.data.videos import CircleVideo, generate_circle_video
from latentdyn.cpae.data.windows import FrameWindows
from latentdyn.cpae.experiments.autoencoder_stage import decode, encode, penalty_arguments, trained_autoencoder
from latentdyn.cpae.experiments.latent_stage import Standardiser, rollout_images, trained_latent_model
from latentdyn.cpae.metrics import (
    filter_roughness,
    relative_frame_error,
    smoothness_ratio,
    step_ratio,
    valid_prediction_time,
)
from latentdyn.cpae.models.autoencoder import ConvAutoencoder
from latentdyn.cpae.settings import VARIANT_LABELS
from latentdyn.parallel import fill_cache
from latentdyn.profiles import resolve_settings
from latentdyn.runtime import resolve_device, seed_everything

CIRCLE_AUTHORS_STEPS = 100_000  # the authors' circle recipe: full-batch Adam steps at a constant 1e-3


@dataclass
class CircleResult:
    """The circular-motion experiment.

    Attributes:
        settings: resolved knobs.
        frames: ``(T, 1, H, W)`` the video; num_train: training frames (the rest test).
        latents: variant -> ``(T, 2)`` encoded states of every frame.
        rollouts: variant -> ``(T - num_train + 1, 2)`` Neural ODE rollout from the last training frame.
        decoded: variant -> ``(K, 1, H, W)`` decoded rollout at ``strip_frames`` (absolute frame indices).
        filters: variant -> ``(channels, 1, H, W)`` the learned 48x48 filters.
        metrics: rows variant: VPT (%), the share of test frames predicted within the VPT
            threshold (%), smoothness and step ratios on the test frames, reconstruction MSE and
            relative error, in-between and on-frame errors, and the filters' roughness
            (:func:`latentdyn.cpae.metrics.filter_roughness`) and root mean square entry.
        frame_errors: variant -> ``(T - num_train,)`` relative error of each predicted test frame.
        training_seconds: variant -> wall seconds its autoencoder's training took, on the machine
            that trained it (stored with the cached model; NaN for a model cached without it).
    """

    settings: dict[str, Any]
    frames: np.ndarray
    num_train: int
    latents: dict[str, np.ndarray]
    rollouts: dict[str, np.ndarray]
    decoded: dict[str, np.ndarray]
    strip_frames: list[int]
    filters: dict[str, np.ndarray]
    metrics: pd.DataFrame
    frame_errors: dict[str, np.ndarray]
    training_seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class CircleFit:
    """One trained circle autoencoder with its Neural ODE: ``latents`` ``(T, 2)`` the encoded
    frames, ``standardiser`` the map the Neural ODE was fitted in, ``training_seconds`` the
    autoencoder's training wall time (NaN when unknown)."""

    autoencoder: ConvAutoencoder
    latents: torch.Tensor
    standardiser: Standardiser
    neural_ode: Any
    training_seconds: float = float("nan")


def circle_video(settings: dict[str, Any]) -> CircleVideo:
    """The disc video of ``settings`` (``resolution``, ``num_frames``, ``num_train``)."""
    return generate_circle_video(
        resolution=settings["resolution"], num_frames=settings["num_frames"], num_train=settings["num_train"]
    )


def circle_autoencoder(variant: str, settings: dict[str, Any]) -> ConvAutoencoder:
    """An untrained circle autoencoder of ``variant``: one full-image convolution of
    ``settings["channels"]`` filters and the variant's penalty."""
    side = int(settings["resolution"])
    arguments = {"channels": (settings["channels"],), **penalty_arguments(variant, settings)}
    return ConvAutoencoder((1, side, side), 2, architecture="single", **arguments)


def fit_circle_variant(variant: str, settings: dict[str, Any], seed: int, video: CircleVideo) -> CircleFit:
    """One autoencoder of the circle chapter and its Neural ODE, trained on the first
    ``video.num_train`` frames (or loaded from the cache)."""
    frames = torch.from_numpy(video.frames)
    data_key = parameters_key({"circle": [settings[k] for k in ("resolution", "num_frames", "num_train")]})
    arguments = {"channels": (settings["channels"],), **penalty_arguments(variant, settings)}
    autoencoder = trained_autoencoder(
        f"circle-{variant}",
        2,
        arguments,
        FrameWindows.from_images(frames[: video.num_train]),
        data_key,
        settings,
        seed,
        architecture="single",
    )
    encoded = encode(autoencoder, frames)
    train = encoded[: video.num_train]
    standardiser = Standardiser.fit(train) if settings["standardise_latents"] else Standardiser.identity(2)
    # the Neural ODE's cache key names the autoencoder and whether its latents were standardised
    key = autoencoder.cache_key if settings["standardise_latents"] else f"{autoencoder.cache_key}-raw"
    ode = trained_latent_model("neural_ode", standardiser.forward(train[None]), key, settings, seed)
    return CircleFit(autoencoder, encoded, standardiser, ode, float(autoencoder.training_seconds))


def train_circle_task(variant: str, settings: dict[str, Any], seed: int) -> None:
    """A worker's job (:func:`latentdyn.parallel.run_tasks`): one autoencoder of the circle chapter
    and its Neural ODE, trained into the cache."""
    seed_everything(seed, settings["num_threads"])
    fit_circle_variant(variant, settings, seed, circle_video(settings))


def score_circle(settings: dict[str, Any], video: CircleVideo, fits: dict[str, CircleFit]) -> CircleResult:
    """Score trained circle models (variant -> :class:`CircleFit`) on ``video``'s test frames: each
    Neural ODE is rolled out from the last training frame over the rest and decoded."""
    frames = torch.from_numpy(video.frames)
    half = torch.from_numpy(video.half_step_frames)
    reference = frames[: video.num_train].mean(dim=0)
    horizon = len(frames) - video.num_train
    strip_frames = list(np.linspace(video.num_train, len(frames) - 1, settings["strip_length"]).round().astype(int))
    threshold = float(settings["vpt_threshold"])
    latents, rollouts, decoded, filters, rows, errors, seconds = {}, {}, {}, {}, {}, {}, {}
    for variant, fit in fits.items():
        autoencoder, encoded, standardiser, ode = fit.autoencoder, fit.latents, fit.standardiser, fit.neural_ode
        start = encoded[video.num_train - 1 : video.num_train]
        dt = float(settings["dynamics_time_step"])
        rolled, images = rollout_images(autoencoder, ode, standardiser, start, horizon, time_step=dt)
        frame_error = relative_frame_error(images[0, 1:], frames[video.num_train :], reference)
        _, fine = rollout_images(autoencoder, ode, standardiser, start, 2 * horizon, substeps=2, time_step=dt)
        steps = min(settings["inbetween_steps"], horizon)
        inbetween = relative_frame_error(
            fine[0, 1 : 2 * steps : 2], half[video.num_train - 1 : video.num_train - 1 + steps], reference
        ).mean()
        reconstructed = decode(autoencoder, encoded)
        bank = autoencoder.regularized_filters()[0]
        test_latents = encoded[video.num_train :]
        rows[VARIANT_LABELS[variant]] = {
            "VPT (%)": float(valid_prediction_time(frame_error[None], threshold)[0]),
            "frames within threshold (%)": 100.0 * float((frame_error <= threshold).float().mean()),
            "smoothness ratio": smoothness_ratio(test_latents),
            "step ratio": step_ratio(test_latents),
            "reconstruction MSE": float((reconstructed - frames).pow(2).mean()),
            "reconstruction error": float(relative_frame_error(reconstructed, frames, reference).mean()),
            "in-between error": float(inbetween),
            "on-frame error": float(frame_error[:steps].mean()),
            "filter roughness": filter_roughness(bank),
            "filter RMS": float(bank.pow(2).mean().sqrt()),
        }
        latents[variant], rollouts[variant] = encoded.numpy(), rolled[0].numpy()
        decoded[variant] = images[0, [f - video.num_train + 1 for f in strip_frames]].numpy()
        filters[variant] = bank.numpy()
        errors[variant] = frame_error.numpy()
        seconds[variant] = fit.training_seconds
    return CircleResult(
        settings,
        video.frames,
        video.num_train,
        latents,
        rollouts,
        decoded,
        strip_frames,
        filters,
        pd.DataFrame(rows).T,
        errors,
        seconds,
    )


def run_cpae_circle(*, profile: str = "book", seed: int = 0, workers: int | str = "auto", **knobs: Any) -> CircleResult:
    """Standard AE vs AE + L2 vs CpAE on the disc moving on a circle (the paper's first experiment).

    Each autoencoder is one convolution with a full-image kernel (the authors' circle model),
    trained on the first ``num_train`` frames; a Neural ODE is fitted to the training latents and
    rolled out from the last training frame over the remaining frames. ``workers``: the
    autoencoders are first trained in that many single-thread processes (``"auto"``: one per
    core; the numbers equal a serial run's, every model being loaded from the cache).
    """
    settings = resolve_settings("cpae_circle", profile, **knobs)
    seed_everything(seed, settings["num_threads"])
    video = circle_video(settings)
    variants = tuple(settings["autoencoders"])
    if resolve_device(settings["device"]).type == "cpu":
        fill_cache(
            [(train_circle_task, {"variant": variant, "settings": settings, "seed": seed}) for variant in variants],
            workers=workers,
        )
    fits = {variant: fit_circle_variant(variant, settings, seed, video) for variant in variants}
    return score_circle(settings, video, fits)
