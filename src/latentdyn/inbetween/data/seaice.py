"""SAR-like sea-ice scenes with known motion, and loaders of real or user-given images.

Synthetic scenes (:func:`make_scenario`) are a reflectivity map of floes (a Voronoi
tessellation, one backscatter level per floe), dark leads along the floe boundaries and
bright pressure ridges, times a multiplicative L-look gamma speckle that is *frozen* into
the ice (it moves with it, so every in-between frame is known exactly). The scene is then
moved by a known, piecewise-smooth velocity field:

- ``"crack_formation"``: a jagged crack opens; the two sides move apart along the crack's
  normal and open water (dark, with its own speckle) appears in the gap;
- ``"crack_closing"``: the same sequence played backwards: the lead closes and disappears;
- ``"rotation"``: a round floe (bounded by a lead) turns as a solid body, the rest is still;
- ``"combined"``: a crack opens and the round floe on the moving side turns as it drifts.

Conventions: images are ``(H, W)`` float32 in ``[0, 1]`` (row 0 at the top); time runs
over ``[0, 1]`` between the first and the last frame; velocities are ``(2, H, W)`` in
*pixels per unit time*, component 0 along columns (x, to the right) and component 1 along
rows (y, downwards). Frame ``k`` at time ``t_k`` is the reference scene carried by the
exact flow map, sampled bilinearly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import ndimage

from latentdyn.cache import data_root, load_or_create
from latentdyn.validation import (
    check_choice,
    check_in_range,
    check_positive_float,
    check_positive_int,
)

SCENARIOS = ("crack_formation", "crack_closing", "rotation", "combined")
SCENE_VERSION = 2  # bump when the generator changes, so cached scenes are regenerated

SENTINEL_PAIR = ("Sentinel1_HH_Sigma0_2020-03-19T16_01Z.png", "Sentinel1_HH_Sigma0_2020-03-20T15_54Z.png")
FLOE_SEQUENCE = tuple(f"ice_floe_{k}.png" for k in range(5))
FRACTURE_PAIR = ("fracture_test_0.png", "fracture_test_1.png")


@dataclass
class SeaIceSequence:
    """A sequence of frames with its ground truth.

    Attributes:
        scenario: the scenario's name.
        frames: ``(T, H, W)`` float32 in [0, 1]; the first and last are the observed pair,
            the others are the true in-between states.
        times: ``(T,)`` float64 in [0, 1].
        velocity: ``(T, 2, H, W)`` float32, the Eulerian velocity at each frame's time
            (pixels per unit time; x then y), zero in open water.
        settings: the parameters that made the sequence.
        event_mask: ``(T, H, W)`` bool, where the true frame differs from what the moving texture
            alone would give (the open water of a crack, a floe that appears, a patch that
            brightens): the event the in-between frames must draw; empty for pure motion.
            ``None`` when the sequence does not know it (real imagery).
        texture_only: ``(T, H, W)`` float32, the frame the moving texture alone would give (no
            event): the reference of the event depth (:func:`latentdyn.inbetween.image_metrics.event_scores`).
    """

    scenario: str
    frames: np.ndarray
    times: np.ndarray
    velocity: np.ndarray
    settings: dict = field(default_factory=dict)
    event_mask: np.ndarray | None = None
    texture_only: np.ndarray | None = None

    @property
    def middle(self) -> int:
        """Index of the frame closest to ``t = 0.5``."""
        return int(np.argmin(np.abs(self.times - 0.5)))


def _speckle(shape: tuple[int, int], looks: float, rng: np.random.Generator, correlation: float) -> np.ndarray:
    """Unit-mean multiplicative speckle: L-look gamma noise, smoothed over ``correlation`` pixels
    and rescaled so that its standard deviation stays ``1 / sqrt(L)``."""
    noise = rng.gamma(looks, 1.0 / looks, size=shape)
    if correlation > 0:
        noise = ndimage.gaussian_filter(noise, correlation, mode="wrap")
        noise = 1.0 + (noise - noise.mean()) / noise.std() / np.sqrt(looks)
    return np.clip(noise, 0.05, None)


def reference_scene(
    size: int,
    seed: int,
    *,
    num_floes: int = 30,
    looks: float = 6.0,
    lead_width: float = 1.2,
    num_ridges: int = 12,
    speckle_correlation: float = 1.0,
    round_floe: tuple[float, float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A square SAR-like reflectivity-times-speckle scene and an open-water image.

    Args:
        size: side of the square canvas in pixels.
        seed: seeds floe positions, levels, ridges and speckle.
        num_floes: number of Voronoi cells.
        looks: number of looks L of the gamma speckle (larger = less noisy).
        lead_width: half-width of the dark leads between floes (pixels).
        num_ridges: number of bright ridge segments.
        speckle_correlation: Gaussian smoothing of the speckle (pixels).
        round_floe: ``(x, y, radius)`` in pixels of a round floe bounded by a lead, or None.

    Returns:
        ``(ice, water)``: two ``(size, size)`` float64 arrays in [0, 1]; ``water`` is the
        backscatter of open water (dark, with its own speckle).
    """
    size = check_positive_int("size", size)
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float64)
    seeds = rng.uniform(0, size, size=(num_floes, 2))
    distances = np.sqrt((cols[..., None] - seeds[:, 0]) ** 2 + (rows[..., None] - seeds[:, 1]) ** 2)
    order = np.sort(distances, axis=-1)
    labels = np.argmin(distances, axis=-1)
    levels = rng.uniform(0.35, 0.8, size=num_floes)
    reflectivity = levels[labels]
    # leads: where the nearest and second-nearest floe centres are almost equidistant
    reflectivity = np.where(order[..., 1] - order[..., 0] < 2 * lead_width, 0.12, reflectivity)
    for _ in range(num_ridges):
        start = rng.uniform(0, size, 2)
        angle = rng.uniform(0, np.pi)
        length = rng.uniform(0.1, 0.3) * size
        direction = np.array([np.cos(angle), np.sin(angle)])
        along = (cols - start[0]) * direction[0] + (rows - start[1]) * direction[1]
        across = -(cols - start[0]) * direction[1] + (rows - start[1]) * direction[0]
        ridge = (np.abs(across) < 0.8) & (along > 0) & (along < length)
        reflectivity = np.where(ridge, 0.95, reflectivity)
    if round_floe is not None:
        x0, y0, radius = round_floe
        radial = np.sqrt((cols - x0) ** 2 + (rows - y0) ** 2)
        reflectivity = np.where(np.abs(radial - radius) < 1.5 * lead_width, 0.12, reflectivity)
    reflectivity = ndimage.gaussian_filter(reflectivity, 0.6)
    ice = np.clip(reflectivity * _speckle((size, size), looks, rng, speckle_correlation), 0, 1)
    water = np.clip(0.06 * _speckle((size, size), looks, rng, speckle_correlation), 0, 1)
    return ice, water


def _rotate(x: np.ndarray, y: np.ndarray, centre: tuple[float, float], angle: float):
    """Rotate points (x, y) about ``centre`` by ``angle`` radians (counter-clockwise on screen
    for a positive angle would be clockwise in row-down coordinates; we use the row-down
    convention: positive angle turns x towards y)."""
    cosine, sine = np.cos(angle), np.sin(angle)
    dx, dy = x - centre[0], y - centre[1]
    return centre[0] + cosine * dx - sine * dy, centre[1] + sine * dx + cosine * dy


def _scenario_frame(
    scenario: str, time: float, size: int, pad: int, ice: np.ndarray, water: np.ndarray, geometry: dict
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One frame, its velocity, its event mask (open water) and the frame of the moving texture
    alone (no water) at ``time`` (view = centre ``size x size`` of the canvas)."""
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float64)
    x, y = cols + pad, rows + pad  # canvas coordinates
    velocity = np.zeros((2, size, size))
    source_x, source_y = x.copy(), y.copy()
    in_water = np.zeros((size, size), dtype=bool)
    if scenario in ("crack_formation", "combined", "crack_closing"):
        formation_time = 1.0 - time if scenario == "crack_closing" else time
        sign = -1.0 if scenario == "crack_closing" else 1.0
        normal, tangent, point = geometry["normal"], geometry["tangent"], geometry["point"]
        half = 0.5 * geometry["opening"]  # each side moves by half the opening
        if scenario == "combined":
            shift_positive, shift_negative = 2 * half, 0.0  # left side still, right side drifts
        else:
            shift_positive, shift_negative = half, half

        def crack_coordinate(px, py):
            along = (px - point[0]) * tangent[0] + (py - point[1]) * tangent[1]
            across = (px - point[0]) * normal[0] + (py - point[1]) * normal[1]
            return across + geometry["wiggle"] * np.sin(along * geometry["wiggle_frequency"] + geometry["wiggle_phase"])

        s = crack_coordinate(x, y)
        positive = s > formation_time * shift_positive
        negative = s < -formation_time * shift_negative
        in_water = ~positive & ~negative
        source_x = np.where(
            positive,
            x - formation_time * shift_positive * normal[0],
            np.where(negative, x + formation_time * shift_negative * normal[0], x),
        )
        source_y = np.where(
            positive,
            y - formation_time * shift_positive * normal[1],
            np.where(negative, y + formation_time * shift_negative * normal[1], y),
        )
        for axis in range(2):
            velocity[axis] = sign * np.where(
                positive, shift_positive * normal[axis], np.where(negative, -shift_negative * normal[axis], 0.0)
            )
        if scenario == "combined":
            centre, radius, angle = geometry["floe_centre"], geometry["floe_radius"], geometry["angle"]
            inside = positive & ((source_x - centre[0]) ** 2 + (source_y - centre[1]) ** 2 < radius**2)
            turned_x, turned_y = _rotate(source_x, source_y, centre, -angle * time)
            # Eulerian velocity of the turning floe: angle x perp(x - centre(t)), plus the drift
            here_x = x - time * shift_positive * normal[0]
            here_y = y - time * shift_positive * normal[1]
            velocity[0] = np.where(inside, velocity[0] - angle * (here_y - centre[1]), velocity[0])
            velocity[1] = np.where(inside, velocity[1] + angle * (here_x - centre[0]), velocity[1])
            source_x = np.where(inside, turned_x, source_x)
            source_y = np.where(inside, turned_y, source_y)
    elif scenario == "rotation":
        centre, radius, angle = geometry["floe_centre"], geometry["floe_radius"], geometry["angle"]
        inside = (x - centre[0]) ** 2 + (y - centre[1]) ** 2 < radius**2
        turned_x, turned_y = _rotate(x, y, centre, -angle * time)
        source_x = np.where(inside, turned_x, x)
        source_y = np.where(inside, turned_y, y)
        velocity[0] = np.where(inside, -angle * (y - centre[1]), 0.0)
        velocity[1] = np.where(inside, angle * (x - centre[0]), 0.0)
    texture = ndimage.map_coordinates(ice, [source_y, source_x], order=1, mode="nearest")
    frame = np.where(in_water, water[pad : pad + size, pad : pad + size], texture)
    return frame, velocity, in_water, texture


def _geometry(
    scenario: str, size: int, pad: int, rng: np.random.Generator, crack_opening: float, rotation_degrees: float
) -> dict:
    angle = np.deg2rad(rng.uniform(-20, 20))  # crack roughly vertical: normal roughly along x
    normal = np.array([np.cos(angle), np.sin(angle)])
    crack_x = 0.3 if scenario == "combined" else 0.5
    geometry = {
        "normal": normal,
        "tangent": np.array([-normal[1], normal[0]]),
        "point": np.array([pad + crack_x * size, pad + 0.5 * size]),
        "opening": crack_opening * size,
        "wiggle": 0.02 * size,
        "wiggle_frequency": 2 * np.pi / (0.35 * size),
        "wiggle_phase": rng.uniform(0, 2 * np.pi),
        "angle": np.deg2rad(rotation_degrees),
    }
    if scenario == "combined":
        geometry["floe_centre"] = (pad + 0.66 * size, pad + 0.5 * size)
        geometry["floe_radius"] = 0.24 * size
    else:
        geometry["floe_centre"] = (pad + 0.5 * size, pad + 0.5 * size)
        geometry["floe_radius"] = 0.3 * size
    return geometry


def make_scenario(
    scenario: str,
    *,
    size: int = 128,
    num_frames: int = 5,
    seed: int = 0,
    crack_opening: float = 0.06,
    rotation_degrees: float = 16.0,
    looks: float = 6.0,
    num_floes: int = 30,
    use_cache: bool = True,
) -> SeaIceSequence:
    """Generate a synthetic scenario with every in-between frame and its velocity field.

    Args:
        scenario: one of :data:`SCENARIOS`.
        size: image side in pixels.
        num_frames: number of frames at equally spaced times in [0, 1] (at least 2).
        seed: seeds the scene and the crack's direction and shape.
        crack_opening: width of the opened lead at ``t = 1`` as a fraction of ``size``.
        rotation_degrees: total turn of the round floe over ``[0, 1]``.
        looks: number of looks of the speckle.
        num_floes: floes per canvas.
        use_cache: store and reuse the arrays in :func:`latentdyn.cache.cache_dir`.

    Returns:
        a :class:`SeaIceSequence`.
    """
    check_choice("scenario", scenario, SCENARIOS)
    size = check_positive_int("size", size)
    num_frames = check_positive_int("num_frames", num_frames)
    if num_frames < 2:
        raise ValueError(f"num_frames must be at least 2, got {num_frames}")
    seed = check_positive_int("seed", seed, allow_zero=True)
    crack_opening = check_in_range("crack_opening", crack_opening, 0.0, 0.3)
    rotation_degrees = check_in_range("rotation_degrees", rotation_degrees, -90.0, 90.0)
    looks = check_positive_float("looks", looks)
    num_floes = check_positive_int("num_floes", num_floes)
    params = dict(
        version=SCENE_VERSION,
        scenario=scenario,
        size=size,
        num_frames=num_frames,
        seed=seed,
        crack_opening=crack_opening,
        rotation_degrees=rotation_degrees,
        looks=looks,
        num_floes=num_floes,
    )

    def create() -> dict[str, np.ndarray]:
        rng = np.random.default_rng([seed, SCENARIOS.index(scenario)])
        pad = int(np.ceil(0.25 * size))
        canvas = size + 2 * pad
        geometry = _geometry(scenario, size, pad, rng, crack_opening, rotation_degrees)
        round_floe = None
        if scenario in ("rotation", "combined"):
            round_floe = (*geometry["floe_centre"], geometry["floe_radius"])
        ice, water = reference_scene(
            canvas,
            int(rng.integers(2**31)),
            looks=looks,
            num_floes=int(round(num_floes * (canvas / size) ** 2)),
            round_floe=round_floe,
        )
        times = np.linspace(0.0, 1.0, num_frames)
        frames, velocities, events, textures = zip(
            *(_scenario_frame(scenario, float(t), size, pad, ice, water, geometry) for t in times)
        )
        return {
            "frames": np.stack(frames).astype(np.float32),
            "times": times,
            "velocity": np.stack(velocities).astype(np.float32),
            "event_mask": np.stack(events),
            "texture_only": np.stack(textures).astype(np.float32),
        }

    arrays = load_or_create(f"seaice_{scenario}", params, create) if use_cache else create()
    return SeaIceSequence(
        scenario,
        arrays["frames"],
        arrays["times"],
        arrays["velocity"],
        params,
        arrays["event_mask"].astype(bool),
        arrays["texture_only"],
    )


# ---------------------------------------------------------------------------------------------
# real and user-given images


def load_image(
    path: str | Path,
    *,
    invert: bool = False,
    size: int | None = None,
    name: str = "path",
    band: int | None = None,
    value_range=None,
    nodata: float | None = None,
) -> np.ndarray:
    """Read an image file as a grey ``(H, W)`` float32 image in [0, 1].

    The rules (bit depth, data values such as decibels, no-data, bands, alpha, EXIF
    orientation) are those of :mod:`latentdyn.image_files`; what was done is shown as a
    warning. Pixels without data are filled from their nearest valid neighbour (use
    :func:`latentdyn.inbetween.data.user_pairs.read_pair` to keep the mask). A file that cannot be
    decoded raises ``ValueError`` naming ``name`` and the file.

    Args:
        path: the image file (relative paths: see :func:`~latentdyn.image_files.caller_directory`).
        invert: return ``1 - image`` (e.g. dark floes on a white background become bright).
        size: if given, resize (anti-aliased) to ``size x size``.
        name: the caller's parameter that held ``path`` (for error messages).
        band, value_range, nodata: see :func:`latentdyn.image_files.read_image` and
            :func:`~latentdyn.image_files.map_values`.
    """
    return _load_images(
        (path,), invert=invert, size=size, name=name, band=band, value_range=value_range, nodata=nodata
    )[0]


def load_image_pair(
    paths: tuple[str | Path, ...],
    *,
    invert: bool = False,
    size: int | None = None,
    name: str = "paths",
    band: int | None = None,
    value_range=None,
    nodata: float | None = None,
) -> tuple[np.ndarray, ...]:
    """Two images of the same shape (see :func:`load_image`), mapped to [0, 1] on one scale;
    raise if the shapes differ.

    ``name`` is the caller's parameter (errors name ``name[0]`` or ``name[1]`` and the file).
    """
    if isinstance(paths, str | Path) or len(paths) != 2:
        raise ValueError(f"{name} must be two image paths (first, second), got {paths!r}")
    return _load_images(
        tuple(paths), invert=invert, size=size, name=name, band=band, value_range=value_range, nodata=nodata
    )


def _load_images(
    paths: tuple, *, invert: bool, size: int | None, name: str, band: int | None, value_range, nodata: float | None
) -> tuple[np.ndarray, ...]:
    from skimage import transform

    from latentdyn.image_files import fill_invalid, map_values, read_image, warn_notes

    label = (lambda k: name) if len(paths) == 1 else (lambda k: f"{name}[{k}]")
    reads = [read_image(p, name=label(k), band=band, nodata=nodata) for k, p in enumerate(paths)]
    if len({r.shape for r in reads}) > 1:
        raise ValueError(f"{name}: the two images differ in shape, {reads[0].shape} and {reads[1].shape}")
    images, notes = map_values(reads, value_range=value_range)
    valid = np.logical_and.reduce([r.valid for r in reads])
    out = []
    for image in images:
        image = fill_invalid(np.nan_to_num(image, nan=0.0), valid).astype(np.float64)
        if invert:
            image = 1.0 - image
        if size is not None:
            size = check_positive_int("size", size)
            image = transform.resize(image, (size, size), anti_aliasing=True, order=1)
        out.append(image.astype(np.float32))
    if not valid.all():
        notes.append(f"{int((~valid).sum())} pixels without data were filled from their nearest valid neighbour.")
    warn_notes(notes + [n for r in reads for n in r.notes])
    return tuple(out)


def seaice_folder() -> Path | None:
    """``<data>/external/seaice`` if it holds the real imagery (see its README), else None."""
    folder = data_root() / "external" / "seaice"
    if folder.is_dir() and all((folder / name).is_file() for name in SENTINEL_PAIR):
        return folder
    return None


def image_digest(*images: np.ndarray) -> str:
    """A short hash of image contents (a cache key for user-given images)."""
    digest = hashlib.sha256()
    for image in images:
        array = np.ascontiguousarray(image)
        digest.update(str(array.shape).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()[:16]
