"""Scalar autograd, written as a learner following the pages."""
