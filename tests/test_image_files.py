"""The one image reader (latentdyn.image_files) and the frame-folder reader, on small
files written inside the tests: each kind of file a user brings, with the right value asserted."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import tifffile
from PIL import Image

from latentdyn.cpae.data.videos import load_frame_folders
from latentdyn.image_files import map_values, read_image, resolve_user_path
from latentdyn.inbetween.data.seaice import load_image, load_image_pair
from latentdyn.inbetween.data.user_pairs import (
    load_velocity,
    masked_frame_scores,
    path_list,
    read_pair,
    velocity_order_warning,
    warped_photograph,
)


def _ramp(height=24, width=32):
    rows, cols = np.mgrid[0:height, 0:width]
    return (rows * 7 + cols * 3) % 256


# ------------------------------------------------------------------------------ single images


def test_decibel_tiff_is_mapped_not_clipped(tmp_path):
    decibels = (-15 + 11 * _ramp() / 255).astype(np.float32)
    tifffile.imwrite(tmp_path / "a.tif", decibels)
    tifffile.imwrite(tmp_path / "b.tif", decibels[::-1].copy())
    with pytest.warns(UserWarning, match="decibels"):
        first, second = load_image_pair((tmp_path / "a.tif", tmp_path / "b.tif"))
    assert first.std() > 0.2 and 0 <= first.min() and first.max() <= 1
    # an explicit range is a linear map (and says so)
    with pytest.warns(UserWarning, match="mapped linearly"):
        first, _ = load_image_pair((tmp_path / "a.tif", tmp_path / "b.tif"), value_range=(-25, 0))
    np.testing.assert_allclose(first, (decibels + 25) / 25, atol=1e-6)
    with pytest.warns(UserWarning, match="mapped linearly"):
        first, _ = load_image_pair((tmp_path / "a.tif", tmp_path / "b.tif"), value_range="-25, 0")
    np.testing.assert_allclose(first, (decibels + 25) / 25, atol=1e-6)
    with pytest.raises(ValueError, match="value_range"):
        load_image_pair((tmp_path / "a.tif", tmp_path / "b.tif"), value_range=(0, -25))


def test_pair_keeps_one_scale(tmp_path):
    """Automatic mapping uses both images together: a darker second image stays darker."""
    base = (-15 + 11 * _ramp() / 255).astype(np.float32)
    tifffile.imwrite(tmp_path / "a.tif", base)
    tifffile.imwrite(tmp_path / "b.tif", base - 2)
    with pytest.warns(UserWarning):
        first, second = load_image_pair((tmp_path / "a.tif", tmp_path / "b.tif"))
    assert second.mean() < first.mean() - 0.1


def test_nan_nodata_becomes_a_mask(tmp_path):
    image = (_ramp() / 255).astype(np.float32)
    image[:, 3:6] = np.nan
    tifffile.imwrite(tmp_path / "a.tif", image)
    read = read_image(tmp_path / "a.tif")
    assert not read.valid[:, 3:6].any() and read.valid[:, 6:].all()
    tifffile.imwrite(tmp_path / "b.tif", image)
    pair = read_pair((tmp_path / "a.tif", tmp_path / "b.tif"))
    assert np.isfinite(pair.pair).all() and not pair.valid[:, 3:6].any()
    assert any("lack data" in note for note in pair.notes)
    # a nodata value given by the user
    coded = np.where(np.isnan(image), -9999, image).astype(np.float32)
    tifffile.imwrite(tmp_path / "c.tif", coded)
    assert not read_image(tmp_path / "c.tif", nodata=-9999).valid[:, 3:6].any()


def test_two_band_tiff_bands_first_needs_band(tmp_path):
    bands = np.stack([_ramp(64, 64), 255 - _ramp(64, 64)]).astype(np.uint8)  # (2, 64, 64)
    tifffile.imwrite(tmp_path / "two.tif", bands, photometric="minisblack", planarconfig="separate")
    with pytest.raises(ValueError, match=r"2 bands \(shape \(2, 64, 64\).*band=0 \.\.\. band=1"):
        read_image(tmp_path / "two.tif", name="image_pair_paths[0]")
    second = read_image(tmp_path / "two.tif", band=1)
    assert second.shape == (64, 64)
    np.testing.assert_allclose(second.values, bands[1] / 255)
    with pytest.raises(ValueError, match="band=2"):
        read_image(tmp_path / "two.tif", band=2)


def test_grey_alpha_png(tmp_path):
    grey = _ramp().astype(np.uint8)
    alpha = np.full_like(grey, 255)
    alpha[:4] = 0
    Image.fromarray(np.stack([grey, alpha], axis=-1), mode="LA").save(tmp_path / "la.png")
    read = read_image(tmp_path / "la.png")
    np.testing.assert_allclose(read.values[4:], grey[4:] / 255)  # grey only, not averaged with alpha
    assert not read.valid[:4].any() and read.valid[4:].all()


def test_palette_and_exif_orientation(tmp_path):
    grey = _ramp().astype(np.uint8)
    Image.fromarray(grey).convert("P").save(tmp_path / "p.png")
    np.testing.assert_allclose(read_image(tmp_path / "p.png").values, grey / 255, atol=1 / 255)
    image = Image.fromarray(grey)
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    image.save(tmp_path / "rotated.png", exif=exif)
    assert read_image(tmp_path / "rotated.png").shape == (32, 24)


def test_16_bit_png_equals_8_bit_copy(tmp_path):
    eight = _ramp().astype(np.uint8)
    Image.fromarray(eight.astype(np.uint16) * 257).save(tmp_path / "16.png")
    Image.fromarray(eight).save(tmp_path / "8.png")
    sixteen = read_image(tmp_path / "16.png")
    assert sixteen.bit_depth == 16
    np.testing.assert_allclose(sixteen.values, read_image(tmp_path / "8.png").values, atol=1 / 255)


def test_signed_integers_are_data(tmp_path):
    tifffile.imwrite(tmp_path / "s.tif", (_ramp().astype(np.int16) - 300))
    read = read_image(tmp_path / "s.tif")
    assert read.kind == "data"
    (mapped,), notes = map_values([read])
    assert mapped.min() == 0 and mapped.max() == 1 and notes


def test_paths_as_users_pass_them(tmp_path, monkeypatch):
    assert path_list("p", "first.png second.png") == ("first.png", "second.png")
    assert path_list("p", "first.png, second.png") == ("first.png", "second.png")
    assert path_list("p", ["a.png", "b.png"]) == ("a.png", "b.png")
    assert path_list("p", "") == ()
    Image.fromarray(_ramp().astype(np.uint8)).save(tmp_path / "a.png")
    monkeypatch.setenv("LATENTDYN_CALLER_CWD", str(tmp_path))
    assert resolve_user_path("x", "a.png") == tmp_path / "a.png"
    with pytest.raises(FileNotFoundError, match=rf"{tmp_path}/missing.png.*resolved against {tmp_path}"):
        resolve_user_path("image_pair_paths[1]", "missing.png")
    with pytest.raises(ValueError, match="must be two image paths.*got 1"):
        read_pair("a.png")


def test_non_square_pair_and_max_side(tmp_path):
    Image.fromarray(_ramp(48, 160).astype(np.uint8)).save(tmp_path / "a.png")
    Image.fromarray(_ramp(48, 160)[::-1].astype(np.uint8)).save(tmp_path / "b.png")
    pair = read_pair((tmp_path / "a.png", tmp_path / "b.png"))
    assert pair.pair.shape == (2, 48, 160) and pair.scale == 1.0
    small = read_pair((tmp_path / "a.png", tmp_path / "b.png"), max_side=80)
    assert small.pair.shape == (2, 24, 80) and small.scale == 0.5
    assert any("downscaled" in note and "GB" in note for note in small.notes)


def test_large_pair_is_downscaled_by_default(tmp_path):
    big = np.random.default_rng(0).integers(0, 256, (1100, 1300), dtype=np.uint8)
    Image.fromarray(big).save(tmp_path / "a.png")
    Image.fromarray(big[::-1].copy()).save(tmp_path / "b.png")
    pair = read_pair((tmp_path / "a.png", tmp_path / "b.png"))
    assert max(pair.pair.shape[1:]) == 1024 and pair.original_shape == (1100, 1300)
    assert any("max_side=1024" in note and "GB" in note and "minutes" in note for note in pair.notes)
    full = read_pair((tmp_path / "a.png", tmp_path / "b.png"), max_side=0)
    assert full.pair.shape == (2, 1100, 1300) and any("max_side is off" in note for note in full.notes)


def test_velocity_order_and_scaling(tmp_path):
    sequence = warped_photograph(48, rotation_degrees=0.0, shear=0.3)
    truth = sequence.velocity[sequence.middle]
    np.save(tmp_path / "yx.npy", truth[::-1])
    loaded = load_velocity(tmp_path / "yx.npy", (48, 48), velocity_order="yx")
    np.testing.assert_allclose(loaded, truth)
    pair = sequence.frames[[0, -1]]
    assert velocity_order_warning(pair, truth) is None
    assert "velocity_order='yx'" in velocity_order_warning(pair, truth[::-1].copy())
    half = load_velocity(tmp_path / "yx.npy", (24, 24), velocity_order="yx", original_shape=(48, 48))
    assert half.shape == (2, 24, 24)
    assert abs(np.abs(half).max() - 0.5 * np.abs(truth).max()) < 0.1 * np.abs(truth).max()
    with pytest.raises(ValueError, match="velocity_order"):
        load_velocity(tmp_path / "yx.npy", (48, 48), velocity_order="vu")


def test_masked_scores_ignore_invalid_pixels():
    truth = np.random.default_rng(0).random((32, 32))
    estimate = truth.copy()
    estimate[:, :4] = 1 - estimate[:, :4]
    valid = np.ones_like(truth, bool)
    valid[:, :4] = False
    scores = masked_frame_scores(estimate, truth, valid)
    assert scores["mse"] == 0 and scores["psnr"] == float("inf")
    assert masked_frame_scores(estimate, truth, None)["mse"] > 0


def test_load_image_old_contract(tmp_path):
    """Brightness files are unchanged by the new reader: 8-bit / 255, RGB averaged by luma."""
    grey = _ramp().astype(np.uint8)
    Image.fromarray(grey).save(tmp_path / "g.png")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(load_image(tmp_path / "g.png"), grey / 255, atol=1e-6)


# ------------------------------------------------------------------------------ frame folders


def _video_frames(video: int, count: int, height=20, width=30):
    """Frames of a bright square moving one pixel per frame (8-bit grey)."""
    frames = []
    for k in range(count):
        array = np.full((height, width), 20 + video, np.uint8)
        array[5:12, 3 + k : 10 + k] = 230
        frames.append(array)
    return frames


def _write_video(folder, frames, names, *, sixteen=False, mode=None):
    folder.mkdir(parents=True, exist_ok=True)
    for frame, name in zip(frames, names):
        if sixteen:
            Image.fromarray(frame.astype(np.uint16) * 257).save(folder / name)
        elif mode == "RGBA":
            rgba = np.stack([frame, frame, frame, np.full_like(frame, 255)], axis=-1)
            rgba[0, 5, 3] = 0  # (0, 0) after the centre crop to 20 x 20
            Image.fromarray(rgba, mode="RGBA").save(folder / name)
        else:
            Image.fromarray(frame).save(folder / name)


def test_16_bit_frames_with_companion_files(tmp_path, capsys):
    eight, sixteen = tmp_path / "eight", tmp_path / "sixteen"
    for video in range(3):
        frames = _video_frames(video, 4)
        names = [f"{k:04d}.png" for k in range(4)]
        _write_video(eight / f"v{video}", frames, names)
        _write_video(sixteen / f"v{video}", frames, names, sixteen=True)
        (sixteen / f"v{video}" / "._0000.png").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
        (sixteen / f"v{video}" / ".DS_Store").write_bytes(b"junk")
    reference = load_frame_folders(eight, resolution=16, time_step=1 / 30)
    loaded = load_frame_folders(sixteen, resolution=16, time_step=1 / 30)
    assert loaded.frames.shape == (3, 4, 3, 16, 16)
    assert np.abs(loaded.frames.astype(int) - reference.frames.astype(int)).max() <= 1
    printed = capsys.readouterr().out
    assert "3 videos" in printed and "4 frames per video" in printed and "16-bit" in printed
    assert "30 frames per second" in printed and "0000.png to 0003.png" in printed
    assert loaded.source.bit_depth == 16 and loaded.source.source_size == (20, 30)


def test_shuffled_names_load_in_time_order(tmp_path):
    for video in range(3):
        frames = _video_frames(video, 5)
        names = ["9.png", "10.png", "1.png", "100.png", "2.png"]  # times 1, 2, 9, 10, 100
        order = [2, 3, 0, 4, 1]  # frame index of each name
        _write_video(tmp_path / f"{video}", [frames[i] for i in order], names)
    loaded = load_frame_folders(tmp_path, resolution=20, verbose=False)
    centre = [float(np.nonzero(frame[0].max(axis=0) > 150)[0].mean()) for frame in loaded.frames[0]]
    assert centre == sorted(centre) and len(set(centre)) == 5
    # decimal time stamps
    for video in range(3):
        folder = tmp_path / "stamps" / f"{video}"
        _write_video(folder, _video_frames(video, 3), ["0.5.png", "0.25.png", "0.125.png"][::-1])
    stamps = load_frame_folders(tmp_path / "stamps", resolution=20, verbose=False)
    assert stamps.source.first_file == "0.125.png" and stamps.source.last_file == "0.5.png"


def test_non_frame_files_are_refused_or_skipped_by_pattern(tmp_path):
    for video in range(3):
        folder = tmp_path / f"{video}"
        _write_video(folder, _video_frames(video, 3), [f"{k:04d}.png" for k in range(3)])
        Image.fromarray(np.zeros((20, 30), np.uint8)).save(folder / "background.png")
        Image.fromarray(np.zeros((20, 30), np.uint8)).save(folder / "0000.z.png")
    with pytest.raises(ValueError, match=r"0000\.z\.png, background\.png.*frame_pattern"):
        load_frame_folders(tmp_path, resolution=8)
    loaded = load_frame_folders(tmp_path, resolution=8, frame_pattern=r"(?P<number>\d+)\.png", verbose=False)
    assert loaded.frames.shape[:2] == (3, 3)
    assert "6 files" in loaded.source.describe()


def test_mixed_formats_and_sizes_are_refused(tmp_path):
    for video in range(3):
        _write_video(tmp_path / f"{video}", _video_frames(video, 3), ["0.png", "1.png", "2.png"])
    Image.fromarray(_video_frames(0, 4)[3]).save(tmp_path / "0" / "3.bmp")
    with pytest.raises(ValueError, match=r"mixes image formats.*\.bmp: 3\.bmp"):
        load_frame_folders(tmp_path, resolution=8)
    (tmp_path / "0" / "3.bmp").unlink()
    Image.fromarray(np.zeros((10, 10), np.uint8)).save(tmp_path / "1" / "1.png")
    with pytest.raises(ValueError, match=r"differ in size.*1\.png"):
        load_frame_folders(tmp_path, resolution=8)


def test_still_videos_are_refused(tmp_path):
    for video in range(3):
        frames = _video_frames(video, 3)
        if video == 1:
            frames = [frames[0]] * 3
        _write_video(tmp_path / f"clip{video}", frames, ["0.png", "1.png", "2.png"])
    with pytest.raises(ValueError, match="1 of 3 videos do not move.*clip1"):
        load_frame_folders(tmp_path, resolution=8)


def test_rgba_frames_are_composited_and_said(tmp_path):
    for video in range(3):
        _write_video(tmp_path / f"{video}", _video_frames(video, 3), ["0.png", "1.png", "2.png"], mode="RGBA")
    white = load_frame_folders(tmp_path, resolution=20, background=1.0, verbose=False)
    black = load_frame_folders(tmp_path, resolution=20, background=0.0, verbose=False)
    assert "composited over grey level 1" in white.source.describe()
    assert white.frames.shape[2] == 3
    assert int(white.frames[0, 0, 0, 1, 1]) == 20  # opaque pixels unchanged
    assert white.frames[0, 0, :, 0, 0].tolist() == [255] * 3 and black.frames[0, 0, :, 0, 0].tolist() == [0] * 3


def test_a_damaged_image_is_refused_with_what_to_do(tmp_path):
    from latentdyn.image_files import read_image

    for name in ("broken.png", "broken.tif"):
        (tmp_path / name).write_bytes(b"not an image at all")
        with pytest.raises(
            ValueError, match=r"image_pair_paths\[0\] \(broken\.\w+\): cannot read .* re-save it as PNG or TIFF"
        ):
            read_image(tmp_path / name, name="image_pair_paths[0]")


# ------------------------------------------------------------------------------ bit depth and range


def _png16(path, values, significant_bits=None):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    if significant_bits is not None:
        info.add(b"sBIT", bytes([significant_bits]))
    Image.fromarray(values.astype(np.uint16)).save(path, pnginfo=info)


def test_twelve_bit_data_in_a_16_bit_png_gets_one_warning_naming_the_value_range(tmp_path):
    camera = (_ramp() * 16).astype(np.uint16)  # 0 ... 4080: 12-bit data, unscaled
    _png16(tmp_path / "camera.png", camera)
    image = read_image(tmp_path / "camera.png")
    assert image.scale == 65535 and image.values.max() < 0.07
    with pytest.warns(UserWarning, match=r"probably 12-bit data.*value_range=\(0, 4095\)") as caught:
        map_values([image])
    assert len(caught) == 1
    mapped, _ = map_values([image], value_range=(0, 4095))  # the file's own units
    np.testing.assert_allclose(mapped[0], camera / 4095, atol=1e-6)
    full = (_ramp() * 257).astype(np.uint16)  # the whole 16-bit range: no warning
    _png16(tmp_path / "full.png", full)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        map_values([read_image(tmp_path / "full.png")])


def test_the_png_sbit_chunk_is_honoured(tmp_path):
    camera = (_ramp() * 16).astype(np.uint16)
    _png16(tmp_path / "declared.png", camera, significant_bits=12)
    image = read_image(tmp_path / "declared.png")
    assert image.scale == 4095 and any("sBIT" in note for note in image.notes)
    np.testing.assert_allclose(image.values, camera / 4095)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        map_values([image])  # declared: nothing to warn about
    scaled = (camera.astype(np.uint32) * 65535 // 4095).astype(np.uint16)  # scaled as the standard asks
    _png16(tmp_path / "scaled.png", scaled, significant_bits=12)
    image = read_image(tmp_path / "scaled.png")
    assert image.scale == 65535
    np.testing.assert_allclose(image.values, scaled / 65535)


def test_float_data_in_a_small_part_of_the_unit_range_is_named(tmp_path):
    tifffile.imwrite(tmp_path / "dim.tif", (_ramp() / 65535).astype(np.float32))
    with pytest.warns(UserWarning, match="small part of \\[0, 1\\]"):
        map_values([read_image(tmp_path / "dim.tif")])
