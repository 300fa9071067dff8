#!/usr/bin/env python3
"""Set up and run the course with nothing but Python 3.11+.

    python3 tasks.py lab              open the course in JupyterLab
    python3 tasks.py learner          write your own copy, exercises to do (learner/), open it in JupyterLab
    python3 tasks.py progress         run your copy headless: each exercise passed, failed or not written
    python3 tasks.py test             run the test suite (unit tests, widget drives, every notebook)
    python3 tasks.py test-portability run the notebooks again with numpy's SIMD paths and OpenBLAS's kernel changed
    python3 tasks.py test-lowest      run the fast suite on the lowest versions pyproject.toml allows
    python3 tasks.py test-browser     drive JupyterLab and Voila in Chromium (needs Debian's chromium)
    python3 tasks.py classroom NB     show one notebook's experiments as a Voila dashboard
    python3 tasks.py benchmark        time every notebook and every widget update
    python3 tasks.py lock             refresh requirements.lock (maintainers)

The first call creates ``.venv`` and installs the exact versions of ``requirements.lock`` (the set
CI tests), then the course itself; later calls reinstall only when the lock or ``pyproject.toml``
changed.
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
LOWEST_VENV = ROOT / ".venv-lowest"
LOCK = ROOT / "requirements.lock"
EXTRAS = "test,browser"
UV = "uv==0.13.9"  # resolves the lock and the lowest versions
# The pytest command of the fast suite; `test` and `test-lowest` run exactly this.
FAST_SUITE = ["-m", "pytest", "-n", "2", "--dist", "loadscope", "-m", "not browser",
              "--nbval", "--nbval-current-env", "tests", "notebooks"]


def python_of(env_dir):
    return env_dir / ("Scripts" if os.name == "nt" else "bin") / ("python.exe" if os.name == "nt" else "python")


PYTHON = python_of(VENV)


def ensure_env():
    """Create the virtual environment and install the locked versions into it when needed."""
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    stamp = VENV / ".installed"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + LOCK.read_bytes() + EXTRAS.encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    run([PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    # Exactly the tested versions first, then the course itself without letting pip pick anything else.
    run([PYTHON, "-m", "pip", "install", "--quiet", "-r", LOCK])
    run([PYTHON, "-m", "pip", "install", "--quiet", "--no-deps", "-e", f".[{EXTRAS}]"])
    run([PYTHON, "-m", "pip", "check"])
    stamp.write_text(wanted)


def run(command, **kwargs):
    print("+", " ".join(str(c) for c in command), flush=True)
    result = subprocess.run([str(c) for c in command], cwd=ROOT, **kwargs)
    if result.returncode:
        sys.exit(result.returncode)


def output_of(command, **kwargs):
    return subprocess.run([str(c) for c in command], cwd=ROOT, check=True, capture_output=True, text=True,
                          **kwargs).stdout.strip()


def kernel_env(**extra):
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # a backend set for CI would leak into the notebooks' kernels
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env.update(extra)
    return env


def running_as_root():
    return hasattr(os, "geteuid") and os.geteuid() == 0


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


# ---------------------------------------------------------------- commands


def lab(rest):
    # Jupyter refuses to start as root (containers, cloud machines) unless told it may.
    root = ["--allow-root"] if running_as_root() else []
    run([PYTHON, "-m", "jupyter", "lab", "notebooks", *root, *rest], env=kernel_env())


LEARNER_TOOL = ROOT / "tools" / "learner_edition.py"


def dest_from_here(rest):
    """``--dest DIR`` made absolute: relative to where the command was typed, not to the course."""
    rest = list(rest)
    if "--dest" in rest[:-1]:
        rest[rest.index("--dest") + 1] = os.path.abspath(rest[rest.index("--dest") + 1])
    return rest


def learner(rest):
    """``learner [--no-lab] [--dest DIR]``: write the learner edition (never over a file), then open it."""
    options = dest_from_here(a for a in rest if a != "--no-lab")
    run([PYTHON, LEARNER_TOOL, "write", *options], env=kernel_env())
    if "--no-lab" not in rest:
        dest = options[options.index("--dest") + 1] if "--dest" in options[:-1] else "learner"
        root = ["--allow-root"] if running_as_root() else []
        run([PYTHON, "-m", "jupyter", "lab", dest, *root], env=kernel_env())


def progress(rest):
    """``progress [--dest DIR] [--full]``: execute copies of the learner's notebooks, grade each exercise."""
    run([PYTHON, LEARNER_TOOL, "progress", *dest_from_here(rest)], env=kernel_env())


def test(rest):
    run([PYTHON, *FAST_SUITE, *rest], env=kernel_env())


def test_portability(rest):
    """Every notebook under nbval again, on code paths another machine would take.

    Run 1 switches off every SIMD extension numpy found beyond its baseline and makes OpenBLAS use
    its Sandybridge kernel; run 2 uses OpenBLAS's oldest kernel (Prescott) with numpy's own paths.
    A stored output that changes with the machine fails here.
    """
    features = output_of([PYTHON, "tools/codepaths.py", "features"])
    runs = [{"NPY_DISABLE_CPU_FEATURES": features, "OPENBLAS_CORETYPE": "Sandybridge"},
            {"OPENBLAS_CORETYPE": "Prescott"}]
    for paths in runs:
        env = kernel_env(**paths)
        print("\n=== notebooks with " + " ".join(f"{k}={v!r}" for k, v in paths.items()), flush=True)
        run([PYTHON, "tools/codepaths.py", "report"], env=env)
        run([PYTHON, "-m", "pytest", "-n", "2", "--dist", "loadscope", "--nbval", "--nbval-current-env",
             "notebooks", *rest], env=env)


def test_lowest(rest):
    """The fast suite in ``.venv-lowest``, on the lowest version of every direct dependency."""
    uv = install_uv()
    if not python_of(LOWEST_VENV).exists():
        run([uv, "venv", "--quiet", "--python", sys.executable, LOWEST_VENV])
    env = dict(os.environ, VIRTUAL_ENV=str(LOWEST_VENV))
    run([uv, "pip", "install", "--quiet", "--resolution", "lowest-direct", "-e", ".[test]"], env=env)
    run([python_of(LOWEST_VENV), "tools/codepaths.py", "report"])
    run([python_of(LOWEST_VENV), *FAST_SUITE, *rest], env=kernel_env())


def test_browser(rest):
    run([PYTHON, "-m", "pytest", "-m", "browser", "tests/browser", *rest], env=kernel_env())


def classroom(rest):
    if not rest:
        sys.exit("usage: python3 tasks.py classroom [--experiments-only] notebooks/07_optimizers.ipynb")
    run([PYTHON, "-m", "voila", *classroom_args(rest)], env=classroom_env())


def benchmark(rest):
    run([PYTHON, "benchmarks/run.py", *rest], env=kernel_env())


def lock(rest):
    """Refresh requirements.lock: one universal lock (every platform, Python >= 3.11) holding ONE
    version of each package where the packages allow it (uv's "fewest" fork strategy), so that
    every learner installs the set CI tests. Run the test suites afterwards, then commit the lock."""
    uv = install_uv()
    run([uv, "pip", "compile", "pyproject.toml", "--extra", "test", "--extra", "browser", "--quiet",
         "--universal", "--python-version", "3.11", "--fork-strategy", "fewest", "--upgrade",
         "--custom-compile-command", "python3 tasks.py lock", "-o", LOCK, *rest])


def install_uv():
    run([PYTHON, "-m", "pip", "install", "--quiet", UV])
    return PYTHON.parent / "uv"


COMMANDS = {
    "lab": lab,
    "learner": learner,
    "progress": progress,
    "test": test,
    "test-portability": test_portability,
    "test-lowest": test_lowest,
    "test-browser": test_browser,
    "classroom": classroom,
    "benchmark": benchmark,
    "lock": lock,
}


def main(argv):
    if not argv or argv[0] not in COMMANDS:
        sys.exit(__doc__)
    command, rest = argv[0], argv[1:]
    ensure_env()
    COMMANDS[command](rest)


if __name__ == "__main__":
    main(sys.argv[1:])
