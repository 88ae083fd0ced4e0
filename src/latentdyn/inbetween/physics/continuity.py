"""The continuity equation ``du/dt + div(u v) = 0`` in conservative form: mass moves with the flow.

Where the velocity is divergence-free this is advection; where the flow diverges (an
opening crack) the density drops, where it converges it rises, and the total is
conserved.

Discretisation: finite volumes. Each pixel is a cell holding a mass; each sub-step moves
mass across the faces between neighbouring cells, first along x, then along y
(alternating the order from one sub-step to the next). The flux through a face is the face
velocity (the mean of the two cells' velocities) times the upwind cell's value
reconstructed at the face with a van Leer-limited slope (second order where the field is
smooth, no new extrema at sharp edges). What leaves one cell enters its neighbour, and the
faces on the image's edge carry no flux (closed boundaries), so the total of every channel
is conserved to round-off for any velocity. Sub-steps follow the CFL condition: the
smallest ``n`` with ``max|v| * time / n <= courant`` (``courant <= 1``). Differentiable in
field and velocity.

Shapes and units as in :mod:`latentdyn.inbetween.physics.advection`: ``field`` ``(B, C, H, W)``
(a density: mass per pixel), ``velocity`` ``(B, 2, H, W)`` or ``(2, H, W)`` in pixels per unit
time, x then y.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from latentdyn.inbetween.physics.advection import cfl_substeps, check_field_and_velocity
from latentdyn.validation import check_in_range


def _van_leer_slope(values: torch.Tensor) -> torch.Tensor:
    """Limited slope of each cell along the last axis (zero in the edge cells)."""
    padded = torch.cat((values[..., :1], values, values[..., -1:]), dim=-1)
    backward = padded[..., 1:-1] - padded[..., :-2]
    forward = padded[..., 2:] - padded[..., 1:-1]
    product = backward * forward
    same_sign = product > 0
    denominator = torch.where(same_sign, backward + forward, torch.ones_like(product))
    return torch.where(same_sign, 2.0 * product / denominator, torch.zeros_like(product))


def _flux_step(values: torch.Tensor, velocity: torch.Tensor, step: float) -> torch.Tensor:
    """One finite-volume step along the last axis: ``values`` ``(..., N)``, ``velocity`` ``(..., N)``
    (cell-centred, broadcast over channels), ``step`` in units of time."""
    face_velocity = 0.5 * (velocity[..., :-1] + velocity[..., 1:])  # the N - 1 inner faces
    courant = face_velocity * step
    slope = _van_leer_slope(values)
    from_left = values[..., :-1] + 0.5 * (1.0 - courant) * slope[..., :-1]
    from_right = values[..., 1:] - 0.5 * (1.0 + courant) * slope[..., 1:]
    face_value = torch.where(face_velocity >= 0, from_left, from_right)
    flux = courant * face_value  # mass through each inner face during the step
    closed = F.pad(flux, (1, 1))  # no flux through the edge faces
    return values - (closed[..., 1:] - closed[..., :-1])


def transport_mass(
    field: torch.Tensor, velocity: torch.Tensor, time: float = 1.0, *, courant: float = 0.9
) -> torch.Tensor:
    """Solve the continuity equation for ``time`` (negative: backwards, i.e. along ``-velocity``).

    Args:
        field: ``(B, C, H, W)`` densities.
        velocity: ``(B, 2, H, W)`` or ``(2, H, W)``, pixels per unit time (x, y).
        time: duration in the velocity's time unit.
        courant: largest fraction of a cell crossed per sub-step (at most 1).

    Returns:
        ``(B, C, H, W)``; the sum over pixels of every channel is conserved to round-off.
    """
    velocity = check_field_and_velocity(field, velocity)
    courant = check_in_range("courant", courant, 1e-6, 1.0)
    time = float(time)
    if time == 0.0:
        return field
    if time < 0:
        velocity, time = -velocity, -time
    velocity = velocity.to(field.dtype)
    substeps = cfl_substeps(velocity, time, courant)
    step = time / substeps
    along_x, along_y = velocity[:, :1], velocity[:, 1:2].transpose(-1, -2)
    for index in range(substeps):
        for axis in (0, 1) if index % 2 == 0 else (1, 0):
            if axis == 0:
                field = _flux_step(field, along_x, step)
            else:
                field = _flux_step(field.transpose(-1, -2), along_y, step).transpose(-1, -2)
    return field
