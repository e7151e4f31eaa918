"""The Colab flow, tested: build the helpers' wheel, install it with its dependency
ranges into a fresh virtual environment (no requirements.txt), and use it there.

    python tests/colab_flow.py          # `make wheel`
    python tests/colab_flow.py --keep   # keep the work folder (it says where)

Fails (exit 1, saying what) when
* a file under ``helpers/`` (a module, a subpackage, a package-data file) is not in
  the wheel;
* a helper module does not import from the installed wheel (an unlisted dependency,
  a missing data file read at import time);
* a helper module imports a third-party package that is not a *direct* dependency in
  ``pyproject.toml`` (one that only arrives through another package's dependencies);
* a third-party package the notebooks import is not installed by the wheel's
  dependencies, or an import from ``helpers`` that a notebook makes fails there;
* the smoke calls (a Vocab, a forward pass of a tiny GPT) fail.

torch is never resolved from PyPI (a plain ``torch`` pulls a multi-GB CUDA build): the
fresh environment first gets ``torch==2.13.0`` (a CPU wheel on this machine's disk), so
the wheel's ``torch>=...`` range is already satisfied when the wheel is installed.
Modules are found by walking ``helpers/``, so a new module is covered without editing
this file.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TORCH = "torch==2.13.0"
# Files git tracks, and new ones it does not ignore (not yet added).
LS_FILES = ("git", "ls-files", "--cached", "--others", "--exclude-standard")

# Runs inside the fresh environment, from a folder outside the repository.
PROBE = r"""
import ast, importlib, importlib.metadata as md, json, re, sys
from pathlib import Path

modules, notebook_imports = json.loads(sys.argv[1]), json.loads(sys.argv[2])
notebook_helper_imports = json.loads(sys.argv[3])
failures = []
import helpers
where = Path(helpers.__file__).resolve()
if "site-packages" not in where.parts:
    failures.append(f"helpers imported from {where}, not from the installed wheel")
for name in modules:
    try:
        importlib.import_module(name)
    except Exception as e:
        failures.append(f"import {name}: {type(e).__name__}: {e}")

# Every third-party import of a helper module must be a direct dependency of the wheel.
def norm(s):
    return re.sub(r"[-_.]+", "-", s).lower()
requires = md.requires("nlpbook-helpers") or []
declared = {norm(re.split(r"[ ;<>=!~\[(]", r, 1)[0]) for r in requires
            if "extra ==" not in r}
dists = md.packages_distributions()
pkg = where.parent
for path in sorted(pkg.rglob("*.py")):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            tops = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            tops = [node.module.split(".")[0]]
        else:
            continue
        for top in tops:
            if top in sys.stdlib_module_names or top in ("helpers", "__future__"):
                continue
            owners = {norm(d) for d in dists.get(top, [])}
            if not owners & declared:
                failures.append(f"{path.relative_to(pkg.parent)} imports {top!r} "
                                f"(from {sorted(owners) or 'no installed package'}), "
                                "not a direct dependency in pyproject.toml")

# What the notebooks import must be installed by the wheel's dependencies.
for top in notebook_imports:
    try:
        importlib.import_module(top)
    except Exception as e:
        failures.append(f"the notebooks import {top!r}, which the wheel's dependencies "
                        f"do not install: {type(e).__name__}: {e}")

# Every import from helpers that a notebook makes works from the wheel.
for statement in notebook_helper_imports:
    try:
        exec(statement, {})
    except Exception as e:
        failures.append(f"a notebook's `{statement}`: {type(e).__name__}: {e}")

if not failures:   # smoke calls
    import torch
    from helpers.text import Vocab
    from helpers import transformer as tfm
    vocab = Vocab.build([["the", "cat", "sat"], ["the", "dog"]])
    ids = vocab.encode(["the", "cat"])
    assert ids == [vocab.stoi["the"], vocab.stoi["cat"]], vocab.itos
    torch.manual_seed(0)
    model = tfm.GPT(len(vocab), block_size=8, n_layer=1, n_head=2, d_model=16)
    logits = model(torch.randint(0, len(vocab), (2, 5)))  # (B, T, V)
    assert logits.shape == (2, 5, len(vocab)), logits.shape
    assert torch.isfinite(logits).all()
    print(f"smoke: Vocab of {len(vocab)} words, GPT logits {tuple(logits.shape)}, "
          f"torch {torch.__version__}, {len(modules)} modules from {where.parent}")
print(json.dumps(failures))
"""


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    kw.setdefault("check", True)
    return subprocess.run(cmd, text=True, **kw)


def source_files() -> list[str]:
    """Files under helpers/ that belong in the wheel: tracked by git or not ignored
    by it (outside a git checkout: everything but caches)."""
    try:
        out = run([*LS_FILES, "helpers"], cwd=ROOT, capture_output=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        out = [
            str(p.relative_to(ROOT))
            for p in (ROOT / "helpers").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        ]
    return sorted(f for f in out if (ROOT / f).is_file())


def copy_tracked(dest: Path) -> None:
    """Copy the repository's files that git tracks or does not ignore (outside a git
    checkout: all but the virtual environment, build outputs and caches) to ``dest``."""
    try:
        files = run([*LS_FILES], cwd=ROOT, capture_output=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "_build", "build", "__pycache__", ".pytest_cache"}
        files = [
            str(p.relative_to(ROOT))
            for p in ROOT.rglob("*")
            if p.is_file() and not skip & set(p.relative_to(ROOT).parts)
        ]
    for f in files:
        if (ROOT / f).is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, dest / f)


def helper_modules(files: list[str]) -> list[str]:
    mods = []
    for f in files:
        if f.endswith(".py"):
            parts = list(Path(f).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            mods.append(".".join(parts))
    return sorted(mods)


def notebook_imports() -> tuple[list[str], list[str]]:
    """What the notebooks' code cells import: the top-level third-party packages, and
    each import from ``helpers`` as a statement (``from helpers.text import Vocab``)."""
    import ast

    tops: set[str] = set()
    from_helpers: set[str] = set()
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            src = "".join(cell["source"])
            # IPython magics and shell lines become `pass` (maybe the body of an `if`).
            src = "\n".join(
                line[: len(line) - len(line.lstrip())] + "pass"
                if line.lstrip().startswith(("%", "!"))
                else line
                for line in src.splitlines()
            )
            try:
                tree = ast.parse(src)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    tops.update(a.name.split(".")[0] for a in node.names)
                    from_helpers.update(
                        f"import {a.name}"
                        for a in node.names
                        if a.name.split(".")[0] == "helpers"
                    )
                elif (
                    isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                ):
                    tops.add(node.module.split(".")[0])
                    if node.module.split(".")[0] == "helpers":
                        names = ", ".join(a.name for a in node.names)
                        from_helpers.add(f"from {node.module} import {names}")
    # google.colab exists only in Colab; the notebooks import it inside a guard.
    third_party = sorted(
        t
        for t in tops
        if t not in sys.stdlib_module_names and t not in ("helpers", "google")
    )
    return third_party, sorted(from_helpers)


def default_work() -> Path:
    """A folder in memory (/dev/shm) when there is room: the fresh environment is 1.2 GB
    in many small files, which a disk writes and deletes several times slower."""
    shm = Path("/dev/shm")
    try:
        if os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 4 * 2**30:
            return shm / f"nlpbook-colab-flow-{os.getpid()}"
    except OSError:
        pass
    return ROOT / "_build" / "colab_flow"


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--work",
        type=Path,
        default=None,
        help="work folder, emptied first (default: in /dev/shm when it has room, "
        "else _build/colab_flow)",
    )
    ap.add_argument(
        "--keep", action="store_true", help="keep the work folder afterwards"
    )
    args = ap.parse_args()
    start = time.perf_counter()
    work = (args.work or default_work()).resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    failures: list[str] = []
    try:
        # 1. The wheel, built as pip builds it from a git URL in Colab (isolated build).
        # From a copy of the files: setuptools leaves build/ in the folder it builds in.
        src, dist = work / "src", work / "dist"
        copy_tracked(src)
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "-q",
                "--no-deps",
                "-w",
                str(dist),
                str(src),
            ],
            capture_output=True,
        )
        wheel = next(dist.glob("nlpbook_helpers-*.whl"))
        import zipfile

        in_wheel = set(zipfile.ZipFile(wheel).namelist())
        files = source_files()
        failures += [
            f"{f} is not in the wheel {wheel.name}" for f in files if f not in in_wheel
        ]
        if not any(n.endswith("/licenses/LICENSE") for n in in_wheel):
            failures.append("the wheel carries no LICENSE file")
        print(
            f"wheel: {wheel.name}, {len(in_wheel)} files "
            f"({time.perf_counter() - start:.0f} s)",
            flush=True,
        )

        # 2. A fresh environment: torch from this disk first, then the wheel and ranges.
        venv = work / "venv"
        base = getattr(sys, "_base_executable", sys.executable)
        run([base, "-m", "venv", str(venv)])
        py = str(venv / "bin" / "python")
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
        }
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        # --no-compile: byte-compiling torch's and scipy's sources doubles the time.
        run(
            [py, "-m", "pip", "install", "-q", "--no-compile", TORCH],
            env=env,
            capture_output=True,
        )
        run(
            [py, "-m", "pip", "install", "-q", "--no-compile", str(wheel)],
            env=env,
            capture_output=True,
        )
        torch_after = run(
            [py, "-c", "import torch; print(torch.__version__)"],
            env=env,
            cwd=work,
            capture_output=True,
        ).stdout.strip()
        if not torch_after.startswith(TORCH.split("==")[1]):
            failures.append(
                f"installing the wheel replaced {TORCH} with torch {torch_after}"
            )
        print(
            f"fresh venv: {TORCH} + the wheel installed "
            f"({time.perf_counter() - start:.0f} s)",
            flush=True,
        )

        # 3. Import and use it there, from outside the repository.
        env.update(
            MPLBACKEND="Agg", TQDM_DISABLE="1", NLPBOOK_OFFLINE="1", OMP_NUM_THREADS="1"
        )
        third_party, from_helpers = notebook_imports()
        probe = run(
            [
                py,
                "-c",
                PROBE,
                json.dumps(helper_modules(files)),
                json.dumps(third_party),
                json.dumps(from_helpers),
            ],
            env=env,
            cwd=work,
            capture_output=True,
            check=False,
        )
        print("\n".join(probe.stdout.splitlines()[:-1]))
        print(
            f"imports and smoke calls ({time.perf_counter() - start:.0f} s)", flush=True
        )
        if probe.returncode != 0:
            failures.append(
                f"the probe failed in the fresh venv:\n{probe.stderr[-3000:]}"
            )
        else:
            failures += json.loads(probe.stdout.splitlines()[-1])
    except subprocess.CalledProcessError as e:
        failures.append(
            f"{' '.join(map(str, e.cmd))} exited {e.returncode}:\n"
            + (e.stderr or "")[-3000:]
        )
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    took = time.perf_counter() - start
    if failures:
        print(
            f"colab flow FAILED in {took:.0f} s:",
            *failures,
            sep="\n  ",
            file=sys.stderr,
        )
        return 1
    print(f"colab flow passed in {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
