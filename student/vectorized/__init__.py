"""The NumPy track: the same networks as the scalar track, one matrix product per layer (katas 13–15)."""
