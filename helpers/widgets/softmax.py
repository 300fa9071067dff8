"""Chapter 10's live experiment: number of classes and temperature -> softmax regression's regions."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as W
import numpy as np

from .. import model, plots, softmax
from . import Experiment, LiveFigure, register

LIGHTEN = 0.45  # white mixed into the regions so that the points (full colour) stand out


@lru_cache(maxsize=1)
def default_regressions():
    """Softmax regressions on blobs of 2..6 classes (trained once per kernel)."""
    return softmax.train_blob_regressions(class_counts=(2, 3, 4, 5, 6), grid_n=100)


def probe_index(grid, grid_logits, X, radius=0.6):
    """The grid point near the data (within ``radius`` of a training point) where softmax (T = 1)
    is least sure: the largest entropy."""
    P = softmax.softmax(grid_logits)
    entropy = -np.sum(P * np.log(np.maximum(P, 1e-300)), axis=0)
    d2 = ((grid[:, :, None] - X[:, None, :]) ** 2).sum(axis=0).min(axis=1)
    return int(np.argmax(np.where(d2 < radius**2, entropy, -np.inf)))


@register("10_softmax")
def softmax_explorer(regressions=None):
    """Decision regions shaded by softmax(Z / T), the blobs, and the probabilities at one probe point."""
    reg = default_regressions() if regressions is None else regressions
    Cs = reg.class_counts
    max_C = max(Cs)
    controls = {
        "n_classes": W.SelectionSlider(options=Cs, value=Cs[1], description="classes C"),
        "temperature": W.FloatLogSlider(value=1.0, base=10, min=-1.5, max=1.5, step=0.1, description="temperature T"),
    }
    for control in controls.values():
        control.style.description_width = "95px"
    grid, _ = plots.decision_grid(np.array([[-2.6, 2.6], [-2.6, 2.6]]), n=reg.grid_n, pad=0.0)
    probes = {C: probe_index(grid, reg.grid_logits[C], reg.X[C]) for C in Cs}

    live = LiveFigure(1, 2, figsize=(10.5, 4.6), gridspec_kw={"width_ratios": [1.15, 1]})
    ax, bars_ax = live.axes
    first = Cs[0]
    image = live.animate(ax.imshow(softmax.region_image(reg.grid_logits[first], lighten=LIGHTEN), origin="lower", extent=reg.extent,
                                   aspect="auto", interpolation="nearest"))
    points = live.animate(ax.scatter(*reg.X[first], s=26, c=[plots.CLASS_COLORS[0]], edgecolors="k", linewidths=0.7))
    (probe,) = ax.plot([0], [0], marker="*", ms=18, color="white", markeredgecolor="k", ls="none")
    live.animate(probe)
    ax.set_xlim(reg.extent[:2])
    ax.set_ylim(reg.extent[2:])
    plots.style_axes(ax, "regions: colours mixed by softmax(Z / T)", "$x_1$", "$x_2$")

    rects = bars_ax.bar(np.arange(max_C), np.zeros(max_C), color=plots.CLASS_COLORS[:max_C], edgecolor="k")
    live.animate(*rects)
    hard = live.animate(bars_ax.scatter(np.arange(max_C), np.zeros(max_C), marker="_", s=900, color="k", zorder=5,
                                        label="hardmax"))
    bars_ax.set_ylim(0, 1.22)  # a band above 1 for the legend, so that it never covers a bar or the hardmax mark
    bars_ax.set_xlim(-0.6, max_C - 0.4)
    bars_ax.set_xticks(np.arange(max_C), [f"class {c}" for c in range(max_C)])
    uniform = live.animate(bars_ax.axhline(1 / Cs[0], color=plots.COLORS["reference"], ls=":", lw=1.5, label="uniform 1/C"))
    plots.style_axes(bars_ax, "softmax(z / T) at the star", None, "probability")
    bars_ax.set_yticks(np.linspace(0, 1, 6))
    bars_ax.legend(loc="upper center", ncol=2, fontsize=10)

    def update(n_classes, temperature):
        C = n_classes
        logits = reg.grid_logits[C]
        image.set_data(softmax.region_image(logits, temperature, lighten=LIGHTEN))
        X, y = reg.X[C], reg.y[C]
        points.set_offsets(X.T)
        points.set_facecolor(np.array(plots.CLASS_COLORS)[y.astype(int).ravel()])
        k = probes[C]
        probe.set_data([grid[0, k]], [grid[1, k]])
        z = logits[:, k : k + 1]
        p = softmax.softmax(z, temperature)[:, 0]
        h = softmax.hardmax(z)[:, 0]
        for c, rect in enumerate(rects):
            rect.set_visible(c < C)
            rect.set_height(p[c] if c < C else 0.0)
        hard.set_offsets(np.column_stack([np.arange(C), h]))
        uniform.set_ydata([1 / C, 1 / C])
        Z_train, _ = model.forward(X, reg.params[C], mode="test")  # the logits W x + b of the training points
        confidence = softmax.softmax(Z_train, temperature).max(axis=0).mean()
        return (f"C = {C}, T = {temperature:.3g}: training accuracy {100 * reg.train_accuracy[C]:.1f}% "
                f"(the same at every T: argmax does not depend on T); mean top probability on the training "
                f"points {100 * confidence:.1f}%; at the star: " + ", ".join(f"{q:.2f}" for q in p))

    return Experiment(controls, live, update, title="Softmax regression: classes and temperature")
