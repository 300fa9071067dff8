"""helpers.data: shapes in the course's notation, seeded reproducibility, validation."""

import numpy as np
import pytest

from helpers import data


@pytest.mark.parametrize("make", [data.make_moons, data.make_circles, data.make_noisy])
def test_binary_sets_are_columns_of_examples(make):
    X, Y = make(m=51, seed=3)
    assert X.shape == (2, 51) and Y.shape == (1, 51)
    assert set(np.unique(Y)) <= {0.0, 1.0}
    X2, Y2 = make(m=51, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)


def test_make_noisy_flips_the_stated_fraction():
    X, Y = data.make_noisy(m=4000, noise=0.2, label_noise=0.1, seed=0)
    _, clean = data.make_moons(4000, 0.2, seed=0)
    assert np.mean(Y != clean) == pytest.approx(0.1, abs=0.015)


def test_blobs_and_one_hot():
    X, y = data.make_blobs(90, centers=3, seed=0)
    Y = data.one_hot(y, 3)
    assert X.shape == (2, 90) and Y.shape == (3, 90)
    np.testing.assert_array_equal(Y.sum(axis=0), 1)
    np.testing.assert_array_equal(Y.argmax(axis=0), y[0])


def test_digits_are_the_bundled_real_images():
    X, y = data.load_digits()
    assert X.shape == (64, 1797) and y.shape == (1, 1797)
    assert X.min() == 0 and X.max() == 1
    assert set(np.unique(y)) == set(range(10))


def test_temperatures_ship_with_the_package():
    weather = data.load_temperatures()
    assert weather["date"].size == 1461
    assert str(weather["date"][0]) == "2012-01-01" and str(weather["date"][-1]) == "2015-12-31"
    assert -10 < weather["temp_mean"].min() < weather["temp_mean"].max() < 40


def test_split_sizes_by_scale():
    assert data.split_sizes(1000, (0.6, 0.2, 0.2)) == (600, 200, 200)
    assert data.split_sizes(1_000_000, (0.98, 0.01, 0.01)) == (980_000, 10_000, 10_000)
    assert sum(data.split_sizes(997, (0.6, 0.2, 0.2))) == 997


def test_split_is_a_seeded_partition():
    X, Y = data.make_moons(100, seed=0)
    X[1] = np.arange(100)  # tag the columns
    parts = data.train_dev_test_split(X, Y, (0.6, 0.2, 0.2), seed=4)
    tags = np.concatenate([p[0][1] for p in parts])
    assert sorted(tags) == list(range(100))
    again = data.train_dev_test_split(X, Y, (0.6, 0.2, 0.2), seed=4)
    for (a, _), (b, _) in zip(parts, again):
        np.testing.assert_array_equal(a, b)


def test_mini_batches_cover_every_example_once_with_a_partial_last():
    X = np.arange(2 * 130, dtype=float).reshape(2, 130)
    Y = (np.arange(130) % 2).reshape(1, 130).astype(float)
    batches = data.random_mini_batches(X, Y, mini_batch_size=32, seed=1)
    assert [b[0].shape[1] for b in batches] == [32, 32, 32, 32, 2]
    seen = np.concatenate([b[0][0] for b in batches])
    assert sorted(seen) == sorted(X[0])
    for X_t, Y_t in batches:  # columns stay paired with their labels
        np.testing.assert_array_equal(Y_t[0], (X_t[0] % 2))
    again = data.random_mini_batches(X, Y, 32, seed=1)
    np.testing.assert_array_equal(np.concatenate([b[0] for b in again], axis=1), np.concatenate([b[0] for b in batches], axis=1))


def test_standardize_uses_training_statistics():
    X_train = np.array([[1.0, 3.0, 5.0], [10.0, 10.0, 40.0]])
    mu, sigma = data.fit_standardizer(X_train)
    Z = data.standardize(X_train, mu, sigma)
    np.testing.assert_allclose(Z.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=1), 1)
    np.testing.assert_allclose(data.standardize(np.array([[3.0], [10.0]]), mu, sigma), (np.array([[3.0], [10.0]]) - mu) / sigma)


BAD_CALLS = [
    (lambda: data.make_moons(1), r"m: got 1, expected an integer in \[2, inf\]"),
    (lambda: data.make_moons(10, noise=-1), r"noise: got -1, expected a number in \[0, inf\]"),
    (lambda: data.make_moons("300"), r"m: got '300' \(a str\).*300 without quotes"),
    (lambda: data.make_moons(300, seed=None), r"seed: got None"),
    (lambda: data.split_sizes(10, (0.5, 0.2)), "sum to 1"),
    (lambda: data.train_dev_test_split(np.ones((2, 10)), np.ones((1, 9))), r"Y: got 9 column\(s\)"),
    (lambda: data.train_dev_test_split(np.ones((2, 10)), np.ones((10, 1))), r"Y: got shape \(10, 1\).*pass Y\.T"),
    (lambda: data.random_mini_batches(np.ones((2, 10)), np.ones((1, 10)), 0), r"mini_batch_size: got 0, expected an integer in \[1, inf\]"),
    (lambda: data.random_mini_batches(np.ones((2, 0)), np.ones((1, 0)), 4), r"X: got an empty array"),
    (lambda: data.random_mini_batches(np.ones((2, 10)), np.ones((1, 10)), 4.0), r"mini_batch_size: got 4.0.*e.g. 4"),
    (lambda: data.one_hot(np.array([[0, 3]]), 3), r"y: got 1 value\(s\) such as 3, expected integer labels in 0..2"),
    (lambda: data.one_hot(np.eye(3), 3), r"y: got shape \(3, 3\).*argmax"),
    (lambda: data.fit_standardizer(np.array([[1.0, np.nan]])), r"X: got 1 NaN or inf value"),
    (lambda: data.standardize(np.ones((3, 2)), np.zeros((2, 1)), np.ones((2, 1))), r"X: got shape \(m, n_x\) = \(3, 2\), expected \(n_x, m\) = \(2, 3\), e.g. pass X\.T"),
    (lambda: data.standardize(np.ones((2, 3)), np.zeros((2, 1)), np.zeros((2, 1))), r"sigma: got 2 value\(s\) <= 0"),
    (lambda: data.load_mnist(flatten="yes"), r"flatten: got 'yes' \(a str\), expected True or False"),
]


@pytest.mark.parametrize("call, message", BAD_CALLS)
def test_bad_inputs_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_mnist_ships_with_the_package_500_per_class():
    X, y = data.load_mnist()
    assert X.shape == (784, 5000) and X.dtype == np.float64
    assert y.shape == (1, 5000) and np.issubdtype(y.dtype, np.integer)
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(np.bincount(y[0]), [500] * 10)
    # Real handwriting: a 28x28 image with a dark border and ink in the middle.
    image = X[:, 0].reshape(28, 28)
    assert image[0].max() == 0 and image[10:18, 10:18].max() > 0.5
    # The grey levels are the file's own: scaling is exactly / 255.
    raw, _ = data.load_mnist(flatten=False, scale=False)
    assert raw.shape == (28, 28, 5000) and raw.dtype == np.uint8
    np.testing.assert_array_equal(raw[..., 7].reshape(-1) / 255.0, X[:, 7])


def test_mnist_is_deterministic_and_not_shared_between_calls():
    X1, y1 = data.load_mnist()
    X1[:, 0] = -1.0  # a caller's change must not reach the next call
    X2, y2 = data.load_mnist()
    assert X2.min() == 0.0
    np.testing.assert_array_equal(y1, y2)


def test_mnist_one_hot_and_a_seeded_split():
    X, Y = data.load_mnist(one_hot=True)
    _, y = data.load_mnist()
    assert Y.shape == (10, 5000)
    np.testing.assert_array_equal(Y.sum(axis=0), 1)
    np.testing.assert_array_equal(Y.argmax(axis=0), y[0])
    parts = data.train_dev_test_split(X, y, (0.8, 0.2), seed=0)
    (X_train, y_train), (X_test, y_test) = parts
    assert X_train.shape == (784, 4000) and X_test.shape == (784, 1000)
    assert np.issubdtype(y_test.dtype, np.integer)
    counts = np.bincount(y_test[0], minlength=10)
    assert counts.min() > 70 and counts.max() < 130  # shuffled: every class in the held-out part
    again = data.train_dev_test_split(X, y, (0.8, 0.2), seed=0)
    np.testing.assert_array_equal(again[1][1], y_test)


@pytest.mark.parametrize("flag", ["flatten", "scale", "one_hot"])
def test_mnist_flags_must_be_booleans(flag):
    with pytest.raises(ValueError, match=flag):
        data.load_mnist(**{flag: 1})


def test_mini_batches_is_the_loop_inside_random_mini_batches():
    X = np.arange(3 * 70, dtype=float).reshape(3, 70)
    Y = (np.arange(70) % 2).reshape(1, 70).astype(float)
    checked = data.random_mini_batches(X, Y, 16, seed=5)
    unchecked = data.mini_batches(X, Y, 16, np.random.default_rng(5))
    assert len(checked) == len(unchecked) == 5
    for (a, b), (c, d) in zip(checked, unchecked):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)
    with pytest.raises(ValueError, match="rng"):
        data.mini_batches(X, Y, 16, 5)


def test_load_digits_reads_the_same_arrays_as_scikit_learn():
    from sklearn.datasets import load_digits

    X, y = data.load_digits()
    digits = load_digits()
    np.testing.assert_array_equal(X, digits.data.T / 16.0)
    np.testing.assert_array_equal(y, digits.target.reshape(1, -1).astype(np.float64))


@pytest.mark.parametrize("m", [2, 3, 8, 101, 1000])
@pytest.mark.parametrize("seed", [0, 7, 12345])
def test_the_toy_sets_are_scikit_learns_points(m, seed):
    # the same points, in the same order, as scikit-learn's generators (drawn without importing it)
    from sklearn import datasets

    def columns(X, y):
        return X.T.astype(np.float64), y.reshape(1, -1).astype(np.float64)

    for noise in (0.0, 0.25):
        pairs = [(data.make_moons(m, noise, seed), datasets.make_moons(n_samples=m, noise=noise, random_state=seed)),
                 (data.make_circles(m, noise, 0.4, seed),
                  datasets.make_circles(n_samples=m, noise=noise, factor=0.4, random_state=seed))]
        for ours, theirs in pairs:
            for a, b in zip(ours, columns(*theirs)):
                np.testing.assert_array_equal(a, b)
    for centers in (1, 3, 5):
        X, y = datasets.make_blobs(n_samples=m + 2, centers=centers, cluster_std=1.5, random_state=seed)
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        for a, b in zip(data.make_blobs(m + 2, centers, 1.5, seed), columns(X, y)):
            np.testing.assert_array_equal(a, b)


def test_the_toy_sets_do_not_import_scikit_learn():
    import subprocess
    import sys

    code = ("import sys; from helpers import data; data.make_moons(); data.make_circles(); data.make_blobs(); "
            "data.make_noisy(); data.load_digits(); print('sklearn' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"
