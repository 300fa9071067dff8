"""Optimizers as pairs of pure functions, in the shape learners and tests call::

    opt = optim.gd(learning_rate=0.01)
    state = opt.init(params)                          # params: dict of name -> ndarray
    params, state = opt.update(params, grads, state)  # new dicts; the inputs are not modified

``grads`` uses the course's names (``dW1`` is dJ/dW[1]); a parameter without a gradient (batch
norm's running averages, say) is carried over unchanged. ``learning_rate`` is a positive number
or a schedule: a function of the update count ``t`` (0 for the first update) returning alpha.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ._checks import check_number

__all__ = ["Optimizer", "gd", "adam"]


class Optimizer(NamedTuple):
    """``init(params) -> state`` and ``update(params, grads, state) -> (params, state)``."""

    init: Callable
    update: Callable


def _check_learning_rate(learning_rate):
    if callable(learning_rate):
        return learning_rate
    check_number("learning_rate", learning_rate, low=0, low_open=True)
    return learning_rate


def _alpha(learning_rate, t):
    return learning_rate(t) if callable(learning_rate) else learning_rate


def gd(learning_rate=0.01):
    """Plain gradient descent: ``W := W - alpha dW``."""
    _check_learning_rate(learning_rate)

    def init(params):
        return {"t": 0}

    def update(params, grads, state):
        alpha = _alpha(learning_rate, state["t"])
        new = {name: value - alpha * grads["d" + name] if "d" + name in grads else value
               for name, value in params.items()}
        return new, {"t": state["t"] + 1}

    return Optimizer(init, update)


def _check_beta(name, beta):
    return check_number(name, beta, low=0, high=1, high_open=True)


def _check_epsilon(epsilon):
    return check_number("epsilon", epsilon, low=0, low_open=True)


def adam(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """Adam, bias-corrected, with epsilon *outside* the square root::

        v = beta1 v + (1 - beta1) dW          s = beta2 s + (1 - beta2) dW**2
        v_hat = v / (1 - beta1**t)            s_hat = s / (1 - beta2**t)      (t = 1, 2, ...)
        W := W - alpha v_hat / (sqrt(s_hat) + epsilon)
    """
    _check_learning_rate(learning_rate)
    _check_beta("beta1", beta1)
    _check_beta("beta2", beta2)
    _check_epsilon(epsilon)

    def init(params):
        zeros = {name: np.zeros_like(value) for name, value in params.items()}
        return {"t": 0, "v": zeros, "s": dict(zeros)}

    def update(params, grads, state):
        t = state["t"] + 1
        alpha = _alpha(learning_rate, state["t"])
        new, v, s = dict(params), dict(state["v"]), dict(state["s"])
        for name, value in params.items():
            g = grads.get("d" + name)
            if g is None:
                continue
            v[name] = beta1 * state["v"][name] + (1 - beta1) * g
            s[name] = beta2 * state["s"][name] + (1 - beta2) * g * g
            v_hat = v[name] / (1 - beta1**t)
            s_hat = s[name] / (1 - beta2**t)
            new[name] = value - alpha * v_hat / (np.sqrt(s_hat) + epsilon)
        return new, {"t": t, "v": v, "s": s}

    return Optimizer(init, update)
