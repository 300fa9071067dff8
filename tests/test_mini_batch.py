"""Chapter 5: random_mini_batches, the straight-line runs, the timed network training, the widget."""

import numpy as np
import pytest

from helpers import data, gradcheck, mini_batch, model, widgets


def _indexed(m):
    index = np.arange(m, dtype=float)
    return np.vstack([index, 2 * index]), index.reshape(1, -1)


@pytest.mark.parametrize("m, size", [(148, 32), (128, 32), (5, 8), (7, 1)])
def test_random_mini_batches_every_example_once_and_last_partial(m, size):
    X, Y = _indexed(m)
    batches = data.random_mini_batches(X, Y, size, seed=0)
    sizes = [X_t.shape[1] for X_t, _ in batches]
    full, rest = divmod(m, size)
    assert sizes == [size] * full + ([rest] if rest else [])
    seen = np.concatenate([X_t[0] for X_t, _ in batches])
    assert np.array_equal(np.sort(seen), np.arange(m))
    for X_t, Y_t in batches:
        assert np.array_equal(X_t[0], Y_t[0]) and np.array_equal(X_t[1], 2 * X_t[0])


def test_random_mini_batches_reproducible_by_seed():
    X, Y = _indexed(100)
    a = data.random_mini_batches(X, Y, 16, seed=5)
    b = data.random_mini_batches(X, Y, 16, seed=5)
    c = data.random_mini_batches(X, Y, 16, seed=6)
    assert all(np.array_equal(p[0], q[0]) for p, q in zip(a, b))
    assert not np.array_equal(a[0][0], c[0][0])
    assert not np.array_equal(np.concatenate([x[0] for x, _ in a]), np.arange(100))


def test_random_mini_batches_validates():
    X, Y = _indexed(10)
    with pytest.raises(ValueError, match="mini_batch_size"):
        data.random_mini_batches(X, Y, 0)
    with pytest.raises(ValueError, match=r"Y: got 5 column\(s\)"):
        data.random_mini_batches(X, Y[:, :5], 4)


def test_check_random_mini_batches_messages():
    def right(X, Y, mini_batch_size, seed):
        order = np.random.default_rng(seed).permutation(X.shape[1])
        X, Y = X[:, order], Y[:, order]
        return [(X[:, k:k + mini_batch_size], Y[:, k:k + mini_batch_size]) for k in range(0, X.shape[1], mini_batch_size)]

    def drops_last(X, Y, mini_batch_size, seed):
        return right(X, Y, mini_batch_size, seed)[:-1]

    def unshuffled(X, Y, mini_batch_size, seed):
        return [(X[:, k:k + mini_batch_size], Y[:, k:k + mini_batch_size]) for k in range(0, X.shape[1], mini_batch_size)]

    def unpaired(X, Y, mini_batch_size, seed):
        rng = np.random.default_rng(seed)
        X, Y = X[:, rng.permutation(X.shape[1])], Y[:, rng.permutation(X.shape[1])]
        return [(X[:, k:k + mini_batch_size], Y[:, k:k + mini_batch_size]) for k in range(0, X.shape[1], mini_batch_size)]

    def unseeded(X, Y, mini_batch_size, seed, _rng=np.random.default_rng(0)):
        order = _rng.permutation(X.shape[1])
        X, Y = X[:, order], Y[:, order]
        return [(X[:, k:k + mini_batch_size], Y[:, k:k + mini_batch_size]) for k in range(0, X.shape[1], mini_batch_size)]

    def rows(X, Y, mini_batch_size, seed):
        return [(X.T[k:k + mini_batch_size], Y.T[k:k + mini_batch_size]) for k in range(0, X.shape[1], mini_batch_size)]

    def repeats(X, Y, mini_batch_size, seed):
        rng = np.random.default_rng(seed)
        out = []
        for _ in range(-(-X.shape[1] // mini_batch_size)):
            pick = rng.choice(X.shape[1], mini_batch_size)
            out.append((X[:, pick], Y[:, pick]))
        return out

    def check(fn):
        return mini_batch.check_random_mini_batches(fn)

    assert check(right).passed and check(data.random_mini_batches).passed

    def stub(X, Y, mini_batch_size, seed):
        raise NotImplementedError("write it")

    def in_place(X, Y, mini_batch_size, seed):
        order = np.random.default_rng(seed).permutation(X.shape[1])
        X[:], Y[:] = X[:, order], Y[:, order]              # shuffles the caller's arrays
        return [(X[:, k:k + mini_batch_size], Y[:, k:k + mini_batch_size]) for k in range(0, X.shape[1], mini_batch_size)]

    assert check(stub).status == "not written"
    for fn, word in [(in_place, "in place"), (drops_last, "partial mini-batch"), (unshuffled, "original order"), (unpaired, "same permutation"),
                     (unseeded, "same seed"), (rows, "layout"), (repeats, "more than one mini-batch"),
                     (lambda *a: 1 / 0, "ZeroDivisionError")]:
        result = check(fn)
        assert result.status == "failed" and word in result.message, (fn, result)


def test_check_line_epoch():
    def full_gradient(w, b, X, Y, mini_batch_size, learning_rate, seed):
        for _ in data.random_mini_batches(X, Y, mini_batch_size, seed):
            error = w * X + b - Y
            w, b = w - learning_rate * np.mean(error * X), b - learning_rate * np.mean(error)
        return w, b

    def summed(w, b, X, Y, mini_batch_size, learning_rate, seed):
        for X_t, Y_t in data.random_mini_batches(X, Y, mini_batch_size, seed):
            error = w * X_t + b - Y_t
            w, b = w - learning_rate * np.sum(error * X_t), b - learning_rate * np.sum(error)
        return w, b

    def once(w, b, X, Y, mini_batch_size, learning_rate, seed):
        error = w * X + b - Y
        return w - learning_rate * np.mean(error * X), b - learning_rate * np.mean(error)

    def other_seed(w, b, X, Y, mini_batch_size, learning_rate, seed):
        return mini_batch.line_epoch(w, b, X, Y, mini_batch_size, learning_rate, seed + 1)

    def w_first(w, b, X, Y, mini_batch_size, learning_rate, seed):
        for X_t, Y_t in data.random_mini_batches(X, Y, mini_batch_size, seed):
            w = w - learning_rate * np.mean((w * X_t + b - Y_t) * X_t)
            b = b - learning_rate * np.mean(w * X_t + b - Y_t)      # the error of the new w
        return w, b

    def half(w, b, X, Y, mini_batch_size, learning_rate, seed):
        for X_t, Y_t in data.random_mini_batches(X, Y, mini_batch_size, seed):
            error = w * X_t + b - Y_t
            w, b = w - learning_rate * np.mean(error * X_t) / 2, b - learning_rate * np.mean(error) / 2
        return w, b

    def stub(*args):
        raise NotImplementedError

    assert mini_batch.check_line_epoch(mini_batch.line_epoch).passed
    assert mini_batch.check_line_epoch(stub).status == "not written"
    assert mini_batch.check_line_epoch(lambda *a: None).status == "not written"
    for fn, word in [(full_gradient, "whole training set"), (summed, "summed"), (once, "one update"),
                     (other_seed, "seed"), (lambda *a: (1.0,), "pair"), (w_first, "already updated w"),
                     (half, "half as large")]:
        result = mini_batch.check_line_epoch(fn)
        assert result.status == "failed" and word in result.message, (fn, result)


def test_line_epoch_is_the_loop_of_gd_steps():
    X, Y = mini_batch.make_line_data(20, seed=3)
    w, b = 0.2, 0.1
    for X_t, Y_t in data.random_mini_batches(X, Y, 6, seed=2):
        g = mini_batch.line_grads(w, b, X_t, Y_t)
        w, b = w - 0.1 * g["dw"], b - 0.1 * g["db"]
    assert mini_batch.line_epoch(0.2, 0.1, X, Y, 6, 0.1, seed=2) == pytest.approx((w, b), rel=1e-12)


def test_train_epochs_unshuffled_takes_the_stored_order():
    X, Y = data.make_moons(128, seed=0)
    order = np.argsort(Y[0], kind="stable")
    X, Y = X[:, order], Y[:, order]
    start = model.init_params([2, 4, 1], seed=0)
    run = mini_batch.train_epochs(X, Y, start, 32, 0.3, num_epochs=2, shuffle=False)
    assert run["cost"].shape == (3,) and run["accuracy"].shape == (3,) and run["batch_cost"].shape == (8,)
    J, _ = model.cost_and_grads(X[:, :32], Y[:, :32], start)     # the first mini-batch is the first 32 columns
    assert run["batch_cost"][0] == pytest.approx(float(J))
    shuffled = mini_batch.train_epochs(X, Y, start, 32, 0.3, num_epochs=2, shuffle=True)
    assert shuffled["batch_cost"][0] != pytest.approx(float(J))
    with pytest.raises(ValueError, match="shuffle"):
        mini_batch.train_epochs(X, Y, start, 32, 0.3, num_epochs=2, shuffle="yes")


def test_line_gradients_match_a_numerical_gradient():
    X, Y = mini_batch.make_line_data(50, seed=2)
    theta = np.array([0.7, -0.4])
    grads = mini_batch.line_grads(theta[0], theta[1], X, Y)
    numerical = gradcheck.numerical_gradient(lambda: float(mini_batch.line_cost(theta[0], theta[1], X, Y)), theta)
    assert gradcheck.max_relative_error(np.array([grads["dw"], grads["db"]]), numerical) < 1e-7


def test_line_cost_equals_the_direct_formula_and_the_optimum_is_the_bottom():
    X, Y = mini_batch.make_line_data(40, seed=1)
    direct = np.mean((0.3 * X + 0.2 - Y) ** 2) / 2
    assert mini_batch.line_cost(0.3, 0.2, X, Y) == pytest.approx(direct)
    w, b, J = mini_batch.line_optimum(X, Y)
    assert J <= mini_batch.line_cost(w + 1e-3, b, X, Y) and J <= mini_batch.line_cost(w, b - 1e-3, X, Y)
    assert mini_batch.line_grads(w, b, X, Y)["dw"] == pytest.approx(0, abs=1e-9)


def test_line_sgd_full_batch_is_gradient_descent_and_divergence_is_flagged():
    X, Y = mini_batch.make_line_data(32, seed=0)
    run = mini_batch.line_sgd(X, Y, 32, [0.1, 0.5], num_epochs=3, start=(0.0, 0.0))
    w, b = 0.0, 0.0
    for _ in range(3):
        g = mini_batch.line_grads(w, b, X, Y)
        w, b = w - 0.1 * g["dw"], b - 0.1 * g["db"]
    np.testing.assert_allclose(run["path"][0, -1], [w, b])
    assert run["steps_per_epoch"] == 1 and run["cost"].shape == (2, 4)
    long_run = mini_batch.line_sgd(X, Y, 32, [0.1, 0.5], num_epochs=40)
    assert long_run["diverged"].tolist() == [False, True]
    assert np.isnan(long_run["path"][1, -1]).all() and np.isfinite(long_run["path"][0]).all()


def test_line_sgd_validates():
    X, Y = mini_batch.make_line_data(16)
    with pytest.raises(ValueError, match=r"learning_rates: got \[0.1, -1.0\], expected positive numbers"):
        mini_batch.line_sgd(X, Y, 4, [0.1, -1.0])
    with pytest.raises(ValueError, match="mini_batch_size"):
        mini_batch.line_sgd(X, Y, 17, [0.1])
    with pytest.raises(ValueError, match=r"\(n_x, m\)"):
        mini_batch.line_sgd(X.T, Y.T, 4, [0.1])
    with pytest.raises(ValueError, match="shape of X"):
        mini_batch.line_cost(0.0, 0.0, X, Y[:, :3])


def test_train_timed_records_costs_and_reaches_lower_cost():
    X, Y = data.make_moons(256, seed=0)
    start = model.init_params([2, 8, 1], seed=0)
    record = mini_batch.train_timed(X, Y, start, 32, 0.5, num_steps=40, eval_every=8)
    assert record["step"].tolist() == [0, 8, 16, 24, 32, 40]
    assert record["batch_cost"].shape == (40,) and record["step_seconds"].shape == (40,)
    assert np.all(np.diff(record["seconds"]) >= 0)
    assert record["cost"][-1] < record["cost"][0]
    assert mini_batch.steps_to_cost(record, record["cost"][0]) == 0
    assert mini_batch.steps_to_cost(record, -0.0) is None
    assert mini_batch.time_to_cost(record, 0.0) == float("inf")
    assert record["examples"].tolist() == [0, 256, 512, 768, 1024, 1280]       # 8 updates of 32 between records
    assert mini_batch.examples_to_cost(record, record["cost"][0]) == 0
    assert mini_batch.examples_to_cost(record, -0.0) is None
    full = mini_batch.train_timed(X, Y, start, 256, 0.5, num_steps=5, eval_every=5)
    assert full["step"].tolist() == [0, 1, 2, 3, 4, 5] and full["cost"].shape == (6,)
    assert full["cost"][0] == pytest.approx(record["cost"][0])
    assert full["examples"].tolist() == [0, 256, 512, 768, 1024, 1280]
    assert np.all(np.diff(full["seconds"]) > 0)


def test_explorer_says_diverged_and_reports_time():
    explorer = widgets.build("05_mini_batch")
    explorer.set(mini_batch_size=1, learning_rate=0.5)
    assert "diverged" in explorer.readout.value
    assert _diverged_on_plot(explorer)
    explorer.set(mini_batch_size=256, learning_rate=0.1)
    assert "batch gradient descent" in explorer.readout.value and "ms per epoch" in explorer.readout.value
    assert "diverged" not in explorer.readout.value
    assert not _diverged_on_plot(explorer)


def _diverged_on_plot(explorer):
    return any("diverged" in text for text in explorer.texts())
