"""The CpAE path (arXiv 2502.00754).

This package is where the CpAE path is gathered: today it holds the authors' networks layer for
layer (:mod:`latentdyn.cpae.authors_networks`) and the learning-curve run that measures how long
they must train to draw the pendulum (:mod:`latentdyn.cpae.learning_curve`). The book's own
networks, stages and experiments are still under :mod:`latentdyn.models` and
:mod:`latentdyn.experiments.cpae`.
"""
