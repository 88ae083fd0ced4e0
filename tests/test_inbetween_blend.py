"""The visibility-aware two-sided blend (issue 28): exact weights, the model's state at t, and the
decision functions that judge it against the linear blend."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from latentdyn.inbetween.experiments.core import experiment_settings, method_settings
from latentdyn.inbetween.experiments.events import EVENT_DEPTH_TARGET, blend_effect, event_goals
from latentdyn.inbetween.models.latent_advection import LatentAdvectionModel, visibility_weights


def _maps(value0, value1, size=8):
    return torch.full((1, 1, size, size), float(value0)), torch.full((1, 1, size, size), float(value1))


@pytest.mark.parametrize("time", [0.0, 0.3, 0.5, 1.0])
def test_agreeing_misses_give_the_linear_blend(time):
    miss0, miss1 = _maps(0.10, 0.12)  # they differ by the margin: no excess
    weight0, weight1 = visibility_weights(miss0, miss1, time, sharpness=0.01, margin=0.02, window=1)
    torch.testing.assert_close(weight0, torch.full_like(miss0, 1.0 - time), rtol=0, atol=1e-6)
    torch.testing.assert_close(weight1, torch.full_like(miss1, time), rtol=0, atol=1e-6)


def test_the_side_that_misses_more_falls_off_by_the_excess_over_the_sharpness():
    miss0, miss1 = _maps(0.25, 0.05)  # the first observation misses by 0.2 more: excess 0.18
    weight0, weight1 = visibility_weights(miss0, miss1, 0.5, sharpness=0.01, margin=0.02, window=1)
    expected = math.exp(-18.0) / (1.0 + math.exp(-18.0))
    torch.testing.assert_close(weight0, torch.full_like(miss0, expected), rtol=1e-4, atol=0)
    torch.testing.assert_close(weight0 + weight1, torch.ones_like(miss0), rtol=0, atol=1e-6)


def test_weights_stay_finite_when_both_sides_miss_far_beyond_the_sharpness():
    miss0, miss1 = _maps(1.0, 0.0)
    weight0, weight1 = visibility_weights(miss0, miss1, 0.0, sharpness=1e-4, margin=0.0, window=1)
    assert torch.isfinite(weight0).all() and torch.isfinite(weight1).all()
    torch.testing.assert_close(weight0 + weight1, torch.ones_like(miss0))


def test_the_window_averages_each_miss_before_comparing():
    miss0 = torch.zeros(1, 1, 9, 9)
    miss0[..., 4, 4] = 0.9  # one speckle pixel: 0.1 over a 3x3 window, 0.036 over 5x5
    miss1 = torch.zeros_like(miss0)
    w_pixel, _ = visibility_weights(miss0, miss1, 0.5, sharpness=0.01, margin=0.02, window=1)
    w_window, _ = visibility_weights(miss0, miss1, 0.5, sharpness=0.01, margin=0.02, window=5)
    assert float(w_pixel[..., 4, 4]) < 1e-30
    assert float(w_window[..., 4, 4]) == pytest.approx(1.0 / (1.0 + math.exp(0.016 / 0.01)), rel=1e-4)


def test_bad_arguments_are_named():
    miss0, miss1 = _maps(0.1, 0.1)
    with pytest.raises(ValueError, match="window"):
        visibility_weights(miss0, miss1, 0.5, window=4)
    with pytest.raises(ValueError, match="sharpness"):
        visibility_weights(miss0, miss1, 0.5, sharpness=0.0)
    with pytest.raises(ValueError, match="time"):
        visibility_weights(miss0, miss1, 1.5)
    with pytest.raises(ValueError, match="miss1"):
        visibility_weights(miss0, miss1[..., :4], 0.5)
    with pytest.raises(ValueError, match="blend"):
        LatentAdvectionModel(1, blend="nearest")
    with pytest.raises(ValueError, match="blend_window"):
        LatentAdvectionModel(1, blend_window=2)


def _image_model(blend):
    return LatentAdvectionModel(1, image_space=True, two_sided=True, blend=blend, depth=1, base_channels=2)


def test_without_motion_and_equal_misses_the_state_is_the_cross_fade():
    model = _image_model("visibility")
    image0 = torch.rand(1, 1, 16, 16, generator=torch.Generator().manual_seed(0))
    image1 = torch.rand(1, 1, 16, 16, generator=torch.Generator().manual_seed(1))
    still = torch.zeros(1, 2, 16, 16)
    misses = model.misses(image0, image1, image0, image1, still)
    torch.testing.assert_close(misses[0], misses[1])  # |I0 - I1| both ways
    state = model.state_at(image0, image1, still, 0.3, misses)
    torch.testing.assert_close(state, 0.7 * image0 + 0.3 * image1)


def test_a_gap_shown_by_one_observation_only_is_drawn_from_it():
    """A dark band that only the second image holds, nothing moves: the linear blend draws it at
    t = 0.5 at half depth; the visibility blend cannot tell the sides apart here (both miss it
    equally) and must give the same half depth, never invent a side."""
    model = _image_model("visibility")
    image0 = torch.full((1, 1, 16, 16), 0.8)
    image1 = image0.clone()
    image1[..., 6:10] = 0.0
    still = torch.zeros(1, 2, 16, 16)
    misses = model.misses(image0, image1, image0, image1, still)
    state = model.state_at(image0, image1, still, 0.5, misses)
    torch.testing.assert_close(state[..., 8], torch.full_like(state[..., 8], 0.4))


def test_a_gap_that_opens_between_moving_floes_is_drawn_from_the_observation_that_shows_it():
    """Two floes part by 2 px each way: the second image shows the gap (4 px of open water); the
    first, carried towards it, stretches ice into the gap. The linear blend draws the gap at
    t = 0.5 at half depth; the visibility blend takes it from the second observation."""
    model = _image_model("visibility")
    size, middle = 32, 16
    texture = 0.5 + 0.3 * torch.rand(1, 1, size, size, generator=torch.Generator().manual_seed(3))
    parting = torch.zeros(1, 2, size, size)
    parting[:, 0, :, :middle], parting[:, 0, :, middle:] = -2.0, 2.0
    image0 = texture
    image1 = torch.zeros_like(texture)
    image1[..., : middle - 2] = texture[..., 2:middle]
    image1[..., middle + 2 :] = texture[..., middle : size - 2]
    misses = model.misses(image0, image1, image0, image1, parting)
    linear = model.state_at(image0, image1, parting, 0.5, misses, blend="linear")
    visible = model.state_at(image0, image1, parting, 0.5, misses)
    gap = (slice(8, 24), slice(middle - 1, middle + 1))  # the gap at t = 0.5: 2 px of open water
    assert float(visible[..., gap[0], gap[1]].max()) < 0.01
    assert float(linear[..., gap[0], gap[1]].min()) > 0.2
    floe = (slice(8, 24), slice(2, 8))  # far from the gap both observations agree: the linear blend
    torch.testing.assert_close(visible[..., floe[0], floe[1]], linear[..., floe[0], floe[1]], rtol=0, atol=1e-6)


def test_a_linear_blend_or_one_sided_run_keeps_its_older_cache_key():
    settings = experiment_settings("inbetween_scenarios", "smoke", {})
    assert settings["blend"] == "visibility"
    keyed = method_settings("latent_advection", settings)
    assert keyed["blend"] == "visibility" and keyed["blend_margin"] == settings["blend_margin"]
    for knobs in ({"blend": "linear"}, {"two_sided": False}):
        older = method_settings("latent_advection", {**settings, **knobs})
        assert not {"blend", "blend_sharpness", "blend_margin", "blend_window"} & set(older)
    assert "blend" not in method_settings("latent_reaction", settings)  # advection-reaction blends by itself


def _blend_summary():
    rows = []
    for seed, (whole, event, depth) in enumerate([(1.0, 4.0, 0.30), (1.2, 5.0, 0.25), (0.8, 4.5, 0.28)]):
        base = {"seed": seed, "scenario": "crack_formation"}
        rows.append(
            {**base, "method": "linear_blend", "psnr_mid": 25.0, "event_psnr_mid": 14.0, "event_depth_mid": 0.55}
        )
        rows.append(
            {
                **base,
                "method": "latent_advection",
                "psnr_mid": 25.0 + whole,
                "event_psnr_mid": 14.0 + event,
                "event_depth_mid": 0.55 + depth,
            }
        )
    return pd.DataFrame(rows)


def test_blend_effect_pairs_the_two_blends_by_seed():
    table = blend_effect(_blend_summary()).set_index("score")
    assert table.loc["psnr_mid", "difference"] == pytest.approx(1.0)
    assert table.loc["event_psnr_mid", "difference"] == pytest.approx(4.5)
    assert table.loc["event_depth_mid", "difference"] == pytest.approx(0.2766666, abs=1e-6)
    assert set(table["outcome"]) == {"reproduced"}
    assert blend_effect(pd.DataFrame()).empty


def test_event_goals_need_depth_the_lead_over_transport_and_no_loss_on_the_whole_image():
    blend = _blend_summary()
    scores = blend[blend["method"] == "latent_advection"]
    ot = scores.assign(method="optimal_transport", event_psnr_mid=scores["event_psnr_mid"] - [1.0, 1.5, 2.0])
    goals = event_goals(pd.concat([scores, ot]), blend).set_index("scenario")
    row = goals.loc["crack_formation"]
    assert row["event_depth"] == pytest.approx(np.mean([0.85, 0.80, 0.83]))
    assert row["depth_met"] == (row["event_depth"] >= EVENT_DEPTH_TARGET)
    assert row["event_vs_ot"] == "reproduced" and row["whole_not_lower"] and row["met"]
    behind = pd.concat([scores, ot.assign(event_psnr_mid=ot["event_psnr_mid"] + [3.0, 3.5, 4.0])])
    assert event_goals(behind, blend).set_index("scenario").loc["crack_formation", "event_vs_ot"] == "reversed"
    assert not event_goals(behind, blend)["met"].any()
    assert "crack_closing" not in goals.index  # not run: no row


def test_the_changed_region_is_what_the_motion_does_not_explain():
    from latentdyn.inbetween.experiments.events import changed_region, region_scores

    size = 32
    texture = np.tile(np.linspace(0.2, 0.8, size), (size, 1))
    moving = np.zeros((2, size, size))
    moving[0] = 2.0
    second = np.roll(texture, 2, axis=1)
    assert not changed_region(texture, second, moving)[:, 6:26].any()  # pure motion: nothing changed
    second[12:20, 12:20] = 1.0  # a patch that brightens in place
    region = changed_region(texture, second, moving, 0.5)
    assert region[14:18, 13:19].all() and not region[:, 5:9].any()  # (the wrapped edge columns change too)
    truth = 0.5 * (np.roll(texture, 1, axis=1) + np.roll(second, -1, axis=1))
    scores = region_scores(truth, truth, region)
    assert scores["changed_psnr"] == float("inf") and scores["changed_mae"] == 0.0
    assert scores["changed_fraction"] == pytest.approx(region.mean())
    assert np.isnan(region_scores(truth, truth, np.zeros_like(region))["changed_psnr"])
    with pytest.raises(ValueError, match="velocity"):
        changed_region(texture, second, moving[:, :4])
    with pytest.raises(ValueError, match="window"):
        changed_region(texture, second, moving, window=2)
