"""The landing page's headline figures: one key result per paper, drawn from the experiments'
results (style: :mod:`latentdyn.plotting.style`; short figures, so that both fit above the fold).

- :func:`plot_latent_headline`: latent trajectories of a standard autoencoder and of a CpAE on
  one test video (encoded frames and the Neural ODE's prediction from the first state).
- :func:`plot_inbetween_headline`: the two observed images, the true in-between image and the
  one predicted by latent advection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from latentdyn.cpae.experiments import VARIANT_LABELS, SystemResult
from latentdyn.cpae.experiments.bottom_line import VptLine, cpae_bottom_line, line_values, vpt_line
from latentdyn.cpae.experiments.latent_claim import LatentClaimResult, latent_claim
from latentdyn.cpae.experiments.shipped import run_cpae_long, shipped_seeds
from latentdyn.cpae.settings import AUTHORS_PROFILE, UNTESTABLE_CEILING
from latentdyn.inbetween.experiments.runs import InbetweenMethodResult, run_inbetween_method
from latentdyn.inbetween.figures import crack_profile
from latentdyn.plotting.style import finish, new_figure
from latentdyn.verdicts import REPRODUCED

HEADLINE_ASPECT = 0.36  # panel height / width of the latent figure: two short panels side by side


def _check_array(name: str, value, ndim: int) -> np.ndarray:
    """``value`` as a finite float array with ``ndim`` dimensions, or a ``ValueError`` naming it."""
    array = np.asarray(value, dtype=float)
    if array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite (it contains NaN or infinity)")
    return array


def _latent_panel(
    axis, encoded: np.ndarray, rolled: np.ndarray | None, time_step: float, title: str, coordinates: int
) -> None:
    """Coordinates of one latent trajectory ``(T, d)`` over time; the rollout dashed."""
    times = np.arange(len(encoded)) * time_step
    for index in range(min(coordinates, encoded.shape[1])):
        (line,) = axis.plot(
            times, encoded[:, index], lw=1.4, marker=".", markersize=3, label=f"z{index + 1} encoded"
        )  # colour per coordinate: C0, C1, ...
        if rolled is not None:
            axis.plot(
                np.arange(len(rolled)) * time_step,
                rolled[:, index],
                ls="--",
                lw=1.1,
                color=line.get_color(),
                label=f"z{index + 1} Neural ODE",
            )
    axis.set_title(title)
    axis.set_xlabel("time (s)")


def plot_latent_headline(
    latents: dict[str, np.ndarray],
    rollouts: dict[str, np.ndarray],
    labels: dict[str, str],
    time_step: float,
    *,
    trajectory: int = 0,
    coordinates: int = 2,
    smoothness: dict[str, float] | None = None,
    legend: bool = False,
) -> Figure:
    """Latent trajectories, one panel per autoencoder, on a common vertical scale.

    Args:
        latents: autoencoder key -> encoded test videos ``(n, T, d)`` (standardised or raw latents).
        rollouts: autoencoder key -> Neural ODE rollouts ``(n, T, d)`` from each video's first state
            (a key may be missing: no dashed line then).
        labels: autoencoder key -> display name, in the order of the panels.
        time_step: seconds between frames.
        trajectory: which test video to show.
        coordinates: how many latent coordinates to draw.
        smoothness: optional autoencoder key -> smoothness ratio, shown in the panel title.
        legend: draw a legend in the last panel (off by default: the landing page's caption
            says what the lines are, which keeps the figure short).
    """
    if not labels:
        raise ValueError("labels must name at least one autoencoder")
    missing = [key for key in labels if key not in latents]
    if missing:
        raise ValueError(f"labels name autoencoders without latents: {missing}; have {sorted(latents)}")
    latents = {key: _check_array(f"latents[{key!r}]", latents[key], 3) for key in labels}
    if not 0 <= trajectory < min(len(latents[key]) for key in labels):
        raise ValueError(f"trajectory must index the shown test videos, got {trajectory}")
    figure, axes = new_figure(
        1, len(labels), panel_aspect=HEADLINE_ASPECT * len(labels) / 2, extra_height=0.3, sharey=True
    )
    for axis, (key, label) in zip(axes[0], labels.items()):
        title = (
            label
            if smoothness is None or key not in smoothness
            else f"{label} (smoothness ratio {smoothness[key]:.2g})"
        )
        rolled = rollouts[key][trajectory] if key in rollouts else None
        _latent_panel(axis, latents[key][trajectory], rolled, time_step, title, coordinates)
    axes[0, 0].set_ylabel("latent coordinate")
    if legend:
        axes[0, -1].legend(loc="upper right", ncol=2, fontsize=7)
    return finish(figure)


def plot_inbetween_headline(
    first: np.ndarray,
    last: np.ndarray,
    truth: np.ndarray,
    predicted: np.ndarray,
    time: float,
    event_mask: np.ndarray | None = None,
    margin: int = 8,
) -> Figure:
    """Observed ``I(0)`` and ``I(1)``, and the true and predicted images at ``time``, in one row;
    with ``event_mask``, a second row shows the event where it can be seen: a crop around it of
    the truth, the prediction and the 50/50 blend of the two observations, and the mean intensity
    profile across it (truth black, prediction orange, blend grey dashed).

    Args:
        first, last: the observed images ``(H, W)``, values in ``[0, 1]``.
        truth: the true image at ``time`` ``(H, W)``.
        predicted: the predicted image at ``time`` ``(H, W)``.
        time: the in-between time in ``(0, 1)``.
        event_mask: ``(H, W)`` booleans, the event's pixels at ``time`` (a crack's open water);
            ``None`` or an empty mask: one row only.
        margin: pixels around the event's bounding box in the crops.
    """
    panels = [
        (first, "observed, t = 0"),
        (truth, f"truth, t = {time:.2g}"),
        (predicted, f"latent advection, t = {time:.2g}"),
        (last, "observed, t = 1"),
    ]
    panels = [
        (_check_array(name, image, 2), title)
        for name, (image, title) in zip(("first", "truth", "predicted", "last"), panels)
    ]
    if not 0.0 < time < 1.0:
        raise ValueError(f"time must lie strictly between 0 and 1, got {time}")
    shape = panels[0][0].shape
    if event_mask is not None:
        event_mask = np.asarray(event_mask, dtype=bool)
        if event_mask.shape != shape:
            raise ValueError(f"event_mask must have the images' shape {shape}, got {event_mask.shape}")
    show_event = event_mask is not None and bool(event_mask.any())
    figure, axes = new_figure(
        2 if show_event else 1, len(panels), panel_aspect=1.0, extra_height=0.5 if show_event else 0.25
    )
    for axis, (image, title) in zip(axes[0], panels):
        _show_image(axis, image, title)
    if show_event:
        rows, cols = np.flatnonzero(event_mask.any(axis=1)), np.flatnonzero(event_mask.any(axis=0))
        top, bottom = max(rows[0] - margin, 0), min(rows[-1] + margin + 1, shape[0])
        left, right = max(cols[0] - margin, 0), min(cols[-1] + margin + 1, shape[1])
        window = (slice(top, bottom), slice(left, right))
        blend = 0.5 * (panels[0][0] + panels[3][0])
        crops = [(panels[1][0], "truth, around the crack"), (panels[2][0], "latent advection"), (blend, "50/50 blend")]
        for axis, (image, title) in zip(axes[1], crops):
            _show_image(axis, image[window], title)
        half = max(3, int(event_mask.sum(axis=1).max()) * 2)
        offsets = np.arange(-half, half + 1)
        axis = axes[1, 3]
        for image, style, label in (
            (panels[1][0], {"color": "black"}, "truth"),
            (panels[2][0], {"color": "C1"}, "latent advection"),
            (blend, {"color": "grey", "linestyle": "--"}, "50/50 blend"),
        ):
            axis.plot(offsets, crack_profile(image, event_mask, half), label=label, **style)
        axis.set_xlabel("pixels across the crack")
        axis.set_ylabel("mean intensity")
        axis.set_title("profile across the crack")
        axis.legend(fontsize=6, loc="lower right")
    return finish(figure)


def _show_image(axis, image: np.ndarray, title: str) -> None:
    axis.imshow(np.clip(image, 0, 1), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    axis.set_title(title)
    axis.set_xticks([])
    axis.set_yticks([])
    axis.grid(False)


def middle_frame_scores(scores: pd.DataFrame, time: float) -> pd.DataFrame:
    """The rows of a long score table (method, time, psnr, ssim, mse and, where present, the event
    scores ``event_psnr``, ``event_mae``, ``event_depth``) at ``time``, one per method."""
    rows = scores[np.isclose(scores["time"], time)]
    if rows.empty:
        raise ValueError(f"no scores at time {time}; times present: {sorted(scores['time'].unique())}")
    columns = [c for c in ("psnr", "ssim", "mse", "event_psnr", "event_mae", "event_depth") if c in rows]
    return rows.set_index("method")[columns]


@dataclass
class HeadlinePage:
    """What the landing page shows: one headline per paper and the bottom line.

    Attributes:
        pendulum: the damped pendulum's first shipped 64 px seed, scored here
            (:func:`run_cpae_long`; its seed in ``values["headline_seed"]``).
        inbetween: the in-between method's run (:func:`run_inbetween_method`).
        cpae_lines: the VPT verdicts on the shipped 64 px models (damped, elastic).
        authors_lines: the same for the authors' networks where shipped (damped), else empty.
        claim: the latent claim on the damped pendulum's shipped models.
        shown: the autoencoders shown (variant -> label).
        middle_scores: the in-between scores at the middle time, one row per method.
        predicted: ``(H, W)`` latent advection's frame at the middle time.
        values: the numbers and verdict words the prose quotes, by glue name.
        figures: the two headline figures by glue name.
    """

    pendulum: SystemResult
    inbetween: InbetweenMethodResult
    cpae_lines: list[VptLine]
    claim: LatentClaimResult
    shown: dict[str, str]
    middle_scores: pd.DataFrame
    predicted: np.ndarray
    values: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)
    authors_lines: list[VptLine] = field(default_factory=list)

    @property
    def bottom_lines(self) -> list[VptLine]:
        """The lines of the bottom-line table: each system's book networks, then the authors'
        networks of the same system where shipped."""
        return [
            own_or_authors
            for line in self.cpae_lines
            for own_or_authors in [line, *(a for a in self.authors_lines if a.system == line.system)]
        ]


def run_headline_page(*, profile: str = "book", seed: int = 0) -> HeadlinePage:
    """The landing page: the shipped 64 px damped-pendulum models (their first seed scored here,
    forward passes only; the headline of the CpAE paper, not a training on this page), the
    in-between method of ``profile`` and ``seed`` (cached for its chapter), the VPT verdicts (of
    the book's networks and, where shipped, of the authors' networks: ``damped_authors_*``) and
    the latent claim on the shipped models."""
    long = run_cpae_long("damped_pendulum")
    shown_seed = next(iter(long.seeds))
    pendulum = long.seeds[shown_seed]
    inbetween = run_inbetween_method(profile=profile, seed=seed)
    cpae_lines = cpae_bottom_line(scored={"damped_pendulum": long})
    claim = latent_claim("damped_pendulum", profile="long")
    shown = {key: VARIANT_LABELS[key] for key in ("standard", "cpae") if key in pendulum.latents}
    smoothness = {key: float(pendulum.continuity.loc[label, "smoothness ratio"]) for key, label in shown.items()}
    vpt = {key: float(pendulum.vpt.loc[(label, "Neural ODE"), "VPT mean (%)"]) for key, label in shown.items()}
    sequence = inbetween.sequence
    middle_time = float(sequence.times[sequence.middle])
    predicted = inbetween.latent["frames"][sequence.middle - 1]  # frames at the inner times 1 .. K-2
    middle_scores = middle_frame_scores(inbetween.scores, middle_time)
    figures = {
        "headline_cpae": plot_latent_headline(
            pendulum.latents, pendulum.rollouts, shown, pendulum.time_step, smoothness=smoothness
        ),
        "headline_inbetween": plot_inbetween_headline(
            sequence.frames[0],
            sequence.frames[-1],
            sequence.frames[sequence.middle],
            predicted,
            middle_time,
            event_mask=sequence.event_mask[sequence.middle],
        ),
    }
    values: dict[str, Any] = {f"headline_vpt_{key}": vpt[key] for key in shown}
    values["headline_seed"] = int(shown_seed)
    values["headline_resolution"] = int(pendulum.settings["resolution"])
    for method, name in (("latent_advection", "latent"), ("prior_alone", "prior"), ("cross_fade", "fade")):
        for column in ("psnr", "ssim", "event_psnr"):
            values[f"headline_{column}_{name}"] = float(middle_scores.loc[method, column])
        values[f"headline_depth_{name}"] = float(middle_scores.loc[method, "event_depth"])
    values["headline_learned_gain"] = float(
        middle_scores.loc["latent_advection", "psnr"] - middle_scores.loc["prior_alone", "psnr"]
    )
    for line, prefix in zip(cpae_lines, ("damped", "elastic"), strict=True):
        values.update(line_values(line, prefix))
    authors_lines = []
    if shipped_seeds("damped_pendulum", AUTHORS_PROFILE):  # the authors' networks (their first seed scored here)
        authors_lines.append(vpt_line(run_cpae_long("damped_pendulum", profile=AUTHORS_PROFILE)))
        values.update(line_values(authors_lines[0], "damped_authors"))
    values["latent_reproduced"] = sum(verdict.outcome == REPRODUCED for verdict in claim.verdicts.values())
    values["latent_measures"] = len(claim.verdicts)
    values["untestable_ceiling"] = UNTESTABLE_CEILING  # the "not testable" rule's threshold (%)
    return HeadlinePage(
        pendulum, inbetween, cpae_lines, claim, shown, middle_scores, predicted, values, figures, authors_lines
    )
