"""Stage 1 of a CpAE run: the autoencoder variants, trained (and cached) on frame windows.

:func:`autoencoder_arguments` / :func:`penalty_arguments` say what each variant (``standard``,
``l2``, ``cpae``) is; :func:`trained_autoencoder` trains one or loads it from the cache
(checkpointing every few epochs); :func:`encode`, :func:`decode` and :func:`encode_windows` map
between frames and latent states. ``state_arrays`` / ``load_state`` turn a module's weights
into cacheable arrays and back (used by every trained model of the package).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from latentdyn.cache import cache_dir, load_or_create, parameters_key
from latentdyn.cpae.data.windows import FrameWindows
from latentdyn.cpae.models.autoencoder import ConvAutoencoder
from latentdyn.cpae.models.latent_maps import build_latent_map
from latentdyn.cpae.models.training import train_autoencoder
from latentdyn.cpae.settings import RESULTS_VERSION, TRAINING_CODE, VARIANTS
from latentdyn.runtime import resolve_device, seed_everything
from latentdyn.validation import check_choice


def state_arrays(module: torch.nn.Module) -> dict[str, np.ndarray]:
    return {name: tensor.detach().cpu().numpy() for name, tensor in module.state_dict().items()}


def load_state(module: torch.nn.Module, arrays: dict[str, np.ndarray], prefix: str = "") -> None:
    state = {
        name[len(prefix) :]: torch.from_numpy(np.array(value))
        for name, value in arrays.items()
        if name.startswith(prefix)
    }
    module.load_state_dict(state)


def penalty_arguments(variant: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The filter penalty of a variant: ``standard`` none, ``l2`` ``mean(W^2)``, ``cpae`` J."""
    check_choice("variant", variant, VARIANTS)
    return {
        "regularizer": {"standard": "none", "l2": "l2", "cpae": "continuity"}[variant],
        "regularizer_weight": settings["l2_weight"] if variant == "l2" else settings["continuity_weight"],
        "kernel_scale": settings["kernel_scale"],
    }


def autoencoder_arguments(variant: str, settings: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of the deep :class:`ConvAutoencoder` for a variant under ``settings``.

    ``standard``: small filters, no penalty. ``cpae``: large filters with J. ``l2``: the same
    large filters with ``mean(W^2)`` instead of J.
    """
    large = check_choice("variant", variant, VARIANTS) != "standard"
    return {
        "filter_size": settings["large_filter_size"] if large else settings["small_filter_size"],
        "channels": tuple(settings["cpae_channels"] if large else settings["standard_channels"]),
        "decoder_batch_norm": settings["decoder_batch_norm"],
        "decoder_min_channels": settings["decoder_min_channels"],
        **penalty_arguments(variant, settings),
    }


def autoencoder_checkpoint_path(name: str, params: dict[str, Any]) -> Path:
    return cache_dir() / "checkpoints" / f"{name}-{parameters_key(params)}.pt"


def _speed_arguments(settings: dict[str, Any]) -> dict[str, Any]:
    """The GPU fast-path knobs of the training loops (no effect on the CPU defaults)."""
    return {"precision": settings["precision"], "channels_last": settings["channels_last"]}


def trained_autoencoder(
    name: str,
    latent_dim: int,
    arguments: dict[str, Any],
    windows: FrameWindows,
    data_key: str,
    settings: dict[str, Any],
    seed: int,
    architecture: str = "deep",
    latent_map: str = "none",
    prediction_weight: float = 0.0,
    prediction_warmup: int = 0,
) -> ConvAutoencoder:
    """Train (or load from the cache) an autoencoder on the inputs ``windows`` cuts from the videos.

    ``latent_map`` / ``prediction_weight``: the step map ``g`` and the weight ``lambda`` of the
    authors' auxiliary terms (:func:`latentdyn.cpae.models.training.autoencoder_loss`); ``"none"``
    trains on reconstruction (+ the filter penalty) alone. ``settings["relative_latent_error"]``
    divides the latent term by the variance of the latent states (scale-invariant: the
    latent space cannot lower it by shrinking).
    """
    image_shape = windows.input_shape
    use_map = latent_map != "none" and prediction_weight > 0
    relative = bool(settings.get("relative_latent_error", False)) and use_map
    params = {
        "data": data_key,
        "arguments": arguments,
        "latent_dim": latent_dim,
        "architecture": architecture,
        "epochs": settings["epochs"],
        "batch_size": settings["batch_size"],
        "learning_rate": settings["learning_rate"],
        "final_learning_rate": settings["final_learning_rate"],
        "latent_map": latent_map if use_map else "none",
        "prediction_weight": prediction_weight if use_map else 0,
        "prediction_warmup": prediction_warmup if use_map else 0,
        **({"relative_latent_error": True} if relative else {}),
        "seed": seed,
        "threads": settings["num_threads"],
        "device": settings["device"],
        **_speed_arguments(settings),
        "version": RESULTS_VERSION,
        "code": TRAINING_CODE,
    }
    model = ConvAutoencoder(image_shape, latent_dim, architecture=architecture, **arguments)

    def create() -> dict[str, np.ndarray]:
        seed_everything(seed, settings["num_threads"], deterministic=settings["deterministic"])
        fresh = ConvAutoencoder(image_shape, latent_dim, architecture=architecture, **arguments)
        step_map = build_latent_map(latent_map, latent_dim) if use_map else None
        device = resolve_device(settings["device"])
        fresh.to(device)
        if step_map is not None:
            step_map.to(device)
        device_windows = FrameWindows(
            windows.frames.to(device), windows.frames_per_input, windows.target_offset if use_map else 0
        )
        checkpoint = autoencoder_checkpoint_path(f"ae-{name}", params)
        started = time.perf_counter()
        history = train_autoencoder(
            fresh,
            device_windows,
            epochs=settings["epochs"],
            batch_size=settings["batch_size"],
            learning_rate=settings["learning_rate"],
            final_learning_rate=settings["final_learning_rate"],
            seed=seed,
            latent_map=step_map,
            prediction_weight=prediction_weight if use_map else 0.0,
            prediction_warmup=prediction_warmup,
            relative_latent_error=relative,
            **_speed_arguments(settings),
            checkpoint=checkpoint,
            checkpoint_every=max(1, settings["epochs"] // 20),
            description=f"train {name}",
        )
        seconds = time.perf_counter() - started
        checkpoint.unlink(missing_ok=True)
        fresh = fresh.cpu().to(memory_format=torch.contiguous_format)
        return {**state_arrays(fresh), "__history": np.asarray(history), "__seconds": np.asarray(seconds)}

    arrays = load_or_create(f"ae-{name}", params, create)
    history = arrays.pop("__history")
    seconds = arrays.pop("__seconds", np.asarray(float("nan")))
    load_state(model, arrays)
    model.eval()
    model.training_history = history
    model.training_seconds = float(seconds)
    model.cache_key = parameters_key(params)
    return model


@torch.no_grad()
def encode(model: ConvAutoencoder, inputs: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """``(..., C, H, W)`` -> ``(..., d)`` latent states, in batches."""
    flat = inputs.reshape(-1, *inputs.shape[-3:])
    codes = torch.cat([model.encode(chunk) for chunk in flat.split(batch_size)])
    return codes.reshape(*inputs.shape[:-3], -1)


@torch.no_grad()
def decode(model: ConvAutoencoder, latents: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """``(..., d)`` -> ``(..., C, H, W)`` images, in batches, written into one contiguous tensor
    (concatenating the decoder's channels-last batches costs about as much as a quarter of the
    decoding itself)."""
    flat = latents.reshape(-1, latents.shape[-1])
    images = None
    for start in range(0, flat.shape[0], batch_size):
        batch = model.decode(flat[start : start + batch_size])
        if images is None:  # the decoder's dtype (the latents may be float64)
            images = torch.empty((flat.shape[0], *batch.shape[1:]), dtype=batch.dtype)
        images[start : start + batch_size] = batch
    if images is None:
        images = torch.empty((0, *model.image_shape))
    return images.reshape(*latents.shape[:-1], *images.shape[-3:])


@torch.no_grad()
def encode_windows(model: ConvAutoencoder, windows: FrameWindows, batch_size: int = 256) -> torch.Tensor:
    """Latent states of every window, ``(N, windows_per_video, d)``, encoded in batches."""
    codes = torch.cat([model.encode(windows.inputs(chunk)) for chunk in torch.arange(len(windows)).split(batch_size)])
    return codes.reshape(windows.num_videos, windows.windows_per_video, -1)
