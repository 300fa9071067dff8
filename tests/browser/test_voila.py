"""Every chapter notebook as the classroom dashboard (``python3 tasks.py classroom NB``) in Chromium.

The Voila server is started with tasks.py's own classroom arguments. For each notebook: the page
renders with no error, shows no code and no printed text, shows at least one live experiment,
and each experiment answers its controls (image and readout change) fast enough to present:
20+ slider moves timed from key press to the new image on screen. Screenshots of the dashboard
and of each experiment go to artifacts/browser/voila/.

The learner edition (``python3 tasks.py learner``: exercises not written, their checks saying so)
is served too: each of its notebooks that differs from the course's renders with no error and
shows its experiments, and each experiment answers one move.
"""

import sys

import pytest

from conftest import ARTIFACTS, Server, chapter_notebooks, load_tasks, notebooks_with_exercises
from experiments import (
    LATENCY, Driver, Phases, check_floor, check_moves, experiment_label, find_experiments, latency_summary,
)

pytestmark = pytest.mark.browser

RENDER_TIMEOUT_MS = 300_000

PAGE_JS = r"""
() => {
  const cells = document.querySelector('#rendered_cells');
  const problems = [];
  for (const el of document.querySelectorAll('.jp-OutputArea-output')) {
    const text = el.innerText || '';
    if (el.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr')
      problems.push(`stderr / error output: ${text.slice(0, 500)}`);
    const shown = !el.closest('.jp-OutputArea-child') || getComputedStyle(el.closest('.jp-OutputArea-child')).display !== 'none';
    if (shown && /Error displaying widget|Failed to load model class/.test(text))
      problems.push(`a widget failed to display: ${text.slice(0, 300)}`);
  }
  if (/There was an error when executing cell|Traceback \(most recent call last\)/.test(document.body ? document.body.innerText : ""))
    problems.push('the page reports an execution error');
  return {
    visible: !!cells && getComputedStyle(cells).display !== 'none',
    problems,
    code: document.querySelectorAll('.jp-InputArea-editor, .jp-CodeMirrorEditor, .cm-editor, .highlight').length,
    printed: document.querySelectorAll('.jp-OutputArea-output[data-mime-type="text/plain"]').length,
    markdown: document.querySelectorAll('.jp-MarkdownCell').length,
    images: document.querySelectorAll('img.widget-image').length,
    loading: Array.from(document.querySelectorAll('.jp-OutputArea-output')).filter(e => /^Loading widget/.test(e.innerText || '')).length,
  };
}
"""


def whole_page_screenshot(page, path):
    """The whole dashboard: Voila scrolls inside the page, so grow the window to its height first."""
    size = page.viewport_size
    height = page.evaluate("() => Math.max(...Array.from(document.querySelectorAll('body, body *'))"
                           ".slice(0, 2000).map(e => e.scrollHeight))")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height) + 40, 15000))})
    page.wait_for_timeout(200)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


def render(page, voila, path):
    """Open ``path`` (relative to the served course folder) as the dashboard; check what it shows."""
    page.goto(f"{voila.url}/voila/render/{path}", wait_until="commit", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function(f"() => {{ const s = ({PAGE_JS})(); return s.visible || s.problems.length > 0; }}",
                           timeout=RENDER_TIMEOUT_MS, polling=250)
    page.wait_for_function(
        "() => { const i = Array.from(document.querySelectorAll('img.widget-image')); "
        "return i.length > 0 && i.every(e => e.getAttribute('src')); }", timeout=60_000)
    page.wait_for_function(f"() => ({PAGE_JS})().loading === 0", timeout=60_000)
    page.wait_for_timeout(500)
    state = page.evaluate(PAGE_JS)
    assert not state["problems"], f"{path} in Voila:\n" + "\n".join(state["problems"])
    assert state["code"] == 0, f"{path}: the classroom dashboard shows {state['code']} code elements"
    assert state["printed"] == 0, f"{path}: the classroom dashboard shows {state['printed']} plain-text outputs"
    assert state["markdown"] > 0, f"{path}: the chapter's text is missing from the dashboard"
    return state


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_classroom_dashboard(page, voila, notebook):
    phases = Phases("voila", notebook)
    render(page, voila, f"notebooks/{notebook.name}")
    phases.done("run")

    shots = ARTIFACTS / "voila"
    shots.mkdir(parents=True, exist_ok=True)

    experiments = find_experiments(page)
    assert experiments, f"{notebook.name}: no live experiment on the classroom dashboard"
    failures = []
    for experiment in experiments:
        label = experiment_label(notebook, experiment)
        box = page.locator(f'[data-exp="{experiment["index"]}"]')
        box.scroll_into_view_if_needed()
        moves = Driver(page, experiment).drive()
        box.screenshot(path=str(shots / f"{notebook.stem}-{experiment['index'] + 1}.png"))
        check_moves(label, experiment, moves)
        summary = latency_summary(moves)
        LATENCY.setdefault("voila", {})[label] = summary
        try:
            check_floor(label, summary)
        except AssertionError as error:
            failures.append(str(error))
    phases.done("drive")
    whole_page_screenshot(page, shots / f"{notebook.stem}-dashboard.png")
    state = page.evaluate(PAGE_JS)
    assert not state["problems"], f"{notebook.name} after moving the controls:\n" + "\n".join(state["problems"])
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("notebook", notebooks_with_exercises(), ids=lambda p: f"learner-{p.stem}")
def test_classroom_dashboard_of_the_learner_edition(page, voila, notebook):
    """The learner's copy, exercises unwritten: the dashboard still runs and shows every experiment."""
    phases = Phases("voila learner", notebook)
    render(page, voila, f"learner/{notebook.name}")
    phases.done("run")
    experiments = find_experiments(page)
    assert experiments, f"learner/{notebook.name}: no live experiment on the classroom dashboard"
    for experiment in experiments:
        label = "learner " + experiment_label(notebook, experiment)
        page.locator(f'[data-exp="{experiment["index"]}"]').scroll_into_view_if_needed()
        driver = Driver(page, experiment)
        moves = [m for m in (driver.move(c) for c in driver.controls()[:2]) if m]
        assert moves, f"{label}: no control could be moved ({experiment['controls']})"
        assert any(m["image"] or m["readout_after"] != m["readout_before"] for m in moves), (
            f"{label}: neither the image nor the readout changed")
    phases.done("drive")
    shots = ARTIFACTS / "voila"
    shots.mkdir(parents=True, exist_ok=True)
    whole_page_screenshot(page, shots / f"learner-{notebook.stem}-dashboard.png")
    state = page.evaluate(PAGE_JS)
    assert not state["problems"], f"learner/{notebook.name} after moving the controls:\n" + "\n".join(state["problems"])


def test_experiments_only_dashboard(browser, server_env, workdir):
    """``tasks.py classroom --experiments-only``: the experiments alone, no text and no static figures."""
    notebooks = sorted(chapter_notebooks(), key=lambda p: p.stat().st_size)  # the smallest: one more server
    if not notebooks:
        pytest.skip("no chapter notebook yet")
    tasks = load_tasks()
    command = [sys.executable, "-m", "voila", *tasks.classroom_args(["--experiments-only"]), "--no-browser",
               "--port={port}", "--Voila.ip=127.0.0.1", "--show_tracebacks=True", f"notebooks/{notebooks[0].name}"]
    server = Server("voila-experiments-only", command, server_env, workdir / "course", "/")
    page = browser.new_page()
    try:
        page.goto(server.url + "/", wait_until="commit", timeout=RENDER_TIMEOUT_MS)
        page.wait_for_function(f"() => {{ const s = ({PAGE_JS})(); return (s.visible && s.images > 0) || s.problems.length > 0; }}",
                               timeout=RENDER_TIMEOUT_MS, polling=250)
        state = page.evaluate(PAGE_JS)
        (ARTIFACTS / "voila").mkdir(parents=True, exist_ok=True)
        whole_page_screenshot(page, ARTIFACTS / "voila" / f"{notebooks[0].stem}-experiments-only.png")
        assert not state["problems"], state["problems"]
        assert state["code"] == 0 and state["printed"] == 0 and state["markdown"] == 0, state
        assert find_experiments(page), "no experiment on the experiments-only dashboard"
        static = page.evaluate("() => document.querySelectorAll('.jp-OutputArea-output img:not(.widget-image)').length")
        assert static == 0, f"{static} static figures on the experiments-only dashboard"
    finally:
        page.close()
        server.stop()
