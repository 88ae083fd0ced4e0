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

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from latentdyn.cache import cache_dir, load_or_create, parameters_key, project_root, source_fingerprint
from latentdyn.data.videos import (
    SYSTEMS,
    CameraEffects,
    VideoDataset,
    frame_pairs,
    generate_circle_video,
    generate_system_video,
    default_time_step,
    load_frame_folders,
    split_indices,
)
from latentdyn.metrics import relative_frame_error, smoothness_ratio, step_ratio, valid_prediction_time
from latentdyn.data.windows import FrameWindows
from latentdyn.models.autoencoder import ConvAutoencoder
from latentdyn.models.latent_dynamics import build_latent_model
from latentdyn.models.latent_maps import build_latent_map
from latentdyn.models.training import train_autoencoder, train_jointly, train_latent_model
from latentdyn.profiles import resolve_settings
from latentdyn.regularizers import filter_continuity_penalty
from latentdyn.runtime import resolve_device, seed_everything
from latentdyn.validation import check_choice, check_positive_float

RESULTS_VERSION = 3  # bump when evaluation code changes, so caches are not reused
# The code that decides what a training produces: its fingerprint is part of every trained
# model's cache key (and of every recorded run), so an edit never reuses models of other code.
TRAINING_CODE = source_fingerprint("models/autoencoder.py", "models/latent_maps.py", "models/latent_dynamics.py",
                                   "models/training.py", "data/windows.py", "regularizers.py", "runtime.py")
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


def penalty_arguments(variant: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The filter penalty of a variant: ``standard`` none, ``l2`` ``mean(W^2)``, ``cpae`` J."""
    check_choice("variant", variant, VARIANTS)
    return {"regularizer": {"standard": "none", "l2": "l2", "cpae": "continuity"}[variant],
            "regularizer_weight": settings["l2_weight"] if variant == "l2" else settings["continuity_weight"],
            "kernel_scale": settings["kernel_scale"]}


def autoencoder_arguments(variant: str, settings: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of the deep :class:`ConvAutoencoder` for a variant under ``settings``.

    ``standard``: small filters, no penalty. ``cpae``: large filters with J. ``l2``: the same
    large filters with ``mean(W^2)`` instead of J.
    """
    large = check_choice("variant", variant, VARIANTS) != "standard"
    return {"filter_size": settings["large_filter_size"] if large else settings["small_filter_size"],
            "channels": tuple(settings["cpae_channels"] if large else settings["standard_channels"]),
            "decoder_batch_norm": settings["decoder_batch_norm"],
            "decoder_min_channels": settings["decoder_min_channels"], **penalty_arguments(variant, settings)}


def _checkpoint_path(name: str, params: dict[str, Any]) -> Path:
    return cache_dir() / "checkpoints" / f"{name}-{parameters_key(params)}.pt"


# ----------------------------------------------------------------------------- data

def load_video(system: str, settings: dict[str, Any], seed: int, frames_folder: str | None = None,
               frame_rate: float | None = None) -> VideoDataset:
    """The simulated video of ``system`` (camera effects for the two real-video systems), or real
    frames from ``frames_folder`` taken at ``frame_rate`` frames per second (default 60)."""
    if frames_folder:
        time_step = 1 / 60 if frame_rate is None else 1 / check_positive_float("frame_rate", frame_rate)
        return load_frame_folders(frames_folder, resolution=settings["resolution"], seed=seed, time_step=time_step)
    if frame_rate is not None:
        raise ValueError("frame_rate applies to real videos (frames_folder); a simulated system has its own "
                         f"time step ({default_time_step(system):.4g} s for {system})")
    camera = CameraEffects() if system in CAMERA_SYSTEMS else None
    return generate_system_video(system, num_trajectories=settings["num_trajectories"],
                                 num_frames=settings["num_frames"], resolution=settings["resolution"],
                                 seed=seed, camera=camera, min_bar_pixels=settings["min_bar_pixels"])


# ----------------------------------------------------------------------------- training (cached)

def _speed_arguments(settings: dict[str, Any]) -> dict[str, Any]:
    """The GPU fast-path knobs of the training loops (no effect on the CPU defaults)."""
    return {"precision": settings["precision"], "channels_last": settings["channels_last"]}


def trained_autoencoder(name: str, latent_dim: int, arguments: dict[str, Any], windows: FrameWindows,
                        data_key: str, settings: dict[str, Any], seed: int, architecture: str = "deep",
                        latent_map: str = "none", prediction_weight: float = 0.0,
                        prediction_warmup: int = 0) -> ConvAutoencoder:
    """Train (or load from the cache) an autoencoder on the inputs ``windows`` cuts from the videos.

    ``latent_map`` / ``prediction_weight``: the step map ``g`` and the weight ``lambda`` of the
    authors' auxiliary terms (:func:`latentdyn.models.training.autoencoder_loss`); ``"none"``
    trains on reconstruction (+ the filter penalty) alone.
    """
    image_shape = windows.input_shape
    use_map = latent_map != "none" and prediction_weight > 0
    params = {"data": data_key, "arguments": arguments, "latent_dim": latent_dim, "architecture": architecture,
              "epochs": settings["epochs"], "batch_size": settings["batch_size"],
              "learning_rate": settings["learning_rate"], "final_learning_rate": settings["final_learning_rate"],
              "latent_map": latent_map if use_map else "none", "prediction_weight": prediction_weight if use_map else 0,
              "prediction_warmup": prediction_warmup if use_map else 0,
              "seed": seed, "threads": settings["num_threads"], "device": settings["device"],
              **_speed_arguments(settings), "version": RESULTS_VERSION, "code": TRAINING_CODE}
    model = ConvAutoencoder(image_shape, latent_dim, architecture=architecture, **arguments)

    def create() -> dict[str, np.ndarray]:
        seed_everything(seed, settings["num_threads"], deterministic=settings["deterministic"])
        fresh = ConvAutoencoder(image_shape, latent_dim, architecture=architecture, **arguments)
        step_map = build_latent_map(latent_map, latent_dim) if use_map else None
        device = resolve_device(settings["device"])
        fresh.to(device)
        if step_map is not None:
            step_map.to(device)
        device_windows = FrameWindows(windows.frames.to(device), windows.frames_per_input,
                                      windows.target_offset if use_map else 0)
        checkpoint = _checkpoint_path(f"ae-{name}", params)
        started = time.perf_counter()
        history = train_autoencoder(fresh, device_windows, epochs=settings["epochs"],
                                    batch_size=settings["batch_size"], learning_rate=settings["learning_rate"],
                                    final_learning_rate=settings["final_learning_rate"], seed=seed,
                                    latent_map=step_map, prediction_weight=prediction_weight if use_map else 0.0,
                                    prediction_warmup=prediction_warmup,
                                    **_speed_arguments(settings), checkpoint=checkpoint,
                                    checkpoint_every=max(1, settings["epochs"] // 20), description=f"train {name}")
        seconds = time.perf_counter() - started
        checkpoint.unlink(missing_ok=True)
        fresh = fresh.cpu().to(memory_format=torch.contiguous_format)
        return {**_state_arrays(fresh), "__history": np.asarray(history), "__seconds": np.asarray(seconds)}

    arrays = load_or_create(f"ae-{name}", params, create)
    history = arrays.pop("__history")
    seconds = arrays.pop("__seconds", np.asarray(float("nan")))
    _load_state(model, arrays)
    model.eval()
    model.training_history = history
    model.training_seconds = float(seconds)
    model.cache_key = parameters_key(params)
    return model


def trained_latent_model(kind: str, latents: torch.Tensor, key: str, settings: dict[str, Any], seed: int):
    """Fit (or load) a latent model on standardised training trajectories ``latents (N, T, d)``."""
    params = {"kind": kind, "latents": key, "steps": settings["dynamics_steps"],
              "horizon": settings["dynamics_horizon"],
              "hidden": settings["dynamics_hidden"], "batch_size": settings["dynamics_batch_size"],
              "learning_rate": settings["dynamics_learning_rate"],
              "final_learning_rate": settings["dynamics_final_learning_rate"], "seed": seed,
              "threads": settings["num_threads"], "device": settings["device"], "version": RESULTS_VERSION,
              "code": TRAINING_CODE}
    dim = latents.shape[-1]
    model = build_latent_model(kind, dim, hidden=settings["dynamics_hidden"])

    def create() -> dict[str, np.ndarray]:
        seed_everything(seed, settings["num_threads"], deterministic=settings["deterministic"])
        device = resolve_device(settings["device"])  # the autoencoders' device: no idle GPU meanwhile
        fresh = build_latent_model(kind, dim, hidden=settings["dynamics_hidden"]).to(device)
        history = train_latent_model(fresh, latents.to(device), time_step=1.0, steps=settings["dynamics_steps"],
                                     batch_size=settings["dynamics_batch_size"],
                                     learning_rate=settings["dynamics_learning_rate"],
                                     final_learning_rate=settings["dynamics_final_learning_rate"], seed=seed,
                                     horizon=settings["dynamics_horizon"], description=f"fit {kind}")
        return {**_state_arrays(fresh.cpu()), "__history": np.asarray(history)}

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
        continuity: rows variant: smoothness ratio, step ratio, reconstruction MSE, mean relative
            frame error of the reconstructions (the floor under every prediction), in-between and
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


def _system_settings(profile: str, knobs: dict[str, Any], system: str | None = None) -> dict[str, Any]:
    """The profile's settings for ``system``: its ``per_system`` entries for that system, then the
    knobs given explicitly (not ``None``)."""
    settings = resolve_settings("cpae_system", profile, **knobs)
    if system is not None:
        own = settings["per_system"].get(system, {})
        settings.update({key: value for key, value in own.items() if knobs.get(key) is None})
    return settings


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
        "reconstruction_error": float(relative_frame_error(reconstruction, test_pairs, reference).mean()),
    }
    errors, vpts, dynamics_vpts = {}, {}, {}
    for kind, model in latent_models.items():
        _, predicted = rollout_images(autoencoder, model, standardiser, latents[:, 0], num_steps)
        frame_error = relative_frame_error(predicted[:, 1:], test_pairs[:, 1:], reference)
        errors[kind] = frame_error.numpy()
        vpts[kind] = valid_prediction_time(frame_error, threshold).numpy()
        # the same, against the autoencoder's own reconstructions: the latent model's share alone
        dynamics_error = relative_frame_error(predicted[:, 1:], reconstruction[:, 1:], reference)
        dynamics_vpts[kind] = valid_prediction_time(dynamics_error, threshold).numpy()
    row["vpt"], row["dynamics_vpt"] = vpts, dynamics_vpts
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


@dataclass
class _SystemData:
    """One system's video as tensors, shared by the system run and the ablations.

    Attributes:
        train_frames: ``(N_train, T, C, H, W)`` uint8 videos of the training trajectories.
        test_pairs: ``(N_test, T - 1, C, H, 2W)`` float inputs of the test trajectories.
        half_frames: ``(N_test, T - 1, C, H, W)`` true frames at half steps, or ``None``.
        reference: ``(C, H, 2W)`` mean training input (the scale of the relative frame error).
        data_key: hash of what determines the data (settings, seed, or the frames' content).
    """

    system: str
    dataset: VideoDataset
    train_frames: torch.Tensor
    test_pairs: torch.Tensor
    half_frames: torch.Tensor | None
    reference: torch.Tensor
    data_key: str
    latent_dim: int

    @property
    def image_shape(self) -> tuple[int, ...]:
        return tuple(self.test_pairs.shape[-3:])

    def train_windows(self, target_offset: int = 2) -> FrameWindows:
        """Training inputs (frame pairs) with targets ``target_offset`` frames later (0: none)."""
        return FrameWindows(self.train_frames, frames_per_input=2, target_offset=target_offset)

    @property
    def train_pairs(self) -> torch.Tensor:
        """``(N_train, T - 1, C, H, 2W)`` float inputs of the training trajectories (small data only)."""
        return torch.from_numpy(frame_pairs(self.train_frames.numpy()))


def _data_key(system: str, settings: dict[str, Any], seed: int, dataset: VideoDataset,
              frames_folder: str | None) -> str:
    """Simulated data: the settings that made them; real frames: their content (so that changed
    videos in the same folder are never mistaken for the old ones)."""
    if frames_folder:
        return parameters_key({"frames_sha256": dataset.content_digest, "resolution": settings["resolution"],
                               "seed": seed, "time_step": dataset.time_step})
    return parameters_key({"system": system, "settings": {
        k: settings[k] for k in ("num_trajectories", "num_frames", "resolution", "min_bar_pixels")}, "seed": seed})


def _prepare_system(system: str, settings: dict[str, Any], seed: int, frames_folder: str | None = None,
                    frame_rate: float | None = None) -> _SystemData:
    """Load the video and cut it into the autoencoders' inputs (frame pairs) per split."""
    dataset = load_video(system, settings, seed, frames_folder, frame_rate)
    frames = torch.from_numpy(dataset.frames)
    test_pairs = torch.from_numpy(frame_pairs(dataset.frames[dataset.splits["test"]]))
    half = None if dataset.half_step_frames is None else torch.from_numpy(
        dataset.half_step_frames.astype(np.float32) / 255.0)
    train_frames = frames[dataset.splits["train"]]
    reference = FrameWindows(train_frames).mean_input()
    return _SystemData(system, dataset, train_frames, test_pairs, half, reference,
                       _data_key(system, settings, seed, dataset, frames_folder),
                       settings["latent_dim"] or LATENT_DIM[system])


@torch.no_grad()
def encode_windows(model: ConvAutoencoder, windows: FrameWindows, batch_size: int = 256) -> torch.Tensor:
    """Latent states of every window, ``(N, windows_per_video, d)``, encoded in batches."""
    codes = torch.cat([model.encode(windows.inputs(chunk)) for chunk in torch.arange(len(windows)).split(batch_size)])
    return codes.reshape(windows.num_videos, windows.windows_per_video, -1)


@dataclass
class _DecoupledFit:
    """An autoencoder, its latent standardiser and latent models, and their test metrics."""

    autoencoder: ConvAutoencoder
    standardiser: Standardiser
    models: dict[str, Any]
    row: dict[str, Any]
    frame_errors: dict[str, np.ndarray]


def _fit_decoupled(data: _SystemData, name: str, arguments: dict[str, Any], kinds: tuple[str, ...],
                   settings: dict[str, Any], seed: int) -> _DecoupledFit:
    """The paper's scheme: train the autoencoder (with the auxiliary objective of ``settings``),
    then the latent models on its encoded training trajectories, then score both on the test
    trajectories (all cached)."""
    autoencoder = trained_autoencoder(name, data.latent_dim, arguments, data.train_windows(), data.data_key,
                                      settings, seed, latent_map=settings["latent_map"],
                                      prediction_weight=settings["prediction_weight"],
                                      prediction_warmup=settings["prediction_warmup"])
    train_latents = encode_windows(autoencoder, data.train_windows(target_offset=0))
    standardiser = Standardiser.fit(train_latents)
    models = {kind: trained_latent_model(kind, standardiser.forward(train_latents), autoencoder.cache_key,
                                         settings, seed) for kind in kinds}
    row, errors = evaluate_variant(autoencoder, models, standardiser, data.test_pairs, data.half_frames,
                                   data.reference, settings["vpt_threshold"], settings["inbetween_steps"])
    row["training_seconds"] = autoencoder.training_seconds
    return _DecoupledFit(autoencoder, standardiser, models, row, errors)


def run_cpae_system(system: str = "damped_pendulum", *, profile: str = "book", seed: int = 0,
                    frames_folder: str | None = None, frame_rate: float | None = None,
                    **knobs: Any) -> SystemResult:
    """Train and score the autoencoder variants and latent models on one system.

    Args:
        system: one of ``damped_pendulum``, ``elastic_double_pendulum``, ``rigid_double_pendulum``,
            ``swing_stick``.
        profile: ``smoke`` / ``book`` / ``paper`` defaults for every knob.
        seed: seeds data, splits, initialisations and mini-batches.
        frames_folder: a folder of real videos (one sub-folder of frames per video) to use instead
            of the simulation; no ground truth then (no in-between metric). Trained weights are
            cached by the videos' content, so changed videos are never scored with old weights.
        frame_rate: frames per second of the real videos (default 60); the time axis of the
            figures follows it (the latent models work in frames).
        knobs: any setting of ``SETTINGS["cpae_system"]`` (``None`` keeps the profile's).

    ``result.settings`` reports the data actually used: with ``frames_folder``, the number of
    videos and of frames per video found there replace the profile's ``num_trajectories`` and
    ``num_frames``.
    """
    check_choice("system", system, SYSTEMS)
    settings = _system_settings(profile, knobs, system)
    seed_everything(seed, settings["num_threads"])  # evaluation too runs on a fixed thread count
    timings: dict[str, float] = {}
    started = time.perf_counter()
    data = _prepare_system(system, settings, seed, frames_folder, frame_rate)
    dataset, test_pairs = data.dataset, data.test_pairs
    if frames_folder:
        settings.update(num_trajectories=dataset.frames.shape[0], num_frames=dataset.frames.shape[1],
                        frames_folder=str(frames_folder), frame_rate=1 / dataset.time_step)
    timings["data"] = time.perf_counter() - started

    rows, errors, latents_shown, rollouts_shown, strips = {}, {}, {}, {}, {}
    strip_frames = list(np.linspace(0, test_pairs.shape[1] - 1, settings["strip_length"]).round().astype(int))
    for variant in settings["autoencoders"]:
        started = time.perf_counter()
        fit = _fit_decoupled(data, f"{system}-{variant}", autoencoder_arguments(variant, settings),
                             tuple(settings["latent_models"]), settings, seed)
        timings[f"train and score {variant}"] = time.perf_counter() - started
        rows[variant] = fit.row
        errors.update({(variant, kind): value for kind, value in fit.frame_errors.items()})
        shown = test_pairs[: settings["trajectories_shown"]]
        encoded = encode(fit.autoencoder, shown)
        latents_shown[variant] = encoded.numpy()
        if "neural_ode" in fit.models:
            rolled, decoded = rollout_images(fit.autoencoder, fit.models["neural_ode"], fit.standardiser,
                                             encoded[:, 0], shown.shape[1] - 1)
            rollouts_shown[variant] = rolled.numpy()
            strips[variant] = decoded[0, strip_frames, ..., : dataset.frames.shape[-1]].numpy()

    vpt = pd.DataFrame([
        {"autoencoder": VARIANT_LABELS[v], "latent model": MODEL_LABELS[k], "VPT mean (%)": float(np.mean(r["vpt"][k])),
         "VPT std (%)": float(np.std(r["vpt"][k])),
         "VPT vs reconstruction (%)": float(np.mean(r["dynamics_vpt"][k]))}
        for v, r in rows.items() for k in settings["latent_models"]]).set_index(["autoencoder", "latent model"])
    continuity = pd.DataFrame({VARIANT_LABELS[v]: {
        "smoothness ratio": r["smoothness"], "step ratio": r["step_ratio"],
        "reconstruction MSE": r["reconstruction_mse"], "reconstruction error": r["reconstruction_error"],
        "in-between error": r["inbetween_error"],
        "on-frame error": r["onframe_error"]} for v, r in rows.items()}).T
    test_index = dataset.splits["test"]
    true_states = None if dataset.states is None else dataset.states[test_index[: settings["trajectories_shown"]]]
    frames0 = dataset.frames[test_index[0]].astype(np.float32) / 255.0
    return SystemResult(system, settings, frames0[strip_frames], dataset.time_step, latents_shown, rollouts_shown,
                        true_states, strips, frames0[strip_frames], strip_frames, vpt, continuity, errors, timings)


# ----------------------------------------------------------------------------- circular motion

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
        metrics: rows variant: VPT (%), smoothness and step ratios on the test frames, reconstruction
            MSE, in-between and on-frame errors.
        frame_errors: variant -> ``(T - num_train,)`` relative error of each predicted test frame.
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


def run_cpae_circle(*, profile: str = "book", seed: int = 0, **knobs: Any) -> CircleResult:
    """Standard AE vs AE + L2 vs CpAE on the disc moving on a circle (the paper's first experiment).

    Each autoencoder is one convolution with a full-image kernel (the authors' circle model),
    trained on the first ``num_train`` frames; a Neural ODE is fitted to the training latents and
    rolled out from the last training frame over the remaining frames.
    """
    settings = resolve_settings("cpae_circle", profile, **knobs)
    seed_everything(seed, settings["num_threads"])
    video = generate_circle_video(resolution=settings["resolution"], num_frames=settings["num_frames"],
                                  num_train=settings["num_train"])
    frames = torch.from_numpy(video.frames)
    half = torch.from_numpy(video.half_step_frames)
    train = frames[: video.num_train]
    reference = train.mean(dim=0)
    horizon = len(frames) - video.num_train
    data_key = parameters_key({"circle": [settings[k] for k in ("resolution", "num_frames", "num_train")]})
    strip_frames = list(np.linspace(video.num_train, len(frames) - 1, settings["strip_length"]).round().astype(int))
    latents, rollouts, decoded, filters, rows, errors = {}, {}, {}, {}, {}, {}
    for variant in settings["autoencoders"]:
        arguments = {"channels": (settings["channels"],), **penalty_arguments(variant, settings)}
        autoencoder = trained_autoencoder(f"circle-{variant}", 2, arguments, FrameWindows.from_images(train),
                                          data_key, settings, seed, architecture="single")
        encoded = encode(autoencoder, frames)
        standardiser = Standardiser.fit(encoded[: video.num_train])
        ode = trained_latent_model("neural_ode", standardiser.forward(encoded[None, : video.num_train]),
                                   autoencoder.cache_key, settings, seed)
        start = encoded[video.num_train - 1: video.num_train]
        rolled, images = rollout_images(autoencoder, ode, standardiser, start, horizon)
        frame_error = relative_frame_error(images[0, 1:], frames[video.num_train:], reference)
        _, fine = rollout_images(autoencoder, ode, standardiser, start, 2 * horizon, substeps=2)
        steps = min(settings["inbetween_steps"], horizon)
        inbetween = relative_frame_error(fine[0, 1:2 * steps:2], half[video.num_train - 1: video.num_train - 1 + steps],
                                         reference).mean()
        onframe = frame_error[:steps].mean()
        test_latents = encoded[video.num_train:]
        rows[VARIANT_LABELS[variant]] = {
            "VPT (%)": float(valid_prediction_time(frame_error[None], settings["vpt_threshold"])[0]),
            "smoothness ratio": smoothness_ratio(test_latents), "step ratio": step_ratio(test_latents),
            "reconstruction MSE": float((decode(autoencoder, encoded) - frames).pow(2).mean()),
            "reconstruction error": float(relative_frame_error(decode(autoencoder, encoded), frames,
                                                              reference).mean()),
            "in-between error": float(inbetween), "on-frame error": float(onframe)}
        latents[variant], rollouts[variant] = encoded.numpy(), rolled[0].numpy()
        decoded[variant] = images[0, [f - video.num_train + 1 for f in strip_frames]].numpy()
        filters[variant] = autoencoder.regularized_filters()[0].numpy()
        errors[variant] = frame_error.numpy()
    return CircleResult(settings, video.frames, video.num_train, latents, rollouts, decoded, strip_frames, filters,
                        pd.DataFrame(rows).T, errors)


# ----------------------------------------------------------------------------- ablations

@dataclass
class AblationResult:
    """The ablation study on one system.

    Attributes:
        settings: resolved system knobs; ablation: resolved ablation knobs.
        filter_grid: rows (filter size, penalty): VPT, smoothness, step ratio, reconstruction MSE,
            in-between error (Neural ODE, decoupled training).
        weight_sweep: rows (weight of J, kernel scale sigma): the same columns.
        training_schemes: rows decoupled / joint, same columns.
        benchmark: rows (filter banks, what): seconds per call of the separable and direct forms, ratio.
        filters: label -> first-layer filter bank ``(C_out, C_in, K, K)``.
    """

    settings: dict[str, Any]
    ablation: dict[str, Any]
    filter_grid: pd.DataFrame
    weight_sweep: pd.DataFrame
    training_schemes: pd.DataFrame
    benchmark: pd.DataFrame
    filters: dict[str, np.ndarray]


def _score_decoupled(data: _SystemData, arguments: dict[str, Any], settings: dict[str, Any], seed: int,
                     name: str) -> tuple[dict[str, float], ConvAutoencoder]:
    """Train an autoencoder with ``arguments`` and a Neural ODE after it; return its metrics."""
    fit = _fit_decoupled(data, name, arguments, ("neural_ode",), settings, seed)
    return _metric_row(fit.row), fit.autoencoder


def _metric_row(row: dict[str, Any]) -> dict[str, float]:
    return {"VPT (%)": float(np.mean(row["vpt"]["neural_ode"])),
            "VPT vs reconstruction (%)": float(np.mean(row["dynamics_vpt"]["neural_ode"])),
            "smoothness ratio": row["smoothness"],
            "step ratio": row["step_ratio"], "reconstruction MSE": row["reconstruction_mse"],
            "reconstruction error": row["reconstruction_error"],
            "in-between error": row["inbetween_error"]}


def _score_joint(data: _SystemData, arguments: dict[str, Any], settings: dict[str, Any], ablation: dict[str, Any],
                 seed: int) -> dict[str, float]:
    """Train autoencoder and Neural ODE together (cached) and score them like the decoupled pair."""
    params = {"data": data.data_key, "arguments": arguments, "latent_dim": data.latent_dim,
              "epochs": settings["epochs"], "batch_size": settings["batch_size"],
              "learning_rate": settings["learning_rate"], "hidden": settings["dynamics_hidden"],
              "prediction_weight": ablation["joint_prediction_weight"],
              "latent_weight": ablation["joint_latent_weight"], "seed": seed, "threads": settings["num_threads"],
              "version": RESULTS_VERSION, "code": TRAINING_CODE}
    autoencoder = ConvAutoencoder(data.image_shape, data.latent_dim, **arguments)
    ode = build_latent_model("neural_ode", data.latent_dim, hidden=settings["dynamics_hidden"])

    def create() -> dict[str, np.ndarray]:
        seed_everything(seed, settings["num_threads"])
        fresh_ae = ConvAutoencoder(data.image_shape, data.latent_dim, **arguments)
        fresh_ode = build_latent_model("neural_ode", data.latent_dim, hidden=settings["dynamics_hidden"])
        checkpoint = _checkpoint_path(f"joint-{data.system}", params)
        train_jointly(fresh_ae, fresh_ode, data.train_pairs, time_step=1.0, epochs=settings["epochs"],
                      batch_size=settings["batch_size"], learning_rate=settings["learning_rate"], seed=seed,
                      prediction_weight=ablation["joint_prediction_weight"],
                      latent_weight=ablation["joint_latent_weight"], checkpoint=checkpoint,
                      description="joint training")
        checkpoint.unlink(missing_ok=True)
        return {**{f"ae.{k}": v for k, v in _state_arrays(fresh_ae).items()},
                **{f"ode.{k}": v for k, v in _state_arrays(fresh_ode).items()}}

    arrays = load_or_create(f"joint-{data.system}", params, create)
    _load_state(autoencoder, arrays, "ae.")
    _load_state(ode, arrays, "ode.")
    autoencoder.eval()
    ode.eval()
    identity = Standardiser(torch.zeros(data.latent_dim), torch.ones(data.latent_dim))
    row, _ = evaluate_variant(autoencoder, {"neural_ode": ode}, identity, data.test_pairs, data.half_frames,
                              data.reference, settings["vpt_threshold"], settings["inbetween_steps"])
    return _metric_row(row)


def benchmark_continuity_penalty(filter_banks: list[tuple[int, int, int, int]], image_shape: tuple[int, int, int],
                                 batch_size: int, repeats: int, seed: int = 0) -> pd.DataFrame:
    """Seconds per call of J alone and of one CpAE training step, with J separable vs direct.

    ``filter_banks``: the large convolution weights of the encoder (``(C_out, C_in, K, K)`` each,
    e.g. the paper's three 12x12 banks). The training step is a forward and backward pass of a
    CpAE with those banks on a random batch, plus an Adam update.
    """
    generator = torch.Generator().manual_seed(seed)
    weights = [torch.randn(bank, generator=generator, requires_grad=True) for bank in filter_banks]

    def time_call(function) -> float:
        function()
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
        return float(np.median(times))

    def penalty(method: str):
        def call():
            total = sum(filter_continuity_penalty(w, method=method) for w in weights)
            total.backward()
        return call

    channels = tuple(bank[0] for bank in filter_banks)
    model = ConvAutoencoder(image_shape, 8, filter_size=filter_banks[0][-1], channels=channels)
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    images = torch.rand(batch_size, *image_shape, generator=generator)

    def step(method: str):
        def call():
            loss = (model(images) - images).pow(2).mean() + sum(
                filter_continuity_penalty(c.weight, method=method) for c in model.regularized_convs)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return call

    rows = []
    for what, make in (("J (forward + backward)", penalty), ("CpAE training step", step)):
        separable, direct = time_call(make("separable")), time_call(make("direct"))
        rows.append({"what": what, "separable (ms)": 1e3 * separable, "direct (ms)": 1e3 * direct,
                     "direct / separable": direct / separable})
    return pd.DataFrame(rows).set_index("what")


def run_cpae_ablations(*, profile: str = "book", seed: int = 0, **knobs: Any) -> AblationResult:
    """Filter size x penalty, the weight and kernel scale of J, decoupled vs joint training, and the
    cost of J: all on one system (``system`` knob), scored with a decoupled Neural ODE.

    Knobs of ``SETTINGS["cpae_ablations"]`` set the study; any ``cpae_system`` knob (e.g. ``epochs``)
    is passed to the system's settings, after the ablation profile's ``system_overrides``.
    """
    ablation_keys = set(resolve_settings("cpae_ablations", profile))
    ablation = resolve_settings("cpae_ablations", profile, **{k: v for k, v in knobs.items() if k in ablation_keys})
    # a knob left at None keeps the ablation profile's value (it must not undo system_overrides)
    system_knobs = {**ablation["system_overrides"],
                    **{k: v for k, v in knobs.items() if k not in ablation_keys and v is not None}}
    settings = _system_settings(profile, system_knobs, ablation["system"])
    seed_everything(seed, settings["num_threads"])
    system = check_choice("system", ablation["system"], SYSTEMS)
    data = _prepare_system(system, settings, seed)
    small, large = settings["small_filter_size"], settings["large_filter_size"]
    # the CpAE's arguments (channels, decoder, kernel scale): only filter size and penalty vary below
    base = {**autoencoder_arguments("cpae", settings), "regularizer_weight": settings["continuity_weight"]}
    grid_rows, filters = [], {}
    for size, penalty in ((small, "none"), (small, "continuity"), (large, "none"), (large, "l2"),
                          (large, "continuity")):
        arguments = {**base, "filter_size": size, "regularizer": penalty}
        if penalty == "l2":
            arguments["regularizer_weight"] = settings["l2_weight"]
        row, autoencoder = _score_decoupled(data, arguments, settings, seed, f"{system}-ablation")
        label = {"none": "none", "continuity": "J", "l2": "L2"}[penalty]
        grid_rows.append({"filter size": f"{size}x{size}", "penalty": label, **row})
        filters[f"{size}x{size}, {label}"] = autoencoder.regularized_filters()[0].numpy()
    sweep_rows = []
    default_scale, default_weight = settings["kernel_scale"], settings["continuity_weight"]
    sweep = [(w, default_scale) for w in ablation["continuity_weights"]]
    sweep += [(default_weight, s) for s in ablation["kernel_scales"] if s != default_scale]
    for weight, scale in sweep:
        arguments = {**base, "filter_size": large, "regularizer": "continuity", "regularizer_weight": weight,
                     "kernel_scale": scale}
        row, _ = _score_decoupled(data, arguments, settings, seed, f"{system}-ablation")
        sweep_rows.append({"weight of J": weight, "kernel scale sigma": scale, **row})
    cpae_arguments = {**base, "filter_size": large, "regularizer": "continuity"}
    decoupled = next(r for r in grid_rows if r["filter size"] == f"{large}x{large}" and r["penalty"] == "J")
    schemes = pd.DataFrame({"decoupled (AE, then Neural ODE)": {k: decoupled[k] for k in _metric_keys()},
                            "joint (AE + Neural ODE together)": _score_joint(data, cpae_arguments, settings,
                                                                             ablation, seed)}).T
    paper_banks = [tuple(bank) for bank in ablation["benchmark_filter_banks"]]
    benchmark = benchmark_continuity_penalty(paper_banks, tuple(ablation["benchmark_image_shape"]),
                                             ablation["benchmark_batch_size"], ablation["benchmark_repeats"], seed)
    return AblationResult(settings, ablation, pd.DataFrame(grid_rows).set_index(["filter size", "penalty"]),
                          pd.DataFrame(sweep_rows).set_index(["weight of J", "kernel scale sigma"]), schemes,
                          benchmark, filters)


def _metric_keys() -> tuple[str, ...]:
    return ("VPT (%)", "VPT vs reconstruction (%)", "smoothness ratio", "step ratio", "reconstruction MSE",
            "reconstruction error", "in-between error")


# ----------------------------------------------------------------------------- objective and scale

@dataclass
class SweepResult:
    """The autoencoder objective and the budget, swept on one system.

    Attributes:
        settings: the system settings every point starts from; sweeps: the resolved sweep knobs.
        objective: one row per (latent map, weight lambda, autoencoder): the metrics of a
            decoupled Neural ODE after it (``VPT (%)``, ``VPT vs reconstruction (%)``,
            ``reconstruction error``, ``smoothness ratio``, ``in-between error``).
        resolution: one row per (resolution, autoencoder), same columns.
        data_size: one row per (training trajectories, autoencoder), same columns.
    """

    settings: dict[str, Any]
    sweeps: dict[str, Any]
    objective: pd.DataFrame
    resolution: pd.DataFrame
    data_size: pd.DataFrame


def _sweep_points(data_for, settings: dict[str, Any], points: list[tuple[dict[str, Any], dict[str, Any]]],
                  seed: int, system: str, knob: str) -> pd.DataFrame:
    """Score one decoupled fit per point; ``points``: (columns of the row, setting overrides). An
    empty sweep gives an empty table with the columns ``knob``, ``autoencoder`` and the metrics."""
    if not points:
        return pd.DataFrame(columns=[knob, "autoencoder", *_metric_keys()])
    rows = []
    for columns, overrides in points:
        point = {**settings, **overrides}
        variant = columns["autoencoder"]
        row, _ = _score_decoupled(data_for(point), autoencoder_arguments(variant, point), point, seed,
                                  f"{system}-sweep-{variant}")
        rows.append({**columns, "autoencoder": VARIANT_LABELS[variant], **row})
    return pd.DataFrame(rows)


def run_cpae_sweeps(*, profile: str = "book", seed: int = 0, **knobs: Any) -> SweepResult:
    """The authors' autoencoder objective and the budget on one system (``system`` knob):

    - **objective**: the weight ``lambda`` of the auxiliary terms over ``prediction_weights``, for
      each step map of ``latent_maps`` (``volume_preserving``: the authors' LA-VPNet; ``mlp``),
      for the autoencoders of ``objective_autoencoders``;
    - **resolution**: image side over ``resolutions``, both autoencoders (filters scaled with the
      image: ``large_filter_size`` is kept at the same fraction of the side);
    - **data size**: training trajectories over ``trajectory_counts``, both autoencoders, with the
      same number of optimiser steps as the base setting (epochs scaled inversely).

    Knobs of ``SETTINGS["cpae_sweeps"]`` set the study; any ``cpae_system`` knob (e.g. ``epochs``)
    changes the base setting, after the profile's ``system_overrides``.
    """
    sweep_keys = set(resolve_settings("cpae_sweeps", profile))
    sweeps = resolve_settings("cpae_sweeps", profile, **{k: v for k, v in knobs.items() if k in sweep_keys})
    settings = _system_settings(profile, {**sweeps["system_overrides"],
                                          **{k: v for k, v in knobs.items() if k not in sweep_keys and v is not None}},
                                sweeps["system"])
    seed_everything(seed, settings["num_threads"])
    system = check_choice("system", sweeps["system"], SYSTEMS)
    prepared: dict[str, _SystemData] = {}

    def data_for(point: dict[str, Any]) -> _SystemData:
        key = f"{point['resolution']}-{point['num_trajectories']}"
        if key not in prepared:
            prepared[key] = _prepare_system(system, point, seed)
        return prepared[key]

    objective = _sweep_points(data_for, settings, [
        ({"latent map": kind if weight > 0 else "none", "weight": weight, "autoencoder": variant},
         {"latent_map": kind if weight > 0 else "none", "prediction_weight": weight})
        for kind in sweeps["latent_maps"] for weight in sweeps["prediction_weights"]
        if weight > 0 or kind == sweeps["latent_maps"][0]
        for variant in sweeps["objective_autoencoders"]], seed, system, "weight")
    base_resolution = settings["resolution"]
    resolution = _sweep_points(data_for, settings, [
        ({"resolution": size, "autoencoder": variant},
         {"resolution": size, "large_filter_size": 2 * round(settings["large_filter_size"] * size / base_resolution / 2)})
        for size in sweeps["resolutions"] for variant in ("standard", "cpae")], seed, system, "resolution")
    base_trajectories = settings["num_trajectories"]
    data_size = _sweep_points(data_for, settings, [
        ({"training trajectories": len(split_indices(count, seed)["train"]), "autoencoder": variant},
         {"num_trajectories": count, "epochs": max(1, round(settings["epochs"] * base_trajectories / count))})
        for count in sweeps["trajectory_counts"] for variant in ("standard", "cpae")], seed, system,
        "training trajectories")
    return SweepResult(settings, sweeps, objective, resolution, data_size)


# ----------------------------------------------------------------------------- results

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
    """Every VPT this book measured beside the paper's, the recorded long runs, and the seed spread.

    Attributes:
        comparison: one row per (system, autoencoder): Neural ODE VPT measured here (the
            profile's run, re-executed by CI), against own reconstructions, reconstruction
            error, and the paper's VPT where it reports one.
        all_vpt: VPT of every latent model, indexed (system, autoencoder, latent model).
        smoothness: the continuity measures, indexed (system, autoencoder).
        circle: the circular-motion metrics.
        recorded: every recorded run (:func:`latentdyn.recorded_runs.recorded_runs_table`),
            with where it ran and a ``stale`` reason when its profile has changed since.
        seeds: one row per (system, autoencoder) of ``seed_systems``: Neural ODE VPT and
            reconstruction error of every seed available for the profile (this run's seed from
            CI, other seeds from current recorded runs), their mean, standard deviation and count.
        seed_runs: the rows behind ``seeds``, one per (system, autoencoder, seed).
    """

    comparison: pd.DataFrame
    all_vpt: pd.DataFrame
    smoothness: pd.DataFrame
    circle: pd.DataFrame
    recorded: pd.DataFrame
    seeds: pd.DataFrame
    seed_runs: pd.DataFrame


def _seed_rows(results: dict[str, SystemResult], recorded: pd.DataFrame, profile: str, seed: int,
               seed_systems: tuple[str, ...]) -> pd.DataFrame:
    """One row per (system, autoencoder, seed): this run's seed (source ``CI``) plus the current
    (not stale) recorded seeds of ``profile`` without changed settings (source ``recorded``).
    Columns: system, autoencoder, seed, source, ``VPT (%)`` (Neural ODE), reconstruction error."""
    rows = []
    for system in seed_systems:
        result = results[system]
        for encoder in result.continuity.index:
            rows.append({"system": system, "autoencoder": encoder, "seed": seed, "source": "CI",
                         "VPT (%)": float(result.vpt.loc[(encoder, MODEL_LABELS["neural_ode"]), "VPT mean (%)"]),
                         "reconstruction error": float(result.continuity.loc[encoder, "reconstruction error"])})
    if len(recorded):
        extra = recorded[(recorded["profile"] == profile) & (recorded["seed"] != seed) & (recorded["stale"] == "")
                         & recorded["system"].isin(seed_systems)]
        rows += [{"system": r["system"], "autoencoder": r["autoencoder"], "seed": int(r["seed"]), "source": "recorded",
                  "VPT (%)": r["VPT (%)"], "reconstruction error": r["reconstruction error"]}
                 for _, r in extra.iterrows()]
    return pd.DataFrame(rows, columns=["system", "autoencoder", "seed", "source", "VPT (%)", "reconstruction error"])


def _seed_table(results: dict[str, SystemResult], recorded: pd.DataFrame, profile: str, seed: int,
                seed_systems: tuple[str, ...]) -> pd.DataFrame:
    """VPT and reconstruction error per (system, autoencoder) over the seeds of :func:`_seed_rows`:
    mean, population standard deviation, min, max and number of runs."""
    table = _seed_rows(results, recorded, profile, seed, seed_systems)
    summary = table.groupby(["system", "autoencoder"], sort=False).agg(
        seeds=("seed", lambda values: ", ".join(str(v) for v in sorted(values))),
        **{"VPT mean (%)": ("VPT (%)", "mean"), "VPT std (%)": ("VPT (%)", lambda v: float(np.std(v))),
           "VPT min (%)": ("VPT (%)", "min"), "VPT max (%)": ("VPT (%)", "max"),
           "reconstruction error mean": ("reconstruction error", "mean"), "runs": ("VPT (%)", "size")})
    return summary


def seed_sentence(rows: pd.DataFrame) -> str:
    """What the seeds of one system say (``rows`` from :func:`_seed_rows` for one system): mean ±
    standard deviation of the Neural ODE VPT of CpAE and standard AE, on how many seeds each is
    ahead and reconstructs worse, and a verdict on the paper's claim (CpAE ahead)."""
    wide = rows.pivot_table(index="seed", columns="autoencoder", values=["VPT (%)", "reconstruction error"])
    if not {"CpAE", "standard AE"} <= set(wide["VPT (%)"].columns):
        return "This page did not train both the CpAE and the standard AE."
    vpt, recon = wide["VPT (%)"], wide["reconstruction error"]
    seeds, count = sorted(int(s) for s in wide.index), len(wide)
    ahead = int((vpt["CpAE"] > vpt["standard AE"]).sum())
    worse = int((recon["CpAE"] > recon["standard AE"]).sum())
    both = int(((recon["CpAE"] <= 0.3) & (recon["standard AE"] <= 0.3)).sum())
    verdict = ("The paper's ordering (CpAE ahead) holds on every seed." if ahead == count else
               "The paper's ordering (CpAE ahead) holds on no seed: it is not reproduced at this budget." if ahead == 0
               else "The ordering changes from seed to seed, so this budget cannot settle the paper's claim.")
    return (f"Over {count} seed{'s' if count > 1 else ''} ({', '.join(map(str, seeds))}: this page's and the recorded "
            f"ones), the Neural ODE VPT is {vpt['CpAE'].mean():.1f} ± {float(np.std(vpt['CpAE'])):.1f} % with the "
            f"CpAE and {vpt['standard AE'].mean():.1f} ± {float(np.std(vpt['standard AE'])):.1f} % with the standard "
            f"AE; the CpAE is ahead on {ahead} of {count}. It reconstructs worse on {worse} of {count} seeds (mean "
            f"relative error {recon['CpAE'].mean():.2f} against {recon['standard AE'].mean():.2f}), and both "
            f"autoencoders reconstruct within 0.3 on {both} of {count}. {verdict}")


def system_seed_sentence(result: SystemResult, profile: str, seed: int) -> str:
    """:func:`seed_sentence` for a system chapter's run ``result`` and the recorded seeds of ``profile``."""
    from latentdyn.recorded_runs import recorded_runs_table

    rows = _seed_rows({result.system: result}, recorded_runs_table(), profile, seed, (result.system,))
    return seed_sentence(rows)


def run_cpae_results(*, profile: str = "book", seed: int = 0, systems: tuple[str, ...] = SYSTEMS,
                     seed_systems: tuple[str, ...] = ("damped_pendulum", "elastic_double_pendulum"),
                     **knobs: Any) -> ResultsSummary:
    """Collect the system and circle experiments (from the cache when the chapters ran before),
    the recorded long runs, and the spread over seeds of ``seed_systems``."""
    from latentdyn.recorded_runs import recorded_runs_table

    results = {system: run_cpae_system(system, profile=profile, seed=seed, **knobs) for system in systems}
    circle = run_cpae_circle(profile=profile, seed=seed)
    paper = paper_vpt()
    rows, all_rows, smooth_rows = [], [], []
    for system, result in results.items():
        for (encoder, model), values in result.vpt.iterrows():
            all_rows.append({"system": system, "autoencoder": encoder, "latent model": model,
                             "VPT (%)": values["VPT mean (%)"]})
        for encoder, values in result.continuity.iterrows():
            smooth_rows.append({"system": system, "autoencoder": encoder, **values.to_dict()})
            match = paper[(paper["system"] == system) & (paper["autoencoder"] == encoder)]
            rows.append({"system": system, "autoencoder": encoder,
                         "measured VPT (%)": float(result.vpt.loc[(encoder, MODEL_LABELS["neural_ode"]),
                                                                  "VPT mean (%)"]),
                         "measured VPT vs reconstruction (%)": float(result.vpt.loc[
                             (encoder, MODEL_LABELS["neural_ode"]), "VPT vs reconstruction (%)"]),
                         "reconstruction error": float(values["reconstruction error"]),
                         "paper VPT (%)": float(match["vpt"].iloc[0]) if len(match) else float("nan")})
    recorded = recorded_runs_table()
    seed_systems = tuple(s for s in seed_systems if s in results)
    seeds = _seed_table(results, recorded, profile, seed, seed_systems)
    seed_runs = _seed_rows(results, recorded, profile, seed, seed_systems)
    return ResultsSummary(pd.DataFrame(rows), pd.DataFrame(all_rows).set_index(["system", "autoencoder",
                                                                                "latent model"]),
                          pd.DataFrame(smooth_rows).set_index(["system", "autoencoder"]), circle.metrics,
                          recorded, seeds, seed_runs)


# ----------------------------------------------------------------------------- reporting a system

def system_table(result: SystemResult) -> pd.DataFrame:
    """The reader's table of a system chapter: one row per autoencoder, VPT of every latent
    model, the Neural ODE's VPT against the model's own reconstructions, and the continuity and
    reconstruction measures (names as the chapters define them)."""
    rows = {}
    for encoder in result.continuity.index:
        row = {f"VPT {model} (%)": float(result.vpt.loc[(encoder, model), "VPT mean (%)"])
               for model in result.vpt.loc[encoder].index}
        if (encoder, MODEL_LABELS["neural_ode"]) in result.vpt.index:
            row["VPT Neural ODE vs own reconstruction (%)"] = float(
                result.vpt.loc[(encoder, MODEL_LABELS["neural_ode"]), "VPT vs reconstruction (%)"])
        measures = result.continuity.loc[encoder]
        row.update({"reconstruction error": float(measures["reconstruction error"]),
                    "smoothness ratio": float(measures["smoothness ratio"]),
                    "in-between error": float(measures["in-between error"])})
        rows[encoder] = row
    return pd.DataFrame(rows).T.rename_axis("autoencoder")


def system_values(result: SystemResult) -> dict[str, float | int]:
    """Numbers a system chapter's prose quotes, keyed ``<measure>_<autoencoder key>`` (``cpae``,
    ``standard``, ``l2``): ``vpt_``, ``vpt_own_``, ``recon_``, ``smooth_``, ``step_``,
    ``inbetween_``; and the settings a reader needs (``epochs``, ``num_trajectories`` ...)."""
    keys = {label: key for key, label in VARIANT_LABELS.items()}
    values: dict[str, float | int] = {}
    for encoder in result.continuity.index:
        key = keys.get(encoder, encoder)
        node = (encoder, MODEL_LABELS["neural_ode"])
        if node in result.vpt.index:
            values[f"vpt_{key}"] = float(result.vpt.loc[node, "VPT mean (%)"])
            values[f"vpt_std_{key}"] = float(result.vpt.loc[node, "VPT std (%)"])
            values[f"vpt_own_{key}"] = float(result.vpt.loc[node, "VPT vs reconstruction (%)"])
        for measure, column in (("recon", "reconstruction error"), ("smooth", "smoothness ratio"),
                                ("step", "step ratio"), ("inbetween", "in-between error")):
            values[f"{measure}_{key}"] = float(result.continuity.loc[encoder, column])
    settings = result.settings
    values.update({name: settings[name] for name in ("epochs", "num_trajectories", "num_frames", "resolution",
                                                      "large_filter_size", "small_filter_size", "prediction_weight",
                                                      "vpt_threshold")})
    values["num_train"] = len(split_indices(settings["num_trajectories"], 0)["train"])  # sizes do not depend on the seed
    values["horizon"] = int(next(iter(result.frame_errors.values())).shape[1]) if result.frame_errors else 0
    return values


def system_notes(result: SystemResult) -> dict[str, str]:
    """Sentences for captions and prose that depend on the outcome (so the text reads right for
    any result): ``vpt_caption`` says when every bar is 0 and why; ``reconstruction`` says
    whether both autoencoders reconstruct within 0.3 (``target_phrase``: reached / not reached);
    ``ordering`` states the VPT ordering."""
    values = system_values(result)
    threshold = values["vpt_threshold"]
    vpts = result.vpt["VPT mean (%)"]
    notes = {"vpt_caption": ""}
    if float(vpts.max()) == 0.0:
        notes["vpt_caption"] = (
            f"Every bar is 0: no decoded rollout stays within the relative error {threshold:g} for even one "
            "frame, because the reconstructions themselves are already that far from the true frames "
            "(see the reconstruction error in the table).")
    recon = {name: values.get(f"recon_{name}") for name in ("standard", "cpae") if f"recon_{name}" in values}
    if recon and all(value <= 0.3 for value in recon.values()):
        notes["reconstruction"] = "Both autoencoders reconstruct the test frames to a relative error of 0.3 or less"
    elif recon:
        failing = [VARIANT_LABELS[name] for name, value in recon.items() if value > 0.3]
        notes["reconstruction"] = (f"The {' and the '.join(failing)} {'does' if len(failing) == 1 else 'do'} not "
                                   "reconstruct the test frames to a relative error of 0.3 or less")
    notes["target_phrase"] = ("reached" if recon and all(value <= 0.3 for value in recon.values()) else
                              "not reached")
    if "vpt_cpae" in values and "vpt_standard" in values:
        difference = values["vpt_cpae"] - values["vpt_standard"]
        notes["ordering"] = ("the CpAE is ahead" if difference > 0 else
                             "the standard AE is ahead" if difference < 0 else "the two are level")
    return notes


def circle_values(result: CircleResult) -> dict[str, float | str]:
    """Numbers and one outcome sentence the circle chapter quotes: ``circle_<measure>_<variant>``
    for ``vpt``, ``smooth``, ``inbetween``, ``recon`` and ``circle_smooth_sentence``."""
    keys = {label: key for key, label in VARIANT_LABELS.items()}
    values: dict[str, float | str] = {"circle_epochs": int(result.settings["epochs"])}
    for encoder in result.metrics.index:
        key = keys.get(encoder, encoder)
        for measure, column in (("vpt", "VPT (%)"), ("smooth", "smoothness ratio"), ("inbetween", "in-between error"),
                                ("recon", "reconstruction error")):
            values[f"circle_{measure}_{key}"] = float(result.metrics.loc[encoder, column])
    smoothness = result.metrics["smoothness ratio"]
    order = list(smoothness.sort_values().index)
    values["circle_smooth_sentence"] = (
        f"The {order[0]}'s latent states are the smoothest, as the paper finds." if order[0] == "CpAE" else
        f"The {order[0]}'s latent states are the smoothest, not the CpAE's as in the paper.")
    return values


def ablation_values(result: AblationResult) -> dict[str, float | str]:
    """Numbers and outcome sentences the ablations chapter quotes (``abl_<measure>_<size>_<penalty>``,
    ``decoupled_*``, ``joint_*``, benchmark ratios, ``ablation_summary``, ``joint_sentence``)."""
    settings, grid = result.settings, result.filter_grid
    sizes = {"small": f"{settings['small_filter_size']}x{settings['small_filter_size']}",
             "large": f"{settings['large_filter_size']}x{settings['large_filter_size']}"}
    values: dict[str, float | str] = {"abl_trajectories": int(settings["num_trajectories"]),
                                      "abl_epochs": int(settings["epochs"]),
                                      "abl_large": int(settings["large_filter_size"])}
    for tag, size in sizes.items():
        for penalty in ("none", "J"):
            for measure, column in (("smooth", "smoothness ratio"), ("vpt", "VPT (%)"),
                                    ("recon", "reconstruction error")):
                values[f"abl_{measure}_{tag}_{penalty}"] = float(grid.loc[(size, penalty), column])
    schemes = result.training_schemes
    for scheme, row in (("decoupled", schemes.iloc[0]), ("joint", schemes.iloc[1])):
        values[f"{scheme}_vpt"] = float(row["VPT (%)"])
        values[f"{scheme}_smooth"] = float(row["smoothness ratio"])
        values[f"{scheme}_recon"] = float(row["reconstruction error"])
    values["ratio_penalty"] = float(result.benchmark.iloc[0]["direct / separable"])
    values["ratio_step"] = float(result.benchmark.iloc[1]["direct / separable"])
    values["bench_batch"] = int(result.ablation["benchmark_batch_size"])
    both = values["abl_smooth_large_J"]
    others = [values["abl_smooth_small_none"], values["abl_smooth_small_J"], values["abl_smooth_large_none"]]
    values["ablation_summary"] = (
        ("Large filters with $J$ give the smoothest latent trajectories of the four combinations, as the "
         "paper argues." if both < min(others) else
         "Large filters with $J$ do not give the smoothest latent trajectories of the four combinations "
         "here, against the paper's argument.")
        + f" Their Neural ODE VPT is {values['abl_vpt_large_J']:.1f} % against "
        f"{values['abl_vpt_small_none']:.1f} % for small filters without a penalty (the standard AE), and "
        f"decoupled training reaches {values['decoupled_vpt']:.1f} % against {values['joint_vpt']:.1f} % "
        "for joint training.")
    values["joint_sentence"] = (
        "The joint scheme collapses to the mean image (reconstruction error near 1): its latent states carry "
        "almost nothing, so its VPT and smoothness say nothing about the dynamics."
        if values["joint_recon"] > 0.9 else
        ("Decoupled training predicts longer, as the paper argues." if values["decoupled_vpt"] > values["joint_vpt"]
         else "Joint training predicts at least as long here, against the paper's argument."))
    return values


def _gap_sentence(table: pd.DataFrame, knob: str, unit: str = "") -> str:
    """How the CpAE's VPT compares with the standard AE's at each value of ``knob``."""
    parts = []
    for value, rows in table.groupby(knob, sort=True):
        by = rows.set_index("autoencoder")
        if {"CpAE", "standard AE"} <= set(by.index):
            parts.append(f"{value}{unit}: {by.loc['CpAE', 'VPT (%)']:.1f} vs {by.loc['standard AE', 'VPT (%)']:.1f} %"
                         f" (reconstruction {by.loc['CpAE', 'reconstruction error']:.2f} vs "
                         f"{by.loc['standard AE', 'reconstruction error']:.2f})")
    if not parts:
        return ("Not run in this profile: every point of this sweep costs about as much as a system chapter on "
                "one CPU core. Rerun the chapter with a list of values (see the end of the page), or use the "
                "`paper` profile on a GPU.")
    return "VPT of the CpAE vs the standard AE at " + "; ".join(parts) + "."


def sweep_values(result: SweepResult, chapter_weight: float | None = None) -> dict[str, float | str]:
    """Numbers and outcome sentences of the objective-and-budget chapter. ``chapter_weight`` (the
    system chapters' lambda) adds a warning when that weight collapses at the sweep's budget."""
    objective = result.objective
    values: dict[str, float | str] = {
        "sweep_trajectories": int(result.settings["num_trajectories"]), "sweep_epochs": int(result.settings["epochs"]),
        "sweep_objective_autoencoder": " and ".join(dict.fromkeys(objective["autoencoder"]))}
    collapsed = objective[objective["reconstruction error"] > 0.9]
    best = objective.loc[objective["VPT (%)"].idxmax()]
    plain = objective[objective["weight"] == 0]
    plain_vpt = float(plain["VPT (%)"].max()) if len(plain) else float("nan")
    collapse = ("No setting collapses the latent space (reconstruction error above 0.9)." if collapsed.empty else
                "The latent space collapses (reconstruction error above 0.9, the decoder shows the mean image) at "
                + ", ".join(f"$\\lambda = {r['weight']:g}$" + (f" with the {r['latent map'].replace('_', '-')} map"
                                                               if r["weight"] > 0 else "")
                            for _, r in collapsed.iterrows()) + ".")
    if float(objective["VPT (%)"].max()) == 0.0:
        best_text = (f"no setting predicts at all at this budget (every VPT is 0; without the terms the "
                     f"reconstruction error is {float(plain['reconstruction error'].min()):.2f}).")
    else:
        best_text = (f"the best setting, $\\lambda = {best['weight']:g}$"
                     + (f" with the {best['latent map'].replace('_', '-')} map" if best["weight"] > 0 else "")
                     + f", reaches {best['VPT (%)']:.1f} % at a reconstruction error of "
                     f"{best['reconstruction error']:.2f}.")
    values["sweep_objective_sentence"] = (
        f"Without the latent-prediction terms ($\\lambda = 0$) the VPT is {plain_vpt:.1f} %; {best_text} {collapse}")
    values["sweep_weight_reading"] = (
        "No weight collapses the latent space at this budget." if collapsed.empty else
        "Where the latent space collapses, the latent-prediction terms have won over the reconstruction: constant "
        "latent states are perfectly predictable, and the decoder can then only show the mean image. This is why "
        "the book does not use the authors' $\\lambda = 1$ with pixels in [0, 1].")
    if chapter_weight is not None and (collapsed["weight"] == chapter_weight).any():
        values["sweep_weight_reading"] += (
            f" At this page's reduced budget even the system chapters' $\\lambda = {chapter_weight:g}$ collapses, "
            "while at the damped chapter's budget (below) it does not: whether the latent space collapses depends "
            "on the training budget as well as on $\\lambda$.")
    values["sweep_resolution_sentence"] = _gap_sentence(result.resolution, "resolution", " px")
    values["sweep_data_sentence"] = _gap_sentence(result.data_size, "training trajectories", " trajectories")
    not_run = values["sweep_resolution_sentence"].startswith("Not run")
    if not_run and values["sweep_data_sentence"].startswith("Not run"):
        scale = "The resolution and training-set sweeps are n" + values["sweep_data_sentence"][1:]
    else:
        scale = f"{values['sweep_resolution_sentence']} {values['sweep_data_sentence']}"
    values["sweep_scale_sentence"] = scale
    values["sweep_summary"] = f"{values['sweep_objective_sentence']} {scale}"
    return values


def results_values(summary: ResultsSummary, profile: str) -> dict[str, float | str]:
    """Outcome sentences of the results chapter: ``results_summary``, ``seeds_sentence``,
    ``recorded_sentence``, ``seed_reading_<system>`` (:func:`seed_sentence`), with every number taken from ``summary``."""
    table = summary.comparison.set_index(["system", "autoencoder"])
    systems = list(dict.fromkeys(summary.comparison["system"]))
    def measured(system: str, encoder: str, column: str = "measured VPT (%)") -> float:
        return float(table.loc[(system, encoder), column])
    ahead = [s for s in systems if measured(s, "CpAE") > measured(s, "standard AE")]
    behind = [s for s in systems if measured(s, "CpAE") < measured(s, "standard AE")]
    reconstructing = [s for s in systems if max(measured(s, e, "reconstruction error")
                                                 for e in ("CpAE", "standard AE")) <= 0.3]
    names = {s: s.replace("_", " ") for s in systems}
    summary_text = (
        f"In the {profile} profile the CpAE's Neural ODE VPT is higher than the standard AE's on "
        f"{len(ahead)} of {len(systems)} systems and lower on {len(behind)}: "
        + "; ".join(f"{names[s]} {measured(s, 'CpAE'):.1f} vs {measured(s, 'standard AE'):.1f} %" for s in systems)
        + f" (paper, where reported: CpAE ahead everywhere). Both autoencoders reconstruct within a relative "
        f"error of 0.3 on {len(reconstructing)} of {len(systems)} systems"
        + (f" ({', '.join(names[s] for s in reconstructing)})." if reconstructing else "."))
    seeds = summary.seeds
    seed_parts = []
    for system in dict.fromkeys(seeds.index.get_level_values(0)):
        rows = seeds.loc[system]
        if {"CpAE", "standard AE"} <= set(rows.index):
            cpae_row, standard_row = rows.loc["CpAE"], rows.loc["standard AE"]
            overlap = not (cpae_row["VPT min (%)"] > standard_row["VPT max (%)"]
                           or standard_row["VPT min (%)"] > cpae_row["VPT max (%)"])
            seed_parts.append(
                f"{names.get(system, system)}: CpAE {cpae_row['VPT mean (%)']:.1f} ± {cpae_row['VPT std (%)']:.1f} %, "
                f"standard AE {standard_row['VPT mean (%)']:.1f} ± {standard_row['VPT std (%)']:.1f} % over "
                f"{int(cpae_row['runs'])} seed(s) ("
                + ("the ranges overlap: the difference is within seed variation" if overlap else
                   "the ranges do not overlap") + ")")
    seeds_sentence = ("Mean ± standard deviation of the Neural ODE VPT over seeds: " + "; ".join(seed_parts) + "."
                      if seed_parts else "No other seed has been recorded for this profile.")
    recorded = summary.recorded
    if recorded.empty:
        recorded_sentence = "No run has been recorded yet."
    else:
        stale = recorded[recorded["stale"] != ""]
        recorded_sentence = (f"{recorded[['system', 'profile', 'seed']].drop_duplicates().shape[0]} recorded run(s). "
                             + (f"{stale[['system', 'profile', 'seed']].drop_duplicates().shape[0]} of them are stale "
                                "(their profile has changed since they ran) and are shown only with that flag."
                                if len(stale) else "None is stale: each ran with its profile's current settings."))
    summary_text += " " + seeds_sentence
    readings = {f"seed_reading_{system}": seed_sentence(rows)
                for system, rows in summary.seed_runs.groupby("system", sort=False)}
    return {**readings, "results_summary": summary_text, "seeds_sentence": seeds_sentence, "recorded_sentence": recorded_sentence,
            "num_systems": len(systems), "cpae_ahead": len(ahead)}


def recorded_diagnostics(system: str, profile: str, result: SystemResult | None = None) -> pd.DataFrame:
    """The recorded runs of ``system`` in ``profile`` with changed settings (diagnostics) and other
    seeds, beside this page's run (``result``): one row per (run, autoencoder) with its
    settings label, Neural ODE VPT, reconstruction error, smoothness ratio and stale flag."""
    from latentdyn.recorded_runs import recorded_runs_table

    recorded = recorded_runs_table()
    rows = recorded[(recorded["system"] == system) & recorded["profile"].str.startswith(profile)]
    rows = rows.assign(setting=[f"{p}, seed {s}" if s else p for p, s in zip(rows["profile"], rows["seed"])])
    if result is not None:
        here = pd.DataFrame([{"setting": f"{profile} (this page)", "autoencoder": encoder,
                              "VPT (%)": float(result.vpt.loc[(encoder, MODEL_LABELS["neural_ode"]), "VPT mean (%)"]),
                              "reconstruction error": float(result.continuity.loc[encoder, "reconstruction error"]),
                              "smoothness ratio": float(result.continuity.loc[encoder, "smoothness ratio"]),
                              "stale": ""} for encoder in result.continuity.index])
        rows = pd.concat([here, rows], ignore_index=True)
    columns = ["setting", "autoencoder", "VPT (%)", "reconstruction error", "smoothness ratio", "stale"]
    return rows.reindex(columns=columns).reset_index(drop=True)


def diagnostics_sentence(table: pd.DataFrame) -> str:
    """One clause per setting of :func:`recorded_diagnostics`: CpAE vs standard AE, VPT and
    reconstruction error (stale rows are left out and said so)."""
    parts, stale = [], 0
    for setting, rows in table.groupby("setting", sort=False):
        if (rows["stale"] != "").any():
            stale += 1
            continue
        by = rows.set_index("autoencoder")
        if {"CpAE", "standard AE"} <= set(by.index):
            parts.append(f"{setting}: VPT {by.loc['CpAE', 'VPT (%)']:.1f} vs {by.loc['standard AE', 'VPT (%)']:.1f} %, "
                         f"reconstruction {by.loc['CpAE', 'reconstruction error']:.2f} vs "
                         f"{by.loc['standard AE', 'reconstruction error']:.2f}")
        elif "CpAE" in by.index:
            parts.append(f"{setting}: CpAE only, VPT {by.loc['CpAE', 'VPT (%)']:.1f} %, reconstruction "
                         f"{by.loc['CpAE', 'reconstruction error']:.2f}")
    text = ("CpAE vs standard AE — " + "; ".join(parts) + "." if parts else "No diagnostic run is recorded.")
    return text + (f" ({stale} stale record(s) left out.)" if stale else "")


def objective_at_chapter_budget(system: str = "damped_pendulum", profile: str = "book", seed: int = 0) -> pd.DataFrame:
    """The weight ``lambda`` and step map at a system chapter's own budget: the chapter's run
    (re-executed, or loaded from the cache) and the recorded runs of the same profile and seed
    that change only ``prediction_weight`` and/or ``latent_map`` (stale records left out).

    Columns: latent map (``none`` when lambda is 0), weight, autoencoder, source, and the metrics
    ``VPT (%)``, ``VPT vs reconstruction (%)``, ``reconstruction error``, ``smoothness ratio``.
    """
    from latentdyn.recorded_runs import load_recorded_runs, stale_reasons

    def rows_of(vpt: pd.DataFrame, continuity: pd.DataFrame, settings: dict[str, Any], source: str) -> list[dict]:
        weight = float(settings["prediction_weight"])
        kind = settings["latent_map"] if weight > 0 else "none"
        node = MODEL_LABELS["neural_ode"]
        return [{"latent map": kind, "weight": weight, "autoencoder": encoder, "source": source,
                 "VPT (%)": float(vpt.loc[(encoder, node), "VPT mean (%)"]),
                 "VPT vs reconstruction (%)": float(vpt.loc[(encoder, node), "VPT vs reconstruction (%)"]),
                 "reconstruction error": float(continuity.loc[encoder, "reconstruction error"]),
                 "smoothness ratio": float(continuity.loc[encoder, "smoothness ratio"])}
                for encoder in continuity.index]

    chapter = run_cpae_system(system, profile=profile, seed=seed)
    rows = rows_of(chapter.vpt, chapter.continuity, chapter.settings, "chapter run")
    for run in load_recorded_runs():
        if (run.system == system and run.profile == profile and run.seed == seed and run.overrides
                and set(run.overrides) <= {"prediction_weight", "latent_map"} and not stale_reasons(run)):
            rows += rows_of(run.vpt(), run.continuity(), run.settings, "recorded")
    columns = ["latent map", "weight", "autoencoder", "source", "VPT (%)", "VPT vs reconstruction (%)",
               "reconstruction error", "smoothness ratio"]
    return pd.DataFrame(rows, columns=columns).sort_values(["latent map", "weight", "autoencoder"],
                                                           ignore_index=True)


def budget_values(at_budget: pd.DataFrame, system: str = "damped_pendulum", profile: str = "book"
                  ) -> dict[str, float | str]:
    """The chapter budget quoted beside :func:`objective_at_chapter_budget`, and its outcome sentence."""
    settings = _system_settings(profile, {}, system)
    parts = []
    for (kind, weight), rows in at_budget.groupby(["latent map", "weight"], sort=True):
        by = rows.set_index("autoencoder")
        label = "no map" if kind == "none" else kind.replace("_", "-")
        if {"CpAE", "standard AE"} <= set(by.index):
            parts.append(f"$\\lambda = {weight:g}$ ({label}): VPT {by.loc['CpAE', 'VPT (%)']:.1f} vs "
                         f"{by.loc['standard AE', 'VPT (%)']:.1f} %, reconstruction "
                         f"{by.loc['CpAE', 'reconstruction error']:.2f} vs {by.loc['standard AE', 'reconstruction error']:.2f}")
    sentence = ("CpAE vs standard AE — " + "; ".join(parts) + "." if parts else
                "Only the chapter's own run is available at this budget.")
    return {"chapter_trajectories": int(settings["num_trajectories"]), "chapter_epochs": int(settings["epochs"]),
            "chapter_weight": float(settings["prediction_weight"]), "budget_objective_sentence": sentence}
