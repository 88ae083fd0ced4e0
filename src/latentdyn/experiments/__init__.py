"""One entry function per experiment: ``run_<name>(profile=..., seed=..., **knobs) -> result``."""

from latentdyn.experiments.continuity_theory import (
    ContinuityTheoryResult,
    DeltaContinuityResult,
    RegularizerBenchmarkResult,
    run_continuity_theory,
    run_delta_continuity,
    run_regularizer_benchmark,
)
from latentdyn.experiments.inbetween import (
    InbetweenDataResult,
    InbetweenMethodResult,
    InbetweenRealResult,
    InbetweenScenariosResult,
    run_inbetween_data,
    run_inbetween_method,
    run_inbetween_real,
    run_inbetween_scenarios,
)
from latentdyn.experiments.inbetween_studies import (
    InbetweenPdesResult,
    InbetweenSensitivityResult,
    run_inbetween_pdes,
    run_inbetween_sensitivity,
)

__all__ = [
    "InbetweenDataResult",
    "InbetweenMethodResult",
    "InbetweenRealResult",
    "InbetweenScenariosResult",
    "run_inbetween_data",
    "run_inbetween_method",
    "run_inbetween_real",
    "run_inbetween_scenarios",
    "InbetweenPdesResult",
    "InbetweenSensitivityResult",
    "run_inbetween_pdes",
    "run_inbetween_sensitivity",
    "ContinuityTheoryResult",
    "DeltaContinuityResult",
    "RegularizerBenchmarkResult",
    "run_continuity_theory",
    "run_delta_continuity",
    "run_regularizer_benchmark",
]
