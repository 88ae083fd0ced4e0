"""Training throughput of the CpAE autoencoders: fp32 baseline vs the fast path (bf16, channels-last).

    python tools/benchmark_training.py                      # paper size, on CUDA if present
    python tools/benchmark_training.py --batch-size 8 --steps 3 --device cpu   # a quick CPU reading
    PYTHONPATH=src python tools/benchmark_training.py       # on a machine with its own torch

Prints one row per autoencoder (standard AE, CpAE): training inputs per second of each path and
their ratio. Not a test: it measures the machine it runs on.
"""

from __future__ import annotations

import argparse

from latentdyn.cpae.experiments.speed import benchmark_training_speed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="paper", help="profile whose sizes are timed (default: paper)")
    parser.add_argument("--device", default="auto", help="auto | cpu | cuda | mps")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the profile's batch size")
    parser.add_argument("--steps", type=int, default=20, help="timed optimiser steps per path")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first (cuDNN benchmark, caches)")
    arguments = parser.parse_args()
    table = benchmark_training_speed(
        profile=arguments.profile,
        device=arguments.device,
        batch_size=arguments.batch_size,
        steps=arguments.steps,
        warmup=arguments.warmup,
    )
    print(table.to_string(index=False, float_format=lambda value: f"{value:,.2f}"))


if __name__ == "__main__":
    main()
