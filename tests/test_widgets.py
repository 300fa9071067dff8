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
