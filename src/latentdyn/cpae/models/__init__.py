"""The CpAE networks: convolutional autoencoders, Lipschitz filters, latent maps, the Neural ODE and
the training loops; the authors' networks layer for layer in :mod:`.authors_networks`."""
