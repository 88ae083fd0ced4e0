"""Diffusion ``du/dt = kappa * Laplacian(u)`` of (latent) fields, and advection–diffusion.

Explicit finite differences (five-point Laplacian, grid spacing one pixel) with
*zero-flux* boundaries (replicate padding), so the total of each channel is conserved.
The number of sub-steps follows the stability limit of the explicit scheme in two
dimensions, ``kappa * dt <= 1/4``: it is the smallest ``n`` with ``kappa * time / n <=``
:data:`STABLE_FRACTION`. The diffusivity may differ per channel and may require gradients
(a learned diffusivity); the sub-step count is computed from its detached value.

Advection–diffusion ``du/dt + v . grad u = kappa * Laplacian(u)`` is solved by splitting:
advection for the whole time (:func:`latentdyn.inbetween.physics.advection.advect`), then diffusion.
For a constant velocity the two operators commute and the splitting is exact; a Gaussian
then spreads as the heat kernel predicts, variance ``sigma^2 + 2 kappa t`` (the unit test).

Units: ``kappa`` in pixels squared per unit time.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from latentdyn.inbetween.physics.advection import advect
from latentdyn.validation import check_tensor

STABLE_FRACTION = 0.2  # kappa * dt per sub-step (the explicit scheme is stable up to 0.25)


def _as_diffusivity(diffusivity, channels: int, like: torch.Tensor) -> torch.Tensor:
    kappa = torch.as_tensor(diffusivity, dtype=like.dtype, device=like.device)
    if kappa.ndim == 0:
        kappa = kappa.expand(channels)
    if kappa.shape != (channels,):
        raise ValueError(
            f"diffusivity must be a number or have one value per channel ({channels}), got shape {tuple(kappa.shape)}"
        )
    if bool((kappa.detach() < 0).any()) or not bool(torch.isfinite(kappa.detach()).all()):
        raise ValueError("diffusivity must be finite and non-negative")
    return kappa.view(1, channels, 1, 1)


def laplacian(field: torch.Tensor) -> torch.Tensor:
    """Five-point Laplacian of ``(B, C, H, W)`` with zero-flux (replicate) boundaries."""
    padded = F.pad(field, (1, 1, 1, 1), mode="replicate")
    return padded[..., 1:-1, 2:] + padded[..., 1:-1, :-2] + padded[..., 2:, 1:-1] + padded[..., :-2, 1:-1] - 4.0 * field


def diffuse(field: torch.Tensor, diffusivity, time: float = 1.0) -> torch.Tensor:
    """``field`` ``(B, C, H, W)`` after diffusing for ``time`` (``diffusivity``: number or ``(C,)``).

    Negative times are not allowed (backward diffusion is ill-posed).
    """
    check_tensor("field", field, ndim=4)
    time = float(time)
    if time < 0:
        raise ValueError(f"time must be non-negative for diffusion, got {time}")
    kappa = _as_diffusivity(diffusivity, field.shape[1], field)
    largest = float(kappa.detach().max()) if kappa.numel() else 0.0
    if time == 0.0 or largest == 0.0:
        return field
    substeps = max(1, math.ceil(largest * time / STABLE_FRACTION - 1e-9))
    step = time / substeps
    for _ in range(substeps):
        field = field + step * kappa * laplacian(field)
    return field


def advect_diffuse(
    field: torch.Tensor,
    velocity: torch.Tensor,
    time: float,
    diffusivity,
    *,
    scheme: str = "characteristics",
    courant: float = 1.0,
) -> torch.Tensor:
    """Advection for ``|time|`` along ``velocity`` (backwards if ``time < 0``), then diffusion
    for ``|time|``: diffusion smooths in either direction of time (the latent state at an
    earlier time is modelled as smoother too, which keeps the backward problem well posed)."""
    moved = advect(field, velocity, time, scheme=scheme, courant=courant)
    return diffuse(moved, diffusivity, abs(float(time)))
