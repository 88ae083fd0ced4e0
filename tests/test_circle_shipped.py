"""Shipped circle runs (the authors' length): the float16 round trip scores as the live run, the
digest and staleness checks, the seed-level verdicts, and the committed set."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from latentdyn.cpae import shipped_models
from latentdyn.cpae.experiments import circle_shipped
from latentdyn.cpae.experiments.bottom_line import circle_seed_verdicts
from latentdyn.cpae.experiments.circle import run_cpae_circle
from latentdyn.cpae.settings import TRAINING_CODE
from latentdyn.verdicts import NOT_REPRODUCED, NOT_TESTABLE, REPRODUCED, REVERSED


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:  # a cache of this module's own
        patch.setenv("LATENTDYN_DATA_DIR", str(tmp_path_factory.mktemp("circle-data")))
        folder = tmp_path_factory.mktemp("circle-shipped")
        paths = [circle_shipped.ship_circle_run(seed, command="x", profile="smoke", folder=folder) for seed in (0, 1)]
        yield folder, paths


def test_shipped_circle_run_is_float16_with_provenance_and_scores_as_the_live_run(shipped):
    folder, paths = shipped
    assert [path.name for path in paths] == ["circle-smoke-seed0.npz", "circle-smoke-seed1.npz"]
    run = circle_shipped.load_circle_run(0, "smoke", folder)
    weights = [value for name, value in run.arrays.items() if ".autoencoder." in name or ".neural_ode." in name]
    assert weights and all(value.dtype == np.float16 for value in weights if value.dtype.kind == "f")
    assert run.arrays["cpae.standardiser.std"].dtype == np.float32
    provenance = run.payload["provenance"]
    assert provenance["command"] == "x" and provenance["shipped"]["dtype"] == "float16"
    assert set(provenance["training_seconds"]) == {"standard", "l2", "cpae"}
    assert run.payload["training_code"] == TRAINING_CODE
    stride = run.payload["loss_stride"]  # the losses every stride-th step: 20 smoke epochs -> 1 value
    assert len(run.arrays["cpae.loss.autoencoder"]) == len(range(0, 20, stride))
    assert circle_shipped.circle_run_problems(paths[0]) == []
    # the stored scores are those of the stored (float16) models, and near the live float32 models'
    shipped_result = circle_shipped.shipped_circle_result(0, "smoke", folder)
    stored = pd.DataFrame(run.payload["metrics"]).set_index("autoencoder")
    pd.testing.assert_frame_equal(stored, shipped_result.metrics, check_names=False, check_like=True)
    live = run_cpae_circle(profile="smoke", device="cpu", num_threads=1, workers=1)
    assert np.allclose(live.metrics["reconstruction error"], shipped_result.metrics["reconstruction error"], atol=1e-3)


def test_shipped_circle_seeds_are_found_and_tabled(shipped):
    folder, _ = shipped
    assert circle_shipped.shipped_circle_seeds("smoke", folder) == (0, 1)
    seeds = circle_shipped.run_circle_shipped(profile="smoke", folder=folder)
    assert seeds.seeds == (0, 1)
    assert seeds.table.index.names == ["seed", "autoencoder"] and len(seeds.table) == 6
    cpae, standard = (seeds.table.xs(name, level="autoencoder")["smoothness ratio"] for name in ("CpAE", "standard AE"))
    assert np.allclose(seeds.differences("smoothness ratio", "standard"), cpae.to_numpy() - standard.to_numpy())


def test_a_changed_damaged_or_missing_circle_run_is_refused(shipped, tmp_path):
    folder, paths = shipped
    for path in paths[:1]:
        shutil.copy(path, tmp_path / path.name)
        shutil.copy(path.with_suffix(".json"), tmp_path / path.with_suffix(".json").name)
    copy = tmp_path / paths[0].name
    payload = json.loads(copy.with_suffix(".json").read_text())
    payload["settings"]["epochs"] += 1
    payload["training_code"] = "older"
    copy.with_suffix(".json").write_text(json.dumps(payload))
    problems = circle_shipped.circle_run_problems(copy)
    assert any("epochs" in problem for problem in problems)
    assert any("training code" in problem for problem in problems)
    copy.write_bytes(copy.read_bytes()[:-10] + b"0123456789")
    assert any("SHA-256" in problem for problem in circle_shipped.circle_run_problems(copy))
    with pytest.raises(ValueError, match="changed or is damaged"):
        circle_shipped.load_circle_run(0, "smoke", tmp_path)
    with pytest.raises(FileNotFoundError, match="no shipped circle run circle-smoke-seed7.npz"):
        circle_shipped.load_circle_run(7, "smoke", tmp_path)


def _seeds(smoothness: dict[str, list[float]], vpt: dict[str, list[float]], error: float = 0.1):
    """A CircleSeeds whose results carry only the metrics the verdicts read."""
    from types import SimpleNamespace

    labels = {"standard": "standard AE", "l2": "AE + L2", "cpae": "CpAE"}
    results = {}
    for seed in range(len(smoothness["cpae"])):
        metrics = pd.DataFrame(
            {
                labels[v]: {
                    "smoothness ratio": smoothness[v][seed],
                    "VPT (%)": vpt[v][seed],
                    "frames within threshold (%)": vpt[v][seed],
                    "reconstruction error": error,
                }
                for v in labels
            }
        ).T
        results[seed] = SimpleNamespace(metrics=metrics, settings={"vpt_threshold": 0.5})
    table = pd.concat({seed: r.metrics.rename_axis("autoencoder") for seed, r in results.items()}, names=["seed"])
    return circle_shipped.CircleSeeds(results, table, {})


def test_circle_verdicts_decide_on_the_seed_level_interval():
    smooth = {"standard": [1.0, 1.1, 0.9], "l2": [0.2, 0.5, 0.1], "cpae": [0.3, 0.31, 0.29]}
    vpt = {"standard": [5.0, 6.0, 4.0], "l2": [90.0, 20.0, 50.0], "cpae": [30.0, 31.0, 29.0]}
    verdicts = circle_seed_verdicts(_seeds(smooth, vpt))
    assert verdicts.loc[("smoothness ratio", "standard AE"), "verdict"] == REPRODUCED  # -0.7, -0.79, -0.61
    assert verdicts.loc[("smoothness ratio", "standard AE"), "CpAE better on"] == 3
    assert verdicts.loc[("smoothness ratio", "AE + L2"), "verdict"] == NOT_REPRODUCED  # +0.1, -0.19, +0.19
    assert verdicts.loc[("VPT (%)", "standard AE"), "verdict"] == REPRODUCED
    assert verdicts.loc[("VPT (%)", "AE + L2"), "verdict"] == NOT_REPRODUCED
    assert np.isclose(verdicts.loc[("VPT (%)", "standard AE"), "mean difference"], 25.0)
    behind = circle_seed_verdicts(_seeds(smooth, {**vpt, "cpae": [1.0, 1.5, 0.5]}))
    assert behind.loc[("VPT (%)", "standard AE"), "verdict"] == REVERSED
    blind = circle_seed_verdicts(_seeds(smooth, vpt, error=0.9))
    assert blind.loc[("VPT (%)", "standard AE"), "verdict"] == NOT_TESTABLE
    assert blind.loc[("smoothness ratio", "standard AE"), "verdict"] == REPRODUCED


def test_committed_circle_runs_match_their_profile_code_and_digest():
    paths = sorted(circle_shipped.circle_folder().glob("*.npz")) if circle_shipped.circle_folder().is_dir() else []
    assert [problem for path in paths for problem in circle_shipped.circle_run_problems(path)] == []
    total = sum(path.stat().st_size for path in [*paths, *shipped_models.shipped_runs()])
    assert total <= shipped_models.SIZE_LIMIT_BYTES, f"shipped set is {total / 2**20:.1f} MB"


def test_circle_verdict_table_states_counts_intervals_and_verdicts():
    from latentdyn.cpae.experiments.prose import circle_verdict_table

    smooth = {"standard": [1.0, 1.1, 0.9], "l2": [0.2, 0.5, 0.1], "cpae": [0.3, 0.31, 0.29]}
    vpt = {"standard": [5.0, 6.0, 4.0], "l2": [90.0, 20.0, 50.0], "cpae": [30.0, 31.0, 29.0]}
    shown = circle_verdict_table(circle_seed_verdicts(_seeds(smooth, vpt)))
    row = shown.loc[("smoothness ratio", "standard AE")]
    assert row["CpAE better on"] == "3 of 3 seeds" and row["verdict"] == REPRODUCED
    assert row["95% interval over seeds"].startswith("[-") and np.isclose(row["mean difference"], -0.7)
    assert list(shown.columns) == ["CpAE better on", "mean difference", "95% interval over seeds", "verdict"]
