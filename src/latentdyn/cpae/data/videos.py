"""Video datasets of the CpAE chapters: simulated pendulums (with ground truth) and real frame folders.

Every dataset is a :class:`VideoDataset`: ``frames (N, T, C, H, W)`` uint8 video of ``N``
trajectories, the ground-truth states beside them, the frames at half steps ``(k + 1/2) dt``
of the test trajectories (for the in-between metric), and a train / val / test split of the
trajectories drawn from the seed. Generated datasets are cached under ``data/cache`` keyed by
every parameter that made them.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from natsort import natsorted
from scipy import ndimage

from latentdyn.cache import load_or_create
from latentdyn.cpae.data import mechanics
from latentdyn.cpae.data.rendering import render_discs
from latentdyn.validation import (
    check_choice,
    check_in_range,
    check_positive_float,
    check_positive_int,
)

SYSTEMS = ("damped_pendulum", "elastic_double_pendulum", "rigid_double_pendulum", "swing_stick")
BACKGROUND = (215 / 255, 205 / 255, 192 / 255)
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")
DATASET_VERSION = 2  # bump when the generators change, so that caches are not reused


@dataclass(frozen=True)
class CameraEffects:
    """Real-camera effects added to simulated videos (the paper's real-video systems).

    Attributes:
        texture_amplitude: amplitude of a smooth random background texture (intensity units).
        gradient: strength of a linear lighting gradient (relative brightness change across the image).
        blur_sigma: Gaussian blur, in pixels of a 128-pixel image (scaled with the resolution).
        noise_std: standard deviation of per-frame Gaussian sensor noise (intensity units).
    """

    texture_amplitude: float = 0.08
    gradient: float = 0.30
    blur_sigma: float = 1.5
    noise_std: float = 0.01


@dataclass
class VideoDataset:
    """Trajectories of video frames with their ground truth.

    Attributes:
        name: the system (or folder) the frames show.
        frames: ``(N, T, C, H, W)`` uint8.
        time_step: seconds between frames.
        states: ``(N, T, 2n)`` generalized coordinates and velocities, or ``None`` (real video).
        half_step_frames: ``(N_test, T - 1, C, H, W)`` uint8 frames at ``(k + 1/2) time_step`` of
            the test trajectories, or ``None``.
        splits: trajectory indices of ``"train"``, ``"val"`` and ``"test"``.
        source: for real videos, what :func:`load_frame_folders` loaded (``source.describe()``).
        content_digest: for real videos, a SHA-256 of the files' names and sizes and of the
            loaded frames (what a cache of results trained on them must be keyed by); ``None``
            for simulated videos (keyed by the parameters that made them).
    """

    name: str
    frames: np.ndarray
    time_step: float
    states: np.ndarray | None = None
    half_step_frames: np.ndarray | None = None
    splits: dict[str, np.ndarray] = field(default_factory=dict)
    content_digest: str | None = None
    source: FrameFolderSummary | None = field(default=None, repr=False)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.frames.shape[2:])


def split_indices(num_trajectories: int, seed: int, fractions=SPLIT_FRACTIONS) -> dict[str, np.ndarray]:
    """Deterministic train / val / test split of ``range(num_trajectories)`` from ``seed``."""
    num_trajectories = check_positive_int("num_trajectories", num_trajectories)
    if num_trajectories < 3:
        raise ValueError(f"num_trajectories must be at least 3 to split, got {num_trajectories}")
    order = np.random.default_rng([seed, 7]).permutation(num_trajectories)
    num_val = max(1, round(fractions[1] * num_trajectories))
    num_test = max(1, round(fractions[2] * num_trajectories))
    num_train = num_trajectories - num_val - num_test
    return {
        "train": np.sort(order[:num_train]),
        "val": np.sort(order[num_train : num_train + num_val]),
        "test": np.sort(order[num_train + num_val :]),
    }


def render_bars(
    segments: np.ndarray, widths, colours, extent: float, resolution: int, background=BACKGROUND
) -> np.ndarray:
    """Draw bars as anti-aliased rectangles.

    Args:
        segments: ``(M, B, 2, 2)`` start and end ``(x, y)`` of each bar (m), pivot at the centre.
        widths: ``(B,)`` bar widths (m).
        colours: ``(B, 3)`` RGB in [0, 1].
        extent: half-width of the square field of view (m).
        resolution: image side in pixels.
        background: RGB of the background.

    Returns:
        ``(M, 3, resolution, resolution)`` float32 images; row 0 is the top (``y = +extent``).
    """
    segments = np.asarray(segments, dtype=np.float64)
    if segments.ndim != 4 or segments.shape[2:] != (2, 2):
        raise ValueError(f"segments must be (M, B, 2, 2), got {segments.shape}")
    resolution = check_positive_int("resolution", resolution)
    pixel = 2 * extent / resolution
    coords = -extent + (np.arange(resolution) + 0.5) * pixel
    grid_x, grid_y = np.meshgrid(coords, -coords)  # (H, W): rows go down = y decreasing
    images = np.empty((segments.shape[0], 3, resolution, resolution), dtype=np.float32)
    images[:] = np.asarray(background, dtype=np.float32)[None, :, None, None]
    for bar, (width, colour) in enumerate(zip(widths, colours)):
        start, end = segments[:, bar, 0], segments[:, bar, 1]
        axis = end - start
        length = np.maximum(np.linalg.norm(axis, axis=-1), 1e-12)
        unit = axis / length[:, None]
        dx = grid_x[None] - start[:, 0, None, None]
        dy = grid_y[None] - start[:, 1, None, None]
        along = dx * unit[:, 0, None, None] + dy * unit[:, 1, None, None]
        across = np.abs(dx * unit[:, 1, None, None] - dy * unit[:, 0, None, None])
        # coverage of each pixel: product of three soft (one-pixel-wide) edges
        coverage = (
            _soft_step(along / pixel)
            * _soft_step((length[:, None, None] - along) / pixel)
            * _soft_step((0.5 * width - across) / pixel)
        ).astype(np.float32)
        colour = np.asarray(colour, dtype=np.float32)[None, :, None, None]
        images = images * (1 - coverage[:, None]) + colour * coverage[:, None]
    return images


def _soft_step(distance_in_pixels: np.ndarray) -> np.ndarray:
    return np.clip(distance_in_pixels + 0.5, 0.0, 1.0)


def apply_camera_effects(
    images: np.ndarray, effects: CameraEffects, rng: np.random.Generator, scene_seed: int
) -> np.ndarray:
    """Add a fixed background texture and lighting gradient, blur, and per-frame noise.

    Args:
        images: ``(M, 3, H, W)`` float images in [0, 1].
        effects: the effect strengths.
        rng: generator of the per-frame sensor noise.
        scene_seed: seeds the (static) texture, so that every trajectory shares one scene.
    """
    _, _, height, width = images.shape
    coarse = np.random.default_rng([scene_seed, 11]).normal(size=(1, 12, 12))
    texture = ndimage.zoom(coarse, (1, height / 12, width / 12), order=3) * np.array([1.0, 0.9, 0.8])[:, None, None]
    texture = effects.texture_amplitude * texture / max(np.abs(texture).max(), 1e-12)
    ramp = np.linspace(-0.5, 0.5, width)[None, :] + 0.5 * np.linspace(-0.5, 0.5, height)[:, None]
    lighting = 1.0 + effects.gradient * ramp
    background_mask = np.all(
        np.isclose(images, np.asarray(BACKGROUND, np.float32)[None, :, None, None], atol=1e-3), axis=1, keepdims=True
    )
    images = images + texture[None].astype(np.float32) * background_mask
    images = images * lighting[None, None].astype(np.float32)
    sigma = effects.blur_sigma * height / 128
    if sigma > 0:
        images = ndimage.gaussian_filter(images, sigma=(0, 0, sigma, sigma), mode="nearest")
    images = images + effects.noise_std * rng.standard_normal(images.shape).astype(np.float32)
    return np.clip(images, 0.0, 1.0)


def to_uint8(images: np.ndarray) -> np.ndarray:
    return np.round(np.clip(images, 0.0, 1.0) * 255).astype(np.uint8)


def build_system(name: str) -> mechanics.MechanicalSystem:
    """The mechanism behind a system name (see :data:`SYSTEMS`)."""
    check_choice("system", name, SYSTEMS)
    return {
        "damped_pendulum": mechanics.damped_pendulum,
        "elastic_double_pendulum": mechanics.elastic_double_pendulum,
        "rigid_double_pendulum": mechanics.rigid_double_pendulum,
        "swing_stick": mechanics.swing_stick,
    }[name]()


def default_time_step(name: str) -> float:
    """Seconds between frames: 1/30 for the damped pendulum (the paper's), 1/60 otherwise."""
    check_choice("system", name, SYSTEMS)
    return 1 / 30 if name == "damped_pendulum" else 1 / 60


def sample_initial_conditions(name: str, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Initial ``(q0, qdot0)``, each ``(count, n)``, from the distributions in NOTES.md (or our choice)."""
    if name == "damped_pendulum":
        return rng.uniform(0, math.pi / 2, (count, 1)), rng.uniform(-5, 5, (count, 1))
    if name == "elastic_double_pendulum":
        q = np.stack(
            [rng.uniform(0, 2 * math.pi, count), rng.uniform(-0.04, 0.04, count), rng.uniform(0, 2 * math.pi, count)],
            axis=1,
        )
        v = np.stack([rng.uniform(-6, 6, count), np.zeros(count), rng.uniform(-10, 10, count)], axis=1)
        return q, v
    if name == "rigid_double_pendulum":
        return rng.uniform(-math.pi / 2, math.pi / 2, (count, 2)), rng.uniform(-2, 2, (count, 2))
    return (
        np.stack([rng.uniform(-math.pi / 4, math.pi / 4, count), rng.uniform(-math.pi / 3, math.pi / 3, count)], 1),
        rng.uniform(-2, 2, (count, 2)),
    )


def _simulate_accepted(
    system: mechanics.MechanicalSystem,
    name: str,
    count: int,
    num_states: int,
    time_step: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """States ``(count, num_states, 2n)`` of trajectories whose bars stay inside 95 % of the view."""
    accepted: list[np.ndarray] = []
    while sum(len(a) for a in accepted) < count:
        q0, v0 = sample_initial_conditions(name, 2 * count, rng)
        states = system.simulate(q0, v0, time_step, num_states)
        reach = np.abs(system.segments(states)).max(axis=(1, 2, 3, 4))
        accepted.append(states[reach < 0.95 * system.extent])
    return np.concatenate(accepted)[:count]


def generate_system_video(
    name: str,
    *,
    num_trajectories: int,
    num_frames: int,
    resolution: int,
    seed: int,
    time_step: float | None = None,
    camera: CameraEffects | None = None,
    min_bar_pixels: float = 0.0,
    use_cache: bool = True,
) -> VideoDataset:
    """Simulate and render one of :data:`SYSTEMS` (cached).

    States are simulated every half frame, so that the test trajectories also get their
    half-step frames; training frames are the whole steps only. ``min_bar_pixels`` widens
    bars that would be drawn thinner than that many pixels (0 keeps the physical widths), so
    that thin bars stay visible at low resolution.
    """
    check_choice("system", name, SYSTEMS)
    num_trajectories = check_positive_int("num_trajectories", num_trajectories)
    num_frames = check_positive_int("num_frames", num_frames)
    resolution = check_positive_int("resolution", resolution)
    time_step = default_time_step(name) if time_step is None else check_positive_float("time_step", time_step)
    params = {
        "system": name,
        "num_trajectories": num_trajectories,
        "num_frames": num_frames,
        "resolution": resolution,
        "seed": seed,
        "time_step": time_step,
        "camera": None if camera is None else camera.__dict__,
        "min_bar_pixels": min_bar_pixels,
        "version": DATASET_VERSION,
    }

    def create() -> dict[str, np.ndarray]:
        system = build_system(name)
        rng = np.random.default_rng([seed, 3])
        fine = _simulate_accepted(system, name, num_trajectories, 2 * num_frames - 1, time_step / 2, rng)
        splits = split_indices(num_trajectories, seed)
        frames = _render(system, fine[:, ::2], resolution, camera, rng, seed, min_bar_pixels)
        half = _render(system, fine[splits["test"]][:, 1::2], resolution, camera, rng, seed, min_bar_pixels)
        return {
            "frames": frames,
            "states": fine[:, ::2],
            "half_step_frames": half,
            **{f"split_{key}": value for key, value in splits.items()},
        }

    arrays = load_or_create(f"video-{name}", params, create) if use_cache else create()
    return VideoDataset(
        name,
        arrays["frames"],
        time_step,
        arrays["states"],
        arrays["half_step_frames"],
        {key: arrays[f"split_{key}"] for key in ("train", "val", "test")},
    )


def render_states(name: str, states: np.ndarray, resolution: int, *, min_bar_pixels: float = 0.0) -> np.ndarray:
    """The frames :func:`generate_system_video` draws for ``states`` of system ``name``, without
    camera effects.

    Args:
        name: one of :data:`SYSTEMS`.
        states: ``(N, T, 2n)`` positions then velocities (the system's coordinates).
        resolution: pixels per side.
        min_bar_pixels: bars thinner than this many pixels are drawn this wide.

    Returns:
        ``(N, T, 3, H, W)`` uint8 frames.
    """
    check_choice("name", name, SYSTEMS)
    system = build_system(name)
    states = np.asarray(states, dtype=np.float64)
    if states.ndim != 3 or states.shape[-1] != 2 * system.num_coordinates:
        raise ValueError(f"states must be (N, T, {2 * system.num_coordinates}) for {name}, got {states.shape}")
    return _render(
        system,
        states,
        check_positive_int("resolution", resolution),
        None,
        np.random.default_rng(0),
        0,
        check_positive_float("min_bar_pixels", min_bar_pixels, allow_zero=True),
    )


def _render(
    system: mechanics.MechanicalSystem,
    states: np.ndarray,
    resolution: int,
    camera: CameraEffects | None,
    rng: np.random.Generator,
    seed: int,
    min_bar_pixels: float = 0.0,
) -> np.ndarray:
    """``states (N, T, 2n)`` -> uint8 frames ``(N, T, 3, H, W)``."""
    count, steps = states.shape[:2]
    segments = system.segments(states).reshape(count * steps, len(system.bars), 2, 2)
    pixel = 2 * system.extent / resolution
    widths = [max(bar.width, min_bar_pixels * pixel) for bar in system.bars]
    colours = [bar.colour for bar in system.bars]
    frames = []
    for chunk in np.array_split(np.arange(count * steps), max(1, count * steps // 512)):
        images = render_bars(segments[chunk], widths, colours, system.extent, resolution)
        if camera is not None:
            images = apply_camera_effects(images, camera, rng, seed)
        frames.append(to_uint8(images))
    return np.concatenate(frames).reshape(count, steps, 3, resolution, resolution)


FRAME_PATTERN = r"(?P<prefix>\D*?)(?P<number>\d+(?:\.\d+)?)"
SYSTEM_FILES = ("thumbs.db", "desktop.ini", "icon\r")
SAME_FORMAT = {".jpeg": ".jpg", ".tiff": ".tif"}


@dataclass
class FrameFolderSummary:
    """What :func:`load_frame_folders` loaded (``describe()`` says it in sentences).

    Attributes:
        root: the folder of videos.
        videos: names of the video sub-folders, in order.
        frames_per_video: frames kept per video (every video is cut to this length).
        frames_found: frames found in each video.
        source_size: ``(H, W)`` of the files (of the first video).
        resolution: side of the square frames after cropping and resizing.
        bit_depth: bits per sample of the files (8 or 16; 16-bit is scaled to 8-bit).
        frame_rate: frames per second.
        first_file, last_file: the first and last frame file of the first video.
        notes: what else was done (alpha composited, files skipped by the pattern, ...).
    """

    root: Path
    videos: list[str]
    frames_per_video: int
    frames_found: list[int]
    source_size: tuple[int, int]
    resolution: int
    bit_depth: int
    frame_rate: float
    first_file: str
    last_file: str
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        counts = sorted(set(self.frames_found))
        found = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]} to {counts[-1]}"
        return (
            f"Loaded {len(self.videos)} videos from {self.root}: {self.frames_per_video} frames per video "
            f"(found {found}), {self.source_size[1]} x {self.source_size[0]} pixels cropped and resized to "
            f"{self.resolution} x {self.resolution}, {self.bit_depth}-bit, {self.frame_rate:g} frames per "
            f"second; video {self.videos[0]} runs from {self.first_file} to {self.last_file}."
            + "".join(f" {note}" for note in self.notes)
        )


def _ignored(path: Path) -> bool:
    """Hidden and system files: dot files (macOS ``._*`` AppleDouble, ``.DS_Store``), Thumbs.db, ..."""
    return path.name.startswith((".", "~$")) or path.name.lower() in SYSTEM_FILES


def _frame_files(folder: Path, pattern, explicit: bool) -> tuple[list[tuple[float, Path]], list[str]]:
    """The frame files of one video as (number, path) in time order, and the names skipped."""
    files = [p for p in folder.iterdir() if p.is_file() and not _ignored(p)]
    frames, rejected = [], []
    for path in files:
        match = (
            pattern.fullmatch(path.name if explicit else path.stem)
            if path.suffix.lower() in IMAGE_SUFFIXES or explicit
            else None
        )
        if match is None or not (match.groupdict().get("number") or match.groups()):
            rejected.append(path.name)
            continue
        number = match.group("number") if "number" in pattern.groupindex else match.group(1)
        frames.append((float(number), match.groupdict().get("prefix") or "", path))
    if rejected and not explicit:
        listed = ", ".join(natsorted(rejected)[:8]) + (" ..." if len(rejected) > 8 else "")
        raise ValueError(
            f"frames_folder: {folder} holds {len(rejected)} files that are not frames named by their "
            f"number (e.g. 0000.png, frame_12.png, 0.125.png): {listed}. Remove them, or pass "
            "frame_pattern (a regular expression of the whole file name with a group "
            r"(?P<number>...), e.g. frame_pattern=r'(?P<number>\d+)\.png') to keep only the matching files"
        )
    prefixes = {prefix for _, prefix, _ in frames}
    if len(prefixes) > 1:
        raise ValueError(
            f"frames_folder: {folder} mixes frame names with different prefixes {sorted(prefixes)}; "
            "keep one sequence per folder, or pass frame_pattern to choose one"
        )
    suffixes = {SAME_FORMAT.get(p.suffix.lower(), p.suffix.lower()) for _, _, p in frames}
    if len(suffixes) > 1:
        by_format = {
            suffix: natsorted(
                p.name for _, _, p in frames if SAME_FORMAT.get(p.suffix.lower(), p.suffix.lower()) == suffix
            )
            for suffix in sorted(suffixes)
        }
        listed = "; ".join(
            f"{suffix}: {', '.join(names[:4])}{' ...' if len(names) > 4 else ''}" for suffix, names in by_format.items()
        )
        raise ValueError(f"frames_folder: {folder} mixes image formats ({listed}); one video must use one format")
    numbers = [number for number, _, _ in frames]
    if len(set(numbers)) != len(numbers):
        duplicates = natsorted(p.name for number, _, p in frames if numbers.count(number) > 1)
        raise ValueError(f"frames_folder: {folder} has several files with one frame number: {', '.join(duplicates)}")
    ordered = sorted(((number, path) for number, _, path in frames), key=lambda item: item[0])
    return ordered, rejected


def load_frame_folders(
    root: str | Path,
    *,
    resolution: int,
    time_step: float = 1 / 60,
    num_frames: int | None = None,
    seed: int = 0,
    frame_pattern: str | None = None,
    background: float = 0.0,
    verbose: bool = True,
) -> VideoDataset:
    """Load real videos stored as one folder of numbered image files per trajectory.

    This is the layout of the paper's real datasets (Chen et al. 2022: ``<root>/<video id>/<frame>.png``).
    The rules:

    - Videos are the sub-folders of ``root``, in natural order of their names (``natsort``).
    - Hidden and system files are ignored (names starting with ``.``, e.g. macOS ``._0000.png``
      and ``.DS_Store``; ``Thumbs.db``, ``desktop.ini``).
    - A frame file's name is its number: an integer (zero-padded or not) or a decimal time stamp,
      optionally after a fixed prefix (``0007.png``, ``frame_7.png``, ``12.375.png``); frames are
      ordered by that number. Any other file in a video folder (``background.png``,
      ``0000.z.png``) is refused with its name, unless ``frame_pattern`` (a regular expression
      matched against the whole file name, with a group ``(?P<number>...)``) is given: then
      only the files it matches are frames and the others are skipped (and counted).
    - One image format per video (mixtures are refused, listing the files), one frame size
      per video (refused otherwise); videos of different sizes are each centre-cropped to a
      square and resized to ``resolution`` x ``resolution``.
    - Pixels are read by :mod:`latentdyn.image_files`: 16-bit frames are scaled to 8-bit
      (within one grey level of their 8-bit copy), grey frames become RGB, partly transparent
      pixels are composited over the grey level ``background`` (in [0, 1]); float frames are refused.
    - Every video is cut to the shortest length (or ``num_frames``); a video whose frames do not
      change at all is refused (nothing to learn from), naming it.

    There is no ground truth: ``states`` and ``half_step_frames`` are ``None``. With ``verbose``
    the loaded summary (:class:`FrameFolderSummary`) is printed; it is also the dataset's
    ``source`` attribute.
    """
    import re

    from latentdyn.image_files import read_image, resolve_user_path

    root = resolve_user_path("frames_folder", root, kind="directory")
    resolution = check_positive_int("resolution", resolution)
    background = check_in_range("background", background, 0.0, 1.0)
    explicit = frame_pattern is not None
    try:
        pattern = re.compile(frame_pattern if explicit else FRAME_PATTERN)
    except re.error as error:
        raise ValueError(f"frame_pattern is not a valid regular expression: {error}") from None
    if explicit and not pattern.groups:
        raise ValueError(r"frame_pattern needs a group holding the frame number, e.g. r'(?P<number>\d+)\.png'")
    folders = natsorted((p for p in root.iterdir() if p.is_dir() and not _ignored(p)), key=lambda p: p.name)
    videos, skipped = [], 0
    for folder in folders:
        files, rejected = _frame_files(folder, pattern, explicit)
        skipped += len(rejected)
        if len(files) >= 2:
            videos.append((folder, [path for _, path in files]))
    if len(videos) < 3:
        short = len(folders) - len(videos)
        raise ValueError(
            f"frames_folder {root} must hold at least 3 sub-folders with >= 2 frame files each "
            f"(one folder per video): it has {len(folders)} sub-folder(s), of which {len(videos)} "
            f"hold >= 2 frames"
            + (f" ({short} hold fewer)" if short else "")
            + (f"; {skipped} file(s) do not match the frame pattern" if skipped else "")
        )
    length = min(len(v) for _, v in videos) if num_frames is None else check_positive_int("num_frames", num_frames)
    if any(len(v) < length for _, v in videos):
        raise ValueError(f"num_frames={length} is longer than the shortest video in {root}")

    bit_depths, notes, sizes = set(), [], {}

    def load(path: Path) -> tuple[np.ndarray, tuple[int, int]]:
        from PIL import Image

        image = read_image(path, name="frames_folder", colour=True, background=background)
        if image.kind != "brightness":
            raise ValueError(
                f"frames_folder ({path}): {image.dtype} pixels are data values, not brightness; "
                "save the frames as 8- or 16-bit images"
            )
        bit_depths.add(image.bit_depth)
        if image.alpha is not None and (image.alpha < 1).any() and not notes:
            notes.append(
                f"Frames with transparency (first: {path.name}) were composited over grey level "
                f"{background:g} (the background parameter)."
            )
        values = np.nan_to_num(image.values, nan=background)
        height, width = values.shape[:2]
        side = min(height, width)
        top, left = (height - side) // 2, (width - side) // 2
        square = np.round(values[top : top + side, left : left + side] * 255).astype(np.uint8)
        resized = Image.fromarray(square).resize((resolution, resolution), Image.Resampling.BILINEAR)
        return np.asarray(resized, dtype=np.uint8).transpose(2, 0, 1), (height, width)

    clips = []
    for folder, files in videos:
        loaded = [load(p) for p in files[:length]]
        shapes = {shape for _, shape in loaded}
        if len(shapes) > 1:
            odd = [p.name for p, (_, shape) in zip(files, loaded) if shape != loaded[0][1]]
            raise ValueError(
                f"frames_folder: the frames of {folder} differ in size ({sorted(shapes)}; e.g. "
                f"{', '.join(odd[:4])} differ from {files[0].name}); one video must have one frame size"
            )
        sizes[folder.name] = loaded[0][1]
        clips.append(np.stack([frame for frame, _ in loaded]))
    frames = np.stack(clips)
    still = [folder.name for (folder, _), clip in zip(videos, frames) if not np.any(clip != clip[:1])]
    if still:
        raise ValueError(
            f"frames_folder: {len(still)} of {len(videos)} videos do not move (every frame identical "
            f"after resizing to {resolution} pixels): {', '.join(still[:8])}"
            f"{' ...' if len(still) > 8 else ''}; remove them (a system cannot be learned from them)"
        )
    if skipped:
        notes.append(f"{skipped} files that frame_pattern did not match were skipped.")
    if 16 in bit_depths:
        notes.append("16-bit frames were scaled to 8-bit.")
    digest = hashlib.sha256()
    for _, files in videos:
        for path in files[:length]:
            digest.update(f"{path.relative_to(root)}:{path.stat().st_size};".encode())
    digest.update(np.ascontiguousarray(frames).tobytes())
    time_step = check_positive_float("time_step", time_step)
    first_folder, first_files = videos[0]
    summary = FrameFolderSummary(
        root,
        [folder.name for folder, _ in videos],
        length,
        [len(v) for _, v in videos],
        sizes[first_folder.name],
        resolution,
        max(bit_depths),
        1 / time_step,
        first_files[0].name,
        first_files[length - 1].name,
        notes,
    )
    if verbose:
        print(summary.describe())
    return VideoDataset(
        root.name, frames, time_step, None, None, split_indices(len(videos), seed), digest.hexdigest(), summary
    )


def frame_pairs(frames: np.ndarray) -> np.ndarray:
    """Consecutive frames side by side, the autoencoders' input (as in the authors' code).

    ``(N, T, C, H, W)`` uint8 -> ``(N, T - 1, C, H, 2W)`` float32 in [0, 1]: pair ``k`` shows
    frames ``k`` and ``k + 1``, so one latent state can carry position and velocity.
    """
    frames = np.asarray(frames)
    if frames.ndim != 5 or frames.shape[1] < 2:
        raise ValueError(f"frames must be (N, T >= 2, C, H, W), got {frames.shape}")
    # written in place into one array: the float32 copy, its scaled copy and the concatenation
    # of the direct form (astype, / 255, concatenate) cost five times as long on 64 px test videos
    count, steps, channels, height, width = frames.shape
    pairs = np.empty((count, steps - 1, channels, height, 2 * width), np.float32)
    np.divide(frames[:, :-1], np.float32(255.0), out=pairs[..., :width], dtype=np.float32)
    np.divide(frames[:, 1:], np.float32(255.0), out=pairs[..., width:], dtype=np.float32)
    return pairs


@dataclass
class CircleVideo:
    """The circular-motion video: one disc on a circle, single frames.

    Attributes:
        frames: ``(T, 1, H, W)`` float32 in [0, 1].
        angles: ``(T,)`` the disc's angle (rad) at each frame.
        half_step_frames: ``(T - 1, 1, H, W)`` frames at half steps.
        num_train: the first ``num_train`` frames train; the rest test the extrapolation.
    """

    frames: np.ndarray
    angles: np.ndarray
    half_step_frames: np.ndarray
    num_train: int
    time_step: float = 1.0


def generate_circle_video(
    *,
    resolution: int = 48,
    num_frames: int = 221,
    num_train: int = 71,
    radius: float = 0.1,
    orbit_radius: float = 0.35,
    angle_step: float = 0.1,
) -> CircleVideo:
    """A white disc ``sigmoid(500 (r^2 - d^2))`` turning ``angle_step`` rad per frame (the authors' data).

    Coordinates span [-0.5, 0.5)^2; the disc starts at ``(0, orbit_radius)``. One frame per
    unit of time.
    """
    resolution = check_positive_int("resolution", resolution)
    num_frames = check_positive_int("num_frames", num_frames)
    num_train = check_positive_int("num_train", num_train)
    if num_train >= num_frames:
        raise ValueError(f"num_train ({num_train}) must be smaller than num_frames ({num_frames})")
    check_in_range("radius", radius, 0.0, 0.5)
    fine_angles = angle_step * np.arange(2 * num_frames - 1) / 2
    centres = orbit_radius * np.stack([np.sin(fine_angles), np.cos(fine_angles)], axis=1)
    # render_discs works on [0, 1)^2: shift the centred coordinates by one half
    images = render_discs(torch.as_tensor(centres + 0.5), resolution, radius, edge="sigmoid", sharpness=500)
    images = images.numpy().astype(np.float32)[:, None]
    return CircleVideo(images[::2], fine_angles[::2], images[1::2], num_train)
