"""The CpAE evaluation: a test set of its own, parallel trainings equal to serial ones, seed
readings that never pool devices or data sources, and properties of a correct run."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from latentdyn.cpae.settings import system_settings


def test_test_videos_are_the_same_for_every_seed_and_apart_from_training():
    from latentdyn.cpae.experiments.data import prepare_system

    settings = system_settings("smoke", {}, "damped_pendulum")
    first, second = (prepare_system("damped_pendulum", settings, seed) for seed in (0, 1))
    assert first.test_pairs.shape[:2] == (settings["test_videos"], settings["test_frames"] - 1)
    torch.testing.assert_close(first.test_pairs, second.test_pairs)
    assert not torch.equal(first.train_frames, second.train_frames)
    # no test video is a training video: compare first frames
    train_first = first.train_frames[:, 0].reshape(len(first.train_frames), -1).float()
    test_first = torch.from_numpy(first.test_frames[:, 0]).reshape(len(first.test_frames), -1).float()
    assert torch.cdist(test_first, train_first).min() > 0
    assert first.half_frames is not None and len(first.half_index) == len(first.half_frames)


def test_test_videos_are_simulated_once_per_process_and_handed_out_as_copies(monkeypatch):
    from latentdyn.cpae.experiments import data as cpae_data

    settings = system_settings("smoke", {}, "damped_pendulum")
    cpae_data._simulated_test_video.cache_clear()
    direct = cpae_data.generate_system_video(
        "damped_pendulum",
        num_trajectories=settings["test_videos"],
        num_frames=settings["test_frames"],
        resolution=settings["resolution"],
        seed=cpae_data.TEST_SEED,
        min_bar_pixels=settings["min_bar_pixels"],
    )
    calls = []
    simulate = cpae_data.generate_system_video
    monkeypatch.setattr(cpae_data, "generate_system_video", lambda *a, **k: calls.append(1) or simulate(*a, **k))
    first = cpae_data.load_test_video("damped_pendulum", settings)
    first.frames[:] = 0  # a caller changing its copy
    second = cpae_data.load_test_video("damped_pendulum", settings)
    assert len(calls) == 1
    np.testing.assert_array_equal(second.frames, direct.frames)
    np.testing.assert_array_equal(second.states, direct.states)
    np.testing.assert_array_equal(second.half_step_frames, direct.half_step_frames)
    cpae_data._simulated_test_video.cache_clear()


def test_workers_give_the_serial_numbers(tmp_path, monkeypatch):
    """Two single-thread worker processes train the same models as one process does."""
    from latentdyn.cpae.experiments import run_cpae_system

    tables = []
    for workers in (1, 2):
        monkeypatch.setenv("LATENTDYN_DATA_DIR", str(tmp_path / f"workers{workers}"))
        result = run_cpae_system(
            "damped_pendulum",
            profile="smoke",
            workers=workers,
            epochs=1,
            dynamics_steps=5,
            latent_models=("neural_ode",),
        )
        tables.append((result.vpt, result.continuity, result.scores))
    for serial, parallel in zip(tables[0], tables[1]):
        pd.testing.assert_frame_equal(serial, parallel)


def test_circle_workers_give_the_serial_numbers(tmp_path, monkeypatch):
    """The circle chapter's three autoencoders trained in two worker processes equal a serial run."""
    from latentdyn.cpae.experiments import run_cpae_circle

    results = []
    for workers in (1, 2):
        monkeypatch.setenv("LATENTDYN_DATA_DIR", str(tmp_path / f"workers{workers}"))
        results.append(run_cpae_circle(profile="smoke", workers=workers, epochs=5, dynamics_steps=5))
    serial, parallel = results
    pd.testing.assert_frame_equal(serial.metrics, parallel.metrics)
    for variant in serial.latents:
        np.testing.assert_array_equal(serial.latents[variant], parallel.latents[variant])
        np.testing.assert_array_equal(serial.rollouts[variant], parallel.rollouts[variant])


def test_paired_differences_and_ceiling_in_a_system_run():
    from latentdyn.cpae.experiments import paired_table, run_cpae_system, training_properties

    result = run_cpae_system("damped_pendulum", profile="smoke")
    videos = result.settings["test_videos"]
    assert result.scores.groupby(["autoencoder", "latent model"]).size().eq(videos).all()
    ode = result.scores[result.scores["latent model"] == "Neural ODE"].pivot(
        index="video", columns="autoencoder", values="vpt"
    )
    row = result.paired[
        (result.paired["latent model"] == "Neural ODE") & (result.paired["definition"] == "relative error")
    ].iloc[0]
    difference = ode["CpAE"] - ode["standard AE"]
    assert row["mean difference (points)"] == pytest.approx(difference.mean())
    assert row["videos"] == videos
    # VPT can never beat the ceiling by more than the frames the latent model gets right by chance
    assert (result.scores["ceiling"] >= 0).all() and (result.scores["ceiling"] <= 100).all()
    assert set(result.trivial.index) == {"mean training image", "first frame held"}
    assert float(result.trivial.loc["mean training image", "VPT relative error (%)"]) == 0.0  # error is 1 by definition
    assert len(paired_table(result)) == 3
    properties = training_properties(result)
    assert all(isinstance(value, bool) for value in properties.values())
    assert any("loss fell" in name for name in properties)


def _record(folder, seed, device, *, source="simulated", shift=5.0, ceiling=60.0):
    from latentdyn.cpae.recorded_runs import json_plain
    from latentdyn.cpae.settings import RESULTS_VERSION, TRAINING_CODE

    settings = json_plain(system_settings("book", {}, "damped_pendulum"))
    rng = np.random.default_rng(seed)
    standard = rng.uniform(0, 50, 30)
    scores = [
        {
            "autoencoder": name,
            "video": video,
            "vpt": float(value),
            "vpt_mse": float(value),
            "ceiling": ceiling,
            "ceiling_mse": ceiling,
            "reconstruction_error": 0.3,
        }
        for name, values in (("standard AE", standard), ("CpAE", standard + shift + rng.normal(0, 1, 30)))
        for video, value in enumerate(values)
    ]
    payload = {
        "system": "damped_pendulum",
        "profile": "book",
        "seed": seed,
        "results_version": RESULTS_VERSION,
        "overrides": {},
        "training_code": TRAINING_CODE,
        "settings": settings,
        "data_source": source,
        "metrics": {"vpt": [], "continuity": [], "timings": {}, "scores": scores, "paired": []},
        "provenance": {"device": device, "wall_seconds": 1.0, "commit": "x", "torch": "x", "command": "x", "date": "x"},
    }
    (folder / f"damped_pendulum-book-seed{seed}-{device[:3]}-{source[:3]}.json").write_text(json.dumps(payload))


def test_seed_readings_keep_one_device_and_the_simulated_data(tmp_path):
    from latentdyn.cpae.experiments import seed_readings
    from latentdyn.cpae.experiments.bottom_line import readings_verdict
    from latentdyn.cpae.recorded_runs import load_recorded_runs

    for seed in (0, 1, 2):
        _record(tmp_path, seed, "CPU A (AVX512)")
    _record(tmp_path, 3, "CPU B (AVX2)", shift=-20.0)  # another machine: never pooled
    _record(tmp_path, 4, "CPU A (AVX512)", source="frames folder", shift=-20.0)  # a user's data
    readings = seed_readings("damped_pendulum", "book", runs=load_recorded_runs(tmp_path))
    assert sorted(readings["seed"].unique()) == [0, 1, 2]
    assert set(readings["device"]) == {"CPU A (AVX512)"}
    assert (readings["95% low"] > 0).all()
    verdict = readings_verdict(readings)
    assert verdict.outcome == "reproduced" and verdict.supporting == 3
    assert (readings["reading"] == "CpAE ahead").all()


def test_seed_readings_say_not_testable_where_neither_decoder_draws(tmp_path):
    from latentdyn.cpae.experiments import seed_readings
    from latentdyn.cpae.recorded_runs import NOT_TESTABLE_READING, load_recorded_runs

    _record(tmp_path, 0, "CPU A (AVX512)", ceiling=4.9)  # both ceilings below 5 %: no VPT can show
    _record(tmp_path, 1, "CPU A (AVX512)", ceiling=5.0)
    readings = seed_readings("damped_pendulum", "book", runs=load_recorded_runs(tmp_path)).set_index("seed")
    assert set(readings.loc[0, "reading"]) == {NOT_TESTABLE_READING}
    assert (readings.loc[1, "reading"] == "CpAE ahead").all()


def test_cached_scores_equal_the_direct_evaluation_and_follow_the_models(tmp_path, monkeypatch):
    """The scores stored under the models' and test videos' content are evaluate_variant's, bit for
    bit; a second call loads them; one changed parameter gives another entry, not the old scores."""
    from latentdyn.cpae.experiments import scoring
    from latentdyn.cpae.experiments.data import prepare_system
    from latentdyn.cpae.experiments.latent_stage import Standardiser
    from latentdyn.cpae.models.autoencoder import ConvAutoencoder
    from latentdyn.cpae.models.latent_dynamics import build_latent_model

    monkeypatch.setenv("LATENTDYN_DATA_DIR", str(tmp_path))
    settings = system_settings("smoke", {}, "damped_pendulum")
    data = prepare_system("damped_pendulum", settings, 0)
    torch.manual_seed(0)
    autoencoder = ConvAutoencoder(
        data.image_shape, data.latent_dim, architecture="deep", channels=(4, 8), filter_size=4
    ).eval()
    models = {"neural_ode": build_latent_model("neural_ode", data.latent_dim, hidden=8).eval()}
    standardiser = Standardiser.identity(data.latent_dim)
    direct_row, direct_errors = scoring.evaluate_variant(
        autoencoder,
        models,
        standardiser,
        data.test_pairs,
        data.half_frames,
        data.reference,
        settings["vpt_threshold"],
        settings["inbetween_steps"],
        half_index=data.half_index,
        mse_threshold=settings["mse_threshold"],
    )
    calls = []
    original = scoring.evaluate_variant
    monkeypatch.setattr(scoring, "evaluate_variant", lambda *a, **k: calls.append(1) or original(*a, **k))
    for _ in range(2):
        row, errors = scoring.cached_evaluation(autoencoder, models, standardiser, data, settings)
        np.testing.assert_array_equal(errors["neural_ode"], direct_errors["neural_ode"])
        np.testing.assert_array_equal(row["vpt"]["neural_ode"], direct_row["vpt"]["neural_ode"])
        np.testing.assert_array_equal(row["ceiling"], direct_row["ceiling"])
        assert row["reconstruction_error"] == direct_row["reconstruction_error"]
    assert len(calls) == 1
    before = scoring.models_digest(autoencoder, models, standardiser)
    with torch.no_grad():
        next(models["neural_ode"].parameters()).view(-1)[0] += 1e-3
    assert scoring.models_digest(autoencoder, models, standardiser) != before
    scoring.cached_evaluation(autoencoder, models, standardiser, data, settings)
    assert len(calls) == 2


def test_batched_decoding_equals_the_concatenated_batches():
    """decode() writes its batches into one tensor: the images of concatenating the same batches
    (a convolution's last bit may depend on the batch size, so the batches are the comparison)."""
    from latentdyn.cpae.experiments.autoencoder_stage import decode
    from latentdyn.cpae.models.autoencoder import ConvAutoencoder

    torch.manual_seed(0)
    model = ConvAutoencoder((3, 16, 32), 2, architecture="deep", channels=(4, 8), filter_size=4).eval()
    model.to(memory_format=torch.channels_last)
    latents = torch.randn(3, 7, 2)
    for batch_size in (1, 5, 21, 64):
        with torch.no_grad():
            batches = torch.cat([model.decode(chunk) for chunk in latents.reshape(-1, 2).split(batch_size)])
        torch.testing.assert_close(
            decode(model, latents, batch_size=batch_size), batches.reshape(3, 7, 3, 16, 32), rtol=0, atol=0
        )
    assert decode(model, torch.zeros(0, 2)).shape == (0, 3, 16, 32)


def test_frame_metrics_by_chunks_of_videos_equal_one_call():
    """The evaluation's per-frame errors, computed a few videos at a time, are those of one call."""
    from latentdyn.cpae.experiments.scoring import _by_videos
    from latentdyn.cpae.metrics import pixel_mse, relative_frame_error

    generator = torch.Generator().manual_seed(0)
    predicted, truth = (torch.rand(9, 5, 3, 8, 16, generator=generator) for _ in range(2))
    reference = torch.rand(3, 8, 16, generator=generator)
    for chunk in (1, 4, 9, 20):
        torch.testing.assert_close(
            _by_videos(relative_frame_error, predicted, truth, reference=reference, videos_per_chunk=chunk),
            relative_frame_error(predicted, truth, reference),
            rtol=0,
            atol=0,
        )
        torch.testing.assert_close(
            _by_videos(pixel_mse, predicted[:, 1:], truth[:, 1:], videos_per_chunk=chunk),
            pixel_mse(predicted[:, 1:], truth[:, 1:]),
            rtol=0,
            atol=0,
        )


def test_trivial_predictions_by_chunks_equal_the_whole_tensor_formula():
    """Mean image and held first frame, scored a few videos at a time, score as one call would."""
    from latentdyn.cpae.experiments.scoring import trivial_predictions
    from latentdyn.cpae.metrics import pixel_mse, relative_frame_error, valid_prediction_time

    generator = torch.Generator().manual_seed(1)
    pairs = torch.rand(9, 12, 3, 8, 16, generator=generator)
    pairs[:, 1:] = pairs[:, :1] + 0.05 * torch.arange(1, 12).view(1, 11, 1, 1, 1) * torch.rand(
        9, 1, 3, 8, 16, generator=generator
    )
    reference = pairs.mean(dim=(0, 1))
    found = trivial_predictions(pairs, reference, 0.5, 0.01)
    truth = pairs[:, 1:]
    for name, prediction in (
        ("mean training image", reference.expand_as(truth)),
        ("first frame held", pairs[:, :1].expand_as(truth)),
    ):
        assert found[name]["VPT relative error (%)"] == float(
            valid_prediction_time(relative_frame_error(prediction, truth, reference), 0.5).mean()
        )
        assert found[name]["VPT pixel MSE (%)"] == float(
            valid_prediction_time(pixel_mse(prediction, truth), 0.01).mean()
        )
    assert 0 < found["first frame held"]["VPT relative error (%)"] < 100


def test_pose_error_floor_grows_with_the_tip_offset_and_scores_like_a_reconstruction(tmp_path, monkeypatch):
    from latentdyn.cpae.experiments import pose_error_floor
    from latentdyn.cpae.experiments.data import prepare_system
    from latentdyn.cpae.metrics import relative_frame_error

    monkeypatch.setenv("LATENTDYN_DATA_DIR", str(tmp_path))
    floor = pose_error_floor(profile="smoke", tip_offsets=(0.5, 1.0, 2.0))
    settings = system_settings("smoke", {}, "damped_pendulum")
    assert list(floor["videos"]) == [settings["test_videos"]] * 3
    assert np.all(np.diff(floor["reconstruction error"]) > 0) and floor["reconstruction error"].iloc[0] > 0
    # the angle: tip displacement (pixels x metres per pixel) over the rod's 0.5 m
    pixel = 2 * 0.55 / settings["resolution"]
    np.testing.assert_allclose(floor["angle offset (degrees)"], np.degrees(np.array([0.5, 1.0, 2.0]) * pixel / 0.5))
    # the true frames themselves score 0: the comparison is the chapters' reconstruction error
    data = prepare_system("damped_pendulum", settings, 0)
    assert float(relative_frame_error(data.test_pairs, data.test_pairs, data.reference).max()) == 0.0
    with pytest.raises(ValueError, match="system"):
        pose_error_floor("elastic_double_pendulum", profile="smoke")
    with pytest.raises(ValueError, match="tip_offsets"):
        pose_error_floor(profile="smoke", tip_offsets=(0.0,))
