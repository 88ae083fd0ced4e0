"""The advection solver against exact solutions: constant velocity (shift) and solid-body rotation."""

import math

import pytest
import torch

from latentdyn.inbetween.physics.advection import advect, cfl_substeps


def gaussian(size=48, centre=(20.0, 24.0), width=4.0, dtype=torch.float64):
    rows, cols = torch.meshgrid(torch.arange(size, dtype=dtype), torch.arange(size, dtype=dtype), indexing="ij")
    return torch.exp(-((cols - centre[0]) ** 2 + (rows - centre[1]) ** 2) / (2 * width**2))[None, None]


def constant_velocity(vx, vy, size=48, dtype=torch.float64):
    velocity = torch.zeros(1, 2, size, size, dtype=dtype)
    velocity[:, 0], velocity[:, 1] = vx, vy
    return velocity


@pytest.mark.parametrize("scheme, courant", [("semi_lagrangian", 2.0), ("upwind", 1.0)])
def test_integer_shift_is_exact(scheme, courant):
    field = torch.rand(1, 2, 48, 48, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    vx, vy = (4.0, -2.0) if scheme == "semi_lagrangian" else (3.0, 0.0)
    moved = advect(field, constant_velocity(vx, vy), 1.0, scheme=scheme, courant=courant)
    expected = torch.roll(field, shifts=(int(vy), int(vx)), dims=(-2, -1))
    # away from the inflow boundaries the solution is the exact shift
    torch.testing.assert_close(moved[..., 8:-8, 8:-8], expected[..., 8:-8, 8:-8])


def test_fractional_shift_of_smooth_field_matches_exact_solution():
    exact = gaussian(centre=(23.3, 21.4))
    one_step = advect(gaussian(), constant_velocity(3.3, -2.6), 1.0, courant=4.0)
    assert float((one_step - exact).abs().max()) < 0.02
    # each sub-step's bilinear interpolation diffuses a little: more sub-steps, more error
    four_steps = advect(gaussian(), constant_velocity(3.3, -2.6), 1.0)
    assert float((four_steps - exact).abs().max()) < 0.06


def test_solid_body_rotation_matches_exact_solution():
    size, angle = 64, math.pi / 2
    centre = (size - 1) / 2
    rows, cols = torch.meshgrid(
        torch.arange(size, dtype=torch.float64), torch.arange(size, dtype=torch.float64), indexing="ij"
    )
    velocity = torch.stack((-(rows - centre), cols - centre))[None] * angle
    start = gaussian(size, centre=(centre + 14.0, centre), width=6.0)
    # a quarter turn: (x, y) = (c + 14, c) goes to (c, c + 14) (y downwards)
    exact = gaussian(size, centre=(centre, centre + 14.0), width=6.0)
    errors = {}
    for courant in (1.0, 4.0, 8.0):
        moved = advect(start, velocity, 1.0, courant=courant)
        errors[courant] = float((moved - exact).abs().max())
        assert float(moved.sum() / exact.sum()) == pytest.approx(1.0, abs=0.01)
    # the departure points are accurate even for long sub-steps (midpoint rule); the error is
    # the diffusion of repeated bilinear interpolation, so fewer sub-steps are more accurate
    assert errors[8.0] < 0.05 and errors[4.0] < 0.08
    assert errors[1.0] > errors[4.0] > errors[8.0]


def test_substeps_follow_cfl_and_backwards_time():
    velocity = constant_velocity(5.0, 1.0)
    assert cfl_substeps(velocity, 1.0, courant=1.0) == 5
    assert cfl_substeps(velocity, 0.5, courant=2.0) == 2
    assert cfl_substeps(velocity, 1.0, courant=1.0, scheme="upwind") == 6
    field = gaussian()
    there = advect(field, constant_velocity(2.0, 0.0), 1.0, courant=2.0)
    back = advect(there, constant_velocity(2.0, 0.0), -1.0, courant=2.0)
    torch.testing.assert_close(back[..., 8:-8, 8:-8], field[..., 8:-8, 8:-8])


def test_gradients_flow_to_velocity():
    velocity = constant_velocity(1.5, 0.5).requires_grad_(True)
    advect(gaussian(), velocity, 1.0).sum().backward()
    assert velocity.grad is not None and torch.isfinite(velocity.grad).all()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="field"):
        advect(torch.zeros(3, 3), constant_velocity(1, 1))
    with pytest.raises(ValueError, match="velocity"):
        advect(torch.zeros(1, 1, 8, 8), torch.zeros(1, 2, 9, 9))
    with pytest.raises(ValueError, match="courant"):
        advect(torch.zeros(1, 1, 8, 8), torch.zeros(1, 2, 8, 8), scheme="upwind", courant=2.0)
