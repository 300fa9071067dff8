"""Chapter 8: SGD settling near a minimum (helpers.lr_decay) and the schedule exercises."""

import numpy as np
import pytest

from helpers import lr_decay, schedules


def test_noisy_quadratic_without_noise_is_gradient_descent():
    traj, diverged = lr_decay.noisy_quadratic_sgd(np.full(3, 0.1), start=(1.0, 1.0), curvatures=(1.0, 4.0),
                                                   noise_std=0.0)
    np.testing.assert_allclose(traj[:, 0], 0.9 ** np.arange(4))
    np.testing.assert_allclose(traj[:, 1], 0.6 ** np.arange(4))
    assert not diverged
    assert lr_decay.noisy_quadratic_cost(np.array([1.0, 1.0])) == pytest.approx(2.5)


def test_noisy_quadratic_sgd_takes_the_steps_of_optim_gd():
    # the loop over plain numbers calls optim.gd_step; the optimizer, on a stack of the same runs
    # with the schedule t -> alphas[:, t], must give exactly the same points
    from helpers import optim

    alphas = np.stack([np.full(300, 0.3), np.geomspace(0.6, 1e-3, 300), np.linspace(0.05, 0.4, 300)])
    h, noise = np.array([1.0, 4.0]), np.random.default_rng(7).standard_normal((300, 2)) * 0.5
    traj, diverged = lr_decay.noisy_quadratic_sgd(alphas, start=(-2.5, 1.5), noise_std=0.5, seed=7)
    opt = optim.gd(lambda t: alphas[:, t])
    params = {"theta": np.tile([-2.5, 1.5], (3, 1))}
    state = opt.init(params)
    expected = [params["theta"]]
    for t in range(300):
        params, state = opt.update(params, {"dtheta": h * params["theta"] + noise[t]}, state)
        expected.append(params["theta"])
    assert not diverged.any()
    assert np.array_equal(traj, np.stack(expected, axis=1))
    assert optim.gd_step(2.0, 0.5, 0.1) == 2.0 - 0.1 * 0.5


def test_noisy_quadratic_divergence_is_finite_and_flagged():
    traj, diverged = lr_decay.noisy_quadratic_sgd(np.stack([np.full(500, 0.1), np.full(500, 1.0)]))
    assert diverged.tolist() == [False, True]
    assert np.all(np.isfinite(traj[0]))
    assert np.isnan(traj[1, -1]).all()
    spread = lr_decay.final_spread(traj)
    assert np.isfinite(spread[0]) and np.isinf(spread[1])
    traj, diverged = lr_decay.noisy_quadratic_sgd(np.full(20, 1e300))
    assert diverged


def test_decay_settles_closer_than_a_fixed_alpha():
    fixed = schedules.alpha_per_step("constant", 50, 10, alpha0=0.3)
    decayed = schedules.alpha_per_step("1/(1 + decay_rate epoch)", 50, 10, alpha0=0.3, decay_rate=0.5)
    for seed in range(5):
        traj, _ = lr_decay.noisy_quadratic_sgd(np.stack([fixed, decayed]), seed=seed)
        spread = lr_decay.final_spread(traj)
        assert spread[1] < spread[0] / 2


def test_same_seed_same_runs():
    alphas = schedules.alpha_per_step("cosine", 20, 10, alpha0=0.2)
    a, _ = lr_decay.noisy_quadratic_sgd(alphas, seed=3)
    b, _ = lr_decay.noisy_quadratic_sgd(alphas, seed=3)
    c, _ = lr_decay.noisy_quadratic_sgd(alphas, seed=4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize("call, match", [
    (lambda: lr_decay.noisy_quadratic_sgd([0.1, -0.1]), "alphas"),
    (lambda: lr_decay.noisy_quadratic_sgd([0.1], curvatures=(1.0, -1.0)), "curvatures"),
    (lambda: lr_decay.noisy_quadratic_cost(np.zeros((3, 3))), r"shape \(\.\.\., 2\)"),
    (lambda: lr_decay.final_spread(np.zeros((5, 3))), "trajectory"),
])
def test_validation(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_check_inverse_time():
    def reference(epoch, alpha0, decay_rate):
        return alpha0 / (1 + decay_rate * epoch)

    def from_one(epoch, alpha0, decay_rate):
        return alpha0 / (1 + decay_rate * (epoch + 1))

    def no_one(epoch, alpha0, decay_rate):
        return alpha0 / (decay_rate * epoch) if epoch else alpha0

    def multiplied(epoch, alpha0, decay_rate):
        return alpha0 * (1 + decay_rate * epoch)

    def power(epoch, alpha0, decay_rate):
        return alpha0 / (1 + decay_rate) ** epoch

    def stub(epoch, alpha0, decay_rate):
        raise NotImplementedError

    assert lr_decay.check_inverse_time(reference).passed
    assert lr_decay.check_inverse_time(schedules.inverse_time).passed
    assert lr_decay.check_inverse_time(stub).status == "not written"
    for fn, word in [(from_one, "from 1"), (no_one, "1 +"), (multiplied, "multiply"), (power, "exponential"),
                     (lambda e, a, d: "x", "one number"), (lambda e, a, d: a / e, "not finite"),
                     (lambda e, a, d: a if e < 3 else a / 9, "first at epoch 1")]:
        result = lr_decay.check_inverse_time(fn)
        assert result.status == "failed" and word in result.message, (fn, result)


def test_check_staircase():
    def reference(epoch, alpha0, drop, epochs_per_drop):
        return alpha0 * drop ** (epoch // epochs_per_drop)

    def smooth(epoch, alpha0, drop, epochs_per_drop):
        return alpha0 * drop ** (epoch / epochs_per_drop)

    def every_epoch(epoch, alpha0, drop, epochs_per_drop):
        return alpha0 * drop**epoch

    def rounded(epoch, alpha0, drop, epochs_per_drop):
        return alpha0 * drop ** round(epoch / epochs_per_drop)

    def early(epoch, alpha0, drop, epochs_per_drop):
        return alpha0 * drop ** ((epoch + 1) // epochs_per_drop)

    assert lr_decay.check_staircase(reference).passed
    assert lr_decay.check_staircase(lambda *a: None).status == "not written"
    for fn, word in [(smooth, "smoothly"), (every_epoch, "every epoch"), (rounded, "floor"), (early, "from 1"),
                     (lambda *a: 1 / 0, "ZeroDivisionError")]:
        result = lr_decay.check_staircase(fn)
        assert result.status == "failed" and word in result.message, (fn, result)
