"""Time every notebook (headless, fresh kernel) and every live experiment's update.

    python3 tasks.py benchmark                      # everything
    python3 tasks.py benchmark --only 07            # notebooks and experiments whose name has "07"
    python3 tasks.py benchmark --skip-notebooks
    python3 tasks.py benchmark --repeat 3           # each notebook 3 times, the median reported
    python3 tasks.py benchmark --against 6ff860b    # this tree against a git revision, side by side

A notebook that fails is reported as FAILED with the last line of its error (and the command
ends with status 1 once every other notebook and experiment has been timed): one broken chapter
never hides the timings of the others. The same holds for an experiment whose build or update fails.

For an experiment, one update is what a learner waits for after moving a control: the
``update`` computation plus drawing and JPEG encoding (``Experiment.refresh``). Each control is
swept across its range from the default state, then 30 random states (seeded) are visited.

``--against REV`` compares this tree with a git revision: REV is exported (``git archive``) to a
temporary directory, and the whole benchmark runs ``--rounds`` times on each tree, alternating
which goes first, each run in its own process with that tree's ``helpers`` and notebooks (the
measuring code is this file's, for both). Each number is the median over rounds, which
tolerates one disturbed run; a line whose time grew by more than 10% is marked.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tarfile
import tempfile
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


def measure(tree, only="", skip_notebooks=False, skip_widgets=False, repeat=1, report=print):
    """Time the notebooks and experiments of ``tree`` (whose ``helpers`` this process imports).
    Returns {"notebooks": {name: seconds}, "experiments": {name: {build, n, median, p95, worst}},
    "failed": {name: last line}}; ``report`` is called with each table line as it is measured."""
    results = {"notebooks": {}, "experiments": {}, "failed": {}}
    if not skip_notebooks:
        label = "headless execution (s)" if repeat == 1 else f"headless execution (s), median of {repeat}"
        report(f"| notebook | {label} |\n|---|---:|")
        for path in sorted((Path(tree) / "notebooks").glob("*.ipynb")):
            if only in path.name:
                times = []
                try:
                    for _ in range(repeat):
                        times.append(time_notebook(path))
                except Exception as err:  # any failure of the notebook or its kernel: report it, go on
                    results["failed"][path.name] = last_line(err)
                    report(f"| {path.name} | FAILED: {last_line(err)} |")
                    continue
                results["notebooks"][path.name] = float(np.median(times))
                report(f"| {path.name} | {np.median(times):.1f} |")
        report("")

    if not skip_widgets:
        import matplotlib

        matplotlib.use("Agg")
        from helpers import widgets

        warnings.simplefilter("error")
        report("| experiment | build (s) | updates | median (ms) | p95 (ms) | worst (ms) |\n|---|---:|---:|---:|---:|---:|")
        for name, builder in widgets.all_experiments().items():
            if only in name:
                try:
                    build_seconds, t = time_experiment(name, builder)
                except Exception as err:
                    results["failed"][name] = last_line(err)
                    report(f"| {name} | FAILED: {last_line(err)} | | | | |")
                    continue
                row = {"build": build_seconds, "n": int(t.size), "median": float(np.median(t)),
                       "p95": float(np.percentile(t, 95)), "worst": float(t.max())}
                results["experiments"][name] = row
                report(f"| {name} | {build_seconds:.2f} | {t.size} | {row['median']:.1f} | "
                       f"{row['p95']:.1f} | {row['worst']:.1f} |")
    return results


def export_revision(rev, dest):
    """Write the files of git revision ``rev`` into ``dest`` (no worktree, nothing in .git changes)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev],
                             capture_output=True, check=False)
    if archive.returncode != 0:
        raise SystemExit(f"--against: git archive {rev} failed: {archive.stderr.decode().strip()}")
    with tempfile.TemporaryFile() as tar_file:
        tar_file.write(archive.stdout)
        tar_file.seek(0)
        with tarfile.open(fileobj=tar_file) as tar:
            tar.extractall(dest, filter="data")


def measure_in_child(tree, args):
    """One full measurement of ``tree`` in a fresh process whose ``helpers`` (and whose notebooks'
    kernels' ``helpers``) are that tree's."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        out_path = out.name
    env = dict(os.environ, PYTHONPATH=str(tree))
    command = [sys.executable, str(Path(__file__).resolve()), "--tree", str(tree), "--json", out_path,
               "--only", args.only, "--repeat", str(args.repeat)]
    command += ["--skip-notebooks"] * args.skip_notebooks + ["--skip-widgets"] * args.skip_widgets
    try:
        # cwd outside both trees, so that sys.path's first entry holds no ``helpers``; a child that
        # timed some things and reports failures of others exits with 1 and still writes its results
        child = subprocess.run(command, env=env, cwd=tempfile.gettempdir(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, check=False)
        text = Path(out_path).read_text()
        if not text:
            raise SystemExit(f"measuring {tree} failed (exit status {child.returncode}):\n{child.stderr}")
        return json.loads(text)
    finally:
        os.unlink(out_path)


def compare(args):
    """This tree against revision ``args.against``: the benchmark ``args.rounds`` times on each,
    alternating which goes first, medians over rounds side by side."""
    runs = {"before": [], "after": []}
    with tempfile.TemporaryDirectory(prefix="benchmark-") as old_tree:
        export_revision(args.against, old_tree)
        trees = {"before": Path(old_tree), "after": ROOT}
        for round_ in range(args.rounds):
            order = ["before", "after"] if round_ % 2 == 0 else ["after", "before"]
            for side in order:
                print(f"round {round_ + 1}/{args.rounds}: {side} ({args.against if side == 'before' else 'this tree'})",
                      file=sys.stderr, flush=True)
                runs[side].append(measure_in_child(trees[side], args))

    def medians(side, kind, key=None):
        names = set().union(*(run[kind] for run in runs[side]))
        return {name: float(np.median([run[kind][name] if key is None else run[kind][name][key]
                                       for run in runs[side] if name in run[kind]])) for name in names}

    slower = []
    failed_on = {side: {name for run in side_runs for name in run["failed"]} for side, side_runs in runs.items()}

    def table(title, unit, before, after, scale, flag=True):
        print(f"| {title} | {args.against} ({unit}) | this tree ({unit}) | change |\n|---|---:|---:|---:|")
        for name in sorted(set(before) | set(after)):
            if name in before and name in after:
                change = after[name] / before[name] - 1
                mark = " **slower**" if flag and change > 0.10 else ""
                if mark:
                    slower.append(name)
                print(f"| {name} | {scale(before[name])} | {scale(after[name])} | {100 * change:+.0f}%{mark} |")
            else:  # measured on one side only: new, gone, or failed on the other side
                cells = [scale(values[name]) if name in values else
                         ("failed" if name in failed_on[side] else absent)
                         for values, side, absent in ((before, "before", "new"), (after, "after", "gone"))]
                print(f"| {name} | {cells[0]} | {cells[1]} | |")
        print()

    print(f"Median over {args.rounds} rounds per tree, alternating.\n")
    if not args.skip_notebooks:
        table("notebook", "s", medians("before", "notebooks"), medians("after", "notebooks"), lambda v: f"{v:.1f}")
    if not args.skip_widgets:
        table("experiment: median update", "ms", medians("before", "experiments", "median"),
              medians("after", "experiments", "median"), lambda v: f"{v:.1f}")
        table("experiment: worst update", "ms", medians("before", "experiments", "worst"),
              medians("after", "experiments", "worst"), lambda v: f"{v:.0f}", flag=False)  # one update: noisy
    print(f"More than 10% slower: {', '.join(slower)}" if slower else "Nothing is more than 10% slower.")
    failed = {(side, name, why) for side, side_runs in runs.items() for run in side_runs
              for name, why in run["failed"].items()}
    for side, name, why in sorted(failed):
        print(f"FAILED ({args.against if side == 'before' else 'this tree'}): {name}: {why}")
    return 1 if failed_on["after"] else 0  # the old revision's failures are reported, not ours to fix


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="only notebooks / experiments whose name contains this")
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--skip-widgets", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="execute each notebook N times and report the median (default 1)")
    parser.add_argument("--against", metavar="REV", help="compare with this git revision (e.g. 6ff860b)")
    parser.add_argument("--rounds", type=int, default=3, metavar="N",
                        help="with --against: runs per tree (default 3)")
    parser.add_argument("--tree", help=argparse.SUPPRESS)  # internal: the tree a --against child measures
    parser.add_argument("--json", help=argparse.SUPPRESS)  # internal: where that child writes its results
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat: got {args.repeat}, expected a positive integer")
    if args.rounds < 1:
        parser.error(f"--rounds: got {args.rounds}, expected a positive integer")
    if args.against:
        return compare(args)

    results = measure(args.tree or ROOT, args.only, args.skip_notebooks, args.skip_widgets, args.repeat,
                      report=lambda line: print(line, flush=True))
    if args.json:
        Path(args.json).write_text(json.dumps(results))
    if results["failed"]:
        print(f"\nFAILED: {', '.join(results['failed'])}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
