"""Optimal-transport displacement interpolation (POT), as in Parno et al. (2019).

Each image is normalised to a probability measure (intensity = mass, plus a small floor
so that dark water still carries a little mass), on a grid coarsened to at most
``max_points`` pixels (the exact solver ``ot.emd`` needs the full cost matrix). With the
squared-Euclidean cost, the optimal plan ``P`` gives the barycentric-projection maps

``T_0(x_i) = sum_j P_ij y_j / a_i``   and   ``T_1(y_j) = sum_i P_ij x_i / b_j``,

whose displacements are interpolated bilinearly back to full resolution. The in-between
frame at ``t`` is the constant-speed (displacement) interpolation of both images, pushed
forward by splatting their full-resolution mass:

``I_t = (1 - t) [(Id + t (T_0 - Id))_# I_0] + t [(Id + (1 - t)(T_1 - Id))_# I_1]``.

The velocity estimate (pixels per unit time) is ``T_0 - Id``. For two single bright pixels
the mass moves along the straight line at constant speed.
"""

from __future__ import annotations

import math

import numpy as np
import ot
from scipy import sparse
from scipy.spatial import distance
from skimage import transform

from latentdyn.validation import check_in_range, check_positive_float, check_positive_int


def splat(mass: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Push ``mass`` ``(H, W)`` to the (fractional) positions ``(rows, cols)`` by bilinear
    splatting onto the same grid; mass that leaves the grid is dropped."""
    height, width = mass.shape
    out = np.zeros(height * width)
    row0, col0 = np.floor(rows).astype(np.int64), np.floor(cols).astype(np.int64)
    fr, fc = rows - row0, cols - col0
    for dr, dc, weight in ((0, 0, (1 - fr) * (1 - fc)), (0, 1, (1 - fr) * fc), (1, 0, fr * (1 - fc)), (1, 1, fr * fc)):
        r, c = row0 + dr, col0 + dc
        inside = (r >= 0) & (r < height) & (c >= 0) & (c < width) & (weight > 0)
        np.add.at(out, r[inside] * width + c[inside], (mass * weight)[inside])
    return out.reshape(height, width)


def coarse_shape(shape: tuple[int, int], max_points: int) -> tuple[int, int]:
    """The largest grid with the image's aspect ratio and at most ``max_points`` pixels."""
    height, width = shape
    factor = max(1.0, math.sqrt(height * width / max_points))
    return max(1, int(height / factor)), max(1, int(width / factor))


def transport_plan(
    measure0: np.ndarray, measure1: np.ndarray, points: np.ndarray, num_iter_max: int = 1_000_000
) -> np.ndarray:
    """The exact optimal plan (``ot.emd``) between two measures on ``points`` ``(N, 2)``,
    squared-Euclidean cost (scaled by its maximum for the solver's numerics).

    The cost is computed point by point (``scipy.spatial.distance.cdist``), not by the
    matrix-product formula ``|x|^2 + |y|^2 - 2 x.y`` that ``ot.dist`` uses: on a regular grid
    many plans are optimal, and the last-bit differences of a multi-threaded matrix product
    would pick a different one for a different thread count."""
    cost = distance.cdist(points, points, metric="sqeuclidean")
    cost /= max(cost.max(), 1e-12)
    return ot.emd(measure0, measure1, cost, numItermax=num_iter_max)


def ot_interpolation(
    image0: np.ndarray, image1: np.ndarray, times, *, max_points: int = 2500, mass_floor: float = 1e-3
) -> dict[str, np.ndarray]:
    """Displacement interpolation of two images.

    Args:
        image0, image1: ``(H, W)`` non-negative images.
        times: fractions in [0, 1].
        max_points: largest number of pixels of the grid on which the plan is solved.
        mass_floor: added to every pixel before normalising (relative to the mean intensity).

    Returns:
        ``frames`` ``(T, H, W)``, ``velocity`` ``(2, H, W)`` (x then y, pixels per unit time)
        and ``coarse_shape`` (the grid of the plan).
    """
    first = np.asarray(image0, dtype=np.float64)
    second = np.asarray(image1, dtype=np.float64)
    if first.ndim != 2 or first.shape != second.shape:
        raise ValueError(f"image0 and image1 must be 2-D of one shape, got {first.shape} and {second.shape}")
    if first.min() < 0 or second.min() < 0:
        raise ValueError("image0 and image1 must be non-negative (intensity is mass)")
    max_points = check_positive_int("max_points", max_points)
    mass_floor = check_positive_float("mass_floor", mass_floor, allow_zero=True)
    times = [check_in_range("times", t, 0.0, 1.0) for t in times]
    height, width = first.shape
    small = coarse_shape((height, width), max_points)
    if small == (height, width):
        coarse0, coarse1 = first, second
    else:
        coarse0 = transform.resize(first, small, anti_aliasing=True, order=1)
        coarse1 = transform.resize(second, small, anti_aliasing=True, order=1)
    measures = []
    for coarse in (coarse0, coarse1):
        values = coarse.ravel() + mass_floor * max(coarse.mean(), 1e-12)
        measures.append(values / values.sum())
    # coarse pixel centres in full-resolution pixel coordinates (row, col)
    rows = (np.arange(small[0]) + 0.5) * height / small[0] - 0.5
    cols = (np.arange(small[1]) + 0.5) * width / small[1] - 0.5
    grid_rows, grid_cols = np.meshgrid(rows, cols, indexing="ij")
    points = np.stack((grid_rows.ravel(), grid_cols.ravel()), axis=1)
    plan = transport_plan(measures[0], measures[1], points)
    displacements = []
    for plan_view in (plan, plan.T):
        mass = plan_view.sum(axis=1)
        # the plan is sparse (at most 2N - 1 entries): a sparse product sums each row in a
        # fixed order, whatever the number of threads
        target = sparse.csr_matrix(plan_view) @ points / np.maximum(mass, 1e-300)[:, None]
        moved = np.where(mass[:, None] > 0, target - points, 0.0).reshape(*small, 2)
        if small != (height, width):
            moved = np.stack([transform.resize(moved[..., k], (height, width), order=1) for k in range(2)], axis=-1)
        displacements.append(moved)
    full_rows, full_cols = np.meshgrid(
        np.arange(height, dtype=np.float64), np.arange(width, dtype=np.float64), indexing="ij"
    )
    frames = []
    for t in times:
        forward = splat(first, full_rows + t * displacements[0][..., 0], full_cols + t * displacements[0][..., 1])
        backward = splat(
            second, full_rows + (1 - t) * displacements[1][..., 0], full_cols + (1 - t) * displacements[1][..., 1]
        )
        frames.append((1 - t) * forward + t * backward)
    velocity = np.stack((displacements[0][..., 1], displacements[0][..., 0]))
    return {
        "frames": np.stack(frames).astype(np.float32),
        "velocity": velocity.astype(np.float32),
        "coarse_shape": np.array(small),
    }
