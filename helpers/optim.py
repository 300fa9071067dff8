"""Optimizers as pairs of pure functions, in the shape learners and tests call::

    opt = optim.adam(learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8)
    state = opt.init(params)                          # params: dict of name -> ndarray
    params, state = opt.update(params, grads, state)  # new dicts; the inputs are not modified

``grads`` uses the course's names (``dW1`` is dJ/dW[1]); a parameter without a gradient (batch
norm's running averages, say) is carried over unchanged. ``learning_rate`` is a positive number
or a schedule: a pure function of the update count ``t`` (0 for the first update) returning alpha.

Every rule is elementwise, so a parameter may have any shape: a weight matrix, a stack of
``K`` weight matrices (``(K, n[l], n[l-1])``), or the 2-vector of a point on a 2-D surface.

Hyperparameters over a stack of networks
----------------------------------------
``learning_rate`` (or the value its schedule returns), ``beta``, ``beta1``, ``beta2``,
``epsilon`` and AdamW's ``weight_decay`` are each a number *or* a numpy array ``h`` of shape
``S`` (usually ``(K,)``, one value per network of a stack made by ``model.stack_params``). The
rule: ``h`` is aligned with the **leading** axes of every parameter, i.e. reshaped to
``S + (1,) * (p.ndim - len(S))`` before it meets a parameter ``p``, so ``S`` must broadcast
against ``p.shape[:len(S)]``. With ``W1`` of shape ``(K, n1, n0)`` and ``b1`` of shape
``(K, n1, 1)``, ``learning_rate=np.array([a_1, ..., a_K])`` acts as ``(K, 1, 1)``: network ``k``
trains with ``a_k`` exactly as it would alone. Every element is validated (finite, in range;
booleans, strings and ``None`` are rejected) when the optimizer is built, and a schedule's value
at every update.

Extreme gradients
-----------------
The adaptive rules (AdaGrad, RMSProp, Adam, AdamW) divide by ``sqrt(s)``, which makes their steps
independent of the gradient's scale; when ``g**2`` would overflow they treat a gradient component
beyond ``+-1e150`` as ``+-1e150``, and AdaGrad's sum stops at ``1e300``. So a gradient of ``1e300`` gives a step of about
``alpha`` (as the formula says) instead of overflowing ``s`` to ``inf``, which would freeze that
parameter for ever, and no warning is raised.

The rules, with ``g`` the gradient ``dW`` and ``t = 1, 2, ...`` the update count:

==========  ==========================================================================
gd          ``W := W - alpha g``
momentum    ``v := beta v + (1 - beta) g``;  ``W := W - alpha v``
nesterov    ``v := beta v + (1 - beta) g``;  ``W := W - alpha (beta v + (1 - beta) g)``
adagrad     ``s := s + g**2``;  ``W := W - alpha g / (sqrt(s) + epsilon)``
rmsprop     ``s := beta s + (1 - beta) g**2``;  ``W := W - alpha g / (sqrt(s) + epsilon)``
adam        ``v, s`` as momentum and rmsprop (``beta1``, ``beta2``), bias-corrected:
            ``W := W - alpha v_hat / (sqrt(s_hat) + epsilon)``
adamw       Adam plus decoupled weight decay on the weights ``W1..WL``:
            ``W := W - alpha (v_hat / (sqrt(s_hat) + epsilon) + weight_decay W)``
==========  ==========================================================================

Momentum here is the exponentially weighted average of chapter 6. Two other conventions are
common: ``v := beta v + g`` (``W := W - lr v``) and ``v := mu v - lr g`` (``W := W + v``). Both
give exactly the same steps as this one with ``learning_rate = lr / (1 - beta)`` (``beta = mu``),
for a constant ``lr``.

:func:`clip_by_norm` rescales a whole gradient dict when its norm exceeds ``max_norm``
(gradient clipping), before it is handed to ``update``.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from .validate import as_float_array, check_number, describe, error

__all__ = ["Optimizer", "OPTIMIZERS", "VARIANTS", "gd", "gd_step", "momentum", "nesterov", "adagrad", "rmsprop",
           "adam", "adamw", "make", "global_norm", "clip_by_norm"]

G_MAX = 1e150
"""The adaptive rules treat a gradient component beyond ``+-G_MAX`` as ``+-G_MAX``."""
S_MAX = G_MAX**2
"""AdaGrad's sum of squares stops growing at ``S_MAX`` (finite, so the parameter never freezes)."""


class Optimizer(NamedTuple):
    """``init(params) -> state`` and ``update(params, grads, state) -> (params, state)``.

    ``update`` validates ``grads`` against ``params`` at every call. The optimizers of this
    module also take ``update(..., check=False)``, which skips that check: for a training loop
    whose gradients come from the network's own backward pass, checked once before its first
    update (:func:`helpers.model.fit`), as the layers' ``check=False``.
    """

    init: Callable
    update: Callable


# ---------------------------------------------------------------- validation


def _hyper(name, value, low=None, high=None, low_open=False, high_open=False, note=""):
    """A hyperparameter checked element by element: a number, or a float64 array (a copy).
    The message names the first bad element, e.g. ``learning_rate[2]: got -0.1, expected ...``."""
    bounds = dict(low=low, high=high, low_open=low_open, high_open=high_open)
    at = lambda index: f"{name}[{', '.join(map(str, np.atleast_1d(index)))}]{note}"  # noqa: E731
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    elif isinstance(value, (list, tuple)):
        for index, element in enumerate(value):  # before numpy turns [0.1, "0.2"] into strings
            if not isinstance(element, (list, tuple, np.ndarray)):
                check_number(at(index), element, **bounds)
        try:
            value = np.array(value)
        except ValueError as err:
            raise error(name + note, "a ragged list", "a number or an array of numbers") from err
    if not isinstance(value, np.ndarray):
        return check_number(name + note, value, **bounds)
    if value.size == 0:
        raise error(name + note, f"an empty array of shape {value.shape}", "a number or one value per network")
    if value.dtype.kind not in "iuf":  # booleans, strings, None (object): name the first such element
        for index in np.ndindex(value.shape):
            element = value[index]
            element = element.item() if isinstance(element, np.generic) else element
            check_number(at(index), element, **bounds)
        raise error(name + note, f"an array of dtype {value.dtype}", "an array of numbers")
    array = value.astype(np.float64)
    ok = np.isfinite(array)
    if low is not None:
        ok &= array > low if low_open else array >= low
    if high is not None:
        ok &= array < high if high_open else array <= high
    if not ok.all():
        index = tuple(int(i) for i in np.argwhere(~ok)[0])
        check_number(at(index), float(array[index]), **bounds)
    return array


def _check_learning_rate(learning_rate):
    if callable(learning_rate):
        return learning_rate
    return _hyper("learning_rate", learning_rate, low=0, low_open=True)


def _alpha(learning_rate, t):
    if not callable(learning_rate):
        return learning_rate
    return _hyper(f"learning_rate({t})", learning_rate(t), low=0, note=f" (the schedule's value at update {t})")


def _check_beta(name, beta):
    return _hyper(name, beta, low=0, high=1, high_open=True)


def _check_epsilon(epsilon):
    return _hyper("epsilon", epsilon, low=0, low_open=True)


def _aligned(h, hname, pname, p):
    """``h`` as a number, or reshaped to ``S + (1,) * (p.ndim - len(S))`` (the stacking rule)."""
    if not isinstance(h, np.ndarray):
        return h
    shape = np.shape(p)
    if len(shape) < h.ndim or any(a != b and a != 1 and b != 1 for a, b in zip(h.shape, shape)):
        raise error(hname, f"shape {h.shape} against params[{pname!r}] of shape {shape}",
                    "an array matching the leading (stack) axes of every parameter",
                    f"shape ({shape[0]},) for a stack of {shape[0]} networks" if shape else "a number")
    return h.reshape(h.shape + (1,) * (len(shape) - h.ndim))


def _per_parameter(values, names):
    """``pname, g -> values`` shaped for that parameter: the values themselves when all are
    numbers (the fast path of a single network), else each one aligned by :func:`_aligned`."""
    if np.ndarray not in map(type, values):  # validated arrays are exactly np.ndarray
        return lambda pname, g: values
    return lambda pname, g: [_aligned(h, n, pname, g) for h, n in zip(values, names)]


def _fixed_per_parameter(values, names):
    """As :func:`_per_parameter`, for the hyperparameters that do not change from one update to
    the next (betas, epsilon, weight decay): each parameter's aligned values are computed on its
    first update and kept (keyed by the parameter's name and shape), not reshaped at every step."""
    values = tuple(values)
    if np.ndarray not in map(type, values):
        return lambda pname, g: values
    cache = {}

    def shaped(pname, g):
        key = (pname, np.shape(g))
        found = cache.get(key)
        if found is None:
            found = cache[key] = tuple(_aligned(h, n, pname, g) for h, n in zip(values, names))
        return found

    return shaped


def _check_params(params):
    if not isinstance(params, dict) or not params:
        raise error("params", "an empty dict" if isinstance(params, dict) else describe(params),
                    "a dict of arrays such as {'W1': ..., 'b1': ...}")
    for name, value in params.items():
        as_float_array(f"params[{name!r}]", value)
    return params


def _pairs(params, grads, check):
    """``name -> g`` for the update: validated by :func:`_check_grads` (``check=True``), or read
    as they come (``check=False``: gradients that :func:`helpers.model.fit` made itself for these
    params, with exactly the keys ``"d" + name``)."""
    if check:
        return _check_grads(params, grads)
    return {key[1:]: g for key, g in grads.items()}


def _check_grads(params, grads):
    """The gradients that have a parameter, as ``name -> g``; a clear error for anything else."""
    if not isinstance(params, dict):
        raise error("params", describe(params), "a dict of arrays such as {'W1': ..., 'b1': ...}")
    if not isinstance(grads, dict) or not grads:
        raise error("grads", "an empty dict" if isinstance(grads, dict) else describe(grads),
                    "a dict of gradients such as {'dW1': ..., 'db1': ...}")
    paired = {}
    for key, g in grads.items():
        # Runs once per update (thousands of times in a replay), hence the plain attribute checks.
        name = key[1:] if isinstance(key, str) and key[:1] == "d" else None
        value = params.get(name)
        if value is None:
            fix = f"name it 'd{key}'" if isinstance(key, str) and key in params else None
            raise error(f"grads[{key!r}]", "a key with no parameter",
                        f"'d' + a key of params ({sorted(map(str, params))}), as dW1 for params['W1']", fix)
        if getattr(g, "shape", None) != getattr(value, "shape", None) and np.shape(g) != np.shape(value):
            raise error(f"grads[{key!r}]", f"shape {np.shape(g)}", f"the shape of params[{name!r}], {np.shape(value)}",
                        f"pass {key}.T" if np.shape(g) == np.shape(value)[::-1] else None)
        paired[name] = g
    return paired


def _zeros(params):
    _check_params(params)
    return {name: np.zeros_like(value, dtype=np.float64) for name, value in params.items()}


def _bounded(g):
    """``g`` with components beyond ``+-G_MAX`` brought back to it, so ``g * g`` stays finite."""
    return np.minimum(np.maximum(g, -G_MAX), G_MAX)


def _scale_free(step):
    """``update`` from ``step(params, grads, state, bound)`` for the rules whose steps do not
    depend on the gradient's scale: the plain formula, and only if ``g * g`` overflowed, the
    formula again on gradients bounded at ``+-G_MAX``. (Bounding every gradient of every update
    would cost about 5% of a small network's training step.)"""

    def update(params, grads, state, check=True):
        try:
            with np.errstate(over="raise"):
                return step(params, grads, state, False, check)
        except FloatingPointError:  # a huge gradient: redo under the caller's error settings
            return step(params, grads, state, True, check)

    return update


# ---------------------------------------------------------------- the optimizers


def gd_step(w, g, alpha):
    """The rule of :func:`gd` for one parameter: ``w - alpha g`` (numbers or arrays).

    :func:`gd`'s ``update`` applies it to every parameter of a dict. A loop over plain numbers
    (chapter 8's point on a 2-D surface, thousands of steps per slider move) calls it directly,
    without the dicts and the per-update checks that cost far more than the arithmetic; such a
    loop validates its learning rates once, before its first step.
    """
    return w - alpha * g


def gd(learning_rate=0.01):
    """Plain gradient descent: ``W := W - alpha dW``.

    Parameters
    ----------
    learning_rate : float > 0, array of them (one per stacked network), or schedule
        ``t -> alpha``; default 0.01.
    """
    learning_rate = _check_learning_rate(learning_rate)

    def init(params):
        _check_params(params)
        return {"t": 0}

    def update(params, grads, state, check=True):
        paired = _pairs(params, grads, check)
        alpha = _alpha(learning_rate, state["t"])
        new = dict(params)
        for name, g in paired.items():
            new[name] = gd_step(params[name], g, _aligned(alpha, "learning_rate", name, g))
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
    learning_rate : float > 0, array of them, or schedule ``t -> alpha``; default 0.01.
    beta : float in [0, 1) or array of them, default 0.9 (an average over about
        ``1 / (1 - beta) = 10`` gradients).
    """
    learning_rate = _check_learning_rate(learning_rate)
    beta = _check_beta("beta", beta)
    fixed = _fixed_per_parameter((beta, 1 - beta), ("beta", "beta"))

    def init(params):
        return {"t": 0, "v": _zeros(params)}

    def update(params, grads, state, check=True):
        paired = _pairs(params, grads, check)
        alpha = _alpha(learning_rate, state["t"])
        shaped = _per_parameter((alpha,), ("learning_rate",))
        new, v = dict(params), dict(state["v"])
        for name, g in paired.items():
            (a,), (b, c) = shaped(name, g), fixed(name, g)
            v[name] = b * state["v"][name] + c * g
            new[name] = params[name] - a * v[name]
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
    learning_rate : float > 0, array of them, or schedule ``t -> alpha``; default 0.01.
    beta : float in [0, 1) or array of them, default 0.9.
    """
    learning_rate = _check_learning_rate(learning_rate)
    beta = _check_beta("beta", beta)
    fixed = _fixed_per_parameter((beta, 1 - beta), ("beta", "beta"))

    def init(params):
        return {"t": 0, "v": _zeros(params)}

    def update(params, grads, state, check=True):
        paired = _pairs(params, grads, check)
        alpha = _alpha(learning_rate, state["t"])
        shaped = _per_parameter((alpha,), ("learning_rate",))
        new, v = dict(params), dict(state["v"])
        for name, g in paired.items():
            (a,), (b, c) = shaped(name, g), fixed(name, g)
            v[name] = b * state["v"][name] + c * g
            new[name] = params[name] - a * (b * v[name] + c * g)
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
    learning_rate : float > 0, array of them, or schedule ``t -> alpha``; default 0.01.
    epsilon : float > 0 or array of them, default 1e-8.
    """
    learning_rate = _check_learning_rate(learning_rate)
    epsilon = _check_epsilon(epsilon)
    fixed = _fixed_per_parameter((epsilon,), ("epsilon",))

    def init(params):
        return {"t": 0, "s": _zeros(params)}

    def step(params, grads, state, bound, check):
        paired = _pairs(params, grads, check)
        alpha = _alpha(learning_rate, state["t"])
        shaped = _per_parameter((alpha,), ("learning_rate",))
        new, s = dict(params), dict(state["s"])
        for name, g in paired.items():
            (a,), (eps,) = shaped(name, g), fixed(name, g)
            g = _bounded(g) if bound else g
            s[name] = state["s"][name] + g * g
            if bound:
                s[name] = np.minimum(s[name], S_MAX)
            new[name] = params[name] - a * g / (np.sqrt(s[name]) + eps)
        return new, {"t": state["t"] + 1, "s": s}

    return Optimizer(init, _scale_free(step))


def rmsprop(learning_rate=0.001, beta=0.9, epsilon=1e-8):
    """RMSProp: divide each step by the root of an average of squared gradients::

        s := beta s + (1 - beta) dW**2       (s starts at 0)
        W := W - alpha dW / (sqrt(s) + epsilon)

    ``epsilon`` is added *outside* the square root. No bias correction: the first step is
    ``alpha / sqrt(1 - beta)`` per coordinate (about ``3.2 alpha`` for ``beta = 0.9``).

    Parameters
    ----------
    learning_rate : float > 0, array of them, or schedule ``t -> alpha``; default 0.001.
    beta : float in [0, 1) or array of them, default 0.9.
    epsilon : float > 0 or array of them, default 1e-8.
    """
    learning_rate = _check_learning_rate(learning_rate)
    beta = _check_beta("beta", beta)
    epsilon = _check_epsilon(epsilon)
    fixed = _fixed_per_parameter((beta, 1 - beta, epsilon), ("beta", "beta", "epsilon"))

    def init(params):
        return {"t": 0, "s": _zeros(params)}

    def step(params, grads, state, bound, check):
        paired = _pairs(params, grads, check)
        alpha = _alpha(learning_rate, state["t"])
        shaped = _per_parameter((alpha,), ("learning_rate",))
        new, s = dict(params), dict(state["s"])
        for name, g in paired.items():
            (a,), (b, c, eps) = shaped(name, g), fixed(name, g)
            g = _bounded(g) if bound else g
            s[name] = b * state["s"][name] + c * g * g
            new[name] = params[name] - a * g / (np.sqrt(s[name]) + eps)
        return new, {"t": state["t"] + 1, "s": s}

    return Optimizer(init, _scale_free(step))


def _adam(learning_rate, beta1, beta2, epsilon, weight_decay):
    learning_rate = _check_learning_rate(learning_rate)
    beta1 = _check_beta("beta1", beta1)
    beta2 = _check_beta("beta2", beta2)
    epsilon = _check_epsilon(epsilon)
    if weight_decay is not None:
        weight_decay = _hyper("weight_decay", weight_decay, low=0)
    fixed = _fixed_per_parameter((beta1, 1 - beta1, beta2, 1 - beta2, epsilon, weight_decay),
                                 ("beta1", "beta1", "beta2", "beta2", "epsilon", "weight_decay"))

    def init(params):
        zeros = _zeros(params)
        return {"t": 0, "v": zeros, "s": dict(zeros)}

    def step(params, grads, state, bound, check):
        paired = _pairs(params, grads, check)
        t = state["t"] + 1
        alpha = _alpha(learning_rate, state["t"])
        shaped = _per_parameter((alpha, 1 - beta1**t, 1 - beta2**t), ("learning_rate", "beta1", "beta2"))
        new, v, s = dict(params), dict(state["v"]), dict(state["s"])
        for name, g in paired.items():
            (a, correct1, correct2), (b1, c1, b2, c2, eps, wd) = shaped(name, g), fixed(name, g)
            g = _bounded(g) if bound else g
            # The formula's operations in its order, each result written into an array this step
            # owns (half the temporary arrays of the plain expressions, the same bits).
            v[name] = v_new = b1 * state["v"][name]
            v_new += c1 * g
            s[name] = s_new = c2 * g
            s_new *= g
            s_new += b2 * state["s"][name]
            denominator = s_new / correct2           # s_hat
            np.sqrt(denominator, out=denominator)
            denominator += eps
            update = v_new / correct1                # v_hat
            if wd is not None and _decays(name):
                update /= denominator
                update += wd * params[name]
                update *= a
            else:  # a * v_hat first, then the division, as the formula is written
                update *= a
                update /= denominator
            new[name] = params[name] - update
        return new, {"t": t, "v": v, "s": s}

    return Optimizer(init, _scale_free(step))


def _decays(name):
    # Biases and batch norm's shift and scale are not decayed (the L2 penalty of helpers.model
    # also covers the weights only).
    return not name.startswith(("b", "gamma"))


def adam(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """Adam, bias-corrected, with epsilon *outside* the square root::

        v = beta1 v + (1 - beta1) dW          s = beta2 s + (1 - beta2) dW**2
        v_hat = v / (1 - beta1**t)            s_hat = s / (1 - beta2**t)      (t = 1, 2, ...)
        W := W - alpha v_hat / (sqrt(s_hat) + epsilon)

    Parameters
    ----------
    learning_rate : float > 0, array of them, or schedule ``t -> alpha`` (``t = 0`` for the
        first update); default 0.001.
    beta1 : float in [0, 1) or array of them, default 0.9 (the momentum average).
    beta2 : float in [0, 1) or array of them, default 0.999 (the RMSProp average).
    epsilon : float > 0 or array of them, default 1e-8.
    """
    return _adam(learning_rate, beta1, beta2, epsilon, None)


def adamw(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, weight_decay=0.01):
    """AdamW: Adam with *decoupled* weight decay (Loshchilov and Hutter, 2019)::

        W := W - alpha (v_hat / (sqrt(s_hat) + epsilon) + weight_decay W)

    with ``v_hat``, ``s_hat`` exactly as in :func:`adam`, computed from the gradient of the cost
    *without* an L2 term. The decay is applied to every parameter except biases and batch norm's
    ``gamma``/``beta`` (names starting with ``b`` or ``gamma``), as the L2 penalty of
    :mod:`helpers.model` covers weights only.

    Why not Adam plus an L2 gradient ``lambd/m W``? Adam divides that term by ``sqrt(s_hat)``
    along with the rest of the gradient, so weights with large gradients are barely decayed: it
    is not weight decay. With plain gradient descent the two are the same thing
    (``weight_decay = lambd / m``); with Adam they differ.

    Parameters
    ----------
    learning_rate, beta1, beta2, epsilon : as :func:`adam`.
    weight_decay : float >= 0 or array of them, default 0.01 (0 gives Adam exactly).
    """
    weight_decay = _hyper("weight_decay", weight_decay, low=0)
    return _adam(learning_rate, beta1, beta2, epsilon, weight_decay)


OPTIMIZERS = {"gd": gd, "momentum": momentum, "nesterov": nesterov, "adagrad": adagrad,
              "rmsprop": rmsprop, "adam": adam}
"""Name -> constructor of chapter 7's six rules, in the order the course introduces them."""

VARIANTS = {"adamw": adamw}
"""Further rules :func:`make` knows (not in chapter 7's comparison of six)."""


def make(name, learning_rate, beta=0.9, beta1=0.9, beta2=0.999, epsilon=1e-8, weight_decay=0.01):
    """The optimizer called ``name`` (a key of :data:`OPTIMIZERS` or :data:`VARIANTS`) from one
    set of knobs.

    ``beta`` is momentum's and Nesterov's ``beta`` and RMSProp's ``beta``; ``beta1``, ``beta2``
    are Adam's and AdamW's; ``epsilon`` is AdaGrad's, RMSProp's and Adam's; ``weight_decay`` is
    AdamW's. Knobs an optimizer does not have are ignored, so a playground can build every
    optimizer from the same controls. Each knob may be an array over a stack of networks.
    """
    if not isinstance(name, str) or name not in OPTIMIZERS and name not in VARIANTS:
        raise error("name", repr(name) if isinstance(name, str) else describe(name),
                    f"one of {list(OPTIMIZERS) + list(VARIANTS)}")
    if name == "gd":
        return gd(learning_rate)
    if name in ("momentum", "nesterov"):
        return OPTIMIZERS[name](learning_rate, beta)
    if name == "adagrad":
        return adagrad(learning_rate, epsilon)
    if name == "rmsprop":
        return rmsprop(learning_rate, beta, epsilon)
    if name == "adamw":
        return adamw(learning_rate, beta1, beta2, epsilon, weight_decay)
    return adam(learning_rate, beta1, beta2, epsilon)


# ---------------------------------------------------------------- gradient clipping


def global_norm(grads, stack_ndim=0):
    """``sqrt(sum over every array of sum(g**2))``: the norm of all the gradients as one vector.

    Parameters
    ----------
    grads : dict of name -> array (e.g. ``{"dW1": ..., "db1": ...}``).
    stack_ndim : the number of leading stack axes (0 for one network, 1 for a stack of ``K``
        networks: one norm per network, shape ``(K,)``).

    Computed on rescaled values, so gradients of ``1e200`` give ``1e200``-sized norms, not ``inf``.
    """
    if not isinstance(grads, dict) or not grads:
        raise error("grads", "an empty dict" if isinstance(grads, dict) else describe(grads), "a non-empty dict of arrays")
    check_number("stack_ndim", stack_ndim, low=0, integer=True)
    arrays = [as_float_array(f"grads[{key!r}]", g) for key, g in grads.items()]
    for key, g in zip(grads, arrays):
        if g.ndim < stack_ndim or g.shape[:stack_ndim] != arrays[0].shape[:stack_ndim]:
            raise error(f"grads[{key!r}]", f"shape {g.shape}",
                        f"the leading stack axes {arrays[0].shape[:stack_ndim]} of the first gradient")
    lead = arrays[0].shape[:stack_ndim]
    axes = lambda g: tuple(range(stack_ndim, g.ndim))  # noqa: E731
    scale = np.zeros(lead)
    for g in arrays:
        scale = np.maximum(scale, np.max(np.abs(g), axis=axes(g), initial=0.0))
    safe = np.where(scale > 0, scale, 1.0)
    expand = lambda x, g: np.reshape(x, lead + (1,) * (g.ndim - stack_ndim))  # noqa: E731
    total = sum(np.sum((g / expand(safe, g)) ** 2, axis=axes(g)) for g in arrays)
    norm = scale * np.sqrt(total)
    return float(norm) if stack_ndim == 0 else norm


def clip_by_norm(grads, max_norm):
    """Gradient clipping: rescale every gradient by ``min(1, max_norm / ||grads||)``.

    ``||grads||`` is :func:`global_norm`, all arrays together, so the direction of the step is
    kept and only its length is capped. A ``max_norm`` array of shape ``(K,)`` clips each network
    of a stack by its own norm (the stacking rule of this module). Returns a new dict.
    """
    max_norm = _hyper("max_norm", max_norm, low=0, low_open=True)
    stack_ndim = np.ndim(max_norm)
    norm = global_norm(grads, stack_ndim)
    factor = np.minimum(1.0, max_norm / np.maximum(norm, np.finfo(float).tiny))
    return {key: _aligned(factor, "max_norm", key, np.asarray(g)) * np.asarray(g, dtype=float) if stack_ndim
            else factor * np.asarray(g, dtype=float) for key, g in grads.items()}
