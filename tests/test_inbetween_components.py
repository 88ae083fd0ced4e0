"""Patches, U-Net, latent advection model, baselines and metrics of the in-between chapters."""

import numpy as np
import pytest
import torch
from skimage.metrics import structural_similarity

from latentdyn.inbetween import image_metrics
from latentdyn.inbetween.baselines.cross_fade import cross_fade
from latentdyn.inbetween.baselines.optical_flow import optical_flow_interpolation
from latentdyn.inbetween.baselines.optimal_transport import ot_interpolation, splat
from latentdyn.inbetween.models.latent_advection import (
    LatentAdvectionModel,
    TrainingSettings,
    interpolate_pair,
    train_pair,
)
from latentdyn.inbetween.models.patches import extract_patches, patch_positions, recombine_patches
from latentdyn.inbetween.models.unet import UNet


@pytest.mark.parametrize("shape, size, stride", [((64, 64), 32, 16), ((50, 70), 16, 12), ((20, 20), 20, 5)])
def test_patch_round_trip_is_identity(shape, size, stride):
    image = torch.rand(2, *shape, generator=torch.Generator().manual_seed(1))
    patches = extract_patches(image, size, stride)
    assert patches.shape == (len(patch_positions(*shape, size, stride)), 2, size, size)
    torch.testing.assert_close(recombine_patches(patches, *shape, stride), image)


def test_patch_arguments_are_checked():
    with pytest.raises(ValueError, match="stride"):
        extract_patches(torch.zeros(1, 32, 32), 8, 9)
    with pytest.raises(ValueError, match="patch_size"):
        extract_patches(torch.zeros(1, 8, 8), 16, 4)


def test_unet_shapes_and_zero_output():
    net = UNet(3, 2, base_channels=4, depth=2, zero_output=True)
    with torch.no_grad():
        out = net(torch.rand(2, 3, 16, 24))
    assert out.shape == (2, 2, 16, 24) and float(out.abs().max()) == 0.0
    with pytest.raises(ValueError, match="divisible"):
        net(torch.rand(1, 3, 10, 16))


def test_untrained_latent_model_is_plain_advection():
    torch.manual_seed(0)
    model = LatentAdvectionModel(3, base_channels=4, depth=1, field_downsample=2)
    images = torch.rand(2, 1, 16, 16)
    torch.testing.assert_close(model.decode(model.encode(images)), images)
    assert model.encode(images).shape == (2, 3, 16, 16)


def test_training_reduces_loss_and_interpolation_shapes():
    from scipy import ndimage

    rng = np.random.default_rng(0)
    first = ndimage.gaussian_filter(rng.random((32, 32)), 3.0, mode="wrap")
    first = ((first - first.min()) / (first.max() - first.min())).astype(np.float32)
    second = np.roll(first, 2, axis=1)
    model = LatentAdvectionModel(2, base_channels=4, depth=1, field_downsample=2, max_speed=4.0)
    settings = TrainingSettings(
        patch_size=16, patch_stride=8, iterations=40, batch_size=9, learning_rate=1e-2, lambda_smooth=0.0
    )
    torch.manual_seed(0)
    history = train_pair(model, first, second, settings, show_progress=False)
    assert len(history) == 40
    assert history["dynamics"].iloc[-5:].mean() < 0.7 * history["dynamics"].iloc[:3].mean()
    out = interpolate_pair(
        model, first, second, [0.0, 0.5, 1.0], patch_size=16, patch_stride=8, latent_times=(0.0, 1.0)
    )
    assert out["frames"].shape == (3, 32, 32) and out["velocity"].shape == (2, 32, 32)
    assert out["latents"].shape == (2, 2, 32, 32)


def test_ot_moves_a_delta_at_constant_speed():
    first, second = np.zeros((12, 12)), np.zeros((12, 12))
    first[2, 3], second[8, 9] = 1.0, 1.0
    out = ot_interpolation(first, second, [0.0, 0.5, 1.0], max_points=144, mass_floor=0.0)
    for k, (row, col) in enumerate([(2, 3), (5, 6), (8, 9)]):
        assert np.unravel_index(np.argmax(out["frames"][k]), (12, 12)) == (row, col)
        assert out["frames"][k].sum() == pytest.approx(1.0, abs=1e-5)
        assert out["frames"][k][row, col] == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(out["velocity"][:, 2, 3], [6.0, 6.0], atol=1e-6)


def test_splat_preserves_mass_inside_the_grid():
    mass = np.ones((5, 5))
    rows, cols = np.meshgrid(np.arange(5.0), np.arange(5.0), indexing="ij")
    assert splat(mass, rows + 0.5, cols).sum() == pytest.approx(25 - 2.5)


def test_optical_flow_recovers_a_shift():
    rng = np.random.default_rng(3)
    from scipy import ndimage

    image = ndimage.gaussian_filter(rng.random((64, 64)), 2.0)
    image = (image - image.min()) / (image.max() - image.min())
    shifted = np.roll(image, 2, axis=1)
    out = optical_flow_interpolation(image, shifted, [0.5])
    assert np.median(out["velocity"][0, 16:-16, 16:-16]) == pytest.approx(2.0, abs=0.3)
    assert np.median(np.abs(out["velocity"][1, 16:-16, 16:-16])) < 0.3


def test_cross_fade_is_linear():
    frames = cross_fade(np.zeros((2, 2)), np.ones((2, 2)), [0.0, 0.25, 1.0])
    np.testing.assert_allclose(frames[:, 0, 0], [0.0, 0.25, 1.0])


def test_metrics_match_direct_formulas():
    rng = np.random.default_rng(0)
    truth = rng.random((32, 32))
    estimate = np.clip(truth + 0.05 * rng.standard_normal((32, 32)), 0, 1)
    error = np.mean((estimate - truth) ** 2)
    assert image_metrics.mse(estimate, truth) == pytest.approx(error)
    assert image_metrics.psnr(estimate, truth) == pytest.approx(10 * np.log10(1 / error))
    assert image_metrics.ssim(estimate, truth) == pytest.approx(structural_similarity(truth, estimate, data_range=1.0))
    assert image_metrics.ssim(truth, truth) == pytest.approx(1.0)
    velocity = np.zeros((2, 4, 4))
    truth_velocity = np.zeros((2, 4, 4))
    truth_velocity[0] = 3.0
    truth_velocity[1] = 4.0
    assert image_metrics.endpoint_error(velocity, truth_velocity) == pytest.approx(5.0)
    with pytest.raises(ValueError, match="endpoint_error"):
        image_metrics.endpoint_error(np.zeros((3, 4, 4)), np.zeros((3, 4, 4)))


def smooth_texture(size=32, seed=0):
    from scipy import ndimage

    rng = np.random.default_rng(seed)
    image = ndimage.gaussian_filter(rng.random((size, size)), 3.0, mode="wrap")
    return ((image - image.min()) / (image.max() - image.min())).astype(np.float32)


def test_bias_free_codec_keeps_black_exactly_black():
    torch.manual_seed(0)
    model = LatentAdvectionModel(3, base_channels=4, depth=1, field_downsample=2)
    for parameter in list(model.encoder.parameters()) + list(model.decoder.parameters()):
        torch.nn.init.normal_(parameter, std=0.3)  # as if trained: far from the zero start
    images = torch.zeros(2, 1, 32, 32)
    images[:, :, 4:8, 4:8] = 0.8
    with torch.no_grad():
        latents = model.encode(images)
        decoded = model.decode(latents)
        blank = model.decode(model.encode(torch.zeros(1, 1, 32, 32)))
    assert float(blank.abs().max()) == 0.0  # zero in, zero out
    # far from the bright square only GELU's vanishing tails remain
    assert float(latents[..., 24:, 24:].abs().max()) < 1e-6
    assert float(decoded[..., 24:, 24:].abs().max()) < 1e-6
    assert float(latents[..., :8, :8].abs().max()) > 0.1
    biased = LatentAdvectionModel(3, base_channels=4, depth=1, field_downsample=2, codec_bias=True)
    for parameter in biased.decoder.parameters():
        torch.nn.init.normal_(parameter, std=0.3)
    with torch.no_grad():
        assert float(biased.decode(biased.encode(images))[..., 24:, 24:].abs().max()) > 1e-2


def test_prior_is_the_starting_velocity_and_two_sided_frames_use_both_images():
    first = smooth_texture()
    second = np.roll(first, 2, axis=1)
    prior = np.zeros((2, 32, 32), np.float32)
    prior[0] = 2.0
    model = LatentAdvectionModel(
        2, base_channels=4, depth=1, field_downsample=2, max_speed=1.0, two_sided=True, zero_field_output=True
    )
    out = interpolate_pair(model, first, second, [0.0, 1.0], patch_size=16, patch_stride=8, prior=prior)
    np.testing.assert_allclose(out["velocity"], prior, atol=1e-6)  # the correction starts at zero
    # two-sided: the frame at t = 1 is the second image itself (its encoding, decoded)
    np.testing.assert_allclose(out["frames"][1], second, atol=1e-5)
    np.testing.assert_allclose(out["frames"][0], first, atol=1e-5)


def test_training_on_more_than_two_frames_and_with_a_prior():
    from latentdyn.inbetween.models.latent_advection import train_frames

    first = smooth_texture(seed=1)
    frames = np.stack([np.roll(first, k, axis=1) for k in (0, 1, 2)])
    prior = np.zeros((2, 32, 32), np.float32)
    prior[0] = 1.5
    model = LatentAdvectionModel(
        2, base_channels=4, depth=1, field_downsample=2, max_speed=2.0, two_sided=True, zero_field_output=True
    )
    settings = TrainingSettings(
        patch_size=16, patch_stride=8, iterations=30, batch_size=9, learning_rate=1e-2, lambda_smooth=0.0
    )
    torch.manual_seed(0)
    history = train_frames(model, frames, settings, times=(0.0, 0.5, 1.0), prior=prior, show_progress=False)
    assert history["dynamics"].iloc[-5:].mean() < history["dynamics"].iloc[:3].mean()
    velocity = interpolate_pair(model, frames[0], frames[-1], [], patch_size=16, patch_stride=8, prior=prior)[
        "velocity"
    ]
    assert abs(float(np.median(velocity[0, 8:-8, 8:-8])) - 2.0) < 0.3  # refined from 1.5 towards 2
    with pytest.raises(ValueError, match="times"):
        train_frames(model, frames, settings, times=(0.0, 0.7, 0.5))


def test_velocity_priors_recover_a_shift():
    from latentdyn.inbetween.models.velocity_prior import auto_levels, resize_velocity, velocity_prior

    first = smooth_texture(64, seed=2)
    second = np.roll(first, 3, axis=1)
    flow = velocity_prior("tvl1", first, second)
    assert flow.shape == (2, 64, 64) and abs(float(np.median(flow[0, 16:-16, 16:-16])) - 3.0) < 0.3
    assert velocity_prior("none", first, second) is None
    coarse = velocity_prior(
        "coarse_to_fine",
        first,
        second,
        levels=1,
        model_options=dict(
            base_channels=4, field_channels=4, depth=1, field_downsample=2, max_speed=2.0, loss_scales=2
        ),
        training=TrainingSettings(
            patch_size=32, patch_stride=16, iterations=60, batch_size=4, learning_rate=1e-2, lambda_smooth=0.0
        ),
        iterations=120,
    )
    assert coarse.shape == (2, 64, 64) and abs(float(np.median(coarse[0, 16:-16, 16:-16])) - 3.0) < 1.0
    assert auto_levels((900, 900), 64) == 4 and auto_levels((64, 64), 64) == 1
    doubled = resize_velocity(np.ones((2, 8, 8), np.float32), (16, 16))
    torch.testing.assert_close(doubled, torch.full((2, 16, 16), 2.0))
    with pytest.raises(ValueError, match="velocity_init"):
        velocity_prior("optical", first, second)
