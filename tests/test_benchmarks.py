"""The benchmark's comparison with a git revision (``tasks.py benchmark --against REV``)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def in_a_git_checkout():
    found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, check=False)
    return found.returncode == 0


@pytest.mark.skipif(not in_a_git_checkout(), reason="--against reads a revision from git")
def test_against_a_revision_measures_both_trees_side_by_side():
    run = subprocess.run([sys.executable, "benchmarks/run.py", "--against", "HEAD", "--rounds", "1",
                          "--skip-notebooks", "--only", "04_gradient_check.epsilon"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    rows = [line for line in run.stdout.splitlines() if line.startswith("| 04_gradient_check.epsilon |")]
    assert len(rows) == 2  # median and worst update, each: HEAD, this tree, change
    for row in rows:
        before, after, change = [cell.strip() for cell in row.strip("|").split("|")[1:]]
        assert float(before) > 0 and float(after) > 0 and change.endswith("%")


def test_against_an_unknown_revision_says_so():
    run = subprocess.run([sys.executable, "benchmarks/run.py", "--against", "no-such-revision", "--skip-notebooks"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode != 0 and "--against: git archive no-such-revision failed" in run.stderr
