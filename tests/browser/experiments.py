"""Find and drive the live experiments on a page, the same way in JupyterLab and in Voila.

A live experiment (helpers.widgets.Experiment) renders as a VBox whose last two children are the
readout (an HTML widget) and the figure (an ``ipywidgets.Image``, an ``<img>`` whose ``src`` is
replaced on every update); the controls sit in HBoxes above them. A move is one key press on
a slider handle (ArrowRight/ArrowLeft), one option of a dropdown, or one click on a checkbox;
its latency runs from that input event to the first animation frame after the new image loaded,
both taken with ``performance.now()`` inside the page.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

MOVE_TIMEOUT_MS = 15_000
MIN_MOVES = 20
FLOOR_MEDIAN_MS = 150
FLOOR_WORST_MS = 400

FIND_JS = r"""
() => {
  const found = [];
  const images = Array.from(document.querySelectorAll('img.widget-image'));
  for (const img of images) {
    const box = img.parentElement;
    const readout = img.previousElementSibling;
    if (!box || !box.classList.contains('widget-vbox') || !readout || !readout.classList.contains('widget-html')) continue;
    if (!img.offsetParent) continue;  // not displayed (e.g. inside a closed tab)
    const index = found.length;
    box.setAttribute('data-exp', index);
    img.setAttribute('data-exp-image', index);
    readout.setAttribute('data-exp-readout', index);
    const header = box.firstElementChild && box.firstElementChild.classList.contains('widget-html')
      && box.firstElementChild !== readout ? box.firstElementChild.innerText.trim() : '';
    const controls = [];
    const candidates = box.querySelectorAll('.widget-slider, .widget-dropdown, .widget-checkbox');
    for (const el of candidates) {
      let kind = null;
      if (el.classList.contains('widget-slider') && el.querySelector('.noUi-handle')) kind = 'slider';
      else if (el.classList.contains('widget-dropdown') && el.querySelector('select')) kind = 'dropdown';
      else if (el.classList.contains('widget-checkbox') && el.querySelector('input[type=checkbox]')) kind = 'checkbox';
      if (!kind) continue;
      const disabled = !!el.querySelector('[disabled]') || el.querySelector('.noUi-target[disabled]') !== null;
      const id = `${index}-${controls.length}`;
      el.setAttribute('data-exp-control', id);
      const label = (el.querySelector('.widget-label') || {innerText: ''}).innerText.trim();
      controls.push({id, kind, label, disabled});
    }
    found.push({index, title: header, controls, hasSrc: !!img.getAttribute('src')});
  }
  return found;
}
"""

RECORDER_JS = r"""
(index) => {
  window.__course = window.__course || {};
  const img = document.querySelector(`img[data-exp-image="${index}"]`);
  const rec = {armed: false, t0: null, src: [], shown: []};
  window.__course[index] = rec;
  const start = (event) => { if (rec.armed) { rec.armed = false; rec.t0 = performance.now(); rec.event = event.type; } };
  for (const type of ['keydown', 'input', 'change', 'click', 'pointerdown']) document.addEventListener(type, start, true);
  new MutationObserver(() => rec.src.push(performance.now())).observe(img, {attributes: true, attributeFilter: ['src']});
  img.addEventListener('load', () => {
    const loaded = performance.now();
    requestAnimationFrame(() => rec.shown.push({loaded, frame: performance.now(), src: img.getAttribute('src')}));
  });
  return true;
}
"""

STATE_JS = r"""
(index) => {
  const rec = window.__course[index];
  const readout = document.querySelector(`[data-exp-readout="${index}"]`);
  return {shown: rec.shown.length, readout: readout ? readout.innerText : ''};
}
"""

ARM_JS = "(index) => { const r = window.__course[index]; r.armed = true; r.t0 = null; }"

RESULT_JS = r"""
(index) => {
  const rec = window.__course[index];
  const last = rec.shown[rec.shown.length - 1];
  const readout = document.querySelector(`[data-exp-readout="${index}"]`);
  return {t0: rec.t0, event: rec.event, frame: last.frame, loaded: last.loaded, src: last.src,
          readout: readout ? readout.innerText : ''};
}
"""


def find_experiments(page):
    return page.evaluate(FIND_JS)


def experiment_label(notebook, experiment):
    title = re.sub(r"\s+", " ", experiment["title"]).strip()
    return f"{Path(notebook).stem} #{experiment['index'] + 1}" + (f" ({title[:40]})" if title else "")


class Driver:
    """Moves one experiment's controls and times each move."""

    def __init__(self, page, experiment):
        self.page = page
        self.experiment = experiment
        self.index = experiment["index"]
        self.directions = {}
        page.evaluate(RECORDER_JS, self.index)

    def controls(self, kind=None):
        return [c for c in self.experiment["controls"] if not c["disabled"] and (kind is None or c["kind"] == kind)]

    def _slider_key(self, control):
        handle = self.page.locator(f'[data-exp-control="{control["id"]}"] .noUi-handle').first
        now, low, high = (float(handle.get_attribute(a)) for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
        if high <= low:
            return handle, None
        last = self.directions.get(control["id"], "ArrowLeft")
        key = "ArrowLeft" if last == "ArrowRight" else "ArrowRight"
        if now >= high:
            key = "ArrowLeft"
        elif now <= low:
            key = "ArrowRight"
        self.directions[control["id"]] = key
        return handle, key

    def move(self, control):
        """One move of ``control``; returns a dict with latency_ms, readout before/after, or None if it cannot move."""
        page, index = self.page, self.index
        if control["kind"] == "slider":
            handle, key = self._slider_key(control)
            if key is None:
                return None
            action, what = (lambda: handle.press(key)), key
        elif control["kind"] == "dropdown":
            select = page.locator(f'[data-exp-control="{control["id"]}"] select').first
            count = select.locator("option").count()
            if count < 2:
                return None
            current = select.evaluate("s => s.selectedIndex")
            target = (current + 1) % count
            action, what = (lambda: select.select_option(index=target)), f"option {target}"
        else:
            box = page.locator(f'[data-exp-control="{control["id"]}"] input[type=checkbox]').first
            action, what = (lambda: box.click()), "click"
        before = page.evaluate(STATE_JS, index)
        page.evaluate(ARM_JS, index)
        action()
        try:
            page.wait_for_function("([i, n]) => window.__course[i].shown.length > n", arg=[index, before["shown"]],
                                   timeout=MOVE_TIMEOUT_MS, polling="raf")
        except Exception as error:
            raise AssertionError(f"{control['kind']} {control['label']!r} ({what}): the experiment's image did not "
                                 f"change within {MOVE_TIMEOUT_MS / 1000:.0f} s") from error
        result = page.evaluate(RESULT_JS, index)
        assert result["t0"] is not None, f"no input event reached the page for {control['label']!r} ({what})"
        return {"control": control["label"] or control["kind"], "what": what,
                "latency_ms": result["frame"] - result["t0"], "src_to_frame_ms": result["frame"] - result["loaded"],
                "readout_before": before["readout"], "readout_after": result["readout"]}

    def drive(self, min_moves=MIN_MOVES):
        """Move every control at least once, then keep cycling the sliders until ``min_moves`` moves."""
        moves = []
        movable = self.controls()
        for control in movable:
            move = self.move(control)
            if move is not None:
                moves.append(move)
        cycle = self.controls("slider") or movable
        timed = lambda: len(timed_moves(moves))  # noqa: E731
        k = 0
        while cycle and timed() < min_moves and k < 10 * min_moves:
            move = self.move(cycle[k % len(cycle)])
            k += 1
            if move is not None:
                moves.append(move)
        return moves


def check_moves(label, experiment, moves):
    """The functional claims: a slider moved, the image changed on every move, the readout changed.

    (Every move already waited for a new image: ``Driver.move`` fails when none arrives.)
    """
    assert moves, f"{label}: no control could be moved ({experiment['controls']})"
    if any(c["kind"] == "slider" for c in experiment["controls"]):
        assert any(m["what"].startswith("Arrow") for m in moves), f"{label}: no slider could be moved with the keyboard"
    changed = [m for m in moves if m["readout_after"] != m["readout_before"]]
    assert changed, f"{label}: the readout never changed over {len(moves)} moves (it reads {moves[-1]['readout_after']!r})"


def timed_moves(moves):
    """The slider moves (key presses), or every move for an experiment without a slider."""
    keys = [m for m in moves if m["what"].startswith("Arrow")]
    return keys or moves


def latency_summary(moves):
    return summarize([m["latency_ms"] for m in timed_moves(moves)])


# Per page kind ("jupyterlab", "voila"): experiment label -> latency summary; conftest prints it.
LATENCY: dict[str, dict[str, dict]] = {}


def summarize(latencies_ms):
    values = sorted(latencies_ms)
    return {"moves": len(values), "median": statistics.median(values), "worst": values[-1],
            "p90": values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]}


def latency_table():
    lines = ["| where | experiment | moves | median ms | p90 ms | worst ms |",
             "|---|---|---:|---:|---:|---:|"]
    for where, experiments in sorted(LATENCY.items()):
        for label, s in sorted(experiments.items()):
            lines.append(f"| {where} | {label} | {s['moves']} | {s['median']:.0f} | {s['p90']:.0f} | {s['worst']:.0f} |")
    return "\n".join(lines)


def check_floor(label, summary):
    assert summary["moves"] >= MIN_MOVES, f"{label}: only {summary['moves']} timed moves"
    assert summary["median"] < FLOOR_MEDIAN_MS and summary["worst"] < FLOOR_WORST_MS, (
        f"{label}: slider -> image median {summary['median']:.0f} ms, worst {summary['worst']:.0f} ms over "
        f"{summary['moves']} moves (floor: median < {FLOOR_MEDIAN_MS} ms, worst < {FLOOR_WORST_MS} ms)")
