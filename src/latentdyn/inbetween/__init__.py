"""The in-between imagery paper's path (arXiv 2310.09495), in one folder.

- :mod:`latentdyn.inbetween.data`: synthetic scenes with their true in-between frames, the real
  sea-ice pairs, and pairs a user brings.
- :mod:`latentdyn.inbetween.physics`: the PDEs that carry a field (advection, advection–diffusion,
  the continuity equation, reaction).
- :mod:`latentdyn.inbetween.models`: the latent advection model (encoder, decoder, velocity and
  its prior, the visibility blend).
- :mod:`latentdyn.inbetween.baselines`: cross-fade, optimal transport, optical flow.
- :mod:`latentdyn.inbetween.image_metrics`: PSNR, SSIM and friends of image pairs.
- :mod:`latentdyn.inbetween.experiments`: the method registry and scoring (:mod:`.core`), the
  chapters' entry functions (:mod:`.runs`, :mod:`.studies`) and the event scores (:mod:`.events`).
- :mod:`latentdyn.inbetween.figures`: the chapters' figures.

It imports shared ground, never :mod:`latentdyn.cpae`. The entry functions are also exposed by
:mod:`latentdyn.experiments`.
"""
