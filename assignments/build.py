"""Build the instructor's edition (``make assignments``; runs in ``.venv-otter``).

    .venv-otter/bin/python -m assignments.build [--out DIR] [NOTEBOOK ...]

For each lecture notebook (all five by default):

1. the hidden variants: each exercise's hidden test (``variants.py``) runs on its
   reference here; a check that draws no seed, or whose reference fails with the
   shifted seeds, gets no hidden variant (said in the summary);
2. the master notebook (``edition.py``) goes to ``OUT/master/NN_name.ipynb``;
3. ``otter assign`` (otter's own API, as its command line calls it) writes
   ``OUT/NN_name/student/`` and ``OUT/NN_name/autograder/`` (the tests, the autograder
   zip); the two an instructor hands on are copied to stable names:
   ``OUT/student/NN_name.ipynb`` (to students) and ``OUT/autograder/NN_name.zip``
   (``otter run -a OUT/autograder/NN_name.zip SUBMISSION.ipynb``).

``OUT/summary.json`` lists every question with its tests. Nothing here executes a
lecture notebook: the hidden variants run the checks alone, and otter assign's own run
of the tests is off (the grading test, ``tests/test_assignments_grading.py``, grades the
references and the wrong answers with ``otter run``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assignments.edition import SETUP_HEAD, master_notebook, questions  # noqa: E402
from assignments.variants import hidden_test  # noqa: E402
from tests.exercise_answers import modules  # noqa: E402


def lecture_of(module) -> str:
    return module.CHECKS.rsplit(".", 1)[-1]


def choose_hidden(module, nb: dict) -> dict[str, str]:
    """stub -> why it has no hidden variant ('' when it has one)."""
    lecture = lecture_of(module)
    found = questions(nb["cells"], module.EXERCISES, set())
    why = {}
    for q in found:
        ns: dict = {}
        exec(SETUP_HEAD + module.SETUP, ns)
        exec(q.solution, ns)
        test = hidden_test(q.stub, lecture, q.check)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                drawn = test(ns[q.stub])
        except Exception as e:  # the check's own failure or a crash: no variant
            why[q.stub] = f"the reference fails with other seeds: {e}"
            continue
        why[q.stub] = "" if drawn else "the check draws no seeded data"
    return why


def build(notebook: Path, out: Path) -> dict:
    from otter.assign import main as otter_assign

    stem = notebook.stem
    module = next(m for m in modules() if m.NOTEBOOK == stem)
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    why = choose_hidden(module, nb)
    t_hidden = time.perf_counter() - t0
    hidden = {stub for stub, reason in why.items() if not reason}
    master = master_notebook(
        nb, lecture_of(module), module.EXERCISES, module.SETUP, hidden
    )
    master_path = out / "master" / f"{stem}.ipynb"
    master_path.parent.mkdir(parents=True, exist_ok=True)
    master_path.write_text(
        json.dumps(master, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    result = out / stem
    shutil.rmtree(result, ignore_errors=True)
    t0 = time.perf_counter()
    otter_assign(str(master_path), str(result), no_pdfs=True, no_run_tests=True)
    t_assign = time.perf_counter() - t0
    zips = sorted((result / "autograder").glob("*.zip"))
    if len(zips) != 1:
        raise RuntimeError(f"{result / 'autograder'}: expected one zip, found {zips}")
    for kind, src, dest in (
        ("student", result / "student" / f"{stem}.ipynb", f"{stem}.ipynb"),
        ("autograder", zips[0], f"{stem}.zip"),
    ):
        (out / kind).mkdir(exist_ok=True)
        shutil.copyfile(src, out / kind / dest)
    return {
        "notebook": str(notebook),
        "questions": {
            stub: {"hidden variant": not reason, "why not": reason}
            for stub, reason in why.items()
        },
        "seconds": {
            "hidden variants": round(t_hidden, 1),
            "otter assign": round(t_assign, 1),
        },
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "assignments")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or [
        ROOT / "notebooks" / f"{m.NOTEBOOK}.ipynb" for m in modules()
    ]
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    summary = {}
    for notebook in notebooks:
        t0 = time.perf_counter()
        summary[notebook.stem] = info = build(notebook.resolve(), out)
        n = len(info["questions"])
        h = sum(q["hidden variant"] for q in info["questions"].values())
        print(
            f"[assignments] {notebook.stem}: {n} questions, {h} with a hidden variant, "
            f"{time.perf_counter() - t0:.1f} s"
        )
        for stub, q in info["questions"].items():
            if not q["hidden variant"]:
                print(f"    {stub}: no hidden variant ({q['why not']})")
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(
        f"[assignments] student editions in {out / 'student'}, autograders in "
        f"{out / 'autograder'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
