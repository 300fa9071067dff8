"""The learner edition of the course, and the learner's progress through its exercises.

    python tools/learner_edition.py write    [--dest learner] [--course notebooks]
    python tools/learner_edition.py progress [--dest learner] [--course notebooks] [--full]

(``python3 tasks.py learner`` and ``python3 tasks.py progress`` run these in the course's .venv.)

**write** makes the learner edition from the teacher's notebooks: in every code cell, each block
between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes ``raise NotImplementedError("<hint>")``
(the hint is the ``# HINT: ...`` line that opens the block), with the markers kept around it so
the learner sees where to write; the outputs of those cells and of the check cells (the cells
whose output carries a passing exercise Result, found by its mime type
``helpers.exercises.MIME_TYPE``) are cleared. Every other cell is copied as it is, outputs
included (a cell showing a wrong attempt's failing Result is a demonstration, and stays).

It never overwrites a file. ``DEST/.edition.json`` records, for each notebook, two hashes of
what it wrote: of the cells' sources, and of the sources with the solution blocks emptied (the
"frame", which stays the same while the learner writes only between the markers). On a later
run a new course notebook is added; a notebook whose frame changed in the course is written
beside the learner's, into ``DEST/updates/`` (with a suffix if a different file already has that
name), and named in the summary, saying whether the learner has edited their copy; the learner
decides whether to take it. A learner's file whose frame is the course's current one is up to
date (also after the learner took an update and copied their solutions into it).

**progress** executes copies (in memory) of the learner's notebooks in fresh kernels, two at a
time, and reads each exercise's Result from the outputs by its mime type. By default each
notebook runs only up to its last check cell, and live-experiment cells (first line
``# NBVAL_IGNORE_OUTPUT``) before it are skipped when no later cell that runs uses a name they
assign; if a skipped cell turns out to be needed (an error outside the exercises), the notebook
is run again in full. ``--full`` runs every cell. The learner's files are never written.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import copy
import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "notebooks"
DEFAULT_DEST = ROOT / "learner"
MANIFEST = ".edition.json"
UPDATES = "updates"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HINT = "# HINT:"
GENERIC_HINT = "write your solution here, between the markers, in place of this line"
WIDGET_MARK = "# NBVAL_IGNORE_OUTPUT"
CELL_TIMEOUT = 120  # seconds for one cell: a learner's endless loop is interrupted, not waited for

try:
    from helpers.exercises import MIME_TYPE
except ImportError:  # run outside the course's environment: the same constant, kept equal by a test
    MIME_TYPE = "application/vnd.dl-course.exercise+json"


# ---------------------------------------------------------------- the stubs


def stub_source(source, where="a cell"):
    """``source`` with every solution block replaced by a stub; returns ``(new_source, n_blocks)``.

    The markers stay; the lines between them become one ``raise NotImplementedError("<hint>")``
    indented like the ``### BEGIN SOLUTION`` line.
    """
    lines = source.splitlines(keepends=True)
    out, blocks, i = [], 0, 0
    while i < len(lines):
        line = lines[i]
        if line.strip() == END:
            raise ValueError(f"{where}: '{END}' without a '{BEGIN}' before it (line {i + 1})")
        if line.strip() != BEGIN:
            out.append(line)
            i += 1
            continue
        start = i
        indent = line[: len(line) - len(line.lstrip())]
        i += 1
        body = []
        while i < len(lines) and lines[i].strip() != END:
            if lines[i].strip() == BEGIN:
                raise ValueError(f"{where}: '{BEGIN}' inside another solution block (line {i + 1})")
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise ValueError(f"{where}: '{BEGIN}' on line {start + 1} has no '{END}' after it")
        first = next((b.strip() for b in body if b.strip()), "")
        hint = first[len(HINT):].strip() if first.startswith(HINT) else ""
        newline = "\n" if line.endswith("\n") else ""
        out.append(line if newline else line + "\n")
        out.append(f"{indent}raise NotImplementedError({_literal(hint or GENERIC_HINT)})\n")
        out.append(lines[i])  # the END marker, as it was
        blocks += 1
        i += 1
    return "".join(out), blocks


def _literal(text):
    """``text`` as a Python string literal, in double quotes unless it holds some (then in single)."""
    if '"' in text and "'" not in text and "\\" not in text:
        return f"'{text}'"
    return json.dumps(text, ensure_ascii=False)  # JSON's escapes are Python's


def has_solution(cell):
    return cell.cell_type == "code" and any(line.strip() == BEGIN for line in cell.source.splitlines())


def cell_results(cell):
    """The exercise Results a cell's outputs carry (dicts with exercise, status, message)."""
    found = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if MIME_TYPE in data:
            value = data[MIME_TYPE]
            found.append(json.loads(value) if isinstance(value, str) else dict(value))
    return found


def is_check_cell(cell):
    """A teacher's check cell: its output is the Result of a passing check (the teacher's solution).

    A cell that shows a failing Result is a demonstration (a wrong attempt's message, computed
    with the helpers' reference): it is not an exercise, and keeps its output.
    """
    results = cell_results(cell) if cell.cell_type == "code" else []
    return bool(results) and all(r.get("status") == "passed" for r in results)


def is_demo_cell(cell):
    return cell.cell_type == "code" and bool(cell_results(cell)) and not is_check_cell(cell)


def learner_notebook(teacher, name="a notebook"):
    """The learner edition of one teacher notebook (a new notebook; ``teacher`` is not changed)."""
    nb = copy.deepcopy(teacher)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        exercise = has_solution(cell)
        if exercise:
            cell.source, _ = stub_source(cell.source, f"{name}, cell {index + 1}")
        if exercise or is_check_cell(cell):
            cell.outputs = []
            cell.execution_count = None
    return nb


def sources_hash(nb):
    """A hash of what the learner reads and writes: each cell's type and source (not outputs)."""
    cells = [[c.cell_type, c.source] for c in nb.cells]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).hexdigest()


def _frame(source):
    """``source`` without what is between the solution markers: the part the learner does not write."""
    out, inside = [], False
    for line in source.splitlines():
        if line.strip() == BEGIN:
            inside = True
        elif line.strip() == END:
            inside = False
        elif inside:
            continue
        out.append(line)
    return "\n".join(out)


def frame_hash(nb):
    """A hash of the notebook's sources with every solution block emptied: the same for the
    generated edition and for a learner's copy of it in which only the solution blocks were written."""
    cells = [[c.cell_type, _frame(c.source)] for c in nb.cells]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).hexdigest()


def file_hashes(path):
    """``(sources_hash, frame_hash)`` of a notebook file, ``(None, None)`` if it cannot be read."""
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:  # unreadable (half-saved, not JSON): the learner's, and different
        return None, None
    return sources_hash(nb), frame_hash(nb)


def notebook_text(nb):
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def course_notebooks(course):
    return sorted(Path(course).glob("[0-9][0-9]_*.ipynb"))


# ---------------------------------------------------------------- writing the edition


@dataclass
class Changed:
    name: str
    update: Path
    edited: bool
    new_file: bool  # False: the same update was already written by an earlier run


@dataclass
class Summary:
    dest: Path
    added: list = field(default_factory=list)
    restored: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    gone: list = field(default_factory=list)
    seconds: float = 0.0

    def text(self):
        dest = _shown(self.dest)
        total = len(self.added) + len(self.restored) + len(self.kept) + len(self.changed)
        lines = [f"Learner edition in {dest}/ ({total} notebook{'s' if total != 1 else ''}, written in {self.seconds:.1f} s)"]
        if self.added:
            lines.append(f"  added ({len(self.added)}): " + ", ".join(self.added))
        if self.restored:
            lines.append(f"  written again, the file was missing ({len(self.restored)}): " + ", ".join(self.restored))
        if self.kept:
            lines.append(f"  kept as they are ({len(self.kept)}): your files are never overwritten")
        if self.changed:
            lines.append(f"  the course changed {len(self.changed)} notebook(s) you already have; "
                         "your files are untouched, the new versions are beside them:")
            for c in self.changed:
                update = _shown(c.update)
                mine = f"{dest}/{c.name}"
                if c.edited:
                    lines.append(f"    {c.name}: you have worked in it. New version: {update}. To take it, copy your "
                                 f"solutions into {update}, then move it over {mine}.")
                else:
                    lines.append(f"    {c.name}: you have not edited it. To take the new version: mv {update} {mine}")
                if not c.new_file:
                    lines.append("      (written by an earlier run; nothing new)")
        if self.gone:
            lines.append(f"  no longer in the course, your files kept: " + ", ".join(self.gone))
        return "\n".join(lines)


def _shown(path):
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _write_new(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="\n") as f:  # "x": fails rather than overwrite
        f.write(text)


def _update_path(dest, name, wanted):
    """Where the new version of ``name`` goes in updates/: an existing copy of it, or a free name."""
    folder = Path(dest) / UPDATES
    stem, suffix = Path(name).stem, Path(name).suffix
    for k in range(1, 1000):
        path = folder / (name if k == 1 else f"{stem}-{k}{suffix}")
        if not path.exists():
            return path, True
        if file_hashes(path)[0] == wanted:
            return path, False
    raise RuntimeError(f"{folder}: 999 versions of {name}; clear some out")


def write_edition(course=COURSE, dest=DEFAULT_DEST):
    """Write or complete the learner edition in ``dest``; never overwrite a file. Returns a Summary."""
    start = time.perf_counter()
    course, dest = Path(course), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    manifest_path = dest / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    except ValueError:  # damaged: every existing file then counts as the learner's, which is safe
        manifest = {}
    records = manifest.setdefault("notebooks", {})
    summary = Summary(dest)
    names = []
    for teacher_path in course_notebooks(course):
        name = teacher_path.name
        names.append(name)
        nb = learner_notebook(nbformat.read(str(teacher_path), as_version=4), name)
        wanted = {"sources": sources_hash(nb), "frame": frame_hash(nb)}
        target = dest / name
        record = records.get(name)
        if not target.exists():
            _write_new(target, notebook_text(nb))
            records[name] = wanted
            (summary.restored if record else summary.added).append(name)
            continue
        sources, frame = file_hashes(target)
        if frame is not None and frame == wanted["frame"]:
            # The current course version, maybe with the learner's solutions in it (also after the
            # learner took an update): nothing to do.
            records[name] = wanted
            summary.kept.append(name)
        elif record is not None and record.get("frame") == wanted["frame"]:
            summary.kept.append(name)  # the course did not change; the learner changed more than the solutions
        else:
            update, new_file = _update_path(dest, name, wanted["sources"])
            if new_file:
                _write_new(update, notebook_text(nb))
            if record is None:
                records[name] = record = {"sources": None, "frame": None}  # not written by us: the learner's
            edited = sources is None or sources != record.get("sources")  # None: unreadable, so not ours
            summary.changed.append(Changed(name, update, edited, new_file))
    summary.gone = sorted(n for n in records if n not in names and (dest / n).exists())
    manifest["course"] = str(course.resolve())
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    summary.seconds = time.perf_counter() - start
    return summary


# ---------------------------------------------------------------- progress


@dataclass
class Exercise:
    notebook: str
    exercise: str
    status: str  # "passed", "failed", "not written", or "not run"
    message: str


@dataclass
class Chapter:
    notebook: str
    exercises: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # errors of cells other than the checks, one line each
    outside: int = 0  # how many of them are in cells that are not exercises
    mode: str = ""  # what was executed
    seconds: float = 0.0


def _names(source, kind):
    """Names a cell's code stores (kind=ast.Store) or loads (ast.Load); None when it cannot be parsed."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, kind)}
    if kind is ast.Store:
        for n in ast.walk(tree):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(n.name)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                names.update((a.asname or a.name).split(".")[0] for a in n.names)
    return names


def plan(nb, check_ids, full=False, skip=True):
    """The copy to execute: cells after the last check blanked, skippable experiment cells blanked.

    Returns ``(copy, skipped_indices, last_index)``; a blanked cell keeps its place (nbclient
    skips empty cells), so cell numbers stay the learner's.
    """
    run = copy.deepcopy(nb)
    for cell in run.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    checks = [i for i, c in enumerate(run.cells) if c.get("id") in check_ids]
    if full or not checks:
        return run, [], len(run.cells) - 1
    last = checks[-1]
    for cell in run.cells[last + 1:]:
        if cell.cell_type == "code":
            cell.source = ""
    skipped = []
    for i in range(last if skip else 0):
        cell = run.cells[i]
        if cell.cell_type != "code" or not cell.source.startswith(WIDGET_MARK) or has_solution(cell):
            continue
        stored = _names(cell.source, ast.Store)
        if stored is None:
            continue
        later = set()
        for other in run.cells[i + 1:last + 1]:
            if other.cell_type == "code":
                loads = _names(other.source, ast.Load)
                later |= loads if loads is not None else stored  # unparsable: assume it needs them
        if not stored & later:
            cell.source = ""
            skipped.append(i)
    return run, skipped, last


def _first_line(source):
    line = next((s for s in source.splitlines() if s.strip() and not s.startswith(WIDGET_MARK)), "")
    return line if len(line) <= 60 else line[:57] + "..."


def _error(cell):
    """What went wrong in an executed cell ("raised NameError: ..."), or None."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            if output.get("ename") == "KeyboardInterrupt":  # nbclient interrupts a cell at the timeout
                return f"did not finish within {CELL_TIMEOUT} s and was stopped (an endless loop?)"
            value = str(output.get("evalue", "")).strip().splitlines()
            return "raised " + f"{output.get('ename')}: {value[0] if value else ''}".rstrip(": ")
    return None


def expected_checks(teacher):
    """``[(cell id, exercise name)]`` of a teacher notebook's check cells, in order."""
    found = []
    for cell in teacher.cells:
        for result in cell_results(cell) if is_check_cell(cell) else []:
            found.append((cell.get("id"), result.get("exercise", "?")))
    return found


def locate_checks(teacher, nb):
    """Teacher check-cell id -> the id of the same check in ``nb`` (same id, else the same source), or None."""
    ids = {c.get("id") for c in nb.cells}
    used, found = set(), {}
    for cell in teacher.cells:
        if not is_check_cell(cell):
            continue
        cid = cell.get("id")
        if cid in ids and cid is not None:
            found[cid] = cid
            continue
        same = [c.get("id") for c in nb.cells if c.cell_type == "code" and c.source.strip() == cell.source.strip()
                and c.get("id") not in used and c.get("id") is not None]
        found[cid] = same[0] if same else None
        used.update(same[:1])
    return found


def read_chapter(name, executed, original, expected, exercise_ids=(), demo_ids=()):
    """The Chapter that an executed copy shows: each expected exercise's state, and the other errors.

    ``expected`` is ``[(cell id, exercise)]`` of the checks (``expected_checks(teacher)``, ids
    located in the learner's notebook), ``exercise_ids`` the ids of the exercise cells, ``demo_ids``
    those of the cells that show a wrong attempt's Result (not graded).
    """
    chapter = Chapter(name)
    exercise_ids = set(exercise_ids)
    by_id = {c.get("id"): i for i, c in enumerate(executed.cells)}
    checks = set()  # indices of the cells whose state is reported as an exercise's

    def report(index, exercise):
        cell = executed.cells[index]
        checks.add(index)
        results = cell_results(cell)
        for result in results:
            chapter.exercises.append(Exercise(name, result.get("exercise", exercise), result.get("status", "?"),
                                              result.get("message", "")))
        error = _error(cell)
        if not results and error:
            chapter.exercises.append(Exercise(name, exercise, "failed", f"the check (cell {index + 1}) {error}"))
        elif not results:
            chapter.exercises.append(Exercise(name, exercise, "not run", f"the check (cell {index + 1}) did not run"))

    for cid, exercise in expected:
        index = by_id.get(cid)
        if index is None:  # not found by id or source: a cell showing a Result of that exercise, if any
            index = next((i for i, c in enumerate(executed.cells) if i not in checks and c.cell_type == "code"
                          and any(r.get("exercise") == exercise for r in cell_results(c))), None)
        if index is None:
            chapter.exercises.append(Exercise(name, exercise, "not run", "its check cell is not in your notebook"))
        elif index not in checks:
            report(index, exercise)
    for index, cell in enumerate(executed.cells):
        if cell.cell_type != "code" or index in checks:
            continue
        for result in cell_results(cell) if cell.get("id") not in demo_ids else []:  # a check the learner added
            chapter.exercises.append(Exercise(name, result.get("exercise", "?"), result.get("status", "?"),
                                              result.get("message", "")))
        error = _error(cell)
        if error:
            exercise = cell.get("id") in exercise_ids or has_solution(original.cells[index])
            chapter.outside += not exercise
            where = "your exercise cell" if exercise else "cell"
            chapter.problems.append(f"{where} {index + 1} ({_first_line(original.cells[index].source)}) {error}")
    return chapter


async def _execute(nb, path, kernel_env):
    from nbclient import NotebookClient

    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, allow_errors=True, interrupt_on_timeout=True,
                            kernel_name=kernel, resources={"metadata": {"path": str(path.parent)}})
    # The kernel's own stderr (e.g. its notice about TCP) is not the learner's business; errors in
    # cells arrive as messages.
    await client.async_execute(env=kernel_env, stderr=subprocess.DEVNULL)
    return nb


async def _chapter(path, course, full, kernel_env, slots):
    name = path.name
    async with slots:
        start = time.perf_counter()
        try:
            original = nbformat.read(str(path), as_version=4)
        except Exception as error:
            chapter = Chapter(name, problems=[f"cannot read {name}: {type(error).__name__}: {error}"])
            return chapter
        teacher_path = Path(course) / name
        if not teacher_path.exists():
            return Chapter(name, mode="not a course notebook, not executed")
        teacher = nbformat.read(str(teacher_path), as_version=4)
        for i, cell in enumerate(original.cells):  # notebooks older than nbformat 4.5 have no cell ids
            cell.setdefault("id", f"cell-{i + 1}")
        located = locate_checks(teacher, original)
        expected = [(located.get(cid) or cid, exercise) for cid, exercise in expected_checks(teacher)]
        # A check that is not found where the course has it: run everything, to find it anyway.
        full = full or not all(located.values())
        exercise_ids = {c.get("id") for c in teacher.cells if has_solution(c)}
        demo_ids = {c.get("id") for c in teacher.cells if is_demo_cell(c)}
        if not expected:
            return Chapter(name, mode="no exercises, not executed")
        check_ids = {cid for cid, _ in expected}
        run, skipped, last = plan(original, check_ids, full)
        mode = "every cell" if last == len(original.cells) - 1 else f"cells 1-{last + 1} of {len(original.cells)}"
        if skipped:
            mode += f", experiment cell(s) {', '.join(str(i + 1) for i in skipped)} skipped"
        chapter = await _run(name, run, path, original, expected, exercise_ids, demo_ids, kernel_env)
        if skipped and chapter.outside:
            # A skipped experiment cell may have been needed after all: run again without skipping.
            run, _, last = plan(original, check_ids, full, skip=False)
            chapter = await _run(name, run, path, original, expected, exercise_ids, demo_ids, kernel_env)
            mode = mode.split(",")[0] + " (run again with the experiment cells after an error)"
        chapter.mode = mode
        chapter.seconds = time.perf_counter() - start
        return chapter


async def _run(name, run, path, original, expected, exercise_ids, demo_ids, kernel_env):
    try:
        executed = await _execute(run, path, kernel_env)
    except Exception as error:  # the kernel died, or would not start
        chapter = Chapter(name, problems=[f"the notebook stopped: {type(error).__name__}: {error}"])
        chapter.exercises = [Exercise(name, e, "not run", "the notebook stopped before its check") for _, e in expected]
        return chapter
    return read_chapter(name, executed, original, expected, exercise_ids, demo_ids)


def progress(dest=DEFAULT_DEST, course=COURSE, full=False, parallel=2, notebooks=None):
    """Execute copies of the learner's notebooks (``parallel`` kernels at a time); one Chapter each."""
    dest = Path(dest)
    paths = sorted(Path(p) for p in notebooks) if notebooks else sorted(dest.glob("*.ipynb"))
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # a backend set for CI would leak into the kernels
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"

    async def main():
        slots = asyncio.Semaphore(parallel)
        return await asyncio.gather(*(_chapter(p, course, full, env, slots) for p in paths))

    return list(asyncio.run(main()))


MARKS = {"passed": "✔ passed     ", "failed": "✘ failed     ", "not written": "… not written", "not run": "? not run    "}


def progress_text(chapters, dest, seconds, full):
    lines = [f"Progress in {_shown(dest)}/ ({len(chapters)} notebook{'s' if len(chapters) != 1 else ''} in {seconds:.0f} s, "
             f"{'every cell' if full else 'each up to its last check'}; your files are not changed)"]
    counts, quiet = {}, []
    for chapter in chapters:
        if not chapter.exercises and not chapter.problems:
            quiet.append(chapter)
            continue
        lines.append("")
        lines.append(f"{chapter.notebook}   [{chapter.mode}, {chapter.seconds:.1f} s]")
        for e in chapter.exercises:
            counts[e.status] = counts.get(e.status, 0) + 1
            detail = f": {e.message}" if e.status in ("failed", "not run") else ""
            lines.append(f"  {MARKS.get(e.status, e.status)}  {e.exercise}{detail}")
        for problem in chapter.problems:
            lines.append(f"  ! {problem}")
    total = sum(counts.values())
    lines.append("")
    for mode in dict.fromkeys(c.mode for c in quiet):
        lines.append(f"{mode[0].upper()}{mode[1:]}: " + ", ".join(c.notebook for c in quiet if c.mode == mode))
    parts = [f"{counts.get(s, 0)} {s}" for s in ("passed", "failed", "not written") ]
    if counts.get("not run"):
        parts.append(f"{counts['not run']} not run")
    lines.append(f"Total: {total} exercises: " + ", ".join(parts))
    problems = sum(len(c.problems) for c in chapters)
    if problems:
        lines.append(f"{problems} cell(s) outside the exercises raised an error (marked ! above)")
    return "\n".join(lines)


# ---------------------------------------------------------------- command line


def main(argv=None):
    parser = argparse.ArgumentParser(description="The learner edition of the course and the learner's progress.")
    parser.add_argument("command", choices=["write", "progress"])
    parser.add_argument("--dest", default=str(DEFAULT_DEST), help="the learner edition's folder (default: learner/)")
    parser.add_argument("--course", default=str(COURSE), help="the teacher's notebooks (default: notebooks/)")
    parser.add_argument("--full", action="store_true", help="progress: execute every cell, not only up to the last check")
    args = parser.parse_args(argv)
    if args.command == "write":
        try:
            summary = write_edition(args.course, args.dest)
        except ValueError as error:  # a course notebook with broken markers: say which, write nothing more
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(summary.text())
        return 0
    dest = Path(args.dest)
    if not any(dest.glob("*.ipynb")):
        print(f"no learner edition in {dest}: write it first with `python3 tasks.py learner`", file=sys.stderr)
        return 2
    print(f"Running copies of your notebooks in {_shown(dest)}/, two at a time...", flush=True)
    start = time.perf_counter()
    chapters = progress(dest, args.course, full=args.full)
    print(progress_text(chapters, dest, time.perf_counter() - start, args.full))
    return 0


if __name__ == "__main__":
    sys.exit(main())
