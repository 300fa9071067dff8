"""Optimizers as pairs of pure functions, in the shape learners and tests call::

    opt = optim.adam(learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8)
    state = opt.init(params)                          # params: dict of name -> ndarray
    params, state = opt.update(params, grads, state)  # new dicts; the inputs are not modified

``grads`` uses the course's names (``dW1`` is dJ/dW[1]); a parameter without a gradient (batch
norm's running averages, say) is carried over unchanged. ``learning_rate`` is a positive number
or a schedule: a pure function of the update count ``t`` (0 for the first update) returning alpha.

Every rule is elementwise, so a parameter may have any shape: a weight matrix, a stack of
``K`` weight matrices (``(K, n[l], n[l-1])``), or the 2-vector of a point on a 2-D surface.

The rules, with ``g`` the gradient ``dW`` and ``t = 1, 2, ...`` the update count:

==========  ==========================================================================
gd          ``W := W - alpha g``
momentum    ``v := beta v + (1 - beta) g``;  ``W := W - alpha v``
nesterov    ``v := beta v + (1 - beta) g``;  ``W := W - alpha (beta v + (1 - beta) g)``
adagrad     ``s := s + g**2``;  ``W := W - alpha g / (sqrt(s) + epsilon)``
rmsprop     ``s := beta s + (1 - beta) g**2``;  ``W := W - alpha g / (sqrt(s) + epsilon)``
adam        ``v, s`` as momentum and rmsprop (``beta1``, ``beta2``), bias-corrected:
            ``W := W - alpha v_hat / (sqrt(s_hat) + epsilon)``
==========  ==========================================================================

Momentum here is the exponentially weighted average of chapter 6. Two other conventions are
common: ``v := beta v + g`` (``W := W - lr v``) and ``v := mu v - lr g`` (``W := W + v``). Both
give exactly the same steps as this one with ``learning_rate = lr / (1 - beta)`` (``beta = mu``),
for a constant ``lr``.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from .validate import check_number

__all__ = ["Optimizer", "OPTIMIZERS", "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
           "make", "check_adam_step"]


class Optimizer(NamedTuple):
    """``init(params) -> state`` and ``update(params, grads, state) -> (params, state)``."""

    init: Callable
    update: Callable


# ---------------------------------------------------------------- validation


def _check_learning_rate(learning_rate):
    if callable(learning_rate):
        return learning_rate
    check_number("learning_rate", learning_rate, low=0, low_open=True)
    return learning_rate


def _alpha(learning_rate, t):
    if not callable(learning_rate):
        return learning_rate
    alpha = learning_rate(t)
    if isinstance(alpha, np.ndarray) and alpha.ndim == 0:
        alpha = alpha.item()
    check_number(f"learning_rate({t}) (the schedule's value at update {t})", alpha, low=0)
    return alpha


def _check_beta(name, beta):
    return check_number(name, beta, low=0, high=1, high_open=True)


def _check_epsilon(epsilon):
    return check_number("epsilon", epsilon, low=0, low_open=True)


def _check_grads(params, grads):
    """The gradients that have a parameter, as ``name -> g``; a clear error for anything else."""
    if not isinstance(params, dict) or not isinstance(grads, dict):
        raise ValueError(f"params and grads must be dicts of arrays; got {type(params).__name__} "
                         f"and {type(grads).__name__}")
    paired = {}
    for key, g in grads.items():
        # Runs once per update (thousands of times in a replay), hence the plain attribute checks.
        name = key[1:] if isinstance(key, str) and key[:1] == "d" else None
        value = params.get(name)
        if value is None:
            raise ValueError(f"grads[{key!r}] has no parameter: a gradient 'dW1' belongs to params['W1']; "
                             f"params has {sorted(params)}")
        if getattr(g, "shape", None) != getattr(value, "shape", None) and np.shape(g) != np.shape(value):
            raise ValueError(f"grads[{key!r}] must have the shape of params[{name!r}], "
                             f"{np.shape(params[name])}; got {np.shape(g)}")
        paired[name] = g
    return paired


def _zeros(params):
    return {name: np.zeros_like(value, dtype=np.float64) for name, value in params.items()}


# ---------------------------------------------------------------- the optimizers


def gd(learning_rate=0.01):
    """Plain gradient descent: ``W := W - alpha dW``.

    Parameters
    ----------
    learning_rate : float > 0 or schedule ``t -> alpha``, default 0.01.
    """
    _check_learning_rate(learning_rate)

    def init(params):
        return {"t": 0}

    def update(params, grads, state):
        paired = _check_grads(params, grads)
        alpha = _alpha(learning_rate, state["t"])
        new = dict(params)
        for name, g in paired.items():
            new[name] = params[name] - alpha * g
        return new, {"t": state["t"] + 1}

    return Optimizer(init, update)


def momentum(learning_rate=0.01, beta=0.9):
    """Gradient descent with momentum, in the exponentially-weighted-average form::

        v := beta v + (1 - beta) dW          (v starts at 0)
        W := W - alpha v

    ``v`` is not bias-corrected: its first steps are small (``(1 - beta)`` of a plain step),
    which is the usual practice. The convention ``v := beta v + dW`` takes the same steps with
    ``learning_rate`` multiplied by ``1 - beta``.

    Parameters
    ----------
    learning_rate : float > 0 or schedule ``t -> alpha``, default 0.01.
    beta : float in [0, 1), default 0.9 (an average over about ``1 / (1 - beta) = 10`` gradients).
    """
    _check_learning_rate(learning_rate)
    _check_beta("beta", beta)

    def init(params):
        return {"t": 0, "v": _zeros(params)}

    def update(params, grads, state):
        paired = _check_grads(params, grads)
        alpha = _alpha(learning_rate, state["t"])
        new, v = dict(params), dict(state["v"])
        for name, g in paired.items():
            v[name] = beta * state["v"][name] + (1 - beta) * g
            new[name] = params[name] - alpha * v[name]
        return new, {"t": state["t"] + 1, "v": v}

    return Optimizer(init, update)


def nesterov(learning_rate=0.01, beta=0.9):
    """Nesterov's accelerated gradient, in the exponentially-weighted-average form::

        v := beta v + (1 - beta) dW
        W := W - alpha (beta v + (1 - beta) dW)

    The step uses the velocity *after* one more step of averaging: it looks ahead. This is the
    classic "gradient at the look-ahead point ``W - alpha beta v``" method, rewritten so that
    the gradient is taken at the point it returns (the parameters it returns are the
    look-ahead points of the classic form), which is why ``update`` needs only ``dW`` at ``W``.

    Parameters
    ----------
    learning_rate : float > 0 or schedule ``t -> alpha``, default 0.01.
    beta : float in [0, 1), default 0.9.
    """
    _check_learning_rate(learning_rate)
    _check_beta("beta", beta)

    def init(params):
        return {"t": 0, "v": _zeros(params)}

    def update(params, grads, state):
        paired = _check_grads(params, grads)
        alpha = _alpha(learning_rate, state["t"])
        new, v = dict(params), dict(state["v"])
        for name, g in paired.items():
            v[name] = beta * state["v"][name] + (1 - beta) * g
            new[name] = params[name] - alpha * (beta * v[name] + (1 - beta) * g)
        return new, {"t": state["t"] + 1, "v": v}

    return Optimizer(init, update)


def adagrad(learning_rate=0.01, epsilon=1e-8):
    """AdaGrad: each parameter's step is divided by the root of its summed squared gradients::

        s := s + dW**2                       (s starts at 0)
        W := W - alpha dW / (sqrt(s) + epsilon)

    ``epsilon`` is added *outside* the square root (it only guards against ``0 / 0``). ``s``
    only grows, so the steps shrink for ever: fine for convex problems, often too early a stop
    for deep networks (RMSProp's fix: average instead of sum).

    Parameters
    ----------
    learning_rate : float > 0 or schedule ``t -> alpha``, default 0.01.
    epsilon : float > 0, default 1e-8.
    """
    _check_learning_rate(learning_rate)
    _check_epsilon(epsilon)

    def init(params):
        return {"t": 0, "s": _zeros(params)}

    def update(params, grads, state):
        paired = _check_grads(params, grads)
        alpha = _alpha(learning_rate, state["t"])
        new, s = dict(params), dict(state["s"])
        for name, g in paired.items():
            s[name] = state["s"][name] + g * g
            new[name] = params[name] - alpha * g / (np.sqrt(s[name]) + epsilon)
        return new, {"t": state["t"] + 1, "s": s}

    return Optimizer(init, update)


def rmsprop(learning_rate=0.001, beta=0.9, epsilon=1e-8):
    """RMSProp: divide each step by the root of an average of squared gradients::

        s := beta s + (1 - beta) dW**2       (s starts at 0)
        W := W - alpha dW / (sqrt(s) + epsilon)

    ``epsilon`` is added *outside* the square root. No bias correction: the first step is
    ``alpha / sqrt(1 - beta)`` per coordinate (about ``3.2 alpha`` for ``beta = 0.9``).

    Parameters
    ----------
    learning_rate : float > 0 or schedule ``t -> alpha``, default 0.001.
    beta : float in [0, 1), default 0.9.
    epsilon : float > 0, default 1e-8.
    """
    _check_learning_rate(learning_rate)
    _check_beta("beta", beta)
    _check_epsilon(epsilon)

    def init(params):
        return {"t": 0, "s": _zeros(params)}

    def update(params, grads, state):
        paired = _check_grads(params, grads)
        alpha = _alpha(learning_rate, state["t"])
        new, s = dict(params), dict(state["s"])
        for name, g in paired.items():
            s[name] = beta * state["s"][name] + (1 - beta) * g * g
            new[name] = params[name] - alpha * g / (np.sqrt(s[name]) + epsilon)
        return new, {"t": state["t"] + 1, "s": s}

    return Optimizer(init, update)


def adam(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """Adam, bias-corrected, with epsilon *outside* the square root::

        v = beta1 v + (1 - beta1) dW          s = beta2 s + (1 - beta2) dW**2
        v_hat = v / (1 - beta1**t)            s_hat = s / (1 - beta2**t)      (t = 1, 2, ...)
        W := W - alpha v_hat / (sqrt(s_hat) + epsilon)

    Parameters
    ----------
    learning_rate : float > 0 or schedule ``t -> alpha`` (``t = 0`` for the first update),
        default 0.001.
    beta1 : float in [0, 1), default 0.9 (the momentum average).
    beta2 : float in [0, 1), default 0.999 (the RMSProp average).
    epsilon : float > 0, default 1e-8.
    """
    _check_learning_rate(learning_rate)
    _check_beta("beta1", beta1)
    _check_beta("beta2", beta2)
    _check_epsilon(epsilon)

    def init(params):
        zeros = _zeros(params)
        return {"t": 0, "v": zeros, "s": dict(zeros)}

    def update(params, grads, state):
        paired = _check_grads(params, grads)
        t = state["t"] + 1
        alpha = _alpha(learning_rate, state["t"])
        new, v, s = dict(params), dict(state["v"]), dict(state["s"])
        for name, g in paired.items():
            v[name] = beta1 * state["v"][name] + (1 - beta1) * g
            s[name] = beta2 * state["s"][name] + (1 - beta2) * g * g
            v_hat = v[name] / (1 - beta1**t)
            s_hat = s[name] / (1 - beta2**t)
            new[name] = params[name] - alpha * v_hat / (np.sqrt(s_hat) + epsilon)
        return new, {"t": t, "v": v, "s": s}

    return Optimizer(init, update)


OPTIMIZERS = {"gd": gd, "momentum": momentum, "nesterov": nesterov, "adagrad": adagrad,
              "rmsprop": rmsprop, "adam": adam}
"""Name -> constructor, in the order the course introduces them (and colours them)."""


def make(name, learning_rate, beta=0.9, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """The optimizer called ``name`` (a key of :data:`OPTIMIZERS`) from one set of knobs.

    ``beta`` is momentum's and Nesterov's ``beta`` and RMSProp's ``beta``; ``beta1``, ``beta2``
    are Adam's; ``epsilon`` is AdaGrad's, RMSProp's and Adam's. Knobs an optimizer does not
    have are ignored, so a playground can build every optimizer from the same controls.
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"name must be one of {list(OPTIMIZERS)}; got {name!r}")
    if name == "gd":
        return gd(learning_rate)
    if name in ("momentum", "nesterov"):
        return OPTIMIZERS[name](learning_rate, beta)
    if name == "adagrad":
        return adagrad(learning_rate, epsilon)
    if name == "rmsprop":
        return rmsprop(learning_rate, beta, epsilon)
    return adam(learning_rate, beta1, beta2, epsilon)


# ---------------------------------------------------------------- the chapter's exercise


def _adam_variants(W, dW, v, s, t, learning_rate, beta1, beta2, epsilon):
    """The reference Adam step and the usual ways of getting it wrong, as name -> (W, v, s)."""
    v_new = beta1 * v + (1 - beta1) * dW
    s_new = beta2 * s + (1 - beta2) * dW**2
    v_hat, s_hat = v_new / (1 - beta1**t), s_new / (1 - beta2**t)
    step = lambda num, den: W - learning_rate * num / den  # noqa: E731
    return {
        "correct": (step(v_hat, np.sqrt(s_hat) + epsilon), v_new, s_new),
        "epsilon is inside the square root (use sqrt(s_hat) + epsilon)":
            (step(v_hat, np.sqrt(s_hat + epsilon)), v_new, s_new),
        "no bias correction (divide v by 1 - beta1**t and s by 1 - beta2**t)":
            (step(v_new, np.sqrt(s_new) + epsilon), v_new, s_new),
        "the square root of s_hat is missing":
            (step(v_hat, s_hat + epsilon), v_new, s_new),
        "s averages dW, not dW**2":
            (step(v_hat, np.sqrt(np.abs(beta2 * s + (1 - beta2) * dW) / (1 - beta2**t)) + epsilon), v_new,
             beta2 * s + (1 - beta2) * dW),
        "the (1 - beta) factors are missing (v = beta1 v + dW)":
            (step((beta1 * v + dW) / (1 - beta1**t), np.sqrt((beta2 * s + dW**2) / (1 - beta2**t)) + epsilon),
             beta1 * v + dW, beta2 * s + dW**2),
        "the step goes uphill (W + ... instead of W - ...)":
            (W + learning_rate * v_hat / (np.sqrt(s_hat) + epsilon), v_new, s_new),
    }


def check_adam_step(adam_step, seed=0):
    """Check a learner's ``adam_step(W, dW, v, s, t, learning_rate, beta1, beta2, epsilon)``.

    It must return ``(W, v, s)``: the new parameters, first and second moments, for update
    number ``t`` (1 for the first). The check runs it on seeded random inputs at several ``t``
    and returns ``"correct: ..."``; otherwise it raises ``ValueError`` naming the mistake when it
    recognizes one (epsilon inside the square root, no bias correction, ...) or the first
    quantity that differs.
    """
    if not callable(adam_step):
        raise ValueError(f"adam_step must be a function; got {adam_step!r}")
    rng = np.random.default_rng(seed)
    hyper = dict(learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-3)
    for t in (1, 2, 10):
        W, dW = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)) * 1e-2
        v, s = rng.standard_normal((3, 4)) * 1e-2 * (t > 1), rng.random((3, 4)) * 1e-4 * (t > 1)
        inputs = [a.copy() for a in (W, dW, v, s)]
        try:
            result = adam_step(*inputs, t, **hyper)
        except Exception as error:  # the learner's code: report any failure in words
            raise ValueError(f"adam_step raised {type(error).__name__}: {error}") from error
        if not isinstance(result, tuple) or len(result) != 3:
            raise ValueError(f"adam_step must return a tuple (W, v, s); got {type(result).__name__}")
        got = [np.asarray(r, dtype=float) for r in result]
        if any(g.shape != W.shape for g in got):
            raise ValueError(f"W, v and s must keep the shape {W.shape}; got {[g.shape for g in got]}")
        if any(not np.array_equal(a, b) for a, b in zip(inputs, (W, dW, v, s))):
            raise ValueError("adam_step modified its inputs in place; return new arrays instead")
        variants = _adam_variants(W, dW, v, s, t, **hyper)
        if all(np.allclose(g, e, rtol=1e-7, atol=1e-12) for g, e in zip(got, variants["correct"])):
            continue
        for mistake, expected in variants.items():
            if mistake != "correct" and all(np.allclose(g, e, rtol=1e-7, atol=1e-12) for g, e in zip(got, expected)):
                raise ValueError(f"at t={t}: {mistake}")
        for label, g, e in zip(("v", "s", "W"), (got[1], got[2], got[0]), (variants["correct"][1], variants["correct"][2], variants["correct"][0])):
            if not np.allclose(g, e, rtol=1e-7, atol=1e-12):
                raise ValueError(f"at t={t}: the new {label} differs from the reference by up to "
                                 f"{np.max(np.abs(g - e)):.3g}")
    return "correct: v, s and W match the reference Adam step at t = 1, 2 and 10"
