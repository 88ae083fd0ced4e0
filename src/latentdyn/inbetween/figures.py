"""Figures of the in-between imagery chapters (style: :mod:`latentdyn.plotting.style`).

Every figure is made with :func:`~latentdyn.plotting.style.new_figure` (the width of the
book's content column, at most five panels per row) and returned closed by
:func:`~latentdyn.plotting.style.finish`. Velocities are drawn in their own panels, over a
faded copy of the image, so that arrows never hide a frame.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from latentdyn.inbetween.data.scenes import SCENE_LABELS
from latentdyn.inbetween.experiments.core import METHOD_LABELS
from latentdyn.inbetween.experiments.studies import KNOB_LABELS, KNOB_METRICS
from latentdyn.inbetween.physics import PDE_EQUATIONS
from latentdyn.plotting.style import finish, grid_shape, hide_unused, new_figure

SCENARIO_LABELS = {
    **SCENE_LABELS,
    "crack_formation": "crack formation",
    "crack_closing": "crack closing",
    "rotation": "rotation",
    "combined": "combined",
    "floe_breakup": "floe break-up",
    "sentinel1": "Sentinel-1 pair",
    "warped_photograph": "warped photograph",
    "user_pair": "your pair",
    "synthetic_combined": "synthetic combined",
}
PDE_LABELS = {
    "advection": "advection",
    "advection_diffusion": "advection–diffusion",
    "continuity": "continuity",
    "image_advection": "advection in image space",
}
VELOCITY_COLOURS = {"truth": "tab:green", "prior": "tab:blue", "estimate": "tab:orange"}
SHOWN_METHODS = ("latent_advection", "image_advection", "optimal_transport", "optical_flow")
# C3 of the colour-blind palette is an orange close to C1: the fourth method takes C4 (purple)
METHOD_COLOURS = dict(zip(SHOWN_METHODS, ("C0", "C1", "C2", "C4"), strict=True))


def label(name: str) -> str:
    """Reader-facing name of a scenario, case, method or PDE."""
    return SCENARIO_LABELS.get(name) or METHOD_LABELS.get(name) or PDE_LABELS.get(name) or name.replace("_", " ")


TITLE_WIDTH = 18  # characters a panel title wraps at, so that the titles of a row of panels never overlap
TICK_WIDTH = 11  # characters a category tick label wraps at


def wrapped(text: str, width: int) -> str:
    """``text`` wrapped at ``width`` characters, each of its own lines separately."""
    return "\n".join(textwrap.fill(line, width) for line in text.split("\n"))


def _image(axis, image, title: str | None = None, *, vmin=0.0, vmax=1.0, cmap="gray", alpha=1.0) -> None:
    axis.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest", alpha=alpha)
    if title:
        axis.set_title(wrapped(title, TITLE_WIDTH))
    axis.set_xticks([])
    axis.set_yticks([])
    axis.grid(False)


def draw_velocity(
    axis,
    velocity: np.ndarray,
    *,
    background: np.ndarray | None = None,
    arrows: int = 12,
    color: str = VELOCITY_COLOURS["estimate"],
    scale: float = 0.5,
    title: str | None = None,
) -> None:
    """Arrows of a ``(2, H, W)`` velocity (pixels per interval, x then y) in a panel of its own,
    over a faded ``background`` image; an arrow is ``1 / scale`` times the displacement."""
    height, width = velocity.shape[-2:]
    if background is not None:
        _image(axis, background, title, alpha=0.35)
    else:
        _image(axis, np.ones((height, width)), title, vmin=0.0, vmax=1.0)
    step = max(1, max(height, width) // arrows)
    rows = np.arange(step // 2, height, step)
    cols = np.arange(step // 2, width, step)
    grid_c, grid_r = np.meshgrid(cols, rows)
    u = velocity[0][np.ix_(rows, cols)]
    v = velocity[1][np.ix_(rows, cols)]
    # angles="xy" with an inverted y axis (images): +v points down, as in row coordinates
    axis.quiver(
        grid_c,
        grid_r,
        u,
        v,
        color=color,
        angles="xy",
        scale_units="xy",
        scale=scale,
        width=0.008,
        headwidth=3.5,
        headlength=4,
    )
    axis.set_xlim(-0.5, width - 0.5)
    axis.set_ylim(height - 0.5, -0.5)


def plot_scenarios(sequences: dict, *, arrows: int = 10) -> Figure:
    """One row per scenario: the two observed frames, the true middle frame, the true velocity."""
    names = list(sequences)
    figure, axes = new_figure(len(names), 4, panel_aspect=1.0, extra_height=0.3)
    for row, name in enumerate(names):
        sequence = sequences[name]
        middle = sequence.middle
        _image(axes[row, 0], sequence.frames[0], "t = 0 (given)" if row == 0 else None)
        _image(axes[row, 1], sequence.frames[middle], f"t = {sequence.times[middle]:.1f} (truth)" if row == 0 else None)
        _image(axes[row, 2], sequence.frames[-1], "t = 1 (given)" if row == 0 else None)
        draw_velocity(
            axes[row, 3],
            sequence.velocity[middle],
            background=sequence.frames[0],
            arrows=arrows,
            color=VELOCITY_COLOURS["truth"],
            title="true velocity" if row == 0 else None,
        )
        axes[row, 0].set_ylabel(label(name))
    return finish(figure)


def plot_image_row(images: list[tuple[str, np.ndarray]]) -> Figure:
    """Images side by side (wrapped into rows of at most five), each with its title."""
    rows, columns = grid_shape(len(images))
    figure, axes = new_figure(rows, columns, panel_aspect=1.0, extra_height=0.25 * rows)
    for axis, (title, image) in zip(axes.flat, images):
        _image(axis, image, title)
    hide_unused(axes, len(images))
    return finish(figure)


def plot_training(history: pd.DataFrame) -> Figure:
    """Each loss term against the iteration (log scale)."""
    terms = [
        c
        for c in ("total", "dynamics", "autoencoding", "magnitude", "smoothness")
        if c in history and (history[c] > 0).any()
    ]
    figure, axes = new_figure(1, 1, panel_aspect=0.42)
    axis = axes[0, 0]
    for term in terms:
        axis.plot(history["iteration"], history[term], lw=1.3, label=term)
    axis.set(yscale="log", xlabel="iteration", ylabel="loss term (unweighted)")
    axis.legend(ncol=3, loc="lower right")
    return finish(figure)


def plot_method_steps(sequence, latent: dict[str, np.ndarray], *, arrows: int = 10) -> Figure:
    """Top: the observed pair, the velocity the model started from, the velocity it ended with,
    the true velocity. Bottom: one latent channel at t = 0 and 0.5, the decoded frame and the truth."""
    figure, axes = new_figure(2, 5, panel_aspect=1.0, extra_height=0.5)
    middle = sequence.middle
    _image(axes[0, 0], sequence.frames[0], "I₀ (given)")
    _image(axes[0, 1], sequence.frames[-1], "I₁ (given)")
    if latent["prior"].size:
        draw_velocity(
            axes[0, 2],
            latent["prior"],
            background=sequence.frames[0],
            arrows=arrows,
            color=VELOCITY_COLOURS["prior"],
            title="prior (TV-L1)",
        )
    else:
        _image(axes[0, 2], np.ones_like(sequence.frames[0]), "no prior")
    draw_velocity(
        axes[0, 3], latent["velocity"], background=sequence.frames[0], arrows=arrows, title="learned velocity"
    )
    draw_velocity(
        axes[0, 4],
        sequence.velocity[middle],
        background=sequence.frames[0],
        arrows=arrows,
        color=VELOCITY_COLOURS["truth"],
        title="true velocity",
    )
    latents = latent["latents"]
    channel = 1 if latents.shape[1] > 1 else 0
    low, high = (float(np.percentile(latents[:, channel], q)) for q in (1, 99))
    for k, when in enumerate(("0", "0.5")):
        _image(axes[1, k], latents[k, channel], f"channel {channel}, t = {when}", vmin=low, vmax=high, cmap="viridis")
    position = int(np.argmin(np.abs(sequence.times[1:-1] - 0.5)))
    _image(axes[1, 2], latent["frames"][position], "decoded, t = 0.5")
    _image(axes[1, 3], sequence.frames[middle], "truth, t = 0.5")
    difference = latent["frames"][position] - sequence.frames[middle]
    _image(axes[1, 4], difference, "decoded − truth", vmin=-0.3, vmax=0.3, cmap="RdBu_r")
    return finish(figure)


def plot_latent_channels(latent: dict[str, np.ndarray]) -> Figure:
    """Every latent channel (rows) at each latent time (columns), one colour scale per channel."""
    latents = latent["latents"]
    times, channels = latents.shape[:2]
    figure, axes = new_figure(channels, times, width=0.6 * 7.0, panel_aspect=1.0, extra_height=0.3)
    for c in range(channels):
        values = latents[:, c]
        low, high = float(np.percentile(values, 1)), float(np.percentile(values, 99))
        for k in range(times):
            _image(
                axes[c, k],
                values[k],
                f"t = {k / max(times - 1, 1):.1f}" if c == 0 else None,
                vmin=low,
                vmax=high,
                cmap="viridis",
            )
        axes[c, 0].set_ylabel(f"channel {c}")
    return finish(figure)


def plot_method_comparison(
    frames: np.ndarray,
    times: np.ndarray,
    outputs: dict[str, dict[str, np.ndarray]],
    *,
    velocity: np.ndarray | None = None,
    methods: tuple[str, ...] = SHOWN_METHODS,
    arrows: int = 10,
) -> Figure:
    """Columns: the truth, then each method. Rows: the frame at t = 0.5, its difference to the
    true frame, and the velocity (over a faded first frame)."""
    middle = int(np.argmin(np.abs(np.asarray(times) - 0.5)))
    inner_times = np.asarray(times)[1:-1]
    position = int(np.argmin(np.abs(inner_times - 0.5)))
    methods = tuple(m for m in methods if m in outputs)
    figure, axes = new_figure(3, 1 + len(methods), panel_aspect=1.0, extra_height=0.45)
    truth = frames[middle]
    _image(axes[0, 0], truth, "truth")
    _image(axes[1, 0], frames[-1] - frames[0], None, vmin=-0.5, vmax=0.5, cmap="RdBu_r")
    axes[1, 0].set_xlabel("I₁ − I₀")
    if velocity is not None:
        draw_velocity(axes[2, 0], velocity, background=frames[0], arrows=arrows, color=VELOCITY_COLOURS["truth"])
    else:
        _image(axes[2, 0], np.ones_like(truth))
        axes[2, 0].text(0.5, 0.5, "no true\nvelocity", ha="center", va="center", transform=axes[2, 0].transAxes)
    for column, method in enumerate(methods, start=1):
        result = outputs[method]
        _image(
            axes[0, column],
            result["frames"][position],
            label(method).replace(" ", "\n", 1) if len(label(method)) > 14 else label(method),
        )
        _image(axes[1, column], result["frames"][position] - truth, None, vmin=-0.5, vmax=0.5, cmap="RdBu_r")
        if "velocity" in result:
            draw_velocity(axes[2, column], result["velocity"], background=frames[0], arrows=arrows)
        else:
            _image(axes[2, column], np.ones_like(truth))
    axes[0, 0].set_ylabel("t = 0.5")
    axes[1, 0].set_ylabel("− truth")
    axes[2, 0].set_ylabel("velocity")
    return finish(figure)


def crack_profile(image: np.ndarray, mask: np.ndarray, half_width: int) -> np.ndarray:
    """Mean intensity across an event band, ``(2 * half_width + 1,)``: in every row that the
    ``mask`` crosses, the pixels at ``-half_width ... half_width`` columns from the row's mask centre
    (so a tilted or wiggling crack lines up), averaged over those rows."""
    rows = [r for r in range(mask.shape[0]) if mask[r].any()]
    offsets = np.arange(-half_width, half_width + 1)
    samples = []
    for r in rows:
        centre = int(round(np.flatnonzero(mask[r]).mean()))
        columns = np.clip(centre + offsets, 0, mask.shape[1] - 1)
        samples.append(image[r, columns])
    return np.mean(samples, axis=0) if samples else np.full(offsets.shape, np.nan)


def plot_event_crop(
    sequence, outputs: dict[str, dict[str, np.ndarray]], *, methods: tuple[str, ...] = SHOWN_METHODS, margin: int = 10
) -> Figure:
    """The event at ``t = 0.5`` at the scale where it can be seen: a crop around it (the
    sequence's ``event_mask``) of the truth and each method's frame (top), their difference to
    the truth (middle), and the mean profile across the event (bottom: intensity against the
    distance from the event's centre line, the truth in black)."""
    middle = sequence.middle
    mask = sequence.event_mask[middle]
    if not mask.any():
        return plot_message("This scene has no event at t = 0.5.")
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    height, width = mask.shape
    left, right = max(0, cols[0] - margin), min(width, cols[-1] + margin + 1)
    # at most a square twice the crop's width, centred on the event's rows (a crack crosses the image)
    span = min(rows[-1] - rows[0] + 1 + 2 * margin, 2 * (right - left))
    centre = (rows[0] + rows[-1]) // 2
    top = int(np.clip(centre - span // 2, 0, max(0, height - span)))
    bottom = min(height, top + span)
    crop = (slice(top, bottom), slice(left, right))
    inner_times = np.asarray(sequence.times)[1:-1]
    position = int(np.argmin(np.abs(inner_times - 0.5)))
    methods = tuple(m for m in methods if m in outputs)
    truth = sequence.frames[middle]
    figure, axes = new_figure(3, 1 + len(methods), panel_aspect=(bottom - top) / max(right - left, 1), extra_height=1.4)
    for axis in axes[2]:
        axis.remove()
    profile_axis = figure.add_subplot(3, 1, 3)
    half_width = int(min(margin + (cols[-1] - cols[0]) // 2, 24))
    distance = np.arange(-half_width, half_width + 1)
    _image(axes[0, 0], truth[crop], "truth")
    _image(axes[1, 0], (sequence.texture_only[middle] - truth)[crop], None, vmin=-0.5, vmax=0.5, cmap="RdBu_r")
    axes[1, 0].set_xlabel("the event")
    profile_axis.plot(distance, crack_profile(truth, mask, half_width), color="black", lw=2, label="truth")
    for column, method in enumerate(methods, start=1):
        frame = outputs[method]["frames"][position]
        name = label(method)
        _image(axes[0, column], frame[crop], name.replace(" ", "\n", 1) if len(name) > 14 else name)
        _image(axes[1, column], (frame - truth)[crop], None, vmin=-0.5, vmax=0.5, cmap="RdBu_r")
        profile_axis.plot(
            distance, crack_profile(frame, mask, half_width), lw=1.2, label=name, color=METHOD_COLOURS.get(method)
        )
    axes[0, 0].set_ylabel("t = 0.5")
    axes[1, 0].set_ylabel("− truth")
    profile_axis.set_xlabel("pixels from the event's centre line")
    profile_axis.set_ylabel("mean intensity")
    # beside the panel, so that no curve's trough hides behind it
    profile_axis.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return finish(figure)


def plot_scores(
    summary: pd.DataFrame,
    group: str = "scenario",
    methods: tuple[str, ...] = tuple(METHOD_LABELS),
    psnr_cap: float | None = None,
) -> Figure:
    """Middle-frame PSNR and SSIM per method and ``group``: the mean over seeds (bars) and each
    seed (dots). With ``psnr_cap`` (dB), larger PSNRs (an exact answer) are drawn at the cap."""
    data = summary[summary["method"].isin(methods)]
    if psnr_cap is not None:
        data = data.assign(psnr_mid=np.minimum(data["psnr_mid"], psnr_cap))
    groups = list(dict.fromkeys(data[group]))
    shown = [m for m in methods if m in set(data["method"])]
    figure, axes = new_figure(1, 2, panel_aspect=0.8, extra_height=0.7)
    width = 0.8 / len(shown)
    for axis, metric, name in (
        (axes[0, 0], "psnr_mid", "PSNR at t = 0.5 (dB)"),
        (axes[0, 1], "ssim_mid", "SSIM at t = 0.5"),
    ):
        for index, method in enumerate(shown):
            offsets = np.arange(len(groups)) + (index - (len(shown) - 1) / 2) * width
            part = data[data["method"] == method]
            means = [part[part[group] == g][metric].mean() for g in groups]
            axis.bar(offsets, means, width, color=f"C{index}", label=label(method))
            for offset, g in zip(offsets, groups):
                values = part[part[group] == g][metric]
                axis.plot(np.full(len(values), offset), values, "o", ms=2.5, color="black", alpha=0.7)
        axis.set_xticks(np.arange(len(groups)), [wrapped(label(g), TICK_WIDTH) for g in groups])
        axis.set_ylabel(name)
        if metric == "psnr_mid":
            low = data[metric].min()
            axis.set_ylim(max(0.0, 5 * np.floor(low / 5) - 5), None)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=3, frameon=False)
    figure.tight_layout(rect=(0, 0.13, 1, 1))
    return finish(figure, tight=False)


def zoom_window(shape: tuple[int, int], fraction: float = 1 / 3, start: float = 0.25) -> tuple[slice, slice]:
    """Rows and columns of a zoom on an image of ``shape`` ``(H, W)``: ``fraction`` of each side
    (at least 8 pixels, at most the side), starting ``start`` of the way along it, each axis from
    its own side (a non-square image gets a window of its own proportions)."""
    if not 0 < fraction <= 1 or not 0 <= start < 1:
        raise ValueError(f"fraction must be in (0, 1] and start in [0, 1), got {fraction} and {start}")
    window = []
    for side in shape[:2]:
        length = min(side, max(8, int(round(side * fraction))))
        first = min(int(round(side * start)), side - length)
        window.append(slice(first, first + length))
    return tuple(window)


def plot_pair_frames(
    pair: np.ndarray,
    outputs: dict[str, dict[str, np.ndarray]],
    *,
    time_index: int = 1,
    crop: tuple[slice, slice] | None = None,
) -> Figure:
    """The pair and every method's frame at ``times[time_index]`` (rows of four), optionally cropped."""
    crop = crop or (slice(None), slice(None))
    panels = [("first image", pair[0][crop]), ("second image", pair[1][crop])]
    panels += [(label(method), result["frames"][time_index][crop]) for method, result in outputs.items()]
    rows = int(np.ceil(len(panels) / 4))
    figure, axes = new_figure(rows, 4, panel_aspect=1.0, extra_height=0.25 * rows)
    for axis, (title, image) in zip(axes.flat, panels):
        _image(axis, image, title)
    hide_unused(axes, len(panels))
    return finish(figure)


def plot_pair_velocities(
    pair: np.ndarray,
    outputs: dict[str, dict[str, np.ndarray]],
    *,
    arrows: int = 14,
    crop: tuple[slice, slice] | None = None,
) -> Figure:
    """Each method's velocity in its own panel, over a faded first image (optionally cropped)."""
    crop = crop or (slice(None), slice(None))
    shown = [(method, result["velocity"]) for method, result in outputs.items() if "velocity" in result]
    figure, axes = new_figure(1, len(shown), panel_aspect=1.0, extra_height=0.3)
    for axis, (method, velocity) in zip(axes.flat, shown):
        draw_velocity(
            axis, velocity[(slice(None), *crop)], background=pair[0][crop], arrows=arrows, title=label(method)
        )
    return finish(figure)


def plot_pdes(
    cases: dict[str, tuple[np.ndarray, np.ndarray, dict[str, dict[str, np.ndarray]]]], pdes: tuple[str, ...]
) -> Figure:
    """One row per case: the true middle frame, each PDE's frame at t = 0.5, and the difference
    between continuity and advection (red: continuity brighter)."""
    names = list(cases)
    columns = 1 + len(pdes) + int({"advection", "continuity"} <= set(pdes))
    figure, axes = new_figure(len(names), columns, panel_aspect=1.0, extra_height=0.5)
    for row, name in enumerate(names):
        frames, times, outputs = cases[name]
        middle = int(np.argmin(np.abs(times - 0.5)))
        position = int(np.argmin(np.abs(times[1:-1] - 0.5)))
        _image(axes[row, 0], frames[middle], "truth" if row == 0 else None)
        axes[row, 0].set_ylabel(label(name))
        for column, pde in enumerate(pdes, start=1):
            _image(axes[row, column], outputs[pde]["frames"][position], label(pde) if row == 0 else None)
        if columns > 1 + len(pdes):
            difference = outputs["continuity"]["frames"][position] - outputs["advection"]["frames"][position]
            _image(
                axes[row, -1],
                difference,
                "continuity − advection" if row == 0 else None,
                vmin=-0.2,
                vmax=0.2,
                cmap="RdBu_r",
            )
    return finish(figure)


def plot_divergence(divergence: np.ndarray, difference: np.ndarray, title: str) -> Figure:
    """The divergence of the velocity beside the difference continuity − advection at t = 0.5."""
    figure, axes = new_figure(1, 2, width=0.7 * 7.0, panel_aspect=1.0, extra_height=0.5)
    limit = float(np.percentile(np.abs(divergence), 99)) or 1.0
    image = axes[0, 0].imshow(divergence, cmap="PuOr_r", vmin=-limit, vmax=limit, interpolation="nearest")
    axes[0, 0].set_title("divergence of v")
    figure.colorbar(image, ax=axes[0, 0], shrink=0.8)
    image = axes[0, 1].imshow(difference, cmap="RdBu_r", vmin=-0.2, vmax=0.2, interpolation="nearest")
    axes[0, 1].set_title("continuity − advection")
    figure.colorbar(image, ax=axes[0, 1], shrink=0.8)
    for axis in axes.flat:
        axis.set_xticks([])
        axis.set_yticks([])
        axis.grid(False)
    figure.suptitle(title)
    return finish(figure)


def plot_knob(summary: pd.DataFrame, runs: pd.DataFrame, knob: str, default) -> Figure:
    """PSNR and SSIM of latent advection against one knob's values: one thin line per seed (each
    seed is another scene, so the lines differ in level; their slopes are the knob's effect),
    the mean of the seeds (thick) and the book's value (dashed)."""
    part = summary[summary["knob"] == knob]
    points = runs[runs["knob"] == knob]
    values = part["value"].astype(float).to_numpy()
    figure, axes = new_figure(1, 2, panel_aspect=0.62, extra_height=0.35)
    for axis, metric, name in ((axes[0, 0], "psnr", "PSNR (dB)"), (axes[0, 1], "ssim", "SSIM")):
        for index, (_seed, seed_runs) in enumerate(points.groupby("seed", sort=True)):
            axis.plot(
                seed_runs["value"].astype(float),
                seed_runs[metric],
                "o-",
                color="C7",
                lw=0.8,
                ms=3,
                alpha=0.8,
                label="one seed" if index == 0 else None,
            )
        axis.plot(values, part[metric], "o-", color="C0", lw=2.0, ms=5, label="mean of the seeds")
        axis.axvline(float(default), color="grey", ls="--", lw=1, label="the book's value")
        if knob == "lambda_smooth" and (values > 0).all():
            axis.set_xscale("log")
        axis.set_xticks(values, [f"{v:g}" for v in values])
        axis.minorticks_off()
        axis.set_xlabel(KNOB_LABELS[knob])
        axis.set_ylabel(name)
    axes[0, 0].legend(loc="best")
    figure.suptitle(KNOB_METRICS.get(knob, "at t = 0.5"), fontsize=9)
    return finish(figure)


def plot_message(text: str) -> Figure:
    """A small figure that only says ``text`` (stands in for a figure whose data is missing)."""
    figure, axes = new_figure(1, 1, panel_aspect=0.1)
    axes[0, 0].axis("off")
    axes[0, 0].text(0.5, 0.5, text, ha="center", va="center", wrap=True)
    return finish(figure)


__all__ = [
    "PDE_EQUATIONS",
    "draw_velocity",
    "label",
    "plot_divergence",
    "plot_image_row",
    "plot_knob",
    "plot_latent_channels",
    "plot_message",
    "plot_method_comparison",
    "plot_method_steps",
    "plot_pair_frames",
    "plot_pair_velocities",
    "plot_pdes",
    "plot_scenarios",
    "plot_scores",
    "plot_training",
]
