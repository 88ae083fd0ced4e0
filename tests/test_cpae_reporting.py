def test_results_figure_draws_the_shipped_means_beside_the_book_and_the_paper():
    import pandas as pd

    from latentdyn.cpae.figures import plot_results_comparison

    table = pd.DataFrame(
        [
            {"system": "damped_pendulum", "autoencoder": "CpAE", "measured VPT (%)": 20.0, "paper VPT (%)": 99.2},
            {
                "system": "elastic_double_pendulum",
                "autoencoder": "CpAE",
                "measured VPT (%)": 0.0,
                "paper VPT (%)": 72.1,
            },
        ]
    )
    # the shipped models' bar is the mean over their seeds, the number the verdicts use
    shipped = pd.DataFrame([{"system": "damped_pendulum", "autoencoder": "CpAE", "VPT (%)": 12.5, "seeds": 3}])
    figure = plot_results_comparison(table, shipped)
    heights = [patch.get_height() for patch in figure.axes[0].patches]
    assert heights == [20.0, 0.0, 12.5, 0.0, 99.2, 72.1]
    # the authors' networks' bar sits between the book's shipped models and the paper
    authors = pd.DataFrame([{"system": "damped_pendulum", "autoencoder": "CpAE", "VPT (%)": 18.3, "seeds": 3}])
    heights = [patch.get_height() for patch in plot_results_comparison(table, shipped, authors).axes[0].patches]
    assert heights == [20.0, 0.0, 12.5, 0.0, 18.3, 0.0, 99.2, 72.1]
    labels = plot_results_comparison(table, shipped, authors).legends[0].get_texts()
    assert [text.get_text() for text in labels][2] == "CpAE, authors' networks, 64 px, mean over seeds"


def test_circle_seeds_figure_draws_each_seed_and_the_mean_per_autoencoder():
    import numpy as np
    import pandas as pd

    from latentdyn.cpae.figures import CIRCLE_SEED_PANELS, plot_circle_seeds

    rows = {}
    for seed in (0, 1, 2):
        for index, encoder in enumerate(("standard AE", "AE + L2", "CpAE")):
            rows[(seed, encoder)] = {measure: float(seed + 10 * index) for measure in CIRCLE_SEED_PANELS}
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis(["seed", "autoencoder"])
    figure = plot_circle_seeds(table, threshold=0.5)
    assert [axis.get_title().rsplit(" (", 1)[0] for axis in figure.axes] == list(CIRCLE_SEED_PANELS)
    # one bar per autoencoder at its mean over the seeds (1, 11, 21), one dot per seed
    assert [patch.get_height() for patch in figure.axes[0].patches] == [1.0, 11.0, 21.0]
    dots = [line.get_ydata() for line in figure.axes[1].lines if line.get_marker() == "o"]
    assert [list(np.asarray(d)) for d in dots] == [[0.0, 1.0, 2.0], [10.0, 11.0, 12.0], [20.0, 21.0, 22.0]]


def test_scale_gap_table_shows_one_definition_per_configuration_and_seed():
    import pandas as pd

    from latentdyn.cpae.experiments.results import scale_gap_table

    row = {
        "system": "damped_pendulum",
        "profile": "authors",
        "seed": 1,
        "mean difference (points)": -27.6,
        "95% low": -32.2,
        "95% high": -23.0,
        "ceiling standard AE (%)": 90.0,
        "ceiling CpAE (%)": 12.0,
        "reading": "standard AE ahead",
    }
    gap = pd.DataFrame([{**row, "definition": "relative error"}, {**row, "definition": "pixel MSE"}])
    shown = scale_gap_table(gap)
    assert list(shown.index) == [("damped pendulum, authors", 1)]
    assert list(shown.columns) == [
        "difference (points)",
        "95% interval",
        "ceiling standard AE (%)",
        "ceiling CpAE (%)",
        "reading",
    ]
    assert shown["95% interval"].iloc[0] == "[-32.2, -23]"
