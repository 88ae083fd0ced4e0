"""Device choice, determinism, profiles and argument validation."""

import numpy as np
import pytest
import torch

from latentdyn import profiles
from latentdyn.runtime import resolve_device, seed_everything
from latentdyn.validation import check_existing_path, check_positive_int, check_tensor


def test_auto_device_is_available():
    device = resolve_device("auto")
    expected = "cuda" if torch.cuda.is_available() else ("mps" if torch.backends.mps.is_available() else "cpu")
    assert device.type == expected
    assert resolve_device("cpu") == torch.device("cpu")


def test_unknown_or_missing_device():
    with pytest.raises(ValueError, match="device must be one of"):
        resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            resolve_device("cuda")


def test_seed_everything_repeats_random_draws():
    threads = torch.get_num_threads()
    try:
        seed_everything(5, num_threads=1)
        first = (torch.rand(3), np.random.rand(3))
        assert torch.get_num_threads() == 1
        seed_everything(5)
        second = (torch.rand(3), np.random.rand(3))
        assert torch.equal(first[0], second[0]) and np.array_equal(first[1], second[1])
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("seed, message", [(-1, "non-negative"), (1.5, "integer"), (True, "integer")])
def test_bad_seed(seed, message):
    with pytest.raises(ValueError, match=f"seed must be .*{message}"):
        seed_everything(seed)


def test_profiles_resolve_and_override():
    book = profiles.resolve_settings("delta_continuity", "book")
    assert book["resolutions"] == (32, 64, 128, 256)
    overridden = profiles.resolve_settings("delta_continuity", "book", resolutions=(8,), travel=None)
    assert overridden["resolutions"] == (8,) and overridden["travel"] == book["travel"]
    for experiment, by_profile in profiles.SETTINGS.items():
        assert {"smoke", "book", "paper"} <= set(by_profile) <= set(profiles.PROFILES), experiment
        keys = {frozenset(s) for s in by_profile.values()}
        assert len(keys) == 1, f"{experiment}: profiles must set the same knobs"


def test_unknown_profile_or_setting():
    with pytest.raises(ValueError, match="profile must be one of 'smoke', 'book', 'paper'"):
        profiles.resolve_settings("delta_continuity", "huge")
    with pytest.raises(ValueError, match="profile 'long' is not defined for experiment 'delta_continuity'"):
        profiles.resolve_settings("delta_continuity", "long")
    with pytest.raises(ValueError, match="unknown setting"):
        profiles.resolve_settings("delta_continuity", "book", epochs=3)


def test_check_tensor_messages():
    with pytest.raises(ValueError, match=r"x must have shape \(\*, 2\)"):
        check_tensor("x", torch.zeros(3, 3), shape=(None, 2))
    with pytest.raises(ValueError, match="x must be a torch.Tensor"):
        check_tensor("x", [1.0])
    with pytest.raises(ValueError, match="num_steps must be a positive integer"):
        check_positive_int("num_steps", -3)


def test_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="image_path: no such file"):
        check_existing_path("image_path", tmp_path / "missing.png")
    assert check_existing_path("folder", tmp_path, kind="directory") == tmp_path


def test_an_override_of_the_wrong_kind_is_refused_before_any_work_naming_the_setting():
    resolve = profiles.resolve_settings
    for override, message in [
        ({"epochs": -3}, r"'epochs' .* count or a size and must be >= 0, got -3"),
        ({"epochs": 2.5}, r"'epochs' .* must be a whole number >= 0, got 2.5 \(float\)"),
        ({"epochs": True}, r"'epochs' .* must be a whole number >= 0, got True"),
        ({"learning_rate": "abc"}, r"'learning_rate' .* must be a finite number, got 'abc' \(str\)"),
        ({"learning_rate": float("inf")}, r"'learning_rate' .* must be finite, got inf"),
        ({"latent_models": 3}, r"'latent_models' .* must be a list \(or one name\), got 3"),
        ({"workers": 1.5}, r"'workers' .* whole number >= 0 or a string, got 1.5"),
    ]:
        with pytest.raises(ValueError, match=message):
            resolve("cpae_system", "book", **override)
    # what the profiles give, and numbers of the same kind, pass: a whole number where the
    # profiles have a fraction, numpy scalars, one name or a list where they have names
    settings = resolve(
        "cpae_system",
        "book",
        epochs=np.int64(3),
        learning_rate=1,
        workers="auto",
        latent_models=["hnn"],
        prediction_weight=0.0,
        min_bar_pixels=np.float32(1.5),
    )
    assert (settings["epochs"], settings["learning_rate"], settings["latent_models"]) == (3, 1, ["hnn"])
    assert resolve("cpae_system", "book", workers=2)["workers"] == 2
