"""The other latent PDEs against exact solutions: advection–diffusion (heat kernel), the
continuity equation (mass conservation, linear expansion), and the characteristics scheme."""

import math

import pytest
import torch

from latentdyn.inbetween.physics import PDES, evolve
from latentdyn.inbetween.physics.advection import advect, trace_characteristics
from latentdyn.inbetween.physics.continuity import transport_mass
from latentdyn.inbetween.physics.diffusion import diffuse


def grid(size, dtype=torch.float64):
    return torch.meshgrid(torch.arange(size, dtype=dtype), torch.arange(size, dtype=dtype), indexing="ij")


def gaussian(size, centre, variance, amplitude=1.0):
    rows, cols = grid(size)
    return amplitude * torch.exp(-((cols - centre[0]) ** 2 + (rows - centre[1]) ** 2) / (2 * variance))[None, None]


def constant_velocity(vx, vy, size):
    velocity = torch.zeros(1, 2, size, size, dtype=torch.float64)
    velocity[:, 0], velocity[:, 1] = vx, vy
    return velocity


@pytest.mark.parametrize("kappa, time", [(0.5, 1.0), (2.0, 0.75)])
def test_gaussian_spreads_as_the_heat_kernel_predicts(kappa, time):
    size, variance = 64, 9.0
    start = gaussian(size, (30.0, 32.0), variance)
    spread = diffuse(start, kappa, time)
    grown = variance + 2 * kappa * time
    exact = gaussian(size, (30.0, 32.0), grown, amplitude=variance / grown)
    # second-order five-point Laplacian on a 3-pixel-wide Gaussian: within 0.5 % of the peak
    assert float((spread - exact).abs().max()) < 5e-3 * float(exact.max())
    torch.testing.assert_close(spread.sum(), start.sum())  # zero-flux boundaries conserve the total


def test_advection_diffusion_of_a_gaussian_is_the_moving_heat_kernel():
    size, variance, kappa = 64, 9.0, 1.5
    velocity = constant_velocity(6.0, -4.0, size)
    moved = evolve(
        gaussian(size, (26.0, 34.0), variance), velocity, 1.0, pde="advection_diffusion", diffusivity=kappa, courant=8.0
    )
    grown = variance + 2 * kappa
    exact = gaussian(size, (32.0, 30.0), grown, amplitude=variance / grown)
    assert float((moved - exact).abs().max()) < 4e-3
    # per-channel diffusivities: a channel with zero diffusivity is only advected
    two = torch.cat([gaussian(size, (26.0, 34.0), variance)] * 2, dim=1)
    both = evolve(two, velocity, 1.0, pde="advection_diffusion", diffusivity=[kappa, 0.0], courant=8.0)
    torch.testing.assert_close(both[:, 1:], advect(two[:, 1:], velocity, 1.0, scheme="characteristics", courant=8.0))
    with pytest.raises(ValueError, match="diffusivity"):
        diffuse(two, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="time"):
        diffuse(two, 1.0, -1.0)


def expanding_velocity(size, rate, centre):
    rows, cols = grid(size)
    return torch.stack((rate * (cols - centre), rate * (rows - centre)))[None]


def test_continuity_conserves_mass_to_round_off_under_a_divergent_velocity():
    size = 48
    field = torch.rand(2, 3, size, size, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    velocity = expanding_velocity(size, 0.4, 20.0) + constant_velocity(3.0, -7.0, size)
    for time in (0.3, 1.0, -1.0):
        moved = transport_mass(field, velocity, time, courant=0.5)
        torch.testing.assert_close(moved.sum(dim=(-2, -1)), field.sum(dim=(-2, -1)), rtol=1e-13, atol=0)
    # advection does not conserve mass under the same velocity
    advected = advect(field, velocity, 1.0, courant=0.5)
    assert float((advected.sum() - field.sum()).abs() / field.sum()) > 5e-3


def test_continuity_matches_the_exact_linear_expansion():
    # v = a (x - c): characteristics x(t) = c + (x - c) e^{at}, density u0(...) e^{-2at}
    size, rate, time, centre, variance = 96, 0.3, 1.0, 47.5, 25.0
    start = gaussian(size, (centre + 6.0, centre - 4.0), variance)
    moved = transport_mass(start, expanding_velocity(size, rate, centre), time, courant=0.5)
    stretch = math.exp(rate * time)
    exact = gaussian(
        size, (centre + 6.0 * stretch, centre - 4.0 * stretch), variance * stretch**2, amplitude=stretch**-2
    )
    # a second-order finite-volume scheme on a 5-pixel-wide Gaussian: within 3 % of the peak
    assert float((moved - exact).abs().max()) < 0.03 * float(exact.max())
    # advection of the same field keeps the amplitude: the two PDEs differ where div v != 0
    advected = advect(start, expanding_velocity(size, rate, centre), time, scheme="characteristics", courant=0.25)
    assert float(advected.max()) > 0.95 and float(moved.max()) < 0.6


def test_continuity_is_advection_for_a_divergence_free_shift():
    size = 48
    field = gaussian(size, (20.0, 24.0), 16.0)
    moved = transport_mass(field, constant_velocity(5.3, -3.6, size), 1.0)
    exact = gaussian(size, (25.3, 20.4), 16.0)
    assert float((moved - exact).abs().max()) < 0.03  # the limiter flattens the peak a little


def test_characteristics_trace_a_rotation_and_interpolate_once():
    size, angle = 64, math.pi / 2
    centre = (size - 1) / 2
    rows, cols = grid(size)
    velocity = torch.stack((-(rows - centre), cols - centre))[None] * angle
    points = trace_characteristics(velocity, 1.0, courant=1.0)
    # a quarter turn (y down): (c + 10, c) -> (c, c + 10)
    start = (int(centre - 0.5), int(centre + 10.5))  # row, col of a pixel near (c + 10, c)
    x0, y0 = cols[start] - centre, rows[start] - centre
    expected = torch.tensor([centre - y0, centre + x0], dtype=torch.float64)
    torch.testing.assert_close(points[0, :, start[0], start[1]], expected, atol=5e-3, rtol=0)
    begin = gaussian(size, (centre + 14.0, centre), 36.0)
    exact = gaussian(size, (centre, centre + 14.0), 36.0)
    once = advect(begin, velocity, 1.0, scheme="characteristics", courant=1.0)
    repeated = advect(begin, velocity, 1.0, scheme="semi_lagrangian", courant=1.0)
    assert float((once - exact).abs().max()) < 0.5 * float((repeated - exact).abs().max())


@pytest.mark.parametrize("pde", PDES)
def test_every_pde_is_differentiable_in_field_and_velocity(pde):
    field = gaussian(16, (7.0, 8.0), 4.0).requires_grad_(True)
    velocity = (constant_velocity(1.3, 0.4, 16) + 0.1 * expanding_velocity(16, 1.0, 7.5)).requires_grad_(True)
    evolve(field, velocity, 0.7, pde=pde, diffusivity=0.5).pow(2).sum().backward()
    assert field.grad is not None and velocity.grad is not None
    assert float(velocity.grad.abs().sum()) > 0
    with pytest.raises(ValueError, match="pde"):
        evolve(field, velocity, 1.0, pde="wave")
