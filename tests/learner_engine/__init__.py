"""The skeleton's ``autograd/`` filled in as a learner who follows kata pages 01–03 writes it.

Not shipped to learners. It keeps every line of given code of ``student/autograd/``
(``__slots__``, ``dot``, the ``_DERIVATIVES`` table) and writes each stub plainly,
without the reference's touches: a visited check for every leaf, ``node.grad`` read in
the inner loop, no fast path for float data. ``benchmarks/value_mnist_epoch.py`` times
the MNIST demo's epoch on it against the reference (the ``learner`` engine), and
``tests/test_learner_engine.py`` holds it to the spec of katas 01–03.
"""
