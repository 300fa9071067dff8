"""Drawing functions. Each takes an ``ax`` and returns the artists it made, so that a live
experiment can update them in place (``set_data``, ``set_offsets``) instead of redrawing.

Colours are fixed across the course: one per optimizer, one for train and one for dev.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap

__all__ = [
    "COLORS",
    "CLASS_COLORS",
    "style_axes",
    "decision_grid",
    "draw_decision_boundary",
    "update_decision_boundary",
    "draw_points",
    "update_points",
    "draw_curves",
    "update_curves",
    "draw_status",
    "set_status",
]

COLORS = {
    "train": "#1f77b4",
    "dev": "#d62728",
    "test": "#2ca02c",
    "gd": "#7f7f7f",
    "sgd": "#7f7f7f",
    "momentum": "#1f77b4",
    "nesterov": "#17becf",
    "adagrad": "#bcbd22",
    "rmsprop": "#ff7f0e",
    "adam": "#d62728",
}
CLASS_COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
_BINARY_CMAP = ListedColormap(np.c_[np.linspace([0.97, 0.75, 0.75], [0.75, 0.85, 0.97], 256)].reshape(-1, 3))


def style_axes(ax, title=None, xlabel=None, ylabel=None):
    """Title and labels at a size readable on a projector."""
    if title is not None:
        ax.set_title(title, fontsize=12)
    if xlabel is not None:
        ax.set_xlabel(xlabel, fontsize=11)
    if ylabel is not None:
        ax.set_ylabel(ylabel, fontsize=11)
    ax.tick_params(labelsize=10)
    return ax


def decision_grid(X, n=120, pad=0.5):
    """A grid over the bounding box of ``X`` ``(2, m)``: returns ``(points (2, n*n), extent)``."""
    x0_min, x1_min = X.min(axis=1) - pad
    x0_max, x1_max = X.max(axis=1) + pad
    g0, g1 = np.meshgrid(np.linspace(x0_min, x0_max, n), np.linspace(x1_min, x1_max, n))
    return np.vstack([g0.ravel(), g1.ravel()]), (x0_min, x0_max, x1_min, x1_max)


def draw_decision_boundary(ax, proba, extent):
    """Shade ``P(y=1)`` on the grid of :func:`decision_grid` (``proba`` of length ``n*n``).

    Returns ``{"image": AxesImage, "boundary": contour set or None}``; redraw with
    :func:`update_decision_boundary`.
    """
    n = int(round(np.sqrt(np.size(proba))))
    image = ax.imshow(np.reshape(proba, (n, n)), origin="lower", extent=extent, cmap=_BINARY_CMAP,
                      vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    artists = {"image": image, "boundary": None, "extent": extent, "ax": ax}
    update_decision_boundary(artists, proba)
    return artists


def update_decision_boundary(artists, proba):
    n = int(round(np.sqrt(np.size(proba))))
    grid = np.reshape(proba, (n, n))
    artists["image"].set_data(grid)
    if artists["boundary"] is not None:
        artists["boundary"].remove()
        artists["boundary"] = None
    if grid.min() < 0.5 < grid.max():
        x0_min, x0_max, x1_min, x1_max = artists["extent"]
        artists["boundary"] = artists["ax"].contour(
            np.linspace(x0_min, x0_max, n), np.linspace(x1_min, x1_max, n), grid,
            levels=[0.5], colors="k", linewidths=1.5)
        artists["boundary"].set_animated(artists["image"].get_animated())
    return artists


def draw_points(ax, X, Y, marker="o", label=None, size=28, edge="k"):
    """Scatter ``X`` ``(2, m)`` coloured by binary labels ``Y`` ``(1, m)``; returns the PathCollection."""
    colors = np.where(np.ravel(Y) > 0.5, CLASS_COLORS[1], CLASS_COLORS[0])
    return ax.scatter(X[0], X[1], c=colors, marker=marker, s=size, edgecolors=edge, linewidths=0.6, label=label)


def update_points(points, X, Y):
    points.set_offsets(np.asarray(X).T)
    points.set_facecolor(np.where(np.ravel(Y) > 0.5, CLASS_COLORS[1], CLASS_COLORS[0]))
    return points


def draw_curves(ax, curves, x=None, colors=None, **kwargs):
    """One line per entry of ``curves`` (label -> 1-D values). Returns label -> Line2D."""
    lines = {}
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        xs = np.arange(1, values.size + 1) if x is None else x
        color = (colors or {}).get(label, COLORS.get(label))
        (lines[label],) = ax.plot(xs, values, label=label, color=color, **kwargs)
    return lines


def update_curves(lines, curves, x=None):
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        lines[label].set_data(np.arange(1, values.size + 1) if x is None else x, values)
    return lines


def draw_status(ax, text="", loc=(0.5, 0.5), **kwargs):
    """A text box in axes coordinates (e.g. "diverged"); returns the Text artist (``set_text`` it)."""
    style = dict(ha="center", va="center", fontsize=14, color="#b00000", fontweight="bold",
                 bbox=dict(boxstyle="round", facecolor="white", alpha=0.85, edgecolor="#b00000"))
    style.update(kwargs)
    artist = ax.text(*loc, text, transform=ax.transAxes, **style)
    artist.set_visible(bool(text))
    return artist


def set_status(artist, text):
    """Show ``text`` in a status box from :func:`draw_status`, or hide it when ``text`` is empty."""
    artist.set_text(text)
    artist.set_visible(bool(text))
    return artist
