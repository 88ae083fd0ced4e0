"""TV-L1 optical flow with warping (scikit-image; beyond the paper).

``skimage.registration.optical_flow_tvl1(reference, moving)`` returns the flow ``f`` with
``moving(x + f(x)) ~ reference(x)``. We compute both directions: ``f01`` (reference
``I_0``), so that ``I_1(x + f01(x)) ~ I_0(x)`` — the displacement of the ice that is at
``x`` at time 0 — and ``f10``. The in-between frame blends the two backward warps,

``I_t(x) = (1 - t) I_0(x + t f10(x)) + t I_1(x + (1 - t) f01(x))``

(a first-order approximation for a stationary velocity). The velocity estimate, in pixels
per unit time, is ``f01`` (the displacement over the interval). Flows are computed on an
image downscaled by ``downscale`` (for speed on large images) and scaled back up.
"""

from __future__ import annotations

import numpy as np
from skimage import transform
from skimage.registration import optical_flow_tvl1

from latentdyn.validation import check_in_range, check_positive_int


def _flow(reference: np.ndarray, moving: np.ndarray, downscale: int, **options) -> np.ndarray:
    if downscale == 1:
        return optical_flow_tvl1(reference, moving, **options)
    shape = reference.shape
    small = tuple(max(8, s // downscale) for s in shape)
    flow = optical_flow_tvl1(
        transform.resize(reference, small, anti_aliasing=True),
        transform.resize(moving, small, anti_aliasing=True),
        **options,
    )
    scale = np.array([shape[0] / small[0], shape[1] / small[1]])[:, None, None]
    return np.stack([transform.resize(component, shape, order=1) for component in flow]) * scale


def _warp(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    rows, cols = np.meshgrid(np.arange(image.shape[0]), np.arange(image.shape[1]), indexing="ij")
    return transform.warp(image, np.array([rows + flow[0], cols + flow[1]]), mode="edge", order=1)


def tvl1_velocity(
    image0: np.ndarray,
    image1: np.ndarray,
    *,
    downscale: int = 1,
    attachment: float = 15.0,
    tightness: float = 0.3,
    num_warp: int = 5,
) -> np.ndarray:
    """``(2, H, W)`` TV-L1 displacement of the content of ``image0`` over the interval (x then y,
    pixels per unit time): ``image1(x + v(x)) ~ image0(x)``."""
    first = np.asarray(image0, dtype=np.float64)
    second = np.asarray(image1, dtype=np.float64)
    if first.ndim != 2 or first.shape != second.shape:
        raise ValueError(f"image0 and image1 must be 2-D of one shape, got {first.shape} and {second.shape}")
    downscale = check_positive_int("downscale", downscale)
    flow = _flow(first, second, downscale, attachment=attachment, tightness=tightness, num_warp=num_warp)
    return np.stack((flow[1], flow[0])).astype(np.float32)


def optical_flow_interpolation(
    image0: np.ndarray,
    image1: np.ndarray,
    times,
    *,
    downscale: int = 1,
    attachment: float = 15.0,
    tightness: float = 0.3,
    num_warp: int = 5,
) -> dict[str, np.ndarray]:
    """In-between frames by TV-L1 flow and warping.

    Args:
        image0, image1: ``(H, W)`` in [0, 1].
        times: fractions in [0, 1].
        downscale: compute the flow on images ``downscale`` times smaller.
        attachment, tightness, num_warp: passed to ``optical_flow_tvl1``.

    Returns:
        ``frames`` ``(T, H, W)`` and ``velocity`` ``(2, H, W)`` (pixels per unit time, x then y).
    """
    first = np.asarray(image0, dtype=np.float64)
    second = np.asarray(image1, dtype=np.float64)
    if first.ndim != 2 or first.shape != second.shape:
        raise ValueError(f"image0 and image1 must be 2-D of one shape, got {first.shape} and {second.shape}")
    downscale = check_positive_int("downscale", downscale)
    times = [check_in_range("times", t, 0.0, 1.0) for t in times]
    options = dict(attachment=attachment, tightness=tightness, num_warp=num_warp)
    forward = _flow(first, second, downscale, **options)  # (row, col): I1(x + f01) ~ I0(x)
    backward = _flow(second, first, downscale, **options)  # I0(x + f10) ~ I1(x)
    frames = [(1 - t) * _warp(first, t * backward) + t * _warp(second, (1 - t) * forward) for t in times]
    velocity = np.stack((forward[1], forward[0]))  # (x, y)
    return {"frames": np.stack(frames).astype(np.float32), "velocity": velocity.astype(np.float32)}
