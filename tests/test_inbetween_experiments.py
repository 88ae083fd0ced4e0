"""The in-between experiments end to end in the smoke profile (seconds)."""

import numpy as np
import pytest

from latentdyn.experiments.inbetween import (
    METHODS,
    run_inbetween_data,
    run_inbetween_method,
    run_inbetween_real,
    run_inbetween_scenarios,
)


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


def test_scenarios_table_has_every_method():
    result = run_inbetween_scenarios("smoke", 0, scenarios=("rotation",))
    assert list(result.summary["method"]) == list(METHODS)
    assert result.summary["epe"].isna().sum() == 1  # the cross-fade has no velocity
    assert (result.summary["ssim_mid"] <= 1).all()


def test_real_falls_back_to_synthetic_and_takes_user_pairs(tmp_path):
    result = run_inbetween_real("smoke", 0, methods=("cross_fade", "optical_flow"))
    assert "synthetic" in result.message and "synthetic_combined" in result.pairs
    from skimage import io
    for k in range(2):
        io.imsave(tmp_path / f"pair{k}.png", (np.random.default_rng(k).random((64, 64)) * 255).astype(np.uint8),
                  check_contrast=False)
    user = run_inbetween_real("smoke", 0, image_pair_paths=(tmp_path / "pair0.png", tmp_path / "pair1.png"),
                              methods=("cross_fade",))
    assert "user_pair" in user.pairs and user.summary.empty
    with pytest.raises(ValueError, match="unknown setting"):
        run_inbetween_real("smoke", 0, window=3)
