"""Autoencoder variants, latent models against exact references, CpAE metrics, resumable training."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from latentdyn.cpae.metrics import relative_frame_error, smoothness_ratio, valid_prediction_time
from latentdyn.cpae.models.autoencoder import ConvAutoencoder
from latentdyn.cpae.models.latent_dynamics import (
    HamiltonianVectorField,
    LatentODE,
    SympNet,
    build_latent_model,
)
from latentdyn.cpae.models.training import train_autoencoder, train_latent_model
from latentdyn.cpae.regularizers import filter_continuity_penalty


@pytest.mark.parametrize("filter_size", [4, 8, 12])
def test_deep_autoencoder_shapes(filter_size):
    model = ConvAutoencoder((3, 32, 64), 8, filter_size=filter_size, channels=(4, 8, 8))
    images = torch.rand(5, 3, 32, 64)
    latents = model.encode(images)
    assert latents.shape == (5, 8)
    output = model.decode(latents)
    assert output.shape == images.shape
    assert float(output.detach().min()) >= 0.0 and float(output.detach().max()) <= 1.0
    assert [conv.weight.shape[-1] for conv in model.regularized_convs] == [filter_size] * 3


def test_single_layer_autoencoder_is_the_circle_model():
    model = ConvAutoencoder((1, 48, 48), 2, architecture="single", channels=(32,))
    assert model.regularized_convs[0].weight.shape == (32, 1, 48, 48)
    assert model.encode(torch.rand(3, 1, 48, 48)).shape == (3, 2)
    assert model(torch.rand(3, 1, 48, 48)).shape == (3, 1, 48, 48)


def test_weight_penalties_are_the_variants_formulas():
    arguments = dict(filter_size=8, channels=(4, 8), regularizer_weight=0.7, kernel_scale=2.0)
    torch.manual_seed(0)
    cpae = ConvAutoencoder((3, 16, 32), 2, regularizer="continuity", **arguments)
    expected = 0.7 * sum(filter_continuity_penalty(c.weight, kernel_scale=2.0) for c in cpae.regularized_convs)
    torch.testing.assert_close(cpae.weight_penalty(), expected)
    l2 = ConvAutoencoder((3, 16, 32), 2, regularizer="l2", **arguments)
    torch.testing.assert_close(l2.weight_penalty(), 0.7 * sum(c.weight.pow(2).mean() for c in l2.regularized_convs))
    plain = ConvAutoencoder((3, 16, 32), 2, regularizer="none", **arguments)
    assert float(plain.weight_penalty()) == 0.0


def test_autoencoder_rejects_bad_input():
    with pytest.raises(ValueError, match="divisible"):
        ConvAutoencoder((3, 20, 40), 2, filter_size=4, channels=(4, 8, 8))
    with pytest.raises(ValueError, match="regularizer"):
        ConvAutoencoder((3, 16, 32), 2, regularizer="tv", channels=(4, 8))
    model = ConvAutoencoder((3, 16, 32), 2, channels=(4, 8), filter_size=4)
    with pytest.raises(ValueError, match="images"):
        model.encode(torch.rand(2, 1, 16, 32))


class _Linear(nn.Module):
    def __init__(self, matrix):
        super().__init__()
        self.matrix = matrix

    def forward(self, time, latents):
        return latents @ self.matrix.T


def test_latent_ode_midpoint_rollout_is_exact_for_linear_fields():
    """The midpoint rule maps z to (I + hA + h^2 A^2 / 2) z for dz/dt = A z."""
    matrix = torch.tensor([[0.0, 1.0], [-2.0, -0.3]], dtype=torch.float64)
    model = LatentODE(_Linear(matrix))
    start = torch.tensor([[1.0, 0.5]], dtype=torch.float64)
    h = 0.1
    propagator = torch.eye(2, dtype=torch.float64) + h * matrix + h**2 * matrix @ matrix / 2
    states = model.rollout(start, 5, time_step=h)
    expected = [start[0]]
    for _ in range(5):
        expected.append(propagator @ expected[-1])
    torch.testing.assert_close(states[0], torch.stack(expected))
    # substeps halve the step
    fine = model.rollout(start, 2, time_step=h, substeps=2)
    half = torch.eye(2, dtype=torch.float64) + h / 2 * matrix + (h / 2) ** 2 * matrix @ matrix / 2
    torch.testing.assert_close(fine[0, 1], half @ start[0])


def test_hamiltonian_field_is_symplectic_gradient():
    field = HamiltonianVectorField(4, hidden=8)
    latents = torch.randn(6, 4, dtype=torch.float64)
    field.double()
    with torch.enable_grad():
        z = latents.clone().requires_grad_(True)
        gradient = torch.autograd.grad(field.hamiltonian(z).sum(), z)[0]
    expected = torch.cat([gradient[:, 2:], -gradient[:, :2]], dim=1)
    torch.testing.assert_close(field(torch.tensor(0.0), latents), expected)
    with pytest.raises(ValueError, match="even"):
        HamiltonianVectorField(3)


def test_sympnet_map_is_symplectic():
    torch.manual_seed(0)
    net = SympNet(4, layers=3, sublayers=2).double()
    for parameter in net.parameters():
        parameter.data.normal_(0, 0.5)
    z = torch.randn(1, 4, dtype=torch.float64)
    jacobian = torch.autograd.functional.jacobian(lambda x: net.step(x[None])[0], z[0])
    poisson = torch.zeros(4, 4, dtype=torch.float64)
    poisson[:2, 2:] = torch.eye(2)
    poisson[2:, :2] = -torch.eye(2)
    torch.testing.assert_close(jacobian.T @ poisson @ jacobian, poisson)
    with pytest.raises(ValueError, match="substeps"):
        net.rollout(z, 2, substeps=2)


def test_latent_model_learns_a_rotation():
    """One-step training recovers dz/dt = (z2, -z1) well enough to roll out a circle."""
    angle = torch.arange(40, dtype=torch.float32) * 0.1
    trajectories = torch.stack(
        [torch.stack([torch.sin(angle + p), torch.cos(angle + p)], 1) for p in torch.linspace(0, 3, 8)]
    )
    torch.manual_seed(0)
    model = build_latent_model("neural_ode", 2, hidden=32)
    train_latent_model(
        model,
        trajectories,
        time_step=0.1,
        steps=400,
        batch_size=128,
        learning_rate=1e-2,
        final_learning_rate=1e-3,
        seed=0,
    )
    with torch.no_grad():
        rolled = model.rollout(trajectories[:, 0], 39, 0.1)
    assert float((rolled - trajectories).abs().max()) < 0.1


def test_smoothness_ratio_references():
    line = torch.stack([torch.arange(10.0), 2 * torch.arange(10.0)], 1)
    assert smoothness_ratio(line) == pytest.approx(0.0, abs=1e-7)
    zigzag = torch.tensor([[0.0], [1.0]] * 5)
    assert smoothness_ratio(zigzag) == pytest.approx(2.0)


def test_filter_roughness_references():
    from latentdyn.cpae.metrics import filter_roughness

    constant = torch.full((2, 1, 5, 5), 3.0)
    assert filter_roughness(constant) == pytest.approx(0.0)
    signs = torch.tensor([[(-1.0) ** (i + j) for j in range(6)] for i in range(6)])
    assert filter_roughness(5 * signs[None, None]) == pytest.approx(4.0)  # checkerboard, any scale
    ramp = torch.arange(4.0)[None, :].expand(4, 4)  # differences 1 across, 0 down; mean square 3.5
    assert filter_roughness(ramp[None, None]) == pytest.approx((1.0 + 0.0) / 2 / 3.5)
    noise = torch.randn(64, 1, 32, 32, generator=torch.Generator().manual_seed(0))
    assert filter_roughness(noise) == pytest.approx(2.0, rel=0.02)
    with pytest.raises(ValueError, match="at least 2x2"):
        filter_roughness(torch.ones(1, 1, 1, 4))


def test_valid_prediction_time_counts_leading_valid_frames():
    errors = torch.tensor(
        [[0.1, 0.2, 0.6, 0.1], [0.1, 0.1, 0.1, 0.1], [0.9, 0.1, 0.1, 0.1], [0.1, float("nan"), 0.1, 0.1]]
    )
    torch.testing.assert_close(
        valid_prediction_time(errors, 0.5), torch.tensor([50.0, 100.0, 0.0, 25.0], dtype=torch.float64)
    )
    with pytest.raises(ValueError, match="threshold"):
        valid_prediction_time(errors, -1.0)


def test_relative_frame_error_direct_formula():
    truth, reference = torch.rand(2, 3, 1, 4, 4), torch.rand(1, 4, 4)
    predicted = truth + 0.1
    expected = (predicted - truth).flatten(2).norm(dim=-1) / (truth - reference).flatten(2).norm(dim=-1)
    torch.testing.assert_close(relative_frame_error(predicted, truth, reference), expected)


def test_autoencoder_training_resumes_from_checkpoint(tmp_path):
    images = torch.rand(24, 3, 16, 32)

    def fresh():
        torch.manual_seed(0)
        return ConvAutoencoder((3, 16, 32), 2, filter_size=6, channels=(4, 8))

    straight = fresh()
    history = train_autoencoder(
        straight, images, epochs=3, batch_size=8, learning_rate=1e-3, seed=1, final_learning_rate=1e-4
    )
    interrupted = fresh()
    checkpoint = tmp_path / "run.pt"
    train_autoencoder(
        interrupted,
        images,
        epochs=3,
        batch_size=8,
        learning_rate=1e-3,
        seed=1,
        final_learning_rate=1e-4,
        checkpoint=checkpoint,
        stop_after_epoch=1,
    )
    resumed = fresh()
    resumed_history = train_autoencoder(
        resumed,
        images,
        epochs=3,
        batch_size=8,
        learning_rate=1e-3,
        seed=1,
        final_learning_rate=1e-4,
        checkpoint=checkpoint,
    )
    assert resumed_history == pytest.approx(history)
    for a, b in zip(straight.state_dict().values(), resumed.state_dict().values()):
        torch.testing.assert_close(a, b)
    assert history[-1] < history[0]


def test_multi_step_training_and_its_limits():
    trajectories = torch.randn(3, 6, 2)
    model = build_latent_model("sympnet", 2)
    history = train_latent_model(
        model,
        trajectories,
        time_step=1.0,
        steps=3,
        batch_size=4,
        learning_rate=1e-2,
        final_learning_rate=1e-3,
        seed=0,
        horizon=3,
    )
    assert len(history) == 3
    with pytest.raises(ValueError, match="horizon"):
        train_latent_model(
            model,
            trajectories,
            time_step=1.0,
            steps=3,
            batch_size=4,
            learning_rate=1e-2,
            final_learning_rate=1e-3,
            seed=0,
            horizon=6,
        )


def test_inline_midpoint_equals_torchdiffeq():
    """The inline midpoint rule is torchdiffeq's fixed-grid midpoint solver, substeps included."""
    from torchdiffeq import odeint

    from latentdyn.cpae.models.latent_dynamics import LatentODE, MLPVectorField, midpoint_rollout

    torch.manual_seed(0)
    field = MLPVectorField(3, hidden=16).double()
    initial = torch.randn(4, 3, dtype=torch.float64)
    ours = midpoint_rollout(field, initial, 5, 0.3, substeps=2)
    times = torch.arange(6, dtype=torch.float64) * 0.3
    reference = odeint(field, initial, times, method="midpoint", options={"step_size": 0.15}).transpose(0, 1)
    torch.testing.assert_close(ours, reference, rtol=1e-13, atol=1e-13)
    model = LatentODE(field, substeps=2)
    torch.testing.assert_close(model.rollout(initial, 5, 0.3), reference, rtol=1e-13, atol=1e-13)
    # half-step outputs of a 2-substep model lie on the same grid
    torch.testing.assert_close(model.rollout(initial, 10, 0.3, substeps=2)[:, ::2], reference, rtol=1e-13, atol=1e-13)
    rk4 = LatentODE(field, method="rk4", substeps=2).rollout(initial, 5, 0.3)
    assert not torch.equal(rk4, reference) and torch.allclose(rk4, reference, atol=1e-3)


def test_midpoint_rule_is_second_order_on_linear_ode():
    """dz/dt = -z: one midpoint step gives z (1 - h + h^2/2) exactly."""
    from latentdyn.cpae.models.latent_dynamics import midpoint_rollout

    field = lambda time, z: -z  # noqa: E731
    states = midpoint_rollout(field, torch.ones(1, 1, dtype=torch.float64), 3, 0.2, substeps=2)
    factor = (1 - 0.1 + 0.1**2 / 2) ** 2
    torch.testing.assert_close(states[0, :, 0], torch.tensor([1, factor, factor**2, factor**3], dtype=torch.float64))


def test_latent_model_keeps_best_parameters():
    from latentdyn.cpae.models.latent_dynamics import build_latent_model
    from latentdyn.cpae.models.training import train_latent_model

    torch.manual_seed(0)
    trajectories = torch.cumsum(torch.randn(4, 10, 2) * 0.1, dim=1)
    model = build_latent_model("neural_ode", 2, hidden=8, substeps=2)
    losses: list[float] = []
    train_latent_model(
        model,
        trajectories,
        time_step=1.0,
        steps=30,
        batch_size=36,
        learning_rate=0.05,
        final_learning_rate=0.05,
        seed=0,
        keep_best=True,
        losses=losses,
    )
    with torch.no_grad():
        predicted = model.rollout(trajectories[:, :-1].reshape(-1, 2), 1, 1.0)[:, 1]
        final = (predicted - trajectories[:, 1:].reshape(-1, 2)).pow(2).mean().item()
    assert len(losses) == 30
    assert final == pytest.approx(min(losses), rel=1e-5)


def test_side_branch_decoder_shapes_and_gradients():
    from latentdyn.cpae.models.autoencoder import ConvAutoencoder, SideBranchDecoder

    model = ConvAutoencoder(
        (3, 32, 64),
        2,
        filter_size=8,
        channels=(8, 16, 32),
        decoder_side_branches=True,
        decoder_batch_norm=True,
        decoder_min_channels=16,
    )
    assert isinstance(model.decoder, SideBranchDecoder)
    images = torch.rand(4, 3, 32, 64)
    output = model(images)
    assert output.shape == images.shape and float(output.detach().min()) >= 0 and float(output.detach().max()) <= 1
    output.mean().backward()
    assert all(p.grad is not None for p in model.decoder.parameters())


def test_pixel_mse_and_vpt_curve_direct():
    from latentdyn.cpae.metrics import pixel_mse, vpt_curve

    truth = torch.zeros(2, 4, 1, 2, 2)
    predicted = truth.clone()
    predicted[0, 2:] = 0.5  # error 0.25 from frame 2 on
    predicted[1, 1:] = 0.2  # error 0.04 from frame 1 on
    errors = pixel_mse(predicted, truth)
    torch.testing.assert_close(errors[0], torch.tensor([0, 0, 0.25, 0.25]))
    curve = vpt_curve(errors, [0.01, 0.1, 1.0])
    torch.testing.assert_close(curve, torch.tensor([[50.0, 25.0], [50.0, 100.0], [100.0, 100.0]], dtype=torch.float64))
    with pytest.raises(ValueError, match="increasing"):
        vpt_curve(errors, [0.5, 0.1])


def test_training_is_bit_identical_run_to_run():
    """On one machine and thread count, the same training gives the same weights bit for bit (the
    reason nbval may check a training's properties but a reader's machine may not reproduce its numbers)."""
    from latentdyn.cpae.data.windows import FrameWindows
    from latentdyn.cpae.models.latent_maps import build_latent_map
    from latentdyn.runtime import seed_everything

    frames = (torch.rand(3, 8, 3, 16, 16) * 255).to(torch.uint8)
    weights = []
    for _ in range(2):
        seed_everything(3, 1)
        model = ConvAutoencoder(
            (3, 16, 32),
            2,
            filter_size=6,
            channels=(4, 8),
            decoder_side_branches=True,
            decoder_batch_norm=True,
            regularizer="continuity",
        )
        step_map = build_latent_map("volume_preserving", 2)
        train_autoencoder(
            model,
            FrameWindows(frames, 2, 2),
            epochs=2,
            batch_size=4,
            learning_rate=1e-3,
            seed=3,
            latent_map=step_map,
            prediction_weight=1.0,
            relative_latent_error=True,
        )
        weights.append([p.detach().clone() for p in model.parameters()])
    assert all(torch.equal(a, b) for a, b in zip(*weights))
