"""Continuity metrics on trajectories with known answers, and rounding for reports."""

import pandas as pd
import pytest
import torch

from latentdyn.metrics import continuity_constant, latent_increments, step_ratio
from latentdyn.reporting import format_significant, significant


def uniform_motion(num_frames=11, velocity=(3.0, 4.0), time_step=0.1):
    times = torch.arange(num_frames, dtype=torch.float64) * time_step
    return times[:, None] * torch.tensor(velocity, dtype=torch.float64)


def test_increments_of_uniform_motion():
    latents = uniform_motion()
    torch.testing.assert_close(latent_increments(latents, 2), torch.full((9,), 1.0, dtype=torch.float64))


def test_continuity_constant_is_the_speed_for_uniform_motion():
    assert continuity_constant(uniform_motion(), 0.1, [1, 2, 4]) == pytest.approx(5.0)


def test_continuity_constant_skips_short_intervals():
    latents = uniform_motion().clone()
    latents[5:] += 1.0  # one jump of size 1 between frames 4 and 5
    jump = (1.3**2 + 1.4**2) ** 0.5  # one step of motion (0.3, 0.4) plus the jump (1, 1)
    assert continuity_constant(latents, 0.1, [1]) == pytest.approx(jump / 0.1)
    assert continuity_constant(latents, 0.1, [1, 8], min_interval=0.5) == pytest.approx(
        (3.4**2 + 4.2**2) ** 0.5 / 0.8
    )  # only lag 8 spans 0.5: motion (2.4, 3.2) + jump


def test_step_ratio():
    assert step_ratio(uniform_motion()) == pytest.approx(1.0)
    jumpy = uniform_motion().clone()
    jumpy[5:] += 10.0
    assert step_ratio(jumpy) > 10


def test_increments_need_enough_frames():
    with pytest.raises(ValueError, match="more than lag=3 frames"):
        latent_increments(torch.zeros(3, 2), 3)


def test_format_significant():
    assert format_significant(0.0133456, 3) == "0.0133"
    assert format_significant(16.850619, 3) == "16.9"
    assert format_significant(-1e-20, 3) == "-1e-20"
    assert format_significant(-0.0, 3) == "0"
    assert format_significant(7, 3) == 7
    assert format_significant("text", 3) == "text"


def test_significant_frame():
    frame = pd.DataFrame({"name": ["a"], "value": [3.14159], "count": [3]})
    assert significant(frame, 2).to_dict("records") == [{"name": "a", "value": "3.1", "count": 3}]
