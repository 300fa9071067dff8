"""Chapter 7: the optimizers at work, measured, and the chapter's exercises.

The update rules themselves live in :mod:`helpers.optim`; this module only runs them and measures:

- :func:`escape_rate`: how fast a rule moves away from a saddle along its downhill direction
  (the growth factor per step of the distance, on the linearised objective ``-y^2 / 2``);
- :func:`effective_learning_rates`: the step a rule takes per unit of gradient, ``|dW step| / |g|``,
  along a sequence of gradients (AdaGrad's decays to 0, RMSProp's does not);
- :func:`adam_efficient_learning_rate`: the step size ``lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)``
  of Adam's efficient form, which folds both bias corrections into the learning rate.

Exercises: :func:`check_momentum_step`, :func:`check_rmsprop_step` and :func:`check_adam_step` grade a learner's single
update, naming the first precise difference (another momentum convention, epsilon inside the
square root as in the source notes, a missing bias correction, ...).
"""

from __future__ import annotations

import numpy as np

from . import exercises, optim
from .validate import as_float_array, check_number

__all__ = [
    "escape_rate",
    "effective_learning_rates",
    "adam_efficient_learning_rate",
    "check_momentum_step",
    "check_rmsprop_step",
    "check_adam_step",
]


def _check_optimizer(optimizer):
    if not isinstance(optimizer, optim.Optimizer):
        raise ValueError(f"optimizer: got {type(optimizer).__name__}, expected an optim.Optimizer, "
                         "e.g. optim.momentum(0.1, beta=0.9)")
    return optimizer


def escape_rate(optimizer, num_steps=200):
    """Growth factor per step of the distance from a saddle along its downhill direction.

    Runs ``optimizer`` on ``f(y) = -y^2 / 2`` (gradient ``-y``: the linearised downhill direction of
    a saddle of curvature -1) from ``y = 1e-6`` and returns ``y_T / y_{T-1}`` after ``num_steps``
    updates. Gradient descent with ``alpha`` gives exactly ``1 + alpha``; the number of steps to get
    from ``y0`` to ``y1`` is then about ``log(y1 / y0) / log(rate)``.
    """
    _check_optimizer(optimizer)
    check_number("num_steps", num_steps, low=2, integer=True)
    params = {"y": np.array(1e-6)}
    state = optimizer.init(params)
    previous = params["y"]
    for _ in range(num_steps):
        previous = params["y"]
        params, state = optimizer.update(params, {"dy": -params["y"]}, state)
        if not abs(params["y"]) < 1e100:
            raise ValueError(f"num_steps: got {num_steps}, expected fewer: y left 1e100 (the rate is "
                             f"{float(params['y'] / previous):.3g} per step)")
    return float(params["y"] / previous)


def effective_learning_rates(optimizer, gradients):
    """The step per unit of gradient, ``|W_{t+1} - W_t| / |g_t|``, along a sequence of gradients.

    Parameters
    ----------
    optimizer : an :class:`helpers.optim.Optimizer`.
    gradients : array (T,) of nonzero gradients of one parameter, fed in turn.

    Returns
    -------
    array (T,): for GD this is ``alpha`` every step; for AdaGrad ``alpha / (sqrt(sum g^2) + eps)``,
    which decays to 0 as the sum grows; for RMSProp ``alpha / (sqrt(s_t) + eps)``, which stays
    near ``alpha / rms(g)``.
    """
    _check_optimizer(optimizer)
    g = as_float_array("gradients", gradients, ndim=1)
    if np.any(g == 0):
        raise ValueError("gradients: got a 0, expected nonzero gradients (the rate divides by |g|)")
    params = {"W": np.array(0.0)}
    state = optimizer.init(params)
    rates = np.empty_like(g)
    for t, g_t in enumerate(g):
        new, state = optimizer.update(params, {"dW": np.array(g_t)}, state)
        rates[t] = abs(float(new["W"] - params["W"])) / abs(g_t)
        params = new
    return rates


def adam_efficient_learning_rate(learning_rate, beta1, beta2, t):
    """``lr_t = learning_rate sqrt(1 - beta2^t) / (1 - beta1^t)``: Adam's efficient form.

    With it, ``W := W - lr_t v / (sqrt(s) + epsilon_hat)`` on the *uncorrected* ``v, s`` takes
    exactly the bias-corrected step of :func:`helpers.optim.adam` when
    ``epsilon_hat = epsilon sqrt(1 - beta2^t)`` (and nearly so with the same epsilon, whenever
    ``sqrt(s)`` is much larger than epsilon). ``t`` counts updates from 1 and may be an array.
    """
    check_number("learning_rate", learning_rate, low=0, low_open=True)
    for name, beta in (("beta1", beta1), ("beta2", beta2)):
        check_number(name, beta, low=0, high=1, high_open=True)
    t = np.asarray(t)
    if not np.issubdtype(t.dtype, np.integer) or np.any(t < 1):
        raise ValueError(f"t: got {t.tolist()}, expected update counts 1, 2, ... (integers >= 1)")
    return learning_rate * np.sqrt(1 - beta2**t) / (1 - beta1**t)


# ---------------------------------------------------------------- exercises


def _expect_pair_or_triple(result, names):
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        raise exercises.Mistake(f"return the tuple ({', '.join(names)}); got "
                                f"{type(result).__name__}{'' if not isinstance(result, (tuple, list)) else f' of {len(result)}'}")
    return [exercises.expect_array(name, value) for name, value in zip(names, result)]


def _call_keeping(fn, names, arrays, *rest, **hyper):
    """Call the learner's ``fn`` on copies of ``arrays`` (named ``names``), then ``rest`` and
    ``hyper``; fail if it changed any of them in place (the rules return new arrays)."""
    given = [array.copy() for array in arrays]
    result = exercises.call_in_place(fn, *given, *rest, **hyper)
    for name, array, passed in zip(names, arrays, given):
        if not np.array_equal(array, passed):
            raise exercises.Mistake(f"your function changed the caller's {name} in place ({name} -= ..., {name} *= ...): "
                                    f"build a new array instead ({name} = ...), the caller may still need the old one")
    return result


def _matches(got, expected):
    return all(g.shape == e.shape and np.allclose(g, e, rtol=1e-7, atol=1e-12) for g, e in zip(got, expected))


def _momentum_variants(W, dW, v, learning_rate, beta):
    v_new = beta * v + (1 - beta) * dW
    v_sum = beta * v + dW
    return {
        None: (W - learning_rate * v_new, v_new),
        "v = beta v + dW is another convention (its steps are 1/(1 - beta) times larger at the same alpha); "
        "this course averages: v = beta v + (1 - beta) dW": (W - learning_rate * v_sum, v_sum),
        "W moved with the old v: update v first, then W := W - alpha v with the new v":
            (W - learning_rate * v, v_new),
        "beta and (1 - beta) are swapped: v = beta v + (1 - beta) dW":
            (W - learning_rate * ((1 - beta) * v + beta * dW), (1 - beta) * v + beta * dW),
        "the step goes uphill: W := W - alpha v, not W + alpha v": (W + learning_rate * v_new, v_new),
    }


def _judge(case, got, variants, labels, hints):
    """One learner step against ``variants`` (mistake message -> outputs; ``None`` -> the reference).

    Passes silently when ``got`` matches the reference; else fails naming a recognized mistake; else
    names the first output that differs, the state (v, s) before W. ``labels`` and ``hints`` go with
    the outputs in ``got``'s order.
    """
    if _matches(got, variants[None]):
        return
    for mistake, expected in variants.items():
        if mistake is not None and _matches(got, expected):
            raise exercises.Mistake(f"{case}: {mistake}")
    for i in [*range(1, len(got)), 0]:
        exercises.expect_close(labels[i], got[i], variants[None][i], rtol=1e-7, atol=1e-12, hint=hints[i])


@exercises.checker("a momentum step")
def check_momentum_step(fn, seed=0):
    """Check a learner's ``fn(W, dW, v, learning_rate, beta) -> (W, v)``: one step of momentum.

    The course's rule: ``v := beta v + (1 - beta) dW``, ``W := W - alpha v``. Runs it on seeded
    random inputs (``v`` zero, then not) and names the mistake when it recognizes one.
    """
    rng = np.random.default_rng(seed)
    hyper = dict(learning_rate=0.1, beta=0.8)
    for case, v_scale in (("with v = 0 (the first step)", 0.0), ("with a nonzero v", 1.0)):
        W, dW, v = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), v_scale * rng.standard_normal((3, 4))
        got = _expect_pair_or_triple(_call_keeping(fn, ("W", "dW", "v"), (W, dW, v), **hyper), ("W", "v"))
        _judge(case, got, _momentum_variants(W, dW, v, **hyper), ("W", "v"),
               (f"{case}: W := W - alpha v", f"{case}: v = beta v + (1 - beta) dW"))
    return "v and W match v = beta v + (1 - beta) dW, W := W - alpha v, from v = 0 and from a nonzero v"


def _rmsprop_variants(W, dW, s, learning_rate, beta, epsilon):
    s_new = beta * s + (1 - beta) * dW**2
    return {
        None: (W - learning_rate * dW / (np.sqrt(s_new) + epsilon), s_new),
        "epsilon is inside the square root, sqrt(s + epsilon): that is the source notes' convention; this course "
        "adds it outside, sqrt(s) + epsilon (the two differ wherever s is not much larger than epsilon)":
            (W - learning_rate * dW / np.sqrt(s_new + epsilon), s_new),
        "W moved with the old s: update s first, then divide by sqrt(s) + epsilon with the new s":
            (W - learning_rate * dW / (np.sqrt(s) + epsilon), s_new),
        "s sums the squared gradients (that is AdaGrad): average them, s = beta s + (1 - beta) dW**2":
            (W - learning_rate * dW / (np.sqrt(s + dW**2) + epsilon), s + dW**2),
        "the square root is missing: divide by sqrt(s) + epsilon":
            (W - learning_rate * dW / (s_new + epsilon), s_new),
        "the step goes uphill: W := W - alpha dW / (sqrt(s) + epsilon)":
            (W + learning_rate * dW / (np.sqrt(s_new) + epsilon), s_new),
    }


@exercises.checker("an RMSProp step")
def check_rmsprop_step(fn, seed=0):
    """Check a learner's ``fn(W, dW, s, learning_rate, beta, epsilon) -> (W, s)``: one RMSProp step.

    The course's rule: ``s := beta s + (1 - beta) dW**2``, ``W := W - alpha dW / (sqrt(s) + epsilon)``.
    Runs it from ``s = 0`` and from a nonzero ``s`` with small gradients (``1e-2``) and
    ``epsilon = 1e-3``, so that the place of epsilon matters far beyond rounding.
    """
    rng = np.random.default_rng(seed)
    hyper = dict(learning_rate=0.01, beta=0.9, epsilon=1e-3)
    for case, s_scale in (("with s = 0 (the first step)", 0.0), ("with a nonzero s", 1e-4)):
        W, dW, s = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)) * 1e-2, s_scale * rng.random((3, 4))
        got = _expect_pair_or_triple(_call_keeping(fn, ("W", "dW", "s"), (W, dW, s), **hyper), ("W", "s"))
        _judge(case, got, _rmsprop_variants(W, dW, s, **hyper), ("W", "s"),
               (f"{case}: W := W - alpha dW / (sqrt(s) + epsilon)", f"{case}: s = beta s + (1 - beta) dW**2"))
    return "s and W match s = beta s + (1 - beta) dW**2, W := W - alpha dW / (sqrt(s) + epsilon), from s = 0 and not"


def _adam_variants(W, dW, v, s, t, learning_rate, beta1, beta2, epsilon):
    """The reference Adam step and the usual ways of getting it wrong, as message -> (W, v, s)."""
    v_new = beta1 * v + (1 - beta1) * dW
    s_new = beta2 * s + (1 - beta2) * dW**2
    v_hat, s_hat = v_new / (1 - beta1**t), s_new / (1 - beta2**t)

    def step(num, den):
        return W - learning_rate * num / den

    return {
        None: (step(v_hat, np.sqrt(s_hat) + epsilon), v_new, s_new),
        "epsilon is inside the square root, sqrt(s_hat + epsilon): that is the source notes' convention; "
        "this course's Adam (like the paper and most libraries) adds it outside, sqrt(s_hat) + epsilon, and the "
        "two differ wherever s_hat is not much larger than epsilon": (step(v_hat, np.sqrt(s_hat + epsilon)), v_new, s_new),
        "no bias correction: divide v by 1 - beta1**t and s by 1 - beta2**t (t = 1 for the first step)":
            (step(v_new, np.sqrt(s_new) + epsilon), v_new, s_new),
        "the bias correction uses t - 1: with t = 1 for the first step, divide by 1 - beta1**t and 1 - beta2**t":
            (step(v_new / (1 - beta1 ** max(t - 1, 1)), np.sqrt(s_new / (1 - beta2 ** max(t - 1, 1))) + epsilon),
             v_new, s_new) if t > 2 else (np.full_like(W, np.nan), v_new, s_new),
        "the bias correction uses t + 1: t already counts from 1 (1 for the first step), divide by 1 - beta1**t "
        "and 1 - beta2**t": (step(v_new / (1 - beta1 ** (t + 1)), np.sqrt(s_new / (1 - beta2 ** (t + 1))) + epsilon),
                             v_new, s_new),
        "only v is bias-corrected: divide s by 1 - beta2**t too": (step(v_hat, np.sqrt(s_new) + epsilon), v_new, s_new),
        "only s is bias-corrected: divide v by 1 - beta1**t too": (step(v_new, np.sqrt(s_hat) + epsilon), v_new, s_new),
        "the square root of s_hat is missing": (step(v_hat, s_hat + epsilon), v_new, s_new),
        "s averages dW, not dW**2": (step(v_hat, np.sqrt(np.abs(beta2 * s + (1 - beta2) * dW) / (1 - beta2**t)) + epsilon),
                                     v_new, beta2 * s + (1 - beta2) * dW),
        "the (1 - beta) factors are missing (v = beta1 v + dW, s = beta2 s + dW**2)":
            (step((beta1 * v + dW) / (1 - beta1**t), np.sqrt((beta2 * s + dW**2) / (1 - beta2**t)) + epsilon),
             beta1 * v + dW, beta2 * s + dW**2),
        "the bias-corrected v_hat, s_hat were returned as v, s: keep v and s uncorrected for the next step":
            (step(v_hat, np.sqrt(s_hat) + epsilon), v_hat, s_hat),
        "the step goes uphill: W := W - alpha v_hat / (sqrt(s_hat) + epsilon)":
            (W + learning_rate * v_hat / (np.sqrt(s_hat) + epsilon), v_new, s_new),
    }


@exercises.checker("an Adam step")
def check_adam_step(fn, seed=0):
    """Check a learner's ``fn(W, dW, v, s, t, learning_rate, beta1, beta2, epsilon) -> (W, v, s)``.

    One bias-corrected Adam update with epsilon *outside* the square root, for update number ``t``
    (1 for the first). Runs it at ``t = 1, 2, 10`` on seeded inputs whose gradients are small
    (``1e-2``) and ``epsilon = 1e-3``, so that the place of epsilon changes the step by far more
    than rounding; names the mistake when it recognizes one, otherwise the first quantity that
    differs.
    """
    rng = np.random.default_rng(seed)
    hyper = dict(learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-3)
    for t in (1, 2, 10):
        W, dW = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)) * 1e-2
        v, s = rng.standard_normal((3, 4)) * 1e-2 * (t > 1), rng.random((3, 4)) * 1e-4 * (t > 1)
        got = _expect_pair_or_triple(_call_keeping(fn, ("W", "dW", "v", "s"), (W, dW, v, s), t, **hyper), ("W", "v", "s"))
        for name, g in zip(("W", "v", "s"), got):
            exercises.expect_shape(name, g, W.shape)
        _judge(f"at t = {t}", got, _adam_variants(W, dW, v, s, t, **hyper), ("the new W", "the new v", "the new s"),
               (f"at t = {t}",) * 3)
    return "v, s and W match the reference Adam step (epsilon outside the root) at t = 1, 2 and 10"
