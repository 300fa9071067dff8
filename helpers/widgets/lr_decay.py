"""Chapter 8's live experiment: pick a schedule -> its alpha curve and SGD settling near a minimum."""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from .. import lr_decay, plots, schedules
from . import Experiment, LiveFigure, register

NUM_EPOCHS = 50
STEPS_PER_EPOCH = 10
CURVATURES = (1.0, 4.0)
START = (-2.5, 1.5)
NOISE_STD = 1.0
LAST = 100
SCHEDULE_COLOR = plots.series_colors(1)[0]   # the chosen schedule: the dark end of the series colours
FIXED_COLOR = plots.COLORS["sgd"]            # fixed alpha0 is plain SGD: dark grey (dashed in the alpha panel)
OTHERS_COLOR = plots.COLORS["reference"]     # the other schedules: light grey


def run(name, alpha0, decay_rate, k, time_interval, warmup_epochs):
    """The schedule's alphas and the SGD runs with it and with a fixed alpha0 (same noise)."""
    alphas = schedules.alpha_per_step(name, NUM_EPOCHS, STEPS_PER_EPOCH, alpha0=alpha0, decay_rate=decay_rate,
                                      k=k, time_interval=time_interval, warmup_epochs=warmup_epochs)
    fixed = np.full_like(alphas, alpha0)
    trajectory, diverged = lr_decay.noisy_quadratic_sgd(np.stack([fixed, alphas]), START, CURVATURES, NOISE_STD)
    return alphas, trajectory, diverged, lr_decay.final_spread(trajectory, LAST)


@register("08_lr_decay")
def lr_decay_explorer():
    """Alpha against epoch for every schedule (the chosen one bold), the two paths, distance to the minimum."""
    names = list(schedules.SCHEDULES)
    controls = {
        "schedule": W.Dropdown(options=names, value=names[1], description="schedule"),
        "alpha0": W.FloatLogSlider(value=0.3, base=10, min=-2, max=0, step=0.05, description="alpha0",
                                   readout_format=".3f"),
        "decay_rate": W.FloatSlider(value=0.5, min=0.0, max=2.0, step=0.05, description="decay_rate"),
        "k": W.FloatSlider(value=1.0, min=0.2, max=2.0, step=0.1, description="k (sqrt decays)"),
        "time_interval": W.IntSlider(value=10, min=1, max=25, description="time_interval"),
        "warmup_epochs": W.IntSlider(value=5, min=0, max=25, description="warm-up epochs"),
    }
    for control in controls.values():
        control.style.description_width = "100px"

    live = LiveFigure(1, 3, figsize=(13, 4.3), gridspec_kw={"width_ratios": [1.1, 1.2, 1.1]})
    ax_alpha, ax_path, ax_dist = live.axes
    # the positions the constrained layout finds (legend below): about 0.15 s less to build
    live.fix_layout(*([left, 0.19588, width, 0.7456]
                      for left, width in ((0.05282, 0.26409), (0.38089, 0.2881), (0.72587, 0.26409))))
    steps = NUM_EPOCHS * STEPS_PER_EPOCH
    epoch_axis = np.arange(steps) / STEPS_PER_EPOCH

    # All the other schedules in one line (NaN-separated): one artist draws much faster than nine.
    faint_x = np.concatenate([np.append(epoch_axis, np.nan) for _ in names])
    (faint,) = ax_alpha.plot(faint_x, np.ones(faint_x.size), color=OTHERS_COLOR, lw=1, label="other schedules")
    (chosen_alpha,) = ax_alpha.plot(epoch_axis, np.ones(steps), color=SCHEDULE_COLOR, lw=2.5, label="chosen schedule")
    (fixed_alpha,) = ax_alpha.plot(epoch_axis, np.ones(steps), color=FIXED_COLOR, ls="--", lw=1.8, label="fixed alpha0")
    limit = ax_alpha.axhline(2 / max(CURVATURES), color=plots.COLORS["reference"], ls=":", lw=2, label=r"stability limit $2/h_2$")
    live.animate(faint, chosen_alpha, fixed_alpha)
    ax_alpha.set_yscale("log")
    ax_alpha.set_xlim(0, NUM_EPOCHS)
    ax_alpha.set_ylim(1e-4, 3)
    plots.style_axes(ax_alpha, "alpha (light grey: other schedules)", "epoch", "alpha")

    g1, g2 = np.meshgrid(np.linspace(-3.2, 3.2, 120), np.linspace(-2.2, 2.2, 100))
    cost = lr_decay.noisy_quadratic_cost(np.stack([g1, g2], axis=-1), CURVATURES)
    ax_path.contour(g1, g2, cost, levels=np.geomspace(0.02, 12, 9), colors=plots.COLORS["reference"], linewidths=0.8)
    (minimum,) = ax_path.plot([0], [0], "*", color="k", mfc=plots.COLORS["optimum"], markersize=14, label="minimum")
    (fixed_path,) = ax_path.plot([], [], color=FIXED_COLOR, lw=0.8, alpha=0.5, label="fixed alpha0", zorder=2)
    (fixed_end,) = ax_path.plot([], [], ".", color=FIXED_COLOR, markersize=4, zorder=2.1)
    (chosen_path,) = ax_path.plot([], [], color=SCHEDULE_COLOR, lw=1.2, label="chosen schedule", zorder=3)
    (chosen_end,) = ax_path.plot([], [], ".", color=SCHEDULE_COLOR, markersize=5, zorder=3.1)
    live.animate(fixed_path, chosen_path, fixed_end, chosen_end)
    ax_path.set_xlim(-3.2, 3.2)
    ax_path.set_ylim(-2.2, 2.2)
    plots.style_axes(ax_path, f"noisy SGD (dots: last {LAST} steps)", r"$\theta_1$", r"$\theta_2$")
    path_status = live.animate(plots.draw_status(ax_path, "", loc=(0.5, 0.88), fontsize=12))

    (fixed_dist,) = ax_dist.plot(epoch_axis, np.ones(steps), color=FIXED_COLOR, lw=1, alpha=0.6, label="fixed alpha0")
    (chosen_dist,) = ax_dist.plot(epoch_axis, np.ones(steps), color=SCHEDULE_COLOR, lw=1.4, label="chosen schedule")
    (fixed_spread,) = ax_dist.plot([], [], color=FIXED_COLOR, lw=2.5, ls="--", label=f"final spread (RMS, last {LAST})")
    (chosen_spread,) = ax_dist.plot([], [], color=SCHEDULE_COLOR, lw=2.5, ls="--")
    live.animate(fixed_dist, chosen_dist, fixed_spread, chosen_spread)
    ax_dist.axvspan(epoch_axis[-LAST], NUM_EPOCHS, color=plots.COLORS["reference"], alpha=0.2, zorder=0)
    ax_dist.set_yscale("log")
    ax_dist.set_xlim(0, NUM_EPOCHS)
    ax_dist.set_ylim(1e-3, 3e1)
    plots.style_axes(ax_dist, "distance to the minimum", "epoch",
                     r"$\|\theta_t\|$")
    # One legend outside the axes: drawn once with the background, never over a moving curve.
    live.fig.legend(handles=[chosen_path, fixed_path, faint, limit, minimum, fixed_spread], fontsize=10, ncol=6,
                    loc="lower center", frameon=False)
    dist_status = live.animate(plots.draw_status(ax_dist, "", loc=(0.5, 0.6), fontsize=12))

    def update(schedule, alpha0, decay_rate, k, time_interval, warmup_epochs):
        params = dict(alpha0=alpha0, decay_rate=decay_rate, k=k, time_interval=time_interval,
                      warmup_epochs=warmup_epochs)
        faint.set_ydata(np.concatenate([
            np.append(schedules.alpha_per_step(name, NUM_EPOCHS, STEPS_PER_EPOCH, **params), np.nan) for name in names]))
        alphas, trajectory, diverged, spread = run(schedule, **params)
        chosen_alpha.set_ydata(alphas)
        fixed_alpha.set_ydata(np.full(steps, alpha0))
        for path, end, dist, points in ((fixed_path, fixed_end, fixed_dist, trajectory[0]),
                                        (chosen_path, chosen_end, chosen_dist, trajectory[1])):
            path.set_data(points[:, 0], points[:, 1])
            end.set_data(points[-LAST:, 0], points[-LAST:, 1])
            dist.set_ydata(np.linalg.norm(points[1:], axis=1))
        which = [label for label, flag in zip(("fixed alpha", "schedule"), diverged) if flag]
        plots.set_status(path_status, f"diverged: {' and '.join(which)}" if which else "")
        plots.set_status(dist_status, "diverged" if which else "")
        words = ["diverged" if np.isinf(s) else f"{s:.3f}" for s in spread]
        for line, value in ((fixed_spread, spread[0]), (chosen_spread, spread[1])):
            line.set_data([epoch_axis[-LAST], NUM_EPOCHS], [value, value] if np.isfinite(value) else [np.nan, np.nan])
        ratio = "" if any(np.isinf(spread)) else f" (fixed / schedule = {spread[0] / spread[1]:.1f})"
        return (f"<b>{schedule}</b>: alpha goes from {alphas[0]:.3g} to {alphas[-1]:.3g} over {NUM_EPOCHS} epochs "
                f"of {STEPS_PER_EPOCH} updates; RMS distance to the minimum over the last {LAST} updates: "
                f"fixed alpha0 <b>{words[0]}</b>, schedule <b>{words[1]}</b>{ratio}")

    return Experiment(controls, live, update, title="Learning-rate decay: pick a schedule, watch SGD settle")
