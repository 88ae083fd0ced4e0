"""Latent advection between two images (Han, Lee & Gelb, arXiv 2310.09495), trained on patches.

The model has three U-Nets:

- an **encoder** ``E`` maps an image patch ``(B, 1, P, P)`` to latent fields ``(B, C, P, P)``;
- a **field extractor** ``F`` maps the pair ``(I_0, I_1)`` to a velocity ``(B, 2, P, P)``
  (pixels per unit time, bounded by ``max_speed`` through a tanh);
- a **decoder** ``D`` maps latent fields back to an image.

The in-between frame at ``t`` is ``D(A_t(E(I_0), v))`` where ``A_t`` is the advection
solver of :mod:`latentdyn.physics.advection`. The loss on a batch of patch pairs is

``L = |D(A_1(E(I_0), v)) - I_1|^2 + lambda_ae (|D(E(I_0)) - I_0|^2 + |D(E(I_1)) - I_1|^2)
+ lambda_magnitude mean|v|^2 + lambda_smooth mean|grad v|^2``

(means over pixels; ``grad`` by forward differences, in pixels). Choices the paper's
summary leaves open and we fix here (each is an argument): the encoder and decoder are
*residual* — latent channel 0 is the image plus a learned correction, the decoder adds a
learned correction to channel 0 — and their last layers start at zero, so training starts
from plain advection of the image and the networks learn what advection alone cannot
explain; ``image_space=True`` removes encoder and decoder (the "direct PDE" baseline,
trained with the same field extractor and loss).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn
import torch.nn.functional as F

from latentdyn.models.patches import (
    extract_patches,
    patch_positions,
    recombine_patches,
)
from latentdyn.models.unet import UNet
from latentdyn.physics.advection import SCHEMES, advect
from latentdyn.runtime import progress
from latentdyn.validation import (
    check_choice,
    check_in_range,
    check_positive_float,
    check_positive_int,
    check_tensor,
)


def multiscale_mse(prediction: torch.Tensor, target: torch.Tensor, levels: int) -> torch.Tensor:
    """Mean over ``levels`` pyramid levels (2x2 average pooling) of the mean squared error."""
    total = torch.mean((prediction - target) ** 2)
    for _ in range(levels - 1):
        if min(prediction.shape[-2:]) < 2:
            break
        prediction, target = F.avg_pool2d(prediction, 2), F.avg_pool2d(target, 2)
        total = total + torch.mean((prediction - target) ** 2)
    return total / levels


class LatentAdvectionModel(nn.Module):
    """Encoder, field extractor and decoder around the advection solver.

    Args:
        latent_channels: number of latent fields ``C`` (ignored with ``image_space``).
        base_channels: channels of each U-Net's first level.
        depth: down-sampling levels of each U-Net (patch side divisible by ``2**depth``).
        max_speed: bound on each velocity component, pixels per unit time.
        scheme: advection scheme (``"semi_lagrangian"`` or ``"upwind"``).
        courant: largest displacement per advection sub-step (pixels).
        image_space: no encoder/decoder: advect the image itself.
        loss_scales: levels of the image pyramid (2x2 average pooling) over which the
            dynamics term is averaged; more levels widen the basin of attraction of large
            displacements on speckled images.
        field_downsample: the field extractor sees the pair average-pooled by this factor
            and its output is up-sampled bilinearly (a smooth velocity, and a receptive
            field that covers the patch); the patch side must be divisible by
            ``field_downsample * 2**depth``.
        field_coordinates: the field extractor also sees each pixel's position in the whole
            image (two channels in [-1, 1]), so that it can represent position-dependent
            motion such as a rotation (the network is trained on one pair, so the position
            is a legitimate input).
        field_channels: first-level channels of the field extractor (default
            ``base_channels``); it runs on the down-sampled pair, so it is cheap to widen.
    """

    def __init__(self, latent_channels: int = 4, *, base_channels: int = 16, depth: int = 2,
                 max_speed: float = 16.0, scheme: str = "semi_lagrangian", courant: float = 1.0,
                 image_space: bool = False, loss_scales: int = 3, field_downsample: int = 4,
                 field_coordinates: bool = True, field_channels: int | None = None) -> None:
        super().__init__()
        field_channels = base_channels if field_channels is None else field_channels
        self.field_coordinates = bool(field_coordinates)
        self.field_downsample = check_positive_int("field_downsample", field_downsample)
        self.loss_scales = check_positive_int("loss_scales", loss_scales)
        self.image_space = bool(image_space)
        self.latent_channels = 1 if self.image_space else check_positive_int("latent_channels",
                                                                            latent_channels)
        self.max_speed = check_positive_float("max_speed", max_speed)
        self.scheme = check_choice("scheme", scheme, SCHEMES)
        self.courant = check_positive_float("courant", courant)
        self.field = UNet(4 if self.field_coordinates else 2, 2, base_channels=field_channels,
                          depth=depth)
        if not self.image_space:
            self.encoder = UNet(1, self.latent_channels, base_channels=base_channels, depth=depth,
                                zero_output=True)
            self.decoder = UNet(self.latent_channels, 1, base_channels=base_channels, depth=depth,
                                zero_output=True)

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, 1, P, P)`` images -> ``(B, C, P, P)`` latent fields."""
        if self.image_space:
            return images
        correction = self.encoder(images)
        padded = torch.cat((images, torch.zeros_like(correction[:, 1:])), dim=1)
        return padded + correction

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        """``(B, C, P, P)`` latent fields -> ``(B, 1, P, P)`` images."""
        if self.image_space:
            return latents
        return latents[:, :1] + self.decoder(latents)

    def velocity(self, image0: torch.Tensor, image1: torch.Tensor,
                 coordinates: torch.Tensor | None = None) -> torch.Tensor:
        """``(B, 2, P, P)`` velocity in pixels per unit time from the pair ``(B, 1, P, P)`` each
        and, with ``field_coordinates``, the pixels' positions ``(B, 2, P, P)`` in [-1, 1]."""
        pair = torch.cat((image0, image1), dim=1)
        if self.field_coordinates:
            if coordinates is None:
                raise ValueError("coordinates must be given when field_coordinates=True")
            pair = torch.cat((pair, coordinates.to(pair)), dim=1)
        if self.field_downsample > 1:
            pair = F.avg_pool2d(pair, self.field_downsample)
        raw = self.field(pair)
        if self.field_downsample > 1:
            raw = F.interpolate(raw, size=image0.shape[-2:], mode="bilinear", align_corners=False)
        return self.max_speed * torch.tanh(raw)

    def evolve(self, latents: torch.Tensor, velocity: torch.Tensor, time: float) -> torch.Tensor:
        """Latent fields advected for ``time`` (unit = the interval between the two images)."""
        return advect(latents, velocity, time, scheme=self.scheme, courant=self.courant)

    def loss(self, image0: torch.Tensor, image1: torch.Tensor, coordinates: torch.Tensor | None = None,
             *, lambda_ae: float, lambda_magnitude: float,
             lambda_smooth: float) -> tuple[torch.Tensor, dict[str, float]]:
        """The training loss on patch pairs ``(B, 1, P, P)`` (and their positions ``(B, 2, P, P)``);
        returns (total, parts as floats)."""
        velocity = self.velocity(image0, image1, coordinates)
        latent0 = self.encode(image0)
        predicted = self.decode(self.evolve(latent0, velocity, 1.0))
        dynamics = multiscale_mse(predicted, image1, self.loss_scales)
        if self.image_space:
            autoencoding = torch.zeros((), dtype=image0.dtype)
        else:
            autoencoding = (torch.mean((self.decode(latent0) - image0) ** 2)
                            + torch.mean((self.decode(self.encode(image1)) - image1) ** 2))
        magnitude = torch.mean(velocity**2)
        smooth = (torch.mean(torch.diff(velocity, dim=-1) ** 2)
                  + torch.mean(torch.diff(velocity, dim=-2) ** 2))
        total = (dynamics + lambda_ae * autoencoding + lambda_magnitude * magnitude
                 + lambda_smooth * smooth)
        parts = {name: float(value.detach()) for name, value in (
            ("total", total), ("dynamics", dynamics), ("autoencoding", autoencoding),
            ("magnitude", magnitude), ("smoothness", smooth))}
        return total, parts


def image_coordinates(height: int, width: int, like: torch.Tensor) -> torch.Tensor:
    """``(2, height, width)`` pixel positions (x then y) scaled to [-1, 1]."""
    cols = torch.linspace(-1.0, 1.0, width, dtype=like.dtype, device=like.device)
    rows = torch.linspace(-1.0, 1.0, height, dtype=like.dtype, device=like.device)
    grid_y, grid_x = torch.meshgrid(rows, cols, indexing="ij")
    return torch.stack((grid_x, grid_y))


@dataclass
class TrainingSettings:
    """Training knobs (see :func:`train_pair`).

    ``learning_rate`` is Adam's initial step (the paper's alpha); ``lr_decay`` is the
    factor by which it has decayed, exponentially, at the last iteration (gamma).
    """

    patch_size: int = 64
    patch_stride: int = 32
    iterations: int = 300
    batch_size: int = 8
    learning_rate: float = 2e-3
    lr_decay: float = 0.1
    lambda_ae: float = 1.0
    lambda_magnitude: float = 1e-5
    lambda_smooth: float = 1e-3

    def validated(self) -> TrainingSettings:
        check_positive_int("patch_size", self.patch_size)
        check_positive_int("patch_stride", self.patch_stride)
        check_positive_int("iterations", self.iterations, allow_zero=True)
        check_positive_int("batch_size", self.batch_size)
        check_positive_float("learning_rate", self.learning_rate)
        check_in_range("lr_decay", self.lr_decay, 1e-6, 1.0)
        for name in ("lambda_ae", "lambda_magnitude", "lambda_smooth"):
            check_positive_float(name, getattr(self, name), allow_zero=True)
        return self


def _as_image_tensor(name: str, image, device: torch.device) -> torch.Tensor:
    tensor = torch.as_tensor(np.asarray(image, dtype=np.float32))
    check_tensor(name, tensor, ndim=2)
    return tensor.to(device)


def train_pair(model: LatentAdvectionModel, image0, image1, settings: TrainingSettings, *,
               seed: int = 0, device: torch.device | str = "cpu",
               show_progress: bool = True) -> pd.DataFrame:
    """Train ``model`` on the overlapping patches of one image pair.

    Args:
        model: the model (trained in place).
        image0, image1: ``(H, W)`` arrays or tensors in [0, 1].
        settings: :class:`TrainingSettings`.
        seed: seeds the order in which patches are drawn.
        device: where to train.

    Returns:
        the loss history, one row per iteration (columns of :meth:`LatentAdvectionModel.loss`).
    """
    settings.validated()
    device = torch.device(device)
    first = _as_image_tensor("image0", image0, device)
    second = _as_image_tensor("image1", image1, device)
    if first.shape != second.shape:
        raise ValueError(f"image1 must have the shape of image0 {tuple(first.shape)}, got {tuple(second.shape)}")
    pairs = extract_patches(torch.cat((torch.stack((first, second)), image_coordinates(*first.shape, first))),
                            settings.patch_size, settings.patch_stride)
    model.to(device).train()
    if settings.iterations == 0:
        return pd.DataFrame(columns=["iteration", "total", "dynamics", "autoencoding", "magnitude",
                                     "smoothness", "learning_rate"])
    optimiser = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    gamma = settings.lr_decay ** (1.0 / max(settings.iterations - 1, 1))
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimiser, gamma)
    generator = torch.Generator().manual_seed(seed)
    batch = min(settings.batch_size, pairs.shape[0])
    rows = []
    order = torch.randperm(pairs.shape[0], generator=generator)
    cursor = 0
    for iteration in progress(range(settings.iterations), "training", total=settings.iterations,
                              enabled=show_progress):
        if cursor + batch > len(order):
            order, cursor = torch.randperm(pairs.shape[0], generator=generator), 0
        chosen = pairs[order[cursor:cursor + batch]]
        cursor += batch
        optimiser.zero_grad(set_to_none=True)
        total, parts = model.loss(chosen[:, :1], chosen[:, 1:2], chosen[:, 2:], lambda_ae=settings.lambda_ae,
                                  lambda_magnitude=settings.lambda_magnitude,
                                  lambda_smooth=settings.lambda_smooth)
        total.backward()
        optimiser.step()
        rows.append({"iteration": iteration, **parts, "learning_rate": scheduler.get_last_lr()[0]})
        scheduler.step()
    model.eval()
    return pd.DataFrame(rows)


@torch.no_grad()
def interpolate_pair(model: LatentAdvectionModel, image0, image1, times, *, patch_size: int,
                     patch_stride: int, device: torch.device | str = "cpu",
                     latent_times=(), batch_size: int = 16) -> dict[str, np.ndarray]:
    """In-between frames of a whole image, patch by patch, recombined by weighted averaging.

    Args:
        model: a trained :class:`LatentAdvectionModel`.
        image0, image1: ``(H, W)`` in [0, 1].
        times: fractions ``t`` in [0, 1] of the interval.
        patch_size, patch_stride: the patches (as in training; any stride <= size works).
        latent_times: times at which the latent fields are also returned.
        batch_size: patches per forward pass.

    Returns:
        ``frames`` ``(T, H, W)``, ``velocity`` ``(2, H, W)`` (pixels per unit time, x then y),
        ``latents`` ``(len(latent_times), C, H, W)`` and ``reconstruction`` ``(2, H, W)``
        (decoded encodings of both images), all float32.
    """
    device = torch.device(device)
    first = _as_image_tensor("image0", image0, device)
    second = _as_image_tensor("image1", image1, device)
    times = [check_in_range("times", t, 0.0, 1.0) for t in times]
    latent_times = [check_in_range("latent_times", t, 0.0, 1.0) for t in latent_times]
    height, width = first.shape
    model.to(device).eval()
    pairs = extract_patches(torch.cat((torch.stack((first, second)), image_coordinates(height, width, first))),
                            patch_size, patch_stride)
    frames, velocities, latents, reconstructions = [], [], [], []
    for start in range(0, pairs.shape[0], batch_size):
        chunk = pairs[start:start + batch_size]
        image_a, image_b = chunk[:, :1], chunk[:, 1:2]
        velocity = model.velocity(image_a, image_b, chunk[:, 2:])
        latent = model.encode(image_a)
        frames.append(torch.stack([model.decode(model.evolve(latent, velocity, t))[:, 0]
                                   for t in times], dim=1))
        velocities.append(velocity)
        if latent_times:
            latents.append(torch.stack([model.evolve(latent, velocity, t) for t in latent_times], dim=1))
        reconstructions.append(torch.cat((model.decode(latent), model.decode(model.encode(image_b))), dim=1))

    def combine(pieces: list[torch.Tensor]) -> np.ndarray:
        stacked = torch.cat(pieces)
        shape = stacked.shape[1:-2]
        flat = stacked.reshape(stacked.shape[0], -1, patch_size, patch_size)
        whole = recombine_patches(flat, height, width, patch_stride)
        return whole.reshape(*shape, height, width).cpu().numpy().astype(np.float32)

    result = {"frames": combine(frames), "velocity": combine(velocities),
              "reconstruction": combine(reconstructions)}
    result["latents"] = combine(latents) if latent_times else np.zeros((0, model.latent_channels, height, width), np.float32)
    result["num_patches"] = np.array(len(patch_positions(height, width, patch_size, patch_stride)))
    return result


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def suggested_max_speed(image_side: int, fraction: float = 0.15) -> float:
    """A velocity bound proportional to the patch or image side (pixels per unit time)."""
    return float(math.ceil(fraction * image_side))
