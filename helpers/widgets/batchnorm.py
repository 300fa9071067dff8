"""Chapter 9's live experiments: activations across depth, and learning-rate sweeps, with and without BN."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as W
import numpy as np

from .. import batchnorm, data, plots
from . import Experiment, LiveFigure, register

# Without / with batch norm: plots.COLORS' unnormalized / normalized pair (chapter 11 uses it for
# raw / standardized inputs).
BN_COLORS = {"no BN": plots.COLORS["unnormalized"], "BN": plots.COLORS["normalized"]}


@lru_cache(maxsize=1)
def default_stats():
    """Activation statistics behind ``09_batchnorm`` (computed once per kernel)."""
    return batchnorm.activation_statistics(depths=(2, 4, 6, 8, 10), m=160, n_bins=100)


@lru_cache(maxsize=1)
def default_sweep():
    """The learning-rate sweep behind ``09_batchnorm.lr_sweep``: 384 training digits, 360 dev digits."""
    X, y = data.load_digits()
    (X_train, y_train), (X_dev, y_dev) = data.train_dev_test_split(X, y, (0.8, 0.2), seed=0)
    return batchnorm.lr_sweep(X_train[:, :384], data.one_hot(y_train[:, :384], 10), X_dev, data.one_hot(y_dev, 10),
                              learning_rates=(0.01, 0.03, 0.1, 0.3, 1.0, 3.0), init_scales=(0.2, 1.0, 3.0),
                              num_epochs=15)


@register("09_batchnorm")
def activations_explorer(stats=None):
    """Per-layer histograms of A[l] at initialization and the spread / gradient norm of each layer."""
    stats = default_stats() if stats is None else stats
    max_depth = max(stats.depths)
    controls = {
        "depth": W.SelectionSlider(options=stats.depths, value=stats.depths[-1], description="hidden layers"),
        "init_scale": W.SelectionSlider(options=stats.init_scales, value=stats.init_scales[0], description="init scale"),
        "batchnorm": W.Checkbox(value=False, description="batch norm"),
        "hidden": W.Dropdown(options=stats.hiddens, value=stats.hiddens[0], description="activation"),
    }
    for control in controls.values():
        control.style.description_width = "90px"

    live = LiveFigure(1, 2, figsize=(10.5, 4.6), gridspec_kw={"width_ratios": [1.2, 1]})
    ridge, spread = live.axes
    # x runs over [0, 1] = the histogram range of the activation shown; the tick labels are
    # animated texts, so that switching tanh <-> ReLU does not redraw the whole figure.
    ridge.set_xlim(-0.05, 1.05)
    ticks = np.linspace(0, 1, 5)
    ridge.set_xticks(ticks, [""] * ticks.size)
    tick_labels = [live.animate(ridge.text(t, -0.015, "", transform=ridge.get_xaxis_transform(), ha="center",
                                           va="top", fontsize=10)) for t in ticks]
    ridge.set_xlabel("activation value A[l]", fontsize=11, labelpad=8)
    ridge.set_ylim(-0.2, max_depth + 0.1)
    ridge.set_yticks(np.arange(max_depth) + 0.3, [f"A[{max_depth - r}]" for r in range(max_depth)])
    plots.style_axes(ridge, "histogram of each hidden layer's activations", None, None)
    polygons = []
    for r in range(max_depth):
        (poly,) = ridge.fill([0, 1], [r, r], color=BN_COLORS["no BN"], alpha=0.75, lw=1, edgecolor="k")
        polygons.append(live.animate(poly))

    layers_axis = np.arange(1, max_depth + 2)
    spread.set_yscale("log")
    spread.set_ylim(1e-10, 1e10)  # room above and below the curves for the status line
    spread.set_xlim(0.5, max_depth + 1.5)
    spread.axhline(1.0, color=plots.COLORS["reference"], lw=1, zorder=0)
    plots.style_axes(spread, "spread of A[l] and size of dW[l]", "layer l", "value (log scale)")
    (std_line,) = spread.plot(layers_axis[:-1], np.ones(max_depth), "o-", color=plots.COLORS["A"], label="std of A[l]")
    (grad_line,) = spread.plot(layers_axis, np.ones(max_depth + 1), "s--", color=plots.COLORS["dW"], label="||dW[l]||")
    live.animate(std_line, grad_line)
    # Under the axis: inside, every corner is crossed by one of the curves at some setting.
    spread.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=10, frameon=False)
    status = live.animate(plots.draw_status(spread, "", loc=(0.5, 0.92), fontsize=12))

    def update(depth, init_scale, batchnorm, hidden):
        key = (hidden, batchnorm, depth, init_scale)
        hist, std, grad = stats.hist[key], stats.std[key], stats.grad_norm[key]
        edges = stats.bins[hidden]
        color = BN_COLORS["BN" if batchnorm else "no BN"]
        for t, label in zip(ticks, tick_labels):
            label.set_text(f"{edges[0] + t * (edges[-1] - edges[0]):g}")
        unit = (edges - edges[0]) / (edges[-1] - edges[0])
        for r in range(max_depth):
            l = max_depth - r  # layer 1 at the top
            visible = l <= depth
            polygons[r].set_visible(visible)
            if not visible:
                continue
            heights = 0.9 * hist[l - 1] / max(hist[l - 1].max(), 1e-12)
            # A step outline: (u0, 0), (u0, h0), (u1, h0), (u1, h1), ..., (un, h_last), (un, 0).
            polygons[r].set_xy(np.column_stack([np.repeat(unit, 2), r + np.r_[0.0, np.repeat(heights, 2), 0.0]]))
            polygons[r].set_facecolor(color)
        std_line.set_data(layers_axis[:depth], np.clip(std, 1e-10, 1e10))
        grad_line.set_data(layers_axis[: depth + 1], np.clip(grad, 1e-10, 1e10))
        if std[-1] < 1e-2:
            text = "activations vanish"
        elif std[-1] > 1e2:
            text = "activations explode"
        elif hidden == "tanh" and np.mean(np.abs(hist[-1][[0, -1]])) > 0.2:
            text = "tanh saturates"
        else:
            text = ""
        if grad.max() < 1e-4:
            text = (text + ", " if text else "") + "every gradient tiny"
        elif grad.max() > 1e4:
            text = (text + ", " if text else "") + "gradients explode"
        plots.set_status(status, text)
        note = (f" (ReLU histograms: non-zero values only, {100 * stats.active[key][-1]:.0f}% non-zero in the last "
                f"layer; values above {edges[-1]:g} in the last bin)") if hidden == "relu" else ""
        return (f"{'with' if batchnorm else 'without'} batch norm, {hidden}, init scale {init_scale}: std of the last "
                f"hidden layer {std[-1]:.0e}; gradients ||dW[l]|| from {grad.min():.0e} to {grad.max():.0e} "
                f"(||dW[1]|| = {grad[0]:.0e}, ||dW[L]|| = {grad[-1]:.0e}){note}")

    return Experiment(controls, live, update, title="Activations at initialization, layer by layer")


@register("09_batchnorm.lr_sweep")
def lr_sweep_explorer(sweep=None):
    """Training cost of the same network with and without BN, for one learning rate and init scale."""
    sweep = default_sweep() if sweep is None else sweep
    lrs = np.asarray(sweep.learning_rates)
    controls = {
        "learning_rate": W.SelectionSlider(options=sweep.learning_rates, value=sweep.learning_rates[2], description="alpha"),
        "init_scale": W.SelectionSlider(options=sweep.init_scales, value=sweep.init_scales[1], description="init scale"),
    }
    for control in controls.values():
        control.style.description_width = "80px"

    live = LiveFigure(1, 2, figsize=(10.5, 4.2))
    curves, final = live.axes
    epochs = np.arange(1, sweep.num_epochs + 1)
    curves.set_yscale("log")
    curves.set_ylim(1e-3, 5)
    curves.set_xlim(0.5, sweep.num_epochs + 0.5)
    curves.axhline(sweep.chance_cost, color=plots.COLORS["reference"], lw=1, ls=":", zorder=0)
    # At the right end: a run that starts far above chance crosses this line at the left.
    curves.text(sweep.num_epochs, sweep.chance_cost * 1.15, "chance (log C)", ha="right", va="bottom", fontsize=10,
                color=plots.COLORS["reference"])
    plots.style_axes(curves, "training cost", "epoch", "cost J (log scale)")
    lines = {name: live.animate(curves.plot(epochs, np.ones_like(epochs, dtype=float), lw=2, color=c, label=name)[0])
             for name, c in BN_COLORS.items()}
    curves.legend(loc="lower left", fontsize=10)
    # Below the chance line (where a stalled cost sits) and above the trained curves.
    status = {"no BN": live.animate(plots.draw_status(curves, "", loc=(0.72, 0.74), fontsize=11)),
              "BN": live.animate(plots.draw_status(curves, "", loc=(0.72, 0.62), fontsize=11, color=BN_COLORS["BN"]))}

    final.set_xscale("log")
    final.set_ylim(0, 1.02)
    final.set_xlim(lrs.min() / 1.5, lrs.max() * 1.5)
    plots.style_axes(final, "dev accuracy after training", "learning rate alpha (log scale)", "dev accuracy")
    acc_lines = {name: live.animate(final.plot(lrs, np.zeros_like(lrs), "o-", color=c, label=name)[0])
                 for name, c in BN_COLORS.items()}
    marker = live.animate(final.axvline(lrs[0], color="k", lw=1, ls="--"))
    # No legend here: it would cover the low-accuracy points at the left; the colours are the left panel's.

    def update(learning_rate, init_scale):
        i = sweep.init_scales.index(init_scale)
        j = sweep.learning_rates.index(learning_rate)
        parts = []
        for name, bn in (("no BN", False), ("BN", True)):
            lines[name].set_ydata(np.clip(sweep.cost[bn][i, j], 1e-3, None))
            acc_lines[name].set_ydata(np.nan_to_num(sweep.dev_accuracy[bn][i], nan=0.0))
            state = sweep.status[bn][i, j]
            plots.set_status(status[name], f"{name}: {state}" if state else "")
            acc = sweep.dev_accuracy[bn][i, j]
            # Two digits of the cost and whole percents: what trained networks agree on across CPUs.
            parts.append(f"{name}: final cost {sweep.cost[bn][i, j, -1]:.2f}, dev accuracy "
                         f"{'n/a' if np.isnan(acc) else f'{100 * acc:.0f}%'}{' (' + state + ')' if state else ''}")
        marker.set_xdata([learning_rate, learning_rate])
        return f"alpha = {learning_rate}, init scale {init_scale} x He: " + "; ".join(parts)

    return Experiment(controls, live, update, title="Learning-rate sweep with and without batch norm")
