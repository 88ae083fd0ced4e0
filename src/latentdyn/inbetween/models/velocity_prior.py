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

:func:`motion_gate` decides, region by region, whether motion explains the change at all
(beyond the paper): a flow estimator asked to explain a floe that fades in, or a crack that
darkens in place, invents motion; the gate keeps a velocity only where warping by it removes
a clear share of the local change.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

from latentdyn.inbetween.baselines.optical_flow import tvl1_velocity
from latentdyn.inbetween.models.latent_advection import (
    LatentAdvectionModel,
    TrainingSettings,
    interpolate_pair,
    train_pair,
)
from latentdyn.inbetween.physics.advection import sample_at
from latentdyn.validation import (
    check_choice,
    check_in_range,
    check_positive_float,
    check_positive_int,
    check_tensor,
)

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


def coarse_to_fine_velocity(
    image0: np.ndarray,
    image1: np.ndarray,
    *,
    levels: int,
    model_options: dict,
    training: TrainingSettings,
    iterations: int,
    coarse_speed_fraction: float = 0.25,
    seed: int = 0,
    device: torch.device | str = "cpu",
) -> np.ndarray:
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
        settings = replace(
            training,
            patch_size=patch,
            patch_stride=min(training.patch_stride, patch),
            iterations=iterations,
            lambda_ae=0.0,
        )
        bound = options.get("max_speed", 4.0) if prior is not None else fraction * min(size)
        model = LatentAdvectionModel(
            1, **{**options, "max_speed": bound}, image_space=True, zero_field_output=prior is not None
        )
        level_prior = None if prior is None else resize_velocity(prior, size).numpy()
        train_pair(
            model, small0, small1, settings, prior=level_prior, seed=seed + level, device=device, show_progress=False
        )
        prior = interpolate_pair(
            model,
            small0,
            small1,
            [],
            patch_size=patch,
            patch_stride=settings.patch_stride,
            prior=level_prior,
            device=device,
        )["velocity"]
    return resize_velocity(prior, (height, width)).numpy()


def velocity_prior(
    kind: str,
    image0: np.ndarray,
    image1: np.ndarray,
    *,
    levels: int | str = "auto",
    model_options: dict | None = None,
    training: TrainingSettings | None = None,
    iterations: int = 150,
    flow_downscale: int = 1,
    seed: int = 0,
    device: torch.device | str = "cpu",
) -> np.ndarray | None:
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
    return coarse_to_fine_velocity(
        image0,
        image1,
        levels=levels,
        model_options=model_options or {},
        training=training,
        iterations=iterations,
        seed=seed,
        device=device,
    )


def warp_back(image: np.ndarray, velocity: np.ndarray) -> np.ndarray:
    """``image(x + v(x))`` for ``(H, W)`` ``image`` and ``(2, H, W)`` ``velocity`` (x then y,
    pixels; bilinear, border values outside)."""
    field = torch.as_tensor(np.asarray(velocity, np.float32))
    picture = torch.as_tensor(np.asarray(image, np.float32))
    check_tensor("velocity", field, shape=(2, *picture.shape))
    rows, cols = torch.meshgrid(
        torch.arange(picture.shape[0], dtype=torch.float32),
        torch.arange(picture.shape[1], dtype=torch.float32),
        indexing="ij",
    )
    points = torch.stack((cols, rows)) + field
    return sample_at(picture[None, None], points[None])[0, 0].numpy()


def motion_gate(
    image0: np.ndarray,
    image1: np.ndarray,
    velocity: np.ndarray,
    backward: np.ndarray | None = None,
    *,
    sigma: float = 3.0,
    floor: float = 0.02,
    low: float = 0.3,
    high: float = 0.6,
    consistency: float = 0.5,
    min_speed: float = 0.25,
) -> np.ndarray:
    """``(H, W)`` weight in [0, 1]: 1 where ``velocity`` explains the change, 0 where it does not.

    With the local mean absolute change ``r_0 = G_sigma * |I_1 - I_0|`` and the change left
    after warping, ``r_v = G_sigma * |I_1(x + v) - I_0(x)|``, the evidence for motion is
    ``e = (r_0 - r_v) / r_0`` (the share of the local change that motion removes), and the gate
    rises linearly from 0 at ``e = low`` to 1 at ``e = high``. Where nothing changes
    (``r_0 < floor``) and where the warp samples outside the image the change cannot test the
    flow: there ``e = 1`` and only the forward-backward check below can close the gate.

    With the ``backward`` velocity (``I_0(x + b(x)) ~ I_1(x)``) the gate is also closed where
    the two disagree, the forward-backward check of occlusion-aware flow (Sundaram, Brox &
    Keutzer 2010): ``|v + b(x + v)|^2 <= 0.01 (|v|^2 + |b(x + v)|^2) + consistency`` (smoothed
    by the same window). A floe that fades in is "explained" by a flow that shrinks it from
    both sides, outward in both directions: the check rejects it; true motion passes.

    Args:
        image0, image1: ``(H, W)`` in [0, 1].
        velocity: ``(2, H, W)`` pixels per unit time, ``I_1(x + v(x)) ~ I_0(x)``.
        sigma: Gaussian window of the local means, pixels.
        floor: change (grey levels) below which a region counts as unchanged.
        low, high: evidence at which the gate starts to open and is fully open.
        backward: ``(2, H, W)`` the flow from ``image1`` to ``image0``, or None (no check).
        consistency: squared pixels allowed by the forward-backward check.
        min_speed: the gate is closed where the gated speed is below this (pixels per unit
            time): a leftover sub-pixel drift at the rim of a closed region is not motion.
    """
    first = np.asarray(image0, np.float32)
    second = np.asarray(image1, np.float32)
    if first.ndim != 2 or first.shape != second.shape:
        raise ValueError(f"image0 and image1 must be 2-D of one shape, got {first.shape} and {second.shape}")
    sigma = check_positive_float("sigma", sigma)
    floor = check_positive_float("floor", floor)
    low = check_in_range("low", low, 0.0, 1.0)
    high = check_in_range("high", high, low + 1e-6, 1.0)
    still = ndimage.gaussian_filter(np.abs(second - first), sigma)
    moved = ndimage.gaussian_filter(np.abs(warp_back(second, velocity) - first), sigma)
    # where nothing changes (below ``floor``) there is nothing to test: trust the flow
    evidence = np.where(still < floor, 1.0, (still - moved) / np.maximum(still, floor))
    # where the warp samples outside the image the change cannot be tested: trust the flow
    height, width = first.shape
    rows, cols = np.mgrid[0:height, 0:width]
    field = np.asarray(velocity, np.float32)
    outside = (
        (cols + field[0] < 0) | (cols + field[0] > width - 1) | (rows + field[1] < 0) | (rows + field[1] > height - 1)
    )
    evidence = np.where(ndimage.binary_dilation(outside, iterations=int(np.ceil(2 * sigma))), 1.0, evidence)
    gate = np.clip((evidence - low) / (high - low), 0.0, 1.0)
    if backward is not None:
        forward = np.asarray(velocity, np.float32)
        returned = np.stack([warp_back(component, forward) for component in np.asarray(backward, np.float32)])
        mismatch = ((forward + returned) ** 2).sum(axis=0)
        allowed = 0.01 * ((forward**2).sum(axis=0) + (returned**2).sum(axis=0)) + consistency
        agree = ndimage.gaussian_filter(((mismatch <= allowed) | outside).astype(np.float32), sigma)
        gate = gate * np.clip(2.0 * agree - 1.0, 0.0, 1.0)
    speed = gate * np.sqrt((np.asarray(velocity, np.float32) ** 2).sum(axis=0))
    gate = np.where(speed < check_positive_float("min_speed", min_speed, allow_zero=True), 0.0, gate)
    return gate.astype(np.float32)
