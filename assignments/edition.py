"""A lecture notebook as an otter assign master notebook (otter-grader 7, the v1 format:
raw cells ``# ASSIGNMENT CONFIG``, ``# BEGIN QUESTION`` ... ``# END QUESTION``).

What becomes what:

* every cell before the lecture's ``## Exercises`` heading (and any code cell of the
  section that is not a stub, a check or the import of the checks) is kept for the
  student and tagged ``otter_ignore``: the autograder skips it. Grading runs the
  Exercises section alone (a setup cell, the checks' import, the stubs), seconds per
  submission instead of the lecture's 90-290 s;
* a setup cell opens the section: the names the exercises use from the lecture (the
  imports ``np``, ``torch``, ``math``, ``Counter``, ``F`` and ``SETUP`` from
  ``tests/exercise_answers/lectureNN.py``, the same namespace the book's tests give the
  answers), so that the section runs on its own;
* each exercise is a question (1 point, all or nothing) whose solution cell shows the
  student the stub exactly (an otter prompt) and holds the folded reference under the
  stub's name; its tests are ``variants.public_source`` and, where given,
  ``variants.hidden_source``; the check cell stays (the student's feedback; tagged
  ``otter_ignore``, since the tests run the same check);
* the folded reference (solution-start, the ``# @title Solution`` cell, solution-end)
  and any cell that uses it (``NAME_solution``) are left out.

Pure Python (json in, json out): the book's tests run it without otter.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

import yaml

try:  # the repository root on sys.path (make assignments, the tests' conftest)
    from tests.exercise_flow import Exercise, find_exercises
except ImportError:  # tests/ itself on the path
    from exercise_flow import Exercise, find_exercises

from .variants import hidden_source, public_source

IGNORE = "otter_ignore"
EXERCISES_HEADING = re.compile(r"^##\s+Exercises\b")
SECTION_HEADING = re.compile(r"^##\s+\S")
STRICT_CALL = re.compile(r"^ex\.check_\w+\(.*strict=True\);?\s*$")

SETUP_HEAD = """\
# Setup for the exercises: what they use from the lecture, so that this section also
# runs on its own (after a restart of the kernel, and when the autograder grades it).
import math
from collections import Counter

import numpy as np
import torch
import torch.nn.functional as F
"""

STUDENT_NOTE = (
    "*Student edition:* the reference solutions are not part of this copy. Each "
    "check cell tells you at once whether your function passes; the autograder runs "
    "the same checks, and others like them, on the Exercises section alone (the setup "
    "cell below, then your functions), so keep each answer inside its stub's cell."
)


@dataclass(frozen=True)
class Question:
    stub: str
    check: str  # the check's name in the lecture's checks module
    solution: str  # the folded reference under the stub's name, without its check call
    hidden: bool  # whether the autograder gets the hidden variant


def _source(cell) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def _cell(kind: str, source: str, **metadata) -> dict:
    cell = {"cell_type": kind, "metadata": dict(metadata), "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _tagged(cell: dict, tag: str) -> dict:
    cell = copy.deepcopy(cell)
    tags = cell.setdefault("metadata", {}).setdefault("tags", [])
    if tag not in tags:
        tags.append(tag)
    return cell


def exercises_range(cells) -> tuple[int, int]:
    """The cell indices [start, end) of the ``## Exercises`` section."""
    start = next(
        (
            i
            for i, c in enumerate(cells)
            if c["cell_type"] == "markdown"
            and EXERCISES_HEADING.match(_source(c).lstrip())
        ),
        None,
    )
    if start is None:
        raise ValueError("no '## Exercises' heading")
    end = next(
        (
            i
            for i in range(start + 1, len(cells))
            if cells[i]["cell_type"] == "markdown"
            and SECTION_HEADING.match(_source(cells[i]).lstrip())
        ),
        len(cells),
    )
    return start, end


def setup_source(setup: str) -> str:
    """The setup cell: ``SETUP_HEAD``, then the lecture's SETUP less the head's
    imports."""
    have = {
        line for line in SETUP_HEAD.splitlines() if line.startswith(("import", "from"))
    }
    extra = "\n".join(line for line in setup.splitlines() if line not in have).strip()
    if not extra:
        return SETUP_HEAD
    gap = "\n\n" if extra.startswith(("def ", "class ", "@")) else "\n"
    return SETUP_HEAD + gap + extra + "\n"


def solution_code(exercise: Exercise) -> str:
    """The folded reference as a student would paste it into the stub's cell: the
    stub's name, no Colab title line, no strict call of the check."""
    lines = [
        line
        for line in exercise.reference_as_stub().splitlines()
        if not line.startswith("# @title") and not STRICT_CALL.match(line)
    ]
    return "\n".join(lines).strip() + "\n"


def questions(cells, answers, hidden: set[str]) -> list[Question]:
    """The lecture's exercises as questions (``answers``: stub -> Answers on file)."""
    found = find_exercises(cells)
    missing = {e.stub for e in found} ^ set(answers)
    if missing:
        raise ValueError(
            f"exercises in the notebook and on file differ: {sorted(missing)}"
        )
    return [
        Question(
            stub=e.stub,
            check=answers[e.stub].check,
            solution=solution_code(e),
            hidden=e.stub in hidden,
        )
        for e in found
    ]


def solution_cell(stub_source: str, solution: str) -> dict:
    """The stub as otter's prompt (the student edition shows it, word for word) and the
    reference as the solution (the autograder's copy holds it)."""
    if "'''" in stub_source:
        raise ValueError("a stub with ''' cannot be an otter prompt here")
    prompt = (
        "''' # BEGIN PROMPT\n" + stub_source.rstrip("\n") + "\n''';  # END PROMPT\n"
    )
    body = "# BEGIN SOLUTION NO PROMPT\n" + solution + "# END SOLUTION"
    return _cell("code", prompt + body)


def assignment_config(name: str) -> str:
    config = {
        "name": name,
        "init_cell": False,
        "check_all_cell": False,
        "export_cell": False,
        "run_tests": False,
        "tests": {"files": True, "ok_format": False},
        "generate": {"pdf": False, "show_stdout": True},
    }
    return "# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False)


def master_notebook(
    nb: dict, lecture: str, answers: dict, setup: str, hidden: set[str]
) -> dict:
    """The otter assign master notebook of lecture notebook ``nb``: ``lecture`` names
    the checks module (``lecture02``), ``answers`` maps each stub to its Answers on
    file, ``setup`` is the lecture's SETUP, ``hidden`` the stubs that get a hidden
    variant."""
    cells = nb["cells"]
    start, end = exercises_range(cells)
    found = {e.stub_cell: e for e in find_exercises(cells)}
    by_stub = {q.stub: q for q in questions(cells, answers, hidden)}
    checks = {e.check_cell for e in found.values()}
    references = {e.reference_cell for e in found.values()}
    uses_reference = re.compile(
        r"\b(?:" + "|".join(re.escape(e.stub) for e in found.values()) + r")_solution\b"
    )

    out = [_cell("raw", assignment_config(lecture))]
    out += [_tagged(c, IGNORE) for c in cells[:start]]
    out.append(copy.deepcopy(cells[start]))
    out.append(_cell("markdown", STUDENT_NOTE))
    out.append(_cell("code", setup_source(setup)))
    for i in range(start + 1, end):
        cell, src = cells[i], _source(cells[i])
        if cell["cell_type"] == "markdown" and re.match(
            r"^`{3,}\s*\{solution-(start|end)\}", src.lstrip()
        ):
            continue
        if i in references or (
            cell["cell_type"] == "code" and uses_reference.search(src)
        ):
            continue
        if i in found:
            q = by_stub[found[i].stub]
            config = {"name": q.stub, "points": 1, "all_or_nothing": True}
            config["check_cell"] = False
            out.append(
                _cell(
                    "raw",
                    "# BEGIN QUESTION\n" + yaml.safe_dump(config, sort_keys=False),
                )
            )
            out.append(_cell("raw", "# BEGIN SOLUTION"))
            out.append(solution_cell(src, q.solution))
            out.append(_cell("raw", "# END SOLUTION"))
            out.append(_cell("raw", "# BEGIN TESTS"))
            out.append(_cell("code", public_source(q.stub, lecture, q.check)))
            if q.hidden:
                out.append(
                    _cell(
                        "code",
                        '""" # BEGIN TEST CONFIG\nhidden: true\n""" # END TEST CONFIG\n'
                        + hidden_source(q.stub, lecture, q.check),
                    )
                )
            out.append(_cell("raw", "# END TESTS"))
            out.append(_cell("raw", "# END QUESTION"))
            continue
        graded = i in checks or (
            cell["cell_type"] == "code" and src.startswith("from helpers.exercises")
        )
        if cell["cell_type"] == "code" and (i in checks or not graded):
            cell = _tagged(cell, IGNORE)  # the tests run the checks themselves
        out.append(copy.deepcopy(cell))
    out += [_tagged(c, IGNORE) if c["cell_type"] == "code" else c for c in cells[end:]]
    master = copy.deepcopy(nb)
    master["cells"] = out
    return master
