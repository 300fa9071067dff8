"""Servers and a browser for the real-browser tests (``python3 tasks.py test-browser``).

Everything runs on loopback from a temporary directory: a copy of ``notebooks/`` (so running
cells in JupyterLab never touches the committed notebooks) and the learner edition written from
it (``learner/``, as ``python3 tasks.py learner`` writes it), token-less JupyterLab and Voila
servers whose config, runtime, data, settings and workspace directories all live there, and
Debian's Chromium (``apt-get install chromium``) driven by pip's playwright with a fresh
profile. Screenshots, server logs and the latency table go to ``artifacts/browser/``.

Nothing here runs, or even imports playwright, in the fast suite (``-m "not browser"``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from experiments import LATENCY, TIMINGS, latency_table, timings_table

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SERVER_START_SECONDS = 120

def chapter_notebooks():
    """Every chapter notebook that exists now (notebooks/NN_*.ipynb), discovered at run time."""
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def notebooks_with_exercises():
    """The chapter notebooks whose learner edition differs from the course's: those with exercises."""
    return [p for p in chapter_notebooks() if "### BEGIN SOLUTION" in p.read_text(encoding="utf-8")]


def load_learner_edition():
    """tools/learner_edition.py as a module (what ``python3 tasks.py learner`` runs)."""
    spec = importlib.util.spec_from_file_location("learner_edition", ROOT / "tools" / "learner_edition.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["learner_edition"] = module
    spec.loader.exec_module(module)
    return module


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def load_tasks():
    """tasks.py as a module: the Voila server here is started exactly like ``tasks.py classroom``."""
    spec = importlib.util.spec_from_file_location("course_tasks", ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- servers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


class Server:
    """A server process in its own process group, with its log in artifacts/browser/."""

    def __init__(self, name, command, env, cwd, ready_path):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = ARTIFACTS / f"{name}.log"
        self._log = open(self.log_path, "w")
        command = [str(c).replace("{port}", str(self.port)) for c in command]
        self._log.write("+ " + " ".join(command) + "\n")
        self._log.flush()
        self.process = subprocess.Popen(command, env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not http_ok(self.url + ready_path):
            if self.process.poll() is not None:
                self._log.close()
                raise RuntimeError(f"{name} exited with {self.process.returncode}; see {self.log_path}:\n"
                                   + self.log_path.read_text()[-3000:])
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{name} did not answer within {SERVER_START_SECONDS} s; see {self.log_path}")
            time.sleep(0.3)

    def api(self, method, path):
        request = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def stop(self):
        if self.process.poll() is None:
            # SIGTERM to the server's own group: the server shuts its kernels down, then exits.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        try:  # kernels left in the group
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._log.close()


@pytest.fixture(scope="session")
def workdir():
    """A temporary home for the servers: config, runtime, data, settings, workspaces, notebooks."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="course-browser-") as tmp:
        tmp = Path(tmp)
        shutil.copytree(ROOT / "notebooks", tmp / "course" / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        load_learner_edition().write_edition(tmp / "course" / "notebooks", tmp / "course" / "learner")
        yield tmp


@pytest.fixture(scope="session")
def server_env(workdir):
    tasks = load_tasks()
    env = tasks.classroom_env()  # tasks.kernel_env() + the classroom Voila template on JUPYTER_PATH
    for name in ("config", "runtime", "data", "ipython", "mpl", "settings", "workspaces"):
        (workdir / name).mkdir()
    env.update(
        JUPYTER_CONFIG_DIR=str(workdir / "config"),
        JUPYTER_RUNTIME_DIR=str(workdir / "runtime"),
        JUPYTER_DATA_DIR=str(workdir / "data"),
        IPYTHONDIR=str(workdir / "ipython"),
        MPLCONFIGDIR=str(workdir / "mpl"),
        JUPYTERLAB_SETTINGS_DIR=str(workdir / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(workdir / "workspaces"),
    )
    # Token-less, loopback-only servers (the config lives in the temporary config directory).
    config = {
        "ServerApp": {"ip": "127.0.0.1", "open_browser": False, "port_retries": 0, "password": "",
                      "disable_check_xsrf": True, "allow_root": os.geteuid() == 0},
        "IdentityProvider": {"token": ""},
        "LabApp": {"expose_app_in_browser": True, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
                   "extension_manager": "readonly"},
    }
    (workdir / "config" / "jupyter_server_config.json").write_text(json.dumps(config, indent=1))
    # JupyterLab user settings: render every cell (no windowing: the test reads every output),
    # never autosave, no news or update checks.
    settings = {
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                           "checkForUpdates": False},
    }
    for name, values in settings.items():
        path = workdir / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return env


@pytest.fixture(scope="session")
def jupyterlab(workdir, server_env):
    server = Server("jupyterlab", [sys.executable, "-m", "jupyter", "lab", "--port={port}", "--no-browser"],
                    server_env, workdir / "course", "/api/status")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def voila(workdir, server_env):
    """Voila exactly as ``python3 tasks.py classroom`` runs it, serving the copied course folder
    (both editions: ``notebooks/`` and ``learner/``)."""
    tasks = load_tasks()
    command = [sys.executable, "-m", "voila", *tasks.classroom_args([]), "--no-browser", "--port={port}",
               "--Voila.ip=127.0.0.1", "--show_tracebacks=True", "."]
    server = Server("voila", command, server_env, workdir / "course", "/")
    yield server
    server.stop()


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser(workdir):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's (apt-get install -y chromium) "
                    "or point the CHROMIUM environment variable at one")
    sync_api = pytest.importorskip("playwright.sync_api")
    playwright = sync_api.sync_playwright().start()
    context = playwright.chromium.launch_persistent_context(
        str(workdir / "chromium-profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1400, "height": 1000}, device_scale_factor=1,
    )
    context.set_default_timeout(30_000)
    yield context
    context.close()
    playwright.stop()


@pytest.fixture
def page(browser, request):
    page = browser.new_page()
    messages = []
    page.on("pageerror", lambda error: messages.append(f"page error: {error}"))
    page.on("console", lambda m: messages.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.console_errors = messages
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        try:
            page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png".replace("/", "_")),
                            full_page=True)
        except Exception:  # a crashed page cannot be photographed; the failure itself is reported
            pass
    page.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


# ---------------------------------------------------------------- latency report


def pytest_terminal_summary(terminalreporter):
    if not LATENCY and not TIMINGS:
        return
    table = latency_table()
    text = ("# Slider move -> new image on screen, measured in Chromium\n\n"
            "From the keydown on a slider handle to the first animation frame after the widget's "
            "<img> loaded its new source (performance.now() in the page).\n"
            f"Command: python3 tasks.py test-browser   ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end)\n\n"
            "The last column is the browser's share: from the new image source to the frame that shows it; "
            "the rest is the round trip to the kernel and the kernel's update. Load: the machine's 1-minute "
            "load average while measuring (2 cores: above 2 the kernel waits for a CPU).\n\n"
            f"{table}\n\n"
            "Seconds per step of each notebook's test (open = page until the kernel is idle, "
            "run = Run All Cells or Voila's execution until every widget is drawn):\n\n"
            f"{timings_table()}\n")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "latency.md").write_text(text)
    terminalreporter.section("slider -> image latency (artifacts/browser/latency.md)")
    terminalreporter.write_line(table)
    terminalreporter.write_line("")
    terminalreporter.write_line(timings_table())
