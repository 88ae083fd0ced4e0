"""The CpAE bottom line: the VPT verdict per system and the paper-vs-ours table, on constructed
shipped-model readings (outcomes and numbers, never wording)."""

import pandas as pd
import pytest

from latentdyn.cpae.experiments.bottom_line import NOT_RUN, bottom_line_table, line_values, vpt_line, vpt_verdict
from latentdyn.cpae.experiments.shipped import LongResult


def long_result(
    differences, ceilings=(10.0, 12.0), system="damped_pendulum", vpt=(7.0, 9.0), profile="long"
) -> LongResult:
    """Seeds with the given (mean, low, high) paired differences CpAE − standard AE."""
    readings = pd.DataFrame(
        [
            {
                "seed": seed,
                "definition": "relative error",
                "mean difference (points)": mean,
                "standard error": (high - low) / 4,
                "95% low": low,
                "95% high": high,
                "ceiling CpAE (%)": ceilings[0],
                "ceiling standard AE (%)": ceilings[1],
                "videos": 120,
            }
            for seed, (mean, low, high) in enumerate(differences)
        ]
    )
    summary = pd.DataFrame(
        [
            {"seed": seed, "autoencoder": name, "VPT (%)": value}
            for seed in range(len(differences))
            for name, value in zip(("CpAE", "standard AE"), vpt, strict=True)
        ]
    )
    return LongResult(system, profile, "shipped models", {}, summary, readings, pd.DataFrame())


@pytest.mark.parametrize(
    ("differences", "ceilings", "outcome"),
    [
        ([(5, 1, 9), (4, 2, 6)], (10, 12), "reproduced"),
        ([(-5, -9, -1), (-4, -6, -2)], (10, 12), "reversed"),
        ([(0.6, -2, 3), (-7.6, -11, -4)], (10, 12), "not reproduced"),
        ([(5, 1, 9), (0, -2, 2)], (10, 12), "not settled"),
        ([(0, 0, 0), (0, 0, 0)], (0, 0), "not testable"),
        ([(5, 1, 9), (4, 2, 6)], (4.9, 3.0), "not testable"),
    ],
)
def test_vpt_verdict_outcomes(differences, ceilings, outcome):
    verdict = vpt_verdict(long_result(differences, ceilings))
    assert verdict.outcome == outcome
    if outcome == "not testable":
        assert "ceilings" in verdict.why


def test_vpt_verdict_names_a_missing_definition():
    with pytest.raises(ValueError, match="pixel MSE"):
        vpt_verdict(long_result([(1, 0.5, 2)]), definition="pixel MSE")


def test_bottom_line_table_and_values():
    line = vpt_line(long_result([(0.6, -2, 3), (-7.6, -11, -4), (0.2, -1, 1.5)]))
    assert (line.paper_cpae, line.paper_standard) == (99.2, 50.7)
    assert (line.ours_cpae, line.ours_standard) == (7.0, 9.0)
    assert line.difference is not None and line.difference.mean == pytest.approx((0.6 - 7.6 + 0.2) / 3)
    table = bottom_line_table([line])
    assert list(table.index) == ["damped pendulum", "rigid double pendulum"]
    assert table.loc["damped pendulum", "verdict"] == "not reproduced"
    assert table.loc["rigid double pendulum", "verdict"] == NOT_RUN
    assert (table.loc["rigid double pendulum"] == NOT_RUN).sum() == 3  # never shown as a measured 0
    values = line_values(line, "damped")
    assert values["damped_verdict"] == "not reproduced" and values["damped_seeds_behind"] == 1
    assert values["damped_low"] < values["damped_difference"] < values["damped_high"]
    untestable = vpt_line(long_result([(0, 0, 0), (0, 0, 0)], ceilings=(0, 0), system="elastic_double_pendulum"))
    assert bottom_line_table([untestable]).iloc[0, 2] == "–"
    # the authors' networks on the same system: a line of their own, named as such
    authors = vpt_line(long_result([(5, 1, 9)], profile="authors"))
    assert authors.difference is None and authors.verdict.outcome == "reproduced"  # one seed: no interval over seeds
    table = bottom_line_table([line, authors])
    assert list(table.index[:2]) == ["damped pendulum", "damped pendulum, the authors' networks"]
    assert table.iloc[1, 2] == "–" and table.iloc[1]["seeds"] == 1


def test_pose_floor_values():
    import math

    from latentdyn.cpae.experiments.results import pose_floor_values

    floor = pd.DataFrame(
        {
            "tip offset (pixels)": [0.5, 1.0, 2.0],
            "angle offset (degrees)": [1.0, 2.0, 4.0],
            "reconstruction error": [0.2, 0.4, 0.7],
            "ceiling (%)": [90.0, 40.0, 0.0],
        }
    )
    values = pose_floor_values(floor, target=0.3)
    assert (values["floor_one_error"], values["floor_one_angle"], values["floor_one_ceiling"]) == (0.4, 2.0, 40.0)
    assert values["floor_target_pixels"] == pytest.approx(0.75)
    assert math.isnan(pose_floor_values(floor, target=0.9)["floor_target_pixels"])
    shrinking = floor.assign(**{"reconstruction error": [0.5, 0.4, 0.7]})
    assert math.isnan(pose_floor_values(shrinking)["floor_target_pixels"])
    assert math.isnan(pose_floor_values(floor.iloc[[0, 2]])["floor_one_error"])


def test_circle_prediction_verdict():
    from types import SimpleNamespace

    from latentdyn.cpae.experiments.bottom_line import circle_prediction_verdict

    metrics = pd.DataFrame({"reconstruction error": [0.6, 0.8, 0.9]}, index=["standard AE", "AE + L2", "CpAE"])
    result = SimpleNamespace(metrics=metrics, settings={"vpt_threshold": 0.5})
    untestable = circle_prediction_verdict(result)
    assert untestable.outcome == "not testable" and "0.5" in untestable.why
    assert circle_prediction_verdict(result, threshold=0.7).outcome == "not settled"  # one seed: no interval


def test_one_rule_decides_whether_ceilings_allow_a_vpt_comparison():
    from latentdyn.cpae.experiments.bottom_line import ceilings_too_low
    from latentdyn.cpae.settings import UNTESTABLE_CEILING, ceilings_testable

    assert ceilings_testable(UNTESTABLE_CEILING, 0.0) and ceilings_testable(0.0, UNTESTABLE_CEILING)
    assert not ceilings_testable(UNTESTABLE_CEILING - 1e-9, 0.0)
    columns = ["ceiling CpAE (%)", "ceiling standard AE (%)"]
    # too low only when every seed is below the rule; one testable seed makes the set testable
    assert ceilings_too_low(pd.DataFrame([[1.0, 2.0], [0.0, 4.9]], columns=columns))
    assert not ceilings_too_low(pd.DataFrame([[1.0, 2.0], [0.0, UNTESTABLE_CEILING]], columns=columns))
