"""A second, independently designed implementation of the contract's ``autograd/``.

It differs from ``reference/`` wherever the contract leaves room: micrograd-style
``_backward`` closures, ``_prev`` as a set, subtraction as ``a + (-b)``, division
as ``a * b**-1``, negation as ``a * -1``, plain numbers always wrapped in Values.
The kit's tests run the spec against it to show that the spec depends on the
contract alone, not on the reference's choices.
"""
