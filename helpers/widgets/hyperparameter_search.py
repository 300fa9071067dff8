"""Chapter 13's live experiment: the trials of grid, random and coarse-to-fine search, precomputed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as W
import numpy as np
from matplotlib import colormaps
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from .. import hyperparameter_search, plots
from . import Experiment, LiveFigure, register

N_OPTIONS = (9, 16, 25, 36, 49)
SEEDS = (0, 1, 2, 3)
ROUND_COLORS = tuple(plots.series_colors(3))
"""Rounds 1, 2, 3 of coarse to fine (an ordered series; grid and random search are all round 1)."""
# The landscape behind the trials in greys (dark = a low, good dev score), so that the rounds'
# series colours and the best trial's gold stand out on it; its colorbar says what the shades mean.
LANDSCAPE_CMAP = ListedColormap(colormaps["Greys_r"](np.linspace(0.15, 0.95, 256)))


@dataclass
class Searches:
    """For each of the chapter's two spaces: its landscape and every precomputed search."""

    spaces: tuple  # space functions: alpha_scale -> space
    landscapes: tuple  # (values_0, values_1, scores)
    results: tuple  # dicts keyed by (strategy, n_trials, alpha_scale, seed)


@lru_cache(maxsize=1)
def default_searches():
    """Trials of every strategy, budget, scale and seed, scored by :class:`~helpers.hyperparameter_search.AdamObjective` on its dev set."""
    objective = hyperparameter_search.AdamObjective()
    spaces = (hyperparameter_search.alpha_epsilon_space, hyperparameter_search.alpha_beta_space)
    landscapes = tuple(hyperparameter_search.landscape(objective, fn()) for fn in spaces)
    results = tuple(hyperparameter_search.precompute_searches(objective, fn, N_OPTIONS, seeds=SEEDS) for fn in spaces)
    return Searches(spaces, landscapes, results)


def _y_values(points, j):
    # beta1 is drawn as 1 - beta1 on a log axis, so that its scale reads like alpha's
    return 1 - points[:, 1] if j == 1 else points[:, 1]


@register("13_hyperparameter_search")
def search_explorer(searches=None):
    """Trials over the landscape of two spaces (alpha x epsilon, alpha x beta1) and the best so far."""
    searches = default_searches() if searches is None else searches
    controls = {
        "strategy": W.Dropdown(options=hyperparameter_search.STRATEGIES, value="random", description="strategy"),
        "n_trials": W.SelectionSlider(options=N_OPTIONS, value=25, description="trials"),
        "alpha_scale": W.Dropdown(options=("log", "linear"), value="log", description="alpha scale"),
        "seed": W.SelectionSlider(options=SEEDS, value=0, description="seed"),
    }
    for control in controls.values():
        control.style.description_width = "80px"

    live = LiveFigure(1, 3, figsize=(14, 4.6))
    # the positions the constrained layout finds (colorbar, legend below): about 0.25 s less to build
    live.fix_layout(*([left, 0.23807, 0.24978, 0.70722] for left in (0.05302, 0.36427, 0.74724)))
    ax_best = live.axes[2]
    titles = ("alpha x epsilon: only alpha matters", "alpha x beta1: both matter")
    ylabels = ("Adam's epsilon (log scale)", "$1 - \\beta_1$ (log scale)")
    artists = []
    vmin, vmax = -3.5, 0.0
    for j, (ax, (v0, v1, scores)) in enumerate(zip(live.axes[:2], searches.landscapes)):
        y = 1 - v1 if j == 1 else v1
        mesh = ax.pcolormesh(v0, y, scores, cmap=LANDSCAPE_CMAP, vmin=vmin, vmax=vmax, shading="nearest", rasterized=True)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(1e-4, 1)
        ax.set_ylim(y.min(), y.max())
        # decades only, labelled as plain text: the log axes' minor ticks and typeset labels took
        # most of the first drawing (a third of a second)
        plots.decade_ticks(ax.xaxis, -4, 0)
        plots.decade_ticks(ax.yaxis, *np.round(np.log10([y.min(), y.max()])))  # epsilon, 1 - beta1: whole decades
        ax.minorticks_off()
        boxes = [live.animate(ax.add_patch(Rectangle((1e-3, y.min()), 1e-3, y.min(), fill=False,
                                                     edgecolor=ROUND_COLORS[r], linewidth=2, linestyle="--")))
                 for r in (1, 2)]
        trials = live.animate(ax.scatter([], [], s=36, edgecolors="k", linewidths=0.8, zorder=3))
        rug = live.animate(ax.scatter([], [], marker="|", s=160, linewidths=1.8, zorder=4, clip_on=False))
        (best,) = ax.plot([], [], "*", color=plots.COLORS["optimum"], markeredgecolor="k", markersize=17, zorder=5)
        live.animate(best)
        plots.style_axes(ax, titles[j], "learning rate alpha (log scale)", ylabels[j])
        artists.append({"trials": trials, "rug": rug, "best": best, "boxes": boxes, "y_low": y.min()})
    live.fig.colorbar(mesh, cax=live.fig.add_axes([0.63527, 0.23807, 0.01162, 0.70722]),
                      label="dev score, log10 (lower is better)")
    # Both curves are dev scores: the dev colour, told apart by the line style.
    pairs = (("-", "best so far, alpha x epsilon"), ("--", "best so far, alpha x beta1"))
    lines = [live.animate(ax_best.step([], [], where="post", linewidth=2.2, linestyle=style, color=plots.COLORS["dev"])[0])
             for style, _ in pairs]
    # the best score of any precomputed search fits, with room below it for the count of distinct alphas
    lowest = min(min(np.min(r["scores"]) for r in results.values()) for results in searches.results)
    ax_best.set_ylim(min(vmin, np.floor(2 * lowest) / 2) - 0.25, 0.1)
    # Proxies in a figure legend: drawn once with the static background.
    proxies = [Line2D([], [], marker="o", linestyle="none", markerfacecolor=c, markeredgecolor="k", color=c,
                      label=f"trial, round {r + 1}") for r, c in enumerate(ROUND_COLORS)]
    proxies += [Line2D([], [], marker="*", linestyle="none", markersize=12, color=plots.COLORS["optimum"],
                       markeredgecolor="k", label="best trial"),
                Line2D([], [], marker="|", linestyle="none", markersize=10, markeredgewidth=1.8, color=ROUND_COLORS[0],
                       label="alpha values tried (round's colour)")]
    proxies += [Line2D([], [], color=plots.COLORS["dev"], linestyle=style, linewidth=2.2, label=l) for style, l in pairs]
    live.fig.legend(handles=proxies, loc="lower center", ncol=4, fontsize=10, frameon=False)
    plots.style_axes(ax_best, "best score so far", "trial number", "best dev score (log10)")
    n_distinct = live.animate(ax_best.text(0.96, 0.03, "", transform=ax_best.transAxes, fontsize=11, ha="right", va="bottom"))

    # The trial axis fits the number of trials shown. One background per trial count, each drawn
    # once here: a new count is a background swap, where a redraw of the whole figure (its
    # constrained layout) takes over 0.5 s and drawing the axis with each frame about 5 ms.
    def trial_axis(n_trials):
        def setup():
            ax_best.set_xlim(1, n_trials)
            return [ax_best.xaxis]
        return setup

    live.animate(ax_best.xaxis)
    live.prepare_layers({n: trial_axis(n) for n in N_OPTIONS})
    ax_best.xaxis.set_visible(False)

    def update(strategy, n_trials, alpha_scale, seed):
        notes, distinct, boxes, best = [], [], [], []
        for j, (results, art, line) in enumerate(zip(searches.results, artists, lines)):
            result = results[(strategy, n_trials, alpha_scale, seed)]
            points, scores = result["points"], result["scores"]
            ys = _y_values(points, j)
            art["trials"].set_offsets(np.column_stack([points[:, 0], ys]))
            round_colors = np.array(ROUND_COLORS)[result["round"]]
            art["trials"].set_facecolor(round_colors)
            alphas, first = np.unique(points[:, 0], return_index=True)
            art["rug"].set_offsets(np.column_stack([alphas, np.full(alphas.size, art["y_low"])]))
            art["rug"].set_color(round_colors[first])
            k = int(np.argmin(scores))
            art["best"].set_data([points[k, 0]], [ys[k]])
            for r, box in enumerate(art["boxes"], start=1):
                visible = result["boxes"] is not None
                box.set_visible(visible)
                if visible:
                    space = searches.spaces[j](alpha_scale)
                    (u0_lo, u0_hi), (u1_lo, u1_hi) = result["boxes"][r]
                    a_lo, a_hi = hyperparameter_search.from_unit(space[0], [u0_lo, u0_hi])
                    b_lo, b_hi = _y_values(np.array([[0, hyperparameter_search.from_unit(space[1], u1_lo)],
                                                     [0, hyperparameter_search.from_unit(space[1], u1_hi)]]), j)
                    box.set_bounds(a_lo, min(b_lo, b_hi), a_hi - a_lo, abs(b_hi - b_lo))
            line.set_data(np.arange(1, len(scores) + 1), hyperparameter_search.best_so_far(scores))
            distinct.append(alphas.size)
            boxes.append(result["boxes"])
            best.append(float(scores[k]))
            name = "epsilon" if j == 0 else "beta1"
            second = points[k, 1]
            notes.append(f"alpha x {name}: best score {scores[k]:.2f} at alpha = {points[k, 0]:.3g}, {name} = {second:.3g}")
        n_distinct.set_text(f"distinct alpha values tried: {distinct[0]} of {n_trials} trials")
        ax_best.set_xlim(1, n_trials)  # the curves' coordinates; the axis drawn is the layer's
        live.use_layer(n_trials)
        readout = (f"{strategy}, {n_trials} trials, alpha on a {alpha_scale} scale, seed {seed}: " + "; ".join(notes)
                   + f"; distinct alpha values tried: {distinct[0]} of {n_trials} trials")
        # experiment.result: per space (alpha x epsilon, alpha x beta1), the distinct alphas, the best
        # score and the coarse-to-fine boxes in unit coordinates ((rounds, 2, 2), None otherwise)
        return {"readout": readout, "distinct_alphas": tuple(distinct), "best_score": tuple(best), "boxes": tuple(boxes)}

    return Experiment(controls, live, update, title="Hyperparameter search: where the trials land")
