"""Micrograd-style autograd, written against the contract only."""
