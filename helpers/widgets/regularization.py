"""Chapter 2's live experiment: lambda and the L1/L2 choice -> boundary, accuracies, ||W||, W and Z."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as W
import numpy as np

from .. import plots, regularization
from . import Experiment, LiveFigure, register

_HIST_FLOOR = 1e-3  # bars on a log axis need a bottom above 0
# Log axes labelled with the powers of ten written out: typesetting them as formulas would add
# a tenth of a second to the first drawing.
_DECADES = [1e-3, 1e-2, 1e-1, 1.0, 10.0]
_DECADE_LABELS = plots.plain_tick_labels(_DECADES, powers_of_ten=True)  # 10⁻³ .. 10¹


@lru_cache(maxsize=1)
def default_grid():
    """The networks behind the experiment (trained once per kernel, about 1-2 s)."""
    return regularization.train_lambda_grid(progress=True)


def _fractions(counts):
    return np.maximum(counts / max(counts.sum(), 1), _HIST_FLOOR)


@register("02_regularization")
def regularization_explorer(grid=None):
    """Boundary over train/dev points; train/dev accuracy; histograms of the weights and of Z.

    The numbers (accuracies, ||W||, sparsity) are in the readout above the figure, not drawn in
    it: a changing text costs 10-20 ms to draw on this stack, the whole rest of the update less.
    """
    grid = default_grid() if grid is None else grid
    labels = {"l2": "L2", "l1": "L1"}
    controls = {
        # the default is a lambda > 0: at lambda = 0 the L2 / L1 switch has nothing to switch
        "lambd": W.SelectionSlider(options=grid.lambdas, value=0.1 if 0.1 in grid.lambdas else grid.lambdas[-1],
                                   description="lambda"),
        "penalty": W.Dropdown(options=[(labels.get(p, p), p) for p in grid.penalties], value=grid.penalties[0],
                              description="penalty"),
    }
    for control in controls.values():
        control.style.description_width = "70px"

    live = LiveFigure(2, 3, figsize=(13, 6.6), gridspec_kw={"width_ratios": [1.3, 1, 1]})
    # the margins the constrained layout finds: about 0.3 s less to build
    live.fix_layout(left=0.053, right=0.997, bottom=0.075, top=0.928, wspace=0.217, hspace=0.411)
    ax, bars, norm_ax, w_ax, z_ax, linear_ax = live.axes
    X, Y, X_dev, Y_dev = grid.points
    first = grid[(grid.penalties[0], grid.lambdas[0])]
    boundary, train_points, dev_points = plots.draw_boundary_over_points(ax, first["proba"], grid.extent, X, Y, X_dev, Y_dev, dev_size=6)
    live.animate(boundary["image"], boundary["boundary"], *dev_points, *train_points)
    plots.style_axes(ax, "boundary, P(y=1) orange 0 .. blue 1;\ncircles train, crosses dev", "$x_1$", "$x_2$")

    rects = bars.bar(["train", "dev"], [0, 0], color=[plots.COLORS["train"], plots.COLORS["dev"]], width=0.6)
    live.animate(*rects)
    bars.set_ylim(0.4, 1.0)
    plots.style_axes(bars, "accuracy", None, "accuracy")

    # ||W|| and the near-linear fraction against lambda, one line per penalty, a marker where we are
    # (lambda = 0 has no place on a log axis: the lambdas are placed at equal steps instead)
    positions = np.arange(len(grid.lambdas))
    styles = {"l2": "-", "l1": "--"}
    markers = {}
    for axis, quantity, title, ylabel in ((norm_ax, "weight_norm", "||W|| against lambda\n(below 0.001: drawn at 0.001)", "||W|| (log scale)"),
                                          (linear_ax, "near_linear", f"share of |z| < {regularization.NEAR_LINEAR_Z} "
                                           "(near-linear)", "share of hidden z")):
        for penalty in grid.penalties:
            values = grid.curve(quantity, penalty)[1]
            if quantity == "weight_norm":
                values = np.maximum(values, 1e-3)
            axis.plot(positions, values, styles.get(penalty, ":"), color="k", lw=1.4, marker="o", ms=3,
                      label=labels.get(penalty, penalty))
        markers[quantity] = live.animate(axis.plot([], [], "o", ms=11, mfc="none", mec="k", mew=2.2)[0])
        axis.set_xticks(positions, [f"{lam:g}" for lam in grid.lambdas])
        axis.minorticks_off()
        axis.legend(fontsize=10, loc="lower left" if quantity == "weight_norm" else "lower right")
        plots.style_axes(axis, title, "lambda", ylabel)
    norm_ax.set_yscale("log")
    norm_ax.set_yticks(_DECADES, _DECADE_LABELS)   # 10⁻³ .. 10¹ (norms below 10⁻³ are drawn at 10⁻³)
    norm_ax.minorticks_off()
    linear_ax.set_ylim(0, 1.05)

    def histogram(axis, bins, title, xlabel):
        # one StepPatch, not one Rectangle per bin: drawing 40 patches per update is too slow
        hist = live.animate(axis.stairs(np.full(bins.size - 1, _HIST_FLOOR), bins, fill=True,
                                        baseline=_HIST_FLOOR, color="0.35"))
        axis.set_yscale("log")
        axis.set_yticks(_DECADES[:4], _DECADE_LABELS[:4])   # 10⁻³ .. 10⁰
        axis.set_ylim(_HIST_FLOOR, 1.0)
        axis.set_xlim(bins[0], bins[-1])
        plots.style_axes(axis, title, xlabel, "fraction")
        return hist

    w_hist = histogram(w_ax, grid.w_bins, "weights of all layers\n(clipped to +-3)", "$w$")
    z_ax.axvspan(-regularization.NEAR_LINEAR_Z, regularization.NEAR_LINEAR_Z, color="0.6", alpha=0.3)
    z_hist = histogram(z_ax, grid.z_bins, f"hidden pre-activations Z (dev set);\nshaded: |z| < {regularization.NEAR_LINEAR_Z}, "
                       "tanh near-linear", "$z$")

    # The boundary panel takes one form per trained network: each form (shading, level line and
    # points) is drawn once, as a layer of the static part, and an update picks its layer and
    # draws only the bars, the two rings and the histograms.
    boundary_artists = sorted((boundary["image"], boundary["boundary"], *dev_points, *train_points),
                              key=lambda artist: artist.get_zorder())

    def layer(key):
        def setup():
            plots.update_decision_boundary(boundary, grid[key]["proba"])
            return boundary_artists
        return setup

    live.prepare_layers({key: layer(key) for key in grid.results})
    for artist in boundary_artists:
        artist.set_visible(False)

    def update(lambd, penalty):
        result = grid[(penalty, lambd)]
        live.use_layer((penalty, lambd))
        for rect, value in zip(rects, (result["train_accuracy"], result["dev_accuracy"])):
            rect.set_height(value)
        index = list(grid.lambdas).index(lambd)
        markers["weight_norm"].set_data([index], [max(result["weight_norm"], 1e-3)])
        markers["near_linear"].set_data([index], [result["near_linear"]])
        w_hist.set_data(_fractions(result["w_counts"]))
        z_hist.set_data(_fractions(result["z_counts"]))
        gap = result["train_accuracy"] - result["dev_accuracy"]
        return (f"{labels.get(penalty, penalty)}, lambda = {lambd:g}: train {100 * result['train_accuracy']:.1f}%, "
                f"dev {100 * result['dev_accuracy']:.1f}% (gap {100 * gap:.1f} pts); ||W|| = {result['weight_norm']:.2f}; "
                f"{100 * result['sparsity']:.0f}% of weights below 0.01; "
                f"{100 * result['near_linear']:.0f}% of Z in the near-linear range")

    return Experiment(controls, live, update, title="Regularization: move lambda, switch L2 / L1")
