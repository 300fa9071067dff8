"""helpers: the numpy code behind the course, one module per idea.

``data`` data sets, splits and mini-batches; ``layers`` forward/backward pairs; ``model`` the
L-layer network; ``optim`` optimizers; ``plots`` drawing functions; ``widgets`` live experiments.
Chapter modules add what one chapter needs (``bias_variance`` for chapter 1, ...).
"""

from . import data, layers, model, optim, plots

__all__ = ["data", "layers", "model", "optim", "plots"]
__version__ = "0.1.0"
