"""Stage 0 of a CpAE system run: the video of a system, cut into the autoencoders' inputs.

:func:`load_video` simulates (or reads) the video; :func:`prepare_system` keeps its training
split and builds a :class:`SystemData` (uint8 training videos, test frame pairs, half-step
frames, the mean training input) keyed by :func:`_data_key`, shared by the system runs and the
studies.

The test set of a simulated system is a video of its own (:func:`load_test_video`):
``test_videos`` new initial conditions of ``test_frames`` frames from the same simulator, seeded
apart from every training seed, so that all seeds and both autoencoders are scored on the same
videos (the authors test on 120 videos of 60 frames). A user's frames folder has no simulator:
its own test split is the test set.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import torch

from latentdyn.cache import arrays_digest, parameters_key
from latentdyn.cpae.data.videos import (
    CameraEffects,
    VideoDataset,
    default_time_step,
    frame_pairs,
    generate_system_video,
    load_frame_folders,
)
from latentdyn.cpae.data.windows import FrameWindows
from latentdyn.cpae.settings import CAMERA_SYSTEMS, LATENT_DIM
from latentdyn.validation import check_positive_float


def load_video(
    system: str,
    settings: dict[str, Any],
    seed: int,
    frames_folder: str | None = None,
    frame_rate: float | None = None,
    frame_pattern: str | None = None,
    frame_background: float = 0.0,
) -> VideoDataset:
    """The simulated video of ``system`` (camera effects for the two real-video systems), or real
    frames from ``frames_folder`` taken at ``frame_rate`` frames per second (default 60), read by
    :func:`latentdyn.cpae.data.videos.load_frame_folders` (``frame_pattern``: which files are frames;
    ``frame_background``: grey level under transparent pixels)."""
    if frames_folder:
        time_step = 1 / 60 if frame_rate is None else 1 / check_positive_float("frame_rate", frame_rate)
        return load_frame_folders(
            frames_folder,
            resolution=settings["resolution"],
            seed=seed,
            time_step=time_step,
            frame_pattern=frame_pattern,
            background=frame_background,
        )
    if frame_pattern is not None:
        raise ValueError("frame_pattern applies to real videos (frames_folder)")
    if frame_rate is not None:
        raise ValueError(
            "frame_rate applies to real videos (frames_folder); a simulated system has its own "
            f"time step ({default_time_step(system):.4g} s for {system})"
        )
    camera = CameraEffects() if system in CAMERA_SYSTEMS else None
    return generate_system_video(
        system,
        num_trajectories=settings["num_trajectories"],
        num_frames=settings["num_frames"],
        resolution=settings["resolution"],
        seed=seed,
        camera=camera,
        min_bar_pixels=settings["min_bar_pixels"],
    )


TEST_SEED = 1_000_003  # seeds the test videos; never a training seed of the book


def load_test_video(system: str, settings: dict[str, Any]) -> VideoDataset:
    """The test videos of a simulated ``system``: ``settings["test_videos"]`` trajectories of
    ``settings["test_frames"]`` frames, rendered like the training videos, the same for every
    training seed (half-step frames exist for the videos of its own test split).

    Simulated once per process (a 64 px test set takes seconds; a chapter scoring three seeds'
    models asks for it three times) and returned as a copy, so a caller may change its arrays."""
    return copy.deepcopy(
        _simulated_test_video(
            system, settings["test_videos"], settings["test_frames"], settings["resolution"], settings["min_bar_pixels"]
        )
    )


@lru_cache(maxsize=4)
def _simulated_test_video(
    system: str, test_videos: int, test_frames: int, resolution: int, min_bar_pixels: float
) -> VideoDataset:
    """The simulation behind :func:`load_test_video` (its own seed, so no global random state is
    read or changed)."""
    camera = CameraEffects() if system in CAMERA_SYSTEMS else None
    return generate_system_video(
        system,
        num_trajectories=test_videos,
        num_frames=test_frames,
        resolution=resolution,
        seed=TEST_SEED,
        camera=camera,
        min_bar_pixels=min_bar_pixels,
    )


@dataclass
class SystemData:
    """One system's video as tensors, shared by the system run and the ablations.

    Attributes:
        train_frames: ``(N_train, T, C, H, W)`` uint8 videos of the training trajectories.
        test_pairs: ``(N_test, T' - 1, C, H, 2W)`` float inputs of the test trajectories.
        test_frames: ``(N_test, T', C, H, W)`` uint8 test videos.
        test_states: ``(N_test, T', 2n)`` true states of the test videos, or ``None`` (real video).
        half_frames: ``(N_half, T' - 1, C, H, W)`` true frames at half steps of the test videos
            ``half_index`` (a subset), or ``None``.
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
    test_frames: np.ndarray | None = None
    test_states: np.ndarray | None = None
    half_index: np.ndarray | None = None
    test_source: str = "simulated"

    @property
    def image_shape(self) -> tuple[int, ...]:
        return tuple(self.test_pairs.shape[-3:])

    @cached_property
    def test_digest(self) -> str:
        """SHA-256 of everything a score depends on besides the models: the test videos (uint8
        frames when present, else the float inputs), the half-step frames and their videos, and
        the reference input (the key of the cached scores,
        :func:`latentdyn.cpae.experiments.scoring.cached_evaluation`)."""
        parts = {
            "test": self.test_frames if self.test_frames is not None else self.test_pairs,
            "half_frames": self.half_frames,
            "half_index": self.half_index,
            "reference": self.reference,
        }
        return arrays_digest(
            {
                name: part.numpy() if isinstance(part, torch.Tensor) else np.asarray(part)
                for name, part in parts.items()
                if part is not None
            }
        )

    def train_windows(self, target_offset: int = 2) -> FrameWindows:
        """Training inputs (frame pairs) with targets ``target_offset`` frames later (0: none)."""
        return FrameWindows(self.train_frames, frames_per_input=2, target_offset=target_offset)

    @property
    def train_pairs(self) -> torch.Tensor:
        """``(N_train, T - 1, C, H, 2W)`` float inputs of the training trajectories (small data only)."""
        return torch.from_numpy(frame_pairs(self.train_frames.numpy()))


def _data_key(
    system: str, settings: dict[str, Any], seed: int, dataset: VideoDataset, frames_folder: str | None
) -> str:
    """Simulated data: the settings that made them; real frames: their content (so that changed
    videos in the same folder are never mistaken for the old ones)."""
    if frames_folder:
        return parameters_key(
            {
                "frames_sha256": dataset.content_digest,
                "resolution": settings["resolution"],
                "seed": seed,
                "time_step": dataset.time_step,
            }
        )
    return parameters_key(
        {
            "system": system,
            "settings": {k: settings[k] for k in ("num_trajectories", "num_frames", "resolution", "min_bar_pixels")},
            "seed": seed,
        }
    )


def prepare_system(
    system: str,
    settings: dict[str, Any],
    seed: int,
    frames_folder: str | None = None,
    frame_rate: float | None = None,
    frame_pattern: str | None = None,
    frame_background: float = 0.0,
) -> SystemData:
    """Load the video, keep its training split and cut the test set into frame pairs."""
    dataset = load_video(system, settings, seed, frames_folder, frame_rate, frame_pattern, frame_background)
    frames = torch.from_numpy(dataset.frames)
    if frames_folder:  # a user's videos: their own test split (no half steps)
        test_index = dataset.splits["test"]
        test_frames, half, half_index = dataset.frames[test_index], None, None
        test_states = None if dataset.states is None else dataset.states[test_index]
        source = "frames folder"
    else:
        test = load_test_video(system, settings)
        test_frames, test_states = test.frames, test.states
        half_index = test.splits["test"]
        half = (
            None
            if test.half_step_frames is None
            else torch.from_numpy(test.half_step_frames.astype(np.float32) / 255.0)
        )
        source = f"simulated, test seed {TEST_SEED}"
    test_pairs = torch.from_numpy(frame_pairs(test_frames))
    train_frames = frames[dataset.splits["train"]]
    reference = FrameWindows(train_frames).mean_input()
    return SystemData(
        system,
        dataset,
        train_frames,
        test_pairs,
        half,
        reference,
        _data_key(system, settings, seed, dataset, frames_folder),
        settings["latent_dim"] or LATENT_DIM[system],
        test_frames,
        test_states,
        half_index,
        source,
    )


@lru_cache(maxsize=2)
def _test_inputs(
    system: str, test_videos: int, test_frames: int, resolution: int, min_bar_pixels: float
) -> tuple[VideoDataset, torch.Tensor, torch.Tensor | None]:
    """The test videos of :func:`_simulated_test_video` with their frame pairs and half-step
    frames as float tensors, made once per process: on 64 px the pairs are about 0.7 GB, and
    a page scoring several seeds' shipped models asked for them dozens of times (a third of a
    second each)."""
    test = _simulated_test_video(system, test_videos, test_frames, resolution, min_bar_pixels)
    half = None if test.half_step_frames is None else torch.from_numpy(test.half_step_frames.astype(np.float32) / 255.0)
    return test, torch.from_numpy(frame_pairs(test.frames)), half


def system_test_data(system: str, settings: dict[str, Any], reference: torch.Tensor) -> SystemData:
    """The test videos of a simulated ``system`` alone (no training videos), for scoring models
    trained elsewhere (:mod:`latentdyn.cpae.experiments.shipped`); ``reference``: the mean
    training input those models were scored against, ``(C, H, 2W)``.

    The test arrays (``test_pairs``, ``half_frames``, ``test_frames``, ``test_states``) are made
    once per process and shared by every result of this function for the same test videos:
    read them, never change them in place (copy first)."""
    test, test_pairs, half = _test_inputs(
        system, settings["test_videos"], settings["test_frames"], settings["resolution"], settings["min_bar_pixels"]
    )
    if tuple(reference.shape) != tuple(test_pairs.shape[-3:]):
        raise ValueError(
            f"reference has shape {tuple(reference.shape)}, the test inputs {tuple(test_pairs.shape[-3:])}"
        )
    empty = torch.zeros((0, *test.frames.shape[1:]), dtype=torch.uint8)
    return SystemData(
        system,
        test,
        empty,
        test_pairs,
        half,
        reference,
        "test videos only",
        settings["latent_dim"] or LATENT_DIM[system],
        test.frames,
        test.states,
        test.splits["test"],
        f"simulated, test seed {TEST_SEED}",
    )
