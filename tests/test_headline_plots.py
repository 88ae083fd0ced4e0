"""The landing page's headline figures: sizes of the book's style, short enough for the fold."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from latentdyn import headline
from latentdyn.plotting.style import CONTENT_WIDTH, DPI

RNG = np.random.default_rng(0)
LATENTS = {"standard": RNG.normal(size=(2, 12, 2)), "cpae": RNG.normal(size=(2, 12, 2))}
ROLLOUTS = {"cpae": RNG.normal(size=(2, 12, 2))}
LABELS = {"standard": "standard AE", "cpae": "CpAE"}


def test_latent_headline_is_short_and_content_wide():
    figure = headline.plot_latent_headline(LATENTS, ROLLOUTS, LABELS, 0.1, smoothness={"standard": 1.2, "cpae": 0.31})
    width, height = figure.get_size_inches()
    assert width == pytest.approx(CONTENT_WIDTH) and height < 0.4 * width
    assert figure.dpi == DPI
    assert [axis.get_title() for axis in figure.axes] == [
        "standard AE (smoothness ratio 1.2)",
        "CpAE (smoothness ratio 0.31)",
    ]
    assert len(figure.axes[0].lines) == 2 and len(figure.axes[1].lines) == 4  # rollout only for CpAE
    assert plt.get_fignums() == []


def test_inbetween_headline_has_four_titled_panels():
    images = [RNG.random((16, 16)) for _ in range(4)]
    figure = headline.plot_inbetween_headline(*images, time=0.5)
    assert [axis.get_title() for axis in figure.axes] == [
        "observed, t = 0",
        "truth, t = 0.5",
        "latent advection, t = 0.5",
        "observed, t = 1",
    ]
    width, height = figure.get_size_inches()
    assert width == pytest.approx(CONTENT_WIDTH) and height < 0.4 * width


def test_inbetween_headline_crops_the_event_and_draws_its_profile():
    first, last = np.full((32, 32), 0.8), np.full((32, 32), 0.8)
    truth = first.copy()
    truth[:, 14:17] = 0.1  # a dark crack, absent from both observations here
    predicted = 0.5 * (truth + first)  # drawn at half depth
    mask = truth < 0.5
    figure = headline.plot_inbetween_headline(first, last, truth, predicted, time=0.5, event_mask=mask)
    titles = [axis.get_title() for axis in figure.axes]
    assert titles[4:] == ["truth, around the crack", "latent advection", "50/50 blend", "profile across the crack"]
    profile = {line.get_label(): line.get_ydata() for line in figure.axes[7].lines}
    assert profile["truth"].min() == pytest.approx(0.1) and profile["latent advection"].min() == pytest.approx(0.45)
    assert len(headline.plot_inbetween_headline(first, last, truth, predicted, 0.5, np.zeros((32, 32), bool)).axes) == 4
    with pytest.raises(ValueError, match="event_mask must have the images' shape"):
        headline.plot_inbetween_headline(first, last, truth, predicted, 0.5, event_mask=mask[:4])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: headline.plot_latent_headline(LATENTS, ROLLOUTS, {}, 0.1), "at least one"),
        (lambda: headline.plot_latent_headline(LATENTS, ROLLOUTS, {"l2": "AE + L2"}, 0.1), "without latents"),
        (
            lambda: headline.plot_latent_headline({"cpae": np.zeros((3, 2))}, {}, {"cpae": "CpAE"}, 0.1),
            "must have 3 dimensions",
        ),
        (lambda: headline.plot_latent_headline(LATENTS, ROLLOUTS, LABELS, 0.1, trajectory=5), "trajectory"),
        (lambda: headline.plot_inbetween_headline(*[np.zeros((4, 4))] * 4, time=1.0), "strictly between"),
        (
            lambda: headline.plot_inbetween_headline(
                np.zeros((4, 4)), np.zeros((4, 4)), np.full((4, 4), np.nan), np.zeros((4, 4)), time=0.5
            ),
            "truth must be finite",
        ),
    ],
)
def test_bad_input_is_refused_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_middle_frame_scores():
    scores = pd.DataFrame(
        {
            "method": ["latent_advection", "latent_advection", "cross_fade"],
            "time": [0.25, 0.5, 0.5],
            "psnr": [30.0, 25.0, 20.0],
            "ssim": [0.9, 0.8, 0.7],
            "mse": [1e-3, 3e-3, 1e-2],
        }
    )
    middle = headline.middle_frame_scores(scores, 0.5)
    assert middle.loc["latent_advection", "psnr"] == 25.0 and middle.loc["cross_fade", "ssim"] == 0.7
    assert list(middle.columns) == ["psnr", "ssim", "mse"]
    with_event = headline.middle_frame_scores(scores.assign(event_depth=[0.3, 0.6, 0.5]), 0.5)
    assert with_event.loc["latent_advection", "event_depth"] == 0.6
    with pytest.raises(ValueError, match="no scores at time 0.4"):
        headline.middle_frame_scores(scores, 0.4)


def test_bottom_lines_put_the_authors_networks_after_their_system():
    import math

    from latentdyn.cpae.experiments.bottom_line import VptLine
    from latentdyn.headline import HeadlinePage
    from latentdyn.verdicts import Verdict

    def line(system, profile="long"):
        verdict = Verdict("not reproduced", 0, 1, 1)
        return VptLine(system, 99.2, 50.7, 1.0, 2.0, 3, None, verdict, math.nan, math.nan, math.nan, math.nan, profile)

    lines = [line("damped_pendulum"), line("elastic_double_pendulum")]
    page = HeadlinePage(None, None, lines, None, {}, None, None, authors_lines=[line("damped_pendulum", "authors")])
    assert [(x.system, x.profile) for x in page.bottom_lines] == [
        ("damped_pendulum", "long"),
        ("damped_pendulum", "authors"),
        ("elastic_double_pendulum", "long"),
    ]
    assert page.bottom_lines[1].label == "damped pendulum, the authors' networks"
