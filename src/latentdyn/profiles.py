"""Per-experiment settings of the three profiles.

- ``smoke``: seconds on a laptop CPU; used by the unit tests.
- ``book``: what the rendered book shows and CI checks; minutes on a 2-core CPU.
- ``paper``: the papers' full configuration; meant for a GPU, same code.

An entry function ``run_<experiment>(profile=..., **knobs)`` takes every knob as a
keyword whose default ``None`` means "the profile's value"; a value given explicitly
(for instance as a papermill parameter) always wins.
"""

from __future__ import annotations

from typing import Any

from latentdyn.validation import check_choice

PROFILES = ("smoke", "book", "paper")

SETTINGS: dict[str, dict[str, dict[str, Any]]] = {
    "delta_continuity": {
        "smoke": {"resolutions": (16, 32), "steps_per_finest_pixel": 2, "travel": 0.2},
        "book": {"resolutions": (32, 64, 128, 256), "steps_per_finest_pixel": 4, "travel": 0.3},
        "paper": {"resolutions": (32, 64, 128, 256, 512), "steps_per_finest_pixel": 4,
                  "travel": 0.3},
    },
    "regularizer_benchmark": {
        "smoke": {"filter_banks": ((4, 3, 12, 12), (2, 1, 24, 24)), "repeats": 1},
        "book": {"filter_banks": ((64, 32, 12, 12), (32, 1, 48, 48)), "repeats": 3},
        "paper": {"filter_banks": ((64, 32, 12, 12), (32, 1, 48, 48)), "repeats": 10},
    },
    # In-between imagery dynamics (arXiv 2310.09495). Every experiment sets the same keys;
    # "paper" uses larger images, networks and trainings (a GPU), same code.
    **{
        experiment: {
            "smoke": {
                "image_size": 64, "num_frames": 3, "crack_opening": 0.08, "rotation_degrees": 12.0,
                "looks": 6.0, "latent_channels": 2, "base_channels": 4, "field_channels": 4, "depth": 1,
                "field_downsample": 4, "loss_scales": 3, "max_speed": 12.0, "courant": 2.0,
                "scheme": "semi_lagrangian", "patch_size": 32, "patch_stride": 16, "iterations": 5,
                "batch_size": 4, "learning_rate": 5e-3, "lr_decay": 0.1, "lambda_ae": 1.0,
                "lambda_magnitude": 0.0, "lambda_smooth": 0.05, "ot_max_points": 400,
                "flow_downscale": 1,
            },
            "book": {
                "image_size": 128, "num_frames": 5, "crack_opening": 0.06, "rotation_degrees": 12.0,
                "looks": 6.0, "latent_channels": 3, "base_channels": 4, "field_channels": 8, "depth": 2,
                "field_downsample": 4, "loss_scales": 4, "max_speed": 16.0, "courant": 2.0,
                "scheme": "semi_lagrangian", "patch_size": 64, "patch_stride": 32,
                "iterations": 300, "batch_size": 8, "learning_rate": 5e-3, "lr_decay": 0.1,
                "lambda_ae": 1.0, "lambda_magnitude": 0.0, "lambda_smooth": 0.05,
                "ot_max_points": 2500, "flow_downscale": 1,
                # the real chapter's 900 x 900 pair: fewer patches, flow on a half-size image
                **({"patch_stride": 48, "flow_downscale": 2} if experiment == "inbetween_real" else {}),
            },
            "paper": {
                "image_size": 256, "num_frames": 5, "crack_opening": 0.06, "rotation_degrees": 12.0,
                "looks": 6.0, "latent_channels": 4, "base_channels": 32, "field_channels": 32, "depth": 3,
                "field_downsample": 4, "loss_scales": 5, "max_speed": 32.0, "courant": 2.0,
                "scheme": "semi_lagrangian", "patch_size": 128, "patch_stride": 32,
                "iterations": 5000, "batch_size": 16, "learning_rate": 2e-3, "lr_decay": 0.05,
                "lambda_ae": 1.0, "lambda_magnitude": 0.0, "lambda_smooth": 0.05,
                "ot_max_points": 6400, "flow_downscale": 1,
            },
        }
        for experiment in ("inbetween_data", "inbetween_method", "inbetween_scenarios",
                           "inbetween_real")
    },
}


def profile_settings(experiment: str, profile: str) -> dict[str, Any]:
    """Return a copy of the settings ``profile`` gives ``experiment``."""
    check_choice("experiment", experiment, SETTINGS)
    check_choice("profile", profile, PROFILES)
    return dict(SETTINGS[experiment][profile])


def resolve_settings(experiment: str, profile: str, **overrides: Any) -> dict[str, Any]:
    """The profile's settings, with every override that is not ``None`` applied.

    Raises ``ValueError`` for an override the experiment does not know.
    """
    settings = profile_settings(experiment, profile)
    unknown = set(overrides) - set(settings)
    if unknown:
        raise ValueError(
            f"unknown setting(s) {sorted(unknown)} for experiment {experiment!r}; "
            f"known: {sorted(settings)}"
        )
    settings.update({key: value for key, value in overrides.items() if value is not None})
    return settings
