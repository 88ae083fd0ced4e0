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

from pathlib import Path

import numpy as np
from scipy import linalg, ndimage

from latentdyn.data.seaice import SeaIceSequence
from latentdyn.validation import check_existing_path, check_in_range, check_positive_int

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


def warped_photograph(size: int = 128, *, rotation_degrees: float = 8.0, shear: float = 0.08,
                      num_frames: int = 5, photo: str = "camera") -> SeaIceSequence:
    """A photograph carried by the steady flow ``v(x) = A (x - c)`` (:func:`linear_flow_matrix`).

    The frame at ``t`` samples the photograph (resized to a canvas 1.6 times larger, so that
    no frame samples outside it) at ``c + expm(-t A) (x - c)``; the velocity is the same at
    every time. Returns a :class:`~latentdyn.data.seaice.SeaIceSequence` (frames ``(T, size,
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
    return SeaIceSequence("warped_photograph", np.clip(np.stack(frames), 0, 1).astype(np.float32), times,
                          np.repeat(velocity[None], num_frames, axis=0).astype(np.float32),
                          dict(size=size, rotation_degrees=rotation_degrees, shear=shear, photo=photo))


def write_pair(sequence: SeaIceSequence, folder: str | Path) -> dict[str, Path]:
    """Write the first, last and middle frames (16-bit PNG) and the middle velocity (``.npy``).

    Returns the paths under the keys ``first``, ``second``, ``middle``, ``velocity``.
    """
    from skimage import io

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"first": folder / "first.png", "second": folder / "second.png",
             "middle": folder / "middle.png", "velocity": folder / "velocity.npy"}
    for key, index in (("first", 0), ("second", -1), ("middle", sequence.middle)):
        io.imsave(paths[key], np.round(sequence.frames[index] * 65535).astype(np.uint16), check_contrast=False)
    np.save(paths["velocity"], sequence.velocity[sequence.middle])
    return paths


def load_velocity(path: str | Path, shape: tuple[int, int], *, name: str = "true_velocity_path") -> np.ndarray:
    """Read a velocity file (see the module) as ``(2, H, W)`` float32, checked against ``shape``."""
    path = check_existing_path(name, path)
    if path.suffix.lower() != ".npy":
        raise ValueError(f"{name} must be a NumPy .npy file, got {path.name}")
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise ValueError(f"{name}: cannot read {path}: {error}") from None
    array = np.asarray(array)
    if array.shape == (*shape, 2):
        array = np.moveaxis(array, -1, 0)
    if array.shape != (2, *shape):
        raise ValueError(f"{name}: expected an array of shape (2, {shape[0]}, {shape[1]}) or "
                         f"({shape[0]}, {shape[1]}, 2) matching the images, got {array.shape} in {path.name}")
    if not np.issubdtype(array.dtype, np.floating) and not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name}: expected numbers, got dtype {array.dtype} in {path.name}")
    array = array.astype(np.float32)
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: the velocity in {path.name} contains NaN or infinite values")
    return array
