"""End to end in the smoke profile on data as users have it: a TIFF pair with no-data (and a
true velocity only), and a folder of 16-bit PNG frames with macOS companion files."""

from __future__ import annotations

import numpy as np
import pytest
import tifffile
from PIL import Image

from latentdyn.inbetween.data.user_pairs import warped_photograph
from latentdyn.inbetween.experiments.runs import fit_patches, run_inbetween_real


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LATENTDYN_DATA_DIR", str(tmp_path / "data"))


def _tiff_pair(folder, height=48, width=96):
    """A warped photograph cropped to ``height x width``, in decibels, with a NaN stripe."""
    sequence = warped_photograph(width)
    top = (width - height) // 2
    frames = -15 + 11 * sequence.frames[:, top : top + height]
    first = frames[0].copy()
    first[:, 10:13] = np.nan
    tifffile.imwrite(folder / "first.tif", first.astype(np.float32))
    tifffile.imwrite(folder / "second.tif", frames[-1].astype(np.float32))
    tifffile.imwrite(folder / "middle.tif", frames[sequence.middle].astype(np.float32))
    velocity = sequence.velocity[sequence.middle][:, top : top + height]
    np.save(folder / "velocity.npy", velocity)
    return velocity


def test_tiff_pair_with_nodata_velocity_only(tmp_path, monkeypatch):
    truth = _tiff_pair(tmp_path)
    monkeypatch.setenv("LATENTDYN_CALLER_CWD", str(tmp_path))
    with pytest.warns(UserWarning, match="decibels"):
        result = run_inbetween_real(
            "smoke", image_pair_paths="first.tif second.tif", true_velocity_path="velocity.npy", ot_study=False
        )
    case = result.cases["user_pair"]
    assert case.pair.shape == (2, 48, 96) and case.frames is None
    assert not case.valid[:, 10:13].any() and case.valid[:, 20:].all()
    assert 0.1 < case.pair[0].std() and np.isfinite(case.pair).all()  # mapped, not clipped to 0
    np.testing.assert_allclose(case.velocity, truth)
    # a velocity-only case returns an endpoint-error table (no frame scores, no goals)
    assert "epe" in result.means and "psnr_mid" not in result.means and result.goals.empty
    errors = result.means.set_index("method")["epe"]
    assert errors["optical_flow"] < result.zero_velocity_error["user_pair"]


def test_tiff_pair_with_middle_frame_scores_valid_pixels(tmp_path):
    _tiff_pair(tmp_path)
    with pytest.warns(UserWarning):
        result = run_inbetween_real(
            "smoke",
            image_pair_paths=[str(tmp_path / "first.tif"), str(tmp_path / "second.tif")],
            true_middle_path=str(tmp_path / "middle.tif"),
            ot_study=False,
            methods=("cross_fade", "optical_flow"),
        )
    means = result.means.set_index("method")
    assert np.isfinite(means["psnr_mid"]).all() and (means["psnr_mid"] < 60).all()  # not inf: not clipped
    assert means.loc["optical_flow", "psnr_mid"] > means.loc["cross_fade", "psnr_mid"]


def test_patch_size_follows_a_narrow_pair():
    settings = {"patch_size": 64, "patch_stride": 32, "field_downsample": 2, "depth": 2}
    fitted, note = fit_patches(settings, (48, 160))
    assert fitted["patch_size"] == 48 and fitted["patch_stride"] <= 48 and "patch_size" in note
    assert fit_patches(settings, (128, 128)) == (settings, None)
    with pytest.raises(ValueError, match="too small"):
        fit_patches(settings, (6, 160))


def test_missing_relative_file_says_against_what(tmp_path, monkeypatch):
    monkeypatch.setenv("LATENTDYN_CALLER_CWD", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=rf"image_pair_paths\[0\]: no such file: {tmp_path}/a.png.*resolved"):
        run_inbetween_real("smoke", image_pair_paths="a.png b.png", ot_study=False)


def test_cpae_system_on_16_bit_frames_with_companion_files(tmp_path, capsys):
    from latentdyn.cpae import experiments as cpae

    rng = np.random.default_rng(0)
    for video in range(6):
        folder = tmp_path / "videos" / f"{video:02d}"
        folder.mkdir(parents=True)
        for frame in range(8):
            image = np.full((24, 24), 50000, dtype=np.uint16)
            column = (3 * frame + video) % 20
            image[8:16, column : column + 4] = int(rng.integers(0, 20000))
            Image.fromarray(image).save(folder / f"{frame:04d}.png")
            (folder / f"._{frame:04d}.png").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    result = cpae.run_cpae_system("swing_stick", profile="smoke", frames_folder=str(tmp_path / "videos"), frame_rate=30)
    printed = capsys.readouterr().out
    assert "Loaded 6 videos" in printed and "8 frames per video" in printed and "16-bit" in printed
    assert (result.settings["num_trajectories"], result.settings["num_frames"]) == (6, 8)
    assert result.vpt["VPT mean (%)"].between(0, 100).all()
