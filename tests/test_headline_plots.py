"""The landing page's headline figures: sizes of the book's style, short enough for the fold."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from latentdyn.plotting import headline
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
    with pytest.raises(ValueError, match="no scores at time 0.4"):
        headline.middle_frame_scores(scores, 0.4)
