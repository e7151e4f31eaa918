"""The student flow's pure logic: find a lecture's exercises in its notebook and read a
check's verdict.

An exercise is found by its code, not by its title (titles and numbering may change): a
stub code cell ``def NAME(...): ... raise NotImplementedError``, the first later code
cell that calls a check on it (``ex.check_xxx(NAME)``), and the first later code cell
defining ``NAME_solution`` (the folded reference, which also calls the check with
``strict=True``). Every ``{exercise}`` directive of the notebook must have its stub, so
that an exercise cannot hide from the flow.

Used by ``tests/nbval_plugin.py`` (the flow in nbval's live kernel) and by
``tests/test_student_answers.py`` (the wrong answers against the checks in a plain
process).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STUB_DEF = re.compile(r"^def\s+(\w+)\s*\(", re.MULTILINE)
EXERCISE_DIRECTIVE = re.compile(
    r"^(?:`{3,}|:{3,})[ \t]*\{exercise(?:-start)?\}[ \t]*(.*)$", re.MULTILINE
)
LABEL = re.compile(r"^:label:\s*(\S+)", re.MULTILINE)


class ExerciseLayoutError(ValueError):
    """A notebook's Exercises section does not follow the stub / check / reference
    pattern."""


@dataclass(frozen=True)
class Exercise:
    stub: str  # the stub's function name, e.g. "dot_attention"
    # the {exercise} directive's title ("" if none precedes the stub)
    title: str
    label: str  # the directive's :label: ("" if none)
    stub_cell: int  # indices into the notebook's cells
    check_cell: int
    reference_cell: int
    check_code_cell: int  # the check cell's number among code cells (nbval's "Cell N")
    check_call: str  # the called check, e.g. "ex.check_dot_attention"
    check_source: str
    reference_source: str

    @property
    def check_name(self) -> str:
        """The check's name in its module, e.g. ``check_dot_attention``."""
        return self.check_call.rsplit(".", 1)[-1]

    def describe(self) -> str:
        title = f" ({self.title})" if self.title else ""
        return f"exercise {self.stub!r}{title}"

    def reference_as_stub(self) -> str:
        """The reference cell's code with the stub's name: what a student who pastes it
        runs."""
        return re.sub(
            rf"\b{re.escape(self.stub)}_solution\b", self.stub, self.reference_source
        )


def _source(cell) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def find_exercises(cells) -> list[Exercise]:
    """The exercises of a notebook's cells (nbformat dicts), in order; raises
    ExerciseLayoutError for a stub without a check or a reference, or an ``{exercise}``
    directive without a stub."""
    exercises, problems, directives = [], [], []
    code_number, n = {}, 0
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            code_number[i] = n
            n += 1
    last_directive = None
    for i, cell in enumerate(cells):
        src = _source(cell)
        if cell["cell_type"] == "markdown":
            m = EXERCISE_DIRECTIVE.search(src)
            if m:
                label = LABEL.search(src)
                last_directive = (
                    i,
                    m.group(1).strip(),
                    label.group(1) if label else "",
                )
                directives.append(last_directive)
            continue
        if cell["cell_type"] != "code" or "raise NotImplementedError" not in src:
            continue
        m = STUB_DEF.search(src)
        if not m or m.group(1).endswith("_solution"):
            continue
        name = m.group(1)
        call = re.compile(rf"([\w.]*check\w*)\(\s*{re.escape(name)}\s*[,)]")
        check = next(
            (
                (j, call.search(_source(c)).group(1))
                for j, c in enumerate(cells)
                if j > i and c["cell_type"] == "code" and call.search(_source(c))
            ),
            None,
        )
        ref_def = re.compile(rf"^def\s+{re.escape(name)}_solution\s*\(", re.MULTILINE)
        ref = next(
            (
                j
                for j, c in enumerate(cells)
                if j > i and c["cell_type"] == "code" and ref_def.search(_source(c))
            ),
            None,
        )
        if check is None:
            problems.append(
                f"stub {name!r} (cell {i}): no later code cell calls a check on it"
            )
            continue
        if ref is None:
            problems.append(
                f"stub {name!r} (cell {i}): no later code cell defines {name}_solution"
            )
            continue
        title, label = ("", "")
        if last_directive is not None:
            _, title, label = last_directive
            last_directive = None  # one directive per stub
        exercises.append(
            Exercise(
                stub=name,
                title=title,
                label=label,
                stub_cell=i,
                check_cell=check[0],
                reference_cell=ref,
                check_code_cell=code_number[check[0]],
                check_call=check[1],
                check_source=_source(cells[check[0]]),
                reference_source=_source(cells[ref]),
            )
        )
    if len(directives) != len(exercises) and not problems:
        problems.append(
            f"{len(directives)} {{exercise}} directives but {len(exercises)} stubs "
            "with a check and a reference (directives: "
            f"{[d[1] or d[2] for d in directives]}; stubs: "
            f"{[e.stub for e in exercises]})"
        )
    if problems:
        raise ExerciseLayoutError("; ".join(problems))
    return exercises


FAILED = re.compile(r"failed:[ \t]*(\S.*)")
PASSED = re.compile(r":\s*passed\b")
NOT_ATTEMPTED = re.compile(r"not attempted")


def verdict(text: str) -> str:
    """A check cell's printed verdict: 'passed', 'failed', 'not attempted', or 'unclear'
    (none of them, or more than one)."""
    found = [
        v
        for v, pattern in (
            ("failed", FAILED),
            ("passed", PASSED),
            ("not attempted", NOT_ATTEMPTED),
        )
        if pattern.search(text)
    ]
    return found[0] if len(found) == 1 else "unclear"
