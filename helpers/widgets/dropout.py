"""Chapter 3's live experiment: keep_prob per hidden layer -> boundary, accuracies, cost, thinned network."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as W
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba

from .. import dropout, plots
from . import Experiment, LiveFigure, register

_KEPT_EDGE = to_rgba("#444444", 0.45)
_KEPT_UNIT = to_rgba("#444444")
_DROPPED_UNIT = to_rgba("#ffffff")


@lru_cache(maxsize=1)
def default_grid():
    """The networks behind the experiment (trained once per kernel)."""
    return dropout.train_keep_prob_grid(progress=True)


@register("03_dropout")
def dropout_explorer(grid=None, n_draws=10, units_drawn=16):
    """Boundary and accuracies of the network trained with ``(keep_prob1, keep_prob2)``, its noisy
    training cost, and one draw of the thinned network (``mask draw`` picks the draw)."""
    grid = default_grid() if grid is None else grid
    kps = grid.keep_probs
    controls = {
        "keep_prob1": W.SelectionSlider(options=kps, value=kps[0], description="keep_prob[1]"),
        "keep_prob2": W.SelectionSlider(options=kps, value=kps[0], description="keep_prob[2]"),
        "draw": W.IntSlider(min=0, max=n_draws - 1, value=0, description="mask draw"),
    }
    for control in controls.values():
        control.style.description_width = "90px"

    live = LiveFigure(2, 2, figsize=(9.5, 6.4), gridspec_kw={"width_ratios": [1.3, 1]})
    ax, bars, net_ax, cost_ax = live.axes
    X, Y, X_dev, Y_dev = grid.points
    first = grid[(kps[-1], kps[-1])]
    boundary, train_points, dev_points = plots.draw_boundary_over_points(ax, first["proba"], grid.extent, X, Y, X_dev, Y_dev, dev_size=6)
    live.animate(boundary["image"], boundary["boundary"], *dev_points, *train_points)
    plots.style_axes(ax, "boundary (test mode); circles train, crosses dev", "$x_1$", "$x_2$")

    rects = live.animate(*bars.bar(["train", "dev"], [0, 0], color=[plots.COLORS["train"], plots.COLORS["dev"]], width=0.6))
    bars.set_ylim(0.4, 1.0)
    plots.style_axes(bars, "accuracy", None, "accuracy")

    # the thinned network: the first `units_drawn` units of each hidden layer (2 x 50 units would
    # mean 2650 edges to redraw per frame); dropped units hollow, their edges hidden
    drawn_dims = [min(n, units_drawn) if 0 < l < len(grid.layer_dims) - 1 else n for l, n in enumerate(grid.layer_dims)]
    positions, edges, segments = dropout.network_layout(drawn_dims, width=3.0, height=1.0)
    # one colour, only the kept edges; units as two marker lines (kept filled, dropped hollow):
    # single-colour artists are the cheapest to redraw
    edge_lines = live.animate(net_ax.add_collection(LineCollection(segments, linewidths=0.7, colors=[_KEPT_EDGE])))
    all_positions = np.vstack(positions)
    (kept_units,) = net_ax.plot([], [], ls="none", marker="o", ms=6.5, mfc=_KEPT_UNIT, mec="k", mew=0.6, zorder=3)
    (dropped_units,) = net_ax.plot([], [], ls="none", marker="o", ms=6.5, mfc=_DROPPED_UNIT, mec="k", mew=0.6, zorder=3)
    live.animate(kept_units, dropped_units)
    offsets = np.cumsum([0] + [len(p) for p in positions])
    net_ax.set_xlim(-0.3, 3.3)
    net_ax.set_ylim(-0.05, 1.05)
    net_ax.set_xticks(np.linspace(0, 3.0, len(positions)))
    net_ax.set_xticklabels(["input\n(kept)", "hidden 1", "hidden 2", "output"])
    net_ax.set_yticks([])
    shown = "" if drawn_dims == list(grid.layer_dims) else f" ({units_drawn} of {max(grid.layer_dims[1:-1])} units shown)"
    plots.style_axes(net_ax, f"one draw of the thinned network{shown}\nhollow = dropped")

    epochs = np.arange(1, first["cost"].size + 1)
    top = max(kps)
    cost_ax.plot(epochs, grid[(top, top)]["cost"], color=plots.COLORS["reference"], lw=1.2)
    (cost_line,) = cost_ax.plot(epochs, first["cost"], color=plots.COLORS["train"], lw=1.2)
    live.animate(cost_line)
    cost_ax.set_yscale("log")
    costs = np.concatenate([r["cost"] for r in grid.results.values()])
    cost_ax.set_ylim(max(costs.min() * 0.7, 1e-4), costs.max() * 1.3)
    cost_ax.set_xlim(1, epochs[-1])
    plots.style_axes(cost_ax, "training cost: blue these keep_probs,\ngrey " + ("no dropout" if top == 1 else
                     f"keep_prob = ({top:g}, {top:g})"), "epoch", "cost J (log scale)")

    def update(keep_prob1, keep_prob2, draw):
        result = grid[(keep_prob1, keep_prob2)]
        plots.update_decision_boundary(boundary, result["proba"])
        for rect, value in zip(rects, (result["train_accuracy"], result["dev_accuracy"])):
            rect.set_height(value)
        cost_line.set_ydata(result["cost"])
        masks = dropout.thinned_masks(grid.layer_dims, (keep_prob1, keep_prob2), np.random.default_rng(draw))
        kept = np.concatenate([mask[:n] for mask, n in zip(masks, drawn_dims)])
        kept_units.set_data(all_positions[kept, 0], all_positions[kept, 1])
        dropped_units.set_data(all_positions[~kept, 0], all_positions[~kept, 1])
        edge_kept = kept[offsets[edges[:, 0]] + edges[:, 1]] & kept[offsets[edges[:, 0] + 1] + edges[:, 2]]
        edge_lines.set_segments(segments[edge_kept])
        hidden_kept = [int(m.sum()) for m in masks[1:-1]]
        n_edges = sum(int(a.sum()) * int(b.sum()) for a, b in zip(masks[:-1], masks[1:]))
        all_edges = sum(a.size * b.size for a, b in zip(masks[:-1], masks[1:]))
        gap = result["train_accuracy"] - result["dev_accuracy"]
        return (f"keep_prob = ({keep_prob1:g}, {keep_prob2:g}): train {100 * result['train_accuracy']:.1f}%, "
                f"dev {100 * result['dev_accuracy']:.1f}% (gap {100 * gap:.1f} pts); "
                f"late epochs change J by {dropout.cost_noise(result['cost']):.3f} on average; "
                f"draw {draw} keeps {hidden_kept[0]} and {hidden_kept[1]} of {grid.layer_dims[1]} and "
                f"{grid.layer_dims[2]} hidden units, {n_edges} of {all_edges} connections")

    return Experiment(controls, live, update, title="Dropout: keep_prob per hidden layer, and one draw of the mask")
