"""The nn-katas curriculum: the kata catalogue, the skeleton generator and the kata pages."""
