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
