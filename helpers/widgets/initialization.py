"""Chapter 12's live experiment: activation and gradient histograms across depth at initialization."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as W
import numpy as np

from matplotlib.lines import Line2D

from .. import initialization, model, plots
from . import Experiment, LiveFigure, register

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
SCALES = (0.1, 0.5, 0.8, 1.0, 1.25, 2.0, 10.0)
DEPTHS = (2, 5, 10, 20, 30, 50)
A_EDGES = np.linspace(-2, 2, 41)
G_EDGES = np.linspace(-14, 4, 37)
STD_RANGE = (1e-14, 1e14)
LAYER_COLORS = tuple(plots.series_colors(4))  # positions in the network: an ordered series, first to last
WIDTH, M = 32, 64  # small enough that a 50-layer forward and backward take a few milliseconds


@lru_cache(maxsize=256)
def profile(hidden, init, scale, depth):
    """:func:`helpers.initialization.depth_profile` of one setting, with its histograms (cached)."""
    stats = initialization.depth_profile(hidden, init, scale, depth, width=WIDTH, m=M)
    shown = sorted(set(np.linspace(0, depth - 1, 4).round().astype(int).tolist()))
    a_hist = [np.histogram(np.clip(stats["A"][i], A_EDGES[0], A_EDGES[-1]), A_EDGES)[0] / stats["A"][i].size
              for i in shown]
    g_layers = sorted(set(np.linspace(0, depth, 4).round().astype(int).tolist()))
    g_hist = []
    for i in g_layers:
        magnitude = np.log10(np.maximum(np.abs(stats["dW"][i]), 1e-300))
        g_hist.append(np.histogram(np.clip(magnitude, G_EDGES[0], G_EDGES[-1]), G_EDGES)[0] / magnitude.size)
    return {**stats, "a_layers": [i + 1 for i in shown], "a_hist": a_hist,
            "g_layers": [i + 1 for i in g_layers], "g_hist": g_hist}


def verdict(stats, init):
    """A few words for the status box: symmetric, saturated, vanishing or exploding (activations,
    and gradients across depth: ``std(dW[1]) / std(dW[depth])`` beyond ``1e3`` either way)."""
    if init == "zeros":
        return "symmetric: every unit of a layer is identical"
    a, g = stats["A_std"], stats["dW_std"]
    ratio = a[-1] / a[0] if a[0] > 0 else 0.0
    gradients = g[0] / g[-2] if g[-2] > 0 else 1.0
    towards_input = ""
    if gradients > 1e3:
        towards_input = "gradients explode towards the input"
    elif gradients < 1e-3:
        towards_input = "gradients vanish towards the input"
    if stats["saturated"][-1] > 0.5 and np.max(np.abs(stats["A"][-1])) < 1.01:
        words = f"saturated: {100 * stats['saturated'][-1]:.0f}% of the last layer's units"
        return f"{words}; {towards_input}" if towards_input else words
    if ratio < 1e-2:
        return "activations vanish with depth"
    if ratio > 1e2:
        return "activations explode with depth"
    return towards_input


def _step_xy(edges, fractions):
    return edges, np.append(np.maximum(fractions, 1e-5), max(fractions[-1], 1e-5))


@register("12_initialization")
def initialization_explorer():
    """Histograms of activations and of ``dW`` at four depths, and their spread layer by layer."""
    controls = {
        "hidden": W.Dropdown(options=ACTIVATIONS, value="relu", description="activation"),
        "init": W.Dropdown(options=tuple(model.INITS), value="he", description="init"),
        "scale": W.SelectionSlider(options=SCALES, value=1.0, description="scale"),
        "depth": W.SelectionSlider(options=DEPTHS, value=20, description="depth"),
    }
    for control in controls.values():
        control.style.description_width = "80px"

    live = LiveFigure(1, 3, figsize=(13, 4.3))
    ax_a, ax_g, ax_s = live.axes
    a_lines = [live.animate(ax_a.step(A_EDGES, np.full(A_EDGES.size, 1e-5), where="post", color=c, linewidth=1.8)[0])
               for c in LAYER_COLORS]
    g_lines = [live.animate(ax_g.step(G_EDGES, np.full(G_EDGES.size, 1e-5), where="post", color=c, linewidth=1.8)[0])
               for c in LAYER_COLORS]
    for ax, edges in ((ax_a, A_EDGES), (ax_g, G_EDGES)):
        ax.set_yscale("log")
        ax.set_ylim(1e-4, 1.5)
        ax.set_xlim(edges[0], edges[-1])
    plots.style_axes(ax_a, "activations A[l] (end bins: beyond $\\pm$2)", "activation value", "fraction of units (log)")
    plots.style_axes(ax_g, "gradients dW[l]", "$\\log_{10} |dW|$ (end bins: beyond)", "fraction of weights (log)")
    (a_std_line,) = ax_s.plot([], [], "-o", markersize=3, color=plots.COLORS["A"])
    (g_std_line,) = ax_s.plot([], [], "-s", markersize=3, color=plots.COLORS["dW"])
    # The saturated share is a fraction in [0, 1]: its own linear axis on the right.
    ax_sat = ax_s.twinx()
    # a statistic of A[l] too: the activations' colour, dotted (reference grey is for guides)
    (sat_line,) = ax_sat.plot([], [], ":", color=plots.COLORS["A"], linewidth=2)
    ax_sat.set_ylim(0, 1.02)
    ax_sat.set_ylabel("saturated (relu: zero) share", fontsize=11)
    ax_sat.tick_params(labelsize=10)
    live.animate(a_std_line, g_std_line, sat_line)
    # One legend under the panels, made of proxies: drawn once with the static background,
    # clear of the moving histograms.
    proxies = [Line2D([], [], color=c, linewidth=1.8, label=l) for c, l in
               zip(LAYER_COLORS, ("first layer", "one third deep", "two thirds deep", "last layer"))]
    proxies += [Line2D([], [], marker="o", markersize=3, color=plots.COLORS["A"], label="std of A[l]"),
                Line2D([], [], marker="s", markersize=3, color=plots.COLORS["dW"], label="std of dW[l]"),
                Line2D([], [], linestyle=":", linewidth=2, color=plots.COLORS["A"], label="saturated (relu: zero) share of A[l], right axis")]
    live.fig.legend(handles=proxies, loc="outside lower center", ncol=7, fontsize=10, frameon=False)
    ax_s.set_yscale("log")
    ax_s.set_ylim(*STD_RANGE)
    # Layers as a position in the network, l / (depth + 1): the axis fits every depth without being
    # redrawn (a depth change then costs no more than any other move), and reads like the
    # histograms' "first layer ... last layer".
    ax_s.set_xlim(0, 1.02)
    ax_s.axhline(1.0, color=plots.COLORS["reference"], linewidth=1)
    plots.style_axes(ax_s, "spread layer by layer", "position: layer l / (depth + 1); 1 = output", "standard deviation (log scale)")
    status = live.animate(plots.draw_status(ax_s, "", loc=(0.5, 0.88), fontsize=11))

    def update(hidden, init, scale, depth):
        stats = profile(hidden, init, scale, depth)
        for line, hist in zip(a_lines, stats["a_hist"] + [None] * 4):
            line.set_visible(hist is not None)
            if hist is not None:
                line.set_data(*_step_xy(A_EDGES, hist))
        for line, hist in zip(g_lines, stats["g_hist"] + [None] * 4):
            line.set_visible(hist is not None)
            if hist is not None:
                line.set_data(*_step_xy(G_EDGES, hist))
        clip = lambda v: np.clip(v, *STD_RANGE)
        position = np.arange(1, depth + 2) / (depth + 1)
        a_std_line.set_data(position[:-1], clip(stats["A_std"]))
        g_std_line.set_data(position, clip(stats["dW_std"]))
        sat_line.set_data(position[:-1], stats["saturated"])
        words = verdict(stats, init)
        plots.set_status(status, words.replace("; ", "\n"))  # two verdicts: one line each, inside the panel
        a, g = stats["A_std"], stats["dW_std"]
        return (f"{hidden}, {init} init x {scale:g}, {depth} hidden layers of {WIDTH} units: std of A[1] {a[0]:.2e}, "
                f"of A[{depth}] {a[-1]:.2e}; std of dW[1] {g[0]:.2e}, of dW[{depth + 1}] {g[-1]:.2e}; "
                f"cost at init {stats['cost']:.3g}" + (f". <b>{words}</b>" if words else ""))

    return Experiment(controls, live, update, title="Initialization: activations and gradients across depth")
