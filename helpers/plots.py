"""Drawing functions. Each takes an ``ax`` and returns the artists it made, so that a live
experiment can update them in place (``set_data``, ``set_offsets``) instead of redrawing.

Colours: one meaning per colour across the course
--------------------------------------------------
Chapters take every colour from this module, never a hex code of their own. Saturated colours
draw *lines and paths* (data splits, optimizers); light colours fill *classes* (markers and
shaded regions); ordered series take shades of one sequential colormap.

=============  ===========  ====================================================================
key            colour       meaning
=============  ===========  ====================================================================
``train``      ``#0072B2``  blue: anything measured on the training set
``dev``        ``#D55E00``  vermillion: the dev (validation) set
``test``       ``#000000``  black: the test set, evaluated once at the end
``gd``         ``#555555``  dark grey: plain gradient descent (``sgd``: the same rule, same colour)
``momentum``   ``#117733``  green
``nesterov``   ``#44AA99``  teal
``adagrad``    ``#999933``  olive
``rmsprop``    ``#882255``  wine
``adam``       ``#AA4499``  purple
``adamw``      ``#332288``  indigo
``reference``  ``#AAAAAA``  light grey: guides (a theoretical curve, a threshold, a minimum)
``A``          ``#CC6677``  rose: a statistic of the activations A[l], layer by layer (chapter 12)
``dW``         ``#DDAA33``  ochre: a statistic of the gradients dW[l], layer by layer (chapter 12)
``optimum``    ``#FFD700``  gold: a minimum or the best point found (star markers, black edge)
``alert``      ``#B00000``  dark red: "diverged", "likely a bug" (status text and boxes)
good           ``#009E73``  bluish green: a verdict that is fine (gradient check, bias/variance)
look closer    ``#E69F00``  orange: a verdict that needs a second look
likely a bug   ``#B00000``  dark red, as ``alert``: a verdict that something is wrong
unnormalized   ``#EE3377``  magenta: without batch norm (chapter 9), raw inputs (chapter 11)
normalized     ``#33BBEE``  cyan: with batch norm (chapter 9), standardized inputs (chapter 11)
=============  ===========  ====================================================================

:data:`CLASS_COLORS` are the classes 0, 1, 2, ... (light orange, light blue, pear, pink, light
yellow, tan, pale grey, lilac: mostly Paul Tol's colour-blind-safe "light" scheme),
used for points and decision regions only. Ordered series (batch sizes, learning-rate
schedules, betas, depths) take ``series_colors(n)``: ``n`` shades of the sequential colormap
:data:`SERIES_CMAP` (``"viridis"``), from dark to light in the order given.
The palettes of lines follow Okabe and Ito (train, dev, test) and Paul Tol's "muted" scheme
(optimizers), both designed to stay distinct for the common colour-vision deficiencies.
"""

from __future__ import annotations

import contourpy
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap

__all__ = [
    "COLORS",
    "CLASS_COLORS",
    "style_axes",
    "plain_tick_labels",
    "decade_ticks",
    "decision_grid",
    "draw_decision_boundary",
    "update_decision_boundary",
    "draw_points",
    "draw_class_markers",
    "update_class_markers",
    "draw_boundary_over_points",
    "level_lines",
    "SERIES_CMAP",
    "series_colors",
    "draw_status",
    "set_status",
]

COLORS = {
    "train": "#0072B2",
    "dev": "#D55E00",
    "test": "#000000",
    "gd": "#555555",
    "sgd": "#555555",
    "momentum": "#117733",
    "nesterov": "#44AA99",
    "adagrad": "#999933",
    "rmsprop": "#882255",
    "adam": "#AA4499",
    "adamw": "#332288",
    "reference": "#AAAAAA",
    "A": "#CC6677",
    "dW": "#DDAA33",
    # chapter 4's gradient-check verdicts (bars, bands): bluish green / orange / dark red, apart in lightness too
    "good": "#009E73", "look closer": "#E69F00", "likely a bug": "#B00000",
    "optimum": "#FFD700",
    "alert": "#B00000",
    "unnormalized": "#EE3377", "normalized": "#33BBEE",
}
"""Line colours by meaning (see the table in the module docstring)."""

CLASS_COLORS = ["#EE8866", "#77AADD", "#BBCC33", "#FFAABB", "#EEDD88", "#D2B48C", "#DDDDDD", "#C9A0DC"]
"""Class ``k``'s colour is ``CLASS_COLORS[k]`` (points, bars and decision regions)."""

SERIES_CMAP = "viridis"
"""The sequential colormap of ordered series (batch sizes, schedules, betas, depths)."""


def series_colors(n, cmap=SERIES_CMAP):
    """``n`` colours for an ordered series, dark to light along :data:`SERIES_CMAP` (stopping
    short of its pale yellow end, which is hard to see on white)."""
    import matplotlib

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n: got {n!r}, expected a positive integer")
    return [matplotlib.colormaps[cmap](x) for x in np.linspace(0.0, 0.85, int(n))]


def _pale(color, amount):
    from matplotlib.colors import to_rgb

    return amount * np.ones(3) + (1 - amount) * np.array(to_rgb(color))


# P(y=1) shading: the pale class-0 colour at 0, the pale class-1 colour at 1.
_BINARY_CMAP = ListedColormap(np.linspace(_pale(CLASS_COLORS[0], 0.55), _pale(CLASS_COLORS[1], 0.55), 256))


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


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def plain_tick_labels(values, powers_of_ten=False):
    """Labels for ticks at ``values`` as plain text, e.g. for a log axis:
    ``ax.set_yticks(values, plain_tick_labels(values, powers_of_ten=True))``.

    ``powers_of_ten=True`` writes each value as ``10`` and a superscript exponent ("10⁻³"; every
    value must be a power of ten), otherwise as ``f"{v:g}"`` ("0.003", "300"). Matplotlib labels a
    log axis with typeset formulas, which cost about 15 ms each at every draw of the figure: more
    than the rest of a live figure's frame.
    """
    values = [float(v) for v in values]
    if not powers_of_ten:
        return [f"{v:g}" for v in values]
    labels = []
    for v in values:
        k = round(np.log10(v)) if v > 0 else None
        if k is None or not np.isclose(v, 10.0**k, rtol=1e-12, atol=0):
            raise ValueError(f"values: got {v!r}, expected powers of ten (or pass powers_of_ten=False)")
        labels.append("10" + str(k).translate(_SUPERSCRIPT))
    return labels


def decade_ticks(axis, low, high, step=1):
    """Ticks of a log ``axis`` (``ax.xaxis`` / ``ax.yaxis``) at ``10**low, 10**(low + step), ..,
    10**high``, labelled by :func:`plain_tick_labels` ("10⁻³"). Add ``ax.minorticks_off()`` for
    decades only: a log axis's minor ticks are dozens of tick objects to make at the first draw."""
    # parsed from "1e-4": exactly the float of that literal (numpy 1.26's 10.0 ** -4 is 1 ulp off it)
    decades = np.array([float(f"1e{int(k)}") for k in np.arange(low, high + 1, step)])
    axis.set_ticks(decades, plain_tick_labels(decades, powers_of_ten=True))
    return decades


def decision_grid(X, n=120, pad=0.5):
    """A grid over the bounding box of ``X`` ``(2, m)``: returns ``(points (2, n*n), extent)``."""
    x0_min, x1_min = X.min(axis=1) - pad
    x0_max, x1_max = X.max(axis=1) + pad
    g0, g1 = np.meshgrid(np.linspace(x0_min, x0_max, n), np.linspace(x1_min, x1_max, n))
    return np.vstack([g0.ravel(), g1.ravel()]), (x0_min, x0_max, x1_min, x1_max)


def draw_decision_boundary(ax, proba, extent):
    """Shade ``P(y=1)`` on the grid of :func:`decision_grid` (``proba`` of length ``n*n``) and draw
    its 0.5 level as a black line.

    Returns ``{"image": AxesImage, "boundary": LineCollection, ...}``; redraw in place with
    :func:`update_decision_boundary` (the level line's segments are replaced, no new artist).
    """
    n = int(round(np.sqrt(np.size(proba))))
    image = ax.imshow(np.reshape(proba, (n, n)), origin="lower", extent=extent, cmap=_BINARY_CMAP,
                      vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    boundary = ax.add_collection(LineCollection([], colors="k", linewidths=1.5))
    artists = {"image": image, "boundary": boundary,
               "x0": np.linspace(extent[0], extent[1], n), "x1": np.linspace(extent[2], extent[3], n)}
    update_decision_boundary(artists, proba)
    return artists


def update_decision_boundary(artists, proba):
    n = artists["x0"].size
    artists["image"].set_data(np.reshape(proba, (n, n)))
    artists["boundary"].set_segments(level_lines(proba, (artists["x0"][0], artists["x0"][-1],
                                                         artists["x1"][0], artists["x1"][-1])))
    return artists


def level_lines(proba, extent, level=0.5):
    """The ``level`` contour of ``proba`` on the grid of :func:`decision_grid`, as line segments
    for a ``LineCollection`` (``set_segments``)."""
    n = int(round(np.sqrt(np.size(proba))))
    grid = np.reshape(proba, (n, n)).astype(np.float64)
    x0, x1 = np.linspace(extent[0], extent[1], n), np.linspace(extent[2], extent[3], n)
    return contourpy.contour_generator(x0, x1, grid).lines(level)


def draw_points(ax, X, Y, marker="o", label=None, size=28, edge="k"):
    """Scatter ``X`` ``(2, m)`` coloured by binary labels ``Y`` ``(1, m)``; returns the PathCollection."""
    colors = np.where(np.ravel(Y) > 0.5, CLASS_COLORS[1], CLASS_COLORS[0])
    return ax.scatter(X[0], X[1], c=colors, marker=marker, s=size, edgecolors=edge, linewidths=0.6, label=label)


def draw_class_markers(ax, X, Y, marker="o", size=6.0, edge="k", alpha=1.0, label=None):
    """The points of :func:`draw_points` as one marker line per class, for live figures.

    A ``Line2D`` stamps one marker image where a scatter draws every path: several times faster
    per frame for hundreds of points. ``size`` is the marker size in points. Returns the two
    lines (class 0, class 1); move the points with :func:`update_class_markers`.
    """
    lines = []
    for k, color in enumerate(CLASS_COLORS[:2]):
        chosen = np.ravel(Y) == k
        (line,) = ax.plot(X[0, chosen], X[1, chosen], ls="none", marker=marker, ms=size, mfc=color,
                          mec=edge if edge != "none" else color, mew=0.6, alpha=alpha,
                          label=label if k == 1 else None)
        lines.append(line)
    return lines


def update_class_markers(lines, X, Y):
    for k, line in enumerate(lines):
        chosen = np.ravel(Y) == k
        line.set_data(X[0, chosen], X[1, chosen])
    return lines


def draw_boundary_over_points(ax, proba, extent, X, Y, X_dev, Y_dev, size=6.5, dev_size=4.5, dev_alpha=0.35,
                              labels=(None, None)):
    """The panel of the live boundary experiments: shaded ``P(y=1)`` and its 0.5 line, dev points
    as faint crosses, training points as circles, axes fixed to ``extent``.

    Returns ``(boundary, train_lines, dev_lines)`` (see :func:`draw_decision_boundary` and
    :func:`draw_class_markers`); a live figure animates all of them, the points drawn after the
    shading so that it does not hide them. ``labels`` names the train and dev points in a legend.
    """
    boundary = draw_decision_boundary(ax, proba, extent)
    dev_lines = draw_class_markers(ax, X_dev, Y_dev, marker="X", size=dev_size, edge="none", alpha=dev_alpha,
                                   label=labels[1])
    train_lines = draw_class_markers(ax, X, Y, size=size, label=labels[0])
    ax.set_xlim(extent[:2])
    ax.set_ylim(extent[2:])
    return boundary, train_lines, dev_lines


def draw_status(ax, text="", loc=(0.5, 0.5), **kwargs):
    """A text box in axes coordinates (e.g. "diverged"); returns the Text artist (``set_text`` it)."""
    style = dict(ha="center", va="center", fontsize=14, color=COLORS["alert"], fontweight="bold",
                 bbox=dict(boxstyle="round", facecolor="white", alpha=0.85, edgecolor=COLORS["alert"]))
    style.update(kwargs)
    artist = ax.text(*loc, text, transform=ax.transAxes, **style)
    artist.set_visible(bool(text))
    return artist


def set_status(artist, text):
    """Show ``text`` in a status box from :func:`draw_status`, or hide it when ``text`` is empty."""
    artist.set_text(text)
    artist.set_visible(bool(text))
    return artist
