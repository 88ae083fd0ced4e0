"""The in-between experiments end to end in the smoke profile (seconds)."""

import numpy as np
import pandas as pd
import pytest

from latentdyn.inbetween.data.user_pairs import warped_photograph, write_pair
from latentdyn.inbetween.experiments.core import (
    PAPER_METHODS,
    goal_table,
    run_method,
    run_methods,
    scene,
    sequence_call,
)
from latentdyn.inbetween.experiments.readings import (
    pdes_readings,
    real_readings,
    scenario_readings,
    sensitivity_readings,
)
from latentdyn.inbetween.experiments.runs import (
    ABLATION_STEPS,
    run_inbetween_data,
    run_inbetween_method,
    run_inbetween_real,
    run_inbetween_scenarios,
)
from latentdyn.inbetween.experiments.studies import (
    KNOBS,
    ot_velocity_limits,
    run_inbetween_pdes,
    run_inbetween_sensitivity,
    run_transport_failures,
)
from latentdyn.profiles import resolve_settings


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LATENTDYN_DATA_DIR", str(tmp_path))


def test_data_without_real_imagery_says_so(tmp_path):
    result = run_inbetween_data("smoke", 0, scenarios=("rotation",))
    assert set(result.sequences) == {"rotation"} and result.real == {}
    assert "not found" in result.real_message
    assert result.summary.loc[0, "max_speed"] > 0


def test_method_and_cache_reuse():
    first = run_inbetween_method("smoke", 0, scenario="crack_closing")
    again = run_inbetween_method("smoke", 0, scenario="crack_closing")
    np.testing.assert_array_equal(first.latent["frames"], again.latent["frames"])
    assert first.latent["frames"].shape == (1, 64, 64)
    assert len(first.history) == 5 and first.endpoint_error >= 0
    assert np.isfinite(first.prior_endpoint_error)  # the smoke profile starts from TV-L1 as well
    paper = run_inbetween_method("smoke", 0, scenario="crack_closing", velocity_init="none")
    assert np.isnan(paper.prior_endpoint_error)


def test_scenarios_over_seeds_with_goals_and_ablation():
    result = run_inbetween_scenarios("smoke", 0, scenarios=("rotation",), num_seeds=2)
    methods = (*PAPER_METHODS, "prior_alone")  # the learned part switched off beside the full method
    assert result.seeds == [0, 1] and len(result.summary) == 2 * len(methods)
    assert list(result.means["method"]) == list(methods) and (result.means["seeds"] == 2).all()
    assert result.failures is None
    assert result.summary["epe"].isna().sum() == 2  # the cross-fade has no velocity
    assert (result.summary["ssim_mid"] <= 1).all()
    assert list(result.goals["scenario"]) == ["rotation"]
    assert set(result.ablation["step"]) == set(ABLATION_STEPS)
    # the page's readings: a scene that was not run reads "not run" or NaN, never a crash
    readings = scenario_readings(result)
    assert readings.values["event_vs_ot_formation"] == "not run" and np.isnan(readings.values["event_depth_formation"])
    assert readings.values["num_seeds"] == 2.0 and readings.values["count"] == 1.0
    assert np.isfinite(readings.values["two_sided_rotation"]) and np.isnan(readings.values["two_sided_formation"])
    assert {"inbetween_scenarios_psnr", "inbetween_scenarios_ablation_coarse"} <= set(readings.checked)
    # the whole-image rule behind the verdict's count is a table of its own: one row per other method
    whole = readings.whole_rule
    assert list(whole["other"]) == ["optimal_transport", "image_advection"]
    assert readings.values["whole_ot_ahead"] == float((whole.iloc[:1]["outcome"] == "reproduced").sum())
    assert readings.values["whole_image_behind"] == float((whole.iloc[1:]["outcome"] == "reversed").sum())
    assert all(set(tolerance) <= {"abs_tol", "rel_tol"} for _, tolerance in readings.checked.values())


def test_run_methods_in_workers_equal_the_runs_one_by_one(tmp_path, monkeypatch):
    settings = resolve_settings("inbetween_scenarios", "smoke")
    sequence = scene("rotation", settings, 0)
    calls = {
        method: sequence_call(sequence, method, settings, 0, "cpu")
        for method in ("latent_advection", "image_advection", "optimal_transport", "cross_fade")
    }
    calls["shared"] = dict(calls["latent_advection"])  # the same run twice: computed once
    parallel = run_methods(calls, workers=2)
    assert list(parallel) == list(calls)
    assert len(list((tmp_path / "cache").glob("inbetween_latent_advection-*.npz"))) == 1
    monkeypatch.setenv("LATENTDYN_DATA_DIR", str(tmp_path / "serial"))
    for key, call in calls.items():
        serial = run_method(**call)
        assert set(serial) == set(parallel[key])
        for name in set(serial) - {"train_seconds"}:
            np.testing.assert_array_equal(serial[name], parallel[key][name], err_msg=f"{key}: {name}")
    with pytest.raises(ValueError, match=r"calls\['bad'\].*use_cache"):
        run_methods({"bad": {**calls["cross_fade"], "use_cache": False}})
    with pytest.raises(ValueError, match="calls must be a dict"):
        run_methods([calls["cross_fade"]])


def test_goal_table_reads_the_means():
    means = pd.DataFrame(
        {
            "scenario": ["a"] * 4,
            "method": ["latent_advection", "image_advection", "optical_flow", "cross_fade"],
            "psnr_mid": [30.0, 29.0, 31.5, 20.0],
            "ssim_mid": [0.5, 0.9, 0.95, 0.2],
        }
    )
    goals = goal_table(means)
    assert goals.loc[0, "latent_minus_image_db"] == pytest.approx(1.0)
    assert bool(goals.loc[0, "at_least_image_space"]) and not bool(goals.loc[0, "within_1db_of_tvl1"])
    assert not bool(goals.loc[0, "ssim_not_an_outlier"])  # 0.5 against 0.9 (the cross-fade is not counted)


def test_pdes_and_sensitivity_run_and_are_scored():
    pdes = run_inbetween_pdes("smoke", 0, scenarios=("crack_formation",), floe=False)
    assert list(pdes.summary["pde"]) == [
        "advection",
        "advection_diffusion",
        "continuity",
        "image_advection",
        "prior_alone",
    ]
    assert pdes.summary["psnr_mid"].notna().all() and pdes.divergence["crack_formation"].shape == (64, 64)
    assert pdes.summary.set_index("pde").loc["advection_diffusion", "diffusivity"] > 0
    sensitivity = run_inbetween_sensitivity("smoke", 0)
    assert set(sensitivity.summary["knob"]) == set(KNOBS)
    assert sensitivity.summary["book_point"].sum() == len(KNOBS)
    # the pages' readings: one scene without rotation has no scheme cost; every knob has an effect
    pdes_values = pdes_readings(pdes)
    assert pdes_values.values["num_cases"] == 1.0 and "scheme_cost" not in pdes_values.values
    assert set(pdes_values.clear_best) <= {"crack_formation"}
    assert {"inbetween_pdes_psnr", "inbetween_pdes_solver_facts"} <= set(pdes_values.checked)
    effects = sensitivity_readings(sensitivity).values
    assert all(effects[f"effect_{knob}"] >= 0 for knob in KNOBS)
    with pytest.raises(ValueError, match="frame_gap_values"):
        run_inbetween_sensitivity("smoke", 0, knobs_swept=("frame_gap",), frame_gap_values=(0.3,))


def test_real_falls_back_to_synthetic_and_scores_a_user_pair(tmp_path):
    result = run_inbetween_real("smoke", 0, methods=("cross_fade", "optical_flow"), ot_study=False)
    assert "synthetic" in result.message and {"synthetic_combined", "warped_photograph"} <= set(result.cases)
    paths = write_pair(warped_photograph(64), tmp_path / "pair")
    user = run_inbetween_real(
        "smoke",
        0,
        image_pair_paths=(paths["first"], paths["second"]),
        true_middle_path=paths["middle"],
        true_velocity_path=paths["velocity"],
        methods=("cross_fade", "optical_flow"),
        ot_study=False,
    )
    assert list(user.cases) == ["user_pair"] and "true middle frame and its true velocity" in user.message
    table = user.summary.set_index("method")
    assert (
        np.isnan(table.loc["cross_fade", "epe"])
        and table.loc["optical_flow", "epe"] < user.zero_velocity_error["user_pair"]
    )
    best = user.best_per_case().set_index("case").loc["user_pair"]
    assert best["best method"] == table["psnr_mid"].idxmax()
    assert best["best PSNR (dB)"] == table["psnr_mid"].max()
    assert best["zero velocity EPE"] == user.zero_velocity_error["user_pair"]
    assert np.isnan(best["latent advection PSNR (dB)"])  # not among the methods run
    velocity_only = run_inbetween_real(
        "smoke",
        0,
        image_pair_paths=(paths["first"], paths["second"]),
        true_velocity_path=paths["velocity"],
        methods=("optical_flow",),
        ot_study=False,
    )
    assert list(velocity_only.summary.columns) == ["case", "seed", "method", "epe"]
    assert velocity_only.best_per_case()["best method"].tolist() == ["optical_flow"]
    readings = real_readings(user)
    assert readings.values["real_best_floe_breakup"] == "not run" and "ot_translated" not in readings.values
    assert {"inbetween_real_speeds", "inbetween_real_psnr", "inbetween_real_epe"} <= set(readings.checked)
    assert "inbetween_real_ot" not in readings.checked  # the OT study was not run
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(paths["second"].read_bytes()[:200])
    with pytest.raises(ValueError, match=r"image_pair_paths\[1\].*truncated\.png"):
        run_inbetween_real("smoke", 0, image_pair_paths=(paths["first"], truncated))
    with pytest.raises(ValueError, match="need image_pair_paths"):
        run_inbetween_real("smoke", 0, true_middle_path=paths["middle"])
    with pytest.raises(ValueError, match="unknown setting"):
        run_inbetween_real("smoke", 0, window=3)


def test_ot_velocity_beats_zero_on_a_translation_but_not_on_a_rotation():
    limits = ot_velocity_limits(48, max_points_values=(400,)).set_index("case")
    assert bool(limits.loc["disc translated 3 px", "ot_beats_zero"])
    assert not bool(limits.loc["disc rotated 8°", "ot_beats_zero"])


def test_transport_failures_are_scored_with_the_learned_part_switched_off():
    result = run_transport_failures("smoke", 0, scenes=("floe_appears", "shift"))
    assert list(result.goals["scene"]) == ["floe_appears", "shift"]
    means = result.means.set_index(["scene", "method"])
    # a pure fade: the gated model moves nothing and gives the cross-fade (an exact answer)
    assert means.loc[("floe_appears", "latent_reaction"), "rms_speed"] < 0.05
    assert means.loc[("floe_appears", "latent_reaction"), "psnr_capped"] == 60.0
    assert means.loc[("floe_appears", "prior_alone"), "rms_speed"] > 0.5  # TV-L1 alone invents motion
    assert bool(result.goals.set_index("scene").loc["floe_appears", "met"])
    assert set(result.learned_gain["method"]) == {"latent_reaction"}
    with pytest.raises(ValueError, match="scenes"):
        run_transport_failures("smoke", 0, scenes=("meteor",))
