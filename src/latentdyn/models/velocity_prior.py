"""Velocity estimates that the field extractor of the latent model refines.

The paper's field extractor sees a patch of the pair and outputs a velocity bounded by a
fixed ``max_speed``: motion larger than the bound, or larger than what a patch shows, is
not followed. Two ways to hand it a starting estimate of the whole image, which it then
corrects by at most ``max_speed`` (so the total speed is set by the data, not by a fixed
bound):

- ``"tvl1"``: TV-L1 optical flow (itself coarse-to-fine, scikit-image);
- ``"coarse_to_fine"``: our own estimator. The pair is halved ``levels`` times; at the
  coarsest level (whose image fits in about one patch) an image-space advection model
  learns a velocity bounded by a fraction of the image side; at each finer level the
  velocity of the level below, up-sampled (and doubled: pixels are half as large), is the
  prior that a new image-space model corrects by at most ``max_speed`` of that level's
  pixels. The result at the finest level below the full resolution is the prior.

:func:`velocity_prior` dispatches; ``"none"`` returns None (the paper's estimator).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import torch
import torch.nn.functional as F

from latentdyn.baselines.optical_flow import tvl1_velocity
from latentdyn.models.latent_advection import (
    LatentAdvectionModel,
    TrainingSettings,
    interpolate_pair,
    train_pair,
)
from latentdyn.validation import check_choice, check_in_range, check_positive_int

PRIORS = ("none", "tvl1", "coarse_to_fine")


def auto_levels(shape: tuple[int, int], patch_size: int) -> int:
    """Halvings until the smaller side of the image is at most ``patch_size`` (at least 1)."""
    side = min(shape)
    return max(1, math.ceil(math.log2(max(side / patch_size, 1.0))))


def _resize(image: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    return F.interpolate(image[None, None], size=size, mode="area")[0, 0]


def resize_velocity(velocity: np.ndarray | torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """``(2, h, w)`` velocity resampled bilinearly to ``size`` and rescaled to its pixels."""
    field = torch.as_tensor(np.asarray(velocity, np.float32))
    height, width = field.shape[-2:]
    resized = F.interpolate(field[None], size=size, mode="bilinear", align_corners=False)[0]
    scale = torch.tensor([size[1] / width, size[0] / height]).view(2, 1, 1)
    return resized * scale


def _level_patch(side: int, patch_size: int, multiple: int) -> int:
    """The largest patch side <= ``patch_size`` and <= ``side`` divisible by ``multiple``."""
    patch = min(patch_size, side) // multiple * multiple
    if patch < multiple:
        raise ValueError(f"the image is too small for a coarse level: side {side} < {multiple}")
    return patch


def coarse_to_fine_velocity(image0: np.ndarray, image1: np.ndarray, *, levels: int,
                            model_options: dict, training: TrainingSettings, iterations: int,
                            coarse_speed_fraction: float = 0.25, seed: int = 0,
                            device: torch.device | str = "cpu") -> np.ndarray:
    """A ``(2, H, W)`` velocity (pixels per unit time) from ``levels`` coarser levels.

    Args:
        image0, image1: ``(H, W)`` in [0, 1].
        levels: number of halvings (the coarsest level is ``2**levels`` times smaller).
        model_options: keywords of the image-space :class:`LatentAdvectionModel` of every
            level (``max_speed`` bounds each finer level's correction, in its own pixels).
        training: the training settings (patch side capped by each level's image).
        iterations: training iterations per level.
        coarse_speed_fraction: bound of the coarsest level, as a fraction of its smaller side.
        seed, device: as for :func:`train_pair`.
    """
    levels = check_positive_int("levels", levels)
    iterations = check_positive_int("iterations", iterations)
    fraction = check_in_range("coarse_speed_fraction", coarse_speed_fraction, 0.01, 1.0)
    first = torch.as_tensor(np.asarray(image0, np.float32))
    second = torch.as_tensor(np.asarray(image1, np.float32))
    height, width = first.shape
    options = {key: value for key, value in model_options.items() if key not in ("latent_channels",)}
    multiple = options.get("field_downsample", 4) * 2 ** options.get("depth", 2)
    prior = None
    for level in range(levels, 0, -1):
        size = (max(multiple, round(height / 2**level)), max(multiple, round(width / 2**level)))
        small0, small1 = _resize(first, size), _resize(second, size)
        patch = _level_patch(min(size), training.patch_size, multiple)
        settings = replace(training, patch_size=patch, patch_stride=min(training.patch_stride, patch),
                           iterations=iterations, lambda_ae=0.0)
        bound = options.get("max_speed", 4.0) if prior is not None else fraction * min(size)
        model = LatentAdvectionModel(1, **{**options, "max_speed": bound}, image_space=True,
                                     zero_field_output=prior is not None)
        level_prior = None if prior is None else resize_velocity(prior, size).numpy()
        train_pair(model, small0, small1, settings, prior=level_prior, seed=seed + level, device=device,
                   show_progress=False)
        prior = interpolate_pair(model, small0, small1, [], patch_size=patch,
                                 patch_stride=settings.patch_stride, prior=level_prior,
                                 device=device)["velocity"]
    return resize_velocity(prior, (height, width)).numpy()


def velocity_prior(kind: str, image0: np.ndarray, image1: np.ndarray, *, levels: int | str = "auto",
                   model_options: dict | None = None, training: TrainingSettings | None = None,
                   iterations: int = 150, flow_downscale: int = 1, seed: int = 0,
                   device: torch.device | str = "cpu") -> np.ndarray | None:
    """The prior velocity ``(2, H, W)`` of ``kind`` (one of :data:`PRIORS`), or None for ``"none"``.

    ``levels="auto"`` halves until the coarsest image fits in one training patch
    (:func:`auto_levels`).
    """
    check_choice("velocity_init", kind, PRIORS)
    if kind == "none":
        return None
    if kind == "tvl1":
        return tvl1_velocity(image0, image1, downscale=flow_downscale)
    training = training or TrainingSettings()
    if levels == "auto":
        levels = auto_levels(np.shape(image0), training.patch_size)
    return coarse_to_fine_velocity(image0, image1, levels=levels, model_options=model_options or {},
                                   training=training, iterations=iterations, seed=seed, device=device)
