import os
import warnings

import matplotlib

matplotlib.use("Agg")
os.environ.pop("MPLBACKEND", None)


def pytest_configure(config):
    warnings.simplefilter("error")
