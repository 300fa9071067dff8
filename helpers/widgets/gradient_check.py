"""Chapter 4's live experiments: a bug picker -> the per-parameter table; epsilon -> the error plot."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as W
import numpy as np

from .. import gradcheck, gradient_check, plots
from . import Experiment, LiveFigure, register

_FLOOR = 1e-12  # bottom of the log axis: a difference of exactly 0 is drawn there


@lru_cache(maxsize=1)
def default_reports():
    """Every (bug, layer) gradient check of the bug hunt (about 0.5 s, once per kernel)."""
    return gradient_check.bug_hunt_reports()


@lru_cache(maxsize=1)
def default_sweep():
    """Relative difference of both numerical gradients for 13 eps from 1e-10 to 1e-1 (0.75 decade apart)."""
    X, Y, params, lambd = gradient_check.bug_hunt_problem()
    cost_fn = gradient_check.network_cost_fn(X, Y, "tanh", lambd)
    grads = gradient_check.backward_with_bug(X, Y, params, "none", 1, lambd)
    epsilons = np.logspace(-10, -1, 13)
    return epsilons, gradient_check.epsilon_sweep(cost_fn, params, grads, epsilons)


def _bands(ax, horizontal=True):
    limits = [_FLOOR] + [limit for limit, _ in gradcheck.BANDS[:-1]] + [10.0]
    for (low, high), (_, name) in zip(zip(limits[:-1], limits[1:]), gradcheck.BANDS):
        span = ax.axhspan if horizontal else ax.axvspan
        span(low, high, color=plots.COLORS[name], alpha=0.2, lw=0, label=name)


def report_html(report):
    """The per-parameter table of a :class:`helpers.gradcheck.GradientReport` as HTML (differences by
    :func:`helpers.gradcheck.magnitude`, which prints the same on every machine)."""
    rows = "".join(
        f"<tr><td>{row['name']}</td><td>{'x'.join(map(str, row['shape']))}</td>"
        f"<td style='text-align:right'>{gradcheck.magnitude(row['difference'])}</td>"
        f"<td style='color:{plots.COLORS[row['verdict']]}'>{row['verdict']}"
        f"{' &larr; look here' if row['name'] == report.suspect else ''}</td></tr>"
        for row in report.rows)
    total = (f"<tr><td><b>all</b></td><td></td><td style='text-align:right'><b>{gradcheck.magnitude(report.difference)}</b></td>"
             f"<td style='color:{plots.COLORS[report.verdict]}'><b>{report.verdict}</b></td></tr>")
    return ("<table><tr><th>parameter</th><th>shape</th><th>relative difference</th><th>verdict</th></tr>"
            f"{rows}{total}</table>")


@register("04_gradient_check")
def bug_hunt_explorer(reports=None):
    """Plant a bug in backprop (and pick its layer); the per-parameter check points at it."""
    reports = default_reports() if reports is None else reports
    bugs = sorted({bug for bug, _ in reports}, key=list(gradient_check.BUGS).index)
    layer_values = sorted({layer for _, layer in reports})
    controls = {
        "bug": W.Dropdown(options=bugs, value="wrong transpose" if "wrong transpose" in bugs else bugs[-1],
                          description="bug"),
        "layer": W.SelectionSlider(options=layer_values, value=layer_values[-1], description="in layer"),
    }
    for control in controls.values():
        control.style.description_width = "60px"

    live = LiveFigure(1, 1, figsize=(9.5, 4.2))
    live.fix_layout([0.07813, 0.11972, 0.76772, 0.82037])  # the constrained layout's (legend at the right): 0.1 s less
    (ax,) = live.axes
    names = [row["name"] for row in next(iter(reports.values())).rows] + ["all"]
    _bands(ax)
    rects = live.animate(*ax.bar(names, np.full(len(names), _FLOOR), bottom=_FLOOR, width=0.6,
                                 edgecolor="k", linewidth=0.6))
    ax.set_yscale("log")
    ax.set_ylim(_FLOOR, 10.0)
    plots.decade_ticks(ax.yaxis, -12, 0, 2)  # plain text, no minor ticks: most of a first drawing
    ax.minorticks_off()
    ax.axvline(len(names) - 1.5, color="k", lw=0.8)
    # a figure legend outside the axes: drawn once with the background, clear of the bars
    live.fig.legend(*ax.get_legend_handles_labels(), loc="upper left", bbox_to_anchor=(0.8517, 0.98347), borderaxespad=0,
                    fontsize=10, title="verdict")
    plots.style_axes(ax, "gradient check, parameter by parameter: ||approx - exact|| / (||approx|| + ||exact||)",
                     "parameter", "relative difference")

    def update(bug, layer):
        report = reports[(bug, layer)]
        values = [row["difference"] for row in report.rows] + [report.difference]
        verdicts = [row["verdict"] for row in report.rows] + [report.verdict]
        for rect, value, name in zip(rects, values, verdicts):
            rect.set_height(max(value, _FLOOR) - _FLOOR)
            rect.set_facecolor(plots.COLORS[name])
        where = f" in layer {layer}" if bug != "none" else ""
        look = f"; look at <b>{report.suspect}</b> first" if report.suspect else ""
        return f"bug: <b>{bug}</b>{where} &rarr; overall {gradcheck.magnitude(report.difference)} ({report.verdict}){look}" + report_html(report)

    return Experiment(controls, live, update, title="Bug hunt: plant a bug in backprop, read the per-parameter check")


@register("04_gradient_check.epsilon")
def epsilon_explorer(sweep=None):
    """The error of the one- and two-sided numerical gradients against epsilon (log-log)."""
    epsilons, errors = default_sweep() if sweep is None else sweep
    options = [(f"{eps:.1e}", float(eps)) for eps in epsilons]
    controls = {"epsilon": W.SelectionSlider(options=options, value=float(epsilons[np.argmin(np.abs(np.log10(epsilons) + 7))]),
                                             description="epsilon")}
    controls["epsilon"].style.description_width = "60px"

    live = LiveFigure(1, 1, figsize=(9.5, 4.6))
    live.fix_layout([0.07813, 0.11306, 0.76772, 0.83224])  # the constrained layout's, as above
    (ax,) = live.axes
    _bands(ax)
    # black and grey: the course's colours each mean something else (train, dev, an optimizer)
    colors, styles = {"two-sided": "k", "one-sided": "0.5"}, {"two-sided": "-o", "one-sided": "-s"}
    markers = {}
    for method, values in errors.items():
        ax.loglog(epsilons, values, styles.get(method, "-o"), ms=3.5, color=colors.get(method, "k"), label=method)
        markers[method] = live.animate(ax.plot([], [], "o", ms=11, mfc="none", mec=colors.get(method), mew=2.2)[0])
    # guide lines for the slopes expected where truncation error dominates
    guide = np.array([1e-5, 1e-1])
    ax.loglog(guide, errors["two-sided"][-1] * (guide / epsilons[-1]) ** 2, "k--", lw=0.9, label="slope 2")
    ax.loglog(guide, errors["one-sided"][-1] * (guide / epsilons[-1]), "k:", lw=1.1, label="slope 1")
    cursor = live.animate(ax.axvline(epsilons[0], color="k", lw=0.8))
    ax.set_xlim(epsilons[0] / 2, epsilons[-1] * 2)
    ax.set_ylim(1e-12, 1.0)
    plots.decade_ticks(ax.xaxis, -10, -1)
    plots.decade_ticks(ax.yaxis, -12, 0, 2)
    ax.minorticks_off()
    live.fig.legend(*ax.get_legend_handles_labels(), loc="upper left", bbox_to_anchor=(0.8517, 0.9849), borderaxespad=0,
                    fontsize=10)
    plots.style_axes(ax, "numerical vs backprop gradient: relative difference against epsilon",
                     "epsilon (perturbation of each parameter)", "relative difference")

    def update(epsilon):
        index = int(np.argmin(np.abs(epsilons - epsilon)))
        cursor.set_xdata([epsilon, epsilon])
        parts = []
        for method, values in errors.items():
            markers[method].set_data([epsilon], [values[index]])
            parts.append(f"{method}: {gradcheck.magnitude(values[index])} ({gradcheck.verdict(values[index])})")
        return f"epsilon = {epsilon:.1e}: " + "; ".join(parts)

    return Experiment(controls, live, update, title="Gradient check: how small should epsilon be?")
