"""Chapter 6's live experiment: beta and bias correction over Seattle's daily temperatures."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as W
import matplotlib.dates as mdates
import numpy as np

from .. import data, ewa, plots
from . import Experiment, LiveFigure, register

BETAS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995)
ZOOM_DAYS = 60
WEIGHT_DAYS = 150
# beta is an ordered series: the average shown takes the dark end of the series colours.
EWA_COLOR = plots.series_colors(1)[0]
POINTS_COLOR = plots.COLORS["reference"]


@lru_cache(maxsize=1)
def precompute(betas=BETAS):
    """Every average the experiment shows, with its measured lag and roughness (once per kernel)."""
    series = data.load_temperatures()
    theta = series["temp_mean"]
    reference = ewa.centered_average(theta, 15)
    table = {}
    for beta in betas:
        plain = ewa.ewa(theta, beta)
        for corrected in (False, True):
            v = ewa.bias_correct(plain, beta) if corrected else plain  # what ewa(..., bias_correction=True) returns
            table[beta, corrected] = {
                "v": v,
                "lag": ewa.lag_days(v, reference),
                "roughness": ewa.roughness(v),
                "startup_error": ewa.startup_error(v, theta),
            }
    return series, table


@register("06_ewa")
def ewa_explorer():
    """Temperatures with their EWA (4 years and the first 60 days) and the weights of the past."""
    series, table = precompute()
    theta = series["temp_mean"]
    days = mdates.date2num(series["date"])
    controls = {
        "beta": W.SelectionSlider(options=BETAS, value=0.9, description="beta"),
        "bias_correction": W.Checkbox(value=False, description="bias correction  v / (1 - beta^t)"),
    }
    controls["beta"].style.description_width = "50px"

    live = LiveFigure(1, 3, figsize=(12.5, 4.2), gridspec_kw={"width_ratios": [1.7, 1, 1]})
    # the positions the constrained layout finds (legend below): about 0.15 s less to build
    live.fix_layout(*([left, 0.20319, width, 0.72736]
                      for left, width in ((0.04516, 0.38575), (0.4794, 0.22691), (0.75909, 0.22691))))
    ax_all, ax_zoom, ax_w = live.axes
    ax_all.plot(days, theta, ".", color=POINTS_COLOR, markersize=2.5, label="daily mean temperature")
    (v_all,) = ax_all.plot(days, theta, color=EWA_COLOR, lw=2, label="EWA $v_t$ (as set)")
    live.animate(v_all)
    ax_all.xaxis.set_major_locator(mdates.YearLocator())
    ax_all.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax_all.set_xlim(days[0], days[-1])
    ax_all.set_ylim(-6, 30)
    plots.style_axes(ax_all, "Seattle daily mean temperature 2012-2015 (NOAA)", "date", "temperature (°C)")

    t_zoom = np.arange(1, ZOOM_DAYS + 1)
    ax_zoom.plot(t_zoom, theta[:ZOOM_DAYS], "o", color=POINTS_COLOR, markersize=3, label=r"$\theta_t$")
    (other_zoom,) = ax_zoom.plot(t_zoom, theta[:ZOOM_DAYS], color=EWA_COLOR, lw=1.4, ls="--", alpha=0.6, label="toggle's other setting")
    (v_zoom,) = ax_zoom.plot(t_zoom, theta[:ZOOM_DAYS], color=EWA_COLOR, lw=2.2, label="shown $v_t$")
    live.animate(other_zoom, v_zoom)
    ax_zoom.set_xlim(0, ZOOM_DAYS + 1)
    ax_zoom.set_ylim(-3, 14)
    plots.style_axes(ax_zoom, "the first 60 days (start-up)", "day t", "temperature (°C)")
    zoom_status = live.animate(ax_zoom.text(0.03, 0.95, "", transform=ax_zoom.transAxes, va="top", fontsize=10))

    k = np.arange(WEIGHT_DAYS)
    (weights,) = ax_w.plot(k, np.ones(WEIGHT_DAYS), color=EWA_COLOR, lw=2, label=r"weight $\beta^k$")
    window = ax_w.axvline(10, color=plots.COLORS["reference"], ls=":", lw=2, label=r"$k = 1/(1-\beta)$")
    one_over_e = ax_w.axhline(np.exp(-1), color=plots.COLORS["reference"], ls="-.", lw=1.5, label="1/e")
    live.animate(weights, window)
    ax_w.set_xlim(0, WEIGHT_DAYS)
    ax_w.set_ylim(0, 1.05)
    plots.style_axes(ax_w, r"weight of $\theta_{t-k}$ (relative, $\beta^k$)", "days ago k", "relative weight")
    # One legend outside the axes: drawn once with the background, never over a moving curve.
    raw = ax_all.get_lines()[0]
    live.fig.legend(handles=[raw, v_all, other_zoom, weights, window, one_over_e], fontsize=10, ncol=6,
                    loc="lower center", bbox_to_anchor=(0.5, 0.01653), borderaxespad=0, frameon=False)

    def update(beta, bias_correction):
        shown, other = table[beta, bias_correction], table[beta, not bias_correction]
        v_all.set_ydata(shown["v"])
        v_zoom.set_ydata(shown["v"][:ZOOM_DAYS])
        other_zoom.set_ydata(other["v"][:ZOOM_DAYS])
        weights.set_ydata(beta**k)
        window.set_xdata([ewa.effective_window(beta)] * 2)
        zoom_status.set_text(f"{'corrected' if bias_correction else 'plain'}: first 10 days off by "
                             f"{shown['startup_error']:.1f} °C")
        return (f"beta = {beta}: averages over about 1/(1-beta) = {ewa.effective_window(beta):.0f} days; "
                f"mean age of the data beta/(1-beta) = {ewa.mean_lag(beta):.0f} days; "
                f"measured lag behind a centered 31-day average: <b>{shown['lag']} days</b>; "
                f"roughness (std of the daily change): <b>{shown['roughness']:.2f} °C/day</b>; "
                f"bias correction {'on' if bias_correction else 'off'}: mean error over the first 10 days "
                f"<b>{shown['startup_error']:.1f} °C</b>")

    return Experiment(controls, live, update, title="Exponentially weighted average: beta and bias correction")
