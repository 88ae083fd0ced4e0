"""Rendering objects on a pixel grid of the unit square.

Conventions used throughout the package: an image of ``resolution`` N covers the
physical domain [0, 1]^2; pixel ``(row, col)`` has its centre at
``x = (col + 0.5) / N`` (horizontal) and ``y = (row + 0.5) / N`` (vertical), so the pixel
size is ``delta = 1 / N``. Positions, radii and speeds are in these physical units.
"""

from __future__ import annotations

import math

import torch

from latentdyn.validation import (
    check_choice,
    check_positive_float,
    check_positive_int,
    check_tensor,
)

EDGES = ("hard", "sigmoid")


def pixel_centres(resolution: int, *, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """``(resolution,)`` physical coordinates of the pixel centres along one axis."""
    resolution = check_positive_int("resolution", resolution)
    return (torch.arange(resolution, dtype=dtype) + 0.5) / resolution


def render_discs(
    centres: torch.Tensor,
    resolution: int,
    radius: float,
    *,
    edge: str = "hard",
    sharpness: float = 500.0,
) -> torch.Tensor:
    """Render one white disc on black per centre.

    Args:
        centres: ``(T, 2)`` disc centres ``(x, y)`` in physical units.
        resolution: image side N in pixels (pixel size ``1 / N``).
        radius: disc radius in physical units.
        edge: ``"hard"``: a pixel is 1 when its centre lies in the disc, else 0 (a camera
            that point-samples: the image changes only when the edge crosses a pixel
            centre); ``"sigmoid"``: ``sigmoid(sharpness * (radius^2 - d^2))`` as in the
            CpAE authors' circular-motion data.
        sharpness: steepness of the sigmoid edge, in 1 / (physical length)^2.

    Returns:
        ``(T, N, N)`` tensor in [0, 1] with the dtype of ``centres``.
    """
    check_tensor("centres", centres, shape=(None, 2))
    radius = check_positive_float("radius", radius)
    check_choice("edge", edge, EDGES)
    sharpness = check_positive_float("sharpness", sharpness)
    axis = pixel_centres(resolution, dtype=centres.dtype).to(centres.device)
    dx = axis[None, None, :] - centres[:, 0, None, None]
    dy = axis[None, :, None] - centres[:, 1, None, None]
    squared_distance = dx**2 + dy**2
    if edge == "hard":
        return (squared_distance <= radius**2).to(centres.dtype)
    return torch.sigmoid(sharpness * (radius**2 - squared_distance))


def disc_centres_on_line(
    start: tuple[float, float], angle_degrees: float, speed: float, times: torch.Tensor
) -> torch.Tensor:
    """``(T, 2)`` positions ``start + speed * t * (cos a, sin a)`` of a uniform straight motion.

    Args:
        start: position at ``t = 0`` (physical units).
        angle_degrees: direction of motion, counter-clockwise from the x axis.
        speed: physical units per unit time.
        times: ``(T,)`` times.
    """
    check_tensor("times", times, ndim=1)
    speed = check_positive_float("speed", speed, allow_zero=True)
    angle = math.radians(angle_degrees)
    direction = torch.tensor([math.cos(angle), math.sin(angle)], dtype=times.dtype)
    origin = torch.tensor(start, dtype=times.dtype)
    return origin + speed * times[:, None] * direction
