"""Chapter 0's live experiment: learning rate, width and depth -> decision boundary and cost curve."""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from .. import network_from_scratch, plots
from . import Experiment, LiveFigure, register

_GRID = {}


def default_grid(progress=False):
    """The networks behind the experiment, trained once per kernel (about a second)."""
    if "grid" not in _GRID:
        _GRID["grid"] = network_from_scratch.train_grid(progress=progress)
    return _GRID["grid"]


STUCK_POINTS = 0.05  # a training accuracy this close to chance (the majority class's share) ...
STUCK_FLATNESS = 1e-3  # ... with the cost moving less than this fraction over the last quarter of the epochs


def status(result):
    """``"diverged"``, ``"stuck: the cost did not fall"``, ``"stuck at chance"`` or ``""`` for one trained
    network of :func:`default_grid`.

    Stuck is either of two things: the cost did not fall at all, or the network sits at chance:
    its training accuracy is within ``STUCK_POINTS`` of the majority class's share and its cost has
    flattened (it moved less than ``STUCK_FLATNESS`` of its value over the last quarter of the
    epochs). A slow run that is still learning is not stuck: its cost keeps falling (on the grid's
    moons, by 1 % or more per quarter; the stuck ones by 0.02 % or less).
    """
    if result["diverged"]:
        return "diverged"
    cost = np.asarray(result["cost"], dtype=float)
    if not cost[-1] < cost[0] - 1e-3:
        return "stuck: the cost did not fall"
    accuracy, chance = result.get("train_accuracy"), result.get("chance_accuracy")
    if accuracy is None or chance is None:
        return ""
    quarter = cost[-1 - max(1, (cost.size - 1) // 4)]
    if abs(accuracy - chance) <= STUCK_POINTS and abs(cost[-1] - quarter) < STUCK_FLATNESS * quarter:
        return "stuck at chance"
    return ""


@register("00_network_from_scratch")
def network_explorer(grid=None):
    """A network trained by gradient descent on two moons: its boundary, its cost, and its status."""
    grid = default_grid() if grid is None else grid
    controls = {
        "learning_rate": W.SelectionSlider(options=grid.learning_rates, value=1.0 if 1.0 in grid.learning_rates
                                           else grid.learning_rates[0], description="learning rate"),
        "width": W.SelectionSlider(options=grid.widths, value=grid.widths[-1], description="width n[l]"),
        "depth": W.SelectionSlider(options=grid.depths, value=grid.depths[0], description="hidden layers"),
    }
    for control in controls.values():
        control.style.description_width = "95px"

    live = LiveFigure(1, 2, figsize=(10.5, 4.3), gridspec_kw={"width_ratios": [1.2, 1]})
    ax, cost_ax = live.axes
    first = next(r["proba"] for r in grid.results.values() if r["proba"] is not None)
    boundary, train_points, dev_points = plots.draw_boundary_over_points(
        ax, first, grid.extent, grid.X, grid.Y, grid.X_dev, grid.Y_dev, size=5.5, dev_size=5, dev_alpha=0.3,
        labels=("train", "dev"))
    live.animate(boundary["image"], boundary["boundary"], *dev_points, *train_points)
    plots.style_axes(ax, "decision boundary (shade: P(y=1))", "$x_1$", "$x_2$")
    ax.legend(loc="lower left", fontsize=10)
    blank = np.full(np.size(first), 0.5, dtype=np.float32)

    epochs = np.arange(1, grid.num_epochs + 1)
    (cost_line,) = cost_ax.plot(epochs, np.full(grid.num_epochs, np.nan), color=plots.COLORS["train"], lw=2,
                                label="training cost J")
    live.animate(cost_line)
    cost_ax.set_yscale("log")
    cost_ax.set_ylim(0.02, 100)
    cost_ax.set_xlim(0, grid.num_epochs)
    plots.style_axes(cost_ax, "cost against epochs", "epoch (one gradient-descent step each)", "cost J (log scale)")
    cost_ax.legend(loc="upper right", fontsize=10)
    status_box = live.animate(plots.draw_status(cost_ax, "", loc=(0.5, 0.55)))
    no_boundary = live.animate(plots.draw_status(ax, "", loc=(0.5, 0.5), fontsize=12))

    def update(learning_rate, width, depth):
        result = grid[(learning_rate, width, depth)]
        message = status(result)
        if result["proba"] is None:
            boundary["image"].set_data(blank.reshape(boundary["x1"].size, boundary["x0"].size))
            boundary["boundary"].set_segments([])
        else:
            plots.update_decision_boundary(boundary, result["proba"])
        cost_line.set_ydata(result["cost"])
        plots.set_status(status_box, message)
        plots.set_status(no_boundary, "diverged: no boundary" if result["proba"] is None else "")
        layers = " &rarr; ".join(["2"] + [str(width)] * depth + ["1"])
        if result["diverged"]:
            last = int(np.sum(np.isfinite(result["cost"])))
            return (f"[{layers}], &alpha; = {learning_rate:g}: <b>diverged</b> at epoch {last}: the steps "
                    f"overshoot and the cost explodes; take a smaller learning rate")
        text = (f"[{layers}], &alpha; = {learning_rate:g}: cost {result['cost'][0]:.3f} &rarr; {result['cost'][-1]:.3f} "
                f"in {grid.num_epochs} epochs; accuracy train {result['train_accuracy']:.1%}, "
                f"dev {result['dev_accuracy']:.1%}")
        if message:
            text += f" &mdash; <b>{message}</b>"
        if message == "stuck at chance":
            text += ": the training accuracy is the majority class's share and the cost has gone flat"
        return text

    return Experiment(controls, live, update, title="A network from scratch: learning rate, width and depth")
