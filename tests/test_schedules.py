"""The learning-rate schedules of helpers.schedules (core), and chapter 8's widget."""

import numpy as np
import pytest

from helpers import data, model, optim, schedules, widgets


def test_schedules_by_hand():
    assert schedules.constant(7, 0.3) == 0.3
    assert schedules.inverse_time(0, 0.2, 1.0) == pytest.approx(0.2)
    assert schedules.inverse_time(3, 0.2, 1.0) == pytest.approx(0.2 / 4)
    assert schedules.exponential(2, 0.2) == pytest.approx(0.2 * 0.95**2)
    assert schedules.inverse_sqrt_epoch(3, 0.2, k=2.0) == pytest.approx(2.0 / np.sqrt(4) * 0.2)
    assert schedules.inverse_sqrt_step(0, 0.2, k=0.5) == pytest.approx(0.1)
    assert schedules.inverse_sqrt_step(8, 0.2, k=1.0) == pytest.approx(0.2 / 3)
    np.testing.assert_allclose(schedules.staircase(np.array([0, 9, 10, 25]), 0.8, drop=0.5, epochs_per_drop=10),
                               [0.8, 0.8, 0.4, 0.2])
    np.testing.assert_allclose(schedules.scheduled(np.array([0, 999, 1000, 2500]), 0.5, 1.0, time_interval=1000),
                               [0.5, 0.5, 0.25, 0.5 / 3])
    assert schedules.cosine(0, 0.4, 100) == pytest.approx(0.4)
    assert schedules.cosine(50, 0.4, 100) == pytest.approx(0.2)
    assert schedules.cosine(100, 0.4, 100, alpha_min=0.01) == pytest.approx(0.01)
    assert schedules.cosine(150, 0.4, 100, alpha_min=0.01) == pytest.approx(0.01)
    np.testing.assert_allclose(schedules.warmup_cosine(np.array([0, 1, 3]), 0.4, warmup_steps=4, total_steps=104),
                               [0.1, 0.2, 0.4])
    assert schedules.warmup_cosine(4, 0.4, 4, 104) == pytest.approx(0.4)
    assert schedules.warmup_cosine(54, 0.4, 4, 104) == pytest.approx(0.2)
    assert schedules.warmup_cosine(0, 0.4, 0, 100) == pytest.approx(0.4)


def test_scalars_give_floats_and_arrays_give_arrays():
    assert isinstance(schedules.inverse_time(2, 0.1), float)
    out = schedules.inverse_time(np.arange(6).reshape(2, 3), 0.1)
    assert out.shape == (2, 3)


def test_every_schedule_is_positive_finite_and_never_grows_after_warmup():
    for name in schedules.SCHEDULES:
        alphas = schedules.alpha_per_step(name, 50, 10, alpha0=0.3, warmup_epochs=5)
        assert alphas.shape == (500,)
        assert np.all(np.isfinite(alphas)) and np.all(alphas >= 0)
        tail = alphas[50:] if name.startswith("warm") else alphas
        assert np.all(np.diff(tail) <= 1e-15), name
        assert alphas.max() <= 0.3 + 1e-12


@pytest.mark.parametrize("call, match", [
    (lambda: schedules.inverse_time(-1, 0.1), "epoch: got a minimum of -1, expected a count >= 0"),
    (lambda: schedules.inverse_time(np.nan, 0.1), "NaN"),
    (lambda: schedules.inverse_time(1, -0.1), "alpha0"),
    (lambda: schedules.inverse_time(1, 0.1, decay_rate=-1), "decay_rate"),
    (lambda: schedules.exponential(1, 0.1, base=1.5), "base"),
    (lambda: schedules.inverse_sqrt_epoch(1, 0.1, k=0), "k: got 0, expected a number"),
    (lambda: schedules.staircase(1, 0.1, drop=0), "drop"),
    (lambda: schedules.scheduled(1, 0.1, time_interval=0), "time_interval"),
    (lambda: schedules.cosine(-2, 0.1), "t: got a minimum of -2, expected a count >= 0"),
    (lambda: schedules.cosine(2, 0.1, alpha_min=0.2), "alpha_min"),
    (lambda: schedules.warmup_cosine(2, 0.1, warmup_steps=200, total_steps=100), "warmup_steps"),
    (lambda: schedules.per_step(0.1, 10), "function of the epoch"),
    (lambda: schedules.per_step(schedules.constant, 0), "steps_per_epoch"),
    (lambda: schedules.alpha_per_step("linear", 10, 10), "name: got 'linear', expected one of"),
])
def test_validation(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_per_step_feeds_an_optimizer():
    alpha = schedules.per_step(lambda epoch: schedules.inverse_time(epoch, 0.2, 1.0), steps_per_epoch=4)
    assert [alpha(t) for t in (0, 3, 4, 8)] == pytest.approx([0.2, 0.2, 0.1, 0.2 / 3])
    # gd takes the schedule as its learning_rate: t = 0 for the first update
    opt = optim.gd(learning_rate=alpha)
    params = {"W1": np.array([[1.0]])}
    state = opt.init(params)
    for expected in (1.0 - 0.2, 1.0 - 0.4, 1.0 - 0.6, 1.0 - 0.8, 1.0 - 0.9):
        params, state = opt.update(params, {"dW1": np.array([[1.0]])}, state)
        assert params["W1"][0, 0] == pytest.approx(expected)


def test_scheduled_training_runs_in_fit():
    X, Y = data.make_moons(128, seed=1)
    alpha = schedules.per_step(lambda epoch: schedules.exponential(epoch, 0.5), steps_per_epoch=4)
    _, history = model.fit(X, Y, model.init_params([2, 1]), optim.gd(alpha), num_epochs=5, mini_batch_size=32)
    assert history["cost"][-1] < history["cost"][0]


def test_explorer_says_diverged_and_reports_spreads():
    explorer = widgets.build("08_lr_decay")
    explorer.set(schedule="constant", alpha0=1.0)
    assert "diverged" in explorer.readout.value
    assert _diverged_on_plot(explorer)
    explorer.set(schedule="1/(1 + decay_rate epoch)", alpha0=0.3, decay_rate=0.5)
    assert "diverged" not in explorer.readout.value and "fixed / schedule" in explorer.readout.value
    assert not _diverged_on_plot(explorer)


def _diverged_on_plot(explorer):
    return any("diverged" in text for text in explorer.texts())


def test_cyclic_schedules():
    t = np.arange(0, 401, 50)
    np.testing.assert_allclose(schedules.triangular(t, 0.1, 0.01, half_cycle=100),
                               [0.01, 0.055, 0.1, 0.055, 0.01, 0.055, 0.1, 0.055, 0.01])
    restart = schedules.cosine_restarts(np.arange(300), 0.2, period=100, alpha_min=0.0)
    assert restart[0] == restart[100] == restart[200] == pytest.approx(0.2)
    assert restart[99] < 0.001 and restart[50] == pytest.approx(0.1)
    np.testing.assert_allclose(restart[:100], schedules.cosine(np.arange(100), 0.2, total_steps=100))
    with pytest.raises(ValueError, match="half_cycle"):
        schedules.triangular(1, 0.1, 0.01, half_cycle=0)
    with pytest.raises(ValueError, match="alpha_min"):
        schedules.cosine_restarts(1, 0.1, alpha_min=0.5)
