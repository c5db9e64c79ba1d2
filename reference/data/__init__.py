"""MNIST and mini-batches for the NumPy track (kata 16)."""
