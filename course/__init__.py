"""LSTM from Scratch: the course package (CLI, graders, experiments)."""
