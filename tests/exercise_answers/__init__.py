"""Every exercise's answers in one place: the folded reference (the notebook's solution
cell, word for word: ``tests/test_exercise_answers.py`` compares them) and the plausible
wrong answers its check must reject, each with a comment saying which mistake it is.

One module a lecture (``lecture01`` ... ``lecture05``), each with ``NOTEBOOK`` (the
notebook's stem), ``CHECKS`` (the module of its checks), ``SETUP`` (what the references
use from the notebook beyond its imports) and ``EXERCISES``: the stub's name to its
:class:`Answers`. The unit tests (``tests/test_exercise_answers.py``) run every
reference (it must pass in strict mode) and every wrong answer (it must fail, with a
reason, without crashing); the student flow (``tests/student_answers.py``, read by
``tests/nbval_plugin.py``) plays the first wrong answer of each in the notebook's
kernel.

A wrong answer is the source a student might type into the stub cell: the stub's name
and signature, the mistake in a comment on its first line, and only the names the
notebook's Exercises section has (``np``, ``torch``, ``math``, ``Counter``, ``F``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Answers:
    check: str  # the check's name in the lecture's checks module
    reference: str  # the notebook's folded solution cell, exactly
    wrong: list[str] = field(default_factory=list)  # each: a comment, then the code


LECTURES = ["lecture01", "lecture02", "lecture03", "lecture04", "lecture05"]


def modules():
    """The lecture modules, in order."""
    return [importlib.import_module(f"{__name__}.{name}") for name in LECTURES]


def all_answers() -> dict[str, dict[str, Answers]]:
    """``{notebook stem: {stub: Answers}}`` for the whole book."""
    return {m.NOTEBOOK: m.EXERCISES for m in modules()}
