"""An nn-katas implementation package, laid out as the kit's API contract says.

- ``autograd``: a scalar ``Value`` with reverse-mode automatic differentiation.

The spec (``spec_tests/``) checks any package with this layout:
``pytest spec_tests --impl NAME``.
"""
