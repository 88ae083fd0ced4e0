"""One reader for every image file a user gives the package (image pairs and video frames).

The rules, stated once (the README's "your own data" section repeats them):

- **Formats.** PNG, JPEG, BMP, GIF (first frame) and WebP through Pillow; TIFF through
  ``tifffile`` (any dtype, any number of bands). EXIF orientation is honoured
  (``PIL.ImageOps.exif_transpose``). Palette images are expanded to their colours.
- **Bit depth** comes from the file's real content: 1-bit, 8-bit and 16-bit unsigned images
  are divided by 1, 255 and 65535 (a 16-bit PNG that Pillow opens as 32-bit ``"I"`` is
  16-bit); a 16-bit frame therefore equals its 8-bit copy to within one grey level. A PNG's
  ``sBIT`` chunk (significant bits) is honoured: a 16-bit PNG that declares 12 significant bits
  and holds values up to 4095 (unscaled camera data) is divided by 4095, one whose values span
  the container (scaled as the PNG standard asks) by 65535. A 16-bit file without ``sBIT`` whose
  values use less than a quarter of the container's range (12-bit data in a 16-bit file, say),
  and float data inside [0, 1] that use less than a sixteenth of it, get one warning naming the
  likely bit depth and the ``value_range`` to pass. For integer files ``value_range`` is in the
  file's own units (``(0, 4095)`` for 12-bit data).
- **Data values** (float and signed-integer pixels, e.g. backscatter in decibels) are not
  brightness: they are mapped linearly to [0, 1] by ``value_range=(low, high)`` when given,
  else by a stated automatic rule — float data already inside [0, 1] is kept, anything else
  is mapped from its 0.5th to its 99.5th percentile (over every image read together, so a
  pair keeps one scale) — and :attr:`ImageRead.notes` says what was done (data that look
  like decibels are named so).
- **No-data** (NaN or infinite values, a ``nodata`` value given or stored in the TIFF's
  ``GDAL_NODATA`` tag, alpha = 0) becomes ``valid = False`` in :attr:`ImageRead.valid`;
  the pixels are filled from their nearest valid neighbour so the methods can run, and the
  scores count only valid pixels. Partly transparent pixels (0 < alpha < 1) are composited
  over ``background``.
- **Bands.** Grey, grey + alpha, RGB and RGBA are recognised (grey = ITU-R 601 luma of RGB,
  as Pillow's ``"L"``); any other multi-band file (e.g. two SAR polarisations) needs
  ``band=k``, and a shape whose band axis is ambiguous is refused with the shape.

Every error names the caller's parameter and the file and says what to pass instead.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

PIL_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
TIFF_SUFFIXES = (".tif", ".tiff")
IMAGE_SUFFIXES = PIL_SUFFIXES + TIFF_SUFFIXES
LUMA = np.array([0.299, 0.587, 0.114])
CALLER_CWD_VARIABLE = "LATENTDYN_CALLER_CWD"
MAX_BANDS = 16  # an axis this long or shorter may hold bands; the image sides are longer


@dataclass
class ImageRead:
    """An image file read by :func:`read_image`.

    Attributes:
        path: the file (absolute).
        values: ``(H, W)`` grey (``colour=False``) or ``(H, W, 3)`` RGB, float64, before the
            mapping of data values (brightness files are already in [0, 1]).
        valid: ``(H, W)`` bool, False where the file has no data (NaN, nodata, alpha = 0).
        alpha: ``(H, W)`` opacity in [0, 1], or None.
        kind: ``"brightness"`` (unsigned integers: scaled by the bit depth) or ``"data"``
            (float or signed integers: needs a value range, see :func:`map_values`).
        bit_depth: bits per sample of the file (1, 8, 16, 32, 64).
        dtype: the file's sample type (``"uint16"``, ``"float32"``, ...).
        scale: what brightness values were divided by (255, 65535, 4095 for 12 significant bits;
            1 for data values): ``values * scale`` are the file's own numbers.
        notes: what was done, in sentences for the user.
    """

    path: Path
    values: np.ndarray
    valid: np.ndarray
    alpha: np.ndarray | None
    kind: str
    bit_depth: int
    dtype: str
    notes: list[str] = field(default_factory=list)
    scale: float = 1.0

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.values.shape[:2])


def caller_directory() -> Path:
    """Where relative paths are resolved: ``$LATENTDYN_CALLER_CWD`` (set by ``make rerun`` to
    the directory the user ran it from) or else the current directory."""
    given = os.environ.get(CALLER_CWD_VARIABLE)
    return Path(given) if given else Path.cwd()


def resolve_user_path(name: str, path: Any, *, kind: str = "file") -> Path:
    """``path`` made absolute against :func:`caller_directory` and checked to exist.

    Raises ``FileNotFoundError`` naming ``name``, the absolute path tried and the rule."""
    if not isinstance(path, str | Path) or not str(path).strip():
        raise ValueError(f"{name} must be a path (str or Path), got {path!r}")
    given = Path(str(path).strip()).expanduser()
    resolved = given if given.is_absolute() else caller_directory() / given
    exists = resolved.is_file() if kind == "file" else resolved.is_dir()
    if not exists:
        rule = (
            ""
            if given.is_absolute()
            else f" (a relative path is resolved against {caller_directory()}, the directory the command was "
            f"run from; pass an absolute path if the {kind} is elsewhere)"
        )
        raise FileNotFoundError(f"{name}: no such {kind}: {resolved}{rule}")
    return resolved


_UNREADABLE = (
    "The file is damaged, cut short or not in the format its name says: re-save it as PNG or TIFF "
    "from a program that opens it, or pass another file."
)


def _fail(name: str, path: Path, text: str) -> ValueError:
    return ValueError(f"{name} ({path.name}): {text}")


def _read_tiff(path: Path, name: str) -> tuple[np.ndarray, float | None, str | None]:
    """The TIFF's first page as an array, its GDAL nodata value and its photometric name."""
    import tifffile

    try:
        with tifffile.TiffFile(path) as tiff:
            page = tiff.pages[0]
            array = page.asarray()
            nodata = None
            tag = page.tags.get(42113)  # GDAL_NODATA
            if tag is not None:
                try:
                    nodata = float(str(tag.value).strip().strip("\x00"))
                except ValueError:
                    nodata = None
            photometric = getattr(page.photometric, "name", None)
    except Exception as error:  # tifffile raises TiffFileError, ValueError, ...
        reason = (str(error).splitlines() or [""])[0]
        raise _fail(
            name, path, f"cannot read the TIFF file {path} ({type(error).__name__}: {reason}). {_UNREADABLE}"
        ) from None
    return np.asarray(array), nodata, photometric


def _read_pil(path: Path, name: str) -> tuple[np.ndarray, str]:
    """The image as an array in its own sample type, and Pillow's mode after orientation."""
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as opened:
            opened.seek(0)
            image = ImageOps.exif_transpose(opened)
            image.load()
    except Exception as error:  # decoders raise OSError, ValueError, SyntaxError, ...
        reason = (str(error).splitlines() or [""])[0]
        raise _fail(
            name, path, f"cannot read the image file {path} ({type(error).__name__}: {reason}). {_UNREADABLE}"
        ) from None
    mode = image.mode
    if mode in ("P", "PA"):
        image = image.convert("RGBA")
        mode = "RGBA"
    elif mode in ("CMYK", "YCbCr", "LAB", "HSV"):
        image = image.convert("RGB")
        mode = "RGB"
    elif mode == "1":
        image = image.convert("L")
        mode = "1"
    return np.asarray(image), mode


def _band_axis(shape: tuple[int, ...], name: str, path: Path) -> int | None:
    """The band axis of a 3-D array: the one short axis (<= MAX_BANDS) among first and last."""
    first, last = shape[0] <= MAX_BANDS, shape[-1] <= MAX_BANDS
    if first and last and shape[0] != shape[-1]:
        raise _fail(
            name,
            path,
            f"the array has shape {shape}: its bands could be the first axis or the last; "
            "save it with the bands last, (H, W, bands), or as one band per file",
        )
    if last:
        return 2
    if first:
        return 0
    raise _fail(
        name,
        path,
        f"the array has shape {shape}: no axis is short enough to hold bands "
        f"(at most {MAX_BANDS}); save one 2-D image per file",
    )


def read_image(
    path: Any,
    *,
    name: str = "path",
    band: int | None = None,
    nodata: float | None = None,
    colour: bool = False,
    background: float = 0.0,
) -> ImageRead:
    """Read one image file by the module's rules (values not yet mapped: see :func:`map_values`).

    Args:
        path: the file; a relative path is resolved against :func:`caller_directory`.
        name: the caller's parameter (named in every error).
        band: which band of a multi-band file to read (0-based), or None.
        nodata: a value that marks pixels without data (besides NaN and the TIFF's tag).
        colour: return ``(H, W, 3)`` RGB instead of grey.
        background: grey level in [0, 1] under partly transparent pixels.
    """
    path = resolve_user_path(name, path)
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise _fail(name, path, f"unsupported file type {suffix or '(none)'}; use one of {', '.join(IMAGE_SUFFIXES)}")
    notes: list[str] = []
    file_nodata = None
    if suffix in TIFF_SUFFIXES:
        array, file_nodata, photometric = _read_tiff(path, name)
        layout = "rgb" if photometric == "RGB" else None
    else:
        array, mode = _read_pil(path, name)
        layout = {
            "L": "grey",
            "1": "grey",
            "LA": "grey_alpha",
            "RGB": "rgb",
            "RGBA": "rgba",
            "RGBX": "rgb",
            "I": "grey",
            "I;16": "grey",
            "I;16B": "grey",
            "I;16L": "grey",
            "F": "grey",
        }.get(mode)
        if layout is None:
            raise _fail(name, path, f"unsupported image mode {mode!r}; save it as grey, grey + alpha, RGB or RGBA")
        if mode == "1":
            array = array.astype(np.uint8) * 255 if array.dtype == bool else array
        if mode == "I" and array.size and array.min() >= 0 and array.max() <= 65535:
            array = array.astype(np.uint16)  # a 16-bit PNG opened as 32-bit integers
    if array.dtype == object or array.size == 0:
        raise _fail(name, path, f"cannot read the image file {path} (no pixel data)")
    array = np.squeeze(array) if array.ndim > 2 else array
    dtype = array.dtype
    alpha = None
    if array.ndim == 3:
        if suffix not in TIFF_SUFFIXES:
            axis = 2  # Pillow: bands last
        elif layout == "rgb" and array.shape[-1] in (3, 4):
            axis = 2
        elif layout == "rgb" and array.shape[0] in (3, 4):
            axis = 0  # RGB stored plane by plane
        else:
            axis = _band_axis(array.shape, name, path)
        bands = np.moveaxis(array, axis, -1)
        count = bands.shape[-1]
        if band is not None:
            if not 0 <= int(band) < count:
                raise _fail(
                    name,
                    path,
                    f"band={band} but the file has {count} bands (shape {array.shape}); "
                    f"pass band between 0 and {count - 1}",
                )
            bands = bands[..., int(band)]
            notes.append(f"{path.name}: band {int(band)} of {count} was read.")
        elif layout in ("rgb", "rgba") or (
            layout is None and count in (3, 4) and axis == 2 and np.issubdtype(dtype, np.unsignedinteger)
        ):
            if count == 4:
                alpha = bands[..., 3]
            bands = bands[..., :3]
        elif layout == "grey_alpha" or (
            count == 2 and np.issubdtype(dtype, np.unsignedinteger) and axis == 2 and suffix not in TIFF_SUFFIXES
        ):
            alpha, bands = bands[..., 1], bands[..., 0]
        else:
            where = "first" if axis == 0 else "last"
            raise _fail(
                name,
                path,
                f"the file has {count} bands (shape {array.shape}, bands {where}) and it is "
                f"not RGB(A): choose one with band=0 ... band={count - 1}",
            )
        array = bands
    elif array.ndim != 2:
        raise _fail(name, path, f"expected a 2-D image (or bands of one), got shape {array.shape}")
    elif band not in (None, 0):
        raise _fail(name, path, f"band={band} but the file has a single band (shape {array.shape})")

    scale, boolean = 1.0, dtype == np.dtype(bool)
    if np.issubdtype(dtype, np.unsignedinteger) or boolean:
        kind, bit_depth = "brightness", (1 if boolean else 8 * dtype.itemsize)
        scale = 1.0 if boolean else float(np.iinfo(dtype).max)
        significant = png_significant_bits(path) if suffix == ".png" and not boolean else None
        if significant is not None and significant < bit_depth:
            unscaled = float(2**significant - 1)
            if array.max() <= unscaled:
                scale = unscaled
                notes.append(
                    f"{path.name}: the PNG declares {significant} significant bits (sBIT) and its values "
                    f"stay within 0 ... {int(unscaled)}: divided by {int(unscaled)}, not {np.iinfo(dtype).max}."
                )
        values = array.astype(np.float64) / scale
    else:
        kind, bit_depth = "data", 8 * dtype.itemsize
        values = array.astype(np.float64)
    valid = np.isfinite(values) if values.ndim == 2 else np.isfinite(values).all(axis=-1)
    for marker, origin in ((nodata, "nodata"), (file_nodata, "the file's GDAL_NODATA tag")):
        if marker is not None and np.isfinite(marker):
            raw = array.astype(np.float64)
            hit = raw == marker if raw.ndim == 2 else (raw == marker).all(axis=-1)
            if hit.any():
                valid &= ~hit
                notes.append(f"{path.name}: {int(hit.sum())} pixels equal to {marker:g} ({origin}) have no data.")
    if alpha is not None:
        opacity = alpha.astype(np.float64) / (
            float(np.iinfo(alpha.dtype).max) if np.issubdtype(alpha.dtype, np.integer) else 1.0
        )
        transparent = opacity <= 0
        if transparent.any():
            valid &= ~transparent
            notes.append(f"{path.name}: {int(transparent.sum())} fully transparent pixels (alpha = 0) have no data.")
        partial = (opacity > 0) & (opacity < 1)
        if partial.any():
            weight = opacity if values.ndim == 2 else opacity[..., None]
            values = weight * values + (1 - weight) * background
            notes.append(
                f"{path.name}: {int(partial.sum())} partly transparent pixels were composited over "
                f"grey level {background:g}."
            )
        alpha = opacity
    if not valid.any():
        raise _fail(name, path, "no pixel has data (every pixel is NaN, nodata or transparent)")
    values = np.where(valid if values.ndim == 2 else valid[..., None], values, np.nan)
    if not colour and values.ndim == 3:
        values = values @ LUMA
    elif colour and values.ndim == 2:
        values = np.repeat(values[..., None], 3, axis=-1)
    return ImageRead(path, values, valid, alpha, kind, bit_depth, str(dtype), notes, scale)


def png_significant_bits(path: Path) -> int | None:
    """The largest significant-bit count of a PNG's ``sBIT`` chunk (one byte per channel), or
    ``None`` when the file has none (or is not a readable PNG). Reads the chunks before the image data."""
    try:
        with open(path, "rb") as stream:
            if stream.read(8) != b"\x89PNG\r\n\x1a\n":
                return None
            while True:
                header = stream.read(8)
                if len(header) < 8:
                    return None
                length, kind = int.from_bytes(header[:4], "big"), header[4:]
                if kind == b"sBIT":
                    bits = stream.read(length)
                    return max(bits) if bits else None
                if kind in (b"IDAT", b"IEND"):
                    return None
                stream.seek(length + 4, os.SEEK_CUR)  # the data and its CRC
    except OSError:
        return None


def range_warning(image: ImageRead) -> str | None:
    """A sentence when the file's values use only a small part of its container's range: a 16-bit
    integer file (without ``sBIT``) whose maximum is below a quarter of 65535, or float data in
    [0, 1] whose maximum is below 1/16; it names the likely bit depth and the ``value_range`` to pass."""
    finite = image.values[np.isfinite(image.values)]
    if finite.size == 0:
        return None
    top = float(finite.max())
    if image.kind == "brightness" and image.bit_depth == 16 and image.scale == 65535.0:
        raw_max = int(round(top * image.scale))
        if raw_max >= 2**14:
            return None
        bits = next(b for b in (8, 10, 12, 14) if raw_max < 2**b)
        return (
            f"{image.path.name} is a 16-bit file whose values reach only {raw_max} "
            f"({100 * raw_max / 65535:.1f} % of its range): probably {bits}-bit data. Read as it is, it looks "
            f"almost black and every score on it is too optimistic; pass value_range=(0, {2**bits - 1}) "
            "to use its own scale."
        )
    if image.kind == "data" and finite.min() >= 0.0 and 0.0 < top < 1 / 16:
        return (
            f"{image.path.name} holds float values in [0, {top:.4g}], a small part of [0, 1]: perhaps integer "
            f"data divided by the wrong maximum. Pass value_range=(0, {top:.4g}) (or the data's true range) "
            "to use its own scale."
        )
    return None


def looks_like_decibels(low: float, high: float) -> bool:
    """Whether a value range looks like radar backscatter in decibels (mostly negative, within
    -60 ... +20 dB)."""
    return low >= -60.0 and high <= 20.0 and low < 0.0 and (high - low) > 0.5 and high < 10.0


def map_values(
    images: list[ImageRead], *, value_range: tuple[float, float] | None = None, name: str = "value_range"
) -> tuple[list[np.ndarray], list[str]]:
    """Map every image to [0, 1] float32 with one rule shared by all (see the module).

    Returns the images (NaN where ``valid`` is False) and sentences saying what was done.
    """
    notes: list[str] = []
    if value_range is not None:
        low, high = parse_value_range(value_range, name)
        own = [image.values * image.scale for image in images]  # the files' own units
        mapped = [np.clip((values - low) / (high - low), 0.0, 1.0) for values in own]
        outside = sum(int(((values < low) | (values > high)).sum()) for values in own)
        notes.append(
            f"Values mapped linearly from [{low:g}, {high:g}] ({name}) to [0, 1]"
            + (f"; {outside} pixels outside it were clipped." if outside else ".")
        )
        return [m.astype(np.float32) for m in mapped], notes
    for image in images:
        warning = range_warning(image)
        if warning is not None:
            warnings.warn(warning, UserWarning, stacklevel=2)
    data = [image for image in images if image.kind == "data"]
    if not data:
        return [image.values.astype(np.float32) for image in images], notes
    finite = np.concatenate([image.values[np.isfinite(image.values)].ravel() for image in data])
    if finite.min() >= 0.0 and finite.max() <= 1.0:
        notes.append("Float pixels already in [0, 1] were used as brightness.")
        return [image.values.astype(np.float32) for image in images], notes
    low, high = (float(v) for v in np.percentile(finite, [0.5, 99.5]))
    if high <= low:
        low, high = float(finite.min()), float(finite.max())
    if high <= low:
        raise ValueError(
            f"{', '.join(image.path.name for image in data)}: every pixel has the value {low:g}; "
            "there is nothing to see"
        )
    what = (
        "They look like radar backscatter in decibels (all within -60 ... +20, mostly negative); "
        if looks_like_decibels(float(finite.min()), float(finite.max()))
        else ""
    )
    mapped = []
    for image in images:
        values = image.values if image.kind == "data" else image.values * (high - low) + low
        mapped.append(np.clip((values - low) / (high - low), 0.0, 1.0).astype(np.float32))
    notes.append(
        f"{', '.join(image.path.name for image in data)} hold data values from {finite.min():.4g} to "
        f"{finite.max():.4g}, not brightness. {what}they were mapped linearly to [0, 1] from their 0.5th to "
        f"99.5th percentile, [{low:.4g}, {high:.4g}], one scale for every image. Pass "
        f"{name}=(low, high) to choose the range (e.g. (-25, 0) for backscatter in dB)."
    )
    return mapped, notes


def parse_value_range(value: Any, name: str = "value_range") -> tuple[float, float]:
    """``(low, high)`` from a pair of numbers or a string ``"low high"`` / ``"low,high"``."""
    parts = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    try:
        low, high = (float(v) for v in parts)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be two numbers (low, high), got {value!r}") from None
    if not (np.isfinite(low) and np.isfinite(high) and high > low):
        raise ValueError(f"{name} must be two finite numbers with low < high, got {value!r}")
    return low, high


def fill_invalid(image: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """``image`` with each pixel where ``valid`` is False replaced by its nearest valid pixel."""
    from scipy import ndimage

    if valid.all():
        return image
    indices = ndimage.distance_transform_edt(~valid, return_distances=False, return_indices=True)
    return image[tuple(indices)]


def warn_notes(notes: list[str]) -> None:
    """Show the reader's notes as one warning (what was done to the user's data)."""
    if notes:
        warnings.warn(" ".join(notes), UserWarning, stacklevel=3)
