"""Chapter 2's live experiment: lambda and the L1/L2 choice -> boundary, accuracies, ||W||, W and Z."""

from __future__ import annotations

from functools import lru_cache

import contourpy
import ipywidgets as W
import numpy as np
from matplotlib.collections import LineCollection

from .. import plots, regularization
from . import Experiment, LiveFigure, register

_HIST_FLOOR = 1e-3  # bars on a log axis need a bottom above 0


@lru_cache(maxsize=1)
def default_grid():
    """The networks behind the experiment (trained once per kernel, about 1-2 s)."""
    return regularization.train_lambda_grid(progress=True)


class BoundaryView:
    """The shaded ``P(y=1)`` of :func:`helpers.plots.draw_decision_boundary` with the 0.5 level
    drawn as one ``LineCollection`` whose segments are replaced on update (contourpy), instead of
    a new ``ax.contour`` each time: about 10 ms less per update."""

    def __init__(self, live, ax, proba, extent):
        self.artists = plots.draw_decision_boundary(ax, proba, extent)
        if self.artists["boundary"] is not None:
            self.artists["boundary"].remove()
            self.artists["boundary"] = None
        n = int(round(np.sqrt(np.size(proba))))
        self.x0, self.x1 = np.linspace(extent[0], extent[1], n), np.linspace(extent[2], extent[3], n)
        self.lines = ax.add_collection(LineCollection([], colors="k", linewidths=1.5))
        live.animate(self.artists["image"], self.lines)
        self.update(proba)

    def update(self, proba):
        grid = np.reshape(proba, (self.x1.size, self.x0.size)).astype(np.float64)
        self.artists["image"].set_data(grid)
        self.lines.set_segments(contourpy.contour_generator(self.x0, self.x1, grid).lines(0.5))


def draw_points_fast(live, ax, X, Y, marker="o", size=6.0, edge="k", alpha=1.0):
    """Scatter ``X`` ``(2, m)`` coloured by ``Y`` as one marker line per class (animated).

    Same look as :func:`helpers.plots.draw_points`, but a ``Line2D`` stamps one marker image
    where a scatter draws every path: several times faster per frame for hundreds of points.
    """
    lines = []
    for label, color in ((0, plots.CLASS_COLORS[0]), (1, plots.CLASS_COLORS[1])):
        chosen = np.ravel(Y) == label
        (line,) = ax.plot(X[0, chosen], X[1, chosen], ls="none", marker=marker, ms=size, mfc=color,
                          mec=edge if edge != "none" else color, mew=0.6, alpha=alpha)
        lines.append(live.animate(line))
    return lines


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
    boundary = BoundaryView(live, ax, first["proba"], grid.extent)
    # the points are animated too: drawn after the (animated) boundary image, not hidden under it
    draw_points_fast(live, ax, X_dev, Y_dev, marker="X", size=4.5, edge="none", alpha=0.35)
    draw_points_fast(live, ax, X, Y, size=6.5)
    ax.set_xlim(grid.extent[:2])
    ax.set_ylim(grid.extent[2:])
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
        boundary.update(result["proba"])
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
