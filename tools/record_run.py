"""Run one CpAE system in a long profile and record its metrics with their provenance.

    python tools/record_run.py damped_pendulum --profile long --ship     # ~1 h on 2 CPU cores
    PYTHONPATH=src python tools/record_run.py damped_pendulum --profile paper --device cuda
    python tools/record_run.py damped_pendulum --profile long --seed 3 --set epochs=8   # a diagnostic

Writes data/reference/recorded_runs/<system>-<profile>.json (metrics, the settings it ran with,
commit, device, torch version, wall time, this command). The run uses the profile's settings
(only where it runs may be chosen) or, for a diagnostic, the profile with the named changes of
``--set``; a unit test flags records whose profile has changed since.
"""

from __future__ import annotations

import argparse
import ast
import shlex
import sys
import time

from latentdyn.cpae.experiments import SYSTEMS, run_cpae_system, ship_models
from latentdyn.cpae.experiments.shipped_measures import store_latent_measures
from latentdyn.cpae.recorded_runs import load_recorded_run, record_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("system", choices=SYSTEMS)
    parser.add_argument("--profile", default="long", help="long (CPU) or paper (GPU)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default=None, help="default: the profile's (auto: CUDA if present)")
    parser.add_argument("--num-threads", type=int, default=None, help="default: the profile's")
    parser.add_argument(
        "--ship",
        action="store_true",
        help="also ship the trained models (data/reference/shipped_models, float16 + provenance)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a diagnostic run: change one setting of the profile (Python literal), repeatable",
    )
    arguments = parser.parse_args()
    overrides = {}
    for item in arguments.set:
        key, _, value = item.partition("=")
        if not key or not value:
            parser.error(f"--set takes KEY=VALUE, got {item!r}")
        overrides[key] = ast.literal_eval(value)
    started = time.perf_counter()
    result = run_cpae_system(
        arguments.system,
        profile=arguments.profile,
        seed=arguments.seed,
        device=arguments.device,
        num_threads=arguments.num_threads,
        **overrides,
    )
    device = result.settings["device"]
    command = " ".join(shlex.quote(part) for part in ["python", *sys.argv])
    path = record_run(
        result,
        profile=arguments.profile,
        seed=arguments.seed,
        command=command,
        wall_seconds=time.perf_counter() - started,
        device=device,
        overrides=overrides,
    )
    print(f"recorded {path}")
    if arguments.ship:
        shipped = ship_models(result, load_recorded_run(path), command=command)
        print(f"shipped {shipped} ({shipped.stat().st_size / 2**20:.2f} MB)")
        store_latent_measures(arguments.system, arguments.profile, arguments.seed)  # the latent claim's measures
    print(result.vpt.round(1).to_string())
    print(result.continuity.round(3).to_string())


if __name__ == "__main__":
    main()
