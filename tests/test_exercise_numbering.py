"""Exercises are numbered per lecture, "Exercise 3.2", the same in Colab and in the
book.

The book's number comes from `_ext/exercise_numbers.py` (lecture from the file name,
index in page order). Colab does not show a directive's title, so each exercise is
preceded by a markdown cell tagged `remove-cell` (hidden in the book) reading "###
Exercise 3.2: <title>". These tests keep the two in step, so a new exercise cannot be
misnumbered.
"""

import importlib.util
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
DIRECTIVE = re.compile(r"^(`{3,}|:{3,})[ \t]*\{exercise(?:-start)?\}[ \t]*(.*)$", re.M)
HEADING = re.compile(r"^#+ *Exercise\b")
NUMBER = re.compile(r"\bExercises? +(\d+)\.(\d+)")


def cells(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        src = cell["source"]
        yield cell, "".join(src) if isinstance(src, list) else src


def exercises(path):
    """(title, heading cell or None, directive source) for each exercise, in order."""
    found, previous = [], None
    for cell, src in cells(path):
        match = DIRECTIVE.match(src) if cell["cell_type"] == "markdown" else None
        if match:
            found.append((match.group(2).strip(), previous, src))
        previous = (cell, src)
    return found


def test_every_lecture_has_exercises():
    assert NOTEBOOKS
    for path in NOTEBOOKS:
        assert exercises(path), f"{path.name}: no exercise"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_colab_headings_number_exercises_in_order(path):
    lecture = int(path.name[:2])
    for index, (title, previous, src) in enumerate(exercises(path), start=1):
        expected = f"### Exercise {lecture}.{index}: {title}"
        assert title, f"{path.name}: exercise {index} has no title"
        assert previous is not None, f"{path.name}: exercise {index} opens the notebook"
        cell, heading = previous
        assert heading.strip() == expected, (
            f"{path.name}: the cell before exercise {index} ({title!r}) must read "
            f"{expected!r}, got {heading.strip()!r}"
        )
        assert "remove-cell" in cell["metadata"].get("tags", []), (
            f"{path.name}: {expected!r} must be tagged remove-cell (the book shows the "
            "directive's own numbered title)"
        )
        assert ":nonumber:" not in src, f"{path.name}: {expected!r} must stay numbered"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_stray_exercise_numbers(path):
    """An "Exercise N.k" anywhere in the prose names an exercise of this lecture."""
    lecture, count = int(path.name[:2]), len(exercises(path))
    for cell, src in cells(path):
        if cell["cell_type"] != "markdown":
            continue
        if HEADING.match(src) and "remove-cell" not in cell["metadata"].get("tags", []):
            pytest.fail(f"{path.name}: a visible exercise heading {src.strip()!r}")
        for n, k in NUMBER.findall(src):
            assert int(n) == lecture and 1 <= int(k) <= count, (
                f"{path.name}: 'Exercise {n}.{k}' names no exercise of lecture "
                f"{lecture}"
            )


def test_book_extension_numbers_per_lecture():
    spec = importlib.util.spec_from_file_location(
        "exercise_numbers", ROOT / "_ext" / "exercise_numbers.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # What Sphinx's numfig assigns without a numbered table of contents: one count for
    # the whole book.
    env = SimpleNamespace(
        toc_fignumbers={
            "book/notation": {"figure": {"f": (1,)}},
            "notebooks/01_a": {"exercise": {"a": (1,), "b": (2,)}},
            "notebooks/03_c": {"exercise": {"x": (3,), "y": (4,), "z": (5,)}},
        }
    )
    assert module.renumber_exercises(None, env) == []
    assert env.toc_fignumbers == {
        "book/notation": {"figure": {"f": (1,)}},
        "notebooks/01_a": {"exercise": {"a": (1, 1), "b": (1, 2)}},
        "notebooks/03_c": {"exercise": {"x": (3, 1), "y": (3, 2), "z": (3, 3)}},
    }
