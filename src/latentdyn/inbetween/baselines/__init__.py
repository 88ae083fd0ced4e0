"""Baselines for in-between frames: optimal transport, advection in image space, optical flow, cross-fade."""
