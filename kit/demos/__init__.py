"""Demos that train the networks of the katas on real digits: python -m kit.demos.<name>.

Importing this package pins BLAS to one thread (unless ``OMP_NUM_THREADS`` and its kin are
already set), before any demo imports NumPy: on a busy two-core machine the default
threading made the MNIST demo five times slower. The spec package does the pinning.
"""

import spec_tests  # noqa: F401 - its import sets OPENBLAS/OMP/MKL_NUM_THREADS to 1 where unset
from kit.learner import workspace

# As the kata command does: in a workspace its student/ is the one trained; in the kit's checkout,
# student/ and reference/ are importable from any folder.
workspace.activate()
