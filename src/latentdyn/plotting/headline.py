"""The landing page's headline figures: one key result per paper, drawn from the experiments'
results (style: :mod:`latentdyn.plotting.style`; short figures, so that both fit above the fold).

- :func:`plot_latent_headline`: latent trajectories of a standard autoencoder and of a CpAE on
  one test video (encoded frames and the Neural ODE's prediction from the first state).
- :func:`plot_inbetween_headline`: the two observed images, the true in-between image and the
  one predicted by latent advection.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from latentdyn.plotting.style import finish, new_figure

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
    first: np.ndarray, last: np.ndarray, truth: np.ndarray, predicted: np.ndarray, time: float
) -> Figure:
    """Observed ``I(0)`` and ``I(1)``, and the true and predicted images at ``time``, in one row.

    Args:
        first, last: the observed images ``(H, W)``, values in ``[0, 1]``.
        truth: the true image at ``time`` ``(H, W)``.
        predicted: the predicted image at ``time`` ``(H, W)``.
        time: the in-between time in ``(0, 1)``.
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
    figure, axes = new_figure(1, len(panels), panel_aspect=1.0, extra_height=0.25)
    for axis, (image, title) in zip(axes[0], panels):
        axis.imshow(np.clip(image, 0, 1), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        axis.set_title(title)
        axis.set_xticks([])
        axis.set_yticks([])
        axis.grid(False)
    return finish(figure)


def middle_frame_scores(scores: pd.DataFrame, time: float) -> pd.DataFrame:
    """The rows of a long score table (method, time, psnr, ssim, mse) at ``time``, one per method."""
    rows = scores[np.isclose(scores["time"], time)]
    if rows.empty:
        raise ValueError(f"no scores at time {time}; times present: {sorted(scores['time'].unique())}")
    return rows.set_index("method")[["psnr", "ssim", "mse"]]
