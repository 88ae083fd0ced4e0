"""Shipped models: the float16 store round trip, re-scoring, the digest and staleness checks, and
the committed set (every shipped run matches its profile, training code and digest)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from latentdyn.cpae import experiments as cpae
from latentdyn.cpae import recorded_runs, shipped_models


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    import os

    previous = os.environ.get("LATENTDYN_DATA_DIR")
    os.environ["LATENTDYN_DATA_DIR"] = str(tmp_path_factory.mktemp("shipped-data"))
    folder = tmp_path_factory.mktemp("shipped")
    try:
        result = cpae.run_cpae_system("damped_pendulum", profile="smoke", seed=0)
        record = recorded_runs.load_recorded_run(
            recorded_runs.record_run(
                result,
                profile="smoke",
                seed=0,
                command="python tools/record_run.py x",
                wall_seconds=3.0,
                device="cpu",
                folder=folder / "records",
            )
        )
        path = cpae.ship_models(result, record, command="python tools/ship_models.py x", folder=folder)
        yield result, record, path
    finally:
        if previous is None:
            os.environ.pop("LATENTDYN_DATA_DIR")
        else:
            os.environ["LATENTDYN_DATA_DIR"] = previous


def test_shipped_models_are_float16_with_provenance(shipped):
    result, record, path = shipped
    assert path.name == "damped_pendulum-smoke-seed0.npz"
    run = shipped_models.load_shipped("damped_pendulum", "smoke", 0, folder=path.parent)
    weights = [value for name, value in run.arrays.items() if ".autoencoder." in name and value.dtype.kind == "f"]
    assert weights and all(value.dtype == np.float16 for value in weights)
    assert run.arrays["reference"].dtype == np.float32
    assert run.variants == ["cpae", "standard"]
    provenance = run.record.provenance
    assert provenance["command"] == "python tools/record_run.py x"  # the training run's
    assert provenance["shipped"]["sha256"] == shipped_models.file_digest(path)
    assert provenance["shipped"]["dtype"] == "float16"
    assert shipped_models.shipped_problems(path) == []


def test_rescoring_the_shipped_models_gives_their_recorded_scores(shipped):
    result, record, path = shipped
    again = cpae.score_shipped_system("damped_pendulum", "smoke", 0, folder=path.parent)
    run = shipped_models.load_shipped("damped_pendulum", "smoke", 0, folder=path.parent)
    recorded = run.record.scores().sort_values(["autoencoder", "video"], ignore_index=True)
    node = again.scores[again.scores["latent model"] == "Neural ODE"]
    mine = node.sort_values(["autoencoder", "video"], ignore_index=True)
    assert mine["vpt"].tolist() == recorded["vpt"].tolist()
    assert mine["reconstruction_error"].tolist() == pytest.approx(recorded["reconstruction_error"].tolist(), rel=1e-12)
    # float16 weights change the reconstructions by rounding only
    assert again.continuity["reconstruction error"].to_numpy() == pytest.approx(
        result.continuity["reconstruction error"].to_numpy(), rel=2e-2
    )


def test_rebuilt_autoencoder_equals_rounded_weights(shipped):
    result, _, path = shipped
    run = shipped_models.load_shipped("damped_pendulum", "smoke", 0, folder=path.parent)
    trained = result.models["cpae"].autoencoder.state_dict()
    for name, value in run.module_arrays("cpae", "autoencoder").items():
        expected = trained[name].numpy()
        if expected.dtype.kind == "f":
            np.testing.assert_array_equal(value, expected.astype(np.float16).astype(np.float32))
        else:
            np.testing.assert_array_equal(value, expected)


def test_changed_file_or_profile_is_refused(shipped, tmp_path):
    _, _, path = shipped
    copy = tmp_path / path.name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one changed byte
    copy.write_bytes(bytes(data))
    (tmp_path / path.with_suffix(".json").name).write_text(path.with_suffix(".json").read_text())
    with pytest.raises(ValueError, match="SHA-256"):
        shipped_models.load_shipped("damped_pendulum", "smoke", 0, folder=tmp_path)
    assert any("SHA-256" in problem for problem in shipped_models.shipped_problems(copy))
    payload = json.loads(copy.with_suffix(".json").read_text())
    payload["settings"]["epochs"] += 1
    payload["training_code"] = "0123456789ab"
    copy.with_suffix(".json").write_text(json.dumps(payload))
    problems = shipped_models.shipped_problems(copy)
    assert any("epochs" in problem for problem in problems)
    assert any("training code" in problem for problem in problems)
    with pytest.raises(FileNotFoundError, match="no shipped models damped_pendulum-smoke-seed5.npz"):
        shipped_models.load_shipped("damped_pendulum", "smoke", 5, folder=tmp_path)


def test_committed_shipped_models_match_their_profile_code_and_digest():
    paths = shipped_models.shipped_runs()
    problems = [problem for path in paths for problem in shipped_models.shipped_problems(path)]
    assert problems == []
    total = sum(path.stat().st_size for path in paths)
    assert total <= shipped_models.SIZE_LIMIT_BYTES, f"shipped set is {total / 2**20:.1f} MB"


def test_long_result_of_shipped_seeds(shipped):
    _, _, path = shipped
    long = cpae.run_cpae_long("damped_pendulum", profile="smoke", seeds=(0,), workers=2, folder=path.parent)
    assert long.source == "shipped models"
    assert long.summary["autoencoder"].tolist() == ["standard AE", "CpAE"]
    assert long.readings["definition"].tolist() == ["relative error", "pixel MSE"]
    scores = long.seeds[0].scores
    node = scores[scores["latent model"] == "Neural ODE"]
    cpae_vpt = node[node["autoencoder"] == "CpAE"].sort_values("video")["vpt"].to_numpy()
    standard_vpt = node[node["autoencoder"] == "standard AE"].sort_values("video")["vpt"].to_numpy()
    assert long.readings["mean difference (points)"].iloc[0] == pytest.approx(np.mean(cpae_vpt - standard_vpt))
    assert long.provenance["command"].tolist() == ["python tools/record_run.py x"]
    assert long.provenance["shipped MB"].iloc[0] == pytest.approx(path.stat().st_size / 2**20)


def test_long_values_quote_the_long_configuration(shipped):
    _, _, path = shipped
    long = cpae.run_cpae_long("damped_pendulum", profile="smoke", workers=1, folder=path.parent)
    assert list(long.seeds) == [0]  # every shipped seed
    values = cpae.long_values(long)
    assert values["long_seeds"] == 1 and values["long_test_videos"] == 6
    summary = long.summary.set_index("autoencoder")
    assert values["long_vpt_cpae"] == pytest.approx(summary.loc["CpAE", "VPT (%)"])
    assert values["long_recon_standard"] == pytest.approx(summary.loc["standard AE", "reconstruction error"])
    assert values["long_recon_max_cpae"] == pytest.approx(summary.loc["CpAE", "reconstruction error"])
    assert cpae.shipped_seeds("damped_pendulum", "smoke", folder=path.parent) == (0,)
    with pytest.raises(FileNotFoundError, match="no shipped models of elastic_double_pendulum"):
        cpae.run_cpae_long("elastic_double_pendulum", profile="smoke", folder=path.parent)


def test_rescoring_keeps_models_and_provenance(shipped, tmp_path):
    _, _, path = shipped
    for suffix in (".npz", ".json"):
        (tmp_path / path.with_suffix(suffix).name).write_bytes(path.with_suffix(suffix).read_bytes())
    before = json.loads((tmp_path / path.with_suffix(".json").name).read_text())
    cpae.rescore_shipped("damped_pendulum", "smoke", 0, folder=tmp_path)
    after = json.loads((tmp_path / path.with_suffix(".json").name).read_text())
    assert after["provenance"] == before["provenance"]
    assert after["metrics"]["scores"] == before["metrics"]["scores"]
    assert shipped_models.shipped_problems(tmp_path / path.name) == []
    assert shipped_models.load_shipped_file(tmp_path / path.name).record.seed == 0


def test_stored_scores_are_read_instead_of_scoring_and_checked_when_rescored(shipped, tmp_path, monkeypatch):
    from latentdyn.cpae.experiments import scoring
    from latentdyn.cpae.experiments import shipped as shipped_module

    _, record, path = shipped
    for suffix in (".npz", ".json"):
        (tmp_path / path.with_suffix(suffix).name).write_bytes(path.with_suffix(suffix).read_bytes())
    stored = cpae.store_shipped_scores("damped_pendulum", "smoke", 0, folder=tmp_path)
    assert len(stored) == 2 and all(p.parent == cpae.shipped_scores_folder(tmp_path) for p in stored)
    assert cpae.store_shipped_scores("damped_pendulum", "smoke", 0, folder=tmp_path) == stored  # replaced, not added
    assert sorted(cpae.shipped_scores_folder(tmp_path).glob("scores-*.npz")) == sorted(stored)
    live = cpae.score_shipped_system("damped_pendulum", "smoke", 0, folder=tmp_path)
    check = live.score_check.set_index("autoencoder")
    assert live.scores_source == "scored here" and list(check.index) == ["standard AE", "CpAE"]
    assert (check["videos with another VPT"] == 0).all() and (check["largest difference of any score"] == 0).all()
    assert (check["VPT here (%)"] == check["VPT stored (%)"]).all()

    def no_scoring(*args, **kwargs):
        raise AssertionError("scored although stored scores exist")

    monkeypatch.setattr(scoring, "evaluate_variant", no_scoring)
    read = cpae.score_shipped_system("damped_pendulum", "smoke", 0, folder=tmp_path, use_stored=True)
    assert read.scores_source == "stored with the models" and read.score_check.empty
    pd.testing.assert_frame_equal(read.scores, live.scores)
    pd.testing.assert_frame_equal(read.vpt, live.vpt)
    # scores of other scoring code are not used: the models are scored here
    monkeypatch.setattr(scoring, "SCORING_CODE", "other code")
    with pytest.raises(AssertionError, match="scored although"):
        cpae.score_shipped_system("damped_pendulum", "smoke", 0, folder=tmp_path, use_stored=True)
    monkeypatch.undo()
    # a corrupt stored file is reported and scored around
    stored[0].write_bytes(stored[0].read_bytes()[:-20])
    with pytest.warns(RuntimeWarning, match="scoring the models here instead"):
        again = cpae.score_shipped_system("damped_pendulum", "smoke", 0, folder=tmp_path, use_stored=True)
    pd.testing.assert_frame_equal(again.scores, live.scores)
    assert shipped_module.stored_scores_key(stored[1])["scoring"] == scoring.SCORING_CODE


def test_long_run_rescoring_the_first_seed_reads_the_others(shipped, tmp_path):
    _, _, path = shipped
    for suffix in (".npz", ".json"):
        (tmp_path / path.with_suffix(suffix).name).write_bytes(path.with_suffix(suffix).read_bytes())
    result = cpae.run_cpae_system("damped_pendulum", profile="smoke", seed=1)
    record = recorded_runs.load_recorded_run(
        recorded_runs.record_run(
            result,
            profile="smoke",
            seed=1,
            command="python tools/record_run.py y",
            wall_seconds=3.0,
            device="cpu",
            folder=tmp_path / "records",
        )
    )
    cpae.ship_models(result, record, command="python tools/ship_models.py y", folder=tmp_path)  # stores its scores
    cpae.store_shipped_scores("damped_pendulum", "smoke", 0, folder=tmp_path)
    first = cpae.run_cpae_long("damped_pendulum", profile="smoke", workers=1, folder=tmp_path)
    assert first.scores_source == {0: "scored here", 1: "stored with the models"}
    assert first.score_check["seed"].tolist() == [0, 0]
    every = cpae.run_cpae_long("damped_pendulum", profile="smoke", rescore="all", workers=1, folder=tmp_path)
    assert every.scores_source == {0: "scored here", 1: "scored here"}
    assert every.score_check["seed"].tolist() == [0, 0, 1, 1]
    pd.testing.assert_frame_equal(first.summary, every.summary)
    assert (first.score_check["largest difference of any score"] == 0).all()  # the same kernels: exact
    values = cpae.long_values(first)
    assert values["long_seeds"] == 2 and values["long_seed_list"] == "0, 1"
    with pytest.raises(ValueError, match="rescore"):
        cpae.run_cpae_long("damped_pendulum", profile="smoke", rescore="some", folder=tmp_path)


def test_committed_shipped_models_have_their_scores_stored_by_the_current_code():
    """Pages read the stored scores of every shipped seed but the first: after a change of the
    scoring code, of the test videos or of the thresholds, ``rescore_shipped`` (or
    ``store_shipped_scores``) must store them again. The file looked up is the one a page looks
    up: under the whole evaluation key (models, test videos, thresholds, code)."""
    from latentdyn.cpae.experiments import scoring
    from latentdyn.cpae.experiments import shipped as shipped_module

    folder = cpae.shipped_scores_folder()
    missing = []
    for path in shipped_models.shipped_runs():
        record = shipped_models.load_shipped_file(path).record
        run, settings, data = shipped_module._shipped_test_data(record.system, record.profile, record.seed, None)
        for variant in settings["autoencoders"]:
            autoencoder, standardiser, models = shipped_module._rebuilt_models(run, variant, settings)
            key = scoring.evaluation_key(autoencoder, models, standardiser, data, settings)
            if not scoring.stored_scores_path(key, folder).exists():
                missing.append(f"{path.stem} {variant}")
    assert missing == [], (
        f"no stored scores of the current code and test videos for {missing}: run "
        "latentdyn.cpae.experiments.rescore_shipped(system, 'long', seed) for each"
    )


def test_latent_measures_are_stored_beside_the_models_read_back_and_checked(shipped, tmp_path, monkeypatch):
    from latentdyn.cpae.experiments import shipped_measures as measures_module
    from latentdyn.cpae.experiments.latent_claim import latent_claim

    _, _, path = shipped
    for suffix in (".npz", ".json"):
        (tmp_path / path.with_suffix(suffix).name).write_bytes(path.with_suffix(suffix).read_bytes())
    cpae.store_shipped_scores("damped_pendulum", "smoke", 0, folder=tmp_path)
    stored = measures_module.store_latent_measures("damped_pendulum", "smoke", 0, folder=tmp_path)
    assert len(stored) == 2 and all(p.parent == cpae.shipped_scores_folder(tmp_path) for p in stored)
    again = measures_module.store_latent_measures("damped_pendulum", "smoke", 0, folder=tmp_path)
    assert again == stored  # replaced, not added
    assert sorted(cpae.shipped_scores_folder(tmp_path).glob("latent-measures-*.npz")) == sorted(stored)
    here, source = measures_module.shipped_latent_measures("damped_pendulum", "cpae", 0, "smoke", folder=tmp_path)
    assert source == "measured here"
    assert set(here) == {"latent_vpt", "latent_error", "smoothness", "state_error"} | {
        "dynamics_vpt",
        "vpt",
        "ceiling",
        "reconstruction_error",
    }

    def no_measuring(*args, **kwargs):
        raise AssertionError("measured although stored measures exist")

    monkeypatch.setattr(measures_module, "latent_measures", no_measuring)
    monkeypatch.setattr(measures_module, "load_or_create", no_measuring)
    read, source = measures_module.shipped_latent_measures(
        "damped_pendulum", "cpae", 0, "smoke", use_stored=True, folder=tmp_path
    )
    assert source == "stored with the models"
    for name, values in here.items():
        np.testing.assert_array_equal(read[name], values)
    monkeypatch.undo()
    # the claim measures its first seed here and compares it with the stored measures
    claim = latent_claim("damped_pendulum", "smoke", folder=tmp_path, workers=1)
    assert claim.sources == {0: "measured here"}
    assert list(claim.check["autoencoder"]) == ["cpae", "standard"]
    assert (claim.check["largest difference of any measure"] == 0).all()
    from latentdyn.cpae.experiments.latent_claim import MEASURE_LABELS

    means = claim.means_table().set_index("measure")
    assert list(means.columns) == ["seed 0: CpAE | standard", "mean over seeds: CpAE | standard"]
    row = claim.per_seed[claim.per_seed["measure"] == "latent_vpt"].iloc[0]
    assert means.loc[MEASURE_LABELS["latent_vpt"]].tolist() == [f"{row['cpae']:.3g} | {row['standard']:.3g}"] * 2
    # a corrupt stored file is reported and measured around
    key = measures_module.measures_key(
        measures_module.shipped_variant("damped_pendulum", "cpae", "smoke", 0, folder=tmp_path)
    )
    corrupt = measures_module.stored_measures_path(key, tmp_path)
    corrupt.write_bytes(corrupt.read_bytes()[:-20])
    with pytest.warns(RuntimeWarning, match="measuring the models here instead"):
        around, source = measures_module.shipped_latent_measures(
            "damped_pendulum", "cpae", 0, "smoke", use_stored=True, folder=tmp_path
        )
    assert source == "measured here"
    np.testing.assert_array_equal(around["latent_vpt"], here["latent_vpt"])
    with pytest.raises(ValueError, match="rescore"):
        latent_claim("damped_pendulum", "smoke", folder=tmp_path, rescore="none")


def test_every_shipped_model_has_current_stored_latent_measures_and_no_file_is_orphaned():
    """A change of the measures' code (or of a shipped model) without storing them again would make
    every page measure every seed: tools/ship_models.py --rescore stores them again."""
    from latentdyn.cpae.experiments.shipped import shipped_variant
    from latentdyn.cpae.experiments.shipped_measures import measures_key, stored_measures_path

    wanted = set()
    for path in shipped_models.shipped_runs():
        record = shipped_models.load_shipped_file(path).record
        for variant in record.settings["autoencoders"]:
            key = measures_key(shipped_variant(record.system, variant, record.profile, record.seed))
            wanted.add(stored_measures_path(key))
    stored = set(cpae.shipped_scores_folder().glob("latent-measures-*.npz"))
    assert sorted(p.name for p in wanted - stored) == [], "shipped models without current stored measures"
    assert sorted(p.name for p in stored - wanted) == [], "stored measures of no shipped model"


def test_no_worker_starts_for_scores_or_measures_the_cache_holds(shipped, tmp_path, monkeypatch):
    from latentdyn.cpae.experiments import latent_claim as claim_module
    from latentdyn.cpae.experiments import shipped as shipped_module

    _, _, path = shipped
    for suffix in (".npz", ".json"):
        (tmp_path / path.with_suffix(suffix).name).write_bytes(path.with_suffix(suffix).read_bytes())
    monkeypatch.setenv("LATENTDYN_DATA_DIR", str(tmp_path / "data"))  # an empty cache
    handed = []
    for module in (claim_module, shipped_module):
        monkeypatch.setattr(module, "fill_cache", lambda tasks, workers="auto": handed.append(len(tasks)))
    cpae.run_cpae_long("damped_pendulum", profile="smoke", folder=tmp_path, workers=2)
    claim_module.latent_claim("damped_pendulum", "smoke", folder=tmp_path, workers=2)
    assert handed == [2, 2]  # both autoencoders' scores, then their measures: nothing cached yet
    handed.clear()
    cpae.run_cpae_long("damped_pendulum", profile="smoke", folder=tmp_path, workers=2)
    claim_module.latent_claim("damped_pendulum", "smoke", folder=tmp_path, workers=2)
    assert handed == [0, 0]  # the first calls (computing here as they loaded) filled the cache


def test_shipped_test_data_is_read_once_per_file_version(shipped, tmp_path):
    """A page asks for the same shipped run many times: it is read once, and read again when the
    file is shipped again (its size or modification time changes)."""
    import os
    import shutil

    from latentdyn.cpae.experiments.shipped import _shipped_test_data

    _, _, path = shipped
    for name in (path.name, path.with_suffix(".json").name):
        shutil.copy2(path.parent / name, tmp_path / name)
    run, settings, data = _shipped_test_data("damped_pendulum", "smoke", 0, tmp_path)
    again, settings_again, data_again = _shipped_test_data("damped_pendulum", "smoke", 0, tmp_path)
    assert again is run and data_again is data
    assert settings_again == settings and settings_again is not settings  # a caller may change its copy
    stat = (tmp_path / path.name).stat()
    os.utime(tmp_path / path.name, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # shipped again
    newer, _, newer_data = _shipped_test_data("damped_pendulum", "smoke", 0, tmp_path)
    assert newer is not run
    # the test videos' arrays are made once and shared, so scoring must leave them as they were
    assert newer_data.test_pairs is data.test_pairs
    before = data.test_pairs.clone()
    cpae.score_shipped_system("damped_pendulum", "smoke", 0, folder=tmp_path)
    assert torch.equal(data.test_pairs, before)
    np.testing.assert_array_equal(newer.arrays["reference"], run.arrays["reference"])
