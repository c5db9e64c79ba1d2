"""The nn-katas spec: the behaviour every implementation package must show, kata by kata."""

import os as _os

# One BLAS thread, unless the caller chose otherwise. The spec's matrices are small: a
# second thread saves nothing there, and when the cores are busy (another pytest worker,
# another job) OpenBLAS threads that spin-wait for each other made the NumPy katas' learning
# tests 10–100 times slower. Set here because it must happen before NumPy is first imported.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_name, "1")
