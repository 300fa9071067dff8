"""Every chapter notebook, run by hand in JupyterLab in Chromium, as a learner would.

For each notebooks/NN_*.ipynb that exists: open it, clear the committed outputs (Edit menu), run
all cells (Run menu), wait until every cell has run and the kernel is idle, check that no cell
shows an error, a traceback or a widget that failed to display, then move the controls of every
live experiment and check that its image and readout change; time 20+ slider moves per
experiment; screenshot each experiment into artifacts/browser/jupyterlab/.

The learner edition too (``python3 tasks.py learner``): a few of its notebooks, exercises not
written, run all without a traceback, their checks saying "not written yet".
"""

import pytest

from conftest import ARTIFACTS, chapter_notebooks, notebooks_with_exercises
from experiments import (
    LATENCY, Driver, Phases, check_floor, check_moves, experiment_label, find_experiments, latency_summary,
)

pytestmark = pytest.mark.browser

RUN_TIMEOUT_MS = 300_000  # a notebook runs in < 10 s headless; JupyterLab on 2 busy cores is slower

NOTEBOOK_STATE_JS = r"""
() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const nonEmpty = cells.filter(c => c.model.sharedModel.getSource().trim().length > 0);
  const prompts = Array.from(panel.node.querySelectorAll('.jp-CodeCell .jp-InputPrompt')).map(p => p.innerText);
  return {
    path: panel.context.path,
    kernel: kernel ? kernel.status : null,
    ready: panel.sessionContext.isReady,
    cells: nonEmpty.length,
    executed: nonEmpty.filter(c => c.model.executionCount !== null).length,
    outputs: cells.reduce((n, c) => n + c.model.outputs.length, 0),
    running: prompts.filter(p => p.includes('*')).length,
  };
}
"""

ERRORS_JS = r"""
() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const problems = [];
  panel.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'code') return;
    for (const o of cell.model.outputs.toJSON()) {
      if (o.output_type === 'error') problems.push(`cell ${i + 1}: ${o.ename}: ${o.evalue}`);
      if (o.output_type === 'stream' && o.name === 'stderr') problems.push(`cell ${i + 1} wrote to stderr: ${String(o.text).slice(0, 500)}`);
    }
  });
  for (const el of panel.node.querySelectorAll('.jp-OutputArea-output')) {
    const text = el.innerText || '';
    if (el.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr' && /Traceback|Error/.test(text))
      problems.push(`an output area shows: ${text.slice(0, 500)}`);
    if (/Error displaying widget|Failed to load model class/.test(text))
      problems.push(`a widget failed to display: ${text.slice(0, 300)}`);
  }
  return problems;
}
"""


def menu(page, name, label):
    """Click menu ``name`` in the menu bar, then its item ``label``, as a person would."""
    page.locator(".lm-MenuBar-itemLabel", has_text=name).first.click()
    item = page.locator(f'.lm-Menu-item:has(.lm-Menu-itemLabel:text-is("{label}"))').first
    item.wait_for(state="visible")
    item.click()


def wait_state(page, predicate, timeout, what):
    try:
        page.wait_for_function(f"() => {{ const s = ({NOTEBOOK_STATE_JS})(); return !!s && ({predicate}); }}",
                               timeout=timeout, polling=250)
    except Exception as error:
        raise AssertionError(f"{what}; notebook state: {page.evaluate(NOTEBOOK_STATE_JS)}") from error
    return page.evaluate(NOTEBOOK_STATE_JS)


@pytest.fixture(scope="module")
def lab_app(browser, jupyterlab):
    """One JupyterLab page for every notebook (loading the application once saves seconds per notebook)."""
    page = browser.new_page()
    page.goto(f"{jupyterlab.url}/lab?reset", wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_function("() => !!window.jupyterapp", timeout=120_000)
    page.evaluate("async () => { await window.jupyterapp.started; await window.jupyterapp.restored; }")
    yield page
    page.close()


@pytest.fixture
def lab_page(lab_app, jupyterlab, request):
    yield lab_app
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        lab_app.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"))
    # Close the notebook without saving (the copy in the temporary folder stays as it was) and end its kernel.
    lab_app.evaluate("""() => { for (const w of Array.from(window.jupyterapp.shell.widgets('main'))) {
        if (w.context) w.context.model.dirty = false; w.close(); } }""")
    for session in jupyterlab.api("GET", "/api/sessions"):  # one kernel at a time on two cores
        jupyterlab.api("DELETE", f"/api/sessions/{session['id']}")


# The learner edition in JupyterLab: the smallest notebooks with exercises (the Voila test runs them all).
LEARNER_SUBSET = 3


def open_clear_run(page, path, phases):
    """Open ``path`` (File > Open's own command, what a double click in the file browser runs), clear
    every output (Edit menu), run all cells (Run menu), wait until the kernel is idle; return the
    problems the page shows (errors, tracebacks, stderr, widgets that failed to display)."""
    page.evaluate("async (path) => { await window.jupyterapp.commands.execute('docmanager:open', {path}); return true; }",
                  path)
    wait_state(page, f"s.path === '{path}' && s.ready && s.kernel === 'idle'", 120_000,
               "the notebook did not open with an idle kernel")
    phases.done("open")

    menu(page, "Edit", "Clear Outputs of All Cells")
    state = wait_state(page, "s.outputs === 0 && s.executed === 0", 30_000, "Clear Outputs of All Cells did not clear")
    assert state["cells"] > 0

    phases.done("clear")
    menu(page, "Run", "Run All Cells")
    state = wait_state(page, "s.executed === s.cells && s.running === 0 && s.kernel === 'idle'", RUN_TIMEOUT_MS,
                       "Run All Cells did not finish")
    page.wait_for_timeout(500)  # widget views render just after the last reply
    state = wait_state(page, "s.executed === s.cells && s.running === 0 && s.kernel === 'idle'", 30_000,
                       "the kernel did not stay idle")

    return page.evaluate(ERRORS_JS)


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_notebook_in_jupyterlab(lab_page, jupyterlab, notebook):
    page = lab_page
    phases = Phases("jupyterlab", notebook)
    problems = open_clear_run(page, f"notebooks/{notebook.name}", phases)
    assert not problems, f"{notebook.name} in JupyterLab:\n" + "\n".join(problems)

    page.wait_for_function("() => Array.from(document.querySelectorAll('img.widget-image')).every(i => i.getAttribute('src'))")
    experiments = find_experiments(page)
    assert experiments, f"{notebook.name}: no live experiment rendered in JupyterLab"
    phases.done("run")

    shots = ARTIFACTS / "jupyterlab"
    shots.mkdir(parents=True, exist_ok=True)
    failures = []
    for experiment in experiments:
        label = experiment_label(notebook, experiment)
        box = page.locator(f'[data-exp="{experiment["index"]}"]')
        box.scroll_into_view_if_needed()
        box.screenshot(path=str(shots / f"{notebook.stem}-{experiment['index'] + 1}-before.png"))
        moves = Driver(page, experiment).drive()
        box.screenshot(path=str(shots / f"{notebook.stem}-{experiment['index'] + 1}.png"))
        check_moves(label, experiment, moves)
        summary = latency_summary(moves)
        LATENCY.setdefault("jupyterlab", {})[label] = summary
        try:
            check_floor(label, summary)
        except AssertionError as error:
            failures.append(str(error))
    phases.done("drive")
    problems = page.evaluate(ERRORS_JS)
    assert not problems, f"{notebook.name} after moving the controls:\n" + "\n".join(problems)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("notebook", sorted(notebooks_with_exercises(), key=lambda p: p.stat().st_size)[:LEARNER_SUBSET],
                         ids=lambda p: f"learner-{p.stem}")
def test_learner_notebook_in_jupyterlab(lab_page, jupyterlab, notebook):
    """Run all on the learner's copy, nothing written yet: no cell shows an error, the checks say so."""
    page = lab_page
    phases = Phases("jupyterlab learner", notebook)
    problems = open_clear_run(page, f"learner/{notebook.name}", phases)
    assert not problems, f"learner/{notebook.name} in JupyterLab:\n" + "\n".join(problems)
    phases.done("run")
    shown = page.evaluate("() => Array.from(window.jupyterapp.shell.currentWidget.node"
                          ".querySelectorAll('.jp-OutputArea-output')).filter(e => /not written yet/.test(e.innerText)).length")
    assert shown > 0, f"learner/{notebook.name}: no check says 'not written yet'"
    page.wait_for_function("() => Array.from(document.querySelectorAll('img.widget-image')).every(i => i.getAttribute('src'))")
    assert find_experiments(page), f"learner/{notebook.name}: no live experiment rendered in JupyterLab"
