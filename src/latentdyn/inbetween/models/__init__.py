"""The latent advection model of the in-between paper and its parts (U-Net, patches, velocity prior)."""
