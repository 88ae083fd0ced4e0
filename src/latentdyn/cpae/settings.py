"""What identifies a CpAE run: its settings, the names of its variants, and the code that made it.

Shared by the experiments (:mod:`latentdyn.cpae.experiments`) and the recorded runs
(:mod:`latentdyn.cpae.recorded_runs`), which compare a record's settings, results version and
training-code fingerprint with today's; it imports neither, so neither imports the other.
"""

from __future__ import annotations

from typing import Any

from latentdyn.cache import source_fingerprint
from latentdyn.profiles import resolve_settings

RESULTS_VERSION = 4  # bump when evaluation code changes, so caches are not reused
# The code that decides what a training produces: its fingerprint is part of every trained
# model's cache key (and of every recorded run), so an edit never reuses models of other code.
TRAINING_CODE = source_fingerprint(
    "cpae/models/autoencoder.py",
    "cpae/models/latent_maps.py",
    "cpae/models/latent_dynamics.py",
    "cpae/models/training.py",
    "cpae/data/windows.py",
    "cpae/regularizers.py",
    "runtime.py",
)
# The authors' networks (profile ``authors``) are trained by the learning-curve runs: their own
# network, objective and training loop, and the latent stage's trainer, decide what they produce.
AUTHORS_TRAINING_CODE = source_fingerprint(
    "cpae/models/authors_networks.py",
    "cpae/experiments/learning_curve.py",
    "cpae/models/latent_dynamics.py",
    "cpae/models/training.py",
    "cpae/data/windows.py",
    "cpae/regularizers.py",
    "runtime.py",
)
VARIANTS = ("standard", "l2", "cpae")
# relative reconstruction error a decoder should reach to draw the system: under it, VPT measures the
# latent dynamics more than the decoder (the book's target, used by every CpAE page and run)
RECONSTRUCTION_TARGET = 0.3
# the profile of the shipped models of the authors' networks (trained by the learning-curve runs)
AUTHORS_PROFILE = "authors"
UNTESTABLE_CEILING = 5.0  # %: both ceilings below this, a VPT against true frames measures the decoders


def ceilings_testable(ceiling_cpae: float, ceiling_standard: float) -> bool:
    """The book's one rule for whether a VPT against the true frames can compare two autoencoders:
    at least one of their ceilings (%, the VPT of their own reconstructions of the true frames) is
    at least :data:`UNTESTABLE_CEILING`; below it on both, the VPT measures the decoders."""
    return max(float(ceiling_cpae), float(ceiling_standard)) >= UNTESTABLE_CEILING


VARIANT_LABELS = {"standard": "standard AE", "l2": "AE + L2", "cpae": "CpAE", "joint": "joint AE + NODE"}
MODEL_LABELS = {"neural_ode": "Neural ODE", "hnn": "HNN", "sympnet": "SympNet"}
LATENT_DIM = {"damped_pendulum": 2, "elastic_double_pendulum": 8, "rigid_double_pendulum": 8, "swing_stick": 8}
CAMERA_SYSTEMS = ("rigid_double_pendulum", "swing_stick")


def training_code(settings: dict[str, Any]) -> str:
    """The fingerprint of the code that trains a run with ``settings``: :data:`AUTHORS_TRAINING_CODE`
    for the authors' networks (``settings["networks"] == "authors"``), else :data:`TRAINING_CODE`."""
    return AUTHORS_TRAINING_CODE if settings.get("networks") == "authors" else TRAINING_CODE


def system_settings(profile: str, knobs: dict[str, Any], system: str | None = None) -> dict[str, Any]:
    """The profile's settings for ``system``: its ``per_system`` entries for that system, then the
    knobs given explicitly (not ``None``)."""
    settings = resolve_settings("cpae_system", profile, **knobs)
    if system is not None:
        own = settings["per_system"].get(system, {})
        settings.update({key: value for key, value in own.items() if knobs.get(key) is None})
    return settings
