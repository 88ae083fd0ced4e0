"""One entry function per experiment: ``run_<name>(profile=..., seed=..., **knobs) -> result``."""

from latentdyn.experiments.continuity_theory import (
    ContinuityTheoryResult,
    DeltaContinuityResult,
    RegularizerBenchmarkResult,
    run_continuity_theory,
    run_delta_continuity,
    run_regularizer_benchmark,
)

__all__ = [
    "ContinuityTheoryResult",
    "DeltaContinuityResult",
    "RegularizerBenchmarkResult",
    "run_continuity_theory",
    "run_delta_continuity",
    "run_regularizer_benchmark",
]
