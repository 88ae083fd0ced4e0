"""The CpAE experiments: circular motion, the four pendulum-like systems, ablations, results.

Pipeline of one system (the paper's decoupled scheme):

1. simulate and render the videos (:mod:`latentdyn.data.videos`), split trajectories 80/10/10;
2. train each autoencoder variant on frame pairs of the training trajectories;
3. encode every trajectory, standardise the latent states (training mean and std), and fit
   each latent model to one-step transitions, time measured in frames (``dt = 1``);
4. from the first latent state of every test trajectory, roll the latent model out, decode,
   and score the frames: VPT, latent smoothness, reconstruction error, in-between error.

Trained weights are cached under ``data/cache`` keyed by every parameter (so a second call,
e.g. from the results chapter, only evaluates), and autoencoder trainings checkpoint every
epoch so an interrupted run resumes.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from latentdyn.cache import cache_dir, load_or_create, parameters_key, project_root
from latentdyn.data.videos import (
    SYSTEMS,
    CameraEffects,
    VideoDataset,
    frame_pairs,
    generate_circle_video,
    generate_system_video,
    load_frame_folders,
)
from latentdyn.metrics import relative_frame_error, smoothness_ratio, step_ratio, valid_prediction_time
from latentdyn.models.autoencoder import ConvAutoencoder
from latentdyn.models.latent_dynamics import LATENT_MODELS, build_latent_model
from latentdyn.models.training import train_autoencoder, train_jointly, train_latent_model
from latentdyn.profiles import resolve_settings
from latentdyn.regularizers import filter_continuity_penalty
from latentdyn.runtime import resolve_device, seed_everything
from latentdyn.validation import check_choice

RESULTS_VERSION = 1  # bump when training or evaluation code changes, so caches are not reused
VARIANTS = ("standard", "l2", "cpae")
VARIANT_LABELS = {"standard": "standard AE", "l2": "AE + L2", "cpae": "CpAE", "joint": "joint AE + NODE"}
MODEL_LABELS = {"neural_ode": "Neural ODE", "hnn": "HNN", "sympnet": "SympNet"}
LATENT_DIM = {"damped_pendulum": 2, "elastic_double_pendulum": 8, "rigid_double_pendulum": 8,
              "swing_stick": 8}
CAMERA_SYSTEMS = ("rigid_double_pendulum", "swing_stick")


# ----------------------------------------------------------------------------- set-up helpers

def _state_arrays(module: torch.nn.Module) -> dict[str, np.ndarray]:
    return {name: tensor.detach().cpu().numpy() for name, tensor in module.state_dict().items()}


def _load_state(module: torch.nn.Module, arrays: dict[str, np.ndarray], prefix: str = "") -> None:
    state = {name[len(prefix):]: torch.from_numpy(np.array(value)) for name, value in arrays.items()
             if name.startswith(prefix)}
    module.load_state_dict(state)


def autoencoder_arguments(variant: str, settings: dict[str, Any], *, regularizer_weight: float | None = None,
                          kernel_scale: float | None = None, filter_size: int | None = None,
                          regularizer: str | None = None) -> dict[str, Any]:
    """Keyword arguments of :class:`ConvAutoencoder` for a variant under ``settings``.

    ``standard``: small filters, no penalty. ``cpae``: large filters with J. ``l2``: the same
    large filters with ``mean(W^2)`` instead of J. The ablations override single arguments.
    """
    check_choice("variant", variant, VARIANTS)
    large = variant != "standard"
    arguments = {
        "filter_size": settings["large_filter_size"] if large else settings["small_filter_size"],
        "channels": tuple(settings["cpae_channels"] if large else settings["standard_channels"]),
        "regularizer": {"standard": "none", "l2": "l2", "cpae": "continuity"}[variant],
        "regularizer_weight": settings["l2_weight"] if variant == "l2" else settings["continuity_weight"],
        "kernel_scale": settings["kernel_scale"],
    }
    overrides = {"regularizer_weight": regularizer_weight, "kernel_scale": kernel_scale,
                 "filter_size": filter_size, "regularizer": regularizer}
    arguments.update({key: value for key, value in overrides.items() if value is not None})
    return arguments


def _checkpoint_path(name: str, params: dict[str, Any]) -> Path:
    return cache_dir() / "checkpoints" / f"{name}-{parameters_key(params)}.pt"


# ----------------------------------------------------------------------------- data

def load_video(system: str, settings: dict[str, Any], seed: int, frames_folder: str | None = None) -> VideoDataset:
    """The simulated video of ``system`` (camera effects for the two real-video systems), or real frames."""
    if frames_folder:
        return load_frame_folders(frames_folder, resolution=settings["resolution"], seed=seed)
    camera = CameraEffects() if system in CAMERA_SYSTEMS else None
    return generate_system_video(system, num_trajectories=settings["num_trajectories"],
                                 num_frames=settings["num_frames"], resolution=settings["resolution"],
                                 seed=seed, camera=camera)


# ----------------------------------------------------------------------------- training (cached)

def trained_autoencoder(name: str, image_shape: tuple[int, ...], latent_dim: int, arguments: dict[str, Any],
                        inputs: torch.Tensor, data_key: str, settings: dict[str, Any], seed: int,
                        architecture: str = "deep") -> ConvAutoencoder:
    """Train (or load from the cache) an autoencoder on ``inputs (M, C, H, W)``."""
    params = {"data": data_key, "arguments": arguments, "latent_dim": latent_dim, "architecture": architecture,
              "epochs": settings["epochs"], "batch_size": settings["batch_size"],
              "learning_rate": settings["learning_rate"], "seed": seed, "threads": settings["num_threads"],
              "version": RESULTS_VERSION}
    model = ConvAutoencoder(image_shape, latent_dim, architecture=architecture, **arguments)

    def create() -> dict[str, np.ndarray]:
        seed_everything(seed, settings["num_threads"])
        fresh = ConvAutoencoder(image_shape, latent_dim, architecture=architecture, **arguments)
        device = resolve_device(settings["device"])
        fresh.to(device)
        checkpoint = _checkpoint_path(f"ae-{name}", params)
        history = train_autoencoder(fresh, inputs, epochs=settings["epochs"], batch_size=settings["batch_size"],
                                    learning_rate=settings["learning_rate"], seed=seed, checkpoint=checkpoint,
                                    description=f"train {name}")
        checkpoint.unlink(missing_ok=True)
        return {**_state_arrays(fresh.cpu()), "__history": np.asarray(history)}

    arrays = load_or_create(f"ae-{name}", params, create)
    history = arrays.pop("__history")
    _load_state(model, arrays)
    model.eval()
    model.training_history = history
    model.cache_key = parameters_key(params)
    return model


def trained_latent_model(kind: str, latents: torch.Tensor, key: str, settings: dict[str, Any], seed: int):
    """Fit (or load) a latent model on standardised training trajectories ``latents (N, T, d)``."""
    params = {"kind": kind, "latents": key, "steps": settings["dynamics_steps"],
              "hidden": settings["dynamics_hidden"], "batch_size": settings["dynamics_batch_size"],
              "learning_rate": settings["dynamics_learning_rate"],
              "final_learning_rate": settings["dynamics_final_learning_rate"], "seed": seed,
              "threads": settings["num_threads"], "version": RESULTS_VERSION}
    dim = latents.shape[-1]
    model = build_latent_model(kind, dim, hidden=settings["dynamics_hidden"])

    def create() -> dict[str, np.ndarray]:
        seed_everything(seed, settings["num_threads"])
        fresh = build_latent_model(kind, dim, hidden=settings["dynamics_hidden"])
        history = train_latent_model(fresh, latents, time_step=1.0, steps=settings["dynamics_steps"],
                                     batch_size=settings["dynamics_batch_size"],
                                     learning_rate=settings["dynamics_learning_rate"],
                                     final_learning_rate=settings["dynamics_final_learning_rate"], seed=seed,
                                     description=f"fit {kind}")
        return {**_state_arrays(fresh), "__history": np.asarray(history)}

    arrays = load_or_create(f"latent-{kind}", params, create)
    arrays.pop("__history")
    _load_state(model, arrays)
    model.eval()
    return model


# ----------------------------------------------------------------------------- evaluation

@torch.no_grad()
def encode(model: ConvAutoencoder, inputs: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """``(..., C, H, W)`` -> ``(..., d)`` latent states, in batches."""
    flat = inputs.reshape(-1, *inputs.shape[-3:])
    codes = torch.cat([model.encode(chunk) for chunk in flat.split(batch_size)])
    return codes.reshape(*inputs.shape[:-3], -1)


@torch.no_grad()
def decode(model: ConvAutoencoder, latents: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """``(..., d)`` -> ``(..., C, H, W)`` images, in batches."""
    flat = latents.reshape(-1, latents.shape[-1])
    images = torch.cat([model.decode(chunk) for chunk in flat.split(batch_size)])
    return images.reshape(*latents.shape[:-1], *images.shape[-3:])


@dataclass
class Standardiser:
    """Affine map to standardised latent coordinates (training mean 0, std 1 per coordinate)."""

    mean: torch.Tensor
    std: torch.Tensor

    @classmethod
    def fit(cls, latents: torch.Tensor) -> "Standardiser":
        flat = latents.reshape(-1, latents.shape[-1])
        return cls(flat.mean(0), flat.std(0).clamp_min(1e-8))

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        return (latents - self.mean) / self.std

    def inverse(self, latents: torch.Tensor) -> torch.Tensor:
        return latents * self.std + self.mean


@torch.no_grad()
def rollout_images(autoencoder: ConvAutoencoder, latent_model, standardiser: Standardiser,
                   initial_latents: torch.Tensor, num_steps: int, substeps: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """Latent rollout ``(N, num_steps + 1, d)`` (unstandardised) and its decoded images."""
    states = latent_model.rollout(standardiser.forward(initial_latents), num_steps, 1.0, substeps)
    latents = standardiser.inverse(states)
    return latents, decode(autoencoder, latents)


# ----------------------------------------------------------------------------- one system

@dataclass
class SystemResult:
    """Everything a system chapter shows.

    Attributes:
        system: name; settings: the resolved knobs.
        example_frames: ``(K, 3, H, W)`` float frames of the first test trajectory.
        time_step: seconds per frame.
        latents: variant -> ``(n_show, T - 1, d)`` encoded test trajectories.
        rollouts: variant -> ``(n_show, T - 1, d)`` Neural ODE rollouts from the first state.
        true_states: ``(n_show, T, 2n)`` ground truth (or ``None`` for real video).
        strips: variant -> ``(K, 3, H, W)`` decoded Neural ODE rollout at the frames of ``strip_frames``.
        truth_strip: ``(K, 3, H, W)`` the true frames there; strip_frames: their indices.
        vpt: rows (variant, latent model): mean and std of VPT (%) over test trajectories.
        continuity: rows variant: smoothness ratio, step ratio, reconstruction MSE, in-between and
            on-frame errors.
        frame_errors: (variant, model) -> ``(N_test, T - 2)`` relative error of every predicted frame.
        timings: seconds spent per stage.
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


def _system_settings(profile: str, knobs: dict[str, Any]) -> dict[str, Any]:
    return resolve_settings("cpae_system", profile, **knobs)


def evaluate_variant(autoencoder: ConvAutoencoder, latent_models: dict[str, Any], standardiser: Standardiser,
                     test_pairs: torch.Tensor, half_frames: torch.Tensor | None, reference: torch.Tensor,
                     threshold: float, inbetween_steps: int) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Metrics of one autoencoder and its latent models on the test trajectories.

    Args:
        test_pairs: ``(N, T', C, H, 2W)`` inputs of the test trajectories.
        half_frames: ``(N, T' , C, H, W)`` true frames at half steps, or ``None``.
        reference: ``(C, H, 2W)`` mean training input, the scale of the relative error.
    """
    latents = encode(autoencoder, test_pairs)
    reconstruction = decode(autoencoder, latents)
    num_steps = test_pairs.shape[1] - 1
    row: dict[str, Any] = {
        "smoothness": float(np.mean([smoothness_ratio(z) for z in latents])),
        "step_ratio": float(np.mean([step_ratio(z) for z in latents])),
        "reconstruction_mse": float((reconstruction - test_pairs).pow(2).mean()),
    }
    errors, vpts = {}, {}
    for kind, model in latent_models.items():
        _, predicted = rollout_images(autoencoder, model, standardiser, latents[:, 0], num_steps)
        frame_error = relative_frame_error(predicted[:, 1:], test_pairs[:, 1:], reference)
        errors[kind] = frame_error.numpy()
        vpts[kind] = valid_prediction_time(frame_error, threshold).numpy()
    row["vpt"] = vpts
    ode = latent_models.get("neural_ode")
    if half_frames is not None and ode is not None:
        steps = min(inbetween_steps, num_steps)
        _, fine = rollout_images(autoencoder, ode, standardiser, latents[:, 0], 2 * steps, substeps=2)
        width = half_frames.shape[-1]
        left_reference = reference[..., :width]
        halves = fine[:, 1::2, ..., :width]
        wholes = fine[:, 2::2, ..., :width]
        row["inbetween_error"] = float(relative_frame_error(halves, half_frames[:, :steps], left_reference).mean())
        row["onframe_error"] = float(relative_frame_error(wholes, test_pairs[:, 1:steps + 1, ..., :width],
                                                          left_reference).mean())
    else:
        row["inbetween_error"] = row["onframe_error"] = float("nan")
    return row, errors


def run_cpae_system(system: str = "damped_pendulum", *, profile: str = "book", seed: int = 0,
                    frames_folder: str | None = None, **knobs: Any) -> SystemResult:
    """Train and score the autoencoder variants and latent models on one system.

    Args:
        system: one of ``damped_pendulum``, ``elastic_double_pendulum``, ``rigid_double_pendulum``,
            ``swing_stick``.
        profile: ``smoke`` / ``book`` / ``paper`` defaults for every knob.
        seed: seeds data, splits, initialisations and mini-batches.
        frames_folder: a folder of real videos (one sub-folder of frames per video) to use instead
            of the simulation; no ground truth then (no in-between metric).
        knobs: any setting of ``SETTINGS["cpae_system"]`` (``None`` keeps the profile's).
    """
    check_choice("system", system, SYSTEMS)
    settings = _system_settings(profile, knobs)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    dataset = load_video(system, settings, seed, frames_folder)
    timings["data"] = time.perf_counter() - started
    latent_dim = settings["latent_dim"] or LATENT_DIM[system]
    pairs = torch.from_numpy(frame_pairs(dataset.frames))
    train_pairs = pairs[dataset.splits["train"]]
    test_pairs = pairs[dataset.splits["test"]]
    half_frames = None if dataset.half_step_frames is None else torch.from_numpy(
        dataset.half_step_frames.astype(np.float32) / 255.0)
    reference = train_pairs.mean(dim=(0, 1))
    data_key = parameters_key({"system": system, "folder": str(frames_folder), "settings": {
        k: settings[k] for k in ("num_trajectories", "num_frames", "resolution")}, "seed": seed})
    image_shape = tuple(train_pairs.shape[-3:])

    rows, errors, latents_shown, rollouts_shown, strips = {}, {}, {}, {}, {}
    strip_frames = list(np.linspace(0, test_pairs.shape[1] - 1, settings["strip_length"]).round().astype(int))
    for variant in settings["autoencoders"]:
        started = time.perf_counter()
        arguments = autoencoder_arguments(variant, settings)
        autoencoder = trained_autoencoder(f"{system}-{variant}", image_shape, latent_dim, arguments,
                                          train_pairs.reshape(-1, *image_shape), data_key, settings, seed)
        timings[f"train {variant}"] = time.perf_counter() - started
        started = time.perf_counter()
        train_latents = encode(autoencoder, train_pairs)
        standardiser = Standardiser.fit(train_latents)
        models = {kind: trained_latent_model(kind, standardiser.forward(train_latents), autoencoder.cache_key,
                                             settings, seed)
                  for kind in settings["latent_models"]}
        timings[f"latent models {variant}"] = time.perf_counter() - started
        row, variant_errors = evaluate_variant(autoencoder, models, standardiser, test_pairs, half_frames,
                                               reference, settings["vpt_threshold"], settings["inbetween_steps"])
        rows[variant] = row
        errors.update({(variant, kind): value for kind, value in variant_errors.items()})
        shown = test_pairs[: settings["trajectories_shown"]]
        encoded = encode(autoencoder, shown)
        latents_shown[variant] = encoded.numpy()
        if "neural_ode" in models:
            rolled, decoded = rollout_images(autoencoder, models["neural_ode"], standardiser, encoded[:, 0],
                                             shown.shape[1] - 1)
            rollouts_shown[variant] = rolled.numpy()
            strips[variant] = decoded[0, strip_frames, ..., : dataset.frames.shape[-1]].numpy()

    vpt = pd.DataFrame([
        {"autoencoder": VARIANT_LABELS[v], "latent model": MODEL_LABELS[k], "VPT mean (%)": float(np.mean(r["vpt"][k])),
         "VPT std (%)": float(np.std(r["vpt"][k]))}
        for v, r in rows.items() for k in settings["latent_models"]]).set_index(["autoencoder", "latent model"])
    continuity = pd.DataFrame({VARIANT_LABELS[v]: {
        "smoothness ratio": r["smoothness"], "step ratio": r["step_ratio"],
        "reconstruction MSE": r["reconstruction_mse"], "in-between error": r["inbetween_error"],
        "on-frame error": r["onframe_error"]} for v, r in rows.items()}).T
    test_index = dataset.splits["test"]
    true_states = None if dataset.states is None else dataset.states[test_index[: settings["trajectories_shown"]]]
    frames0 = dataset.frames[test_index[0]].astype(np.float32) / 255.0
    return SystemResult(system, settings, frames0[strip_frames], dataset.time_step, latents_shown, rollouts_shown,
                        true_states, strips, frames0[strip_frames], strip_frames, vpt, continuity, errors, timings)
