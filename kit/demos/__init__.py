"""Demos that train the networks of the katas on real digits: python -m kit.demos.<name>."""
