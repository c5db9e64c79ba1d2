"""Demos that train the networks of the katas on real digits: python -m katas.demos.<name>."""
