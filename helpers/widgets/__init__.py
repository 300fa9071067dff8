"""The wiring from ipywidgets controls to the drawing functions of :mod:`helpers.plots`.

An :class:`Experiment` is a set of named controls, a :class:`LiveFigure` and an ``update``
function ``update(**values) -> readout_html`` that sets the data of the figure's artists. Every
change of a control calls ``update`` once and re-renders the figure *in place* into an
``ipywidgets.Image``: no flicker, no new output, and the same in JupyterLab, Voila and a test.

Frames are JPEG (quality 92, no chroma subsampling): encoding one takes 1-3 ms (by its size)
where a PNG of the same figure takes 15-20 ms, which matters when an update must feel instant.

Rendering is blitted: artists that change are created with ``animated=True`` (see
:meth:`LiveFigure.animate`); the rest of the figure (axes, ticks, labels) is drawn once and
kept as a background, so an update costs the drawing of what moved plus an encoding.
An ``update`` that changes axis limits or other static content calls :meth:`LiveFigure.invalidate`
(a full redraw: tens of ms, more with a constrained layout). A static part that takes one of a few
forms (one contour image per surface, one trial axis per trial count) is drawn once per form with
:meth:`LiveFigure.prepare_layers` and chosen per update with :meth:`LiveFigure.use_layer`.

Chapter modules in this package register their experiments with :func:`register`, under names
that follow the course's naming scheme (``"NN_chapter"`` in ``helpers/widgets/chapter.py``);
:func:`build` imports only that one module, :func:`all_experiments` imports them all (the tests
and the benchmark drive every one).

Reading an experiment from a notebook or a test (public API only)
-----------------------------------------------------------------
- ``experiment.values``: the controls' current values; ``experiment.set(name=value)`` moves them.
- ``experiment.readout.value``: the HTML readout the last update returned.
- ``experiment.result``: a dict of the numbers the last update computed, for a notebook to
  ``assert`` on. An ``update`` that wants to publish numbers returns a dict
  ``{"readout": html, "gap": ..., ...}`` instead of the bare HTML string; the dict (readout
  included) becomes ``experiment.result``.
- ``experiment.axes``: the figure's axes (to read what is drawn, e.g. a line's data);
  ``experiment.texts(i)``: the visible text lines drawn on axes ``i`` (all axes when omitted),
  such as a "diverged" status.
- ``experiment.frame`` / ``experiment.snapshot()``: the rendered image.

Never reach into ``experiment.live`` or a chapter module's private helpers from a notebook.

Bad values from code
--------------------
ipywidgets lets code set a Dropdown (or ToggleButtons, RadioButtons) to ``None`` and a float
slider to NaN. Before each update, :class:`Experiment` puts such a control back to its last valid
value and starts the readout with one line saying so (``"lambd: got nan, expected a finite
number in [0, 1]; kept 0.1"``), so no chapter's update ever sees them.
"""

from __future__ import annotations

import html
import importlib
import io
import math
import pkgutil
import time
from contextlib import contextmanager

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as _PILImage

from .. import plots

__all__ = ["LiveFigure", "Experiment", "register", "module_of", "all_experiments", "build", "control_extremes",
           "control_sweep"]


class LiveFigure:
    """A matplotlib figure (Agg, outside pyplot) shown as an image in an ``ipywidgets.Image``."""

    def __init__(self, nrows=1, ncols=1, figsize=(10, 4.2), dpi=90, **subplot_kw):
        self.fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.fig)
        self.axes = self.fig.subplots(nrows, ncols, squeeze=False, **subplot_kw).ravel()
        self.image = W.Image(format="jpeg", layout=W.Layout(max_width="100%", height="auto"))
        self._background = None
        self._legends = []
        self._layers = {}
        self.frame = b""

    def fix_layout(self, *positions, **margins):
        """Fixed axes positions instead of the constrained layout, which measures every label and
        legend at the figure's first draw: 0.1-0.3 s of an experiment's build.

        Give the positions that layout finds for this figure, written out, either as one
        ``[left, bottom, width, height]`` per axes, in the order of :attr:`axes` (figure
        fractions), or as the margins of the axes' grid (``left``, ``right``, ``bottom``, ``top``,
        ``wspace``, ``hspace``, as ``GridSpec.update`` takes them). Look at the frame again when a
        title, label or legend changes: nothing moves to make room for it any more.
        """
        if bool(positions) == bool(margins):
            raise ValueError("fix_layout: got " + ("both positions and margins" if positions else "neither")
                             + ", expected one [left, bottom, width, height] per axes, or the grid's margins")
        if positions and len(positions) != len(self.axes):
            raise ValueError(f"positions: got {len(positions)}, expected one per axes ({len(self.axes)})")
        self.fig.set_layout_engine("none")
        if margins:
            self.axes[0].get_gridspec().update(**margins)
            positions = [axis.get_subplotspec().get_position(self.fig) for axis in self.axes]
        for axis, position in zip(self.axes, positions):
            axis.set_position(position)

    def animate(self, *artists):
        """Mark artists as the changing part of the figure; returns the first (or all)."""
        for artist in artists:
            artist.set_animated(True)
        return artists[0] if len(artists) == 1 else artists

    def invalidate(self):
        """The static part changed (limits, ticks, titles): redraw it on the next render."""
        self._background = None

    def use_background(self, background):
        """Blit the next renders over ``background``, a ``fig.canvas.copy_from_bbox(fig.bbox)``
        the caller saved, instead of the figure's own static part (until :meth:`invalidate`).
        A figure with several static layers (one contour image per surface, say) keeps one
        background per layer and switches between them without a redraw."""
        self._background = background

    def prepare_layers(self, layers):
        """Draw the static part once per layer, for :meth:`use_layer`.

        ``layers``: key -> function that sets up that layer's artists and returns them. The
        artists must be animated (so that the common static part, drawn first, leaves them out);
        each layer is that common part with its artists drawn over it, kept as one background.
        Hide the artists afterwards (``set_visible(False)``), or each frame draws them again.
        """
        canvas = self.fig.canvas
        canvas.draw()
        base = canvas.copy_from_bbox(self.fig.bbox)
        self._legends = [canvas.copy_from_bbox(ax.get_legend().get_window_extent())
                         for ax in self.fig.axes if ax.get_legend() is not None and ax.get_legend().get_visible()]
        for key, setup in layers.items():
            canvas.restore_region(base)
            for artist in setup():
                self.fig.draw_artist(artist)
            self._layers[key] = canvas.copy_from_bbox(self.fig.bbox)

    def use_layer(self, key):
        """Render over ``key``'s layer (one :meth:`prepare_layers` drew) from the next frame on."""
        self.use_background(self._layers[key])

    def _animated(self):
        found = []
        for ax in self.fig.axes:
            found += [a for a in ax.get_children() if a.get_animated() and a.get_visible()]
        found += [t for t in self.fig.texts if t.get_animated() and t.get_visible()]
        return sorted(found, key=lambda a: a.get_zorder())

    def render(self):
        """Draw, encode and push the frame to the image widget; returns the JPEG bytes."""
        canvas = self.fig.canvas
        if self._background is None:
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            # Axes legends stay on top of what moves: their pixels, as drawn over the static
            # background, are pasted back after the animated artists (no text to render again).
            self._legends = [canvas.copy_from_bbox(ax.get_legend().get_window_extent())
                             for ax in self.fig.axes if ax.get_legend() is not None and ax.get_legend().get_visible()]
        else:
            canvas.restore_region(self._background)
        for artist in self._animated():
            self.fig.draw_artist(artist)
        for legend in self._legends:
            canvas.restore_region(legend)
        buffer = io.BytesIO()
        # Agg's RGBA buffer read as RGBX: the JPEG encoder skips the fourth byte, which gives the
        # bytes of an RGBA -> RGB conversion without making that copy (0.5-1 ms of a frame).
        pixels = canvas.buffer_rgba()  # shape (height, width, 4)
        rgb = _PILImage.frombuffer("RGBX", (pixels.shape[1], pixels.shape[0]), pixels, "raw", "RGBX", 0, 1)
        rgb.save(buffer, format="jpeg", quality=92, subsampling=0)
        self.frame = buffer.getvalue()
        self.image.value = self.frame
        return self.frame


class Experiment:
    """Named controls -> ``update(**values)`` -> a live figure and an HTML readout.

    Parameters
    ----------
    controls : dict of name -> ipywidgets value widget; names are ``update``'s keywords.
    live : the :class:`LiveFigure` that ``update`` draws into.
    update : ``update(**values) -> str`` sets the artists' data and returns the readout (HTML),
        or a dict with the readout under ``"readout"`` and the numbers it computed (see
        :attr:`result`).
    title : shown above the controls.
    """

    def __init__(self, controls, live, update, title=""):
        self.controls = dict(controls)
        self.live = live
        self._update = update
        self.readout = W.HTML()
        self.result = {}
        self.update_seconds = []
        self._held = False
        self._last_valid = {name: value for name, value in self.values.items()
                            if _invalid(self.controls[name], value) is None}
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        header = [W.HTML(f"<b>{title}</b>")] if title else []
        boxes = [W.HBox(list(self.controls.values())[i : i + 3]) for i in range(0, len(self.controls), 3)]
        self.widget = W.VBox(header + boxes + [self.readout, live.image])
        self.refresh()

    @property
    def values(self):
        return {name: control.value for name, control in self.controls.items()}

    @property
    def frame(self):
        """The encoded image (JPEG bytes) the widget shows now."""
        return self.live.frame

    @property
    def axes(self):
        """The figure's axes, in the order the chapter created them."""
        return list(self.live.axes)

    def texts(self, ax=None):
        """The visible, non-empty text lines drawn on axes number ``ax`` (every axes if None)."""
        axes = self.live.axes if ax is None else [self.live.axes[ax]]
        return [t.get_text() for a in axes for t in a.texts if t.get_visible() and t.get_text()]

    def _on_change(self, change):
        if not self._held:
            self.refresh()

    def _sanitized_values(self):
        """The controls' values, with None / NaN put back to the last valid value; the notes."""
        values, notes = self.values, []
        for name, value in values.items():
            why = _invalid(self.controls[name], value)
            if why is None:
                continue
            fallback = self._last_valid.get(name, _first_valid(self.controls[name]))
            held, self._held = self._held, True
            try:
                self.controls[name].value = fallback
            finally:
                self._held = held
            values[name] = fallback
            notes.append(f"{name}: {why}; kept {fallback!r}")
        return values, notes

    def refresh(self):
        """Recompute and redraw for the current control values."""
        start = time.perf_counter()
        values, notes = self._sanitized_values()
        out = self._update(**values)
        if isinstance(out, dict):
            self.result = dict(out)
            readout = out.get("readout") or ""
        else:
            self.result = {"readout": out or ""}
            readout = out or ""
        if notes:
            readout = (f'<div style="color:{plots.COLORS["alert"]}">{html.escape("; ".join(notes), quote=False)}</div>'
                       + readout)
        self.readout.value = readout
        self._last_valid = values
        self.live.render()
        self.update_seconds.append(time.perf_counter() - start)
        return self

    @contextmanager
    def hold(self):
        """Change several controls and refresh once at the end."""
        self._held = True
        try:
            yield self
        finally:
            self._held = False
            self.refresh()

    def set(self, **values):
        """Set controls by name (one refresh); returns self, e.g. ``exp.set(lambd=0.1).snapshot()``."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; this experiment has {sorted(self.controls)}")
        with self.hold():
            for name, value in values.items():
                self.controls[name].value = value
        return self

    def snapshot(self):
        """The current figure as a static image for the notebook (what the widget shows)."""
        from IPython.display import Image

        return Image(data=self.frame, format="jpeg")

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def _invalid(control, value):
    """Why ``value`` cannot go to a chapter's update (``"got ..., expected ..."``), or None."""
    if hasattr(control, "options") and not isinstance(control, W.SelectMultiple):
        if value is None:
            return f"got None, expected one of {_options(control)}"
        return None
    numbers = value if isinstance(value, tuple) else (value,)
    if any(isinstance(v, float) and not math.isfinite(v) for v in numbers):
        low, high = getattr(control, "min", None), getattr(control, "max", None)
        if isinstance(control, W.FloatLogSlider):
            low, high = control.base**low, control.base**high
        where = f" in [{low:g}, {high:g}]" if low is not None and high is not None else ""
        return f"got {value!r}, expected a finite number{where}"
    return None


def _first_valid(control):
    """A valid value for a control that never had one (its first option, or its minimum)."""
    if hasattr(control, "options"):
        return _options(control)[0]
    return getattr(control, "min", 0.0)


# ---------------------------------------------------------------- registry

_REGISTRY = {}


def module_of(name):
    """The chapter module of this package that registers experiment ``name``, by the naming
    scheme: ``"NN_chapter"`` and ``"NN_chapter.part"`` (notebook ``notebooks/NN_chapter.ipynb``)
    live in ``helpers/widgets/chapter.py``, so ``module_of("09_batchnorm.lr_sweep") ==
    "batchnorm"``. None for a name that does not follow the scheme."""
    if not isinstance(name, str):
        return None
    number, _, chapter = name.split(".", 1)[0].partition("_")
    if not (number.isdigit() and chapter.isidentifier()):
        return None
    return chapter


def register(name):
    """Decorator: register an experiment builder (a function with no required argument).

    A chapter module ``helpers/widgets/chapter.py`` names its experiments ``"NN_chapter"`` or
    ``"NN_chapter.part"`` (see :func:`module_of`), which is how :func:`build` finds them without
    importing the other chapters.
    """

    def decorate(builder):
        module = getattr(builder, "__module__", "") or ""
        if module.startswith(__name__ + ".") and module_of(name) != module.rsplit(".", 1)[1]:
            raise ValueError(f"experiment name: got {name!r} in {module}, expected 'NN_{module.rsplit('.', 1)[1]}' "
                             f"or 'NN_{module.rsplit('.', 1)[1]}.part' (notebook NN_name <-> helpers/widgets/name.py)")
        _REGISTRY[name] = builder
        return builder

    return decorate


def _chapter_modules():
    return sorted(info.name for info in pkgutil.iter_modules(__path__))


def all_experiments():
    """Name -> builder for every experiment of every chapter module in this package (imports
    them all; the tests and the benchmark drive every one)."""
    for module in _chapter_modules():
        importlib.import_module(f"{__name__}.{module}")
    return dict(sorted(_REGISTRY.items()))


def build(name, **kwargs):
    """Build the registered experiment ``name``.

    Imports only the chapter module that registers it (:func:`module_of`), so a notebook's
    experiment builds even when another chapter's widgets module is broken.
    """
    module = module_of(name)
    if module is not None and name not in _REGISTRY and module in _chapter_modules():
        importlib.import_module(f"{__name__}.{module}")
    if isinstance(name, str) and name in _REGISTRY:
        return _REGISTRY[name](**kwargs)
    if module in _chapter_modules():
        known = sorted(n for n in _REGISTRY if module_of(n) == module)
        raise ValueError(f"name: got {name!r}, expected one of the experiments of helpers/widgets/{module}.py, {known}")
    raise ValueError(f"name: got {name!r}, expected the name of an experiment, one of {sorted(all_experiments())}")


# ---------------------------------------------------------------- driving controls (tests, benchmark)


def _options(control):
    options = control.options
    return [o[1] if isinstance(o, tuple) else o for o in options]


def control_extremes(control):
    """The values a test moves ``control`` to: both ends of a slider, every option of a choice."""
    if isinstance(control, W.SelectMultiple):
        options = _options(control)
        return [tuple(options[:1]), tuple(options)]
    if hasattr(control, "options"):
        options = _options(control)
        return [options[0], options[-1]] if isinstance(control, W.SelectionSlider) else options
    if isinstance(control, (W.Checkbox, W.ToggleButton)):
        return [False, True]
    if isinstance(control, W.FloatLogSlider):
        return [control.base**control.min, control.base**control.max]
    if hasattr(control, "min") and hasattr(control, "max"):
        return [control.min, control.max]
    raise ValueError(f"don't know how to drive a {type(control).__name__}")


def control_sweep(control, n=12):
    """About ``n`` values spread over a control's range (every option for a choice)."""
    if isinstance(control, W.SelectMultiple):
        options = _options(control)
        return [tuple(options[: k + 1]) for k in range(len(options))]
    if hasattr(control, "options"):
        return _options(control)
    if isinstance(control, (W.Checkbox, W.ToggleButton)):
        return [False, True, False, True]
    if isinstance(control, W.FloatLogSlider):
        return list(control.base ** np.linspace(control.min, control.max, n))
    if isinstance(control, W.IntSlider):
        return sorted(set(np.linspace(control.min, control.max, n).round().astype(int).tolist()))
    if hasattr(control, "min"):
        return list(np.linspace(control.min, control.max, n))
    raise ValueError(f"don't know how to drive a {type(control).__name__}")
