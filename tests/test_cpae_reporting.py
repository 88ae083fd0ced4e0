def test_long_runs_leave_out_book_seeds_and_diagnostics():
    import pandas as pd

    from latentdyn.cpae.figures import plot_results_comparison
    from latentdyn.cpae.recorded_runs import long_runs

    recorded = pd.DataFrame(
        [
            {
                "system": "damped_pendulum",
                "autoencoder": "CpAE",
                "profile": "book, continuity_weight=0.0",
                "seed": 0,
                "VPT (%)": 9.6,
                "stale": "",
            },
            {
                "system": "damped_pendulum",
                "autoencoder": "CpAE",
                "profile": "book",
                "seed": 1,
                "VPT (%)": 0.4,
                "stale": "",
            },
            {
                "system": "damped_pendulum",
                "autoencoder": "CpAE",
                "profile": "long",
                "seed": 0,
                "VPT (%)": 37.0,
                "stale": "",
            },
            {
                "system": "damped_pendulum",
                "autoencoder": "CpAE",
                "profile": "paper",
                "seed": 0,
                "VPT (%)": 70.0,
                "stale": "settings changed",
            },
            {
                "system": "elastic_double_pendulum",
                "autoencoder": "CpAE",
                "profile": "book",
                "seed": 2,
                "VPT (%)": 1.0,
                "stale": "",
            },
        ]
    )
    runs = long_runs(recorded)
    assert runs[["system", "profile", "VPT (%)"]].values.tolist() == [["damped_pendulum", "long", 37.0]]
    fresh_paper = recorded.assign(stale="")
    assert long_runs(fresh_paper)["profile"].tolist() == ["paper"]
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
    figure = plot_results_comparison(table, recorded)
    heights = [patch.get_height() for patch in figure.axes[0].patches]
    assert heights == [20.0, 0.0, 37.0, 0.0, 99.2, 72.1]
