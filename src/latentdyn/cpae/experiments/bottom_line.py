"""The CpAE part's verdicts on the paper's VPT claim, decided once and read by every page that
states them (the intro, the system chapters, the results page).

The claim: with a Neural ODE after each autoencoder, the CpAE's prediction stays valid longer
than the standard AE's (VPT, % of the test horizon; the paper: 99.2 against 50.7 on the damped
pendulum). It is judged on the shipped 64 px models of each system, one paired difference
CpAE − standard AE over the same test videos per seed, by :func:`latentdyn.verdicts.claim`; it is
*not testable* where both autoencoders' ceilings (the VPT of their own reconstructions of the
true frames) stay below :data:`UNTESTABLE_CEILING` on every seed, since then no latent model can
show a VPT. Code here makes outcomes, numbers and tables; the chapters' words state them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from latentdyn.cpae.experiments.circle_shipped import CircleSeeds
from latentdyn.cpae.experiments.results import paper_vpt
from latentdyn.cpae.experiments.shipped import LongResult, run_cpae_long, seed_level_difference
from latentdyn.cpae.settings import AUTHORS_PROFILE, UNTESTABLE_CEILING, VARIANT_LABELS, ceilings_testable
from latentdyn.cpae.settings import RECONSTRUCTION_TARGET as RECONSTRUCTION_TARGET  # quoted by the pages
from latentdyn.reporting import readable
from latentdyn.statistics import Estimate, mean_estimate
from latentdyn.verdicts import HIGHER, LOWER, NOT_SETTLED, NOT_TESTABLE, Verdict, claim

NOT_RUN = "not run"  # a table cell for an experiment this book has not run (never a measured 0)


def ceilings_too_low(readings: pd.DataFrame) -> bool:
    """Whether both autoencoders' ceilings (%, columns ``ceiling CpAE (%)`` and ``ceiling standard
    AE (%)`` of seed readings) stay below :data:`UNTESTABLE_CEILING` on every row."""
    return not any(
        ceilings_testable(cpae, standard)
        for cpae, standard in readings[["ceiling CpAE (%)", "ceiling standard AE (%)"]].to_numpy()
    )


def readings_verdict(readings: pd.DataFrame, definition: str = "relative error") -> Verdict:
    """The verdict on "the CpAE's Neural ODE VPT is higher than the standard AE's" from seed
    readings (one row per seed and definition: the paired difference CpAE − standard AE over the
    test videos with its 95 % interval and both ceilings; the format of
    :func:`latentdyn.cpae.experiments.results.seed_readings`)."""
    rows = readings[readings["definition"] == definition]
    if rows.empty:
        raise ValueError(f"definition {definition!r} has no seed readings")
    per_seed = [
        Estimate(
            float(row["mean difference (points)"]),
            float(row["standard error"]),
            float(row["95% low"]),
            float(row["95% high"]),
            int(row["videos"]),
            0.95,
        )
        for _, row in rows.iterrows()
    ]
    testable = not ceilings_too_low(rows)
    why = "" if testable else f"both autoencoders' ceilings stay below {UNTESTABLE_CEILING:g} % on every seed"
    return claim(per_seed, HIGHER, testable=testable, why=why)


def vpt_verdict(long: LongResult, definition: str = "relative error") -> Verdict:
    """:func:`readings_verdict` of the shipped models of one system (``long.readings``)."""
    if long.readings.empty or (long.readings["definition"] != definition).all():
        raise ValueError(f"definition {definition!r} has no readings for {long.system}")
    return readings_verdict(long.readings, definition)


@dataclass
class VptLine:
    """One system's line of the bottom line: the paper's VPT, ours over the shipped seeds, the
    seed-level difference CpAE − standard AE (``None`` for one seed) and the verdict; ``profile``:
    the shipped models' profile (``long``: the book's networks, ``authors``: the authors')."""

    system: str
    paper_cpae: float
    paper_standard: float
    ours_cpae: float
    ours_standard: float
    seeds: int
    difference: Estimate | None
    verdict: Verdict
    reconstruction_cpae: float = math.nan
    reconstruction_standard: float = math.nan
    ceiling_cpae: float = math.nan
    ceiling_standard: float = math.nan
    profile: str = "long"

    @property
    def label(self) -> str:
        """The line's name in a table: the system as a reader writes it, and whose networks."""
        return str(readable(self.system)) + (", the authors' networks" if self.profile == AUTHORS_PROFILE else "")


def vpt_line(long: LongResult) -> VptLine:
    """The bottom line of one system's shipped models (means over seeds)."""
    paper = paper_vpt()
    paper = paper[(paper["system"] == long.system) & (paper["latent model"] == "Neural ODE")].set_index("autoencoder")
    means = long.summary.groupby("autoencoder").mean(numeric_only=True)
    seeds = int(long.summary["seed"].nunique())
    return VptLine(
        system=long.system,
        paper_cpae=float(paper["vpt"].get("CpAE", math.nan)),
        paper_standard=float(paper["vpt"].get("standard AE", math.nan)),
        ours_cpae=_mean(means, "CpAE", "VPT (%)"),
        ours_standard=_mean(means, "standard AE", "VPT (%)"),
        seeds=seeds,
        difference=seed_level_difference(long) if seeds >= 2 else None,
        verdict=vpt_verdict(long),
        reconstruction_cpae=_mean(means, "CpAE", "reconstruction error"),
        reconstruction_standard=_mean(means, "standard AE", "reconstruction error"),
        ceiling_cpae=_mean(means, "CpAE", "ceiling (%)"),
        ceiling_standard=_mean(means, "standard AE", "ceiling (%)"),
        profile=long.profile,
    )


def _mean(means: pd.DataFrame, autoencoder: str, column: str) -> float:
    if autoencoder in means.index and column in means.columns:
        return float(means.loc[autoencoder, column])
    return math.nan


def bottom_line_table(lines: list[VptLine], not_run: tuple[str, ...] = ("rigid_double_pendulum",)) -> pd.DataFrame:
    """The reader's paper-vs-ours table: one row per system, the paper's VPT and ours (CpAE /
    standard AE, %), the difference over seeds with its 95 % interval (a dash for one seed or an
    untestable comparison), and the verdict; systems in
    ``not_run`` (the paper scores them, this book has no shipped models) say ``not run``."""
    rows = []
    for line in lines:
        difference = (
            f"{line.difference.mean:+.1f} [{line.difference.low:+.1f}, {line.difference.high:+.1f}]"
            if line.difference is not None and line.verdict.outcome != NOT_TESTABLE
            else "–"
        )
        rows.append(
            {
                "system": line.label,
                "paper: CpAE / standard AE (%)": f"{line.paper_cpae:.1f} / {line.paper_standard:.1f}",
                "ours, 64 px: CpAE / standard AE (%)": f"{line.ours_cpae:.1f} / {line.ours_standard:.1f}",
                "CpAE − standard AE (points, 95 % interval over seeds)": difference,
                "seeds": line.seeds,
                "verdict": line.verdict.outcome,
            }
        )
    paper = paper_vpt()
    for system in not_run:
        reported = paper[(paper["system"] == system) & (paper["latent model"] == "Neural ODE")]
        vpt = reported.set_index("autoencoder")["vpt"]
        rows.append(
            {
                "system": readable(system),
                "paper: CpAE / standard AE (%)": f"{vpt['CpAE']:.1f} / {vpt['standard AE']:.1f}",
                "ours, 64 px: CpAE / standard AE (%)": NOT_RUN,
                "CpAE − standard AE (points, 95 % interval over seeds)": NOT_RUN,
                "seeds": 0,
                "verdict": NOT_RUN,
            }
        )
    return pd.DataFrame(rows).set_index("system")


def line_values(line: VptLine, prefix: str) -> dict[str, float | int | str]:
    """The numbers and the verdict word of one line, for a page's glue (keys ``<prefix>_*``)."""
    values: dict[str, float | int | str] = {
        f"{prefix}_paper_cpae": line.paper_cpae,
        f"{prefix}_paper_standard": line.paper_standard,
        f"{prefix}_ours_cpae": line.ours_cpae,
        f"{prefix}_ours_standard": line.ours_standard,
        f"{prefix}_seeds": line.seeds,
        f"{prefix}_verdict": line.verdict.outcome,
        f"{prefix}_seeds_ahead": line.verdict.supporting,
        f"{prefix}_seeds_behind": line.verdict.opposing,
        f"{prefix}_recon_cpae": line.reconstruction_cpae,
        f"{prefix}_recon_standard": line.reconstruction_standard,
        f"{prefix}_ceiling_cpae": line.ceiling_cpae,
        f"{prefix}_ceiling_standard": line.ceiling_standard,
    }
    if line.difference is not None:
        values.update(
            {
                f"{prefix}_difference": line.difference.mean,
                f"{prefix}_low": line.difference.low,
                f"{prefix}_high": line.difference.high,
            }
        )
    return values


def cpae_bottom_line(
    systems: tuple[str, ...] = ("damped_pendulum", "elastic_double_pendulum"),
    scored: dict[str, LongResult] | None = None,
) -> list[VptLine]:
    """The VPT line of every system with shipped 64 px models (their first seed re-scored here,
    the others' stored scores read: seconds); ``scored``: system -> a :func:`run_cpae_long`
    result the caller already has, used instead of scoring that system again."""
    scored = scored or {}
    return [vpt_line(scored[system] if system in scored else run_cpae_long(system)) for system in systems]


def circle_prediction_verdict(result, threshold: float | None = None) -> Verdict:
    """The verdict on "the CpAE's Neural ODE predicts the circling disc longest" from one circle
    run (``result``: a :class:`~latentdyn.cpae.experiments.circle.CircleResult`): *not testable*
    when every autoencoder's reconstruction error exceeds the VPT threshold (``threshold``,
    default the run's), since then no decoded prediction can be valid; otherwise *not settled*:
    one seed and one rollout give no interval to decide an ordering by."""
    threshold = float(result.settings["vpt_threshold"] if threshold is None else threshold)
    errors = result.metrics["reconstruction error"].astype(float)
    numbers = {f"reconstruction error {name}": float(value) for name, value in errors.items()}
    if bool((errors > threshold).all()):
        why = f"every autoencoder's reconstruction error exceeds the VPT threshold {threshold:g}"
        return Verdict(NOT_TESTABLE, numbers=numbers, why=why)
    return Verdict(NOT_SETTLED, numbers=numbers)


# the circle's measures of the paper's claim (metrics columns) and which direction it calls better
# for the CpAE (the reconstruction error is shown beside them, but the paper claims nothing of it)
CIRCLE_MEASURES = {
    "smoothness ratio": LOWER,
    "VPT (%)": HIGHER,
    "frames within threshold (%)": HIGHER,
}
_DECODED_MEASURES = ("VPT (%)", "frames within threshold (%)")  # need decoders that draw the disc


def circle_seed_verdicts(seeds: CircleSeeds) -> pd.DataFrame:
    """The verdicts on the circle claim from the shipped seeds (:class:`CircleSeeds`): one row per
    (measure of :data:`CIRCLE_MEASURES`, baseline ``standard``/``l2``) with the CpAE − baseline
    difference averaged over seeds, its 95 % Student-t interval over seeds (each seed has one test
    rollout, so the seed is the replicate), on how many seeds the CpAE is on the claimed side, and
    the verdict (:func:`latentdyn.verdicts.claim` on the seed-level interval; *not settled* with
    fewer than 2 seeds; the decoded measures *not testable* when every reconstruction error
    exceeds the VPT threshold on every seed)."""
    threshold = float(next(iter(seeds.results.values())).settings["vpt_threshold"])
    errors = seeds.table["reconstruction error"].astype(float)
    blind = bool((errors > threshold).all())
    rows = []
    for measure, better in CIRCLE_MEASURES.items():
        for other in ("standard", "l2"):
            differences = seeds.differences(measure, other)
            sign = 1.0 if better == HIGHER else -1.0
            row = {
                "measure": measure,
                "CpAE against": VARIANT_LABELS[other],
                "seeds": len(differences),
                "CpAE better on": int((sign * differences > 0).sum()),
                "mean difference": float(differences.mean()),
                "95% low": float("nan"),
                "95% high": float("nan"),
            }
            if measure in _DECODED_MEASURES and blind:
                why = f"every reconstruction error exceeds the VPT threshold {threshold:g}"
                verdict = Verdict(NOT_TESTABLE, why=why)
            elif len(differences) < 2:
                verdict = Verdict(NOT_SETTLED)
            else:
                estimate = mean_estimate(differences)
                row.update({"95% low": estimate.low, "95% high": estimate.high})
                verdict = claim([estimate], better)
            rows.append({**row, "verdict": verdict.outcome})
    return pd.DataFrame(rows).set_index(["measure", "CpAE against"])
