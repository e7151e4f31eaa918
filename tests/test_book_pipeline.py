"""make book's (and make test's) pipeline: nbval's executed copies and student flow
(tests/nbval_plugin.py) and what it uses of nbval, the staged render
(tests/stage_book.py) and the determinism check (tests/determinism.py)."""

import ast
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import determinism
import nbformat
import stage_book
from exercise_flow import find_exercises
from IPython.core.inputtransformer2 import TransformerManager
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbval_plugin import TESTED_NBVAL, check_nbval, executed_notebook, quiet

ROOT = Path(__file__).resolve().parent.parent
SANITIZE = determinism.load_patterns(ROOT / "tests" / "sanitize.cfg")


# The executed copy -------------------------------------------------------------------
def test_executed_notebook_holds_the_recorded_outputs_and_counts():
    nb = new_notebook(
        cells=[
            new_markdown_cell("# T"),
            new_code_cell("print(1)"),
            new_code_cell("# NBVAL_SKIP"),
            new_code_cell("x"),
        ]
    )
    recorded = {
        0: [
            nbformat.from_dict(
                {"output_type": "stream", "name": "stdout", "text": "1\n"}
            )
        ],
        2: [
            nbformat.from_dict(
                {
                    "output_type": "execute_result",
                    "data": {"text/plain": "2", "image/png": "iVBORw0KGgo="},
                    "metadata": {},
                    "execution_count": 7,
                }
            )
        ],
    }
    out = executed_notebook(nb, recorded)
    code = [c for c in out.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == [1, None, 2]
    assert code[0].outputs[0].text == "1\n" and code[1].outputs == []
    assert code[2].outputs[0].execution_count == 2
    assert code[2].outputs[0].data["image/png"] == "iVBORw0KGgo="
    assert nb.cells[1].outputs == []  # the original is untouched


# What the plugin uses of nbval -------------------------------------------------------
def test_the_installed_nbval_has_what_the_plugin_uses():
    problems = check_nbval()
    assert not problems, "\n".join(problems)
    pins = re.findall(r"^nbval==(\S+)", (ROOT / "requirements.txt").read_text(), re.M)
    assert pins == [TESTED_NBVAL], (
        f"requirements.txt pins nbval {pins}; tests/nbval_plugin.py was checked "
        f"against {TESTED_NBVAL}: check the plugin against the new version (its "
        "comment lists what it uses), then update TESTED_NBVAL"
    )


def test_a_closing_semicolon_hides_the_result_as_in_jupyter():
    assert quiet("ex.check_cbow(cbow);")
    assert quiet("x = 1\nplt.plot(x);  # a comment")
    assert not quiet("ex.check_cbow(cbow)")
    assert not quiet("a;\nb")
    assert not quiet("%timeit f();")  # IPython's own rule: the magic's line ends in ')'
    assert not quiet("def f(:")


# Staging the book for the render -----------------------------------------------------
def write_nb(path: Path, sources, outputs=False):
    cells = [new_code_cell(s) for s in sources]
    if outputs:
        for c in cells:
            c.outputs = [new_output("stream", name="stdout", text="out\n")]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=cells), str(path))


def book_tree(tmp_path):
    root = tmp_path / "book"
    (root / "book").mkdir(parents=True)
    (root / "book" / "intro.md").write_text("# Intro\n")
    (root / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n  - file: notebooks/a\n"
    )
    (root / "_config.yml").write_text(
        "title: T\nexecute:\n  execute_notebooks: cache   # a comment\n"
    )
    write_nb(root / "notebooks" / "a.ipynb", ["print(1)"])
    write_nb(root / "notebooks" / "scratch.ipynb", ["print(2)"])  # not in the toc
    (root / ".git").mkdir()
    (root / "_build" / "executed").mkdir(parents=True)
    return root


def test_stage_needs_a_fresh_executed_copy_of_every_toc_notebook(tmp_path):
    root = book_tree(tmp_path)
    executed, out = root / "_build" / "executed", root / "_build" / "src"
    (problem,) = stage_book.stage(root, executed, out)
    assert "notebooks/a.ipynb: no executed copy" in problem
    write_nb(executed / "notebooks" / "a.ipynb", ["print(10)"], outputs=True)
    (problem,) = stage_book.stage(root, executed, out)
    assert "stale" in problem
    assert not out.exists()


def test_stage_copies_the_book_with_the_executed_notebooks(tmp_path):
    root = book_tree(tmp_path)
    executed, out = root / "_build" / "executed", root / "_build" / "src"
    write_nb(executed / "notebooks" / "a.ipynb", ["print(1)"], outputs=True)
    assert stage_book.stage(root, executed, out) == []
    staged = nbformat.read(str(out / "notebooks" / "a.ipynb"), 4)
    assert staged.cells[0].outputs[0].text == "out\n"
    assert 'execute_notebooks: "off"   # a comment' in (out / "_config.yml").read_text()
    assert (out / "book" / "intro.md").exists() and (
        out / "notebooks" / "scratch.ipynb"
    ).exists()
    assert not (out / ".git").exists() and not (out / "_build").exists()


# Determinism -------------------------------------------------------------------------
def cell(source, *outputs):
    c = new_code_cell(source)
    c.outputs = [nbformat.from_dict(o) for o in outputs]
    return c


def stream(text, name="stdout"):
    return {"output_type": "stream", "name": name, "text": text}


def result(data):
    return {"output_type": "display_data", "data": data, "metadata": {}}


def test_same_text_after_sanitising_is_no_difference():
    widget = {"model_id": "abc", "version_major": 2, "version_minor": 0}
    widget2 = dict(widget, model_id="def")  # model ids are random
    first = new_notebook(
        cells=[
            cell("a", stream("trained in 3.2 s at 0x7f00aa\n")),
            cell(
                "t", stream("| SGNS | 0.515 | 3.1% | 61.2 |\nours (ratio 1.89, 62x)\n")
            ),
            cell(
                "b",
                stream("x "),
                result({"text/plain": "<Figure>", "image/png": "AAAA"}),
                stream("y\n"),
            ),
            cell(
                "w",
                result(
                    {
                        "text/plain": "interactive(...)",
                        "application/vnd.jupyter.widget-view+json": widget,
                    }
                ),
                stream("7\n"),
            ),
        ]
    )
    second = new_notebook(
        cells=[
            cell("a", stream("trained in 4.75 s at 0x7f11bb\n")),
            cell(
                "t", stream("| SGNS | 0.515 | 3.1% | 554.2 |\nours (ratio 2.6, 35x)\n")
            ),
            cell(
                "b",
                stream("x y\n"),
                result({"text/plain": "<Figure>", "image/png": "BBBB"}),
            ),
            cell(
                "w",
                result(
                    {
                        "text/plain": "interactive(...)",
                        "application/vnd.jupyter.widget-view+json": widget2,
                    }
                ),
                stream("7\n"),
            ),
        ]
    )
    assert determinism.differences(first, second, SANITIZE) == []


def test_a_changed_number_is_reported_with_its_cell_and_both_texts():
    first = new_notebook(
        cells=[cell("print(1)", stream("1\n")), cell("bleu()", stream("BLEU 99.9\n"))]
    )
    second = new_notebook(
        cells=[cell("print(1)", stream("1\n")), cell("bleu()", stream("BLEU 98.7\n"))]
    )
    (report,) = determinism.differences(first, second, SANITIZE)
    assert report.startswith("Cell 1") and "bleu()" in report
    assert "BLEU 99.9" in report and "BLEU 98.7" in report
    other = new_notebook(cells=[cell("print(2)", stream("1\n")), cell("bleu()")])
    assert "not two executions" in determinism.differences(first, other, SANITIZE)[0]


# The plugin in a real nbval run, on lecture 04's own Exercises section -------------
def exercises_section(cells):
    """The notebook's imports (every top-level import statement of its code cells) and
    its Exercises section: what the exercises' stubs, checks and references need."""
    start = next(
        i
        for i, c in enumerate(cells)
        if c.cell_type == "markdown" and c.source.startswith("## Exercises")
    )
    imports = []
    for c in cells[:start]:
        if c.cell_type != "code":
            continue
        # as IPython runs it (the Colab cell's %pip line is IPython syntax)
        body = ast.parse(TransformerManager().transform_cell(c.source)).body
        imports += [
            ast.unparse(node)
            for node in body
            if isinstance(node, (ast.Import, ast.ImportFrom))
        ]
    return [new_code_cell("\n".join(dict.fromkeys(imports)))] + [
        c
        for c in cells[start:]
        if c.cell_type == "code" or "{exercise" in c.source or "{solution" in c.source
    ]


def test_plugin_writes_copies_and_plays_the_student(tmp_path):
    """Three copies of lecture 04's Exercises section under its own name, on two xdist
    workers as make nbval runs them: as it is (copy
    written, every exercise's wrong answer fails and reference passes), with a wrong
    reference (nbval fails, no copy, the flow skipped) and with an exercise that has no
    wrong answer on file (its flow item fails, naming the notebook and the exercise)."""
    name = "04_seq2seq_attention.ipynb"
    nb = nbformat.read(str(ROOT / "notebooks" / name), 4)
    nb.cells = exercises_section(nb.cells)

    (tmp_path / "ok").mkdir()
    nbformat.write(nb, str(tmp_path / "ok" / name))
    bad = nbformat.from_dict(json.loads(json.dumps(nb)))
    for c in bad.cells:
        if "def brevity_penalty_solution" in c.source:
            assert "math.exp(1 - r / c)" in c.source
            c.source = c.source.replace("math.exp(1 - r / c)", "math.exp(1 - c / r)")
    (tmp_path / "bad_reference").mkdir()
    nbformat.write(bad, str(tmp_path / "bad_reference" / name))
    extra = nbformat.from_dict(json.loads(json.dumps(nb)))
    block = [c for c in extra.cells if "brevity" in c.source]
    for i, c in enumerate(block):
        copy = nbformat.from_dict(json.loads(json.dumps(c)))
        copy.id = f"short-{i}"
        copy.source = re.sub(
            r"(?<!check_)brevity_penalty", "short_penalty", c.source
        ).replace("ex-brevity", "ex-short")
        extra.cells.append(copy)
    (tmp_path / "unlisted").mkdir()
    nbformat.write(extra, str(tmp_path / "unlisted" / name))

    env = dict(os.environ, PYTHONPATH=str(ROOT), TQDM_DISABLE="1", OMP_NUM_THREADS="1")
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "tests.nbval_plugin",
        "--nbval-lax",
        "--nbval-current-env",
        "--executed-dir",
        "executed",
        # as make nbval runs it: a notebook per worker, its flow in its worker's kernel
        "-n",
        "2",
        "--dist",
        "loadfile",
        "--junitxml",
        "report.xml",
        "-o",
        "junit_family=xunit2",
        f"ok/{name}",
        f"bad_reference/{name}",
        f"unlisted/{name}",
    ]
    run = subprocess.run(
        cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 1, run.stdout + run.stderr

    outcome = {}
    for case in ET.parse(tmp_path / "report.xml").getroot().iter("testcase"):
        key = f"{case.get('classname').split('.')[0]}::{case.get('name')}"
        kids = [k for k in case if k.tag in ("failure", "error", "skipped")]
        outcome[key] = (
            kids[0].tag if kids else "passed",
            kids[0].get("message", "") + (kids[0].text or "") if kids else "",
        )
    # every exercise of the lecture (at least the four it had when this was written)
    stubs = [e.stub for e in find_exercises(nb.cells)]
    assert {"dot_attention", "clipped_counts", "brevity_penalty", "beam_step"} <= set(
        stubs
    )
    for stub in stubs:
        assert outcome[f"ok::student flow: {stub}"][0] == "passed"
        assert outcome[f"unlisted::student flow: {stub}"][0] == "passed"
        assert outcome[f"bad_reference::student flow: {stub}"][0] == "skipped"
    assert outcome["ok::executed copy"][0] == "passed"
    assert outcome["bad_reference::executed copy"][0] == "skipped"
    tag, message = outcome["unlisted::student flow: short_penalty"]
    assert (
        tag == "failure"
        and "04_seq2seq_attention" in message
        and "short_penalty" in message
    )
    assert "no wrong answer on file" in message
    assert (
        sum(tag == "failure" for tag, _ in outcome.values()) == 2
    )  # that one and the bad reference cell

    written = nbformat.read(str(tmp_path / "executed" / "ok" / name), 4)
    checks = [
        c
        for c in written.cells
        if c.cell_type == "code" and c.source.startswith("ex.check_")
    ]
    assert len(checks) == len(stubs) and all(
        "not attempted" in c.outputs[0].text for c in checks
    )
    # a closing ";" hides the check's return value, as in Jupyter (nbval alone shows it)
    code = [c for c in written.cells if c.cell_type == "code"]
    assert all(o.output_type == "stream" for c in code for o in c.outputs)
    assert not (tmp_path / "executed" / "bad_reference" / name).exists()
