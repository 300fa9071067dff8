"""Time every notebook (headless, fresh kernel) and every live experiment's update.

    python3 tasks.py benchmark                      # everything
    python3 tasks.py benchmark --only 07            # notebooks and experiments whose name has "07"
    python3 tasks.py benchmark --skip-notebooks
    python3 tasks.py benchmark --repeat 3           # each notebook 3 times, the median reported

A notebook that fails is reported as FAILED with the last line of its error (and the command
ends with status 1 once every other notebook and experiment has been timed): one broken chapter
never hides the timings of the others. The same holds for an experiment whose build or update fails.

For an experiment, one update is what a learner waits for after moving a control: the
``update`` computation plus drawing and JPEG encoding (``Experiment.refresh``). Each control is
swept across its range from the default state, then 30 random states (seeded) are visited.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def last_line(err):
    """The last non-empty line of an error's text (``ValueError: ...`` for a cell's exception),
    made safe for a markdown table cell."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(err))  # a traceback's terminal colours
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    text = lines[-1] if lines else type(err).__name__
    return text.replace("|", "\\|")


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
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="execute each notebook N times and report the median (default 1)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat: got {args.repeat}, expected a positive integer")
    failed = []

    if not args.skip_notebooks:
        label = "headless execution (s)" if args.repeat == 1 else f"headless execution (s), median of {args.repeat}"
        print(f"| notebook | {label} |\n|---|---:|")
        for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
            if args.only in path.name:
                times = []
                try:
                    for _ in range(args.repeat):
                        times.append(time_notebook(path))
                except Exception as err:  # any failure of the notebook or its kernel: report it, go on
                    failed.append(path.name)
                    print(f"| {path.name} | FAILED: {last_line(err)} |", flush=True)
                    continue
                print(f"| {path.name} | {np.median(times):.1f} |", flush=True)
        print()

    if not args.skip_widgets:
        import matplotlib

        matplotlib.use("Agg")
        from helpers import widgets

        warnings.simplefilter("error")
        print("| experiment | build (s) | updates | median (ms) | p95 (ms) | worst (ms) |\n|---|---:|---:|---:|---:|---:|")
        for name, builder in widgets.all_experiments().items():
            if args.only in name:
                try:
                    build_seconds, t = time_experiment(name, builder)
                except Exception as err:
                    failed.append(name)
                    print(f"| {name} | FAILED: {last_line(err)} | | | | |", flush=True)
                    continue
                print(f"| {name} | {build_seconds:.2f} | {t.size} | {np.median(t):.1f} | "
                      f"{np.percentile(t, 95):.1f} | {t.max():.1f} |", flush=True)

    if failed:
        print(f"\nFAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
