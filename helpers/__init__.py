"""helpers: the numpy code behind the course, one module per idea.

The core: ``data`` data sets, splits and mini-batches; ``layers`` forward/backward pairs;
``model`` the L-layer network; ``optim`` optimizers; ``schedules`` learning-rate schedules;
``gradcheck`` numerical gradients; ``surfaces`` 2-D objectives; ``plots`` drawing functions;
``validate`` the checks at every public boundary; ``exercises`` the exercise checkers' contract;
``widgets`` live experiments.

Chapter ``NN_name.ipynb`` adds what it needs in ``helpers/name.py`` (``bias_variance`` for
chapter 1, ...) and its live experiments in ``helpers/widgets/name.py``.
"""

from . import data, exercises, layers, model, optim, plots, validate

__all__ = ["data", "exercises", "layers", "model", "optim", "plots", "validate"]
__version__ = "0.1.0"
