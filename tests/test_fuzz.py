"""Fuzzing the readers of untrusted input: every hostile input ends in a clear error or a correct result, in bounded time
and memory, never in a traceback (issue 10, build 3).

Hypothesis generates the input; each reader is held to its contract:

- Meta Kaggle's ``Competitions.csv`` (real rows from ../shared, cells replaced by hostile text, bytes cut or spliced):
  a typed table or a ``MetaKaggleError`` naming the file;
- split recipes (any YAML-like document, hostile values under the real keys) and annotation files (any text or bytes):
  a recipe/annotation or a ``RecipeError``/``AnnotationError``;
- leaderboards (every accepted header, hostile cells, zipped or not): a board whose scores are finite and whose ranks
  are whole, or a ``LeaderboardError``;
- the grader (submissions damaged cell by cell, column by column, byte by byte, on competitions of four metric kinds):
  a report, never an exception; a valid report has a finite score; the report stays small.

Runs are derandomised, so CI is reproducible; ``HYPOTHESIS_PROFILE=fuzz-long`` runs a wider local search.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import resource
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curation.annotations import Annotation, AnnotationError, AnnotationStore
from curation.meta_kaggle import CompetitionsTable, MetaKaggleError, read_competitions
from curation.sources.demo_data import generated_competition
from splits.layout import prepare_competition
from tests.conftest import DUMPS
from validation.data_root import DataRoot, PreparedFolder
from validation.grading import grade_submission
from validation.leaderboard import Leaderboard, LeaderboardError, parse_leaderboard
from validation.metrics import METRICS
from validation.split_recipe import RecipeError, SplitRecipe, parse_recipe

settings.register_profile(
    "ci",
    max_examples=60,
    derandomize=True,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
settings.register_profile("fuzz-long", parent=settings.get_profile("ci"), max_examples=2000, derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

MEMORY_GROWTH_LIMIT_MB = 600  # what one fuzzed reader may add to the process's peak memory over all its examples

# Text that has broken parsers before: numbers at and beyond float's range, NaN spellings, quotes, separators, NUL,
# a BOM, other scripts, very long cells.
HOSTILE_CELLS = st.one_of(
    st.sampled_from([
        "", " ", "nan", "NaN", "NULL", "None", "inf", "-inf", "Infinity", "1e308", "-1e308", "1e400", "1e-400", "0x1A",
        "1_000", "4th", "1,5", "True", "\"", "\"\"", "'", ",", "\n", "\r\n", "\x00", "\ufeff", "é", "日本", "0", "-0",
        "1.0", "2.5", "-1", "[1]", "{}", "- x", "&a", "*a", "!!python/object:os.system",
    ]),
    st.sampled_from([400, 5000]).map(lambda n: "9" * n),  # a very long number, a very long cell
    st.text(max_size=40),
)  # fmt: skip


@pytest.fixture
def bounded_memory():
    """Fails the test when the process's peak memory grew by more than the limit while it ran."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    yield
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < MEMORY_GROWTH_LIMIT_MB, f"peak memory grew by {grown_mb:.0f} MB"


@contextlib.contextmanager
def _scratch_file(data: bytes, name: str) -> Iterator[Path]:
    """``data`` in a file named ``name`` of a folder of its own, removed afterwards (hypothesis runs hundreds)."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        yield path


def _csv_line(cells: list[str]) -> str:
    return ",".join('"' + c.replace('"', '""') + '"' if any(ch in c for ch in ',"\n\r') else c for c in cells)


# --- Meta Kaggle -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def meta_kaggle_lines() -> list[list[str]]:
    """The real dump's header and first rows, as cells (read in place from ../shared)."""
    with open(DUMPS["2024-03"], encoding="utf-8", newline="") as dump:
        reader = csv.reader(dump)
        return [next(reader) for _ in range(6)]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(data=st.data())
def test_meta_kaggle_reader_types_or_names_the_problem(meta_kaggle_lines, bounded_memory, data):
    header, *rows = meta_kaggle_lines
    damaged = []
    for cells in rows:
        cells = list(cells)
        for _ in range(data.draw(st.integers(0, 3))):
            cells[data.draw(st.integers(0, len(cells) - 1))] = data.draw(HOSTILE_CELLS)
        damaged.append(_csv_line(cells))
    text = "\n".join([_csv_line(header), *damaged]) + "\n"
    raw = text.encode("utf-8", "surrogatepass")
    cut = data.draw(st.one_of(st.none(), st.integers(0, len(raw))))
    if cut is not None:  # a truncated or spliced download
        raw = raw[:cut] + data.draw(st.binary(max_size=20))
    with _scratch_file(raw, "Competitions.csv") as path:
        try:
            table = read_competitions(path)
        except MetaKaggleError as error:
            assert str(path) in str(error), f"the error does not name the file: {error}"
            return
    assert isinstance(table, CompetitionsTable)
    assert table.table.num_rows <= len(rows) + 1


# --- recipes and annotations -----------------------------------------------------------------------------------------

RECIPE_KEYS = [
    "kind", "test_fraction", "seed", "id_column", "target_columns", "train_file", "test_file", "sample_submission_file",
    "stratify_column", "group_column", "time_column", "original_answers_file", "released_labels", "metric",
    "public_files", "original_ratio", "time_format", "row_files", "test_row_files", "train_row_files", "test_columns",
    "submission_columns", "train_tables", "train_listing", "test_ids", "listed_values",
]  # fmt: skip
YAML_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), HOSTILE_CELLS
)
YAML_VALUES = st.recursive(
    YAML_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE_CELLS, inner, max_size=4),
    max_leaves=12,
)  # fmt: skip
RECIPE_DOCUMENTS = st.one_of(
    YAML_VALUES,
    st.dictionaries(st.sampled_from(RECIPE_KEYS) | HOSTILE_CELLS, YAML_VALUES, max_size=8),
    st.fixed_dictionaries(
        {"kind": st.sampled_from(["random", "stratified", "group", "temporal", "released_labels", "bogus"])},
        optional={k: YAML_VALUES | st.sampled_from(["/etc/passwd", "../x.csv", "a/../../b", "train.csv", "train/{y}/{id:*.png}", "t{n:04d}"]) for k in RECIPE_KEYS[1:]},
    ),
)  # fmt: skip


@given(document=RECIPE_DOCUMENTS)
def test_recipe_validator_accepts_or_names_the_key(document):
    try:
        recipe = parse_recipe(document, where="fuzz.yaml")
    except RecipeError as error:
        assert "fuzz.yaml" in str(error), f"the error does not name where the recipe came from: {error}"
        return
    assert isinstance(recipe, SplitRecipe)
    for path in [recipe.train_file, recipe.test_file, *recipe.public_files]:
        assert path and not Path(path).is_absolute() and ".." not in Path(path).parts, path
    assert parse_recipe(recipe.to_document(), where="again") == recipe  # what it accepts it reads back the same


ANNOTATION_FIELDS = [
    "slug",
    "curator",
    "decision",
    "complexity",
    "category",
    "reason",
    "note",
    "split_recipe",
    "updated_at",
]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    content=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.dictionaries(st.sampled_from(ANNOTATION_FIELDS) | HOSTILE_CELLS, YAML_VALUES, max_size=9).map(
            lambda d: yaml.safe_dump(d, allow_unicode=True).encode()
        ),
        st.fixed_dictionaries(
            {"slug": st.just("titanic"), "curator": st.just("ada")},
            optional={k: YAML_VALUES for k in ANNOTATION_FIELDS[2:]},
        ).map(lambda d: yaml.safe_dump(d, allow_unicode=True).encode()),
    )
)
def test_annotation_reader_reads_or_names_the_file(bounded_memory, content):
    with _scratch_file(content, "ada.yaml") as scratch:
        path = scratch.parent / "titanic" / "ada.yaml"
        path.parent.mkdir()
        scratch.rename(path)
        try:
            annotation = AnnotationStore(scratch.parent).read(path)
        except AnnotationError as error:
            assert str(path) in str(error), f"the error does not name the file: {error}"
            return
    assert isinstance(annotation, Annotation) and (annotation.slug, annotation.curator) == ("titanic", "ada")


# --- leaderboards ----------------------------------------------------------------------------------------------------

BOARD_HEADERS = [
    ["TeamId", "TeamName", "SubmissionDate", "Score"],
    ["scoreNullable", "teamId", "hasTeamName", "submissionDate", "score", "hasScore"],
    ["rank", "teamid", "score", "submissiondate"],
    ["Score"],
]
NUMBERS = st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr)


@given(
    header=st.sampled_from(BOARD_HEADERS),
    rows=st.lists(st.lists(NUMBERS | HOSTILE_CELLS, min_size=1, max_size=7), max_size=12),
    zipped=st.booleans(),
    tail=st.binary(max_size=8),
)
def test_leaderboard_parser_reads_a_board_or_names_the_line(header, rows, zipped, tail):
    text = "\n".join([_csv_line(header), *(_csv_line(r) for r in rows)]) + "\n"
    data = text.encode("utf-8", "surrogatepass") + tail
    if zipped:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as bundle:
            bundle.writestr("board.csv", data)
        data = buffer.getvalue()
    try:
        board = parse_leaderboard(data, "fuzz-board.csv")
    except LeaderboardError as error:
        assert "fuzz-board.csv" in str(error), f"the error does not name the board: {error}"
        return
    assert isinstance(board, Leaderboard) and 0 < board.team_count <= len(rows) + 1
    assert np.isfinite(board.scores).all(), board.teams
    assert (board.teams["rank"] >= 1).all() and board.teams["team_id"].is_unique


# --- the grader ------------------------------------------------------------------------------------------------------

GRADED_METRICS = sorted(METRICS)  # every metric kind the registry has: labels, numbers, probabilities, rankings, text
REPORT_LIMIT_BYTES = 64 * 1024


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> dict[str, PreparedFolder]:
    """One generated competition per registry metric, split as a download would be."""
    root = DataRoot(tmp_path_factory.mktemp("fuzz-home"))
    folders = {}
    for metric in GRADED_METRICS:
        competition = generated_competition(f"fuzz-{metric.replace('_', '-')}", metric, train_rows=120)
        raw = root.raw(competition.slug).files
        raw.mkdir(parents=True)
        with zipfile.ZipFile(io.BytesIO(competition.archive)) as bundle:
            bundle.extractall(raw)
        recipe = parse_recipe(competition.recipe, where=competition.slug)
        result = prepare_competition(competition.slug, recipe, raw, root.prepared_root, "")
        assert result.published, [(c.name, c.found) for c in result.checks if not c.passed]
        folders[metric] = PreparedFolder(result.folder)
    return folders


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
    max_examples=max(settings.default.max_examples, 200),  # 16 metric kinds share them
)
@given(metric=st.sampled_from(GRADED_METRICS), data=st.data())
def test_grader_reports_never_raises(prepared, bounded_memory, metric, data):
    folder = prepared[metric]
    lines = folder.answers.read_text().splitlines()
    header, rows = lines[0].split(","), [line.split(",") for line in lines[1:]]
    damage = data.draw(st.sampled_from(["cells", "header", "rows", "bytes", "none"]))
    if damage == "cells":
        for _ in range(data.draw(st.integers(1, 4))):
            row = data.draw(st.integers(0, len(rows) - 1))
            rows[row][data.draw(st.integers(0, len(header) - 1))] = data.draw(HOSTILE_CELLS)
    elif damage == "header":
        extra = data.draw(st.lists(st.sampled_from(header) | HOSTILE_CELLS, max_size=6))
        header = header + extra
        rows = [r + ["0"] * len(extra) for r in rows]
    elif damage == "rows":
        rows = data.draw(st.permutations(rows))[: data.draw(st.integers(0, len(rows) + 2))]
        rows += data.draw(st.lists(st.sampled_from(rows or [header]), max_size=3))
    text = "\n".join(_csv_line(r) for r in [header, *rows]) + "\n"
    raw = text.encode("utf-8", "surrogatepass")
    if damage == "bytes":
        at = data.draw(st.integers(0, len(raw)))
        raw = raw[:at] + data.draw(st.binary(max_size=30)) + raw[at + data.draw(st.integers(0, 40)) :]
    with _scratch_file(raw, "submission.csv") as submission:
        report = grade_submission(submission, folder, metric)  # the contract: never raises on bad input
    document = report.to_json()
    assert len(document) < REPORT_LIMIT_BYTES, f"a {len(document)}-byte report"
    assert report.valid_submission == (report.score is not None)
    if report.valid_submission:
        assert np.isfinite(report.score), report.score
        assert not report.errors
    else:
        assert report.errors, "an invalid submission must say why"
    json.loads(document)
