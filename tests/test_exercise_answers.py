"""Every exercise against its answers on file (``tests/exercise_answers/``): the
reference is the notebook's folded solution cell word for word and passes its check in
strict mode; every wrong answer fails with a reason (not a crash); a reference that
forgets its ``return`` or changes an input in place is told so."""

import importlib
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from exercise_answers import modules
from exercise_flow import find_exercises, verdict

ROOT = Path(__file__).resolve().parent.parent
MODULES = modules()
NOTEBOOK_EXERCISES = {
    m.NOTEBOOK: {
        e.stub: e
        for e in find_exercises(
            json.loads((ROOT / "notebooks" / f"{m.NOTEBOOK}.ipynb").read_text())[
                "cells"
            ]
        )
    }
    for m in MODULES
}
CASES = [(m, stub) for m in MODULES for stub in m.EXERCISES]
IDS = [f"{m.NOTEBOOK[:2]}-{stub}" for m, stub in CASES]
WRONG = [(m, stub, k) for m, stub in CASES for k in range(len(m.EXERCISES[stub].wrong))]


def namespace(module):
    checks = importlib.import_module(module.CHECKS)
    ns = {"np": np, "torch": torch, "math": math, "Counter": Counter, "F": F}
    ns["ex"] = checks
    exec(module.SETUP, ns)
    return ns, checks


def test_every_notebook_exercise_has_its_answers_on_file_and_nothing_else():
    for m in MODULES:
        assert set(NOTEBOOK_EXERCISES[m.NOTEBOOK]) == set(m.EXERCISES), m.NOTEBOOK


@pytest.mark.parametrize("module, stub", CASES, ids=IDS)
def test_reference_is_the_notebooks_and_passes(module, stub):
    answers = module.EXERCISES[stub]
    found = NOTEBOOK_EXERCISES[module.NOTEBOOK][stub]
    assert found.reference_source == answers.reference, (
        f"{module.NOTEBOOK} {stub}: the notebook's folded solution differs from "
        f"the one in tests/exercise_answers/{module.__name__.rsplit('.', 1)[-1]}.py"
    )
    assert found.check_name == answers.check
    ns, _ = namespace(module)
    exec(answers.reference, ns)  # calls the check with strict=True


@pytest.mark.parametrize("module, stub", CASES, ids=IDS)
def test_four_or_more_wrong_answers_each_with_its_comment(module, stub):
    wrong = module.EXERCISES[stub].wrong
    assert len(wrong) >= 4, f"{stub}: {len(wrong)} wrong answers on file"
    for src in wrong:
        assert f"def {stub}(" in src and "\n    # " in src, src
    assert len(set(wrong)) == len(wrong)


@pytest.mark.parametrize(
    "module, stub, k", WRONG, ids=[f"{m.NOTEBOOK[:2]}-{s}-{k}" for m, s, k in WRONG]
)
def test_wrong_answer_fails_with_a_reason(module, stub, k, capsys):
    answers = module.EXERCISES[stub]
    ns, checks = namespace(module)
    src = answers.wrong[k]
    exec(src, ns)
    assert getattr(checks, answers.check)(ns[stub]) is False, src
    out = capsys.readouterr().out
    assert verdict(out) == "failed", out
    assert "your function raised" not in out, out + src


def _reference(module, stub):
    ns, checks = namespace(module)
    exec(
        "\n".join(
            line
            for line in module.EXERCISES[stub].reference.splitlines()
            if not line.startswith("ex.")
        ),
        ns,
    )
    return ns[f"{stub}_solution"], getattr(checks, module.EXERCISES[stub].check)


@pytest.mark.parametrize("module, stub", CASES, ids=IDS)
def test_a_forgotten_return_is_named(module, stub, capsys):
    reference, check = _reference(module, stub)

    def forgot_return(*args, **kwargs):
        reference(*args, **kwargs)

    assert check(forgot_return) is False
    out = capsys.readouterr().out
    assert "your function returned None" in out, out


def _scribble(x) -> bool:
    """Change x in place if it can be; True if it was."""
    if isinstance(x, torch.Tensor) and x.numel():
        if x.dtype == torch.bool:
            x.logical_not_()
        else:
            x.add_(1)
        return True
    if isinstance(x, np.ndarray) and x.size:
        x += 1
        return True
    if isinstance(x, list) and x:
        x.append(x[0])
        return True
    return False


@pytest.mark.parametrize("module, stub", CASES, ids=IDS)
def test_changing_an_input_in_place_is_named(module, stub, capsys):
    reference, check = _reference(module, stub)
    changed = []

    def scribbles(*args, **kwargs):
        out = reference(*args, **kwargs)
        # keep the result apart from the inputs it may be a view of
        out = tuple(
            o.clone()
            if isinstance(o, torch.Tensor)
            else np.copy(o)
            if isinstance(o, np.ndarray)
            else o
            for o in (out if isinstance(out, tuple) else (out,))
        )
        changed.append(any(_scribble(a) for a in args))
        return out if len(out) > 1 else out[0]

    passed = check(scribbles)
    out = capsys.readouterr().out
    if not any(changed):
        pytest.skip(f"{stub} takes no array or list to change")
    assert passed is False
    assert "in place" in out, out


def test_the_book_total_is_the_one_the_book_gives(capsys):
    total = sum(len(m.EXERCISES[s].wrong) for m, s in CASES)
    with capsys.disabled():
        print(f"\n{len(CASES)} exercises, {total} wrong answers on file")
    assert total >= 4 * len(CASES)
    text = " ".join((ROOT / "book" / "how_to_use.md").read_text().split())
    said = f"({total} across the book's {len(CASES)} exercises)"
    assert said in text, f"book/how_to_use.md should say {said!r}"
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert f"{total} in all" in readme, f"README.md should say '{total} in all'"


def test_off_by_names_the_worst_element_its_index_and_both_values():
    from helpers.exercises import ExerciseFailed, expect_close

    want = np.zeros((3, 4))
    got = want.copy()
    got[0, 0], got[2, 1] = 1e-3, 0.5  # the first value is off a little, (2, 1) most
    with pytest.raises(ExerciseFailed) as e:
        expect_close(got, want, "dW")
    msg = str(e.value)
    assert "at index (2, 1)" in msg and "expected 0, got 0.5" in msg, msg
    assert "2 of 12 values wrong" in msg, msg
    with pytest.raises(ExerciseFailed, match="got None"):
        expect_close(None, want, "dW")
    got[1, 1] = np.nan  # a NaN is the worst of all
    with pytest.raises(ExerciseFailed, match=r"at index \(1, 1\).*got nan"):
        expect_close(got, want, "dW")


@pytest.mark.parametrize("module, stub", CASES, ids=IDS)
def test_the_stub_is_not_attempted_and_a_crash_is_reported(module, stub, capsys):
    from helpers.exercises import ExerciseFailed

    _, checks = namespace(module)
    check = getattr(checks, module.EXERCISES[stub].check)

    def untouched(*args, **kwargs):
        raise NotImplementedError

    assert check(untouched) is False
    assert "not attempted yet" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed):
        check(untouched, strict=True)

    def crashes(*args, **kwargs):
        return 1 / 0

    assert check(crashes) is False
    assert "your function raised ZeroDivisionError" in capsys.readouterr().out
