"""Chapter 7's live experiment: the optimizer playground.

Pick a surface, the optimizers, their learning rates and betas, the number of steps and the
start point; every selected optimizer is replayed from the start point (see
:func:`helpers.surfaces.replay_many`) and drawn on the contours and as loss against step.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_rgb

from .. import optim, plots, surfaces
from . import Experiment, LiveFigure, register

NAMES = tuple(optim.OPTIMIZERS)
PLAIN = ("gd", "momentum", "nesterov")
LABELS = {"gd": "GD", "momentum": "momentum", "nesterov": "Nesterov", "adagrad": "AdaGrad",
          "rmsprop": "RMSProp", "adam": "Adam"}
SURFACE_LABELS = {"ill-conditioned quadratic": "quadratic", "Rosenbrock": "rosenbrock",
                  "saddle": "saddle", "plateau": "plateau"}
STEPS = (10, 20, 50, 100, 150, 200)
ALPHAS = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 0.6, 0.9, 1.2, 2.0)
ALPHAS_ADAPTIVE = (1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
BETAS = (0.0, 0.5, 0.7, 0.9, 0.95, 0.99)
BETAS1 = (0.0, 0.5, 0.9, 0.95, 0.99)
BETAS2 = (0.0, 0.9, 0.99, 0.999, 0.9999)
LOSS_RANGE = (1e-10, 1e5)
TOL = 1e-2
# Pale bands of the reference grey (light to darker with the level), so every optimizer's
# colour, GD's dark grey included, stands out on them.
_CMAP = LinearSegmentedColormap.from_list(
    "pale", [(1 - a) * np.ones(3) + a * np.array(to_rgb(plots.COLORS["reference"])) for a in (0.05, 0.2, 0.35)])


def surface_image(surface, n=300):
    """RGB image of ``surface`` over its box: pale bands between the contour levels, darker
    pixels on the band edges (the contour lines). One array per surface, so switching surfaces
    is an image swap instead of a contour redraw."""
    X, Y, F = surface.grid(n)
    band = np.searchsorted(surface.levels, F)
    rgb = _CMAP(band / len(surface.levels))[..., :3]
    edge = np.zeros(band.shape, dtype=bool)
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    rgb[edge] = 0.8 * rgb[edge]          # contour lines: light grey, far from GD's dark grey path
    return rgb


class _ReplayCache:
    """Trajectories by (surface, optimizer, its knobs, start); a longer run answers a shorter one."""

    def __init__(self, max_size=512):
        self.runs = {}
        self.max_size = max_size

    def get(self, surface, start, num_steps, configs):
        """``configs``: name -> (knobs tuple, optimizer factory). Returns name -> Trajectory."""
        out, missing = {}, {}
        for name, (knobs, factory) in configs.items():
            run = self.runs.get((surface.name, name, knobs, start))
            if run is not None and (run.diverged or run.steps >= num_steps):
                out[name] = run.head(num_steps)
            else:
                missing[name] = (knobs, factory())
        if missing:
            if len(self.runs) > self.max_size:
                self.runs.clear()
            fresh = surfaces.replay_many(surface, {n: o for n, (_, o) in missing.items()}, start, num_steps)
            for name, run in fresh.items():
                self.runs[(surface.name, name, missing[name][0], start)] = run
                out[name] = run
        return out


def _readout(surface, runs):
    rows = []
    for name, run in runs.items():
        gap = max(float(run.loss[-1] - surface.f_min), 0.0)
        dist = float(surface.distance_to_minimum(run.points[-1]))
        if run.diverged:
            verdict = f"<b style='color:{plots.COLORS['alert']}'>diverged</b> after {run.steps} steps"
        else:
            k = surfaces.steps_to_reach(surface, run, TOL)
            verdict = f"within {TOL:g} of the minimum from step {k}" if k is not None else "not settled at the minimum"
        rows.append(f"<tr><td style='color:{plots.COLORS[name]}'><b>{LABELS[name]}</b></td>"
                    f"<td>f - f_min = {gap:.2e}</td><td>distance {dist:.3f}</td><td>{verdict}</td></tr>")
    return "<table style='font-size:12px'>" + "".join(rows) + "</table>"


@register("07_optimizers")
def optimizer_playground(surface="quadratic", start=(-1.5, 1.6)):
    """Contours with every selected optimizer's path (left) and f - f_min against step (right)."""
    controls = {
        "surface": W.Dropdown(options=list(SURFACE_LABELS.items()), value=surface, description="surface"),
        "optimizers": W.SelectMultiple(options=[(LABELS[n], n) for n in NAMES], value=NAMES, rows=6,
                                       description="optimizers"),
        "steps": W.SelectionSlider(options=STEPS, value=100, description="steps"),
        "alpha": W.SelectionSlider(options=ALPHAS, value=0.9, description="α GD/mom./Nest."),
        "alpha_adaptive": W.SelectionSlider(options=ALPHAS_ADAPTIVE, value=0.1, description="α Ada/RMS/Adam"),
        "beta": W.SelectionSlider(options=BETAS, value=0.9, description="β mom./Nest./RMS"),
        "beta1": W.SelectionSlider(options=BETAS1, value=0.9, description="Adam β1"),
        "beta2": W.SelectionSlider(options=BETAS2, value=0.999, description="Adam β2"),
        "x0": W.FloatSlider(min=-2.0, max=2.0, step=0.1, value=start[0], description="start x"),
        "y0": W.FloatSlider(min=-2.0, max=2.0, step=0.1, value=start[1], description="start y"),
    }
    for control in controls.values():
        control.style.description_width = "115px"

    live = LiveFigure(1, 2, figsize=(10.5, 4.5), gridspec_kw={"width_ratios": [1, 1.15]})
    # the margins the constrained layout finds (room below for the legend): about 0.2 s less to build
    live.fix_layout(left=0.066, right=0.996, bottom=0.193, top=0.938, wspace=0.207)
    ax, ax_loss = live.axes
    first = surfaces.get(controls["surface"].value)
    image = live.animate(ax.imshow(surface_image(first), origin="lower", extent=first.extent, aspect="auto",
                                   interpolation="bilinear", zorder=0))
    ax.set_xlim(first.extent[:2])
    ax.set_ylim(first.extent[2:])
    title = live.animate(ax.set_title(first.formula, fontsize=12))
    plots.style_axes(ax, None, "x", "y")
    minima = live.animate(ax.plot([], [], "*", color="k", ms=14, mfc=plots.COLORS["optimum"], zorder=5, label="minimum")[0])
    saddles = live.animate(ax.plot([], [], "X", color="k", ms=10, mfc="white", zorder=5, label="saddle")[0])
    start_marker = live.animate(ax.plot([], [], "s", color="k", mfc="white", ms=8, zorder=6, label="start")[0])
    paths, ends, losses = {}, {}, {}
    for z, name in enumerate(NAMES):
        color = plots.COLORS[name]
        paths[name] = live.animate(ax.plot([], [], "-", color=color, lw=1.8, zorder=3 + z / 10)[0])
        ends[name] = live.animate(ax.plot([], [], "o", color=color, mec="k", ms=7, zorder=4)[0])
        losses[name] = live.animate(ax_loss.plot([], [], "-", color=color, lw=1.8, label=LABELS[name])[0])
    status = live.animate(plots.draw_status(ax_loss, "", loc=(0.6, 0.92), fontsize=12, zorder=10))
    # Log scales on both loss axes: fixed limits for every surface and every number of steps,
    # so the static part of the figure never needs redrawing.
    ax_loss.set_xscale("log")
    ax_loss.set_yscale("log")
    # the powers of ten written out, not typeset as formulas: quicker to draw when the experiment is built
    ax_loss.set_xticks([1, 10, 100], plots.plain_tick_labels([1, 10, 100]))
    plots.decade_ticks(ax_loss.yaxis, -10, 4, 2)
    ax_loss.set_xlim(1, STEPS[-1])
    ax_loss.set_ylim(*LOSS_RANGE)
    plots.style_axes(ax_loss, "loss against step", "step t (updates, log scale)", "f - f_min after t steps (log scale)")
    ax_loss.grid(True, which="major", alpha=0.3)
    # One figure-level legend below both panels: outside the axes, so no moving line covers it
    # and it belongs to the static background.
    live.fig.legend(handles=[losses[n] for n in NAMES] + [minima, saddles, start_marker], loc="lower center",
                    ncol=9, fontsize=10, frameon=False, handlelength=1.6, columnspacing=1.2)

    def layer(surface):
        def setup():
            image.set_data(surface_image(surface))
            title.set_text(surface.formula)
            minima.set_data(surface.minima[:, 0], surface.minima[:, 1])
            saddles.set_data(surface.saddles[:, 0], surface.saddles[:, 1])
            return [image, *ax.spines.values(), title, minima, saddles]
        return setup

    live.prepare_layers({name: layer(s) for name, s in surfaces.SURFACES.items()})
    for artist in (image, title, minima, saddles):
        artist.set_visible(False)
    cache = _ReplayCache()

    def update(surface, optimizers, steps, alpha, alpha_adaptive, beta, beta1, beta2, x0, y0):
        s = surfaces.get(surface)
        start = (round(float(x0), 6), round(float(y0), 6))
        configs = {}
        for name in optimizers:
            lr = alpha if name in PLAIN else alpha_adaptive
            knobs = {"gd": (lr,), "momentum": (lr, beta), "nesterov": (lr, beta), "adagrad": (lr,),
                     "rmsprop": (lr, beta), "adam": (lr, beta1, beta2)}[name]
            configs[name] = (knobs, lambda name=name, lr=lr: optim.make(name, lr, beta=beta, beta1=beta1, beta2=beta2))
        runs = cache.get(s, start, steps, configs)

        live.use_layer(surface)
        start_marker.set_data([start[0]], [start[1]])
        for name in NAMES:
            run = runs.get(name)
            for artist in (paths[name], ends[name], losses[name]):
                artist.set_visible(run is not None)
            if run is None:
                continue
            paths[name].set_data(run.points[:, 0], run.points[:, 1])
            ends[name].set_data(run.points[-1:, 0], run.points[-1:, 1])
            gap = np.clip(run.loss - s.f_min, LOSS_RANGE[0], None)
            losses[name].set_data(np.arange(1, run.steps + 1), gap[1:])
        diverged = [LABELS[n] for n, r in runs.items() if r.diverged]
        plots.set_status(status, "diverged: " + ", ".join(diverged) if diverged else "")
        return _readout(s, runs)

    experiment = Experiment(controls, live, update, title="Optimizer playground: one start point, six optimizers")
    experiment.replays = cache
    return experiment
