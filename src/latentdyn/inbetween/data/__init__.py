"""The in-between chapters' image pairs: synthetic scenes, the real sea-ice pair, user pairs."""
