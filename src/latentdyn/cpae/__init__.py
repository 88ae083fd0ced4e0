"""The CpAE paper's path (continuity-preserving autoencoders, arXiv 2502.00754), in one folder.

- :mod:`latentdyn.cpae.data`: the physical systems (:mod:`~latentdyn.cpae.data.mechanics`), their
  rendering into frames, the seeded video sets and the training windows cut from them.
- :mod:`latentdyn.cpae.models`: the convolutional autoencoders and their Lipschitz filters, the
  latent maps and Neural ODE, the training loops, and the authors' networks layer for layer.
- :mod:`latentdyn.cpae.regularizers`, :mod:`latentdyn.cpae.metrics`: the filter regulariser
  and the paper's measures (VPT, relative errors, smoothness).
- :mod:`latentdyn.cpae.settings`: what identifies a run (settings, variants, training code).
- :mod:`latentdyn.cpae.experiments`: the stages (autoencoder, latent dynamics, scoring) and the
  experiments the chapters call, the continuity theory, the latent claim and the learning curves.
- :mod:`latentdyn.cpae.recorded_runs`, :mod:`latentdyn.cpae.shipped_models`: the reading and
  checking of runs and models recorded in ``data/reference`` (the files, their provenance).
- :mod:`latentdyn.cpae.figures`, :mod:`latentdyn.cpae.theory_figures`: the chapters' figures.

It imports shared ground (``latentdyn.cache``, ``runtime``, ``validation``, ``statistics``, ...),
never :mod:`latentdyn.inbetween`. The entry functions are also exposed by
:mod:`latentdyn.experiments`.
"""
