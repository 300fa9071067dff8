"""Chapter 1's live experiment: capacity, L2, training-set size and noise -> boundary and verdict."""

from __future__ import annotations

import ipywidgets as W
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D

from .. import bias_variance, plots
from . import Experiment, LiveFigure, register


_GRID = {}
DEV_SHOWN = 400  # dev points drawn; the errors use the whole dev set

# The verdict's box, in the course's verdict colours (plots.COLORS, shared with chapter 4's gradient
# check): green when nothing needs fixing, orange for one problem to work on, dark red for both.
VERDICT_COLORS = {
    "low bias, low variance": plots.COLORS["good"],
    "high bias": plots.COLORS["look closer"],
    "high variance": plots.COLORS["look closer"],
    "high bias and high variance": plots.COLORS["alert"],
}


def default_grid(progress=True):
    """The grid of networks behind the experiment, trained once per kernel (about 3 s, with a
    progress bar): every setting of the sliders is then ready, so no move waits for training.
    (A lazy grid, ``train_grid(lazy=True)``, starts at once but makes the first visit of each
    setting wait 50-150 ms for its networks.)"""
    if "grid" not in _GRID:
        _GRID["grid"] = bias_variance.train_grid(progress=progress)
    return _GRID["grid"]


@register("01_bias_variance")
def bias_variance_explorer(grid=None):
    """Decision boundary over train (circles) and dev (crosses) points, both errors and the verdict."""
    grid = default_grid() if grid is None else grid
    controls = {
        "hidden_units": W.SelectionSlider(options=grid.hidden_units, value=grid.hidden_units[-1], description="hidden units"),
        "lambd": W.SelectionSlider(options=grid.lambdas, value=grid.lambdas[0], description="L2 lambda"),
        "m": W.SelectionSlider(options=grid.train_sizes, value=grid.train_sizes[0], description="train size m"),
        "noise": W.SelectionSlider(options=grid.noises, value=grid.noises[1], description="noise"),
    }
    for control in controls.values():
        control.style.description_width = "90px"

    live = LiveFigure(1, 2, figsize=(10.5, 4.4), gridspec_kw={"width_ratios": [1.35, 1]})
    ax, bars = live.axes
    first = grid[(grid.noises[0], grid.train_sizes[0], grid.hidden_units[0], grid.lambdas[0])]
    X_pool, Y_pool, X_dev, Y_dev = grid.points[grid.noises[0]]
    shown = slice(0, DEV_SHOWN)
    boundary, train_points, dev_points = plots.draw_boundary_over_points(
        ax, first["proba"], grid.extent, X_pool, Y_pool, X_dev[:, shown], Y_dev[:, shown], size=6, dev_size=5, dev_alpha=0.45,
        labels=("train", "dev"))
    live.animate(boundary["image"], boundary["boundary"], *dev_points, *train_points)
    # The Bayes-optimal boundary of each noise level, as line segments computed once.
    bayes_segments = {noise: plots.level_lines(p, grid.extent) for noise, p in grid.bayes_proba.items()}
    bayes_line = live.animate(ax.add_collection(LineCollection([], colors=plots.COLORS["reference"], linestyles="--", linewidths=2)))
    plots.style_axes(ax, "decision boundary (shade: P(y=1))", "$x_1$", "$x_2$")
    bayes_handle = Line2D([], [], color=plots.COLORS["reference"], ls="--", lw=2, label="Bayes-optimal")
    network_handle = Line2D([], [], color="k", lw=1.5, label="network")
    ax.legend(handles=[train_points[1], dev_points[1], network_handle, bayes_handle], loc="lower left", fontsize=10,
              ncols=2)

    names = ["Bayes", "train", "dev"]
    rects = bars.bar(names, [0, 0, 0], color=[plots.COLORS["reference"], plots.COLORS["train"], plots.COLORS["dev"]])
    live.animate(*rects)
    labels = [live.animate(bars.text(i, 0, "", ha="center", va="bottom", fontsize=11)) for i in range(3)]
    bars.set_ylim(0, 0.6)
    plots.style_axes(bars, "Bayes, train and dev error", None, "error rate")
    verdict_text = live.animate(bars.text(0.5, 0.93, "", transform=bars.transAxes, ha="center", va="center",
                                          fontsize=12, fontweight="bold",
                                          bbox=dict(boxstyle="round", facecolor="white", linewidth=2.5)))

    def update(hidden_units, lambd, m, noise):
        result = grid[(noise, m, hidden_units, lambd)]
        plots.update_decision_boundary(boundary, result["proba"])
        bayes_line.set_segments(bayes_segments[noise])
        X_pool, Y_pool, X_dev, Y_dev = grid.points[noise]
        plots.update_class_markers(train_points, X_pool[:, :m], Y_pool[:, :m])
        plots.update_class_markers(dev_points, X_dev[:, shown], Y_dev[:, shown])
        errors = [grid.bayes[noise], result["train_error"], result["dev_error"]]
        for rect, label, value in zip(rects, labels, errors):
            rect.set_height(value)
            label.set_position((label.get_position()[0], value + 0.01))
            label.set_text(f"{100 * value:.1f}%")
        diagnosis = bias_variance.verdict(*errors)
        verdict_text.set_text(diagnosis.verdict)
        color = VERDICT_COLORS[diagnosis.verdict]
        verdict_text.get_bbox_patch().set(edgecolor=color, facecolor=to_rgba(color, 0.22))
        return (f"<b>{diagnosis.verdict}</b>: avoidable bias {100 * diagnosis.avoidable_bias:.1f} pts, "
                f"variance {100 * diagnosis.variance:.1f} pts &rarr; {diagnosis.advice}. "
                f"||W|| = {result['weight_norm']:.1f}")

    return Experiment(controls, live, update, title="Bias and variance: move the knobs, read the verdict")
