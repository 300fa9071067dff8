"""The learner edition (tools/learner_edition.py, ``python3 tasks.py learner`` / ``progress``).

Generation and merging are tested on small synthetic notebooks built here, so they do not depend
on the chapters; then every course notebook that has exercises is checked: its stubs, its stored
check outputs (all "passed": nbval proves they are what the teacher's solutions give), its
learner edition executed untouched (no cell raises, every exercise "not written"), and the
progress command's output on it.
"""

import ast
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers import exercises

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "learner_edition.py"
_spec = importlib.util.spec_from_file_location("learner_edition", TOOL)
le = importlib.util.module_from_spec(_spec)
sys.modules["learner_edition"] = le
_spec.loader.exec_module(le)

MIME = exercises.MIME_TYPE
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


# ---------------------------------------------------------------- synthetic teacher notebooks

CHECKER = '''import numpy as np
from helpers import exercises


@exercises.checker("double")
def check_double(fn):
    exercises.expect_close("double(3)", exercises.call(fn, np.array(3.0)), 6.0, hint="multiply by 2")
    return "twice x"


@exercises.checker("square")
def check_square(fn):
    exercises.expect_close("square(3)", exercises.call(fn, np.array(3.0)), 9.0)
    return "x squared"
'''

DOUBLE = '''def double(x):
    """Twice x."""
    ### BEGIN SOLUTION
    # HINT: one multiplication
    return 2 * x
    ### END SOLUTION
'''

SQUARE = '''def square(x):
    ### BEGIN SOLUTION
    y = x * x
    return y
    ### END SOLUTION
'''


def result_output(exercise, status="passed", message="correct", count=None):
    marks = {"passed": "✔ passed", "failed": "✘ failed", "not written": "… not written yet"}
    return new_output("execute_result", execution_count=count, data={
        "text/plain": f"{marks[status]} ({exercise}): {message}",
        MIME: {"exercise": exercise, "status": status, "message": message},
    })


def teacher_notebook(title="A chapter", extra_cells=()):
    """A small teacher notebook with two exercises, their checks, an experiment cell and outputs."""
    cells = [
        new_markdown_cell(f"# {title}"),
        new_code_cell(CHECKER, execution_count=1, outputs=[]),
        new_code_cell("print('data ready')", execution_count=2,
                      outputs=[new_output("stream", name="stdout", text="data ready\n")]),
        new_code_cell(DOUBLE, execution_count=3, outputs=[]),
        new_code_cell("check_double(double)", execution_count=4,
                      outputs=[result_output("double", message="twice x", count=4)]),
        new_code_cell("check_double(lambda x: x + 2)  # a wrong attempt, shown", execution_count=4,
                      outputs=[result_output("double", "failed", "double(3) is wrong: got 5, expected 6", count=4)]),
        new_code_cell("# NBVAL_IGNORE_OUTPUT\nshown = 'an experiment'\nshown", execution_count=5,
                      outputs=[new_output("execute_result", execution_count=5, data={"text/plain": "'an experiment'"})]),
        new_code_cell(SQUARE, execution_count=6, outputs=[]),
        new_code_cell("check_square(square)", execution_count=7,
                      outputs=[result_output("square", message="x squared", count=7)]),
        new_code_cell("total = 1 + 1\nprint(total)", execution_count=8,
                      outputs=[new_output("stream", name="stdout", text="2\n")]),
        *extra_cells,
    ]
    return new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC})


def write_course(folder, notebooks):
    folder.mkdir(parents=True, exist_ok=True)
    for name, nb in notebooks.items():
        nbformat.write(nb, str(folder / name))
    return folder


def cell_index(nb, text):
    return next(i for i, c in enumerate(nb.cells) if text in c.source)


# ---------------------------------------------------------------- (a) generation


def test_the_tool_reads_the_contracts_mime_type():
    assert le.MIME_TYPE == exercises.MIME_TYPE


def test_stub_takes_the_hint_and_the_indentation():
    source = "class A:\n    def f(self):\n        ### BEGIN SOLUTION\n        # HINT: say \"hi\" \\ twice\n        return 'hi'\n        ### END SOLUTION\n    x = 1\n"
    stub, blocks = le.stub_source(source)
    assert blocks == 1
    assert "        raise NotImplementedError(\"say \\\"hi\\\" \\\\ twice\")\n" in stub
    assert "return 'hi'" not in stub and "    x = 1\n" in stub
    tree = ast.parse(stub)  # valid Python, the hint a proper string literal
    raised = next(n for n in ast.walk(tree) if isinstance(n, ast.Raise))
    assert raised.exc.args[0].value == 'say "hi" \\ twice'
    with pytest.raises(NotImplementedError, match="say"):
        namespace = {}
        exec(stub, namespace)
        namespace["A"]().f()


def test_a_hint_with_double_quotes_is_written_in_single_quotes():
    stub, _ = le.stub_source('def f(W):\n    ### BEGIN SOLUTION\n    # HINT: the keys that start with "W"\n    return 1\n    ### END SOLUTION\n')
    assert """    raise NotImplementedError('the keys that start with "W"')\n""" in stub
    raised = next(n for n in ast.walk(ast.parse(stub)) if isinstance(n, ast.Raise))
    assert raised.exc.args[0].value == 'the keys that start with "W"'


def test_stub_without_hint_gets_the_generic_hint_and_every_block_is_replaced():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n\ndef g(x):\n    ### BEGIN SOLUTION\n    # HINT: g\n    return -x\n    ### END SOLUTION"
    stub, blocks = le.stub_source(source)
    assert blocks == 2
    assert f'raise NotImplementedError("{le.GENERIC_HINT}")' in stub and 'raise NotImplementedError("g")' in stub
    assert "return x" not in stub and "return -x" not in stub
    ast.parse(stub)


@pytest.mark.parametrize("source, words", [
    ("### BEGIN SOLUTION\nx = 1\n", "no '### END SOLUTION'"),
    ("x = 1\n### END SOLUTION\n", "without a '### BEGIN SOLUTION'"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "inside another"),
])
def test_broken_markers_are_named(source, words):
    with pytest.raises(ValueError, match=words):
        le.stub_source(source, "01_x.ipynb, cell 3")


def test_learner_notebook_of_a_synthetic_chapter():
    teacher = teacher_notebook()
    before = nbformat.writes(teacher)
    learner = le.learner_notebook(teacher)
    assert nbformat.writes(teacher) == before, "the teacher notebook was changed"
    for i, (t, s) in enumerate(zip(teacher.cells, learner.cells)):
        if le.has_solution(t) or le.is_check_cell(t):
            assert s.outputs == [] and s.execution_count is None, f"cell {i + 1} keeps its outputs"
        else:
            assert s == t, f"cell {i + 1} differs"
    double = learner.cells[cell_index(teacher, "def double")].source
    assert 'raise NotImplementedError("one multiplication")' in double and "2 * x" not in double
    assert "### BEGIN SOLUTION" in double and "### END SOLUTION" in double  # where to write
    square = learner.cells[cell_index(teacher, "def square")].source
    assert "x * x" not in square and le.GENERIC_HINT in square
    assert learner.cells[cell_index(teacher, "check_double(double)")].source == "check_double(double)"
    demo = cell_index(teacher, "a wrong attempt, shown")
    assert learner.cells[demo].outputs == teacher.cells[demo].outputs != []  # a demonstration keeps its output


# ---------------------------------------------------------------- (b) never overwrite


def test_a_second_run_keeps_the_learners_work_and_reports_course_changes(tmp_path):
    course = write_course(tmp_path / "course", {"01_a.ipynb": teacher_notebook("A"), "02_b.ipynb": teacher_notebook("B")})
    dest = tmp_path / "learner"
    first = le.write_edition(course, dest)
    assert first.added == ["01_a.ipynb", "02_b.ipynb"] and not first.changed
    assert (dest / le.MANIFEST).exists()

    # The learner solves an exercise in 01 and leaves 02 untouched.
    mine = nbformat.read(str(dest / "01_a.ipynb"), as_version=4)
    i = cell_index(mine, "def double")
    mine.cells[i].source = mine.cells[i].source.replace('raise NotImplementedError("one multiplication")', "return x + x")
    nbformat.write(mine, str(dest / "01_a.ipynb"))
    saved = {n: (dest / n).read_bytes() for n in ("01_a.ipynb", "02_b.ipynb")}

    again = le.write_edition(course, dest)
    assert not again.added and not again.changed and sorted(again.kept) == ["01_a.ipynb", "02_b.ipynb"]
    assert {n: (dest / n).read_bytes() for n in saved} == saved
    assert not (dest / le.UPDATES).exists()

    # The course changes both notebooks and adds a third.
    for name in ("01_a.ipynb", "02_b.ipynb"):
        nb = nbformat.read(str(course / name), as_version=4)
        nb.cells[0].source += "\n\nA new paragraph."
        nbformat.write(nb, str(course / name))
    nbformat.write(teacher_notebook("C"), str(course / "03_c.ipynb"))
    third = le.write_edition(course, dest)
    assert {n: (dest / n).read_bytes() for n in saved} == saved, "a learner's file was overwritten"
    assert third.added == ["03_c.ipynb"]
    changed = {c.name: c for c in third.changed}
    assert set(changed) == {"01_a.ipynb", "02_b.ipynb"}
    assert changed["01_a.ipynb"].edited and not changed["02_b.ipynb"].edited
    for name, c in changed.items():
        assert c.update == dest / le.UPDATES / name and c.new_file
        update = nbformat.read(str(c.update), as_version=4)
        assert update == le.learner_notebook(nbformat.read(str(course / name), as_version=4))
    text = third.text()
    assert "01_a.ipynb" in text and "02_b.ipynb" in text and "updates" in text and "03_c.ipynb" in text
    assert "you have worked in it" in text and "mv " in text

    # Run again: nothing new is written, the changes are still named.
    update_bytes = (dest / le.UPDATES / "01_a.ipynb").read_bytes()
    fourth = le.write_edition(course, dest)
    assert {c.name for c in fourth.changed} == {"01_a.ipynb", "02_b.ipynb"}
    assert not any(c.new_file for c in fourth.changed)
    assert sorted(p.name for p in (dest / le.UPDATES).iterdir()) == ["01_a.ipynb", "02_b.ipynb"]

    # The course changes 01 once more: the new version goes beside the first update, not over it.
    nb = nbformat.read(str(course / "01_a.ipynb"), as_version=4)
    nb.cells[0].source += "\n\nAnother paragraph."
    nbformat.write(nb, str(course / "01_a.ipynb"))
    fifth = le.write_edition(course, dest)
    assert (dest / le.UPDATES / "01_a.ipynb").read_bytes() == update_bytes
    assert {c.name: c.update.name for c in fifth.changed}["01_a.ipynb"] == "01_a-2.ipynb"
    assert (dest / "01_a.ipynb").read_bytes() == saved["01_a.ipynb"]

    # The learner takes the update of 02: from then on it is up to date.
    (dest / "02_b.ipynb").write_bytes((dest / le.UPDATES / "02_b.ipynb").read_bytes())
    sixth = le.write_edition(course, dest)
    assert "02_b.ipynb" in sixth.kept and "02_b.ipynb" not in {c.name for c in sixth.changed}

    # The learner takes the newest 01 with their solution copied in (between the markers): up to date.
    newest = nbformat.read(str(dest / le.UPDATES / "01_a-2.ipynb"), as_version=4)
    k = cell_index(newest, "def double")
    newest.cells[k].source = newest.cells[k].source.replace('raise NotImplementedError("one multiplication")', "return x + x")
    nbformat.write(newest, str(dest / "01_a.ipynb"))
    (dest / le.UPDATES / "01_a-2.ipynb").unlink()
    seventh = le.write_edition(course, dest)
    assert "01_a.ipynb" in seventh.kept and not seventh.changed
    assert not (dest / le.UPDATES / "01_a-2.ipynb").exists()
    assert nbformat.read(str(dest / "01_a.ipynb"), as_version=4) == newest

    # A deleted file is written again (that is how to start a chapter over).
    (dest / "03_c.ipynb").unlink()
    assert le.write_edition(course, dest).restored == ["03_c.ipynb"]


def test_notes_outside_the_exercises_are_kept_and_named_when_the_course_changes(tmp_path):
    course = write_course(tmp_path / "course", {"01_a.ipynb": teacher_notebook("A")})
    dest = tmp_path / "learner"
    le.write_edition(course, dest)
    mine = nbformat.read(str(dest / "01_a.ipynb"), as_version=4)
    mine.cells.insert(2, new_markdown_cell("My notes: the checker wants an array."))
    nbformat.write(mine, str(dest / "01_a.ipynb"))
    saved = (dest / "01_a.ipynb").read_bytes()
    summary = le.write_edition(course, dest)
    assert summary.kept == ["01_a.ipynb"] and not summary.changed and (dest / "01_a.ipynb").read_bytes() == saved
    nb = nbformat.read(str(course / "01_a.ipynb"), as_version=4)
    nb.cells[cell_index(nb, "def double")].source = DOUBLE.replace("Twice x.", "Twice x, elementwise.")
    nbformat.write(nb, str(course / "01_a.ipynb"))
    summary = le.write_edition(course, dest)
    assert [(c.name, c.edited) for c in summary.changed] == [("01_a.ipynb", True)]
    assert (dest / "01_a.ipynb").read_bytes() == saved


def test_files_the_tool_did_not_write_are_never_overwritten(tmp_path):
    course = write_course(tmp_path / "course", {"01_a.ipynb": teacher_notebook("A"), "02_b.ipynb": teacher_notebook("B")})
    dest = tmp_path / "learner"
    dest.mkdir()
    (dest / "01_a.ipynb").write_text("not a notebook")  # half-saved, or anything
    own = teacher_notebook("my own notes")
    nbformat.write(own, str(dest / "02_b.ipynb"))
    summary = le.write_edition(course, dest)
    assert (dest / "01_a.ipynb").read_text() == "not a notebook"
    assert nbformat.read(str(dest / "02_b.ipynb"), as_version=4) == own
    assert {c.name: c.edited for c in summary.changed} == {"01_a.ipynb": True, "02_b.ipynb": True}
    assert sorted(p.name for p in (dest / le.UPDATES).iterdir()) == ["01_a.ipynb", "02_b.ipynb"]


# ---------------------------------------------------------------- progress, on synthetic notebooks


def test_progress_plan_runs_up_to_the_last_check_and_skips_unneeded_experiments():
    teacher = teacher_notebook(extra_cells=[
        new_code_cell("# NBVAL_IGNORE_OUTPUT\ngrid = [1, 2]\ngrid"),
        new_code_cell("check_square(square)", outputs=[result_output("square")]),
        new_code_cell("print('after the last check')"),
    ])
    teacher.cells.insert(1, new_code_cell("# NBVAL_IGNORE_OUTPUT\nneeded = 3\nneeded"))
    teacher.cells.insert(3, new_code_cell("print(needed)"))
    learner = le.learner_notebook(teacher)
    check_ids = {cid for cid, _ in le.expected_checks(teacher)}
    run, skipped, last = le.plan(learner, check_ids)
    assert last == cell_index(teacher, "grid = [1, 2]") + 1
    assert skipped == [cell_index(teacher, "shown = "), cell_index(teacher, "grid = [1, 2]")], (
        "the experiments whose names nothing later uses, and only those")
    assert run.cells[cell_index(teacher, "needed = 3")].source == learner.cells[cell_index(teacher, "needed = 3")].source
    assert run.cells[cell_index(teacher, "shown = ")].source == "" and run.cells[-1].source == ""
    full, skipped, last = le.plan(learner, check_ids, full=True)
    assert not skipped and last == len(learner.cells) - 1 and full.cells[-1].source == learner.cells[-1].source


def test_progress_grades_each_exercise_and_reports_a_broken_cell_without_changing_files(tmp_path):
    course = write_course(tmp_path / "course", {"01_a.ipynb": teacher_notebook("A"), "02_b.ipynb": teacher_notebook("B")})
    dest = tmp_path / "learner"
    le.write_edition(course, dest)
    # 01: double right, square wrong (x + x), and a later cell broken by the learner.
    nb = nbformat.read(str(dest / "01_a.ipynb"), as_version=4)
    nb.cells[cell_index(nb, "def double")].source = "def double(x):\n    return x * 2\n"
    nb.cells[cell_index(nb, "def square")].source = "def square(x):\n    return x + x\n"
    nb.cells[cell_index(nb, "print('data ready')")].source = "print(undefined_name)"
    nbformat.write(nb, str(dest / "01_a.ipynb"))
    # 02: a syntax error in an exercise cell.
    nb = nbformat.read(str(dest / "02_b.ipynb"), as_version=4)
    nb.cells[cell_index(nb, "def double")].source = "def double(x)\n    return 2 * x\n"
    nbformat.write(nb, str(dest / "02_b.ipynb"))
    before = {p.name: p.read_bytes() for p in dest.glob("*.ipynb")}

    chapters = le.progress(dest, course)
    assert {p.name: p.read_bytes() for p in dest.glob("*.ipynb")} == before, "progress changed a learner's file"
    first, second = chapters
    assert [(e.exercise, e.status) for e in first.exercises] == [("double", "passed"), ("square", "failed")]
    assert "square(3) is wrong" in first.exercises[1].message
    assert len(first.problems) == 1 and "NameError" in first.problems[0] and "undefined_name" in first.problems[0]
    assert [(e.exercise, e.status) for e in second.exercises] == [("double", "failed"), ("square", "not written")]
    assert "NameError" in second.exercises[0].message
    assert len(second.problems) == 1 and "SyntaxError" in second.problems[0] and "exercise" in second.problems[0]
    text = le.progress_text(chapters, dest, 1.0, full=False)
    assert "Total: 4 exercises: 1 passed, 2 failed, 1 not written" in text
    assert "square(3) is wrong" in text and "undefined_name" in text


def test_progress_stops_an_endless_loop_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(le, "CELL_TIMEOUT", 3)
    course = write_course(tmp_path / "course", {"01_a.ipynb": teacher_notebook("A")})
    dest = tmp_path / "learner"
    le.write_edition(course, dest)
    nb = nbformat.read(str(dest / "01_a.ipynb"), as_version=4)
    nb.cells[cell_index(nb, "def double")].source = "def double(x):\n    while True:\n        pass\n"
    nbformat.write(nb, str(dest / "01_a.ipynb"))
    (chapter,) = le.progress(dest, course)
    assert [(e.exercise, e.status) for e in chapter.exercises] == [("double", "failed"), ("square", "not written")]
    assert "did not finish within 3 s" in chapter.exercises[0].message


def test_progress_finds_checks_the_learner_moved_or_retyped(tmp_path):
    course = write_course(tmp_path / "course", {"01_a.ipynb": teacher_notebook("A")})
    dest = tmp_path / "learner"
    le.write_edition(course, dest)
    nb = nbformat.read(str(dest / "01_a.ipynb"), as_version=4)
    # The check of double typed again in a new cell (a new id), the check of square changed a little.
    i = cell_index(nb, "check_double(double)")
    nb.cells[i] = new_code_cell("check_double(double)")
    j = cell_index(nb, "check_square(square)")
    nb.cells[j].source = "print('my square')\ncheck_square(square)"
    nb.cells[j]["id"] = "my-own-cell"
    nb.cells[cell_index(nb, "def square")].source = "def square(x):\n    return x ** 2\n"
    nbformat.write(nb, str(dest / "01_a.ipynb"))
    teacher = nbformat.read(str(course / "01_a.ipynb"), as_version=4)
    located = le.locate_checks(teacher, nb)
    double_id = teacher.cells[cell_index(teacher, "check_double(double)")]["id"]
    square_id = teacher.cells[cell_index(teacher, "check_square(square)")]["id"]
    assert located == {double_id: nb.cells[i]["id"], square_id: None}  # found by its source; not found
    (chapter,) = le.progress(dest, course)
    assert chapter.mode == "every cell", "a check not where the course has it: the whole notebook runs"
    assert [(e.exercise, e.status) for e in chapter.exercises] == [("double", "not written"), ("square", "passed")]
    assert not chapter.problems


# ---------------------------------------------------------------- the course's notebooks


def course_with_exercises():
    found = []
    for path in le.course_notebooks(le.COURSE):
        nb = nbformat.read(str(path), as_version=4)
        if any(le.has_solution(c) for c in nb.cells):
            found.append((path, nb))
    return found


COURSE_EXERCISES = course_with_exercises()
IDS = [p.stem for p, _ in COURSE_EXERCISES]


def code_of(source):
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))


@pytest.mark.parametrize("path, teacher", COURSE_EXERCISES, ids=IDS)
def test_course_notebook_learner_edition(path, teacher):
    """(a) stubs in place of every solution, no solution text left, every other cell identical."""
    learner = le.learner_notebook(teacher, path.name)
    assert len(learner.cells) == len(teacher.cells)
    for i, (t, s) in enumerate(zip(teacher.cells, learner.cells)):
        where = f"{path.name} cell {i + 1}"
        if le.has_solution(t):
            assert "raise NotImplementedError(" in s.source, where
            assert s.outputs == [] and s.execution_count is None, where
            ast.parse(code_of(s.source))
            outside, inside, block = [], [], False
            for line in t.source.splitlines():
                if line.strip() == le.BEGIN:
                    block = True
                elif line.strip() == le.END:
                    block = False
                elif line.strip():
                    (inside if block else outside).append(line.strip())
            hints = [line for line in inside if line.startswith(le.HINT)]
            assert hints, f"{where}: the solution block has no '# HINT: ...' line"
            kept = {line.strip() for line in s.source.splitlines()}
            leaked = [line for line in inside if line in kept and line not in outside]
            assert not leaked, f"{where}: solution text left in the learner edition: {leaked}"
        elif le.is_check_cell(t):
            assert s.outputs == [] and s.execution_count is None and s.source == t.source, where
        else:
            assert s == t, f"{where} differs in the learner edition"


@pytest.mark.parametrize("path, teacher", COURSE_EXERCISES, ids=IDS)
def test_course_notebook_checks_pass_with_the_reference_solutions(path, teacher):
    """(d) the teacher edition is the learner edition filled in with the reference solutions: the
    cell after every exercise is its check and shows a passing Result (its stored output; nbval
    compares the same text against a fresh run, so this is what the solutions really give)."""
    code = [c for c in teacher.cells if c.cell_type == "code"]
    for k, cell in enumerate(code):
        if le.has_solution(cell):
            after = code[k + 1] if k + 1 < len(code) else None
            results = le.cell_results(after) if after is not None else []
            assert results, f"{path.name}: the cell after the exercise `{le._first_line(cell.source)}` shows no Result"
            assert le.is_check_cell(after), (
                f"{path.name}: the check after `{le._first_line(cell.source)}` does not pass: {results}")
    assert le.expected_checks(teacher)


@pytest.fixture(scope="module")
def untouched_run(tmp_path_factory):
    """The learner edition of the course, written, then executed untouched, every cell (two kernels
    at a time): ``(dest, chapters, text)``, ``text`` what ``tasks.py progress --full`` prints.
    (c) and (e) share this one run; the default run (up to the last check) is what
    test_progress_grades_each_exercise... and test_progress_plan... check on synthetic notebooks."""
    dest = tmp_path_factory.mktemp("learner")
    start = time.perf_counter()
    summary = le.write_edition(le.COURSE, dest)
    print(f"\nlearner edition written in {time.perf_counter() - start:.2f} s")
    assert not summary.changed
    paths = [dest / p.name for p, _ in COURSE_EXERCISES]
    start = time.perf_counter()
    chapters = le.progress(dest, le.COURSE, full=True, notebooks=paths)
    seconds = time.perf_counter() - start
    print(f"{len(paths)} learner notebooks executed in full in {seconds:.1f} s")
    return dest, chapters, le.progress_text(chapters, dest, seconds, full=True)


@pytest.mark.skipif(not COURSE_EXERCISES, reason="no course notebook has exercises yet")
def test_untouched_learner_edition_runs_top_to_bottom(untouched_run):
    """(c) every cell of every notebook with exercises runs without an error; each exercise 'not written'
    (read from the executed outputs through the mime type). Notebooks without exercises are the
    course's own, which nbval runs."""
    dest, chapters, _ = untouched_run
    for chapter, (path, teacher) in zip(chapters, COURSE_EXERCISES):
        assert chapter.notebook == path.name
        assert chapter.mode == "every cell", chapter.mode
        assert not chapter.problems, f"{chapter.notebook}: " + "; ".join(chapter.problems)
        expected = [name for _, name in le.expected_checks(teacher)]
        assert [e.exercise for e in chapter.exercises] == expected
        assert all(e.status == "not written" for e in chapter.exercises), chapter.exercises


@pytest.mark.skipif(not COURSE_EXERCISES, reason="no course notebook has exercises yet")
def test_progress_output_on_an_untouched_edition(untouched_run):
    """(e) what progress prints: every exercise listed as not written, and the total."""
    _, _, out = untouched_run
    expected = [name for _, teacher in COURSE_EXERCISES for _, name in le.expected_checks(teacher)]
    for name in expected:
        assert f"… not written  {name}\n" in out + "\n", f"{name} is not listed as not written:\n{out}"
    assert f"Total: {len(expected)} exercises: 0 passed, 0 failed, {len(expected)} not written" in out, out
    assert "✔" not in out and "✘" not in out and "  ! " not in out, out


def test_the_commands_write_and_grade_from_the_command_line(tmp_path):
    """``tasks.py learner --no-lab`` and ``tasks.py progress`` run the tool's command line, as here."""
    course = write_course(tmp_path / "course", {"01_a.ipynb": teacher_notebook("A")})
    dest = tmp_path / "learner"
    tool = [sys.executable, str(TOOL)]
    written = subprocess.run([*tool, "write", "--course", str(course), "--dest", str(dest)],
                             capture_output=True, text=True, timeout=120)
    assert written.returncode == 0, written.stderr
    assert "added (1): 01_a.ipynb" in written.stdout
    graded = subprocess.run([*tool, "progress", "--course", str(course), "--dest", str(dest)],
                            capture_output=True, text=True, timeout=300)
    assert graded.returncode == 0, graded.stderr
    assert "… not written  double" in graded.stdout and "… not written  square" in graded.stdout
    assert "Total: 2 exercises: 0 passed, 0 failed, 2 not written" in graded.stdout
    missing = subprocess.run([*tool, "progress", "--dest", str(tmp_path / "nothing")], capture_output=True, text=True)
    assert missing.returncode == 2 and "tasks.py learner" in missing.stderr


def test_at_least_13_chapters_have_two_exercises_each():
    """Issue 13: 2-4 exercises per chapter. Fails until the chapters have their exercises."""
    counts = {p.name: len(le.expected_checks(nb)) for p, nb in COURSE_EXERCISES}
    enough = [n for n, k in counts.items() if k >= 2]
    assert len(enough) >= 13, f"{len(enough)} notebooks have 2 or more exercises: {counts}"
