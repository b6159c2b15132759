"""Shared fixtures. Real data is read in place from ../shared/data (never copied into the repository)."""

from __future__ import annotations

import csv
import importlib.util
import os
import sys
from pathlib import Path

import anyio._core._fileio  # noqa: F401  (see below)
import pytest

from validation.data_root import DataRoot

# anyio (4.16) imports its submodules on first use, and pytest rewrites them (anyio is a pytest plugin): the workbench
# test client's first static file imported anyio's _fileio in Starlette's worker thread, where CPython 3.11's compile
# failed with "SystemError: AST constructor recursion depth mismatch" (a clean CI run). Imported here, in the main
# thread, before any test.

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared" / "data"
META_KAGGLE = SHARED / "meta-kaggle"
DUMPS = {
    "2024-03": META_KAGGLE / "Competitions.csv",
    "2023-09": META_KAGGLE / "versions" / "Competitions_2023-09.csv",
    "2022-03": META_KAGGLE / "versions" / "Competitions_2022-03.csv",
}
MLEBENCH_CATEGORIES = SHARED / "mle-bench" / "competition_categories.csv"
# The files that take minutes, longest first (seconds summed in a quiet clean run on 2026-12-02: 230, 182, 173, 85,
# 81, 81, 78, 76, 62, 56). xdist hands whole files to its workers in collection order (--dist loadfile
# --no-loadscope-reorder in pyproject.toml), so these start first and the short ones fill in around them; by its own
# order (most tests first) the README's four minutes started last and ran alone at the end. With a worker more than
# the cores (-n auto, below), the two cluster files can run side by side, each with a stack of its own on ports of
# its own. A file left out only runs later.
LONGEST_FIRST = (
    "test_readme_examples.py", "test_cluster_object_home.py", "test_cluster.py", "test_object_root.py",
    "test_ui_browser.py", "test_competition_data.py", "test_commands.py", "test_workbench_browser.py",
    "test_complexity_prior.py", "test_generate.py",
)  # fmt: skip


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: a worker more than the cores this process may use. Most tests wait on subprocesses and servers:
    two workers kept two cores about 70% busy."""
    return len(os.sched_getaffinity(0)) + 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest files first (:data:`LONGEST_FIRST`), the rest in their collected order; tests keep their order."""
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data root and annotation store, set through the environment as a user would."""
    root = tmp_path / "home"
    monkeypatch.setenv("MLECURATE_HOME", str(root))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(tmp_path / "annotations"))
    monkeypatch.delenv("MLECURATE_META_KAGGLE", raising=False)
    return root


@pytest.fixture(scope="session")
def real_competitions():
    from curation.meta_kaggle import read_competitions

    return read_competitions(DUMPS["2024-03"])


def screened_warehouse(root: DataRoot, real_competitions):
    """The warehouse of ``root`` holding the real March 2024 competitions and their screening (as the curation job
    leaves it before annotations)."""
    from curation.candidate_rules import CandidateRules, screen_competitions
    from curation.warehouse import Warehouse
    from validation.data_root import CANDIDATES, COMPETITIONS

    warehouse = Warehouse(root.warehouse)
    warehouse.replace_tables({
        COMPETITIONS: real_competitions.table,
        CANDIDATES: screen_competitions(real_competitions.table, CandidateRules()).candidates,
    })  # fmt: skip
    return warehouse


def prepare_shared_competitions(home: Path, slugs) -> DataRoot:
    """A data root at ``home`` with each shared competition split by its recipe in ``splits/recipes``."""
    import yaml

    from splits.layout import prepare_competition
    from validation.split_recipe import parse_recipe

    root = DataRoot(home)
    for slug in slugs:
        recipe = parse_recipe(yaml.safe_load((PROJECT / "splits" / "recipes" / f"{slug}.yaml").read_text()), slug)
        assert prepare_competition(slug, recipe, SHARED / "competitions" / slug, root.prepared_root, "").published
    return root


def generated_download(tmp_path: Path, metric: str, *options: str, reshape=None):
    """``mlecurate generate-competition`` for ``metric`` with ``options`` (``--kind``, ``--format``, ``--rows``, ...),
    unpacked as a download: (its slug, the download's files, the parsed recipe, the data root, the mirror folder).
    ``reshape(download_folder)``, if given, changes the files (a mess a real download has)."""
    import yaml

    from curation.cli import main
    from validation.archives import extract_zip
    from validation.split_recipe import parse_recipe

    slug = f"g-{metric.replace('_', '-')}"
    mirror = tmp_path / "mirror"
    assert main(["generate-competition", str(mirror), "--metric", metric, "--slug", slug, *options]) == 0
    root = DataRoot(tmp_path / "home")
    raw = root.raw(slug).files
    extract_zip(mirror / slug / f"{slug}.zip", raw)  # as a download is: inner archives extracted in place
    if reshape is not None:
        reshape(raw)
    recipe = parse_recipe(yaml.safe_load((mirror / slug / "recipe.yaml").read_text()), where="recipe.yaml")
    return slug, raw, recipe, root, mirror / slug


def generated_split(tmp_path: Path, metric: str, *options: str, reshape=None):
    """:func:`generated_download`, split by its recipe: (the prepared folder, the download's files, the recipe
    document, the generated leaderboard file)."""
    from splits.layout import prepare_competition
    from validation.data_root import PreparedFolder

    slug, raw, recipe, root, generated = generated_download(tmp_path, metric, *options, reshape=reshape)
    prepared = prepare_competition(slug, recipe, raw, root.prepared_root, "description")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    return PreparedFolder(prepared.folder), raw, recipe.to_document(), generated / "leaderboard.csv"


def step_failure_message(result) -> str:
    """The failed step's error and its causes (a Dagster ``ExecuteInProcessResult``), as a person reads them in the UI."""
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    error, parts = failure.step_failure_data.error, []
    while error is not None:
        parts.append(error.message)
        error = error.cause
    return "\n".join(parts)


@pytest.fixture
def titanic_mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """titanic (which the March 2024 dump leaves out) as a Kaggle mirror zip of the shared files, with real Meta Kaggle
    as the source and no leaderboard or Kaggle credentials in the environment; returns the mirror folder."""
    import zipfile

    mirror = tmp_path / "mirror"
    (mirror / "titanic").mkdir(parents=True)
    with zipfile.ZipFile(mirror / "titanic" / "titanic.zip", "w") as bundle:
        for name in ("train.csv", "test.csv", "gender_submission.csv"):
            bundle.write(SHARED / "competitions" / "titanic" / name, name)
    monkeypatch.setenv("MLECURATE_META_KAGGLE", str(META_KAGGLE))
    monkeypatch.setenv("MLECURATE_KAGGLE_MIRROR", str(mirror))
    for name in ("MLECURATE_LEADERBOARDS", "KAGGLE_API_TOKEN", "KAGGLE_USERNAME", "KAGGLE_KEY"):
        monkeypatch.delenv(name, raising=False)
    return mirror


def write_csv(path: Path, header: list[str], rows) -> None:
    """A CSV file at ``path`` (its folders made), as Python's csv module writes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def mlebench_grade(slug: str):
    """MLE-bench's own ``grade`` function for ``slug`` (``../shared/tools/mle-bench``), the oracle of a grader."""
    tools = SHARED.parent / "tools" / "mle-bench"
    sys.path.insert(0, str(tools))
    try:
        spec = importlib.util.spec_from_file_location(
            f"grade_{slug}", tools / "mlebench/competitions" / slug / "grade.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(tools))
    return module.grade
