"""The CpAE evaluation: a test set of its own, parallel trainings equal to serial ones, seed
readings that never pool devices or data sources, and properties of a correct run."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from latentdyn.cpae_settings import system_settings


def test_test_videos_are_the_same_for_every_seed_and_apart_from_training():
    from latentdyn.experiments.cpae.data import _prepare_system

    settings = system_settings("smoke", {}, "damped_pendulum")
    first, second = (_prepare_system("damped_pendulum", settings, seed) for seed in (0, 1))
    assert first.test_pairs.shape[:2] == (settings["test_videos"], settings["test_frames"] - 1)
    torch.testing.assert_close(first.test_pairs, second.test_pairs)
    assert not torch.equal(first.train_frames, second.train_frames)
    # no test video is a training video: compare first frames
    train_first = first.train_frames[:, 0].reshape(len(first.train_frames), -1).float()
    test_first = torch.from_numpy(first.test_frames[:, 0]).reshape(len(first.test_frames), -1).float()
    assert torch.cdist(test_first, train_first).min() > 0
    assert first.half_frames is not None and len(first.half_index) == len(first.half_frames)


def test_workers_give_the_serial_numbers(tmp_path, monkeypatch):
    """Two single-thread worker processes train the same models as one process does."""
    from latentdyn.experiments.cpae import run_cpae_system

    tables = []
    for workers in (1, 2):
        monkeypatch.setenv("LATENTDYN_DATA_DIR", str(tmp_path / f"workers{workers}"))
        result = run_cpae_system("damped_pendulum", profile="smoke", workers=workers, epochs=1,
                                 dynamics_steps=5, latent_models=("neural_ode",))
        tables.append((result.vpt, result.continuity, result.scores))
    for serial, parallel in zip(tables[0], tables[1]):
        pd.testing.assert_frame_equal(serial, parallel)


def test_paired_differences_and_ceiling_in_a_system_run():
    from latentdyn.experiments.cpae import paired_table, run_cpae_system, training_properties

    result = run_cpae_system("damped_pendulum", profile="smoke")
    videos = result.settings["test_videos"]
    assert result.scores.groupby(["autoencoder", "latent model"]).size().eq(videos).all()
    ode = result.scores[result.scores["latent model"] == "Neural ODE"].pivot(index="video", columns="autoencoder",
                                                                              values="vpt")
    row = result.paired[(result.paired["latent model"] == "Neural ODE")
                        & (result.paired["definition"] == "relative error")].iloc[0]
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


def _record(folder, seed, device, *, source="simulated", shift=5.0):
    from latentdyn.cpae_settings import RESULTS_VERSION, TRAINING_CODE
    from latentdyn.recorded_runs import _plain

    settings = _plain(system_settings("book", {}, "damped_pendulum"))
    rng = np.random.default_rng(seed)
    standard = rng.uniform(0, 50, 30)
    scores = [{"autoencoder": name, "video": video, "vpt": float(value), "vpt_mse": float(value),
               "ceiling": 60.0, "ceiling_mse": 60.0, "reconstruction_error": 0.3}
              for name, values in (("standard AE", standard), ("CpAE", standard + shift + rng.normal(0, 1, 30)))
              for video, value in enumerate(values)]
    payload = {"system": "damped_pendulum", "profile": "book", "seed": seed, "results_version": RESULTS_VERSION,
               "overrides": {}, "training_code": TRAINING_CODE, "settings": settings, "data_source": source,
               "metrics": {"vpt": [], "continuity": [], "timings": {}, "scores": scores, "paired": []},
               "provenance": {"device": device, "wall_seconds": 1.0, "commit": "x", "torch": "x", "command": "x",
                              "date": "x"}}
    (folder / f"damped_pendulum-book-seed{seed}-{device[:3]}-{source[:3]}.json").write_text(json.dumps(payload))


def test_seed_readings_keep_one_device_and_the_simulated_data(tmp_path):
    from latentdyn.experiments.cpae import seed_readings
    from latentdyn.experiments.cpae.prose import seed_sentence
    from latentdyn.recorded_runs import load_recorded_runs

    for seed in (0, 1, 2):
        _record(tmp_path, seed, "CPU A (AVX512)")
    _record(tmp_path, 3, "CPU B (AVX2)", shift=-20.0)  # another machine: never pooled
    _record(tmp_path, 4, "CPU A (AVX512)", source="frames folder", shift=-20.0)  # a user's data
    readings = seed_readings("damped_pendulum", "book", runs=load_recorded_runs(tmp_path))
    assert sorted(readings["seed"].unique()) == [0, 1, 2]
    assert set(readings["device"]) == {"CPU A (AVX512)"}
    assert (readings["95% low"] > 0).all()
    text = seed_sentence(readings)
    assert "3 recorded seeds" in text and "ahead on 3" in text and "holds on every seed" in text


def test_a_users_videos_are_not_combined_with_recorded_seeds(tmp_path):
    from latentdyn.experiments.cpae import system_seed_sentence
    from latentdyn.experiments.cpae.systems import SystemResult

    result = SystemResult("damped_pendulum", {}, np.zeros((1, 3, 4, 4)), 0.1, {}, {}, None, {}, np.zeros((1, 3, 4, 4)),
                          [0], pd.DataFrame(), pd.DataFrame(), data_source="frames folder")
    assert "not combined" in system_seed_sentence(result, "book", 0)
