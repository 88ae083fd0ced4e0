"""PDE operators for latent fields (advection)."""
