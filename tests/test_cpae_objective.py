"""The authors' autoencoder objective: volume-preserving step map, the auxiliary terms, the
video windows they are computed on, and the GPU fast path's dtype/layout logic (on the CPU)."""

from __future__ import annotations

import pytest
import torch

from latentdyn.cpae.data.videos import frame_pairs
from latentdyn.cpae.data.windows import FrameWindows
from latentdyn.cpae.models.autoencoder import ConvAutoencoder
from latentdyn.cpae.models.latent_maps import ResidualMLPMap, VolumePreservingMap, build_latent_map
from latentdyn.cpae.models.training import (
    autocast_context,
    autoencoder_loss,
    prepare_for_speed,
    resolve_precision,
    train_autoencoder,
)


def _randomised(model: torch.nn.Module, scale: float = 0.7, seed: int = 0) -> torch.nn.Module:
    """Parameters far from the near-identity initialisation, so the tests see a real nonlinear map."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(scale * torch.randn(parameter.shape, generator=generator))
    return model.double()


@pytest.mark.parametrize("dim", [2, 3, 8])
def test_volume_preserving_map_has_unit_jacobian_determinant(dim):
    step = _randomised(VolumePreservingMap(dim))
    points = torch.randn(6, dim, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    for point in points:
        jacobian = torch.autograd.functional.jacobian(lambda z: step(z[None])[0], point)
        assert abs(float(torch.linalg.det(jacobian)) - 1.0) < 1e-5
        # and it is not merely the identity
        assert float((jacobian - torch.eye(dim, dtype=torch.float64)).abs().max()) > 0.05


@pytest.mark.parametrize("dim", [2, 5])
def test_volume_preserving_map_is_invertible(dim):
    step = _randomised(VolumePreservingMap(dim))
    points = 3 * torch.randn(50, dim, dtype=torch.float64)
    torch.testing.assert_close(step.inverse(step(points)), points, rtol=0, atol=1e-10)
    torch.testing.assert_close(step(step.inverse(points)), points, rtol=0, atol=1e-10)


def test_latent_map_gradients_flow_and_pass_gradcheck():
    for step in (_randomised(VolumePreservingMap(4), 0.5), _randomised(ResidualMLPMap(4, hidden=8), 0.5)):
        points = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
        assert torch.autograd.gradcheck(step, (points,))
        step.zero_grad()
        step(points).pow(2).sum().backward()
        assert all(p.grad is not None and float(p.grad.abs().sum()) > 0 for p in step.parameters())


def test_latent_maps_start_near_the_identity_and_are_named():
    points = torch.randn(10, 8)
    for kind in ("volume_preserving", "mlp"):
        torch.manual_seed(0)
        step = build_latent_map(kind, 8)
        assert float((step(points) - points).detach().abs().max()) < 0.25
    assert build_latent_map("none", 8) is None
    with pytest.raises(ValueError, match="latent_map"):
        build_latent_map("symplectic", 8)
    with pytest.raises(ValueError, match="dim"):
        VolumePreservingMap(1)


def test_frame_windows_equal_frame_pairs_and_targets_are_two_frames_later():
    frames = torch.randint(0, 256, (3, 7, 3, 4, 5), dtype=torch.uint8)
    pairs = torch.from_numpy(frame_pairs(frames.numpy()))
    windows = FrameWindows(frames, frames_per_input=2, target_offset=2)
    assert len(windows) == 3 * 4 and windows.input_shape == (3, 4, 10)
    everything = torch.arange(len(windows))
    torch.testing.assert_close(windows.inputs(everything).reshape(3, 4, 3, 4, 10), pairs[:, :4])
    torch.testing.assert_close(windows.targets(everything).reshape(3, 4, 3, 4, 10), pairs[:, 2:6])
    torch.testing.assert_close(FrameWindows(frames).mean_input(), pairs.mean(dim=(0, 1)))
    with pytest.raises(ValueError, match="no targets"):
        FrameWindows(frames).targets(everything)
    with pytest.raises(ValueError, match="too few"):
        FrameWindows(frames[:, :2], target_offset=2)
    with pytest.raises(ValueError, match="frames"):
        FrameWindows(torch.zeros(3, 7, 3, 4, 5, dtype=torch.int32))


def _small_autoencoder(seed: int = 0) -> ConvAutoencoder:
    torch.manual_seed(seed)
    return ConvAutoencoder((3, 16, 32), 2, filter_size=6, channels=(4, 8), regularizer="continuity")


def test_autoencoder_loss_is_the_authors_objective():
    model, step = _small_autoencoder().eval(), _randomised(VolumePreservingMap(2), 0.3).float()
    inputs, targets = torch.rand(5, 3, 16, 32), torch.rand(5, 3, 16, 32)
    loss, terms = autoencoder_loss(model, inputs, targets, step, prediction_weight=0.3)
    # direct formula, each piece computed separately (batch norm in eval mode: batches do not interact)
    predicted = step(model.encode(inputs))
    reconstruction = (model(inputs) - inputs).pow(2).mean()
    latent = (predicted - model.encode(targets)).pow(2).mean()
    image = (model.decode(predicted) - targets).pow(2).mean()
    torch.testing.assert_close(loss, reconstruction + 0.3 * (2 * latent + image))
    torch.testing.assert_close(terms["latent_prediction"], latent)
    plain, _ = autoencoder_loss(model, inputs)
    torch.testing.assert_close(plain, reconstruction)
    with pytest.raises(ValueError, match="targets"):
        autoencoder_loss(model, inputs, None, step, 0.3)


def test_training_with_a_latent_map_lowers_the_loss_and_resumes(tmp_path):
    frames = torch.randint(0, 256, (4, 6, 3, 16, 16), dtype=torch.uint8)
    windows = FrameWindows(frames, target_offset=2)
    arguments = dict(
        epochs=3, batch_size=4, learning_rate=3e-3, final_learning_rate=1e-3, seed=2, prediction_weight=0.1
    )

    def fresh():
        torch.manual_seed(0)
        return _small_autoencoder(), VolumePreservingMap(2)

    model, step = fresh()
    history = train_autoencoder(model, windows, latent_map=step, **arguments)
    assert history[-1] < history[0]
    first, first_step = fresh()
    checkpoint = tmp_path / "run.pt"
    train_autoencoder(first, windows, latent_map=first_step, checkpoint=checkpoint, stop_after_epoch=1, **arguments)
    resumed, resumed_step = fresh()
    resumed_history = train_autoencoder(resumed, windows, latent_map=resumed_step, checkpoint=checkpoint, **arguments)
    assert resumed_history == pytest.approx(history)
    torch.testing.assert_close(resumed_step.state_dict(), step.state_dict())
    with pytest.raises(ValueError, match="target"):
        train_autoencoder(_small_autoencoder(), FrameWindows(frames), latent_map=VolumePreservingMap(2), **arguments)


def test_precision_and_layout_of_the_fast_path():
    assert resolve_precision("auto", torch.device("cpu")) == "fp32"
    assert resolve_precision("auto", torch.device("cuda")) == "bf16"
    assert resolve_precision("bf16", torch.device("cpu")) == "bf16"
    with pytest.raises(ValueError, match="precision"):
        resolve_precision("fp16", torch.device("cpu"))
    model = _small_autoencoder().eval()
    inputs = torch.rand(4, 3, 16, 32)
    with autocast_context(torch.device("cpu"), "bf16"):
        assert model.encoder[0][0](inputs).dtype == torch.bfloat16
        loss, _ = autoencoder_loss(model, inputs)
    assert loss.dtype == torch.float32
    with autocast_context(torch.device("cpu"), "fp32"):
        assert model.encoder[0][0](inputs).dtype == torch.float32
    expected = model(inputs)
    prepare_for_speed(model, channels_last=True)
    assert model.encoder[0][0].weight.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(
        model(inputs.contiguous(memory_format=torch.channels_last)), expected, rtol=1e-4, atol=1e-5
    )


def test_bf16_channels_last_training_keeps_float32_weights():
    model = _small_autoencoder()
    windows = FrameWindows(torch.randint(0, 256, (3, 5, 3, 16, 16), dtype=torch.uint8), target_offset=2)
    history = train_autoencoder(
        model,
        windows,
        epochs=2,
        batch_size=4,
        learning_rate=1e-3,
        seed=0,
        latent_map=VolumePreservingMap(2),
        prediction_weight=0.01,
        precision="bf16",
        channels_last=True,
    )
    assert all(torch.isfinite(torch.tensor(history)))
    assert all(p.dtype == torch.float32 for p in model.parameters())


def test_training_speed_benchmark_reports_both_paths():
    from latentdyn.cpae.experiments.speed import benchmark_training_speed

    table = benchmark_training_speed(profile="smoke", device="cpu", batch_size=2, steps=1, warmup=0)
    assert list(table["autoencoder"]) == ["standard", "cpae"]
    assert (table["fp32 baseline (inputs/s)"] > 0).all() and (table["fast path (inputs/s)"] > 0).all()
    assert table["fast / baseline"].tolist() == pytest.approx(
        (table["fast path (inputs/s)"] / table["fp32 baseline (inputs/s)"]).tolist()
    )
