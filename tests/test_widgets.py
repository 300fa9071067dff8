"""Drive every registered live experiment headless: each control to its extremes.

Nothing may raise or warn (warnings are errors in this suite), the readout must be filled and
the rendered frame must change when a control moves from one extreme to the other.
"""

import warnings

import pytest

from helpers import widgets

EXPERIMENTS = widgets.all_experiments()


@pytest.fixture(scope="module", params=sorted(EXPERIMENTS))
def experiment(request):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return EXPERIMENTS[request.param]()


def test_there_are_experiments():
    assert "01_bias_variance" in EXPERIMENTS


def test_builds_with_a_figure_and_a_readout(experiment):
    assert experiment.frame.startswith(b"\xff\xd8")  # JPEG
    assert experiment.live.image.value == experiment.frame
    assert experiment.controls, "an experiment needs at least one control"


def test_every_control_at_its_extremes(experiment):
    defaults = experiment.values
    for name, control in experiment.controls.items():
        images = []
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for value in widgets.control_extremes(control):
                control.value = value
                assert experiment.readout.value is not None
                images.append(experiment.frame)
        assert len(set(images)) > 1, f"moving {name!r} across {widgets.control_extremes(control)} did not change the figure"
        experiment.set(**{name: defaults[name]})


def test_all_controls_at_once_at_their_extremes(experiment):
    lows = {n: widgets.control_extremes(c)[0] for n, c in experiment.controls.items()}
    highs = {n: widgets.control_extremes(c)[-1] for n, c in experiment.controls.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        low_frame = experiment.set(**lows).frame
        high_frame = experiment.set(**highs).frame
    assert low_frame != high_frame


def test_a_control_change_refreshes_once(experiment):
    name, control = next(iter(experiment.controls.items()))
    low, high = widgets.control_extremes(control)[0], widgets.control_extremes(control)[-1]
    control.value = low
    before = len(experiment.update_seconds)
    control.value = high
    assert len(experiment.update_seconds) == before + 1


def test_unknown_control_is_a_clear_error(experiment):
    with pytest.raises(ValueError, match="unknown control"):
        experiment.set(no_such_knob=1)


# ---------------------------------------------------------------- None / NaN set from code


def _bad_values(control):
    """The values ipywidgets lets code set although no update can use them."""
    import ipywidgets as W
    from traitlets import TraitError

    candidates = [None] if hasattr(control, "options") and not isinstance(control, W.SelectMultiple) else [float("nan")]
    accepted = []
    for value in candidates:
        before = control.value
        probe = type(control)(**{k: getattr(control, k) for k in ("options", "min", "max", "base") if hasattr(control, k)})
        try:
            probe.value = value
        except TraitError:
            continue
        if probe.value is None or (isinstance(probe.value, float) and probe.value != probe.value):
            accepted.append(value)
        assert control.value == before
    return accepted


def test_none_and_nan_from_code_are_put_back_with_a_message(experiment):
    driven = 0
    for name, control in experiment.controls.items():
        for bad in _bad_values(control):
            before = experiment.values[name]
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                control.value = bad
            driven += 1
            assert experiment.values[name] == before, f"{name} was not put back to {before!r}"
            first_line = experiment.readout.value.split("</div>")[0]
            assert f"{name}: got {bad!r}, expected" in first_line and f"kept {before!r}" in first_line
            # the next valid change works and clears the message
            other = [v for v in widgets.control_extremes(control) if v != before][:1] or [before]
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                experiment.set(**{name: other[0]})
            assert f"{name}: got" not in experiment.readout.value
            experiment.set(**{name: before})
    DRIVEN[experiment.title if hasattr(experiment, "title") else id(experiment)] = driven


DRIVEN = {}


def test_none_and_nan_were_driven_somewhere():
    # Runs after the per-experiment test above (pytest keeps file order): the experiments with a
    # Dropdown or a float slider (most of them) were driven; 06's selection sliders accept neither.
    assert sum(DRIVEN.values()) >= 10


def test_public_reading_api(experiment):
    assert experiment.axes and all(hasattr(ax, "texts") for ax in experiment.axes)
    assert isinstance(experiment.texts(), list) and all(isinstance(t, str) for t in experiment.texts())
    assert experiment.result.get("readout") == experiment.readout.value or experiment.readout.value.endswith(
        experiment.result.get("readout", ""))


def test_an_update_can_publish_its_numbers_in_result():
    import ipywidgets as W

    live = widgets.LiveFigure(1, 1, figsize=(3, 2))
    (line,) = live.axes[0].plot([], [], animated=True)
    status = live.axes[0].text(0.5, 0.5, "", animated=True)

    def update(scale, kind):
        line.set_data([0, 1], [0, scale])
        status.set_text("diverged" if scale > 5 else "")
        return {"readout": f"<b>{kind}: {scale:g}</b>", "top": 2 * scale}

    exp = widgets.Experiment({"scale": W.FloatSlider(min=0, max=10, value=1.0),
                              "kind": W.Dropdown(options=["a", "b"], value="a")}, live, update)
    assert exp.result == {"readout": "<b>a: 1</b>", "top": 2.0} and exp.readout.value == "<b>a: 1</b>"
    exp.set(scale=8.0)
    assert exp.result["top"] == 16.0 and exp.texts(0) == ["diverged"] and exp.axes[0] is live.axes[0]
    exp.controls["scale"].value = float("nan")
    assert exp.values["scale"] == 8.0 and exp.result["top"] == 16.0
    assert exp.readout.value.startswith('<div style="color:#B00000">scale: got nan, expected a finite number in [0, 10]; kept 8.0</div>')
    exp.controls["kind"].value = None
    assert exp.values["kind"] == "a" and "kind: got None, expected one of ['a', 'b']; kept 'a'" in exp.readout.value


def test_a_frame_is_the_jpeg_of_the_figure_as_rgb():
    import io

    import numpy as np
    from PIL import Image

    live = widgets.LiveFigure(1, 1, figsize=(3, 2))
    live.axes[0].plot([0, 1], [0, 1], color="tab:orange", animated=True)
    frame = live.render()
    # the RGBX read of Agg's buffer encodes exactly what an RGBA -> RGB conversion would
    rgb = Image.fromarray(np.asarray(live.fig.canvas.buffer_rgba()), "RGBA").convert("RGB")
    expected = io.BytesIO()
    rgb.save(expected, format="jpeg", quality=92, subsampling=0)
    assert frame == expected.getvalue() == live.image.value
    assert Image.open(io.BytesIO(frame)).size == rgb.size


def test_layers_are_drawn_once_and_swapped_without_a_redraw(monkeypatch):
    live = widgets.LiveFigure(1, 1, figsize=(3, 2))
    ax = live.axes[0]
    (line,) = ax.plot([0, 1], [0, 1], animated=True)
    title = live.animate(ax.set_title("A"))

    def layer(text):
        def setup():
            title.set_text(text)
            return [title]
        return setup

    live.prepare_layers({"a": layer("A"), "b": layer("B")})
    title.set_visible(False)

    def no_full_redraw():
        raise AssertionError("a layer swap must not redraw the whole figure")

    monkeypatch.setattr(live.fig.canvas, "draw", no_full_redraw)
    live.use_layer("a")
    frame_a = live.render()
    live.use_layer("b")
    frame_b = live.render()
    live.use_layer("a")
    assert frame_b != frame_a and live.render() == frame_a
    with pytest.raises(KeyError):
        live.use_layer("c")


def test_a_fixed_layout_puts_the_axes_where_it_is_told():
    live = widgets.LiveFigure(1, 2, figsize=(6, 3))
    live.fix_layout([0.1, 0.2, 0.3, 0.6], [0.55, 0.2, 0.4, 0.6])
    assert not live.fig.get_constrained_layout()
    assert [ax.get_position().bounds for ax in live.axes] == [pytest.approx((0.1, 0.2, 0.3, 0.6)), pytest.approx((0.55, 0.2, 0.4, 0.6))]
    live.render()  # drawing keeps them there: nothing lays the figure out again
    assert list(live.axes[1].get_position().bounds) == pytest.approx([0.55, 0.2, 0.4, 0.6])

    grid = widgets.LiveFigure(1, 2, figsize=(6, 3))
    grid.fix_layout(left=0.1, right=0.9, bottom=0.2, top=0.8, wspace=0.0)
    assert list(grid.axes[0].get_position().bounds) == pytest.approx([0.1, 0.2, 0.4, 0.6])
    assert list(grid.axes[1].get_position().bounds) == pytest.approx([0.5, 0.2, 0.4, 0.6])
    for bad, match in (((), "neither"), (([0, 0, 1, 1],), "got 1, expected one per axes")):
        with pytest.raises(ValueError, match=match):
            widgets.LiveFigure(1, 2, figsize=(6, 3)).fix_layout(*bad)


def test_plain_tick_labels():
    import numpy as np

    from helpers import plots

    assert plots.plain_tick_labels(10.0 ** np.arange(-10, 5, 2), powers_of_ten=True) == [
        "10⁻¹⁰", "10⁻⁸", "10⁻⁶", "10⁻⁴", "10⁻²", "10⁰", "10²", "10⁴"]
    assert plots.plain_tick_labels([1e-3, 0.01, 0.1, 1.0, 10.0], powers_of_ten=True) == ["10⁻³", "10⁻²", "10⁻¹", "10⁰", "10¹"]
    assert plots.plain_tick_labels([0.001, 0.03, 1, 300]) == ["0.001", "0.03", "1", "300"]
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_yscale("log")
    assert list(plots.decade_ticks(ax.yaxis, -4, 2, 2)) == [1e-4, 1e-2, 1.0, 1e2]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["10⁻⁴", "10⁻²", "10⁰", "10²"]
    plt.close(fig)
    for bad in (0.03, 0.0, -10.0):
        with pytest.raises(ValueError, match=f"values: got {bad!r}, expected powers of ten"):
            plots.plain_tick_labels([1.0, bad], powers_of_ten=True)


# ---------------------------------------------------------------- finding an experiment's module


def test_every_experiment_lives_in_the_module_its_name_says():
    # notebook NN_name <-> helpers/widgets/name.py: what lets build() import one module only
    for name, builder in EXPERIMENTS.items():
        assert builder.__module__ == f"helpers.widgets.{widgets.module_of(name)}", name
    assert widgets.module_of("09_batchnorm.lr_sweep") == "batchnorm"
    assert widgets.module_of("batchnorm") is None and widgets.module_of(9) is None


def test_build_imports_only_its_own_chapter_module(tmp_path):
    # A fresh interpreter in which one chapter's widgets module is broken (its import raises):
    # another chapter's experiment still builds, and only its own module was imported.
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "probe.py"
    script.write_text(
        "import sys, importlib.abc, warnings\n"
        "warnings.simplefilter('error')\n"
        "class Broken(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, fullname, path, target=None):\n"
        "        if fullname == 'helpers.widgets.softmax':\n"
        "            raise ImportError('softmax widgets broken on purpose')\n"
        "sys.meta_path.insert(0, Broken())\n"
        "import matplotlib\n"
        "matplotlib.use('Agg')\n"
        "from helpers import widgets\n"
        "experiment = widgets.build('06_ewa')\n"
        "assert experiment.frame.startswith(b'\\xff\\xd8')\n"
        "print(sorted(m for m in sys.modules if m.startswith('helpers.widgets.')))\n"
        "try:\n"
        "    widgets.all_experiments()\n"
        "except ImportError as err:\n"
        "    print('all_experiments:', err)\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, str(script)], cwd=root, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "['helpers.widgets.ewa']"
    assert lines[1] == "all_experiments: softmax widgets broken on purpose"  # the broken module is really broken


def test_build_of_an_unknown_name_says_what_exists():
    with pytest.raises(ValueError, match=r"name: got '06_ewa\.nope', expected one of the experiments of helpers/widgets/ewa\.py, \['06_ewa'\]"):
        widgets.build("06_ewa.nope")
    with pytest.raises(ValueError, match=r"name: got 'ewa', expected the name of an experiment, one of \[.*'01_bias_variance'"):
        widgets.build("ewa")
    with pytest.raises(ValueError, match=r"name: got \['06_ewa'\], expected the name of an experiment"):
        widgets.build(["06_ewa"])


def test_register_rejects_a_name_off_the_scheme():
    def builder():
        return None

    builder.__module__ = "helpers.widgets.ewa"
    with pytest.raises(ValueError, match=r"got '07_optimizers' in helpers\.widgets\.ewa, expected 'NN_ewa'"):
        widgets.register("07_optimizers")(builder)
    assert widgets.all_experiments()["07_optimizers"] is not builder
