"""The README's examples, run as written, top to bottom, in one shell, as a newcomer types them.

The README's ``../shared`` paths assume the project sits beside ``shared/``: the test builds a checkout of symlinks
at ``<tmp>/mlecurate`` beside ``<tmp>/shared`` (links to the real data and tools), so everything the commands write lands in
``<tmp>``, never in the project. Every ```bash block of README.md runs, in order, in one ``bash -eu`` session (so an
``export`` in one block holds in the next, as in a terminal); the only lines left out are those in
:data:`NOT_RUN_HERE`, each with the reason and what covers it instead. A new block runs without touching this file;
an entry of NOT_RUN_HERE the README no longer has fails the test.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PROJECT, SHARED

README = PROJECT / "README.md"
BLOCK = re.compile(r"^```bash\n(.*?)^```", re.S | re.M)
NOT_RUN_HERE = {
    "make test": "it is this test suite (.ci/run runs it)",
    "make ui": "serves until stopped; tests/test_commands.py::test_dagster_dev_serves_the_catalogue starts the same "
    "`dagster dev -w workspace.yaml` and queries it",
    "make curate": "serves until stopped; tests/test_workbench_browser.py starts the same `mlecurate serve` on a demo "
    "data root and drives it",
    ".venv/bin/python bench/": "benchmarks run for minutes on purpose; their figures are in bench/RESULTS.md",
    "make cluster": "starts PostgreSQL, Redis and Celery workers (and apt-installs them); tests/test_cluster.py "
    "(make test-cluster) starts the same stack through deploy/cluster.py and runs the curation job on it",
    ". mlecurate-cluster/env.sh": "needs the stack of `make cluster`; tests/test_cluster.py runs these commands on "
    "a stack of its own",
}
LEFT_IN_PROJECT = {".git", ".venv-build", ".venv-lock", "mlecurate-data", "mlecurate-demo", "mlecurate-cluster", ".pytest_cache",
                   ".ruff_cache", "curated-benchmark", "cache"}  # fmt: skip


def readme_blocks(text: str) -> list[str]:
    return [match.group(1) for match in BLOCK.finditer(text)]


def runnable(block: str) -> tuple[str, set[str]]:
    """The block without the lines of NOT_RUN_HERE, and which of its entries were found."""
    kept, found = [], set()
    for line in block.splitlines():
        entry = next((prefix for prefix in NOT_RUN_HERE if line.lstrip().startswith(prefix)), None)
        if entry:
            found.add(entry)
        else:
            kept.append(line)
    return "\n".join(kept), found


def sandbox(tmp_path: Path) -> Path:
    """``tmp_path/mlecurate``: the project's files as links, beside ``tmp_path/shared`` (a link to the real data)."""
    checkout = tmp_path / "mlecurate"
    checkout.mkdir()
    for entry in PROJECT.iterdir():
        if entry.name not in LEFT_IN_PROJECT:
            (checkout / entry.name).symlink_to(entry)
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(SHARED)
    (tmp_path / "shared" / "tools").symlink_to(SHARED.parent / "tools")  # MLE-bench's package, for the export example
    return checkout


def test_every_entry_left_out_is_still_in_the_readme():
    found = set().union(*(runnable(block)[1] for block in readme_blocks(README.read_text())))
    assert found == set(NOT_RUN_HERE), f"not in README.md any more: {sorted(set(NOT_RUN_HERE) - found)}"


PROMISE = re.compile(r"#\s*prints `([^`]+)`")


def script_of(blocks: list[str], promises: Path) -> tuple[str, dict[Path, str]]:
    """One bash script running the blocks in order. A command (its continuation lines joined) whose comment says
    ``# prints `X` `` has its own output kept in a file of ``promises``, so that X is checked against that command's
    output alone; the script stops at the first failing command."""
    script, expected = ["set -eu"], {}
    for number, block in enumerate(blocks, start=1):
        script.append(f"echo '=== README block {number}'")
        command: list[str] = []
        for line in runnable(block)[0].splitlines():
            command.append(line)
            if line.endswith("\\"):
                continue
            promise = PROMISE.search(line)
            if promise:
                out = promises / f"command-{len(expected) + 1}.txt"
                expected[out] = promise.group(1)
                body = "\n".join(command)
                script.append(f"{{\n{body}\n}} > {out} 2>&1 || {{ cat {out}; exit 1; }}; cat {out}")
            else:
                script.extend(command)
            command = []
    return "\n".join(script), expected


def test_a_promise_is_checked_against_its_own_command_only(tmp_path):
    script, expected = script_of(["echo one  # prints `one`\necho two \\\n  three  # prints `two three`\n"], tmp_path)
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
    assert done.returncode == 0 and list(expected.values()) == ["one", "two three"]
    assert [path.read_text() for path in expected] == ["one\n", "two three\n"]


@pytest.mark.slow
def test_the_readme_examples_run_as_written(tmp_path):
    installed = PROJECT / ".venv" / ".installed"
    assert installed.is_file() and installed.stat().st_mtime >= (PROJECT / "pyproject.toml").stat().st_mtime, (
        "run `make setup` first: `make demo` in the sandbox would otherwise reinstall the project from the sandbox"
    )
    checkout = sandbox(tmp_path)
    blocks = readme_blocks(README.read_text())
    (tmp_path / "promises").mkdir()
    script, promises = script_of(blocks, tmp_path / "promises")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLECURATE_", "DAGSTER_", "KAGGLE_"))}
    env |= {"HOME": str(tmp_path / "home"), "PATH": os.environ["PATH"]}  # no ~/.kaggle: nothing reaches Kaggle
    done = subprocess.run(["bash", "-c", script], cwd=checkout, env=env, capture_output=True, text=True, timeout=1500)
    reached = re.findall(r"=== README block (\d+)", done.stdout)
    assert done.returncode == 0, (
        f"README block {reached[-1] if reached else '?'} of {len(blocks)} failed:\n"
        f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    )
    assert len(reached) == len(blocks)
    assert promises, "the README promises no output at all: the test would check nothing but exit codes"
    for out, promise in promises.items():
        assert promise in out.read_text(), f"the README promises `{promise}`; the command printed:\n{out.read_text()}"


def test_every_promise_under_bad_input_names_a_test_that_exists():
    """The README's table "What mlecurate promises under bad input and faults": each row names tests that exist."""
    text = README.read_text()
    section = text[text.index("## What mlecurate promises") : text.index("## Try a competition of any kind")]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| promise")]
    assert len(rows) >= 20
    for row in rows:
        named, test_file = re.findall(r"`([^`]+)`", row.rsplit("|", 2)[1]), None
        assert named, f"a promise with no test: {row}"
        for name in named:
            if "::" in name:
                test_file, name = name.split("::")
            source = (PROJECT / "tests" / test_file).read_text()
            assert f"def {name}(" in source, f"{test_file} has no test {name} (README: {row[:80]})"
