"""Synthetic sea-ice scenarios: deterministic, and consistent with their velocity fields; loaders."""

import numpy as np
import pytest
import torch

from latentdyn.data.seaice import SCENARIOS, load_image, load_image_pair, make_scenario
from latentdyn.physics.advection import advect


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_generator_is_deterministic_from_seed(scenario):
    first = make_scenario(scenario, size=48, num_frames=3, seed=4, use_cache=False)
    second = make_scenario(scenario, size=48, num_frames=3, seed=4, use_cache=False)
    other = make_scenario(scenario, size=48, num_frames=3, seed=5, use_cache=False)
    np.testing.assert_array_equal(first.frames, second.frames)
    np.testing.assert_array_equal(first.velocity, second.velocity)
    assert not np.array_equal(first.frames, other.frames)
    assert first.frames.shape == (3, 48, 48) and first.velocity.shape == (3, 2, 48, 48)
    assert first.frames.min() >= 0 and first.frames.max() <= 1


@pytest.mark.parametrize("scenario", ["rotation", "crack_closing", "crack_formation", "combined"])
def test_velocity_truth_explains_the_frames(scenario):
    """Advecting the first frame with the true velocity reproduces the middle frame far better
    than leaving it in place (open water appearing in a crack cannot be advected)."""
    sequence = make_scenario(scenario, size=96, num_frames=3, seed=0, use_cache=False)
    first = torch.tensor(sequence.frames[0])[None, None]
    moved = advect(first, torch.tensor(sequence.velocity[0])[None], 0.5)[0, 0].numpy()
    still_error = np.mean((sequence.frames[0] - sequence.frames[1]) ** 2)
    moved_error = np.mean((moved - sequence.frames[1]) ** 2)
    assert moved_error < 0.3 * still_error


def test_rotation_velocity_is_solid_body():
    sequence = make_scenario("rotation", size=64, num_frames=3, rotation_degrees=10.0, use_cache=False)
    velocity = sequence.velocity[0]
    centre = 31.5 + 0.5  # floe centre in pixel coordinates of the view (pad cancels)
    angle = np.deg2rad(10.0)
    assert velocity[1, 32, 50] == pytest.approx(angle * (50 - centre), rel=1e-5)
    assert velocity[0, 32, 50] == pytest.approx(0.0, abs=1e-4)
    assert np.all(velocity[:, 0, 0] == 0)


def test_bad_scenario_arguments():
    with pytest.raises(ValueError, match="scenario must be one of"):
        make_scenario("melting")
    with pytest.raises(ValueError, match="num_frames"):
        make_scenario("rotation", num_frames=1)


def test_image_loader(tmp_path):
    from skimage import io

    rgba = np.zeros((10, 12, 4), dtype=np.uint8)
    rgba[..., :3] = 255
    rgba[..., 3] = 255
    path = tmp_path / "white.png"
    io.imsave(path, rgba, check_contrast=False)
    image = load_image(path)
    assert image.shape == (10, 12) and image.dtype == np.float32 and float(image.min()) == 1.0
    assert float(load_image(path, invert=True).max()) == 0.0
    with pytest.raises(FileNotFoundError, match="path"):
        load_image(tmp_path / "missing.png")
    with pytest.raises(ValueError, match="paths"):
        load_image_pair((path,))
