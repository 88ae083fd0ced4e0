"""Training throughput of the CpAE autoencoders: the float32 baseline against the fast path.

The fast path (the ``paper`` profile on a GPU) is bfloat16 autocast, channels-last
convolutions and cuDNN's benchmark mode, with the videos kept on the device as uint8 and
inputs assembled there (:class:`latentdyn.cpae.data.windows.FrameWindows`). The baseline is the
same loop in float32, contiguous layout, deterministic kernels. Both time complete optimiser
steps of the autoencoder stage with the authors' objective (the step map and its auxiliary
terms, :func:`latentdyn.cpae.models.training.autoencoder_loss`) and the filter penalty.

Used by ``tools/benchmark_training.py``; not a test (it measures the machine it runs on).
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import torch

from latentdyn.cpae.data.windows import FrameWindows
from latentdyn.cpae.experiments.autoencoder_stage import autoencoder_arguments
from latentdyn.cpae.models.autoencoder import ConvAutoencoder
from latentdyn.cpae.models.latent_maps import build_latent_map
from latentdyn.cpae.models.training import autocast_context, autoencoder_loss, prepare_for_speed
from latentdyn.cpae.settings import LATENT_DIM
from latentdyn.profiles import resolve_settings
from latentdyn.runtime import resolve_device, seed_everything
from latentdyn.validation import check_positive_int

PATHS = {
    "fp32 baseline": {"precision": "fp32", "channels_last": False, "deterministic": True},
    "fast path": {"precision": "bf16", "channels_last": True, "deterministic": False},
}


def _synchronise(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_training_steps(
    variant: str,
    settings: dict[str, Any],
    path: dict[str, Any],
    *,
    batch_size: int,
    steps: int,
    warmup: int,
    device: torch.device,
    seed: int = 0,
) -> float:
    """Training inputs per second of ``steps`` optimiser steps (after ``warmup`` untimed ones).

    The data are random uint8 videos of the profile's resolution on ``device`` (enough for one
    batch of windows and their targets); the model is the profile's ``variant`` autoencoder.
    """
    seed_everything(seed, settings["num_threads"], deterministic=path["deterministic"])
    resolution, latent_dim = settings["resolution"], settings["latent_dim"] or LATENT_DIM["damped_pendulum"]
    model = ConvAutoencoder((3, resolution, 2 * resolution), latent_dim, **autoencoder_arguments(variant, settings)).to(
        device
    )
    step_map = build_latent_map(settings["latent_map"], latent_dim)
    parameters = list(model.parameters())
    if step_map is not None:
        step_map.to(device)
        parameters += list(step_map.parameters())
    prepare_for_speed(model, path["channels_last"])
    optimizer = torch.optim.Adam(parameters, lr=1e-4)
    frames_per_video = 8
    videos = -(-batch_size // (frames_per_video - 3))
    generator = torch.Generator().manual_seed(seed)
    frames = torch.randint(
        0, 256, (videos, frames_per_video, 3, resolution, resolution), dtype=torch.uint8, generator=generator
    ).to(device)
    windows = FrameWindows(frames, target_offset=2 if step_map is not None else 0)
    layout = torch.channels_last if path["channels_last"] else torch.contiguous_format
    index = torch.arange(batch_size) % len(windows)

    def one_step() -> None:
        inputs = windows.inputs(index).contiguous(memory_format=layout)
        targets = windows.targets(index).contiguous(memory_format=layout) if step_map is not None else None
        with autocast_context(device, path["precision"]):
            loss, _ = autoencoder_loss(model, inputs, targets, step_map, settings["prediction_weight"])
        loss = loss + model.weight_penalty()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    model.train()
    for _ in range(warmup):
        one_step()
    _synchronise(device)
    started = time.perf_counter()
    for _ in range(steps):
        one_step()
    _synchronise(device)
    return batch_size * steps / (time.perf_counter() - started)


def benchmark_training_speed(
    *,
    profile: str = "paper",
    device: str = "auto",
    batch_size: int | None = None,
    steps: int = 20,
    warmup: int = 3,
    variants: tuple[str, ...] = ("standard", "cpae"),
) -> pd.DataFrame:
    """Inputs per second of the baseline and the fast path for each autoencoder of ``profile``.

    Returns a table, one row per variant: ``fp32 baseline (inputs/s)``, ``fast path (inputs/s)``
    and their ratio, with the device name, batch size and resolution. One input is two frames
    side by side (``3 x R x 2R``), plus its target two frames later.
    """
    settings = resolve_settings("cpae_system", profile)
    target = resolve_device(device)
    batch_size = check_positive_int("batch_size", batch_size or settings["batch_size"])
    steps, warmup = check_positive_int("steps", steps), check_positive_int("warmup", warmup, allow_zero=True)
    name = (
        torch.cuda.get_device_name(target)
        if target.type == "cuda"
        else f"{target.type} ({torch.get_num_threads()} threads)"
    )
    rows = []
    for variant in variants:
        rates = {
            label: time_training_steps(
                variant, settings, path, batch_size=batch_size, steps=steps, warmup=warmup, device=target
            )
            for label, path in PATHS.items()
        }
        rows.append(
            {
                "autoencoder": variant,
                "device": name,
                "batch size": batch_size,
                "resolution": settings["resolution"],
                **{f"{label} (inputs/s)": rate for label, rate in rates.items()},
                "fast / baseline": rates["fast path"] / rates["fp32 baseline"],
            }
        )
    return pd.DataFrame(rows)
