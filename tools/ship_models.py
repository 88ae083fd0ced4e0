"""Ship the trained models of a recorded long run (float16, with provenance) for the pages to re-score.

    python tools/ship_models.py data/reference/recorded_runs/damped_pendulum-long-seed1.json
    python tools/record_run.py damped_pendulum --profile long --seed 1 --ship   # train, record and ship

The run's models are taken from the cache its training filled (``data/cache``, or
``$LATENTDYN_DATA_DIR/cache``): the run is repeated with the record's settings, every stage a
cache hit, and its scores must equal the record's (else the cache holds other models and
nothing is shipped). Writes ``data/reference/shipped_models/<system>-<profile>-seed<k>.npz`` and
its ``.json`` (the record's provenance, the file's digest, the scores of the float16 models), and
stores the models' scores and latent measures in ``shipped_models/scores``.

    python tools/ship_models.py --rescore data/reference/shipped_models/*.npz   # scoring code changed
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from latentdyn.cpae.experiments.shipped import rescore_shipped, ship_recorded_run
from latentdyn.cpae.experiments.shipped_measures import store_latent_measures
from latentdyn.cpae.recorded_runs import load_recorded_run
from latentdyn.cpae.shipped_models import load_shipped_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "records",
        nargs="+",
        help="recorded-run JSON files of the runs to ship (with --rescore: the shipped runs' .npz files)",
    )
    parser.add_argument(
        "--rescore",
        action="store_true",
        help="score shipped runs again (the scoring code changed) and rewrite their JSON scores",
    )
    arguments = parser.parse_args()
    command = " ".join(shlex.quote(part) for part in ["python", *sys.argv])
    if arguments.rescore:
        for path in arguments.records:
            run = load_shipped_file(Path(path))
            record = run.record
            print(f"rescored {rescore_shipped(record.system, record.profile, record.seed, folder=Path(path).parent)}")
            store_latent_measures(record.system, record.profile, record.seed, folder=Path(path).parent)
        return
    for path in arguments.records:
        record = load_recorded_run(path)
        shipped = ship_recorded_run(record, command=command)
        store_latent_measures(record.system, record.profile, record.seed)
        print(f"shipped {shipped} ({shipped.stat().st_size / 2**20:.2f} MB)")


if __name__ == "__main__":
    main()
