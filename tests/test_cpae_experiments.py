"""The CpAE entry functions in the smoke profile: tables, caching, determinism, figures, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from latentdyn.cpae import experiments as cpae
from latentdyn.cpae import figures as plotting_cpae
from latentdyn.cpae.experiments import scoring as cpae_scoring
from latentdyn.cpae.experiments.data import prepare_system
from latentdyn.cpae.experiments.prose import ablation_properties, circle_properties, sweep_properties


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("LATENTDYN_DATA_DIR", str(tmp_path_factory.getbasetemp() / "cpae-data"))


def test_system_run_tables_and_cache():
    first = cpae.run_cpae_system("damped_pendulum", profile="smoke", seed=0)
    assert list(first.vpt.columns) == [
        "VPT mean (%)",
        "VPT SE (%)",
        "VPT pixel MSE mean (%)",
        "VPT pixel MSE SE (%)",
        "VPT vs reconstruction (%)",
    ]
    assert len(first.vpt) == 2 * 3
    assert first.vpt["VPT mean (%)"].between(0, 100).all()
    assert {"ceiling (%)", "ceiling pixel MSE (%)"} <= set(first.continuity.columns)
    # the per-video scores are those of the test videos of the profile, for every (autoencoder, model)
    assert len(first.scores) == 2 * 3 * first.settings["test_videos"]
    assert set(first.continuity.index) == {"standard AE", "CpAE"}
    assert first.latents["cpae"].shape[-1] == 2
    # the second call loads the trained models from the cache and gives identical numbers
    again = cpae.run_cpae_system("damped_pendulum", profile="smoke", seed=0)
    pd.testing.assert_frame_equal(first.vpt, again.vpt)
    pd.testing.assert_frame_equal(first.continuity, again.continuity)
    assert again.timings["train and score cpae"] < first.timings["train and score cpae"] + 1.0
    # the chapter's figures, table, quoted values and outcome-dependent sentences
    figures = plotting_cpae.system_figures(first)
    assert {"frames", "latents", "strips", "vpt", "errors", "curves"} <= set(figures)
    assert all(figure.axes and figure.dpi >= 150 for figure in figures.values())
    assert plotting_cpae.strip_errors(first).shape == (2, len(first.strip_frames))
    table = cpae.system_table(first)
    assert list(table.index) == ["standard AE", "CpAE"]
    assert table.loc["CpAE", "VPT Neural ODE (%)"] == first.vpt.loc[("CpAE", "Neural ODE"), "VPT mean (%)"]
    values = cpae.system_values(first)
    assert values["recon_cpae"] == first.continuity.loc["CpAE", "reconstruction error"]
    assert values["num_train"] == 10 and values["horizon"] == 8
    assert values["test_videos"] == first.settings["test_videos"] == 6


def test_system_with_eight_latent_dimensions_and_camera():
    result = cpae.run_cpae_system("swing_stick", profile="smoke", seed=1)
    assert result.latents["standard"].shape[-1] == 8
    assert np.isfinite(result.continuity["in-between error"]).all()


def test_circle_run():
    result = cpae.run_cpae_circle(profile="smoke")
    assert list(result.metrics.index) == ["standard AE", "AE + L2", "CpAE"]
    assert result.latents["cpae"].shape == (result.settings["num_frames"], 2)
    assert result.rollouts["cpae"].shape == (result.settings["num_frames"] - result.num_train + 1, 2)
    values = cpae.circle_values(result)
    assert values["circle_smooth_cpae"] == result.metrics.loc["CpAE", "smoothness ratio"]
    assert values["circle_smoothest"] == result.metrics["smoothness ratio"].idxmin()
    assert values["circle_prediction_verdict"] in ("not testable", "not settled")
    # the authors' length priced at this run's measured rate (seconds stored with each cached model)
    assert set(result.training_seconds) == {"standard", "l2", "cpae"}
    assert all(seconds > 0 for seconds in result.training_seconds.values())
    step = np.mean(list(result.training_seconds.values())) / result.settings["epochs"]
    assert values["circle_authors_minutes"] == pytest.approx(step * 100_000 / 60)
    assert values["circle_step_ms"] == pytest.approx(1000 * step)
    assert set(plotting_cpae.circle_figures(result)) == {"latents", "rollouts", "filters"}
    properties = circle_properties(result)
    assert len(properties) == 4 * 3 and all(
        properties[f"{name}: VPT within [0, 100] %"] for name in result.metrics.index
    )
    assert all(properties[f"{name}: latent states spread (std > 1e-2)"] for name in ("standard AE", "AE + L2", "CpAE"))
    blank = result.metrics.assign(**{"reconstruction error": 1.0})
    result.metrics = blank
    assert not circle_properties(result)["CpAE: relative reconstruction error below 1"]
    assert cpae.circle_values(result)["circle_prediction_verdict"] == "not testable"  # no decoder draws the disc


def test_ablations_run():
    result = cpae.run_cpae_ablations(profile="smoke")
    assert len(result.filter_grid) == 5
    assert len(result.weight_sweep) == 2
    assert list(result.training_schemes.index)[1].startswith("joint")
    assert (result.benchmark["direct / separable"] > 0).all()
    assert list(result.filter_grid.columns) == list(cpae_scoring.metric_keys())
    properties = ablation_properties(result)
    # two properties per decoupled row (VPTs in range, finite error) + the mean-image one (lambda = 0
    # here), two for the joint row, and the cost of J
    assert len(properties) == 7 * 3 + 2 + 1
    # (a timing: the smoke profile's tiny filter banks do not decide it, the paper's banks do)
    assert isinstance(properties["J alone: direct form slower than separable"], bool)
    assert properties["6x6, J: VPTs and ceiling within [0, 100] %"]


def test_paper_numbers_are_stored_with_their_source():
    table = cpae.paper_vpt()
    values = table.set_index(["system", "autoencoder"])["vpt"]
    assert values[("damped_pendulum", "CpAE")] == 99.2
    assert values[("elastic_double_pendulum", "standard AE")] == 30.6
    assert table["source"].str.contains("2502.00754").all()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="system"):
        cpae.run_cpae_system("triple_pendulum", profile="smoke")
    with pytest.raises(ValueError, match="unknown setting"):
        cpae.run_cpae_system("damped_pendulum", profile="smoke", learning_rat=1.0)
    with pytest.raises(ValueError, match="variant"):
        cpae.autoencoder_arguments("big", cpae.resolve_settings("cpae_system", "smoke"))


def _write_videos(root, count=6, length=8, shift=0):
    from PIL import Image

    rng = np.random.default_rng(0)
    for video in range(count):
        folder = root / f"{video:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        for frame in range(length):
            image = np.full((24, 24, 3), 200, dtype=np.uint8)
            column = (3 * frame + video + shift) % 20
            image[8:16, column : column + 4] = rng.integers(0, 80, 3)
            Image.fromarray(image).save(folder / f"{frame}.png")


def test_system_run_on_a_folder_of_real_frames(tmp_path):
    _write_videos(tmp_path / "videos", count=6, length=8)
    result = cpae.run_cpae_system("swing_stick", profile="smoke", frames_folder=str(tmp_path / "videos"), frame_rate=30)
    assert result.true_states is None
    assert result.continuity["in-between error"].isna().all()
    assert result.vpt["VPT mean (%)"].between(0, 100).all()
    # the settings report the data actually used, and the frame rate sets the time step
    assert (result.settings["num_trajectories"], result.settings["num_frames"]) == (6, 8)
    assert result.time_step == pytest.approx(1 / 30)
    with pytest.raises(ValueError, match="frame_rate"):
        cpae.run_cpae_system("swing_stick", profile="smoke", frames_folder=str(tmp_path / "videos"), frame_rate=0)
    with pytest.raises(ValueError, match="frame_rate"):
        cpae.run_cpae_system("swing_stick", profile="smoke", frame_rate=30)


def test_real_frames_are_cached_by_content_not_by_path(tmp_path):
    folder = tmp_path / "videos"
    _write_videos(folder)
    settings = cpae.resolve_settings("cpae_system", "smoke")
    before = prepare_system("swing_stick", settings, 0, str(folder)).data_key
    assert prepare_system("swing_stick", settings, 0, str(folder)).data_key == before
    _write_videos(folder, shift=5)  # same files, new content
    assert prepare_system("swing_stick", settings, 0, str(folder)).data_key != before


def test_sweeps_run():
    result = cpae.run_cpae_sweeps(profile="smoke", seed=0)
    assert set(result.objective["latent map"]) == {"none", "volume_preserving", "mlp"}
    # lambda = 0 once (no map), then every weight for every map
    assert len(result.objective) == 1 + 2 * 1
    assert list(result.resolution["resolution"]) == [16, 16, 24, 24]
    assert set(result.data_size["autoencoder"]) == {"standard AE", "CpAE"}
    assert result.data_size["training trajectories"].tolist() == [10, 10, 20, 20]
    for table in (result.objective, result.resolution, result.data_size):
        assert table["reconstruction error"].notna().all()
    values = cpae.sweep_values(result)
    assert values["sweep_plain_vpt"] == result.objective.loc[result.objective["weight"] == 0, "VPT (%)"].max()
    assert values["sweep_best_vpt"] == result.objective["VPT (%)"].max()
    assert values["sweep_vpt_zero"] == int((result.objective["VPT (%)"] == 0).sum())
    errors = result.objective["reconstruction error"]
    assert (values["sweep_recon_low"], values["sweep_recon_high"]) == (errors.min(), errors.max())
    own = result.objective["VPT vs reconstruction (%)"]
    with_term = result.objective["weight"] > 0
    assert values["sweep_plain_own_vpt"] == own[~with_term].max()
    assert values["sweep_term_own_vpt"] == own[with_term].max()
    term = result.objective.loc[own[with_term].idxmax()]
    assert (values["sweep_term_weight"], values["sweep_term_recon"]) == (term["weight"], term["reconstruction error"])
    assert values["sweep_term_map"] == term["latent map"].replace("_", "-")
    assert (values["sweep_resolution_points"], values["sweep_data_points"]) == (2, 2)
    result.objective.loc[result.objective["weight"] > 0, "reconstruction error"] = 0.95  # pretend a collapse
    weight = float(result.objective.loc[result.objective["weight"] > 0, "weight"].iloc[0])
    values = cpae.sweep_values(result)
    collapsed = int((result.objective["reconstruction error"] > 0.9).sum())  # at least the two pretended
    assert collapsed >= 2 and (values["sweep_collapsed"], values["sweep_settings"]) == (collapsed, 3)
    # the system chapters' weight is the sweep's base setting: collapsed when a point at it collapsed
    assert values["chapter_weight"] == result.settings["prediction_weight"]
    result.settings["prediction_weight"] = weight
    assert cpae.sweep_values(result)["chapter_weight_collapses"] == 1
    result.settings["prediction_weight"] = -1.0
    assert cpae.sweep_values(result)["chapter_weight_collapses"] == 0
    assert values["sweep_latent_term"].startswith("absolute")
    properties = sweep_properties(result)
    assert len(properties) == 2 * (3 + 4 + 4) + 1  # two per point, the mean-image one for lambda = 0
    assert properties["CpAE, resolution 24: VPTs and ceiling within [0, 100] %"]
    figure = plotting_cpae.plot_objective_sweep(result.objective, ("VPT (%)", "reconstruction error"))
    assert len(figure.axes[0].lines) >= 2  # one line per map, each starting at weight 0


def test_ablation_values():
    result = cpae.run_cpae_ablations(profile="smoke")
    values = cpae.ablation_values(result)
    assert values["abl_vpt_large_J"] == result.filter_grid.loc[("6x6", "J"), "VPT (%)"]
    smoothest = result.filter_grid["smoothness ratio"].idxmin()  # (size, penalty)
    assert ("large" if smoothest[0] == "6x6" else "small") in values["abl_smoothest"]
    assert ("with J" if smoothest[1] == "J" else "without a penalty") in values["abl_smoothest"]
    sweep = result.weight_sweep.xs(result.settings["kernel_scale"], level="kernel scale sigma")
    assert values["abl_sweep_points"] == len(sweep)
    lowest, highest = sweep.index.min(), sweep.index.max()
    assert (values["abl_sweep_low_weight"], values["abl_sweep_high_weight"]) == (lowest, highest)
    assert values["abl_sweep_low_smooth"] == sweep.loc[lowest, "smoothness ratio"]
    assert values["abl_sweep_high_recon"] == sweep.loc[highest, "reconstruction error"]


def test_results_collect_paired_differences(tmp_path, monkeypatch):
    from latentdyn.cpae import recorded_runs

    systems = ("damped_pendulum",)
    first = cpae.run_cpae_system("damped_pendulum", profile="smoke", seed=0)
    other = cpae.run_cpae_system("damped_pendulum", profile="smoke", seed=1)
    recorded_runs.record_run(
        other, profile="smoke", seed=1, command="x", wall_seconds=1.0, device="cpu", folder=tmp_path
    )
    monkeypatch.setattr(recorded_runs, "records_folder", lambda: tmp_path)
    summary = cpae.run_cpae_results(profile="smoke", systems=systems)
    # the live run: its own numbers, never pooled with a recorded run
    row = summary.comparison.set_index(["system", "autoencoder"]).loc[("damped_pendulum", "CpAE")]
    node = first.vpt.loc[("CpAE", "Neural ODE")]
    assert row["measured VPT (%)"] == node["VPT mean (%)"] and row["measured VPT SE (%)"] == node["VPT SE (%)"]
    assert row["measured VPT pixel MSE (%)"] == node["VPT pixel MSE mean (%)"]
    assert row["ceiling (%)"] == first.continuity.loc["CpAE", "ceiling (%)"] and row["paper VPT (%)"] == 99.2
    expected = first.paired[first.paired["latent model"].isin(["Neural ODE", "ceiling"])]
    assert (
        summary.paired[["latent model", "definition"]].values.tolist()
        == expected[["latent model", "definition"]].values.tolist()
    )
    assert summary.paired["mean difference (points)"].tolist() == expected["mean difference (points)"].tolist()
    assert summary.test_videos == {"damped_pendulum": 6} and set(summary.runs) == set(systems)
    # the recorded runs are listed, not pooled
    assert summary.recorded["seed"].tolist() == [1, 1]  # one row per autoencoder
    assert (summary.recorded["stale"] == "").all()


def test_knobs_left_at_none_keep_the_study_overrides():
    result = cpae.run_cpae_ablations(profile="smoke", epochs=None, num_trajectories=None)
    assert result.settings["num_trajectories"] == 12  # the smoke ablation's system_overrides
    explicit = cpae.run_cpae_ablations(profile="smoke", epochs=1)
    assert explicit.settings["epochs"] == 1


def test_ablation_models_share_the_system_architecture(monkeypatch):
    built = []
    original = cpae.ConvAutoencoder

    def recording(*args, **kwargs):
        built.append(kwargs)
        return original(*args, **kwargs)

    from latentdyn.cpae.experiments import autoencoder_stage, studies

    for module in (autoencoder_stage, studies):  # the modules that build the trained autoencoders
        monkeypatch.setattr(module, "ConvAutoencoder", recording)
    result = cpae.run_cpae_ablations(profile="smoke")
    # every trained model names its penalty (the benchmark of J builds a bare one)
    deep = [kwargs for kwargs in built if "regularizer" in kwargs]
    assert deep and all(
        kwargs["decoder_min_channels"] == result.settings["decoder_min_channels"]
        and kwargs["channels"] == tuple(result.settings["cpae_channels"])
        for kwargs in deep
    )
