"""The theory chapter's entry functions in the smoke profile: shape of results, determinism, claims."""

import matplotlib.pyplot as plt
import pytest

from latentdyn.cpae import theory_figures as plotting
from latentdyn.experiments import run_continuity_theory, run_delta_continuity
from latentdyn.plotting.style import CONTENT_WIDTH, DPI


@pytest.fixture(scope="module")
def theory():
    return run_continuity_theory("smoke", seed=0, device="cpu")


def test_delta_continuity_tables(theory):
    result = theory.continuity
    assert set(result.summary["kind"]) == {"white_noise", "smooth"}
    assert sorted(result.summary["resolution"].unique()) == [16, 32]
    assert (result.summary["continuity_constant"] > 0).all()
    assert set(result.slopes) == {"white_noise", "smooth"}
    assert len(result.probe_traces) == 2 * 2 * result.settings["num_frames"]


def test_smooth_filter_is_more_continuous_than_noise():
    """Theorem 3.1 in small: on the finer grid the Lipschitz filter has the smaller constant."""
    result = run_delta_continuity("smoke", resolutions=(32, 64), device="cpu")
    summary = result.summary.set_index(["kind", "resolution"])["continuity_constant"]
    assert summary[("smooth", 64)] < summary[("white_noise", 64)]
    assert result.slopes["smooth"] > result.slopes["white_noise"]


def test_same_run_twice_is_identical(theory):
    again = run_delta_continuity("smoke", seed=0, device="cpu")
    assert again.summary.equals(theory.continuity.summary)


def test_benchmark_forms_agree(theory):
    table = theory.benchmark.table
    assert (table["relative_difference"] < 1e-6).all()
    assert set(table["method"]) == {"direct", "separable"}
    assert (theory.benchmark.kernel_scales["ratio"] < 1).all()


def test_figures_draw(theory):
    figures = [
        plotting.plot_frames_and_filters(theory.continuity),
        plotting.plot_probe_traces(theory.continuity),
        plotting.plot_increments(theory.continuity),
        plotting.plot_continuity_constants(theory.continuity),
        plotting.plot_regularizer_benchmark(theory.benchmark),
    ]
    assert all(len(figure.axes) >= 1 for figure in figures)
    assert plt.get_fignums() == []  # closed: shown only where a chapter glues them
    for figure in figures:  # the book's style: at most the content column, at the book's dpi
        assert figure.get_size_inches()[0] <= CONTENT_WIDTH + 1e-9
        assert figure.dpi == DPI


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(profile="fast"), "profile must be one of"),
        (dict(resolutions=(0, 8)), "resolutions must be a positive integer"),
        (dict(travel=-1.0), "travel must be positive"),
        (dict(filter_kinds=("gabor",)), "filter_kinds must be one of"),
        (dict(start=(0.5,)), "start must be a pair"),
        (dict(filter_extent=2.0), r"filter_extent must be in"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_delta_continuity(**{"profile": "smoke", **kwargs})
