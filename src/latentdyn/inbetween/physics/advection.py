"""A differentiable solver of the advection equation for (latent) fields.

Solves ``du/dt + v . grad u = 0`` for a stationary velocity ``v(x)`` on the pixel grid,
channel by channel, from time 0 to ``time``:

- ``"semi_lagrangian"`` (default): every sub-step traces each pixel back along ``v`` to its
  departure point (explicit midpoint rule, second order in time) and samples the field
  there with bilinear interpolation (``torch.nn.functional.grid_sample``).
- ``"characteristics"``: the characteristic through each pixel is traced back with the
  same midpoint sub-steps, sampling only the (smooth) velocity on the way, and the field is
  sampled once at the departure point: one interpolation of the field whatever the number
  of sub-steps, so the solution is not diffused by repeated interpolation.
- ``"upwind"``: first-order donor-cell finite differences.

The number of sub-steps follows the CFL condition automatically: it is the smallest
``n`` with ``max|v| * time / n <= courant`` (``max|v|`` over both components for the
semi-Lagrangian scheme, ``max(|v_x| + |v_y|)`` for upwind, which is stable for
``courant <= 1``). It is computed from the detached velocity, so gradients flow through the
sub-steps but not through their count.

Boundaries: *zero-gradient inflow*. Values outside the grid are those of the nearest
boundary pixel (``padding_mode="border"`` / replicate padding), so what flows in through an
edge is a copy of the edge.

Shapes and units: ``field`` is ``(B, C, H, W)``; ``velocity`` is ``(B, 2, H, W)`` (or
``(2, H, W)``, broadcast over the batch) in pixels per unit time, component 0 along columns
(x, rightwards), component 1 along rows (y, downwards).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from latentdyn.validation import check_choice, check_positive_float, check_tensor

SCHEMES = ("semi_lagrangian", "characteristics", "upwind")


def check_field_and_velocity(field: torch.Tensor, velocity: torch.Tensor) -> torch.Tensor:
    """Check a ``(B, C, H, W)`` field and its ``(B or 1, 2, H, W)`` (or ``(2, H, W)``) velocity;
    return the velocity with a batch axis."""
    check_tensor("field", field, ndim=4)
    check_tensor("velocity", velocity, ndim=(3, 4))
    if velocity.ndim == 3:
        velocity = velocity[None]
    if velocity.shape[1] != 2 or velocity.shape[-2:] != field.shape[-2:]:
        raise ValueError(
            f"velocity must have shape (B, 2, {field.shape[-2]}, {field.shape[-1]}), got {tuple(velocity.shape)}"
        )
    if velocity.shape[0] not in (1, field.shape[0]):
        raise ValueError(f"velocity's batch ({velocity.shape[0]}) must be 1 or field's ({field.shape[0]})")
    return velocity


def cfl_substeps(velocity: torch.Tensor, time: float, courant: float = 1.0, scheme: str = "semi_lagrangian") -> int:
    """Number of sub-steps that keeps each one within the Courant number ``courant``."""
    check_choice("scheme", scheme, SCHEMES)
    courant = check_positive_float("courant", courant)
    with torch.no_grad():
        if scheme == "upwind":
            speed = (velocity[:, 0].abs() + velocity[:, 1].abs()).max()
        else:
            speed = velocity.abs().max()
    return max(1, math.ceil(float(speed) * abs(float(time)) / courant - 1e-9))


def _pixel_grid(height: int, width: int, like: torch.Tensor) -> torch.Tensor:
    rows = torch.arange(height, dtype=like.dtype, device=like.device)
    cols = torch.arange(width, dtype=like.dtype, device=like.device)
    grid_y, grid_x = torch.meshgrid(rows, cols, indexing="ij")
    return torch.stack((grid_x, grid_y))[None]  # (1, 2, H, W) in pixels


def sample_at(values: torch.Tensor, points: torch.Tensor) -> torch.Tensor:
    """Bilinear samples of ``values`` (B, C, H, W) at pixel positions ``points`` (B, 2, H, W)."""
    height, width = values.shape[-2:]
    scale = torch.tensor(
        [2.0 / max(width - 1, 1), 2.0 / max(height - 1, 1)], dtype=points.dtype, device=points.device
    ).view(1, 2, 1, 1)
    normalised = (points * scale - 1.0).permute(0, 2, 3, 1)
    return F.grid_sample(values, normalised, mode="bilinear", padding_mode="border", align_corners=True)


def _semi_lagrangian_step(field: torch.Tensor, velocity: torch.Tensor, grid: torch.Tensor, step: float) -> torch.Tensor:
    midpoint = grid - 0.5 * step * velocity
    velocity_mid = sample_at(velocity, midpoint)
    return sample_at(field, grid - step * velocity_mid)


def trace_characteristics(velocity: torch.Tensor, time: float, *, courant: float = 1.0) -> torch.Tensor:
    """Where the characteristics ``dx/ds = v(x)`` that start at the pixel centres are after ``time``.

    Args:
        velocity: ``(B, 2, H, W)`` stationary velocity, pixels per unit time (x, y).
        time: how long to follow it; negative follows ``-v`` (the departure points of
            backward tracing).
        courant: largest displacement per midpoint sub-step, pixels.

    Returns:
        ``(B, 2, H, W)`` positions in pixels (x, y), differentiable in ``velocity``.
    """
    check_tensor("velocity", velocity, ndim=4)
    if velocity.shape[1] != 2:
        raise ValueError(f"velocity must have 2 components on axis 1, got shape {tuple(velocity.shape)}")
    grid = _pixel_grid(*velocity.shape[-2:], velocity)
    points = grid.expand_as(velocity)
    time = float(time)
    if time == 0.0:
        return points
    substeps = cfl_substeps(velocity, abs(time), courant)
    step = time / substeps
    for _ in range(substeps):
        midpoint = points + 0.5 * step * sample_at(velocity, points)
        points = points + step * sample_at(velocity, midpoint)
    return points


def _upwind_step(field: torch.Tensor, velocity: torch.Tensor, step: float) -> torch.Tensor:
    padded = F.pad(field, (1, 1, 1, 1), mode="replicate")
    centre = padded[..., 1:-1, 1:-1]
    backward_x = centre - padded[..., 1:-1, :-2]
    forward_x = padded[..., 1:-1, 2:] - centre
    backward_y = centre - padded[..., :-2, 1:-1]
    forward_y = padded[..., 2:, 1:-1] - centre
    vx, vy = velocity[:, :1], velocity[:, 1:2]
    flux = (
        vx.clamp(min=0) * backward_x
        + vx.clamp(max=0) * forward_x
        + vy.clamp(min=0) * backward_y
        + vy.clamp(max=0) * forward_y
    )
    return field - step * flux


def advect(
    field: torch.Tensor,
    velocity: torch.Tensor,
    time: float = 1.0,
    *,
    scheme: str = "semi_lagrangian",
    courant: float = 1.0,
) -> torch.Tensor:
    """Carry ``field`` along the stationary ``velocity`` for ``time`` (differentiable).

    Args:
        field: ``(B, C, H, W)`` values (any channels).
        velocity: ``(B, 2, H, W)`` or ``(2, H, W)`` in pixels per unit time (x, y).
        time: how long to advect, in the velocity's time unit; negative runs backwards
            (advection along ``-velocity``).
        scheme: one of :data:`SCHEMES`.
        courant: largest displacement per sub-step in pixels (upwind needs ``<= 1``).

    Returns:
        ``(B, C, H, W)``, the field at ``time``.
    """
    velocity = check_field_and_velocity(field, velocity)
    check_choice("scheme", scheme, SCHEMES)
    if scheme == "upwind" and courant > 1.0:
        raise ValueError(f"courant must be <= 1 for the upwind scheme, got {courant}")
    time = float(time)
    if time == 0.0:
        return field
    if time < 0:
        velocity, time = -velocity, -time
    velocity = velocity.to(field.dtype).expand(field.shape[0], -1, -1, -1)
    if scheme == "characteristics":
        return sample_at(field, trace_characteristics(velocity, -time, courant=courant))
    substeps = cfl_substeps(velocity, time, courant, scheme)
    step = time / substeps
    grid = _pixel_grid(*field.shape[-2:], field) if scheme == "semi_lagrangian" else None
    for _ in range(substeps):
        if scheme == "semi_lagrangian":
            field = _semi_lagrangian_step(field, velocity, grid, step)
        else:
            field = _upwind_step(field, velocity, step)
    return field
