"""Mechanics against exact references, rendering, video datasets, splits, the frame-folder loader."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

from latentdyn.cpae.data import mechanics
from latentdyn.cpae.data.videos import (
    SYSTEMS,
    CameraEffects,
    frame_pairs,
    generate_circle_video,
    generate_system_video,
    load_frame_folders,
    render_bars,
    render_states,
    split_indices,
)


def test_damped_pendulum_matches_small_angle_solution():
    system = mechanics.damped_pendulum(length=0.5, damping=0.2)
    times = np.arange(90) / 30
    states = system.simulate(np.array([[1e-3]]), np.array([[2e-3]]), 1 / 30, 90)
    exact = mechanics.small_angle_solution(1e-3, 2e-3, times, 0.5, 0.2)
    # linearisation error ~ theta^3 / 6 relative: 1e-7 of 1e-3
    np.testing.assert_allclose(states[0, :, 0], exact, atol=1e-9)


def test_damped_pendulum_equation_is_the_papers():
    system = mechanics.damped_pendulum(length=0.5, damping=0.2)
    theta = np.array([[0.3], [1.2], [-2.0]])
    omega = np.array([[0.5], [-4.0], [2.0]])
    expected = -(3 * 9.81 / (2 * 0.5)) * np.sin(theta) - 0.2 * omega
    np.testing.assert_allclose(system.acceleration(theta, omega), expected, rtol=1e-12)


def test_rigid_double_pendulum_mass_matrix_matches_textbook():
    """Two uniform rods: M = [[(m1/3 + m2) l1^2, m2 l1 l2 cos(d) / 2], [., m2 l2^2 / 3]]."""
    l1, l2, m1, m2 = 0.22, 0.18, 0.2, 0.1
    system = mechanics.rigid_double_pendulum(lengths=(l1, l2), masses=(m1, m2), damping=0.0)
    q = np.array([[0.4, -1.1]])
    d = q[0, 0] - q[0, 1]
    expected = np.array(
        [[(m1 / 3 + m2) * l1**2, m2 * l1 * l2 * math.cos(d) / 2], [m2 * l1 * l2 * math.cos(d) / 2, m2 * l2**2 / 3]]
    )
    mass_matrix = system._evaluate(system._mass_matrix, list(q.T), list(np.zeros_like(q).T), shape=(2, 2))
    np.testing.assert_allclose(mass_matrix[0], expected, rtol=1e-12)


@pytest.mark.parametrize(
    "factory",
    [
        mechanics.elastic_double_pendulum,
        lambda: mechanics.rigid_double_pendulum(damping=0.0),
        lambda: mechanics.swing_stick(damping=0.0),
    ],
)
def test_undamped_systems_conserve_energy(factory):
    system = factory()
    rng = np.random.default_rng(0)
    n = system.num_coordinates
    q0 = rng.uniform(-1, 1, (8, n))
    if n == 3:
        q0[:, 1] *= 0.03
    states = system.simulate(q0, rng.uniform(-2, 2, (8, n)), 1 / 60, 60, substeps=8)
    energy = system.energy(states[..., :n].reshape(-1, n), states[..., n:].reshape(-1, n)).reshape(8, 60)
    scale = np.abs(energy).max()
    assert np.abs(energy - energy[:, :1]).max() < 1e-6 * max(scale, 1.0)


def test_damping_dissipates_energy():
    system = mechanics.rigid_double_pendulum(damping=0.5)
    states = system.simulate(np.array([[1.0, -0.5]]), np.zeros((1, 2)), 1 / 60, 120)
    energy = system.energy(states[0, :, :2], states[0, :, 2:])
    assert np.all(np.diff(energy) <= 1e-9)
    assert energy[-1] < energy[0] - 1e-3


def test_simulate_rejects_bad_shapes():
    system = mechanics.damped_pendulum()
    with pytest.raises(ValueError, match="q0 and qdot0"):
        system.simulate(np.zeros((2, 2)), np.zeros((2, 2)), 0.1, 3)
    with pytest.raises(ValueError, match="time_step"):
        system.simulate(np.zeros((1, 1)), np.zeros((1, 1)), -0.1, 3)


def test_render_bars_area_and_colour():
    """A horizontal bar's coverage integrates to its area; its centre pixel has its colour."""
    segments = np.array([[[[-0.25, 0.0], [0.25, 0.0]]]])
    images = render_bars(segments, [0.1], [(1.0, 0.0, 0.0)], extent=0.5, resolution=64, background=(0.0, 0.0, 0.0))
    pixel_area = (1.0 / 64) ** 2
    assert images.shape == (1, 3, 64, 64)
    assert images[0, 0].sum() * pixel_area == pytest.approx(0.5 * 0.1, rel=1e-2)
    assert images[0, 1].max() == 0.0
    np.testing.assert_allclose(images[0, :, 32, 32], [1.0, 0.0, 0.0])


def test_split_indices_deterministic_and_disjoint():
    first, second = split_indices(50, seed=3), split_indices(50, seed=3)
    for key in ("train", "val", "test"):
        np.testing.assert_array_equal(first[key], second[key])
    together = np.concatenate([first["train"], first["val"], first["test"]])
    assert sorted(together.tolist()) == list(range(50))
    assert (len(first["train"]), len(first["val"]), len(first["test"])) == (40, 5, 5)
    assert not np.array_equal(split_indices(50, seed=4)["test"], first["test"])


@pytest.mark.parametrize("system", SYSTEMS)
def test_generated_videos_are_deterministic_and_consistent(system, tmp_path, monkeypatch):
    monkeypatch.setenv("LATENTDYN_DATA_DIR", str(tmp_path))
    camera = CameraEffects() if system in ("rigid_double_pendulum", "swing_stick") else None
    kwargs = dict(num_trajectories=6, num_frames=5, resolution=16, seed=1, camera=camera)
    video = generate_system_video(system, **kwargs)
    again = generate_system_video(system, **kwargs, use_cache=False)
    np.testing.assert_array_equal(video.frames, again.frames)
    np.testing.assert_array_equal(video.states, again.states)
    assert video.frames.shape == (6, 5, 3, 16, 16) and video.frames.dtype == np.uint8
    assert video.half_step_frames.shape == (len(video.splits["test"]), 4, 3, 16, 16)
    # the frames differ from one step to the next (the system moves)
    assert np.abs(np.diff(video.frames.astype(int), axis=1)).max() > 0


def test_half_step_frames_lie_between_whole_frames(tmp_path, monkeypatch):
    """Without camera noise the half-step frame is rendered from the half-step state."""
    monkeypatch.setenv("LATENTDYN_DATA_DIR", str(tmp_path))
    video = generate_system_video("damped_pendulum", num_trajectories=10, num_frames=6, resolution=32, seed=0)
    system = mechanics.damped_pendulum()
    test = video.splits["test"][0]
    states = system.simulate(
        video.states[test : test + 1, 0, :1], video.states[test : test + 1, 0, 1:], video.time_step / 2, 3
    )
    segments = system.segments(states[0, 1:2])
    expected = np.round(render_bars(segments, [system.bars[0].width], [system.bars[0].colour], system.extent, 32) * 255)
    np.testing.assert_allclose(video.half_step_frames[0, 0].astype(float), expected[0], atol=1.0)


def test_circle_video_matches_the_authors_setup():
    video = generate_circle_video()
    assert video.frames.shape == (221, 1, 48, 48)
    assert video.num_train == 71
    assert video.angles[1] - video.angles[0] == pytest.approx(0.1)
    # disc area ~ pi r^2 in pixels
    area = video.frames[0].sum() / 48**2
    assert area == pytest.approx(math.pi * 0.1**2, rel=0.05)


def test_frame_pairs_puts_consecutive_frames_side_by_side():
    frames = np.arange(2 * 3 * 1 * 2 * 2, dtype=np.uint8).reshape(2, 3, 1, 2, 2)
    pairs = frame_pairs(frames)
    assert pairs.shape == (2, 2, 1, 2, 4)
    np.testing.assert_allclose(pairs[1, 0, :, :, :2], frames[1, 0] / 255)
    np.testing.assert_allclose(pairs[1, 0, :, :, 2:], frames[1, 1] / 255)


def test_frame_pairs_equal_the_direct_form_bit_for_bit():
    frames = np.random.default_rng(0).integers(0, 256, (3, 5, 3, 4, 6), dtype=np.uint8)
    scaled = frames.astype(np.float32) / 255.0
    direct = np.concatenate([scaled[:, :-1], scaled[:, 1:]], axis=-1)
    pairs = frame_pairs(frames)
    assert pairs.dtype == np.float32 and pairs.flags.c_contiguous
    np.testing.assert_array_equal(pairs, direct)
    with pytest.raises(ValueError, match="frames must be"):
        frame_pairs(frames[:, :1])


def test_load_frame_folders(tmp_path):
    for video in range(4):
        folder = tmp_path / f"{video:03d}"
        folder.mkdir()
        for frame in range(3 + video):
            array = np.full((20, 30, 3), 10 * frame + video, dtype=np.uint8)
            Image.fromarray(array).save(folder / f"{frame}.png")
    dataset = load_frame_folders(tmp_path, resolution=8)
    assert dataset.frames.shape == (4, 3, 3, 8, 8)
    assert dataset.states is None and dataset.half_step_frames is None
    assert dataset.frames[2, 1, 0, 0, 0] == 12
    with pytest.raises(FileNotFoundError, match="frames_folder"):
        load_frame_folders(tmp_path / "missing", resolution=8)
    with pytest.raises(ValueError, match="at least 3 sub-folders"):
        load_frame_folders(tmp_path / "000", resolution=8)
    lone = tmp_path / "lone"  # one video of one frame: counted as a sub-folder that holds too few
    (lone / "000").mkdir(parents=True)
    Image.fromarray(np.zeros((20, 30, 3), dtype=np.uint8)).save(lone / "000" / "0.png")
    with pytest.raises(ValueError, match=r"it has 1 sub-folder\(s\), of which 0 hold >= 2 frames \(1 hold fewer\)"):
        load_frame_folders(lone, resolution=8)


def test_render_states_draws_what_the_video_generator_draws(tmp_path, monkeypatch):
    monkeypatch.setenv("LATENTDYN_DATA_DIR", str(tmp_path))
    video = generate_system_video(
        "damped_pendulum", num_trajectories=3, num_frames=4, resolution=16, seed=0, min_bar_pixels=2.5
    )
    np.testing.assert_array_equal(render_states("damped_pendulum", video.states, 16, min_bar_pixels=2.5), video.frames)
    with pytest.raises(ValueError, match=r"states must be \(N, T, 2\)"):
        render_states("damped_pendulum", video.states[..., :1], 16)
    with pytest.raises(ValueError, match="name"):
        render_states("pendulum", video.states, 16)
