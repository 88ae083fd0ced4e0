"""Synthetic sea-ice scenarios: deterministic, and consistent with their velocity fields; loaders."""

import numpy as np
import pytest
import torch

from latentdyn.inbetween.data.seaice import SCENARIOS, load_image, load_image_pair, make_scenario
from latentdyn.inbetween.physics.advection import advect


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


# ------------------------------------------------------------------------------ events


def test_scenes_know_their_event_and_the_texture_without_it():
    from latentdyn.inbetween.data.scenes import make_scene
    from latentdyn.inbetween.data.seaice import make_scenario

    crack = make_scenario("crack_formation", size=64, num_frames=5, seed=0, use_cache=False)
    middle = crack.middle
    assert crack.event_mask.shape == crack.frames.shape and crack.event_mask.dtype == bool
    assert not crack.event_mask[0].any() and crack.event_mask[-1].sum() > crack.event_mask[middle].sum() > 0
    # outside the event the truth is the moving texture; inside, open water (darker)
    outside = ~crack.event_mask[middle]
    np.testing.assert_array_equal(crack.frames[middle][outside], crack.texture_only[middle][outside])
    assert crack.frames[middle][~outside].mean() < crack.texture_only[middle][~outside].mean() - 0.2
    rotation = make_scenario("rotation", size=64, num_frames=3, seed=0, use_cache=False)
    assert not rotation.event_mask.any()
    floe = make_scene("floe_appears", size=64, num_frames=3, seed=0, use_cache=False)
    assert floe.event_mask[1].any() and not floe.event_mask[0].any()
    np.testing.assert_array_equal(floe.texture_only[1], floe.frames[0])
    shift = make_scene("shift", size=64, num_frames=3, seed=0, use_cache=False)
    assert not shift.event_mask.any()


def test_event_scores_measure_how_deep_the_event_is_drawn():
    from latentdyn.inbetween.image_metrics import event_scores

    texture = np.full((8, 8), 0.6)
    truth = texture.copy()
    mask = np.zeros((8, 8), bool)
    mask[:, 3:5] = True
    truth[mask] = 0.1  # a crack of open water
    full = event_scores(truth, truth, texture, mask)
    assert full["event_depth"] == 1.0 and full["event_mae"] == 0.0 and full["event_psnr"] == float("inf")
    half = event_scores(0.5 * (texture + truth), truth, texture, mask)
    assert half["event_depth"] == pytest.approx(0.5) and half["event_mae"] == pytest.approx(0.25)
    assert half["event_psnr"] == pytest.approx(10 * np.log10(1 / 0.25**2))
    assert event_scores(texture, truth, texture, mask)["event_depth"] == 0.0
    empty = event_scores(texture, truth, texture, np.zeros((8, 8), bool))
    assert all(np.isnan(value) for value in empty.values())
    with pytest.raises(ValueError, match="mask"):
        event_scores(texture, truth, texture, mask[:4])


def test_event_table_and_verdicts_on_a_constructed_summary():
    import pandas as pd

    from latentdyn.inbetween.experiments.events import event_table, event_verdicts

    rows = []
    for seed in range(3):
        for method, event_psnr, depth in (
            ("latent_advection", 14.0 + seed, 0.6),
            ("optimal_transport", 16.5 + seed, 0.8),
            ("cross_fade", 14.0 + seed + 0.1 * (seed - 1), 0.5),
        ):
            rows.append(
                {
                    "seed": seed,
                    "scenario": "crack_formation",
                    "method": method,
                    "psnr_mid": 25.0,
                    "event_psnr_mid": event_psnr,
                    "event_mae_mid": 0.1,
                    "event_depth_mid": depth,
                }
            )
        rows.append(
            {
                "seed": seed,
                "scenario": "rotation",
                "method": "latent_advection",
                "psnr_mid": 24.0,
                "event_psnr_mid": float("nan"),
                "event_mae_mid": float("nan"),
                "event_depth_mid": float("nan"),
            }
        )
    summary = pd.DataFrame(rows)
    table = event_table(summary)
    assert set(table["scenario"]) == {"crack_formation"}  # rotation has no event
    assert table.set_index("method").loc["optimal_transport", "event_depth_mid"] == pytest.approx(0.8)
    assert (table["seeds"] == 3).all()
    verdicts = event_verdicts(summary).set_index("other")["outcome"]
    assert verdicts["optimal_transport"] == "reversed"  # behind by 2.5 dB on every seed
    assert verdicts["cross_fade"] == "not reproduced"  # differences -0.1, 0, +0.1: no ordering
    with pytest.raises(ValueError, match="event"):
        event_table(summary.drop(columns=["event_psnr_mid"]))
