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
