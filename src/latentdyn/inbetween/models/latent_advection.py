"""Latent PDE dynamics between two images (Han, Lee & Gelb, arXiv 2310.09495), trained on patches.

The model has three U-Nets:

- an **encoder** ``E`` maps an image patch ``(B, 1, P, P)`` to latent fields ``(B, C, P, P)``;
- a **field extractor** ``F`` maps the pair ``(I_0, I_1)`` to a velocity ``(B, 2, P, P)``
  (pixels per unit time): ``v = v_prior + max_speed * tanh(F(...))``, where ``v_prior`` is
  an optional velocity of the whole image estimated beforehand (TV-L1 optical flow, or a
  coarser level of a coarse-to-fine estimate; see :mod:`latentdyn.inbetween.models.velocity_prior`)
  and ``max_speed`` bounds what the network adds;
- a **decoder** ``D`` maps latent fields back to an image.

The in-between frame at ``t`` is ``D(A_t(E(I_0), v))`` where ``A_t`` evolves the latent
fields by a PDE of :mod:`latentdyn.inbetween.physics` (advection by default, the paper's choice;
advection–diffusion or the continuity equation as options). With ``two_sided=True`` the
latent state at ``t`` blends both observations carried towards ``t``,
``(1 - t) A_t(E(I_0)) + t A_{t-1}(E(I_1))`` (a choice beyond the paper). With
``blend="visibility"`` the two weights change per pixel (:func:`visibility_weights`): each
observation carried to the other's time is compared with it (``miss_0 = |D(A_1 E(I_0)) - I_1|``
at ``t = 1``, ``miss_1 = |D(A_{-1} E(I_1)) - I_0|`` at ``t = 0``), both maps are carried to ``t``,
and where one observation explains the other clearly worse (by more than ``blend_margin``) its
weight falls off with the excess over ``blend_sharpness``. A crack that opens between moving
floes is then drawn from the observation that shows it instead of at half depth (the visibility
masks of occlusion-aware frame interpolation); where both agree within the margin the blend is
the linear one. The blend acts at inference only; training is unchanged. With
``source="minimal"`` the latent PDE is advection–reaction (:mod:`latentdyn.inbetween.physics.reaction`):
``dz/dt + v . grad z = s`` with the smallest source that joins ``E(I_0)`` to ``E(I_1)``,
``s = A_{-1}(E(I_1)) - E(I_0)``, so the state at ``t`` is ``A_t(E(I_0) + t s)``: what transport
explains moves, the rest changes in place. Its dynamics term then covers only the given
frames between the pair (the pair itself is joined by construction) and the loss adds
``lambda_source`` times the L1 norm of the change transport leaves unexplained, in image
space, ``(|D(A_1 E(I_0)) - I_1| + |D(A_{-1} E(I_1)) - I_0|) / 2`` (a robust price on change in
place, as in TV-L1, so motion is used where it explains the change).
:func:`train_frames` and :func:`interpolate_pair` with a ``gate`` ``(H, W)`` in [0, 1] (see
:func:`latentdyn.inbetween.models.velocity_prior.motion_gate`) multiply the whole velocity, prior and
learned part, by the gate: where it is 0 nothing moves and the two-sided or minimal-source
state is the linear cross-fade of the encodings (motion-compensated blending that decides per
region between moving and fading, as occlusion-aware frame interpolation does; beyond the
paper).

The loss on a batch of patches of the given frames ``I_0 ... I_K`` at times ``t_k``
(``t_0 = 0``, ``t_K = 1``; two frames in the paper's setting) is

``L = mean_k |D(A_{t_k}(E(I_0), v)) - I_k|^2 + lambda_ae mean_k |D(E(I_k)) - I_k|^2
+ lambda_magnitude mean|v|^2 + lambda_smooth mean|grad v|^2``

(means over pixels; the dynamics term averaged over an image pyramid; ``grad`` by forward
differences in pixels; with ``two_sided`` the dynamics term also carries ``E(I_K)``
backwards to every earlier frame). The magnitude and smoothness terms apply to the learned
part of the velocity (``v - v_prior``). Choices the paper's summary leaves open and we fix
here (each is an argument): the encoder and decoder are *residual* — latent channel 0 is the
image plus a learned correction, the decoder adds a learned correction to channel 0 — and
their last layers start at zero, so training starts from plain evolution of the image and
the networks learn what the PDE alone cannot explain; ``image_space=True`` removes encoder
and decoder (the "direct PDE" baseline, trained with the same field extractor and loss).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from latentdyn.inbetween.models.patches import extract_patches, patch_positions, recombine_patches
from latentdyn.inbetween.models.unet import UNet
from latentdyn.inbetween.physics import PDES, evolve
from latentdyn.inbetween.physics.advection import SCHEMES, advect, sample_at
from latentdyn.inbetween.physics.reaction import react_between
from latentdyn.runtime import progress
from latentdyn.validation import (
    check_choice,
    check_in_range,
    check_positive_float,
    check_positive_int,
    check_tensor,
)

# channels of a stacked patch: first image, second image, second image warped back by the
# prior, pixel position x and y in [-1, 1], prior velocity x and y, motion gate
_IMAGE0, _IMAGE1, _WARPED1, _POSITION, _PRIOR, _GATE = 0, 1, 2, slice(3, 5), slice(5, 7), slice(7, 8)
HISTORY_COLUMNS = ("total", "dynamics", "autoencoding", "magnitude", "smoothness", "source")
SOURCES = ("none", "minimal")
BLENDS = ("linear", "visibility")


def visibility_weights(
    miss0: torch.Tensor,
    miss1: torch.Tensor,
    time: float,
    *,
    sharpness: float = 0.01,
    margin: float = 0.02,
    window: int = 5,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-pixel weights ``(w_0, w_1)`` of the two observations carried to ``time``; they sum to 1.

    Args:
        miss0, miss1: ``(B, 1, H, W)`` how badly each observation explains the other, both at
            ``time`` (intensity units, >= 0; see :meth:`LatentAdvectionModel.misses`).
        time: in [0, 1].
        sharpness: intensity excess over which a weight falls by the factor e.
        margin: differences of the two misses up to this are ignored (transport noise).
        window: side of the box (pixels, odd) over which each miss is averaged first.

    Returns:
        ``w_0 = (1 - t) exp(-max(m_0 - m_1 - margin, 0) / sharpness)`` and
        ``w_1 = t exp(-max(m_1 - m_0 - margin, 0) / sharpness)``, normalised: the linear blend
        ``(1 - t, t)`` wherever the two misses differ by at most ``margin``.
    """
    time = check_in_range("time", time, 0.0, 1.0)
    sharpness = check_positive_float("sharpness", sharpness)
    margin = check_in_range("margin", margin, 0.0, float("inf"))
    window = check_positive_int("window", window)
    if window % 2 == 0:
        raise ValueError(f"window must be odd, got {window}")
    check_tensor("miss0", miss0, ndim=4)
    check_tensor("miss1", miss1, shape=tuple(miss0.shape))
    if window > 1:
        miss0, miss1 = (F.avg_pool2d(m, window, 1, window // 2, count_include_pad=False) for m in (miss0, miss1))
    prior = torch.tensor([1.0 - time, time], dtype=miss0.dtype, device=miss0.device).log().view(2, 1, 1, 1, 1)
    logits = prior - torch.stack((torch.relu(miss0 - miss1 - margin), torch.relu(miss1 - miss0 - margin))) / sharpness
    weights = torch.softmax(logits, dim=0)
    return weights[0], weights[1]


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
    """Encoder, field extractor and decoder around a PDE solver.

    Args:
        latent_channels: number of latent fields ``C`` (ignored with ``image_space``).
        base_channels: channels of the first level of the encoder and decoder U-Nets.
        depth: down-sampling levels of each U-Net (patch side divisible by ``2**depth``).
        max_speed: bound on each component of the learned velocity (of the correction of
            the prior when there is one), pixels per unit time.
        scheme: advection scheme (see :data:`latentdyn.inbetween.physics.advection.SCHEMES`).
        courant: largest displacement per sub-step of the solver (pixels).
        image_space: no encoder/decoder: evolve the image itself.
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
        pde: the latent PDE, one of :data:`latentdyn.inbetween.physics.PDES`.
        diffusivity: initial diffusivity of every latent channel (advection–diffusion only;
            learned per channel, pixels squared per unit time).
        two_sided: blend both observations carried towards ``t`` (see the module).
        codec_bias: give the encoder and decoder bias terms. Without them (the default) they
            map zero to zero, so a region that is exactly black (the floe images'
            background) stays exactly black instead of taking a small learned offset, which
            the SSIM punishes heavily.
        zero_field_output: start the field extractor's output at zero (the velocity then
            starts at the prior); used when a prior is given.
        source: ``"none"`` (pure advection, the paper) or ``"minimal"`` (advection–reaction
            with the smallest source joining the two encodings; see the module).
        blend: how ``two_sided`` weights the two observations at ``t``: ``"linear"``
            (``1 - t`` and ``t`` everywhere) or ``"visibility"`` (:func:`visibility_weights`).
        blend_sharpness, blend_margin, blend_window: the visibility blend's settings
            (intensity units; pixels), see :func:`visibility_weights`.
    """

    def __init__(
        self,
        latent_channels: int = 4,
        *,
        base_channels: int = 16,
        depth: int = 2,
        max_speed: float = 16.0,
        scheme: str = "characteristics",
        courant: float = 1.0,
        image_space: bool = False,
        loss_scales: int = 3,
        field_downsample: int = 4,
        field_coordinates: bool = True,
        field_channels: int | None = None,
        pde: str = "advection",
        diffusivity: float = 0.1,
        two_sided: bool = False,
        codec_bias: bool = False,
        zero_field_output: bool = False,
        source: str = "none",
        blend: str = "linear",
        blend_sharpness: float = 0.01,
        blend_margin: float = 0.02,
        blend_window: int = 5,
    ) -> None:
        super().__init__()
        self.source = check_choice("source", source, SOURCES)
        self.blend = check_choice("blend", blend, BLENDS)
        self.blend_sharpness = check_positive_float("blend_sharpness", blend_sharpness)
        self.blend_margin = check_in_range("blend_margin", blend_margin, 0.0, float("inf"))
        self.blend_window = check_positive_int("blend_window", blend_window)
        if self.blend_window % 2 == 0:
            raise ValueError(f"blend_window must be odd, got {blend_window}")
        field_channels = base_channels if field_channels is None else field_channels
        self.field_coordinates = bool(field_coordinates)
        self.field_downsample = check_positive_int("field_downsample", field_downsample)
        self.loss_scales = check_positive_int("loss_scales", loss_scales)
        self.image_space = bool(image_space)
        self.latent_channels = 1 if self.image_space else check_positive_int("latent_channels", latent_channels)
        self.max_speed = check_positive_float("max_speed", max_speed)
        self.scheme = check_choice("scheme", scheme, SCHEMES)
        self.courant = check_positive_float("courant", courant)
        self.pde = check_choice("pde", pde, PDES)
        self.two_sided = bool(two_sided)
        self.field = UNet(
            4 if self.field_coordinates else 2,
            2,
            base_channels=field_channels,
            depth=depth,
            zero_output=zero_field_output,
        )
        if self.pde == "advection_diffusion":
            initial = check_positive_float("diffusivity", diffusivity)
            # softplus parameterisation: the diffusivity stays positive while it is learned
            self.raw_diffusivity = nn.Parameter(
                torch.full((self.latent_channels,), float(np.log(np.expm1(max(initial, 1e-6)))))
            )
        if not self.image_space:
            self.encoder = UNet(
                1, self.latent_channels, base_channels=base_channels, depth=depth, zero_output=True, bias=codec_bias
            )
            self.decoder = UNet(
                self.latent_channels, 1, base_channels=base_channels, depth=depth, zero_output=True, bias=codec_bias
            )

    @property
    def diffusivity(self) -> torch.Tensor:
        """``(C,)`` diffusivity of each latent channel (zeros unless ``pde="advection_diffusion"``)."""
        if self.pde != "advection_diffusion":
            return torch.zeros(self.latent_channels)
        return F.softplus(self.raw_diffusivity)

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

    def velocity(
        self,
        image0: torch.Tensor,
        image1: torch.Tensor,
        coordinates: torch.Tensor | None = None,
        prior: torch.Tensor | None = None,
        gate: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """``(B, 2, P, P)`` velocity in pixels per unit time.

        Args:
            image0, image1: ``(B, 1, P, P)``; with a prior, ``image1`` is the second image
                warped back by the prior (so that the network sees the residual motion).
            coordinates: ``(B, 2, P, P)`` pixel positions in [-1, 1] (with ``field_coordinates``).
            prior: ``(B, 2, P, P)`` velocity to correct, or None (zero).
            gate: ``(B, 1, P, P)`` weight in [0, 1] of the whole velocity, or None (one).
        """
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
        learned = self.max_speed * torch.tanh(raw)
        total = learned if prior is None else prior + learned
        return total if gate is None else gate * total

    def evolve(self, latents: torch.Tensor, velocity: torch.Tensor, time: float) -> torch.Tensor:
        """Latent fields carried by the PDE for ``time`` (unit = the interval between the
        first and the last image; negative = backwards)."""
        return evolve(
            latents,
            velocity,
            time,
            pde=self.pde,
            scheme=self.scheme,
            courant=self.courant,
            diffusivity=self.diffusivity.to(latents) if self.pde == "advection_diffusion" else 0.0,
        )

    def react(self, latent0: torch.Tensor, latent1: torch.Tensor, velocity: torch.Tensor, time: float) -> torch.Tensor:
        """Advection–reaction with the minimal source: ``A_t(z_0 + t (A_{-1} z_1 - z_0))``."""
        return react_between(latent0, latent1, velocity, time, scheme=self.scheme, courant=self.courant)

    @property
    def uses_visibility(self) -> bool:
        """Whether :meth:`state_at` weights the two observations by :func:`visibility_weights`."""
        return self.two_sided and self.source == "none" and self.blend == "visibility"

    def misses(
        self,
        latent0: torch.Tensor,
        latent1: torch.Tensor,
        image0: torch.Tensor,
        image1: torch.Tensor,
        velocity: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """How badly each observation, carried to the other's time, explains it: ``(B, 1, P, P)``
        ``|D(A_1 E(I_0)) - I_1|`` (at ``t = 1``) and ``|D(A_{-1} E(I_1)) - I_0|`` (at ``t = 0``)."""
        ends = self.decode(torch.cat((self.evolve(latent0, velocity, 1.0), self.evolve(latent1, velocity, -1.0))))
        count = len(latent0)
        return torch.abs(ends[:count] - image1), torch.abs(ends[count:] - image0)

    def state_at(
        self,
        latent0: torch.Tensor,
        latent1: torch.Tensor,
        velocity: torch.Tensor,
        time: float,
        misses: tuple[torch.Tensor, torch.Tensor] | None = None,
        blend: str | None = None,
    ) -> torch.Tensor:
        """The latent state at ``time`` in [0, 1]: ``latent0`` carried forward or, with
        ``two_sided``, blended with ``latent1`` carried backwards (linearly, or by visibility,
        which needs the ``misses`` of :meth:`misses`). ``blend`` overrides the model's."""
        if self.source == "minimal":
            return self.react(latent0, latent1, velocity, time)
        forward = self.evolve(latent0, velocity, time)
        if not self.two_sided or time == 0.0:
            return forward
        backward = self.evolve(latent1, velocity, time - 1.0)
        blend = self.blend if blend is None else check_choice("blend", blend, BLENDS)
        if blend == "linear" or time == 1.0:
            return (1.0 - time) * forward + time * backward
        if misses is None:
            raise ValueError("state_at: the visibility blend needs misses=(miss0, miss1) from misses()")
        # each miss map travels with the content it belongs to: miss0 from t = 1, miss1 from t = 0
        miss0 = advect(misses[0], velocity, time - 1.0, scheme="semi_lagrangian", courant=self.courant)
        miss1 = advect(misses[1], velocity, time, scheme="semi_lagrangian", courant=self.courant)
        weight0, weight1 = visibility_weights(
            miss0,
            miss1,
            time,
            sharpness=self.blend_sharpness,
            margin=self.blend_margin,
            window=self.blend_window,
        )
        return weight0 * forward + weight1 * backward

    def loss(
        self,
        frames: torch.Tensor,
        times: tuple[float, ...],
        patches: torch.Tensor,
        *,
        lambda_ae: float,
        lambda_magnitude: float,
        lambda_smooth: float,
        lambda_source: float = 0.0,
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """The training loss; returns (total, parts as floats).

        Args:
            frames: ``(B, K, P, P)`` patches of the ``K >= 2`` given frames.
            times: their ``K`` times, first 0 and last 1.
            patches: ``(B, 8, P, P)`` the stacked field-extractor inputs (see
                :func:`stack_inputs`).
        """
        prior = patches[:, _PRIOR]
        gate = patches[:, _GATE]
        velocity = self.velocity(
            patches[:, _IMAGE0 : _IMAGE0 + 1], patches[:, _WARPED1 : _WARPED1 + 1], patches[:, _POSITION], prior, gate
        )
        count = frames.shape[1]
        latents = self.encode(frames.reshape(-1, 1, *frames.shape[-2:])).unflatten(0, (-1, count))
        first, last = latents[:, 0], latents[:, -1]
        targets, evolved = [], []
        source = torch.zeros((), dtype=frames.dtype, device=frames.device)
        if self.source == "minimal":
            # the change that transport leaves unexplained, in image space and both directions,
            # priced by its L1 norm (robust: a sparse change in place is cheap, as in TV-L1)
            ends = self.decode(torch.cat((self.evolve(first, velocity, 1.0), self.evolve(last, velocity, -1.0))))
            source = 0.5 * (
                torch.mean(torch.abs(ends[: len(first)] - frames[:, -1:]))
                + torch.mean(torch.abs(ends[len(first) :] - frames[:, :1]))
            )
            for k in range(1, count - 1):  # the state at t = 1 is the last encoding by construction
                evolved.append(react_between(first, last, velocity, times[k], scheme=self.scheme, courant=self.courant))
                targets.append(frames[:, k : k + 1])
        else:
            for k in range(1, count):
                evolved.append(self.evolve(first, velocity, times[k]))
                targets.append(frames[:, k : k + 1])
        if self.two_sided and self.source == "none":
            for k in range(count - 1):
                evolved.append(self.evolve(last, velocity, times[k] - 1.0))
                targets.append(frames[:, k : k + 1])
        decoded = self.decode(torch.cat(evolved + [latents.flatten(0, 1)]))
        predicted, reconstructed = decoded[: len(evolved) * len(first)], decoded[len(evolved) * len(first) :]
        dynamics = (
            multiscale_mse(predicted, torch.cat(targets), self.loss_scales)
            if evolved
            else torch.zeros((), dtype=frames.dtype, device=frames.device)
        )
        if self.image_space:
            autoencoding = torch.zeros((), dtype=frames.dtype, device=frames.device)
        else:
            # twice the mean over the given frames: the sum of both images' errors for a pair
            autoencoding = 2.0 * torch.mean((reconstructed - frames.reshape(-1, 1, *frames.shape[-2:])) ** 2)
        learned = velocity - gate * prior
        magnitude = torch.mean(learned**2)
        smooth = torch.mean(torch.diff(learned, dim=-1) ** 2) + torch.mean(torch.diff(learned, dim=-2) ** 2)
        total = (
            dynamics
            + lambda_ae * autoencoding
            + lambda_magnitude * magnitude
            + lambda_smooth * smooth
            + lambda_source * source
        )
        parts = {
            name: float(value.detach())
            for name, value in zip(HISTORY_COLUMNS, (total, dynamics, autoencoding, magnitude, smooth, source))
        }
        return total, parts


def image_coordinates(height: int, width: int, like: torch.Tensor) -> torch.Tensor:
    """``(2, height, width)`` pixel positions (x then y) scaled to [-1, 1]."""
    cols = torch.linspace(-1.0, 1.0, width, dtype=like.dtype, device=like.device)
    rows = torch.linspace(-1.0, 1.0, height, dtype=like.dtype, device=like.device)
    grid_y, grid_x = torch.meshgrid(rows, cols, indexing="ij")
    return torch.stack((grid_x, grid_y))


def stack_inputs(
    image0: torch.Tensor, image1: torch.Tensor, prior: torch.Tensor | None, gate: torch.Tensor | None = None
) -> torch.Tensor:
    """``(8, H, W)``: the pair, the second image warped back by the prior (``I_1(x + v_prior(x))``),
    the pixel positions in [-1, 1], the prior (zeros if None) and the motion gate (ones if
    None), for patch extraction."""
    if prior is None:
        prior = image0.new_zeros(2, *image0.shape)
    check_tensor("prior", prior, shape=(2, *image0.shape))
    if gate is None:
        gate = image0.new_ones(*image0.shape)
    check_tensor("gate", gate, shape=tuple(image0.shape))
    grid = torch.stack(
        torch.meshgrid(
            torch.arange(image0.shape[0], dtype=image0.dtype, device=image0.device),
            torch.arange(image0.shape[1], dtype=image0.dtype, device=image0.device),
            indexing="ij",
        )[::-1]
    )
    warped = sample_at(image1[None, None], (grid + prior)[None])[0, 0]
    return torch.cat(
        (torch.stack((image0, image1, warped)), image_coordinates(*image0.shape, image0), prior, gate[None])
    )


@dataclass
class TrainingSettings:
    """Training knobs (see :func:`train_frames`).

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
    lambda_source: float = 0.0

    def validated(self) -> TrainingSettings:
        check_positive_int("patch_size", self.patch_size)
        check_positive_int("patch_stride", self.patch_stride)
        check_positive_int("iterations", self.iterations, allow_zero=True)
        check_positive_int("batch_size", self.batch_size)
        check_positive_float("learning_rate", self.learning_rate)
        check_in_range("lr_decay", self.lr_decay, 1e-6, 1.0)
        for name in ("lambda_ae", "lambda_magnitude", "lambda_smooth", "lambda_source"):
            check_positive_float(name, getattr(self, name), allow_zero=True)
        return self


def _as_image_tensor(name: str, image, device: torch.device) -> torch.Tensor:
    tensor = torch.as_tensor(np.asarray(image, dtype=np.float32))
    check_tensor(name, tensor, ndim=2)
    return tensor.to(device)


def _frames_and_times(frames, times) -> tuple[np.ndarray, tuple[float, ...]]:
    stack = np.asarray(frames, dtype=np.float32)
    if stack.ndim != 3 or stack.shape[0] < 2:
        raise ValueError(f"frames must be (K, H, W) with K >= 2, got shape {stack.shape}")
    if times is None:
        times = np.linspace(0.0, 1.0, stack.shape[0])
    times = tuple(float(t) for t in times)
    if (
        len(times) != stack.shape[0]
        or times[0] != 0.0
        or times[-1] != 1.0
        or any(b <= a for a, b in zip(times, times[1:]))
    ):
        raise ValueError(f"times must increase from 0 to 1, one per frame, got {times}")
    return stack, times


def train_frames(
    model: LatentAdvectionModel,
    frames,
    settings: TrainingSettings,
    *,
    times=None,
    prior=None,
    seed: int = 0,
    device: torch.device | str = "cpu",
    show_progress: bool = True,
    gate=None,
) -> pd.DataFrame:
    """Train ``model`` on the overlapping patches of given frames (a pair, or more).

    Args:
        model: the model (trained in place).
        frames: ``(K, H, W)`` in [0, 1], ``K >= 2`` (the first and last are the pair the
            velocity is extracted from).
        settings: :class:`TrainingSettings`.
        times: ``K`` increasing times from 0 to 1 (default: equally spaced).
        prior: ``(2, H, W)`` prior velocity of the whole image (pixels per unit time), or None.
        seed: seeds the order in which patches are drawn.
        device: where to train.
        gate: ``(H, W)`` weight in [0, 1] of the whole velocity (see the module), or None.

    Returns:
        the loss history, one row per iteration (``iteration``, :data:`HISTORY_COLUMNS`,
        ``learning_rate``).
    """
    settings.validated()
    device = torch.device(device)
    stack, times = _frames_and_times(frames, times)
    given = torch.as_tensor(stack, device=device)
    prior_tensor = None if prior is None else torch.as_tensor(np.asarray(prior, np.float32), device=device)
    gate_tensor = None if gate is None else torch.as_tensor(np.asarray(gate, np.float32), device=device)
    inputs = stack_inputs(given[0], given[-1], prior_tensor, gate_tensor)
    patches = extract_patches(torch.cat((given, inputs)), settings.patch_size, settings.patch_stride)
    # channels-last tensors: the small convolutions of the U-Nets run about 1.7x faster on a CPU
    patches = patches.contiguous(memory_format=torch.channels_last)
    model.to(device, memory_format=torch.channels_last).train()
    if settings.iterations == 0:
        return pd.DataFrame(columns=["iteration", *HISTORY_COLUMNS, "learning_rate"])
    optimiser = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    gamma = settings.lr_decay ** (1.0 / max(settings.iterations - 1, 1))
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimiser, gamma)
    generator = torch.Generator().manual_seed(seed)
    batch = min(settings.batch_size, patches.shape[0])
    count = len(times)
    rows = []
    order = torch.randperm(patches.shape[0], generator=generator)
    cursor = 0
    for iteration in progress(range(settings.iterations), "training", total=settings.iterations, enabled=show_progress):
        if cursor + batch > len(order):
            order, cursor = torch.randperm(patches.shape[0], generator=generator), 0
        chosen = patches[order[cursor : cursor + batch]]
        cursor += batch
        optimiser.zero_grad(set_to_none=True)
        total, parts = model.loss(
            chosen[:, :count],
            times,
            chosen[:, count:],
            lambda_ae=settings.lambda_ae,
            lambda_magnitude=settings.lambda_magnitude,
            lambda_smooth=settings.lambda_smooth,
            lambda_source=settings.lambda_source,
        )
        total.backward()
        optimiser.step()
        rows.append({"iteration": iteration, **parts, "learning_rate": scheduler.get_last_lr()[0]})
        scheduler.step()
    model.eval()
    return pd.DataFrame(rows)


def train_pair(
    model: LatentAdvectionModel,
    image0,
    image1,
    settings: TrainingSettings,
    *,
    prior=None,
    seed: int = 0,
    device: torch.device | str = "cpu",
    show_progress: bool = True,
) -> pd.DataFrame:
    """:func:`train_frames` on the two images ``(H, W)`` of a pair."""
    first = _as_image_tensor("image0", image0, torch.device("cpu"))
    second = _as_image_tensor("image1", image1, torch.device("cpu"))
    if first.shape != second.shape:
        raise ValueError(f"image1 must have the shape of image0 {tuple(first.shape)}, got {tuple(second.shape)}")
    return train_frames(
        model,
        torch.stack((first, second)).numpy(),
        settings,
        prior=prior,
        seed=seed,
        device=device,
        show_progress=show_progress,
    )


def _decoded_frames(
    model: LatentAdvectionModel,
    latent0: torch.Tensor,
    latent1: torch.Tensor,
    velocity: torch.Tensor,
    times: list[float],
    misses: tuple[torch.Tensor, torch.Tensor] | None,
    blend: str | None,
) -> torch.Tensor:
    """``(B, T, P, P)`` decoded states at ``times`` (see :meth:`LatentAdvectionModel.state_at`)."""
    states = [model.state_at(latent0, latent1, velocity, t, misses, blend) for t in times]
    return torch.stack([model.decode(state)[:, 0] for state in states], dim=1)


@torch.no_grad()
def interpolate_pair(
    model: LatentAdvectionModel,
    image0,
    image1,
    times,
    *,
    patch_size: int,
    patch_stride: int,
    prior=None,
    device: torch.device | str = "cpu",
    latent_times=(),
    batch_size: int = 16,
    gate=None,
    linear_blend_too: bool = False,
) -> dict[str, np.ndarray]:
    """In-between frames of a whole image, patch by patch, recombined by weighted averaging.

    Args:
        model: a trained :class:`LatentAdvectionModel`.
        image0, image1: ``(H, W)`` in [0, 1].
        times: fractions ``t`` in [0, 1] of the interval.
        patch_size, patch_stride: the patches (as in training; any stride <= size works).
        prior: the prior velocity ``(2, H, W)`` the model was trained with, or None.
        latent_times: times at which the latent fields are also returned.
        batch_size: patches per forward pass.
        gate: ``(H, W)`` weight in [0, 1] of the whole velocity (as in training), or None.
        linear_blend_too: with a visibility blend, also return the frames of the same model
            blended linearly (``frames_linear_blend``; the blend's measured effect).

    Returns:
        ``frames`` ``(T, H, W)``, ``velocity`` ``(2, H, W)`` (pixels per unit time, x then y),
        ``latents`` ``(len(latent_times), C, H, W)`` and ``reconstruction`` ``(2, H, W)``
        (decoded encodings of both images), all float32; ``frames_linear_blend`` ``(T, H, W)``
        when asked for and the model blends by visibility.
    """
    device = torch.device(device)
    first = _as_image_tensor("image0", image0, device)
    second = _as_image_tensor("image1", image1, device)
    times = [check_in_range("times", t, 0.0, 1.0) for t in times]
    latent_times = [check_in_range("latent_times", t, 0.0, 1.0) for t in latent_times]
    height, width = first.shape
    model.to(device).eval()
    prior_tensor = None if prior is None else torch.as_tensor(np.asarray(prior, np.float32), device=device)
    gate_tensor = None if gate is None else torch.as_tensor(np.asarray(gate, np.float32), device=device)
    inputs = stack_inputs(first, second, prior_tensor, gate_tensor)
    patches = extract_patches(inputs, patch_size, patch_stride)
    frames, velocities, latents, reconstructions, linear_frames = [], [], [], [], []
    for start in range(0, patches.shape[0], batch_size):
        chunk = patches[start : start + batch_size]
        image_a, image_b = chunk[:, _IMAGE0 : _IMAGE0 + 1], chunk[:, _IMAGE1 : _IMAGE1 + 1]
        velocity = model.velocity(
            image_a, chunk[:, _WARPED1 : _WARPED1 + 1], chunk[:, _POSITION], chunk[:, _PRIOR], chunk[:, _GATE]
        )
        latent_a, latent_b = model.encode(image_a), model.encode(image_b)
        misses = model.misses(latent_a, latent_b, image_a, image_b, velocity) if model.uses_visibility else None

        if times:
            frames.append(_decoded_frames(model, latent_a, latent_b, velocity, times, misses, None))
            if linear_blend_too and model.uses_visibility:
                linear_frames.append(_decoded_frames(model, latent_a, latent_b, velocity, times, misses, "linear"))
        velocities.append(velocity)
        if latent_times:
            latents.append(
                torch.stack([model.state_at(latent_a, latent_b, velocity, t, misses) for t in latent_times], dim=1)
            )
        reconstructions.append(torch.cat((model.decode(latent_a), model.decode(latent_b)), dim=1))

    def combine(pieces: list[torch.Tensor]) -> np.ndarray:
        stacked = torch.cat(pieces)
        shape = stacked.shape[1:-2]
        flat = stacked.reshape(stacked.shape[0], -1, patch_size, patch_size)
        whole = recombine_patches(flat, height, width, patch_stride)
        return whole.reshape(*shape, height, width).cpu().numpy().astype(np.float32)

    result = {
        "frames": combine(frames) if times else np.zeros((0, height, width), np.float32),
        "velocity": combine(velocities),
        "reconstruction": combine(reconstructions),
    }
    result["latents"] = (
        combine(latents) if latent_times else np.zeros((0, model.latent_channels, height, width), np.float32)
    )
    if linear_frames:
        result["frames_linear_blend"] = combine(linear_frames)
    result["num_patches"] = np.array(len(patch_positions(height, width, patch_size, patch_stride)))
    return result


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
