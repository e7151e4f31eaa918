"""pytest plugin for ``make nbval`` (``-p tests.nbval_plugin``): keep what nbval
executed, and play the student in the same kernel.

For every notebook whose code cells all ran in this session it adds two kinds of items
after nbval's last cell, in nbval's live kernel (the notebook's state is all there):

* ``executed copy``: the notebook with the outputs nbval recorded cell by cell (text,
  images, Markdown display data) is written atomically to ``--executed-dir``
  (``_build/executed``) under its path relative to the invocation directory, e.g.
  ``_build/executed/notebooks/04_seq2seq_attention.ipynb``. If a cell failed, no copy is
  written and a stale one is removed. ``make render`` renders these copies.
* ``student flow: STUB`` for each exercise found by ``tests/exercise_flow.py``: nbval's
  run of the check cell (stub untouched) said "not attempted"; the wrong answer on file
  in ``tests/student_answers.py`` makes the check cell say "failed: <reason>"; the
  folded reference under the stub's name makes it say "passed". An exercise with no
  wrong answer on file fails.

``--no-student-flow`` leaves the flow out (the copies are still written);
``--executed-dir ''`` writes no copies."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from queue import Empty

import nbformat
import pytest
from nbval.plugin import IPyNbCell, coalesce_streams

try:  # loaded by make nbval as -p tests.nbval_plugin (the repository root on sys.path)
    from tests.exercise_flow import (
        Exercise,
        ExerciseLayoutError,
        find_exercises,
        verdict,
    )
    from tests.student_answers import WRONG_ANSWERS
except ImportError:  # imported by the helper tests, which have tests/ on sys.path
    from exercise_flow import Exercise, ExerciseLayoutError, find_exercises, verdict
    from student_answers import WRONG_ANSWERS


def pytest_addoption(parser):
    group = parser.getgroup(
        "nbval-book", "executed copies and the student flow (tests/nbval_plugin.py)"
    )
    group.addoption(
        "--executed-dir",
        default="_build/executed",
        help="where to write each executed notebook, under its relative path "
        "('' for nowhere)",
    )
    group.addoption(
        "--no-student-flow",
        action="store_true",
        help="do not play the student on the exercises after a notebook's last cell",
    )


# What this plugin uses of nbval 0.11.0 (pinned in requirements.txt); nothing of nbval
# is patched. It reads what nbval's items hold: IPyNbCell (isinstance) and its cell_num,
# cell, test_outputs (the outputs nbval recorded, None until the cell ran) and parent,
# the notebook's IPyNbFile with its nb and its live kernel (a RunningKernel), whose
# execute_cell_input, await_reply, get_message, interrupt and is_alive run the student
# flow; and nbval.plugin.coalesce_streams. check_nbval() fails make nbval at its start,
# naming what changed, when an nbval upgrade drops any of it; make helpers-test runs it
# (tests/test_book_pipeline.py).
TESTED_NBVAL = "0.11.0"


def check_nbval() -> list[str]:
    """What the installed nbval lacks of what this plugin uses (the comment above): an
    empty list when it has it all."""
    import inspect

    import nbval
    from nbval import kernel, plugin

    problems = []
    cell_init = inspect.getsource(plugin.IPyNbCell.__init__)
    for attr in ("cell_num", "cell", "test_outputs", "parent"):
        if f"self.{attr} =" not in cell_init:
            problems.append(f"IPyNbCell.__init__ no longer sets self.{attr}")
    if "self.test_outputs = outs" not in inspect.getsource(plugin.IPyNbCell.runtest):
        problems.append("IPyNbCell.runtest no longer keeps its outputs in test_outputs")
    file_src = inspect.getsource(plugin.IPyNbFile)
    for needle, what in (
        ("self.nb = nbformat.read", "IPyNbFile.nb"),
        ("self.kernel = RunningKernel(", "IPyNbFile.kernel"),
    ):
        if needle not in file_src:
            problems.append(f"{what} is gone (no {needle!r} in IPyNbFile)")
    wanted = {
        "execute_cell_input": ["self", "cell_input", "allow_stdin"],
        "await_reply": ["self", "msg_id", "timeout"],
        "get_message": ["self", "stream", "timeout"],
        "interrupt": ["self"],
        "is_alive": ["self"],
    }
    for name, params in wanted.items():
        method = getattr(kernel.RunningKernel, name, None)
        got = list(inspect.signature(method).parameters) if method else None
        if got != params:
            problems.append(f"RunningKernel.{name}{tuple(params)} is now {got}")
    if not callable(getattr(plugin, "coalesce_streams", None)):
        problems.append("nbval.plugin.coalesce_streams is gone")
    if problems:
        problems.append(
            f"(tests/nbval_plugin.py was written against nbval {TESTED_NBVAL}; "
            f"this is nbval {nbval.__version__}: adapt the plugin, then its "
            "NBVAL_SURFACE, TESTED_NBVAL and the pin in requirements.txt)"
        )
    return problems


def pytest_configure(config):
    if not (config.option.nbval or config.option.nbval_lax):
        return
    problems = check_nbval()
    if problems:
        raise pytest.UsageError(
            "tests/nbval_plugin.py: the installed nbval changed what it uses:\n  "
            + "\n  ".join(problems)
        )


def quiet(source: str) -> bool:
    """Whether Jupyter hides the cell's result: its code ends with ``;`` (IPython's own
    test, on the code after IPython's transformations, as IPython runs it). nbval
    executes without history, and then IPython tests the wrong history entry and shows
    the result (every ``ex.check_xxx(f);`` showed True or False); the plugin drops that
    result from what it records instead of patching nbval's kernel."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        code = TransformerManager().transform_cell(source)
        return DisplayHook.semicolon_at_end_of_expression(code)
    except Exception:  # code that does not tokenize raised in the kernel anyway
        return False


def as_jupyter_shows(source: str, outputs: list) -> list:
    """``outputs`` less the ``execute_result`` a closing ``;`` hides in Jupyter."""
    if not quiet(source):
        return outputs
    return [o for o in outputs if o["output_type"] != "execute_result"]


def _state(notebook) -> dict:
    """What this plugin records on a notebook's collector node: outputs by code-cell
    number and the names of items that failed."""
    if not hasattr(notebook, "_book_state"):
        notebook._book_state = {"outputs": {}, "failed": []}
    return notebook._book_state


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    if not (config.option.nbval or config.option.nbval_lax):
        return
    extended = []
    for i, item in enumerate(items):
        extended.append(item)
        if not isinstance(item, IPyNbCell):
            continue
        notebook = item.parent
        if i + 1 < len(items) and items[i + 1].parent is notebook:
            continue  # not the notebook's last item yet
        selected = sum(isinstance(x, IPyNbCell) and x.parent is notebook for x in items)
        if selected != sum(c.cell_type == "code" for c in notebook.nb.cells):
            continue  # a partial run: no copy, no flow
        if config.option.executed_dir:
            extended.append(ExecutedCopy.from_parent(notebook, name="executed copy"))
        if config.option.no_student_flow:
            continue
        try:
            exercises = find_exercises(notebook.nb.cells)
        except ExerciseLayoutError as e:
            extended.append(
                FlowItem.from_parent(
                    notebook, name="student flow: find exercises", problem=str(e)
                )
            )
            continue
        for exercise in exercises:
            extended.append(
                FlowItem.from_parent(
                    notebook, name=f"student flow: {exercise.stub}", exercise=exercise
                )
            )
    items[:] = extended


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if isinstance(item, IPyNbCell):
        state = _state(item.parent)
        if call.when == "call" and item.test_outputs is not None:
            state["outputs"][item.cell_num] = as_jupyter_shows(
                item.cell.source,
                coalesce_streams(copy.deepcopy(list(item.test_outputs))),
            )
        if report.failed:
            state["failed"].append(f"{item.name} ({call.when})")


# Time per notebook ---------------------------------------------------------------
# Summed from every item's report (setup, call, teardown), in the process that prints
# the summary (with pytest-xdist, the controller, from the workers' reports).
_TIMES: dict[str, dict[str, float]] = {}


def pytest_runtest_logreport(report):
    path, _, name = report.nodeid.partition("::")
    if not path.endswith(".ipynb"):
        return
    part = "student flow" if name.startswith("student flow") else "cells"
    times = _TIMES.setdefault(path, {"cells": 0.0, "student flow": 0.0})
    times[part] += report.duration


def pytest_terminal_summary(terminalreporter):
    if not _TIMES:
        return
    terminalreporter.section("time per notebook (tests/nbval_plugin.py)")
    for path, t in sorted(_TIMES.items(), key=lambda kv: -sum(kv[1].values())):
        terminalreporter.write_line(
            f"{sum(t.values()):7.1f} s  {path}  (kernel start and cells "
            f"{t['cells']:.1f} s, student flow {t['student flow']:.1f} s)"
        )


# The executed copy ---------------------------------------------------------------
def executed_path(config, notebook_path) -> Path:
    base = Path(config.invocation_params.dir)
    path = Path(notebook_path).resolve()
    try:
        relative = path.relative_to(base.resolve())
    except ValueError:
        relative = Path(path.name)
    return base / config.option.executed_dir / relative


def as_output(out, execution_count: int):
    """nbval's recorded output as a valid nbformat v4 output."""
    kind = out["output_type"]
    if kind == "stream":
        return nbformat.v4.new_output("stream", name=out["name"], text=out["text"])
    if kind in ("display_data", "execute_result"):
        extra = {"execution_count": execution_count} if kind == "execute_result" else {}
        return nbformat.v4.new_output(
            kind, data=out.get("data", {}), metadata=out.get("metadata", {}), **extra
        )
    if kind == "error":
        return nbformat.v4.new_output(
            "error",
            ename=out["ename"],
            evalue=out["evalue"],
            traceback=out["traceback"],
        )
    raise ValueError(f"unexpected output type {kind!r}")


def executed_notebook(nb, outputs: dict):
    """A copy of ``nb`` whose code cells hold ``outputs[code cell number]`` (cells
    absent from it, skipped ones, get none), numbered 1, 2, ... like a fresh run."""
    nb = copy.deepcopy(nb)
    number, count = 0, 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        recorded = outputs.get(number)
        number += 1
        if recorded is None:
            cell.outputs, cell.execution_count = [], None
            continue
        count += 1
        cell.execution_count = count
        cell.outputs = [as_output(o, count) for o in recorded]
    nbformat.validate(nb)
    return nb


def write_atomically(nb, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        nbformat.write(nb, str(tmp))
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()


class ExecutedCopy(pytest.Item):
    def runtest(self):
        notebook, dest = self.parent, executed_path(self.config, self.parent.path)
        failed = _state(notebook)["failed"]
        if failed:
            dest.unlink(missing_ok=True)
            pytest.skip(
                f"no executed copy written ({', '.join(failed)} failed); "
                f"removed any stale {dest}"
            )
        write_atomically(
            executed_notebook(notebook.nb, _state(notebook)["outputs"]), dest
        )

    def reportinfo(self):
        return self.path, None, f"{self.parent.name}::executed copy"


# The student flow ----------------------------------------------------------------
class FlowFailure(Exception):
    pass


def run_code(kernel, code: str, timeout: float) -> tuple[str, str | None]:
    """Execute ``code`` in nbval's kernel; return its printed text (streams and
    text/plain, less a result that a closing ``;`` hides) and its error ("Name: value")
    or None."""
    msg_id = kernel.execute_cell_input(code, allow_stdin=False)
    try:
        kernel.await_reply(msg_id, timeout=timeout)
    except Empty:
        kernel.interrupt()
        raise FlowFailure(f"no reply within {timeout:g} s to:\n{code}")
    texts, error, hidden = [], None, quiet(code)
    while True:
        msg = kernel.get_message("iopub", timeout=10)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "status" and content["execution_state"] == "idle":
            break
        if kind == "stream":
            texts.append(content["text"])
        elif kind == "display_data" or (kind == "execute_result" and not hidden):
            texts.append(content["data"].get("text/plain", ""))
        elif kind == "error":
            error = f"{content['ename']}: {content['evalue']}"
    return "".join(texts), error


def output_text(outputs) -> str:
    return "".join(
        o.get("text", "")
        if o["output_type"] == "stream"
        else o.get("data", {}).get("text/plain", "")
        for o in outputs or []
    )


class FlowItem(pytest.Item):
    def __init__(
        self, *, exercise: Exercise | None = None, problem: str | None = None, **kwargs
    ):
        super().__init__(**kwargs)
        self.exercise, self.problem = exercise, problem

    def runtest(self):
        notebook = self.parent
        stem = Path(notebook.path).stem
        if self.problem:
            raise FlowFailure(
                f"{stem}: the Exercises section does not follow the pattern: "
                f"{self.problem}"
            )
        state = _state(notebook)
        if state["failed"]:
            pytest.skip(f"{', '.join(state['failed'])} of this notebook failed")
        kernel = notebook.kernel
        if kernel is None or not kernel.is_alive():
            raise FlowFailure(f"{stem}: nbval's kernel is not running")
        ex = self.exercise
        where = f"{stem}, {ex.describe()}"
        wrong = WRONG_ANSWERS.get(stem, {}).get(ex.stub)
        if wrong is None:
            raise FlowFailure(
                f"{where}: no wrong answer on file: add the exercise's reference "
                f"and wrong answers for {ex.stub!r} to "
                f"tests/exercise_answers/lecture{stem[:2]}.py"
            )
        timeout = self.config.option.nbval_cell_timeout

        seen = output_text(state["outputs"].get(ex.check_code_cell))
        if verdict(seen) != "not attempted":
            raise FlowFailure(
                f"{where}: with the stub untouched the check cell should say "
                "'not attempted'; "
                f"it printed:\n{seen}"
            )
        steps = [
            ("the wrong answer from tests/student_answers.py", wrong, "failed"),
            (
                "the folded reference under the stub's name",
                ex.reference_as_stub(),
                "passed",
            ),
        ]
        for what, answer, expected in steps:
            text, error = run_code(kernel, answer, timeout)
            if error:
                raise FlowFailure(
                    f"{where}: defining {what} raised {error}:\n{answer}\n{text}"
                )
            text, error = run_code(kernel, ex.check_source, timeout)
            if error or verdict(text) != expected:
                raise FlowFailure(
                    f"{where}: with {what} the check cell "
                    f"({ex.check_source.strip()}) should "
                    f"say {expected!r}"
                    + (" with a reason" if expected == "failed" else "")
                    + f"; it printed:\n{text}"
                    + (f"\nand raised {error}" if error else "")
                    + f"\n--- the answer:\n{answer.strip()}"
                )

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, FlowFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.parent.name}::{self.name}"
