"""Tools for the kit's authors: the skeleton generator."""
