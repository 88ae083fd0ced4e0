"""Stage 0 of a CpAE system run: the video of a system, cut into the autoencoders' inputs.

:func:`load_video` simulates (or reads) the video; :func:`_prepare_system` splits it 80/10/10
into a :class:`_SystemData` (uint8 training videos, test frame pairs, half-step frames, the mean
training input) keyed by :func:`_data_key`, shared by the system runs and the studies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from latentdyn.cache import parameters_key
from latentdyn.cpae_settings import CAMERA_SYSTEMS, LATENT_DIM
from latentdyn.data.videos import (
    CameraEffects,
    VideoDataset,
    default_time_step,
    frame_pairs,
    generate_system_video,
    load_frame_folders,
)
from latentdyn.data.windows import FrameWindows
from latentdyn.validation import check_positive_float


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
