"""Neural networks of Values: modules, layers, losses, training (the scalar track)."""
