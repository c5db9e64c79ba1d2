"""``Module``: what every piece of a network has in common.

A network is a tree of modules: an ``MLP`` holds ``Layer``\\ s, a ``Layer`` holds
``Neuron``\\ s, and a ``Neuron`` holds the numbers that learning changes — its
*parameters*, each a :class:`Value`. ``Module`` walks that tree once, in one place,
so that every network gets these for free:

- ``named_parameters()`` / ``parameters()``: every parameter, each with a dotted
  name that says where it lives (``layers.1.neurons.0.bias``);
- ``zero_grad()``: forget the gradients of the last step;
- ``train()`` / ``eval()``: switch the whole tree between training and evaluation
  (only ``Dropout`` behaves differently, but it may sit anywhere in the tree);
- ``state_dict()`` / ``load_state_dict()``: the parameters as plain numbers, and back.

A subclass says what it is made of by overriding one of two methods:

- a *container* (``Layer``, ``MLP``) overrides ``named_children()`` and lists its
  sub-modules with their names;
- a *leaf* that owns parameters (``Neuron``) overrides ``parameters()`` and
  ``named_parameters()``.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..autograd.value import Value


class Module:
    """Base class of every network piece. Subclasses need not call ``Module.__init__``.

    Attributes:
        training: ``True`` (the default) while training, ``False`` after ``eval()``.
    """

    #: A class attribute, so that every module starts in training mode without
    #: calling ``super().__init__()``; ``train()`` sets it on the instance.
    training: bool = True

    def named_children(self) -> list[tuple[str, Module]]:
        """The sub-modules this module is made of, with their names; none by default.

        Containers override this: a ``Layer`` returns ``[("neurons.0", n0), ("neurons.1", n1), …]``.
        """
        return []

    def children(self) -> list[Module]:
        """The sub-modules alone, in the order of ``named_children()``."""
        return [child for _, child in self.named_children()]

    def parameters(self) -> list[Value]:  # kata 04
        """Every parameter below this module, children in order: each child's ``parameters()``, concatenated.

        A leaf that owns parameters (a ``Neuron``) lists its own; a module without
        children or parameters of its own has none.

        >>> from .neuron import Neuron
        >>> len(Neuron(3).parameters())   # 3 weights and a bias
        4
        """
        # TODO(kata 04): write Module.parameters
        raise NotImplementedError("kata 04 · Module.parameters — see katas/04-neuron-layer/README.md")

    def named_parameters(self) -> list[tuple[str, Value]]:  # kata 04
        """Every parameter as ``(dotted name, Value)``, in exactly the order of ``parameters()``.

        A child named ``c`` contributes each of its own named parameters ``n`` as
        ``"c.n"``, so the names spell the path down the tree.

        >>> from .layer import Layer
        >>> [name for name, _ in Layer(1, 2).named_parameters()]
        ['neurons.0.weights.0', 'neurons.0.bias', 'neurons.1.weights.0', 'neurons.1.bias']
        """
        # TODO(kata 04): write Module.named_parameters
        raise NotImplementedError("kata 04 · Module.named_parameters — see katas/04-neuron-layer/README.md")

    def zero_grad(self) -> None:  # kata 05
        """Set the gradient of every parameter to 0.

        ``backward()`` *adds* to a leaf's gradient, so without this each training
        step would follow the sum of all the gradients so far.
        """
        # TODO(kata 05): write Module.zero_grad
        raise NotImplementedError("kata 05 · Module.zero_grad — see katas/05-mlp/README.md")

    def train(self, mode: bool = True) -> Module:  # kata 05
        """Put this module *and every module below it* in training mode (or, with ``False``, evaluation).

        Every module of the tree, at any depth, ends with ``training == mode``.
        Returns ``self``, so that ``model = MLP(…).train()`` reads well.
        """
        # TODO(kata 05): write Module.train
        raise NotImplementedError("kata 05 · Module.train — see katas/05-mlp/README.md")

    def eval(self) -> Module:  # kata 05
        """Evaluation mode for the whole tree: ``train(False)``. Returns ``self``."""
        # TODO(kata 05): write Module.eval
        raise NotImplementedError("kata 05 · Module.eval — see katas/05-mlp/README.md")

    def state_dict(self) -> dict[str, float]:  # kata 05
        """Every parameter's number by name, ``{"neurons.0.bias": 0.0, …}``, in ``named_parameters()`` order.

        Plain floats, not Values: a snapshot that later training does not change.
        """
        # TODO(kata 05): write Module.state_dict
        raise NotImplementedError("kata 05 · Module.state_dict — see katas/05-mlp/README.md")

    def load_state_dict(self, state: dict[str, float], strict: bool = True) -> None:  # kata 05
        """Copy the numbers of ``state`` into the parameters with the same names.

        Check everything *before* changing anything, so that a bad ``state`` leaves
        the model exactly as it was:

        - ``state`` must be a dict (``TypeError``) whose values, for the names this
          model has, are real numbers (not ``bool``; ``ValueError`` otherwise);
        - with ``strict=True`` (the default), a name of the model missing from
          ``state``, or a name in ``state`` that the model does not have, is a
          ``ValueError`` listing them;
        - with ``strict=False``, names found on one side only are skipped.

        Then assign ``param.data = float(value)``: the parameter objects stay the
        same (an optimizer holding them keeps working); only their numbers change.
        """
        # TODO(kata 05): write Module.load_state_dict
        raise NotImplementedError("kata 05 · Module.load_state_dict — see katas/05-mlp/README.md")
