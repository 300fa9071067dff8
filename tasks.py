#!/usr/bin/env python3
"""Set up and run the course with nothing but Python 3.10+.

    python3 tasks.py lab            open the course in JupyterLab
    python3 tasks.py test           run the test suite (unit tests, widget drives, every notebook)
    python3 tasks.py test-browser   drive JupyterLab and Voila in Chromium (needs Debian's chromium)
    python3 tasks.py classroom NB   show one notebook's experiments as a Voila dashboard
    python3 tasks.py benchmark      time every notebook and every widget update

The first call creates ``.venv`` and installs the project with its pinned dependency ranges from
``pyproject.toml``; later calls reinstall only when ``pyproject.toml`` changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
EXTRAS = "test,browser"


def ensure_env():
    """Create the virtual environment and install the project into it when needed."""
    if sys.version_info < (3, 10):
        sys.exit(f"Python 3.10 or newer is needed; this is {sys.version.split()[0]}")
    stamp = VENV / ".installed"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + EXTRAS.encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    run([PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([PYTHON, "-m", "pip", "install", "--quiet", "-e", f".[{EXTRAS}]"])
    stamp.write_text(wanted)


def run(command, **kwargs):
    print("+", " ".join(str(c) for c in command), flush=True)
    result = subprocess.run([str(c) for c in command], cwd=ROOT, **kwargs)
    if result.returncode:
        sys.exit(result.returncode)


def kernel_env():
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # a backend set for CI would leak into the notebooks' kernels
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


# Classroom mode: Voila with the course's template (share/jupyter/voila/templates/classroom), which
# hides code, printed text and plain-text results; --experiments-only also hides text and figures.
CLASSROOM_ARGS = ["--strip_sources=True", "--template=classroom", "--theme=light"]


def classroom_env():
    env = kernel_env()
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(ROOT / "share" / "jupyter"), env.get("JUPYTER_PATH")]))
    return env


def classroom_args(rest):
    """Voila's arguments for ``classroom [--experiments-only] NB [voila options]``."""
    options = [a for a in rest if a != "--experiments-only"]
    if len(options) < len(rest):
        options.insert(0, "--VoilaConfiguration.resources=experiments_only=1")
    return CLASSROOM_ARGS + options


def main(argv):
    if not argv or argv[0] not in {"lab", "test", "test-browser", "classroom", "benchmark"}:
        sys.exit(__doc__)
    command, rest = argv[0], argv[1:]
    ensure_env()
    if command == "lab":
        run([PYTHON, "-m", "jupyter", "lab", "notebooks", *rest], env=kernel_env())
    elif command == "test":
        run([PYTHON, "-m", "pytest", "-n", "2", "--dist", "loadscope", "-m", "not browser",
             "--nbval", "--nbval-current-env", "tests", "notebooks", *rest], env=kernel_env())
    elif command == "test-browser":
        run([PYTHON, "-m", "pytest", "-m", "browser", "tests/browser", *rest], env=kernel_env())
    elif command == "classroom":
        if not rest:
            sys.exit("usage: python3 tasks.py classroom [--experiments-only] notebooks/07_optimizers.ipynb")
        run([PYTHON, "-m", "voila", *classroom_args(rest)], env=classroom_env())
    elif command == "benchmark":
        run([PYTHON, "benchmarks/run.py", *rest], env=kernel_env())


if __name__ == "__main__":
    main(sys.argv[1:])
