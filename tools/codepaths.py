"""Which code paths numpy and the BLAS take on this machine (for CI's portability step).

    python tools/codepaths.py features   # the SIMD extensions found beyond numpy's baseline
    python tools/codepaths.py report     # numpy.show_runtime(), threadpoolctl's info, versions

``features`` prints what ``NPY_DISABLE_CPU_FEATURES`` may switch off: numpy refuses to disable
its baseline, and a feature the CPU lacks is not in use anyway. ``report`` is printed before each
run under changed paths, so the log shows the paths really changed (the SIMD extensions numpy
reports as found, and the kernel OpenBLAS chose).
"""

from __future__ import annotations

import json
import sys
from importlib import metadata

import numpy as np


def cpu_features():
    """``(baseline, found_beyond_baseline)``, as numpy's runtime reports them."""
    try:  # numpy >= 2
        from numpy._core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__, __cpu_features__
    except ImportError:  # numpy 1.26
        from numpy.core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__, __cpu_features__
    found = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    return list(__cpu_baseline__), found


def report():
    from threadpoolctl import threadpool_info

    print("numpy.show_runtime():", flush=True)
    np.show_runtime()
    blas = [{k: info.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for info in threadpool_info()]
    print("threadpoolctl:", json.dumps(blas))
    names = ["numpy", "scipy", "matplotlib", "scikit-learn", "ipywidgets", "jupyterlab", "ipykernel",
             "nbval", "pytest", "contourpy", "threadpoolctl", "tqdm", "hypothesis"]
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    print(f"python {sys.version.split()[0]}; " + ", ".join(f"{k} {v}" for k, v in versions.items()))


if __name__ == "__main__":
    if sys.argv[1:] == ["features"]:
        print(" ".join(cpu_features()[1]))
    elif sys.argv[1:] == ["report"]:
        report()
    else:
        sys.exit(__doc__)
