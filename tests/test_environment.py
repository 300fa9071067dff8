"""environment.yml (Binder) and pyproject.toml (pip) must list the same packages and ranges."""

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

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


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    # Binder needs the course and its tests; playwright drives a browser Binder does not have.
    wanted = project["dependencies"] + project["optional-dependencies"]["test"] + [
        d for d in project["optional-dependencies"]["browser"] if not d.startswith("playwright")
    ]
    listed = [e for e in _pip_section() if e != "-e ."]
    assert sorted(listed) == sorted(wanted)
    assert "-e ." in _pip_section(), "Binder must install helpers itself"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 tasks.py test" in readme
    assert "python3 tasks.py test\n" in ci
