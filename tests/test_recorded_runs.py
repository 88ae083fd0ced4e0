"""Recorded long runs: round trip, provenance, and the staleness check against profiles.py."""

from __future__ import annotations

import json

import pytest

from latentdyn.cpae import experiments as cpae
from latentdyn.cpae import recorded_runs


@pytest.fixture(scope="module")
def smoke_result(tmp_path_factory):
    import os

    previous = os.environ.get("LATENTDYN_DATA_DIR")
    os.environ["LATENTDYN_DATA_DIR"] = str(tmp_path_factory.mktemp("recorded-data"))
    try:
        yield cpae.run_cpae_system("damped_pendulum", profile="smoke", seed=0)
    finally:
        if previous is None:
            os.environ.pop("LATENTDYN_DATA_DIR")
        else:
            os.environ["LATENTDYN_DATA_DIR"] = previous


def test_record_round_trip_and_provenance(smoke_result, tmp_path):
    path = recorded_runs.record_run(
        smoke_result,
        profile="smoke",
        seed=0,
        command="python tools/record_run.py x",
        wall_seconds=12.34,
        device="cpu",
        folder=tmp_path,
    )
    assert path.name == "damped_pendulum-smoke.json"
    run = recorded_runs.load_recorded_run(path)
    assert run.provenance["command"] == "python tools/record_run.py x"
    assert run.provenance["wall_seconds"] == 12.3
    assert {"commit", "device", "torch", "date"} <= set(run.provenance)
    assert recorded_runs.stale_reasons(run) == []
    assert run.vpt().loc[("CpAE", "Neural ODE"), "VPT mean (%)"] == pytest.approx(
        smoke_result.vpt.loc[("CpAE", "Neural ODE"), "VPT mean (%)"]
    )
    table = recorded_runs.recorded_runs_table([run])
    assert list(table["autoencoder"]) == ["standard AE", "CpAE"] and (table["stale"] == "").all()
    assert list(table.columns) == [
        "system",
        "autoencoder",
        "profile",
        "seed",
        "VPT (%)",
        "VPT SE (%)",
        "reconstruction error",
        "smoothness ratio",
        "device",
        "data source",
        "hours",
        "stale",
    ]
    node = smoke_result.vpt.loc[("CpAE", "Neural ODE")]
    assert table.set_index("autoencoder").loc["CpAE", "VPT SE (%)"] == pytest.approx(node["VPT SE (%)"])
    assert table["data source"].str.startswith("simulated").all()
    # the Neural ODE's per-video scores travel with the record (the seeds' paired differences use them)
    scores = run.scores()
    assert len(scores) == 2 * smoke_result.settings["test_videos"]
    node = smoke_result.scores[smoke_result.scores["latent model"] == "Neural ODE"]
    mine = node.sort_values(["autoencoder", "video"], ignore_index=True)
    theirs = scores.sort_values(["autoencoder", "video"], ignore_index=True)
    assert theirs["vpt"].tolist() == pytest.approx(mine["vpt"].tolist())
    assert theirs["ceiling"].tolist() == pytest.approx(mine["ceiling"].tolist())


def test_changed_profile_or_code_makes_a_record_stale(smoke_result, tmp_path):
    path = recorded_runs.record_run(
        smoke_result, profile="smoke", seed=0, command="x", wall_seconds=1.0, device="cpu", folder=tmp_path
    )
    payload = json.loads(path.read_text())
    payload["settings"]["epochs"] += 1
    payload["settings"]["device"] = "cuda"  # where it ran does not matter
    payload["results_version"] -= 1
    payload["training_code"] = "0123456789ab"
    path.write_text(json.dumps(payload))
    reasons = recorded_runs.stale_reasons(recorded_runs.load_recorded_run(path))
    assert any("other training code" in reason for reason in reasons)
    assert any(reason.startswith("epochs:") for reason in reasons)
    assert any("results version" in reason for reason in reasons)
    assert not any(reason.startswith("device") for reason in reasons)
    assert recorded_runs.recorded_runs_table(recorded_runs.load_recorded_runs(tmp_path))["stale"].str.len().gt(0).all()


def test_broken_record_is_named(tmp_path):
    broken = tmp_path / "damped_pendulum-long.json"
    broken.write_text('{"system": "damped_pendulum"}')
    with pytest.raises(ValueError, match="damped_pendulum-long.json is not a complete recorded run"):
        recorded_runs.load_recorded_run(broken)


def test_committed_records_match_their_profiles():
    """Every committed record still describes the profile it names (otherwise re-run or delete it)."""
    for run in recorded_runs.load_recorded_runs():
        assert recorded_runs.stale_reasons(run) == [], f"stale record {run.system}-{run.profile}"


def test_diagnostic_overrides_are_recorded_and_checked(smoke_result, tmp_path):
    path = recorded_runs.record_run(
        smoke_result,
        profile="smoke",
        seed=0,
        command="x",
        wall_seconds=1.0,
        device="cpu",
        overrides={"epochs": 2},
        folder=tmp_path,
    )
    assert path.name == "damped_pendulum-smoke-epochs2.json"
    run = recorded_runs.load_recorded_run(path)
    assert run.overrides == {"epochs": 2} and run.label == "smoke, epochs=2"
    assert recorded_runs.stale_reasons(run) == []  # smoke already has 2 epochs: profile + override = recorded
    run.overrides = {"epochs": 3}
    assert any(reason.startswith("epochs:") for reason in recorded_runs.stale_reasons(run))
