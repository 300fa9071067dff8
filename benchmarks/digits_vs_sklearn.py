"""The chapter-10 digits network trained by ``helpers`` against scikit-learn's MLPClassifier.

    .venv/bin/python benchmarks/digits_vs_sklearn.py                 # 30 epochs, 5 repeats
    .venv/bin/python benchmarks/digits_vs_sklearn.py --epochs 100 --repeats 3

Both train the same network on the same split of the 1797 real digits (80% train, 20% held-out
validation, shuffled with seed 0), in one process, alternately:

- layers ``[64, 64, 10]``: one hidden layer of 64 ReLU units, softmax output, cross-entropy;
- Adam with ``learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8``, no L2 penalty;
- mini-batches of 64, reshuffled every epoch, for the same number of epochs (scikit-learn's
  early stopping and tolerance-based stop are switched off, so it runs every epoch).

Only the training call is timed (``model.fit`` against ``MLPClassifier.fit``); neither computes a
validation score during training. The two differ in what the course does not fix: the
initialization (He normal here, Glorot uniform there) and the shuffling generator. Each side runs
``--repeats`` times; the table gives the median wall time and CPU time (``time.process_time``,
which a busy machine disturbs less than the wall clock; with several BLAS threads it adds their
times up), the ratios helpers / MLPClassifier (below 1: helpers is faster) and the validation
accuracies. Both run with BLAS limited to one thread and again with BLAS's default threads.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings

import numpy as np


def helpers_run(split, epochs, seed):
    from helpers import data, model, optim

    (X_train, y_train), (X_val, y_val) = split
    params = model.init_params([64, 64, 10], init="he", seed=seed)
    start, cpu = time.perf_counter(), time.process_time()
    params, _ = model.fit(X_train, data.one_hot(y_train, 10), params, optim.adam(0.001, 0.9, 0.999, 1e-8),
                          num_epochs=epochs, mini_batch_size=64, seed=seed)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return seconds, cpu, float(model.accuracy(X_val, data.one_hot(y_val, 10), params))


def sklearn_run(split, epochs, seed):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    (X_train, y_train), (X_val, y_val) = split
    clf = MLPClassifier(hidden_layer_sizes=(64,), activation="relu", solver="adam", alpha=0.0, batch_size=64,
                        learning_rate_init=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, max_iter=epochs,
                        shuffle=True, random_state=seed, tol=0.0, n_iter_no_change=epochs + 1, early_stopping=False)
    X, y = X_train.T, y_train.ravel().astype(int)  # scikit-learn wants (m, n_x) and 1-D labels
    start, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # reaching max_iter is the point here
        clf.fit(X, y)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert clf.n_iter_ == epochs, f"scikit-learn stopped after {clf.n_iter_} epochs"
    return seconds, cpu, float(np.mean(clf.predict(X_val.T) == y_val.ravel()))


def compare(split, epochs, repeats):
    times = {"helpers": [], "sklearn": []}
    cpus = {"helpers": [], "sklearn": []}
    accuracy = {}
    for r in range(repeats):
        for name, run in (("helpers", helpers_run), ("sklearn", sklearn_run)):
            seconds, cpu, acc = run(split, epochs, seed=0)
            times[name].append(seconds)
            cpus[name].append(cpu)
            accuracy[name] = acc  # the same every repeat (seeded)
    median = lambda d: {name: statistics.median(t) for name, t in d.items()}
    return median(times), median(cpus), accuracy


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    import sklearn
    from threadpoolctl import threadpool_limits

    from helpers import data

    X, y = data.load_digits()
    split = data.train_dev_test_split(X, y, (0.8, 0.2), seed=0)
    print(f"digits: {split[0][0].shape[1]} train / {split[1][0].shape[1]} validation, [64, 64, 10] ReLU + softmax, "
          f"Adam(0.001), mini-batches of 64, {args.epochs} epochs, median of {args.repeats}; "
          f"numpy {np.__version__}, scikit-learn {sklearn.__version__}\n")
    print("| BLAS threads | helpers wall (s) | MLPClassifier wall (s) | wall ratio | helpers CPU (s) | "
          "MLPClassifier CPU (s) | CPU ratio | helpers val acc | MLPClassifier val acc |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, limit in (("1", 1), ("default", None)):
        if limit is None:
            seconds, cpu, accuracy = compare(split, args.epochs, args.repeats)
        else:
            with threadpool_limits(limits=limit, user_api="blas"):
                seconds, cpu, accuracy = compare(split, args.epochs, args.repeats)
        print(f"| {label} | {seconds['helpers']:.3f} | {seconds['sklearn']:.3f} | "
              f"{seconds['helpers'] / seconds['sklearn']:.2f} | {cpu['helpers']:.3f} | {cpu['sklearn']:.3f} | "
              f"{cpu['helpers'] / cpu['sklearn']:.2f} | {100 * accuracy['helpers']:.1f}% | "
              f"{100 * accuracy['sklearn']:.1f}% |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
