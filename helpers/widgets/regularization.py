"""Chapter 2's live experiment: lambda and the L1/L2 choice -> boundary, accuracies, ||W||, W and Z."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as W
import numpy as np

from .. import plots, regularization
from . import Experiment, LiveFigure, register

_HIST_FLOOR = 1e-3  # bars on a log axis need a bottom above 0


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

    live = LiveFigure(2, 2, figsize=(9.5, 6.3), gridspec_kw={"width_ratios": [1.3, 1]})
    ax, bars, w_ax, z_ax = live.axes
    X, Y, X_dev, Y_dev = grid.points
    first = grid[(grid.penalties[0], grid.lambdas[0])]
    boundary, train_points, dev_points = plots.draw_boundary_over_points(ax, first["proba"], grid.extent, X, Y, X_dev, Y_dev)
    live.animate(boundary["image"], boundary["boundary"], *dev_points, *train_points)
    plots.style_axes(ax, "boundary, P(y=1) red 0 .. blue 1; circles train, crosses dev", "$x_1$", "$x_2$")

    rects = bars.bar(["train\naccuracy", "dev\naccuracy"], [0, 0], color=[plots.COLORS["train"], plots.COLORS["dev"]],
                     width=0.6)
    live.animate(*rects)
    bars.set_xlim(-0.5, 2.5)
    bars.set_ylim(0.4, 1.0)
    plots.style_axes(bars, "accuracy and ||W||", None, "accuracy")
    # ||W|| on its own log axis, as a third bar
    norm_ax = bars.twinx()
    norms = [r["weight_norm"] for r in grid.results.values()]
    norm_floor = max(min(norms) / 2, 1e-4)
    (norm_rect,) = norm_ax.bar([2], [norm_floor], bottom=norm_floor, width=0.6, color="#7f7f7f")
    live.animate(norm_rect)
    norm_ax.set_yscale("log")
    norm_ax.set_ylim(norm_floor, max(norms) * 2)
    norm_ax.set_xlim(-0.5, 2.5)
    bars.set_xticks([0, 1, 2], ["train\naccuracy", "dev\naccuracy", "||W||\n(right axis)"])
    plots.style_axes(norm_ax, None, None, "||W|| (log scale)")

    def histogram(axis, bins, title, xlabel):
        # one StepPatch, not one Rectangle per bin: drawing 40 patches per update is too slow
        hist = live.animate(axis.stairs(np.full(bins.size - 1, _HIST_FLOOR), bins, fill=True,
                                        baseline=_HIST_FLOOR, color="#555555"))
        axis.set_yscale("log")
        axis.set_ylim(_HIST_FLOOR, 1.0)
        axis.set_xlim(bins[0], bins[-1])
        plots.style_axes(axis, title, xlabel, "fraction")
        return hist

    w_hist = histogram(w_ax, grid.w_bins, "weights of all layers\n(clipped to +-3)", "$w$")
    z_ax.axvspan(-regularization.NEAR_LINEAR_Z, regularization.NEAR_LINEAR_Z, color="#2ca02c", alpha=0.2)
    z_hist = histogram(z_ax, grid.z_bins, f"hidden pre-activations Z on the dev set\ngreen: |z| < {regularization.NEAR_LINEAR_Z}, "
                       "where tanh is near-linear", "$z$")

    def update(lambd, penalty):
        result = grid[(penalty, lambd)]
        plots.update_decision_boundary(boundary, result["proba"])
        for rect, value in zip(rects, (result["train_accuracy"], result["dev_accuracy"])):
            rect.set_height(value)
        norm_rect.set_height(max(result["weight_norm"], norm_floor) - norm_floor)
        w_hist.set_data(_fractions(result["w_counts"]))
        z_hist.set_data(_fractions(result["z_counts"]))
        gap = result["train_accuracy"] - result["dev_accuracy"]
        return (f"{labels.get(penalty, penalty)}, lambda = {lambd:g}: train {100 * result['train_accuracy']:.1f}%, "
                f"dev {100 * result['dev_accuracy']:.1f}% (gap {100 * gap:.1f} pts); ||W|| = {result['weight_norm']:.2f}; "
                f"{100 * result['sparsity']:.0f}% of weights below 0.01; "
                f"{100 * result['near_linear']:.0f}% of Z in the near-linear range")

    return Experiment(controls, live, update, title="Regularization: move lambda, switch L2 / L1")
