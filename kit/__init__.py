"""The kit's tooling: the learner's ``kata`` command, the grader, the authoring tools and the demos.

Imports run one way: ``kit`` → ``spec_tests`` (the spec and its helpers) → ``katas.catalogue``
(the curriculum). Nothing below imports what is above it; ``tests/test_layout.py`` checks.
"""
