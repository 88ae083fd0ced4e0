"""Scenes where transport alone cannot explain the change, with their truth (beyond the paper).

The paper (Han, Lee & Gelb, arXiv 2310.09495, sections 1 and 5) claims that a latent space
driven by a PDE captures image evolution that neither optimal transport nor the PDE applied
to the image can, "including crack formation and disappearance", and names "other physical
operators beyond advection" as an open question. These scenes test that claim where
advection *must* fail: something appears, darkens or brightens in place. Each is rendered on
the SAR-like texture of :func:`latentdyn.inbetween.data.seaice.reference_scene` at every frame time,
so the in-between frames are exact:

- ``"floe_appears"``: a round floe fades in over open water, ``I_t = (1 - t) water + t ice``
  inside the disc; nothing moves (true velocity zero). The linear cross-fade is exact.
- ``"crack_opens"``: a dark crack opens in place across a still floe: at time ``t`` the band
  ``|across| < t W / 2`` is open water (``W`` = ``crack_width`` pixels), so the true middle
  frame has a fully dark crack of half the final width. The ice does not move (velocity zero).
- ``"brightening"``: a square patch brightens in place, reflectivity times ``1 + gain t``;
  nothing moves. The cross-fade is exact.
- ``"shift_brighten"``: the whole texture shifts by ``shift`` pixels along x over the interval
  while a patch carried with the ice brightens as above: motion and brightness change at once
  (true velocity ``(shift, 0)`` everywhere).
- ``"shift"``: the control, a pure shift of ``shift`` pixels along x (transport explains it).

Frames are ``(T, H, W)`` float32 in [0, 1] at ``T`` equally spaced times; velocities
``(T, 2, H, W)`` in pixels per unit time (x then y). Every scene also knows its event
(:attr:`~latentdyn.inbetween.data.seaice.SeaIceSequence.event_mask`: the disc, the crack at ``t``, the
patch; empty for the pure shift) and the frames of its texture without the event
(``texture_only``: open water in the disc, ice in the crack, the patch unbrightened).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from latentdyn.cache import load_or_create
from latentdyn.inbetween.data.seaice import SeaIceSequence, reference_scene
from latentdyn.validation import check_choice, check_in_range, check_positive_float, check_positive_int

SCENES = ("floe_appears", "crack_opens", "brightening", "shift_brighten", "shift")
SCENE_KINDS = {
    "floe_appears": "appearance",
    "crack_opens": "crack",
    "brightening": "brightness",
    "shift_brighten": "brightness and motion",
    "shift": "transport",
}
SCENE_DESCRIPTIONS = {
    "floe_appears": "a floe fades in over open water, nothing moves",
    "crack_opens": "a dark crack opens in place across a still floe",
    "brightening": "a patch brightens in place, nothing moves",
    "shift_brighten": "the texture shifts while a patch on it brightens",
    "shift": "control: a pure shift of the texture",
}
SCENE_LABELS = {
    "floe_appears": "floe appears",
    "crack_opens": "crack opens in place",
    "brightening": "brightening",
    "shift_brighten": "shift + brightening",
    "shift": "shift (control)",
}
MOVING_SCENES = ("shift_brighten", "shift")
SCENES_VERSION = 2  # bump when a renderer changes, so cached scenes are regenerated


def _shifted(canvas: np.ndarray, dx: float, pad: int, size: int) -> np.ndarray:
    """The ``size x size`` view of ``canvas`` whose content moved by ``dx`` pixels along x
    (cubic spline sampling of the canvas at ``x - dx``)."""
    rows, cols = np.mgrid[pad : pad + size, pad : pad + size].astype(np.float64)
    return ndimage.map_coordinates(canvas, [rows, cols - dx], order=3, mode="reflect")


def make_scene(
    name: str,
    *,
    size: int = 128,
    num_frames: int = 3,
    seed: int = 0,
    shift: float = 4.0,
    gain: float = 0.4,
    crack_width: float = 8.0,
    looks: float = 6.0,
    use_cache: bool = True,
) -> SeaIceSequence:
    """A scene of :data:`SCENES` with its true frames and velocity.

    Args:
        name: one of :data:`SCENES`.
        size: image side, pixels.
        num_frames: frames at equally spaced times in [0, 1] (at least 3: the first and last
            are the observed pair, the others the truth).
        seed: seeds the texture and the placement of the floe, crack or patch.
        shift: displacement over the interval along x, pixels (``"shift*"`` scenes).
        gain: relative brightening at ``t = 1`` (``"brightening"``, ``"shift_brighten"``).
        crack_width: width of the open crack at ``t = 1``, pixels (``"crack_opens"``).
        looks: looks of the speckle.
        use_cache: store and reuse the arrays (:func:`latentdyn.cache.load_or_create`).

    Returns:
        a :class:`~latentdyn.inbetween.data.seaice.SeaIceSequence` (``scenario`` = ``name``).
    """
    check_choice("name", name, SCENES)
    size = check_positive_int("size", size)
    num_frames = check_positive_int("num_frames", num_frames)
    if num_frames < 3:
        raise ValueError(f"num_frames must be at least 3 (a pair and a true middle), got {num_frames}")
    seed = check_positive_int("seed", seed, allow_zero=True)
    shift = check_in_range("shift", shift, -0.25 * size, 0.25 * size)
    gain = check_in_range("gain", gain, -0.9, 2.0)
    crack_width = check_in_range("crack_width", crack_width, 0.0, 0.5 * size)
    looks = check_positive_float("looks", looks)
    params = dict(
        version=SCENES_VERSION,
        name=name,
        size=size,
        num_frames=num_frames,
        seed=seed,
        shift=shift,
        gain=gain,
        crack_width=crack_width,
        looks=looks,
    )

    def create() -> dict[str, np.ndarray]:
        rng = np.random.default_rng([seed, 100 + SCENES.index(name)])
        pad = int(np.ceil(0.25 * size))
        canvas = size + 2 * pad
        ice, water = reference_scene(
            canvas, int(rng.integers(2**31)), looks=looks, num_floes=int(round(30 * (canvas / size) ** 2))
        )
        times = np.linspace(0.0, 1.0, num_frames)
        rows, cols = np.mgrid[0:size, 0:size].astype(np.float64)
        centre = rng.uniform(0.35, 0.65, 2) * size
        frames, velocity = [], np.zeros((num_frames, 2, size, size), np.float32)
        events, textures = [], []
        view = (slice(pad, pad + size), slice(pad, pad + size))
        if name == "floe_appears":
            radius = rng.uniform(0.15, 0.22) * size
            disc = np.sqrt((cols - centre[0]) ** 2 + (rows - centre[1]) ** 2) < radius
            # the floe's neighbourhood is open water at t = 0: the floe appears in a pool
            pool = np.sqrt((cols - centre[0]) ** 2 + (rows - centre[1]) ** 2) < radius + 3
            base = np.where(pool, water[view], ice[view])
            frames = [np.where(disc, (1 - t) * water[view] + t * ice[view], base) for t in times]
            events = [disc & (t > 0) for t in times]
            textures = [base for _ in times]  # the pool before the floe
        elif name == "crack_opens":
            angle = np.deg2rad(rng.uniform(-20, 20))
            normal = np.array([np.cos(angle), np.sin(angle)])
            across = (cols - centre[0]) * normal[0] + (rows - centre[1]) * normal[1]
            frames = [np.where(np.abs(across) < t * crack_width / 2, water[view], ice[view]) for t in times]
            events = [np.abs(across) < t * crack_width / 2 for t in times]
            textures = [ice[view] for _ in times]
        else:
            moving = name in MOVING_SCENES
            half = rng.uniform(0.12, 0.18) * size
            patch = (np.abs(cols - centre[0]) < half) & (np.abs(rows - centre[1]) < half)
            patch = ndimage.gaussian_filter(patch.astype(np.float64), 1.0)
            canvas_patch = np.zeros((canvas, canvas))
            canvas_patch[view] = patch
            factor = 0.0 if name == "shift" else gain
            for k, t in enumerate(times):
                dx = t * shift if moving else 0.0
                brightened = ice * (1.0 + factor * t * canvas_patch)
                frames.append(_shifted(brightened, dx, pad, size))
                textures.append(_shifted(ice, dx, pad, size))
                events.append(
                    _shifted(canvas_patch, dx, pad, size) > 0.5 if factor * t != 0 else np.zeros_like(patch, bool)
                )
                if moving:
                    velocity[k, 0] = shift
        stack = np.clip(np.stack(frames), 0.0, 1.0).astype(np.float32)
        return {
            "frames": stack,
            "times": times,
            "velocity": velocity,
            "event_mask": np.stack(events),
            "texture_only": np.clip(np.stack(textures), 0.0, 1.0).astype(np.float32),
        }

    arrays = load_or_create(f"scene_{name}", params, create) if use_cache else create()
    return SeaIceSequence(
        name,
        arrays["frames"],
        arrays["times"],
        arrays["velocity"],
        params,
        arrays["event_mask"].astype(bool),
        arrays["texture_only"],
    )
