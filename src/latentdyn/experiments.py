"""One entry function per experiment: ``run_<name>(profile=..., seed=..., **knobs) -> result``.

The names below are loaded on first use (PEP 562): importing one experiment's module (a CpAE
worker process imports :mod:`latentdyn.cpae.experiments`) does not import the others' libraries
(optimal transport, optical flow, ...), which saves seconds in every process the book starts.
"""

from __future__ import annotations

import importlib
from typing import Any

_MODULES = {
    "latentdyn.cpae.experiments": (
        "SystemResult",
        "CircleResult",
        "CircleSeeds",
        "AblationResult",
        "SweepResult",
        "ResultsSummary",
        "LongResult",
        "run_cpae_system",
        "run_cpae_circle",
        "run_circle_shipped",
        "run_cpae_ablations",
        "run_cpae_sweeps",
        "run_cpae_results",
        "run_cpae_long",
    ),
    "latentdyn.headline": ("HeadlinePage", "run_headline_page"),
    "latentdyn.cpae.pages": ("SystemPage", "ResultsPage", "run_cpae_page", "run_cpae_results_page"),
    "latentdyn.cpae.experiments.continuity_theory": (
        "ContinuityTheoryResult",
        "DeltaContinuityResult",
        "RegularizerBenchmarkResult",
        "run_continuity_theory",
        "run_delta_continuity",
        "run_regularizer_benchmark",
    ),
    "latentdyn.inbetween.experiments.runs": (
        "InbetweenDataResult",
        "InbetweenMethodResult",
        "InbetweenRealResult",
        "InbetweenScenariosResult",
        "run_inbetween_data",
        "run_inbetween_method",
        "run_inbetween_real",
        "run_inbetween_scenarios",
    ),
    "latentdyn.inbetween.experiments.studies": (
        "InbetweenPdesResult",
        "InbetweenSensitivityResult",
        "run_inbetween_pdes",
        "run_inbetween_sensitivity",
    ),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}

__all__ = list(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'latentdyn.experiments' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
