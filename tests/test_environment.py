"""The install is reproducible: requirements.lock pins every dependency, inside pyproject's ranges,
and environment.yml (Binder) installs exactly that lock."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _pip_section():
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    entries = []
    for line in lines[start + 1 :]:
        match = re.match(r"\s+- (.+)", line)
        if not match:
            break
        entries.append(match.group(1).strip())
    return entries


def _locked():
    """``{name: [(version, marker or None), ...]}`` from requirements.lock."""
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if not line or line[0] in "# ":
            continue
        requirement = Requirement(line)
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"the lock must pin exact versions: {line}"
        pins.setdefault(canonicalize_name(requirement.name), []).append((spec.version, requirement.marker))
    return pins


def _direct_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return [Requirement(r) for r in project["dependencies"] + extras["test"] + extras["browser"]]


def test_environment_yml_installs_the_lock_and_the_course():
    assert _pip_section() == ["-r requirements.lock", "-e ."]


def test_the_lock_pins_every_direct_dependency_inside_its_range():
    pins = _locked()
    python = {"python_version": "3.11", "python_full_version": "3.11.7"}
    for requirement in _direct_requirements():
        if requirement.marker is not None and not requirement.marker.evaluate(python):
            continue
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is in pyproject.toml but not pinned in requirements.lock"
        for version, marker in pins[name]:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"requirements.lock pins {name}=={version} ({marker}), outside pyproject's {requirement.specifier}")


def test_one_version_of_the_main_packages_for_every_python():
    pins = _locked()
    for name in ("numpy", "matplotlib", "scikit-learn", "ipywidgets", "jupyterlab", "nbval", "contourpy"):
        assert len(pins[name]) == 1, f"{name} forks by Python version in the lock: {pins[name]}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 tasks.py test" in readme
    assert "python3 tasks.py test\n" in ci
