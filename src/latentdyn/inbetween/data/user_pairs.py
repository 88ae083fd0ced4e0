"""A user's own image pair with its truth: files in, checked arrays out; and a test pair.

A user gives two images (PNG or TIFF) and, optionally, the true frame in the middle of the
interval and the true velocity there. Conventions of the velocity file
(:func:`load_velocity`): a NumPy ``.npy`` array of shape ``(2, H, W)`` (or ``(H, W, 2)``),
component 0 along x (columns, to the right) and component 1 along y (rows, downwards), in
pixels per interval (the displacement over the time between the two images for a steady
motion), the Eulerian velocity at the middle time.

:func:`warped_photograph` makes such a pair that no sea-ice generator made: a photograph
(scikit-image's bundled ``camera``) carried by a steady linear flow, rotation plus shear,
whose every in-between frame and velocity are exact; :func:`write_pair` writes it as the
files a user would give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import linalg, ndimage

from latentdyn.image_files import fill_invalid, map_values, read_image, resolve_user_path
from latentdyn.inbetween.data.seaice import SeaIceSequence
from latentdyn.validation import check_choice, check_in_range, check_positive_int

PHOTOGRAPHS = ("camera", "moon", "gravel")


def _photograph(name: str) -> np.ndarray:
    from skimage import data

    if name not in PHOTOGRAPHS:
        raise ValueError(f"photo must be one of {PHOTOGRAPHS}, got {name!r}")
    return np.asarray(getattr(data, name)(), dtype=np.float64) / 255.0


def linear_flow_matrix(rotation_degrees: float, shear: float) -> np.ndarray:
    """``A`` (2 x 2, acting on (x, y)) of the velocity ``v(x) = A (x - c)``: a rotation by
    ``rotation_degrees`` over the interval (y down: x turns towards y) plus a shear that moves
    x by ``shear`` times the height above the centre."""
    angle = np.deg2rad(rotation_degrees)
    return np.array([[0.0, -angle], [angle, 0.0]]) + np.array([[0.0, shear], [0.0, 0.0]])


def warped_photograph(
    size: int = 128, *, rotation_degrees: float = 8.0, shear: float = 0.08, num_frames: int = 5, photo: str = "camera"
) -> SeaIceSequence:
    """A photograph carried by the steady flow ``v(x) = A (x - c)`` (:func:`linear_flow_matrix`).

    The frame at ``t`` samples the photograph (resized to a canvas 1.6 times larger, so that
    no frame samples outside it) at ``c + expm(-t A) (x - c)``; the velocity is the same at
    every time. Returns a :class:`~latentdyn.inbetween.data.seaice.SeaIceSequence` (frames ``(T, size,
    size)`` in [0, 1], velocity ``(T, 2, size, size)``, pixels per interval).
    """
    from skimage import transform

    size = check_positive_int("size", size)
    num_frames = check_positive_int("num_frames", num_frames)
    if num_frames < 2:
        raise ValueError(f"num_frames must be at least 2, got {num_frames}")
    rotation_degrees = check_in_range("rotation_degrees", rotation_degrees, -45.0, 45.0)
    shear = check_in_range("shear", shear, -0.5, 0.5)
    canvas_side = int(np.ceil(1.6 * size))
    canvas = transform.resize(_photograph(photo), (canvas_side, canvas_side), anti_aliasing=True)
    offset = (canvas_side - size) / 2
    matrix = linear_flow_matrix(rotation_degrees, shear)
    centre = (size - 1) / 2
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float64)
    relative = np.stack((cols - centre, rows - centre))  # (2, H, W), x then y
    times = np.linspace(0.0, 1.0, num_frames)
    frames = []
    for t in times:
        source = np.einsum("ij,jhw->ihw", linalg.expm(-t * matrix), relative) + centre + offset
        frames.append(ndimage.map_coordinates(canvas, [source[1], source[0]], order=3, mode="nearest"))
    velocity = np.einsum("ij,jhw->ihw", matrix, relative)
    return SeaIceSequence(
        "warped_photograph",
        np.clip(np.stack(frames), 0, 1).astype(np.float32),
        times,
        np.repeat(velocity[None], num_frames, axis=0).astype(np.float32),
        dict(size=size, rotation_degrees=rotation_degrees, shear=shear, photo=photo),
    )


def write_pair(sequence: SeaIceSequence, folder: str | Path) -> dict[str, Path]:
    """Write the first, last and middle frames (16-bit PNG) and the middle velocity (``.npy``).

    Returns the paths under the keys ``first``, ``second``, ``middle``, ``velocity``.
    """
    from skimage import io

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "first": folder / "first.png",
        "second": folder / "second.png",
        "middle": folder / "middle.png",
        "velocity": folder / "velocity.npy",
    }
    for key, index in (("first", 0), ("second", -1), ("middle", sequence.middle)):
        io.imsave(paths[key], np.round(sequence.frames[index] * 65535).astype(np.uint16), check_contrast=False)
    np.save(paths["velocity"], sequence.velocity[sequence.middle])
    return paths


VELOCITY_ORDERS = ("xy", "yx")
# Measured with the book profile, one CPU thread, the five methods of the paper and a cold cache:
# 256 x 256: 25 s; 512 x 512: 30 s, 0.83 GB peak; 900 x 900: 47 s, 0.94 GB peak; a 4000 x 4000 pair
# was still in its first method after 300 s at 5.7 GB. A side of 1024 (1 megapixel, about a minute
# and 1 GB) keeps a chapter within its 5 minutes on a 2-core, 24 GB machine.
DEFAULT_MAX_SIDE = 1024
BASE_BYTES = 0.7e9
BYTES_PER_PIXEL = 400
BASE_SECONDS = 25.0
SECONDS_PER_MEGAPIXEL = 30.0


def path_list(name: str, value: Any) -> tuple[str, ...]:
    """A list parameter as users pass it: a list or tuple, or one string of paths separated by
    spaces or commas (what ``papermill -p name "a.png b.png"`` gives)."""
    if value is None or value == "" or value == ():
        return ()
    if isinstance(value, str | Path):
        text = str(value).strip()
        if text.startswith(("[", "(")):
            text = text.strip("[]()")
        parts = [part.strip().strip("'\"") for part in text.replace(",", " ").split()]
        return tuple(part for part in parts if part)
    if isinstance(value, list | tuple):
        if not all(isinstance(part, str | Path) for part in value):
            raise ValueError(f"{name} must be paths, got {value!r}")
        return tuple(str(part) for part in value)
    raise ValueError(
        f"{name} must be a list of paths or a string of paths separated by spaces or commas, "
        f"got {value!r} ({type(value).__name__})"
    )


@dataclass
class UserPair:
    """A user's pair as read by :func:`read_pair`.

    Attributes:
        pair: ``(2, H, W)`` float32 in [0, 1] (pixels without data filled from a neighbour).
        middle: ``(H, W)`` the true middle frame, or None.
        valid: ``(H, W)`` bool, True where every given image has data (scores count only these).
        scale: the factor the images were resized by (1.0: not resized; velocities in the
            files are multiplied by it).
        original_shape: ``(H, W)`` of the files.
        notes: what was done to the data, in sentences.
    """

    pair: np.ndarray
    middle: np.ndarray | None
    valid: np.ndarray
    scale: float
    original_shape: tuple[int, int]
    notes: list[str] = field(default_factory=list)


def size_estimate(shape: tuple[int, int]) -> str:
    """A phrase with the rough peak memory and time the methods need on images of ``shape`` ``(H, W)``
    (book profile, one seed; measured up to 900 x 900 pixels, larger sizes grow faster than this)."""
    pixels = int(shape[0]) * int(shape[1])
    memory = (BASE_BYTES + pixels * BYTES_PER_PIXEL) / 1e9
    seconds = BASE_SECONDS + SECONDS_PER_MEGAPIXEL * pixels / 1e6
    return (
        f"{shape[1]} x {shape[0]} pixels need at least about {memory:.1f} GB of memory and "
        f"{seconds / 60:.0f} minutes per seed in the book profile on one core"
    )


def read_pair(
    image_pair_paths: Any,
    *,
    true_middle_path: Any = None,
    invert: bool = False,
    band: int | None = None,
    value_range: Any = None,
    nodata: float | None = None,
    max_side: int | None = DEFAULT_MAX_SIDE,
) -> UserPair:
    """Read a user's pair (and true middle frame) by the rules of :mod:`latentdyn.image_files`.

    All images share one value mapping and one no-data mask. When the longer side exceeds
    ``max_side`` (``None`` or 0: never), every image is resized (anti-aliased) so that it fits,
    and a note says so with the memory estimate; at most 4 of 5 pixels may lack data.
    """
    from skimage import transform

    paths = path_list("image_pair_paths", image_pair_paths)
    if len(paths) != 2:
        raise ValueError(
            f"image_pair_paths must be two image paths (first, second), got {len(paths)}: {paths!r}; "
            'pass a list or one string such as "first.png second.png"'
        )
    named = [("image_pair_paths[0]", paths[0]), ("image_pair_paths[1]", paths[1])]
    if true_middle_path:
        named.append(("true_middle_path", true_middle_path))
    reads = [read_image(path, name=label, band=band, nodata=nodata) for label, path in named]
    shapes = {label: read.shape for (label, _), read in zip(named, reads)}
    if len(set(shapes.values())) > 1:
        raise ValueError(
            "the images must have one shape, got "
            + ", ".join(f"{label} {shape}" for label, shape in shapes.items())
            + "; crop or resize them to one size"
        )
    images, notes = map_values(reads, value_range=value_range)
    valid = np.logical_and.reduce([read.valid for read in reads])
    for read in reads:
        notes += read.notes
    missing = float(1 - valid.mean())
    if missing > 0.8:
        raise ValueError(
            f"{', '.join(str(r.path.name) for r in reads)}: {missing:.0%} of the pixels have no data "
            "(NaN, nodata or transparent) in at least one image; crop the images to the area with data"
        )
    if missing > 0:
        notes.append(
            f"{int((~valid).sum())} pixels ({missing:.1%}) lack data in at least one image: they are filled "
            "from their nearest valid neighbour for the methods and left out of every score."
        )
    images = [fill_invalid(np.nan_to_num(image, nan=0.0), valid) for image in images]
    if invert:
        images = [1.0 - image for image in images]
    original = reads[0].shape
    scale = 1.0
    if max_side:
        max_side = check_positive_int("max_side", max_side)
        if max(original) > max_side:
            scale = max_side / max(original)
            shape = (max(1, round(original[0] * scale)), max(1, round(original[1] * scale)))
            images = [transform.resize(image, shape, anti_aliasing=True, order=1) for image in images]
            valid = transform.resize(valid.astype(np.float64), shape, order=0, anti_aliasing=False) > 0.5
            notes.append(
                f"The images ({size_estimate(original)}) were downscaled by {1 / scale:.3g} to "
                f"{shape[1]} x {shape[0]} pixels (max_side={max_side}); velocities are in pixels of the "
                "downscaled images. Pass max_side=0 to keep the full size on a machine that has the memory."
            )
    elif max(original) > DEFAULT_MAX_SIDE:
        notes.append(f"max_side is off: {size_estimate(original)}.")
    images = [np.asarray(image, np.float32) for image in images]
    return UserPair(np.stack(images[:2]), images[2] if len(images) > 2 else None, valid, scale, original, notes)


def load_velocity(
    path: str | Path,
    shape: tuple[int, int],
    *,
    name: str = "true_velocity_path",
    velocity_order: str = "xy",
    original_shape: tuple[int, int] | None = None,
) -> np.ndarray:
    """Read a velocity file (see the module) as ``(2, H, W)`` float32, x then y, in pixels of
    the images as used.

    Args:
        path: a ``.npy`` file holding ``(2, H0, W0)`` or ``(H0, W0, 2)``, ``(H0, W0)`` the
            files' image size.
        shape: ``(H, W)`` of the images the velocity is used with.
        name: the caller's parameter.
        velocity_order: ``"xy"`` (component 0 along the columns, to the right) or ``"yx"``
            (component 0 along the rows, downwards); the result is always x then y.
        original_shape: ``(H0, W0)`` when the images were resized to ``shape``
            (:func:`read_pair`'s ``max_side``): the field is resized and its values scaled.
    """
    path = resolve_user_path(name, path)
    velocity_order = check_choice("velocity_order", velocity_order, VELOCITY_ORDERS)
    if path.suffix.lower() != ".npy":
        raise ValueError(f"{name} must be a NumPy .npy file, got {path.name}")
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise ValueError(f"{name}: cannot read {path}: {error}") from None
    array = np.asarray(array)
    source = tuple(original_shape or shape)
    if array.shape == (*source, 2):
        array = np.moveaxis(array, -1, 0)
    if array.shape != (2, *source):
        raise ValueError(
            f"{name}: expected an array of shape (2, {source[0]}, {source[1]}) or "
            f"({source[0]}, {source[1]}, 2) matching the images, got {array.shape} in {path.name}"
        )
    if not np.issubdtype(array.dtype, np.floating) and not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name}: expected numbers, got dtype {array.dtype} in {path.name}")
    array = array.astype(np.float32)
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: the velocity in {path.name} contains NaN or infinite values")
    if velocity_order == "yx":
        array = array[::-1].copy()
    if source != tuple(shape):
        from skimage import transform

        factors = (shape[1] / source[1], shape[0] / source[0])  # x, y
        array = np.stack(
            [
                transform.resize(component, shape, anti_aliasing=True, order=1) * factor
                for component, factor in zip(array, factors)
            ]
        )
    return array.astype(np.float32)


def _warp_residual(pair: np.ndarray, velocity: np.ndarray, valid: np.ndarray) -> float:
    """Mean |I0(x - v/2) - I1(x + v/2)| over valid pixels (v: x then y, pixels per interval)."""
    rows, cols = np.mgrid[0 : pair.shape[1], 0 : pair.shape[2]].astype(np.float64)
    back = ndimage.map_coordinates(pair[0], [rows - velocity[1] / 2, cols - velocity[0] / 2], order=1, mode="nearest")
    ahead = ndimage.map_coordinates(pair[1], [rows + velocity[1] / 2, cols + velocity[0] / 2], order=1, mode="nearest")
    return float(np.abs(back - ahead)[valid].mean())


def velocity_order_warning(
    pair: np.ndarray,
    velocity: np.ndarray,
    valid: np.ndarray | None = None,
    *,
    velocity_order: str = "xy",
    factor: float = 0.7,
) -> str | None:
    """A warning when the velocity with its components swapped carries the first image onto the
    second far better (residual below ``factor`` times that of the order given), else None."""
    valid = np.ones(pair.shape[1:], bool) if valid is None else valid
    given = _warp_residual(pair, velocity, valid)
    swapped = _warp_residual(pair, velocity[::-1], valid)
    if swapped < factor * given:
        other = "yx" if velocity_order == "xy" else "xy"
        return (
            f"true_velocity_path: with its two components swapped the velocity carries the first image onto the "
            f"second far better (mean residual {swapped:.4g} against {given:.4g} as given, "
            f"velocity_order={velocity_order!r}); if the file stores (v_y, v_x), pass velocity_order={other!r}."
        )
    return None


def masked_frame_scores(estimate: np.ndarray, truth: np.ndarray, valid: np.ndarray | None) -> dict[str, float]:
    """``{"psnr", "ssim", "mse"}`` of one ``(H, W)`` frame in [0, 1], counting only ``valid``
    pixels (SSIM: the mean of the SSIM map over them); all pixels when ``valid`` is None."""
    from latentdyn.inbetween import image_metrics

    if valid is None or valid.all():
        return image_metrics.frame_scores(estimate, truth)
    from skimage.metrics import structural_similarity

    estimate = np.clip(np.asarray(estimate, np.float64), 0.0, 1.0)
    truth = np.asarray(truth, np.float64)
    error = float(((estimate - truth)[valid] ** 2).mean())
    psnr = float("inf") if error == 0 else float(10 * np.log10(1.0 / error))
    _, ssim_map = structural_similarity(estimate, truth, data_range=1.0, full=True)
    return {"psnr": psnr, "ssim": float(ssim_map[valid].mean()), "mse": error}
