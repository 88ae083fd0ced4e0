"""The CpAE experiments: circular motion, the four pendulum-like systems, studies, results.

Pipeline of one system (the paper's decoupled scheme), one module per step:

0. :mod:`.data`: simulate and render the videos (:mod:`latentdyn.cpae.data.videos`), split
   trajectories 80/10/10 and cut them into the autoencoders' inputs;
1. :mod:`.autoencoder_stage`: train each autoencoder variant on frame pairs of the training
   trajectories;
2. :mod:`.latent_stage`: encode every trajectory, standardise the latent states (training mean
   and std), and fit each latent model to one-step transitions, time in frames (``dt = 1``);
3. :mod:`.scoring`: from the first latent state of every test trajectory, roll the latent model
   out, decode, and score the frames: VPT, latent smoothness, reconstruction and in-between error;

:mod:`.decoupled` chains 1-3 for one autoencoder; :mod:`.systems` runs a chapter (one system,
or circular motion); :mod:`.shipped` ships the long runs' models and re-scores them;
:mod:`.studies` the ablations and sweeps; :mod:`.results` the tables
across systems, seeds and recorded runs; :mod:`.prose` the numbers and sentences a page
quotes. The settings, variant names and code versions live in :mod:`latentdyn.cpae.settings`.

Trained weights are cached under ``data/cache`` keyed by every parameter (so a second call,
e.g. from the results chapter, only evaluates), and autoencoder trainings checkpoint every
epoch so an interrupted run resumes.

Every name is re-exported here: ``from latentdyn.cpae.experiments import X`` works for all of them.
"""

from latentdyn.cpae.data.videos import SYSTEMS
from latentdyn.cpae.experiments.autoencoder_stage import (
    autoencoder_arguments,
    decode,
    encode,
    encode_windows,
    penalty_arguments,
    trained_autoencoder,
)
from latentdyn.cpae.experiments.circle import CircleResult, run_cpae_circle
from latentdyn.cpae.experiments.circle_shipped import CircleSeeds, run_circle_shipped
from latentdyn.cpae.experiments.data import load_video
from latentdyn.cpae.experiments.latent_stage import Standardiser, rollout_images, trained_latent_model
from latentdyn.cpae.experiments.prose import (
    ablation_values,
    circle_values,
    long_table,
    long_values,
    paired_table,
    scale_table,
    sweep_values,
    system_table,
    system_values,
    training_properties,
)
from latentdyn.cpae.experiments.results import (
    PAPER_VPT_FILE,
    ResultsSummary,
    paper_vpt,
    pose_error_floor,
    run_cpae_results,
    scale_readings,
    seed_readings,
)
from latentdyn.cpae.experiments.scoring import evaluate_variant
from latentdyn.cpae.experiments.shipped import (
    LongResult,
    rescore_shipped,
    run_cpae_long,
    score_shipped_system,
    seed_level_difference,
    ship_models,
    shipped_scores_folder,
    shipped_seeds,
    store_shipped_scores,
)
from latentdyn.cpae.experiments.studies import (
    AblationResult,
    SweepResult,
    benchmark_continuity_penalty,
    run_cpae_ablations,
    run_cpae_sweeps,
)
from latentdyn.cpae.experiments.systems import SystemResult, run_cpae_system
from latentdyn.cpae.models.autoencoder import ConvAutoencoder
from latentdyn.cpae.settings import (
    CAMERA_SYSTEMS,
    LATENT_DIM,
    MODEL_LABELS,
    RESULTS_VERSION,
    TRAINING_CODE,
    VARIANT_LABELS,
    VARIANTS,
    system_settings,
)
from latentdyn.profiles import resolve_settings

__all__ = [
    "CAMERA_SYSTEMS",
    "LATENT_DIM",
    "MODEL_LABELS",
    "RESULTS_VERSION",
    "TRAINING_CODE",
    "VARIANT_LABELS",
    "VARIANTS",
    "SYSTEMS",
    "system_settings",
    "load_video",
    "autoencoder_arguments",
    "penalty_arguments",
    "trained_autoencoder",
    "encode",
    "decode",
    "encode_windows",
    "Standardiser",
    "trained_latent_model",
    "rollout_images",
    "evaluate_variant",
    "SystemResult",
    "run_cpae_system",
    "CircleResult",
    "run_cpae_circle",
    "CircleSeeds",
    "run_circle_shipped",
    "AblationResult",
    "run_cpae_ablations",
    "benchmark_continuity_penalty",
    "SweepResult",
    "run_cpae_sweeps",
    "PAPER_VPT_FILE",
    "paper_vpt",
    "ResultsSummary",
    "run_cpae_results",
    "system_table",
    "system_values",
    "circle_values",
    "ablation_values",
    "sweep_values",
    "training_properties",
    "seed_readings",
    "paired_table",
    "pose_error_floor",
    "ConvAutoencoder",
    "resolve_settings",
    "LongResult",
    "rescore_shipped",
    "scale_readings",
    "scale_table",
    "long_table",
    "long_values",
    "run_cpae_long",
    "shipped_seeds",
    "score_shipped_system",
    "seed_level_difference",
    "ship_models",
    "shipped_scores_folder",
    "store_shipped_scores",
]
