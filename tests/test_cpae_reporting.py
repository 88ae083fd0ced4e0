

def test_seed_sentence_counts_and_verdict():
    import pandas as pd
    from latentdyn.experiments.cpae import seed_sentence

    rows = pd.DataFrame([
        {"system": "s", "autoencoder": "CpAE", "seed": 0, "source": "CI", "VPT (%)": 20.0, "reconstruction error": 0.4},
        {"system": "s", "autoencoder": "standard AE", "seed": 0, "source": "CI", "VPT (%)": 4.0,
         "reconstruction error": 0.3},
        {"system": "s", "autoencoder": "CpAE", "seed": 1, "source": "recorded", "VPT (%)": 0.0,
         "reconstruction error": 0.2},
        {"system": "s", "autoencoder": "standard AE", "seed": 1, "source": "recorded", "VPT (%)": 12.0,
         "reconstruction error": 0.25}])
    text = seed_sentence(rows)
    assert "Over 2 seeds (0, 1" in text
    assert "10.0 ± 10.0 % with the CpAE and 8.0 ± 4.0 % with the standard AE" in text
    assert "the CpAE is ahead on 1 of 2" in text
    assert "reconstructs worse on 1 of 2 seeds (mean relative error 0.30 against 0.28)" in text
    assert "within 0.3 on 1 of 2" in text
    assert "changes from seed to seed" in text
    only_cpae_ahead = rows.assign(**{"VPT (%)": [5.0, 1.0, 5.0, 1.0]})
    assert "holds on every seed" in seed_sentence(only_cpae_ahead)


def test_long_runs_leave_out_book_seeds_and_diagnostics():
    import pandas as pd
    from latentdyn.plotting.cpae import plot_results_comparison
    from latentdyn.recorded_runs import long_runs

    recorded = pd.DataFrame([
        {"system": "damped_pendulum", "autoencoder": "CpAE", "profile": "book, continuity_weight=0.0", "seed": 0,
         "VPT (%)": 9.6, "stale": ""},
        {"system": "damped_pendulum", "autoencoder": "CpAE", "profile": "book", "seed": 1, "VPT (%)": 0.4, "stale": ""},
        {"system": "damped_pendulum", "autoencoder": "CpAE", "profile": "long", "seed": 0, "VPT (%)": 37.0,
         "stale": ""},
        {"system": "damped_pendulum", "autoencoder": "CpAE", "profile": "paper", "seed": 0, "VPT (%)": 70.0,
         "stale": "settings changed"},
        {"system": "elastic_double_pendulum", "autoencoder": "CpAE", "profile": "book", "seed": 2, "VPT (%)": 1.0,
         "stale": ""}])
    runs = long_runs(recorded)
    assert runs[["system", "profile", "VPT (%)"]].values.tolist() == [["damped_pendulum", "long", 37.0]]
    fresh_paper = recorded.assign(stale="")
    assert long_runs(fresh_paper)["profile"].tolist() == ["paper"]
    table = pd.DataFrame([{"system": "damped_pendulum", "autoencoder": "CpAE", "measured VPT (%)": 20.0,
                           "paper VPT (%)": 99.2},
                          {"system": "elastic_double_pendulum", "autoencoder": "CpAE", "measured VPT (%)": 0.0,
                           "paper VPT (%)": 72.1}])
    figure = plot_results_comparison(table, recorded)
    heights = [patch.get_height() for patch in figure.axes[0].patches]
    assert heights == [20.0, 0.0, 37.0, 0.0, 99.2, 72.1]
