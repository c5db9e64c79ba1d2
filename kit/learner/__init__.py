"""The learner's loop: the ``kata`` command and the runner that starts the spec for it."""
