"""Models: convolution filters for the continuity analysis (more models arrive with later chapters)."""
