"""A user's own pair: the warped-photograph test pair is exact, files round-trip, bad files are named."""

import numpy as np
import pytest
import torch

from latentdyn.inbetween.data.seaice import load_image, load_image_pair
from latentdyn.inbetween.data.user_pairs import linear_flow_matrix, load_velocity, warped_photograph, write_pair
from latentdyn.inbetween.physics.advection import advect


def test_warped_photograph_is_the_first_frame_carried_by_its_velocity():
    sequence = warped_photograph(64, rotation_degrees=6.0, shear=0.05)
    assert sequence.frames.shape == (5, 64, 64) and sequence.velocity.shape == (5, 2, 64, 64)
    # the velocity is A (x - c): check it at one pixel against the matrix
    matrix = linear_flow_matrix(6.0, 0.05)
    centre = 31.5
    np.testing.assert_allclose(
        sequence.velocity[2][:, 10, 50], matrix @ np.array([50 - centre, 10 - centre]), rtol=1e-5
    )
    # carrying the first frame along it with the solver gives the last frame (inside the view)
    moved = advect(
        torch.tensor(sequence.frames[0])[None, None].double(),
        torch.tensor(sequence.velocity[2])[None].double(),
        1.0,
        scheme="characteristics",
    )
    error = (moved[0, 0].numpy() - sequence.frames[-1])[12:-12, 12:-12]
    assert float(np.sqrt(np.mean(error**2))) < 0.03
    with pytest.raises(ValueError, match="rotation_degrees"):
        warped_photograph(64, rotation_degrees=90.0)


def test_written_pair_reads_back(tmp_path):
    sequence = warped_photograph(32)
    paths = write_pair(sequence, tmp_path)
    first, second = load_image_pair((paths["first"], paths["second"]))
    np.testing.assert_allclose(first, sequence.frames[0], atol=1e-4)  # 16-bit PNG
    np.testing.assert_allclose(load_image(paths["middle"]), sequence.frames[sequence.middle], atol=1e-4)
    np.testing.assert_array_equal(load_velocity(paths["velocity"], (32, 32)), sequence.velocity[sequence.middle])
    # (H, W, 2) is accepted as well
    np.save(tmp_path / "hw2.npy", np.moveaxis(sequence.velocity[0], 0, -1))
    np.testing.assert_array_equal(load_velocity(tmp_path / "hw2.npy", (32, 32)), sequence.velocity[0])


def test_bad_files_name_the_parameter_and_the_file(tmp_path):
    sequence = warped_photograph(32)
    paths = write_pair(sequence, tmp_path)
    data = paths["second"].read_bytes()
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"image_pair_paths\[1\].*truncated\.png"):
        load_image_pair((paths["first"], truncated), name="image_pair_paths")
    garbage = tmp_path / "garbage.tif"
    garbage.write_bytes(b"not an image at all")
    with pytest.raises(ValueError, match=r"true_middle_path.*garbage\.tif"):
        load_image(garbage, name="true_middle_path")
    with pytest.raises(FileNotFoundError, match="true_middle_path"):
        load_image(tmp_path / "missing.png", name="true_middle_path")
    np.save(tmp_path / "wrong.npy", np.zeros((3, 32, 32)))
    with pytest.raises(ValueError, match=r"true_velocity_path.*\(2, 32, 32\).*wrong\.npy"):
        load_velocity(tmp_path / "wrong.npy", (32, 32))
    np.save(tmp_path / "nan.npy", np.full((2, 32, 32), np.nan))
    with pytest.raises(ValueError, match="true_velocity_path.*NaN"):
        load_velocity(tmp_path / "nan.npy", (32, 32))
    (tmp_path / "broken.npy").write_bytes(b"\x93NUMPY broken")
    with pytest.raises(ValueError, match=r"true_velocity_path: cannot read .*broken\.npy"):
        load_velocity(tmp_path / "broken.npy", (32, 32))
    with pytest.raises(ValueError, match="true_velocity_path must be a NumPy .npy"):
        load_velocity(paths["first"], (32, 32))
