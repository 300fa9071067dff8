"""Time every notebook (headless, fresh kernel) and every live experiment's update.

    python3 tasks.py benchmark                      # everything
    python3 tasks.py benchmark --only 07            # notebooks and experiments whose name has "07"
    python3 tasks.py benchmark --skip-notebooks

For an experiment, one update is what a learner waits for after moving a control: the
``update`` computation plus drawing and JPEG encoding (``Experiment.refresh``). Each control is
swept across its range from the default state, then 30 random states (seeded) are visited.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def time_notebook(path, timeout=120):
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def time_experiment(name, builder, n_random=30, seed=0):
    from helpers import widgets

    start = time.perf_counter()
    experiment = builder()
    build_seconds = time.perf_counter() - start
    experiment.update_seconds.clear()
    defaults = experiment.values
    for control_name, control in experiment.controls.items():
        for value in widgets.control_sweep(control):
            control.value = value
        experiment.set(**{control_name: defaults[control_name]})
    rng = random.Random(seed)
    for _ in range(n_random):
        experiment.set(**{n: rng.choice(widgets.control_sweep(c)) for n, c in experiment.controls.items()})
    times = np.array(experiment.update_seconds) * 1e3
    return build_seconds, times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="only notebooks / experiments whose name contains this")
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--skip-widgets", action="store_true")
    args = parser.parse_args(argv)

    if not args.skip_notebooks:
        print("| notebook | headless execution (s) |\n|---|---:|")
        for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
            if args.only in path.name:
                print(f"| {path.name} | {time_notebook(path):.1f} |", flush=True)
        print()

    if not args.skip_widgets:
        import matplotlib

        matplotlib.use("Agg")
        from helpers import widgets

        warnings.simplefilter("error")
        print("| experiment | build (s) | updates | median (ms) | p95 (ms) | worst (ms) |\n|---|---:|---:|---:|---:|---:|")
        for name, builder in widgets.all_experiments().items():
            if args.only in name:
                build_seconds, t = time_experiment(name, builder)
                print(f"| {name} | {build_seconds:.2f} | {t.size} | {np.median(t):.1f} | "
                      f"{np.percentile(t, 95):.1f} | {t.max():.1f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
