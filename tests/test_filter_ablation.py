import math

import pandas as pd
import pytest

from latentdyn.cpae.experiments.filter_ablation import (
    ABLATION_VARIANTS,
    NOT_RUN_SEED,
    filter_ablation,
    filter_ablation_values,
)


def _curve(variant, seed, epochs, *, norm0=0.2, shape0=0.05, weight=1.0, batch=64):
    return [
        {
            "run": f"{variant}-{seed}-{weight}",
            "system": "damped_pendulum",
            "variant": variant,
            "prediction_weight": weight,
            "batch_size": batch,
            "seed": seed,
            "epoch": epoch,
            "reconstruction_error": 1.0 / epoch,
            "smoothness_ratio": 0.3,
            "state_r2": 0.9,
            "filter_norm": norm0 * (1 - 0.1 * (epoch - 1)),
            "normalised_continuity": shape0 * (1 - 0.01 * (epoch - 1)),
        }
        for epoch in range(1, epochs + 1)
    ]


def test_filter_ablation_reads_the_compared_epoch_and_lists_variants_not_run():
    curves = pd.DataFrame(
        _curve("cpae", 1, 6)
        + _curve("cpae", 2, 8)
        + _curve("cpae", 3, 4)  # not at epoch 6 yet: left out
        + _curve("cpae", 4, 6, weight=0.0)  # another objective: left out
        + _curve("cpae_no_penalty", 1, 3)  # running
        + _curve("standard", 1, 6, norm0=0.1)
    )
    table = filter_ablation(curves, epoch=6)
    cpae = table.xs(ABLATION_VARIANTS["cpae"], level="variant")
    assert list(cpae.index) == ["1", "2"]
    assert cpae.loc["2", "epochs recorded"] == 8
    assert cpae.loc["1", "filter norm"] == pytest.approx(0.2 * 0.5)
    assert cpae.loc["1", "filter norm change (%)"] == pytest.approx(-50.0)
    assert cpae.loc["1", "shape J change (%)"] == pytest.approx(-5.0)
    assert cpae.loc["1", "reconstruction error"] == pytest.approx(1 / 6)
    running = table.xs(ABLATION_VARIANTS["cpae_no_penalty"], level="variant")
    assert list(running.index) == [NOT_RUN_SEED] and running.iloc[0]["epochs recorded"] == 3
    assert math.isnan(running.iloc[0]["filter norm"])
    assert table.xs(ABLATION_VARIANTS["cpae_l2"], level="variant").iloc[0]["epochs recorded"] == 0
    values = filter_ablation_values(table)
    assert values["fa_cpae_seeds"] == 2
    assert values["fa_cpae_norm_change"] == pytest.approx(-50.0)
    assert values["fa_cpae_shape_change"] == pytest.approx(-5.0)
    assert (values["fa_variants_run"], values["fa_variants_planned"]) == (0, 3)
    # every variant has its numbers; one without a run at the epoch has none
    assert values["fa_standard_seeds"] == 1 and values["fa_standard_norm_change"] == pytest.approx(-50.0)
    assert values["fa_cpae_no_penalty_seeds"] == 0 and math.isnan(values["fa_cpae_no_penalty_norm_change"])
    done = filter_ablation(pd.concat([curves, pd.DataFrame(_curve("cpae_no_penalty", 1, 6))]), epoch=6)
    assert filter_ablation_values(done)["fa_variants_run"] == 1


def test_filter_ablation_without_curves_and_bad_epoch():
    table = filter_ablation(pd.DataFrame())
    assert len(table) == len(ABLATION_VARIANTS) and (table["epochs recorded"] == 0).all()
    assert filter_ablation_values(table)["fa_cpae_seeds"] == 0
    with pytest.raises(ValueError, match="epoch"):
        filter_ablation(pd.DataFrame(), epoch=0)
