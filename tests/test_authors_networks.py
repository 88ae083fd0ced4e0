"""The authors' CpAE networks: parameter counts equal to theirs, shapes, penalties, the step map,
and the learning-curve run's resuming and measures."""

import json

import numpy as np
import pandas as pd
import pytest
import torch

from latentdyn.cpae.experiments.learning_curve import run_learning_curve, state_r2
from latentdyn.cpae.models.authors_networks import (
    AuthorsAutoencoder,
    AuthorsStepMap,
    authors_objective,
    count_parameters,
    middle_stacks,
)


@pytest.mark.parametrize("encoder, expected", [("cpae", 1_304_044), ("standard", 986_188)])
def test_parameter_counts_equal_the_authors_at_128_px(encoder, expected):
    model = AuthorsAutoencoder((3, 128, 256), 2, encoder=encoder)
    assert count_parameters(model) == expected
    decoder = sum(
        p.numel()
        for name, p in model.named_parameters()
        if name.startswith(("deconvs", "predicts", "side_ups", "last"))
    )
    assert decoder == 381_578


def test_step_map_counts_and_the_64_px_networks():
    assert count_parameters(AuthorsStepMap(2)) == 14
    assert count_parameters(AuthorsStepMap(8)) == 14 + 114
    assert count_parameters(AuthorsAutoencoder((3, 128, 256), 8)) - 1_304_044 == 774
    # one stride-2 stage fewer on each side at 64 px: the counts measured with the authors' classes
    assert count_parameters(AuthorsAutoencoder((3, 64, 128), 2)) + 14 == 1_130_518
    assert count_parameters(AuthorsAutoencoder((3, 64, 128), 2, encoder="standard")) + 14 == 812_662
    assert (middle_stacks(128), middle_stacks(64)) == (4, 3)


def test_shapes_and_ranges():
    torch.manual_seed(0)
    model = AuthorsAutoencoder((3, 32, 64), 4).eval()
    images = torch.rand(5, 3, 32, 64)
    with torch.no_grad():
        latents = model.encode(images)
        decoded = model.decode(latents)
    assert latents.shape == (5, 4)
    assert decoded.shape == images.shape and float(decoded.min()) >= 0.0 and float(decoded.max()) <= 1.0


def test_penalties_follow_the_variant():
    cpae = AuthorsAutoencoder((3, 32, 64), 2)
    assert cpae.penalty == "continuity" and cpae.filter_size == 12 and float(cpae.weight_penalty().detach()) > 0
    standard = AuthorsAutoencoder((3, 32, 64), 2, encoder="standard")
    assert standard.penalty == "none" and float(standard.weight_penalty().detach()) == 0.0
    l2 = AuthorsAutoencoder((3, 32, 64), 2, penalty="l2")
    expected = sum(float((w**2).mean()) for w in l2.regularized_filters())
    assert float(l2.weight_penalty().detach()) == pytest.approx(expected, rel=1e-6)
    small = AuthorsAutoencoder((3, 32, 64), 2, filter_size=4, penalty="none")
    assert [tuple(w.shape) for w in small.regularized_filters()] == [(16, 3, 4, 4), (32, 16, 4, 4), (64, 32, 4, 4)]


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="image_shape"):
        AuthorsAutoencoder((3, 64, 64), 2)
    with pytest.raises(ValueError, match="power-of-two height"):
        AuthorsAutoencoder((3, 48, 96), 2)
    with pytest.raises(ValueError, match="filter_size"):
        AuthorsAutoencoder((3, 32, 64), 2, filter_size=5)
    with pytest.raises(ValueError, match="dim must be even"):
        AuthorsStepMap(3)


def test_step_map_is_volume_preserving():
    torch.manual_seed(1)
    step = AuthorsStepMap(4)
    for parameter in step.parameters():  # away from the near-identity start
        parameter.data.normal_(0.0, 0.5)
    point = torch.randn(1, 4, dtype=torch.float64)
    jacobian = torch.autograd.functional.jacobian(lambda z: step.double()(z), point).reshape(4, 4)
    assert float(torch.det(jacobian)) == pytest.approx(1.0, abs=1e-10)


def test_objective_terms():
    torch.manual_seed(2)
    model, step = AuthorsAutoencoder((3, 16, 32), 2), AuthorsStepMap(2)
    inputs, targets = torch.rand(4, 3, 16, 32), torch.rand(4, 3, 16, 32)
    alone, terms = authors_objective(model, step, inputs, targets, prediction_weight=0.0)
    assert set(terms) == {"reconstruction"}
    full, terms = authors_objective(model, step, inputs, targets, prediction_weight=1.0)
    expected = terms["reconstruction"] + 2 * terms["latent_prediction"] + terms["image_prediction"]
    assert float(full.detach()) == pytest.approx(float(expected.detach()), rel=1e-6)


def test_state_r2_sees_a_determined_state():
    rng = np.random.default_rng(0)
    latents = rng.normal(size=(6, 20, 2))
    states = latents**3 + 0.5 * latents[..., ::-1]  # a cubic function of the latent state
    assert state_r2(latents, states) > 0.99
    assert state_r2(rng.normal(size=(6, 20, 2)), states) < 0.2  # unrelated latents


def test_learning_curve_resumes_to_the_same_result(tmp_path):
    settings = dict(variant="standard", resolution=16, num_trajectories=10, num_frames=8, batch_size=32, seed=3)
    whole = run_learning_curve(tmp_path / "whole", max_epochs=2, checkpoint_every=1, **settings)
    first = run_learning_curve(tmp_path / "parts", max_epochs=1, checkpoint_every=1, **settings)
    assert len(first["epochs"]) == 1
    resumed = run_learning_curve(tmp_path / "parts", max_epochs=2, checkpoint_every=1, **settings)
    assert [row["reconstruction_error"] for row in resumed["epochs"]] == [
        row["reconstruction_error"] for row in whole["epochs"]
    ]
    stored = json.loads((tmp_path / "parts" / "curve.json").read_text())
    assert len(stored["provenance"]) == 2 and stored["provenance"][1]["resumed_at"]["epoch"] == 1
    with pytest.raises(ValueError, match="other settings"):
        run_learning_curve(tmp_path / "parts", max_epochs=2, **{**settings, "seed": 4})
    # every epoch's model is kept: a resumed run's snapshots equal those of the run in one go
    from latentdyn.cpae.experiments.learning_curve import epoch_snapshot_path

    for epoch in (1, 2):
        one = torch.load(epoch_snapshot_path(tmp_path / "whole", epoch), weights_only=True)
        two = torch.load(epoch_snapshot_path(tmp_path / "parts", epoch), weights_only=True)
        assert one["epoch"] == epoch and one["model"].keys() == two["model"].keys()
        assert all(torch.equal(one["model"][k], two["model"][k]) for k in one["model"])


def test_state_errors_are_per_held_out_video():
    from latentdyn.cpae.experiments.latent_measures import state_errors

    rng = np.random.default_rng(1)
    latents = rng.normal(size=(7, 30, 2))
    states = np.concatenate([latents**3, latents[..., :1] * latents[..., 1:]], axis=-1)
    errors = state_errors(latents, states)
    assert errors.shape == (3,) and errors.max() < 1e-3  # videos 1, 3, 5; a cubic map is learnt
    noise = state_errors(rng.normal(size=(7, 30, 2)), states)
    assert noise.mean() > 0.8


def test_recorded_curves_read_every_run(tmp_path):
    from latentdyn.cpae.experiments.learning_curve import recorded_curves

    assert recorded_curves(tmp_path).empty
    curve = {
        "settings": {
            "variant": "cpae",
            "prediction_weight": 1.0,
            "batch_size": 512,
            "learning_rate": 1e-3,
            "seed": 0,
            "resolution": 64,
        },
        "epochs": [{"epoch": 1, "reconstruction_error": 1.1}, {"epoch": 2, "reconstruction_error": 0.9}],
    }
    (tmp_path / "damped-64-cpae-seed0.json").write_text(json.dumps(curve))
    table = recorded_curves(tmp_path)
    assert list(table["epoch"]) == [1, 2] and set(table["run"]) == {"damped-64-cpae-seed0"}
    assert (table["variant"] == "cpae").all()
    from latentdyn.cpae.figures import plot_learning_curves

    smaller = {**curve, "settings": {**curve["settings"], "batch_size": 64}}
    (tmp_path / "damped-64-cpae-batch64-seed0.json").write_text(json.dumps(smaller))
    both = recorded_curves(tmp_path).assign(state_r2=0.5)
    lines = {line.get_label(): line for line in plot_learning_curves(both).axes[0].lines}
    assert lines["CpAE, λ = 1, batch 512"].get_linestyle() == "-"
    assert lines["CpAE, λ = 1, batch 64"].get_linestyle() == "--"
    seed1 = {**smaller, "settings": {**smaller["settings"], "seed": 1}}  # a shipped seed's run: named, lighter
    (tmp_path / "damped-64-cpae-batch64-seed1.json").write_text(json.dumps(seed1))
    lines = {
        line.get_label(): line
        for line in plot_learning_curves(recorded_curves(tmp_path).assign(state_r2=0.5)).axes[0].lines
    }
    assert (
        lines["CpAE, λ = 1, batch 64, seed 1"].get_alpha() == 0.5 and lines["CpAE, λ = 1, batch 64"].get_alpha() is None
    )
    (tmp_path / "broken.json").write_text("{}")
    with pytest.raises(ValueError, match="not a learning curve"):
        recorded_curves(tmp_path)


# a toy learning-curve run (seconds) and the authors profile's settings that match it
TOY_CURVE = dict(resolution=16, num_trajectories=10, num_frames=8, batch_size=32, seed=2)
TOY_AUTHORS_RUN = {
    "resolution": 16,
    "num_trajectories": 10,
    "num_frames": 8,
    "batch_size": 32,
    "epochs": 1,
    "test_videos": 4,
    "test_frames": 8,
    "inbetween_steps": 2,
}


def test_authors_run_ships_the_curves_models_and_the_pages_rescore_them(tmp_path):
    """Two toy learning-curve runs -> latent stage -> shipped (profile ``authors``) -> re-scored
    by run_cpae_long exactly as stored; a run trained otherwise than the profile is refused."""
    from latentdyn.cpae.experiments.authors_runs import ship_authors_run
    from latentdyn.cpae.experiments.shipped import run_cpae_long
    from latentdyn.cpae.shipped_models import load_shipped, shipped_problems

    curve = TOY_CURVE
    overrides = {**TOY_AUTHORS_RUN, "dynamics_steps": 5, "strip_length": 3, "trajectories_shown": 2, "workers": 1}
    folders = {v: tmp_path / v for v in ("standard", "cpae")}
    for variant, folder in folders.items():
        run_learning_curve(folder, max_epochs=1, target_error=0, variant=variant, **curve)
    shipped = tmp_path / "shipped"
    with pytest.raises(ValueError, match="batch_size: run 32, profile 64"):
        ship_authors_run(
            "damped_pendulum", 2, folders, command="test", folder=shipped, overrides={**overrides, "batch_size": 64}
        )
    path = ship_authors_run("damped_pendulum", 2, folders, command="test", folder=shipped, overrides=overrides)
    assert shipped_problems(path) == []
    run = load_shipped("damped_pendulum", "authors", 2, shipped)
    assert run.record.settings["networks"] == "authors"
    assert run.record.provenance["curve_runs"]["cpae"]["command"]
    long = run_cpae_long("damped_pendulum", profile="authors", folder=shipped, workers=1)
    assert list(long.summary["autoencoder"]) == ["standard AE", "CpAE"]
    check = long.score_check
    assert len(check) == 2 and (check["videos with another VPT"] == 0).all()
    assert (check["largest difference of any score"] == 0).all()
    # the damped page adds them beside the book's own shipped models, under their own names
    from latentdyn.cpae.pages import SystemPage, _add_shipped

    page = SystemPage(system="damped_pendulum", result=None)
    _add_shipped(page, long, prefix="authors_run", line_prefix="authors_line", part="authors")
    assert page.values["authors_run_seeds"] == 1 and page.values["authors_run_seed_list"] == "2"
    assert {"authors_run_vpt_cpae", "authors_run_recon_standard", "authors_line_verdict"} <= set(page.values)
    assert not any(name.startswith(("long_", "line_")) for name in page.values)
    assert (
        page.values["authors_run_seed2_low"]
        <= page.values["authors_run_seed2_difference"]
        <= page.values["authors_run_seed2_high"]
    )
    assert {"fig_authors_run_strips", "fig_authors_run_latents"} <= set(page.figures)
    assert set(page.check_groups) == {"damped_authors", "damped_authors_rescored", "damped_authors_readings"}


def test_latent_budget_fits_each_configuration_and_is_read_back(tmp_path, monkeypatch):
    """A toy learning-curve run -> the latent stage per configuration, scored and recorded; the
    recorded file reads back; a second call finds the fits in the data cache and says so."""
    from latentdyn.cpae.experiments import latent_budget

    monkeypatch.setenv("LATENTDYN_DATA_DIR", str(tmp_path / "data"))  # fitted here, not found in the project's cache
    run = tmp_path / "run"
    run_learning_curve(run, max_epochs=1, target_error=0, variant="cpae", **TOY_CURVE)
    small = {**TOY_AUTHORS_RUN, "dynamics_steps": 4}
    real = latent_budget.system_settings
    monkeypatch.setattr(
        latent_budget, "system_settings", lambda profile, knobs, system: real(profile, {**small, **knobs}, system)
    )
    for name, steps, standardised in (("raw", 4, False), ("raw, updates x4", 16, False), ("standardised", 4, True)):
        monkeypatch.setitem(latent_budget.LATENT_BUDGET_CONFIGS, name, ({"dynamics_steps": steps}, standardised))
    configs = ("raw", "raw, updates x4", "standardised")
    path = latent_budget.record_latent_budget(
        "damped_pendulum", "cpae", 2, run, command="test", configs=configs, folder=tmp_path / "budget"
    )
    table = latent_budget.recorded_latent_budget(tmp_path / "budget")
    assert list(table["config"]) == list(configs) and (table["variant"] == "cpae").all()
    assert list(table["dynamics_steps"]) == [4, 16, 4] and list(table["standardised"]) == [False, False, True]
    assert table["fitted_here"].all()
    assert ((table["latent_vpt"] >= 0) & (table["latent_vpt"] <= 100)).all()
    assert json.loads(path.read_text())["provenance"]["command"] == "test"
    again = latent_budget.latent_budget_rows("damped_pendulum", "cpae", 2, run, configs=("standardised",))
    assert not again[0]["fitted_here"] and again[0]["latent_vpt"] == table["latent_vpt"].iloc[2]
    with pytest.raises(ValueError, match="configs"):
        latent_budget.latent_budget_rows("damped_pendulum", "cpae", 2, run, configs=("more",))
    from latentdyn.cpae.pages import SystemPage, _add_latent_budget

    page = SystemPage(system="damped_pendulum", result=None)
    _add_latent_budget(page, table)
    # one seed measured: the seed is left out of the index (the page says which)
    assert page.latent_budget.index.names == ["autoencoder", "config"] and len(page.latent_budget) == 3
    from latentdyn.cpae.pages import latent_budget_table

    two_seeds = latent_budget_table(pd.concat([table, table.assign(seed=3)]))
    assert two_seeds.index.names == ["autoencoder", "seed", "config"] and len(two_seeds) == 6
    assert page.values["budget_standardised_latent_vpt_cpae"] == table["latent_vpt"].iloc[2]
    (tmp_path / "budget" / "broken.json").write_text("{}")
    with pytest.raises(ValueError, match="not a recorded latent-stage budget"):
        latent_budget.recorded_latent_budget(tmp_path / "budget")


def test_a_variant_run_is_scored_recorded_and_paired_with_the_shipped_cpae(tmp_path, monkeypatch):
    """Toy runs: the shipped pair, then a CpAE without J scored like it, recorded, read back and
    paired with the shipped CpAE of its seed on every measure."""
    from latentdyn.cpae.experiments import variant_scores
    from latentdyn.cpae.experiments.authors_runs import ship_authors_run
    from latentdyn.cpae.experiments.shipped_measures import shipped_latent_measures
    from latentdyn.statistics import Estimate

    monkeypatch.setenv("LATENTDYN_DATA_DIR", str(tmp_path / "data"))
    overrides = {**TOY_AUTHORS_RUN, "dynamics_steps": 5, "strip_length": 3, "trajectories_shown": 2, "workers": 1}
    folders = {v: tmp_path / v for v in ("standard", "cpae", "cpae_no_penalty")}
    for variant, folder in folders.items():
        run_learning_curve(folder, max_epochs=1, target_error=0, variant=variant, **TOY_CURVE)
    shipped = tmp_path / "shipped"
    pair = {v: folders[v] for v in ("standard", "cpae")}
    ship_authors_run("damped_pendulum", 2, pair, command="test", folder=shipped, overrides=overrides)
    with pytest.raises(ValueError, match="variant"):
        variant_scores.score_variant_run("damped_pendulum", "cpae", 2, folders["cpae"], overrides=overrides)
    path = variant_scores.record_variant_scores(
        "damped_pendulum",
        "cpae_no_penalty",
        2,
        folders["cpae_no_penalty"],
        command="test",
        overrides=overrides,
        folder=tmp_path / "scores",
    )
    assert path.name == "damped_pendulum-authors-seed2-cpae_no_penalty.json"
    recorded = variant_scores.recorded_variant_scores(tmp_path / "scores")
    payload = recorded[("damped_pendulum", "authors", 2, "cpae_no_penalty")]
    assert payload["provenance"]["command"] == "test" and payload["run"] == "cpae_no_penalty"
    assert len(payload["per_video"]["latent_vpt"]) == TOY_AUTHORS_RUN["test_videos"]
    table = variant_scores.variant_comparison(recorded, shipped_folder=shipped)
    assert len(table) == 8 and (table["variant"] == "cpae_no_penalty").all() and (table["seed"] == 2).all()
    cpae, _ = shipped_latent_measures("damped_pendulum", "cpae", 2, "authors", folder=shipped)
    latent = table.set_index("measure").loc["latent_vpt"]
    assert latent["CpAE mean"] == pytest.approx(float(np.mean(cpae["latent_vpt"])))
    assert latent["variant mean"] == pytest.approx(float(np.mean(payload["per_video"]["latent_vpt"])))
    assert latent["difference"] == pytest.approx(latent["variant mean"] - latent["CpAE mean"])
    assert (table["low"] <= table["difference"]).all() and (table["difference"] <= table["high"]).all()
    # which is ahead follows the measure's direction
    lower = Estimate(-0.3, 0.1, -0.5, -0.1, 10, 0.95)
    assert variant_scores._reading(lower, "lower") == "variant ahead"
    assert variant_scores._reading(lower, "higher") == "CpAE ahead"
    # other test videos cannot be paired
    payload["scored"]["test"] = "other"
    with pytest.raises(ValueError, match="other test videos"):
        variant_scores.variant_comparison(recorded, shipped_folder=shipped)
    (tmp_path / "scores" / "broken.json").write_text("{}")
    with pytest.raises(ValueError, match="not a recorded variant score"):
        variant_scores.recorded_variant_scores(tmp_path / "scores")


def test_variant_table_and_values_read_the_comparison():
    from latentdyn.cpae.experiments import variant_scores

    comparison = pd.DataFrame(
        [
            {
                "variant": "cpae_no_penalty",
                "seed": 1,
                "measure": measure,
                "better": better,
                "variant mean": 2.0,
                "CpAE mean": 1.0,
                "difference": 1.0,
                "low": low,
                "high": low + 1.0,
                "reading": reading,
                "videos": 120,
            }
            for measure, better, low, reading in (
                ("latent_vpt", "higher", 0.5, "variant ahead"),
                ("smoothness", "lower", 0.5, "CpAE ahead"),
                ("vpt", "higher", -0.5, "no ordering"),
            )
        ]
    )
    shown = variant_scores.variant_table(comparison)
    assert shown.index.names == ["autoencoder", "seed", "measure"]
    assert shown.index[0] == ("12 × 12 filters, no penalty", 1, "VPT in latent space (%)")
    assert list(shown.columns) == ["better", "variant", "CpAE (J)", "variant − CpAE", "95% interval", "reading"]
    assert shown["variant"].iloc[0] == 2.0 and shown["95% interval"].iloc[0] == "[0.5, 1.5]"
    values = variant_scores.variant_values(comparison)
    assert values["vs_scored"] == 1 and values["vs_planned"] == 3
    assert values["vs_cpae_no_penalty_s1_latent_vpt_low"] == 0.5
    # the counts are over the latent claim's measures: the VPT against the true frames is quoted apart
    assert (values["vs_cpae_no_penalty_s1_ahead_variant"], values["vs_cpae_no_penalty_s1_ahead_cpae"]) == (1, 1)
    assert values["vs_cpae_no_penalty_s1_no_ordering"] == 0 and values["vs_cpae_no_penalty_s1_measures"] == 2
    assert values["vs_cpae_no_penalty_s1_vpt_difference"] == 1.0
    assert variant_scores.variant_values(comparison.iloc[0:0])["vs_scored"] == 0
