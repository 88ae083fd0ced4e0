"""Autoencoder inputs cut on the fly from videos, so that a data set stays uint8 in memory.

An autoencoder of the CpAE chapters sees ``frames_per_input`` consecutive frames side by side
(two in the authors' code: input ``k`` of a video is frames ``k`` and ``k + 1``, a
``(C, H, 2W)`` image). Materialising every input as float32 would take
``4 * frames_per_input`` times the memory of the uint8 video (28 GB for the paper's 1200
damped-pendulum videos at 128 px); :class:`FrameWindows` keeps the video as it is (on the
training device if asked) and assembles a batch of inputs when it is needed.
"""

from __future__ import annotations

import torch

from latentdyn.validation import check_positive_int, check_tensor


class FrameWindows:
    """Inputs ``(n, k)`` = frames ``k .. k + frames_per_input - 1`` of video ``n``, side by side.

    Args:
        frames: ``(N, T, C, H, W)`` video; uint8 (scaled to [0, 1] by 1/255 when a batch is
            assembled) or floating point in [0, 1] (used as it is).
        frames_per_input: frames side by side in one input (2: the authors' pairs; 1: single frames).
        target_offset: when positive, only the windows whose *target* window, ``target_offset``
            frames later, also lies inside the video are enumerated (the authors' target ``Y`` of
            input ``X = (x_t, x_{t+1})`` is ``(x_{t+2}, x_{t+3})``: offset 2).

    Attributes:
        input_shape: ``(C, H, frames_per_input * W)``.
        windows_per_video: number of enumerated windows of one video.
    """

    def __init__(self, frames: torch.Tensor, frames_per_input: int = 2, target_offset: int = 0) -> None:
        check_tensor("frames", frames, ndim=5, floating=False, finite=False)
        if frames.dtype != torch.uint8 and not frames.is_floating_point():
            raise ValueError(f"frames must be uint8 or floating point, got {frames.dtype}")
        self.frames = frames
        self.frames_per_input = check_positive_int("frames_per_input", frames_per_input)
        self.target_offset = check_positive_int("target_offset", target_offset, allow_zero=True)
        count, length, channels, height, width = frames.shape
        self.windows_per_video = length - self.frames_per_input + 1 - self.target_offset
        if self.windows_per_video < 1:
            raise ValueError(
                f"frames has {length} frames per video, too few for windows of "
                f"{self.frames_per_input} frames with target offset {self.target_offset}"
            )
        self.num_videos = count
        self.input_shape = (channels, height, self.frames_per_input * width)

    def __len__(self) -> int:
        return self.num_videos * self.windows_per_video

    @property
    def device(self) -> torch.device:
        return self.frames.device

    def batch(self, index: torch.Tensor, offset: int = 0, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        """The inputs of flat window indices ``index (B,)`` (``n * windows_per_video + k``), ``offset``
        frames later: ``(B, C, H, frames_per_input * W)`` in [0, 1]."""
        index = index.to(self.frames.device)
        video = torch.div(index, self.windows_per_video, rounding_mode="floor")
        start = index % self.windows_per_video + offset
        steps = torch.arange(self.frames_per_input, device=self.frames.device)
        chosen = self.frames[video[:, None], start[:, None] + steps]  # (B, F, C, H, W)
        batch, count, channels, height, width = chosen.shape
        inputs = chosen.permute(0, 2, 3, 1, 4).reshape(batch, channels, height, count * width)
        if self.frames.dtype == torch.uint8:
            return inputs.to(dtype) / 255.0
        return inputs.to(dtype)

    def inputs(self, index: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        """Autoencoder inputs ``X`` of the windows ``index``."""
        return self.batch(index, 0, dtype)

    def targets(self, index: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        """Targets ``Y`` (``target_offset`` frames later) of the windows ``index``."""
        if self.target_offset == 0:
            raise ValueError("these windows have no targets (target_offset=0)")
        return self.batch(index, self.target_offset, dtype)

    def mean_input(self, videos_per_chunk: int = 16) -> torch.Tensor:
        """The mean input over every window, ``(C, H, frames_per_input * W)`` float32 (computed
        video by video, so that the float copy of a large data set is never made)."""
        total = torch.zeros(self.input_shape, dtype=torch.float64, device=self.frames.device)
        for first in range(0, self.num_videos, videos_per_chunk):
            chunk = torch.arange(
                first * self.windows_per_video, min(self.num_videos, first + videos_per_chunk) * self.windows_per_video
            )
            total += self.inputs(chunk, dtype=torch.float64).sum(dim=0)
        return (total / len(self)).float()

    @classmethod
    def from_images(cls, images: torch.Tensor) -> FrameWindows:
        """Single images ``(M, C, H, W)`` as ``M`` windows of one frame (no targets)."""
        check_tensor("images", images, ndim=4, floating=False, finite=False)
        return cls(images[:, None], frames_per_input=1)
