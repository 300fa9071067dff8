"""Find and drive the live experiments on a page, the same way in JupyterLab and in Voila.

A live experiment (helpers.widgets.Experiment) renders as a VBox whose last two children are the
readout (an HTML widget) and the figure (an ``ipywidgets.Image``, an ``<img>`` whose ``src`` is
replaced on every update); the controls sit in HBoxes above them. A move is one key press on
a slider handle (ArrowRight/ArrowLeft), one option of a dropdown, or one click on a checkbox;
its latency runs from that input event to the first animation frame after the new image loaded,
both taken with ``performance.now()`` inside the page.
"""

from __future__ import annotations

import os
import re
import statistics
import time
from pathlib import Path

MOVE_TIMEOUT_MS = 15_000
NO_IMAGE_WAIT_MS = 3_000  # after a new readout, how long to wait for a new image
MIN_MOVES = 20
# The test waits by polling every few ms, not on every animation frame: frames requested by the
# test would cost CPU that the kernel needs. The times themselves are taken by the page's events.
POLL_MS = 5
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

ARM_JS = r"""
([index, slider]) => {
  const rec = window.__course[index];
  rec.armed = true;
  rec.t0 = null;
  const readout = document.querySelector(`[data-exp-readout="${index}"]`);
  const handle = slider ? document.querySelector(`[data-exp-control="${slider}"] .noUi-handle`) : null;
  const aria = handle ? ['aria-valuenow', 'aria-valuemin', 'aria-valuemax'].map(a => parseFloat(handle.getAttribute(a))) : null;
  return {shown: rec.shown.length, readout: readout ? readout.innerText : '', aria};
}
"""

DISARM_JS = "(index) => { window.__course[index].armed = false; }"

ANSWER_JS = r"""
([index, shown, readout]) => {
  const ro = document.querySelector(`[data-exp-readout="${index}"]`);
  if (window.__course[index].shown.length > shown) return 'image';
  return ro && ro.innerText !== readout ? 'readout' : false;
}
"""

RESULT_JS = r"""
(index) => {
  const rec = window.__course[index];
  const last = rec.shown.length ? rec.shown[rec.shown.length - 1] : null;
  const readout = document.querySelector(`[data-exp-readout="${index}"]`);
  return {t0: rec.t0, event: rec.event, frame: last ? last.frame : null,
          srcAt: rec.src.length ? rec.src[rec.src.length - 1] : null, readout: readout ? readout.innerText : ''};
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

    def _slider_key(self, control, aria):
        now, low, high = aria
        if not high > low:
            return None
        last = self.directions.get(control["id"], "ArrowLeft")
        key = "ArrowLeft" if last == "ArrowRight" else "ArrowRight"
        if now >= high:
            key = "ArrowLeft"
        elif now <= low:
            key = "ArrowRight"
        self.directions[control["id"]] = key
        return key

    def move(self, control, option=None):
        """One move of ``control`` (a dropdown to ``option``, default the next one).

        Returns a dict (with the latency when a new image came), or None if the control cannot move.
        Few round trips to the page per move: arm the recorder, act, wait, read the result.
        """
        page, index, where = self.page, self.index, f'[data-exp-control="{control["id"]}"]'
        before = page.evaluate(ARM_JS, [index, control["id"] if control["kind"] == "slider" else None])
        if control["kind"] == "slider":
            key = self._slider_key(control, before["aria"])
            handle = page.locator(f"{where} .noUi-handle").first
            action, what = (lambda: handle.press(key)), key
        elif control["kind"] == "dropdown":
            select = page.locator(f"{where} select").first
            count = select.locator("option").count()
            key = True if count > 1 else None
            target = (select.evaluate("s => s.selectedIndex") + 1) % max(count, 1) if option is None else option
            action, what = (lambda: select.select_option(index=target)), f"option {target}"
        else:
            box = page.locator(f"{where} input[type=checkbox]").first
            key, action, what = True, (lambda: box.click()), "click"
        if key is None:
            page.evaluate(DISARM_JS, index)
            return None
        action()
        try:  # the kernel answered: a new image, or at least a new readout
            answer = page.wait_for_function(ANSWER_JS, arg=[index, before["shown"], before["readout"]],
                                            timeout=MOVE_TIMEOUT_MS, polling=POLL_MS).json_value()
        except Exception as error:
            raise AssertionError(f"{control['kind']} {control['label']!r} ({what}): neither the image nor the readout "
                                 f"changed within {MOVE_TIMEOUT_MS / 1000:.0f} s") from error
        image = answer == "image"
        if not image:  # the readout comes just before the image
            try:
                page.wait_for_function("([i, n]) => window.__course[i].shown.length > n", arg=[index, before["shown"]],
                                       timeout=NO_IMAGE_WAIT_MS, polling=POLL_MS)
                image = True
            except Exception:
                image = False
        result = page.evaluate(RESULT_JS, index)
        assert result["t0"] is not None, f"no input event reached the page for {control['label']!r} ({what})"
        move = {"control": control["label"] or control["kind"], "kind": control["kind"], "what": what, "image": image,
                "readout_before": before["readout"], "readout_after": result["readout"]}
        if image:
            move["latency_ms"] = result["frame"] - result["t0"]
            move["browser_ms"] = result["frame"] - result["srcAt"]  # new src -> decoded -> on screen
        return move

    def drive(self, min_moves=MIN_MOVES):
        """Every dropdown and checkbox to another value and back, then the sliders in turn, one key
        press each, until ``min_moves`` slider moves brought a new image (fewer tries if there is
        no slider)."""
        moves = []
        for control in self.controls():
            if control["kind"] == "dropdown":
                original = self.page.locator(f'[data-exp-control="{control["id"]}"] select').first.evaluate(
                    "s => s.selectedIndex")
                moves += [m for m in (self.move(control), self.move(control, option=original)) if m]
            elif control["kind"] == "checkbox":
                moves += [self.move(control), self.move(control)]
        sliders = self.controls("slider")
        k = 0
        while sliders and len(timed_moves(moves)) < min_moves and k < 5 * min_moves:
            move = self.move(sliders[k % len(sliders)])
            k += 1
            if move is not None:
                moves.append(move)
        return moves


def check_moves(label, experiment, moves):
    """What a person sees: every slider moves with the keyboard and changes the image, the readout changes."""
    assert moves, f"{label}: no control could be moved ({experiment['controls']})"
    for control in experiment["controls"]:
        mine = [m for m in moves if m["control"] == (control["label"] or control["kind"])]
        if control["kind"] == "slider" and not control["disabled"]:
            assert mine, f"{label}: slider {control['label']!r} could not be moved with the keyboard"
            assert any(m["image"] for m in mine), (
                f"{label}: moving slider {control['label']!r} ({len(mine)} key presses) never changed the image")
    assert any(m["image"] for m in moves), f"{label}: no move changed the image"
    changed = [m for m in moves if m["readout_after"] != m["readout_before"]]
    assert changed, f"{label}: the readout never changed over {len(moves)} moves (it reads {moves[-1]['readout_after']!r})"


def timed_moves(moves):
    """Slider moves that brought a new image (every such move, for an experiment without a slider)."""
    with_image = [m for m in moves if m["image"]]
    sliders = [m for m in with_image if m["kind"] == "slider"]
    return sliders or with_image


def latency_summary(moves):
    timed = timed_moves(moves)
    summary = summarize([m["latency_ms"] for m in timed])
    summary["browser_median"] = statistics.median([m["browser_ms"] for m in timed]) if timed else float("nan")
    summary["load"] = os.getloadavg()[0]  # 1-minute load average of the machine while measuring
    return summary


# Per page kind ("jupyterlab", "voila"): experiment label -> latency summary; conftest prints it.
LATENCY: dict[str, dict[str, dict]] = {}
# Per page kind: notebook -> phase -> seconds (how long a person waits for each step).
TIMINGS: dict[str, dict[str, dict[str, float]]] = {}


class Phases:
    """Wall-clock seconds of the steps of one notebook's test, kept in TIMINGS."""

    def __init__(self, where, notebook):
        self.record = TIMINGS.setdefault(where, {}).setdefault(Path(notebook).stem, {})
        self.start = time.perf_counter()

    def done(self, phase):
        now = time.perf_counter()
        self.record[phase] = now - self.start
        self.start = now


def timings_table():
    phases = []
    for notebooks in TIMINGS.values():
        for record in notebooks.values():
            phases += [p for p in record if p not in phases]
    lines = ["| where | notebook | " + " | ".join(f"{p} s" for p in phases) + " |",
             "|---|---|" + "---:|" * len(phases)]
    for where, notebooks in sorted(TIMINGS.items()):
        for name, record in sorted(notebooks.items()):
            cells = [f"{record[p]:.1f}" if p in record else "" for p in phases]
            lines.append(f"| {where} | {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summarize(latencies_ms):
    values = sorted(latencies_ms)
    if not values:
        return {"moves": 0, "median": float("nan"), "worst": float("nan"), "p90": float("nan")}
    return {"moves": len(values), "median": statistics.median(values), "worst": values[-1],
            "p90": values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]}


def latency_table():
    lines = ["| where | experiment | moves | median ms | p90 ms | worst ms | median of it after the new src ms | load |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for where, experiments in sorted(LATENCY.items()):
        for label, s in sorted(experiments.items()):
            lines.append(f"| {where} | {label} | {s['moves']} | {s['median']:.0f} | {s['p90']:.0f} | {s['worst']:.0f} "
                         f"| {s['browser_median']:.0f} | {s['load']:.1f} |")
    return "\n".join(lines)


def check_floor(label, summary):
    assert summary["moves"] >= MIN_MOVES, f"{label}: only {summary['moves']} timed moves"
    assert summary["median"] < FLOOR_MEDIAN_MS and summary["worst"] < FLOOR_WORST_MS, (
        f"{label}: slider -> image median {summary['median']:.0f} ms, worst {summary['worst']:.0f} ms over "
        f"{summary['moves']} moves (floor: median < {FLOOR_MEDIAN_MS} ms, worst < {FLOOR_WORST_MS} ms)")
