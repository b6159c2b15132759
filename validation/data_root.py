"""The data root's layout and the warehouse's names: every folder, file, schema, table and view, spelled only here.

>>> root = DataRoot(Path("mlecurate-data"))
>>> root.prepared("titanic").answers          # mlecurate-data/prepared/titanic/private/answers.csv
>>> root.warehouse                            # mlecurate-data/warehouse.duckdb

Layout (``$MLECURATE_HOME``)::

    warehouse.duckdb                          the DuckDB warehouse (tables below, and views over the files)
    annotations/<slug>/<curator>.yaml         curators' annotations (or $MLECURATE_ANNOTATIONS)
    sources/<source>/                         files a source fetched or generated (Meta Kaggle's Competitions.csv)
    raw/<slug>/<slug>.zip, files/, download.json          a competition's download, unpacked, and its record
    raw/<slug>/files.train-listing.csv        the table of the download's files a recipe's train_listing lists
    raw/<slug>/description.md                 the competition's text, fetched with its data (origin in download.json)
    descriptions/<slug>.md                    imported descriptions (mlecurate import-descriptions), preferred to any source
    prepared/<slug>/public/, private/answers.csv, manifest.json, parity.json   a split in MLE-bench's layout
    leaderboards/<slug>/snapshots/<id>.parquet, history.jsonl, downloads/      leaderboard history
    status/<slug>/<stage>.json                the last failed attempt of a stage (split, parity); gone once it succeeds
    tables/<table>/<table>.parquet            with an object-storage home: each warehouse table, for other processes
    .sync/<scope>.json                        with an object-storage home: the mirror's record of each scope it synced

With ``MLECURATE_HOME=s3://bucket/prefix`` this folder is the local mirror of the bucket (``validation.object_root``):
its scopes, the folders :meth:`DataRoot.scope` names, are pulled before a step and pushed after it.

This module sits in ``validation`` (the package every other one may import) so that the split writer, the grader,
the leakage checks and the curation code all name files the same way. It names things (a slug becomes a folder only
here, and only if it is a Kaggle slug: :func:`slug_folder`), reads the JSON records it names with errors that say
how to rebuild them, writes files atomically, creates nothing but the folders a caller asks for, and reads no setting
(``curation.settings`` does).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from validation.data_files import columns_argument, data_stem, glob_literal, is_data_file, published_suffix, quote

# Warehouse tables, and the asset that builds each (named in "materialise ... first" messages).
COMPETITIONS = "meta_kaggle.competitions"
CANDIDATES = "curation.candidates"
ANNOTATIONS = "curation.annotations"
CONSOLIDATED = "curation.consolidated"
CURATED = "curation.curated"
BUILT_BY = {
    COMPETITIONS: "meta_kaggle_competitions",
    CANDIDATES: "candidate_competitions",
    ANNOTATIONS: "competition_annotations",
    CONSOLIDATED: "curated_competitions",
    CURATED: "curated_competitions",
}

# Views over per-competition files (partitions write files, never the warehouse, so parallel steps never collide).
SPLITS_MANIFEST = "splits.manifest"
PARITY = "validation.parity"
LEADERBOARD_REFRESHES = "leaderboards.refreshes"
LEADERBOARD_THRESHOLDS = "leaderboards.thresholds"
LEADERBOARD_SNAPSHOTS = "leaderboards.snapshots"
# The columns of each view over files when no such file exists (the types DuckDB reads from the files).
# What the splits.manifest view reads of each manifest.json (the rest, such as the recipe, is left out).
MANIFEST_COLUMNS = {"slug": "VARCHAR", "created_at": "TIMESTAMP WITH TIME ZONE",
                    "files": "STRUCT(path VARCHAR, rows BIGINT, checksum VARCHAR, bytes BIGINT)[]"}  # fmt: skip
VIEW_COLUMNS = {
    SPLITS_MANIFEST: {"slug": "VARCHAR", "created_at": "TIMESTAMP WITH TIME ZONE", "file": "VARCHAR", "rows": "BIGINT",
                      "checksum": "VARCHAR", "bytes": "BIGINT"},
    PARITY: {"slug": "VARCHAR", "metric": "VARCHAR", "verdict": "VARCHAR", "reason": "VARCHAR",
             "adversarial_auc": "DOUBLE", "adversarial_p_value": "DOUBLE", "adversarial_test": "VARCHAR",
             "allowed_gap": "DOUBLE", "gap_low": "DOUBLE", "gap_high": "DOUBLE",
             "sample_medal": "BOOLEAN", "submission": "VARCHAR", "test_set": "VARCHAR", "target": "VARCHAR",
             "rows": "BIGINT", "score": "DOUBLE", "low": "DOUBLE", "high": "DOUBLE"},
    LEADERBOARD_REFRESHES: {"slug": "VARCHAR", "at": "TIMESTAMP WITH TIME ZONE", "status": "VARCHAR",
                            "source": "VARCHAR", "snapshot_id": "VARCHAR", "content_hash": "VARCHAR", "teams": "BIGINT",
                            "gold": "DOUBLE", "silver": "DOUBLE", "bronze": "DOUBLE", "median": "DOUBLE",
                            "higher_is_better": "BOOLEAN", "direction_from": "VARCHAR", "changes": "MAP(VARCHAR, JSON)",
                            "message": "VARCHAR"},
    LEADERBOARD_SNAPSHOTS: {"slug": "VARCHAR", "snapshot_id": "VARCHAR", "snapshot_at": "VARCHAR",
                            "content_hash": "VARCHAR", "rank": "BIGINT", "team_id": "VARCHAR", "score": "DOUBLE",
                            "submission_date": "VARCHAR"},
}  # fmt: skip
# validation.parity's columns from each of a report's rows (one per submission, test set and target); the others are
# the report's own
PARITY_ROW_COLUMNS = ("submission", "test_set", "target", "rows", "score", "low", "high")


# A Kaggle competition slug: the only text that becomes a folder name under the data root.
SLUG_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class SlugError(ValueError):
    """A name given as a competition slug is not one: as a folder name it could point outside the data root."""


def checked_slug(slug: str) -> str:
    """``slug`` if it is a Kaggle competition slug (letters, digits, ``-``, ``_``, ``.``; no ``..``), else
    :class:`SlugError` naming it."""
    if not is_slug(slug):
        raise SlugError(
            f"{slug!r} is not a competition slug (Kaggle's: letters, digits, '-', '_' and '.', e.g. titanic; "
            "no '/' or '..')"
        )
    return slug


def is_slug(name: str) -> bool:
    return isinstance(name, str) and SLUG_PATTERN.fullmatch(name) is not None and ".." not in name


def _slugs_with(parent: Path, marker: str) -> list[str]:
    """The slugs of ``parent``'s folders holding ``marker``; other entries (a hidden folder, a stray file) are not
    competitions and are passed over."""
    if not parent.is_dir():
        return []
    return sorted(p.name for p in parent.iterdir() if is_slug(p.name) and (p / marker).is_file())


def slug_folder(parent: Path, slug: str) -> Path:
    """``parent/<slug>``: the one way a slug a user or a file gave becomes a path (anything else is refused).

    >>> slug_folder(Path("prepared"), "../../outside")   # SlugError, never a path outside ``prepared``
    """
    return parent / checked_slug(slug)


class DataRootFileError(ValueError):
    """A file mlecurate wrote under the data root is missing or damaged; the message names it and how to rebuild it."""


def read_json_file(path: Path, rebuild: str) -> dict:
    """The JSON object in ``path``, a file mlecurate wrote; a truncated or damaged one (an interrupted copy, a full
    disk) is a :class:`DataRootFileError` naming it and ``rebuild``, what to do."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataRootFileError(f"{path}: damaged, not a JSON object ({error}); {rebuild}") from error
    if not isinstance(found, dict):
        raise DataRootFileError(f"{path}: damaged, a JSON {type(found).__name__} where an object belongs; {rebuild}")
    return found


def recorded_json(path: Path) -> dict | None:
    """The JSON object in ``path`` (a record mlecurate wrote), or None when it is missing or damaged: for a stage
    deciding whether its earlier output can be kept, no record means the work is simply done again."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def rerun(asset: str, slug: str) -> str:
    """What to do about a damaged or missing file one partition of ``asset`` writes."""
    return f"materialise {asset} for partition {slug} again to rebuild it"


# The roles of the new split's two public data files, and their names where Kaggle's give none (see published_tables).
TRAIN = "train"
TEST = "test"
SAMPLE_STEM = "sample_submission"  # public/sample_submission.csv, the split's own
SAMPLE_KEYS = ("sample_submission_file", "sample_submission_name")  # Kaggle's sample's names, in a recipe document


def published_tables(recipe: dict) -> dict[str, str]:
    """The names of the new train set and the new public test set in ``public/``, by role (``TRAIN``, ``TEST``), for
    a recipe document (``SplitRecipe.to_document()``, a manifest's ``recipe``): Kaggle's own, as MLE-bench keeps them
    (seti's ``train_labels.csv`` stays ``train_labels.csv``, an agent reading Kaggle's description finds the file it
    names), both in the train file's format uncompressed (``train.csv.gz`` gives ``train.csv``). The test set is
    named by ``test_file`` (``test.csv`` where the download has none: a test set of images alone). A listed training
    table (``train_listing``), two files of one name (in any letter case: ``Train.csv`` and ``train.csv`` are one on
    some file systems), or one named as a sample submission (the split's own, or Kaggle's ``sample_submission_file``
    and ``sample_submission_name``: dogs-vs-cats' ``test_file: sampleSubmission.csv``, which the export publishes
    under that name) give ``train``/``test``."""
    suffix = published_suffix(recipe.get("train_file", "train.csv"))
    train = TRAIN if recipe.get("train_listing") else data_stem(recipe.get("train_file", "train.csv"))
    test = data_stem(recipe.get("test_file", "test.csv") or TEST)
    samples = {SAMPLE_STEM} | {data_stem(recipe[key]) for key in SAMPLE_KEYS if recipe.get(key)}
    if test.casefold() == train.casefold() or {name.casefold() for name in samples} & {
        train.casefold(),
        test.casefold(),
    }:
        train, test = TRAIN, TEST
    return {TRAIN: f"{train}{suffix}", TEST: f"{test}{suffix}"}


@dataclass(frozen=True)
class RawFolder:
    """``raw/<slug>/``: a competition's download as the source shipped it."""

    path: Path
    slug: str

    @property
    def archive(self) -> Path:
        return self.path / f"{self.slug}.zip"

    @property
    def files(self) -> Path:
        return self.path / "files"

    @property
    def record(self) -> Path:
        return self.path / "download.json"

    @property
    def description(self) -> Path:
        """The competition's text as fetched with its data (its origin is in ``download.json``)."""
        return self.path / "description.md"

    def read_record(self) -> dict | None:
        """``download.json`` as a dict; None before the first download."""
        if not self.record.is_file():
            return None
        return read_json_file(self.record, "delete it and " + rerun("competition_raw", self.slug))


def train_listing_file(raw_files: Path) -> Path:
    """Where the table of a download's files (recipe key ``train_listing``, ``splits.listing``) is written: beside
    the download's folder ``raw_files``, never in it."""
    files = raw_files.absolute()
    return files.with_name(f"{files.name}.train-listing.csv")


@dataclass(frozen=True)
class PreparedFolder:
    """``prepared/<slug>/``: a new split in MLE-bench's layout, with its manifest and parity report."""

    path: Path

    @property
    def slug(self) -> str:
        return self.path.name

    @property
    def public(self) -> Path:
        return self.path / "public"

    @property
    def private(self) -> Path:
        return self.path / "private"

    @property
    def answers(self) -> Path:
        return self.private / "answers.csv"

    @property
    def scored_rows(self) -> Path:
        """Which answers rows are scored (split recipe key ``scored_rows``; ``validation.scored_rows``)."""
        return self.private / "scored_rows.csv"

    @property
    def sample_submission(self) -> Path:
        return self.public / f"{SAMPLE_STEM}.csv"

    @property
    def description(self) -> Path:
        return self.public / "description.md"

    @property
    def manifest(self) -> Path:
        return self.path / "manifest.json"

    @property
    def parity(self) -> Path:
        return self.path / "parity.json"

    def read_manifest(self) -> dict:
        """``manifest.json`` as a dict (a published split always has one)."""
        if not self.manifest.is_file():
            raise DataRootFileError(f"{self.manifest}: missing, so {self.slug} has no published split; "
                                    + rerun("competition_split", self.slug))  # fmt: skip
        return read_json_file(self.manifest, rerun("competition_split", self.slug))

    def existing_answers(self) -> Path:
        """``private/answers.csv``, which a published split always has: a missing one names the split to re-run."""
        if not self.answers.is_file():
            raise DataRootFileError(f"{self.answers}: missing from the split of {self.slug}; "
                                    + rerun("competition_split", self.slug))  # fmt: skip
        return self.answers

    def public_table(self, role: str, recipe: dict) -> Path:
        """The new train set (role ``TRAIN``) or public test set (``TEST``) of the split of ``recipe`` (a recipe
        document): ``public/`` + :func:`published_tables`'s name. A split published before Kaggle's names were kept
        has ``train.<ext>``/``test.<ext>``, found by that stem."""
        named = self.public / published_tables(recipe)[role]
        if named.is_file():
            return named
        found = [p for p in self.public.iterdir() if is_data_file(p.name) and data_stem(p.name) == role]
        if len(found) != 1:
            raise FileNotFoundError(f"{self.public}: expected {named.name} (the new {role} set), found none")
        return found[0]

    def submission_upload(self, name: str) -> Path:
        """A submission written for an upload (parity's late submissions), removed after it."""
        return self.path / f".upload-{name.replace(' ', '-')}.csv"

    @property
    def rewriting_answers(self) -> Path:
        """Where the answers are rewritten in the sample submission's format before they replace answers.csv."""
        return self.private / ".answers.rewriting.csv"

    @property
    def rewriting_sample(self) -> Path:
        """Where the sample submission is rewritten without a column that is no prediction before it replaces it."""
        return self.public / ".sample_submission.rewriting.csv"

    @property
    def staging(self) -> PreparedFolder:
        """Where a split is built and checked before it is published (a sibling, renamed into place)."""
        return PreparedFolder(self.path.with_name(f".{self.path.name}.staging"))

    @property
    def retired(self) -> Path:
        return self.path.with_name(f".{self.path.name}.retired")

    @property
    def scratch(self) -> Path:
        """DuckDB's spill folder while the split is built."""
        return self.path.with_name(f".{self.path.name}.scratch")


@dataclass(frozen=True)
class LeaderboardFolder:
    """``leaderboards/<slug>/``: every distinct version of the board, and one line per refresh."""

    path: Path

    @property
    def history(self) -> Path:
        return self.path / "history.jsonl"

    def snapshot(self, snapshot_id: str) -> Path:
        return self.path / "snapshots" / f"{snapshot_id}.parquet"

    @property
    def downloads(self) -> Path:
        return self.path / "downloads"


@dataclass(frozen=True)
class DataRoot:
    """Everything mlecurate keeps, under one folder."""

    path: Path
    annotations_path: Path | None = None  # default: <path>/annotations

    @property
    def warehouse(self) -> Path:
        return self.path / "warehouse.duckdb"

    @property
    def annotations(self) -> Path:
        return self.annotations_path or self.path / "annotations"

    @property
    def tables_root(self) -> Path:
        return self.path / "tables"

    def table_copy(self, name: str) -> Path:
        """``tables/<table>/<table>.parquet``: a warehouse table as Parquet, written with an object-storage home so
        that another process's warehouse can load it (``Warehouse.load_table_copies``)."""
        if name not in BUILT_BY:
            raise ValueError(f"{name!r} is not a warehouse table (expected one of {', '.join(BUILT_BY)})")
        return self.tables_root / name / f"{name}.parquet"

    @property
    def sync_records(self) -> Path:
        """``.sync/``: with an object-storage home, the mirror's record of each scope as last pulled or pushed."""
        return self.path / ".sync"

    def scope(self, folder: Path) -> str:
        """The scope (``validation.object_root``) a folder of this root is on object storage: its path relative to the
        root, e.g. ``prepared/titanic``."""
        return folder.relative_to(self.path).as_posix()

    def sources(self, name: str) -> Path:
        """A folder for files the source ``name`` fetched or generated, e.g. ``sources("demo")``; created on first use.
        Kaggle's Meta Kaggle download keeps the folder name it always had (``meta-kaggle``)."""
        folder = self.path / "sources" / {"kaggle": "meta-kaggle"}.get(name, name)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @property
    def raw_root(self) -> Path:
        return self.path / "raw"

    def raw(self, slug: str) -> RawFolder:
        return RawFolder(slug_folder(self.raw_root, slug), slug)

    @property
    def descriptions_root(self) -> Path:
        return self.path / "descriptions"

    @property
    def export(self) -> Path:
        """Where the ``benchmark_export`` asset writes the MLE-bench export (``mlecurate export DIR`` takes any DIR)."""
        return self.path / "export"

    def imported_description(self, slug: str) -> Path:
        """``descriptions/<slug>.md``: a description imported by ``mlecurate import-descriptions`` (MLE-bench's)."""
        return self.descriptions_root / f"{checked_slug(slug)}.md"

    def downloaded_slugs(self) -> list[str]:
        """Slugs with a download record (whatever its status)."""
        return _slugs_with(self.raw_root, "download.json")

    @property
    def prepared_root(self) -> Path:
        return self.path / "prepared"

    def prepared(self, slug: str) -> PreparedFolder:
        return PreparedFolder(slug_folder(self.prepared_root, slug))

    @property
    def status_root(self) -> Path:
        return self.path / "status"

    def stage_failure(self, slug: str, stage: str) -> Path:
        """``status/<slug>/<stage>.json``: the last failed attempt of a stage (``split``, ``parity``), removed when the
        stage next succeeds (a failed split never replaces a published one, so the two can sit side by side)."""
        return slug_folder(self.status_root, slug) / f"{stage}.json"

    @property
    def leaderboards_root(self) -> Path:
        return self.path / "leaderboards"

    def leaderboards(self, slug: str) -> LeaderboardFolder:
        return LeaderboardFolder(slug_folder(self.leaderboards_root, slug))

    def leaderboard_slugs(self) -> list[str]:
        """Slugs with a leaderboard history (at least one refresh recorded)."""
        return _slugs_with(self.leaderboards_root, "history.jsonl")

    def views(self) -> dict[str, str]:
        """The SQL of every view over the data root's files, by view name (``CREATE OR REPLACE VIEW <name> AS <sql>``).
        A view whose files do not exist (yet, or any more: a re-split removes the old parity report) is empty, with
        its columns, so every reader works on an empty or partly empty root."""
        return {
            # Typed, not guessed: DuckDB's guess of the whole manifest took a recipe's submission_columns {Id: ...}
            # beside another's {id: ...} as one struct with a duplicate name, and refused every manifest.
            SPLITS_MANIFEST: self._view_over_files(SPLITS_MANIFEST, self.prepared_root, "*/manifest.json", """
                SELECT m.slug, m.created_at, f.path AS file, f.rows, f.checksum, f.bytes
                FROM read_json({files}, filename = true, hive_partitioning = false, columns = """
                + columns_argument(MANIFEST_COLUMNS).replace("{", "{{").replace("}", "}}")
                + """) AS m, unnest(m.files) AS t(f)
                WHERE NOT regexp_matches(m.filename, '/[.][^/]*/manifest[.]json$')  -- not a hidden (staging) split"""),
            PARITY: self._view_over_files(PARITY, self.prepared_root, "*/parity.json", f"""
                SELECT {", ".join(f"p.{quote(c)}" for c in VIEW_COLUMNS[PARITY] if c not in PARITY_ROW_COLUMNS)},
                       {", ".join(f"r.{quote(c)}" for c in PARITY_ROW_COLUMNS)}
                FROM read_json({{files}}, hive_partitioning = false, columns = """
                + columns_argument(_parity_report_columns()).replace("{", "{{").replace("}", "}}")
                + ") AS p, unnest(p.rows) AS t(r)"),  # typed whichever keys the reports hold (older ones lack some)
            LEADERBOARD_REFRESHES: self._view_over_files(LEADERBOARD_REFRESHES, self.leaderboards_root,
                "*/history.jsonl", """
                SELECT * FROM read_json({files}, format = 'newline_delimited', hive_partitioning = false, columns = """
                + columns_argument(VIEW_COLUMNS[LEADERBOARD_REFRESHES]).replace("{", "{{").replace("}", "}}")
                + ")"),  # the same columns whichever keys the lines hold (older lines lack direction_from)
            LEADERBOARD_THRESHOLDS: f"""
                SELECT slug, snapshot_id, "at" AS snapshot_at, source, teams, gold, silver, bronze, median,
                       higher_is_better
                FROM {LEADERBOARD_REFRESHES} WHERE status IN ('new', 'changed')""",
            LEADERBOARD_SNAPSHOTS: self._view_over_files(LEADERBOARD_SNAPSHOTS, self.leaderboards_root,
                "*/snapshots/*.parquet", """
                SELECT slug, snapshot_id, snapshot_at, content_hash, rank, team_id, score, submission_date
                FROM read_parquet({files}, union_by_name = true, hive_partitioning = false)"""),
        }  # fmt: skip

    @staticmethod
    def _view_over_files(name: str, folder: Path, pattern: str, select: str) -> str:
        """``select`` reading the files ``pattern`` matches under ``folder`` (``{files}``); when none does (DuckDB
        fails on a pattern that matches nothing), the view's columns with no rows."""
        if not any(folder.glob(pattern)):
            return empty_view_sql(VIEW_COLUMNS[name])
        return select.format(files=glob_literal(folder, pattern))


def _parity_report_columns() -> dict[str, str]:
    """The keys of ``parity.json`` the parity view reads, with their types: the report's own, and its rows."""
    columns = VIEW_COLUMNS[PARITY]
    row = ", ".join(f"{quote(name)} {columns[name]}" for name in PARITY_ROW_COLUMNS)
    report = {name: kind for name, kind in columns.items() if name not in PARITY_ROW_COLUMNS}
    return report | {"rows": f"STRUCT({row})[]"}


def empty_view_sql(columns: dict[str, str]) -> str:
    """A SELECT of no rows with these columns and types."""
    return (
        "SELECT " + ", ".join(f"CAST(NULL AS {kind}) AS {quote(name)}" for name, kind in columns.items()) + " LIMIT 0"
    )


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it to ``final`` only if the block succeeds.

    >>> with atomic_path(Path("out.csv")) as tmp:
    ...     tmp.write_text("a,b\\n")

    Nothing half-written is ever visible under the final name: on error the temporary file is removed. The file
    gets the mode a plain ``open(final, "w")`` would give it: an existing file's mode is kept, a new file gets
    ``0666`` less the umask (never ``mkstemp``'s ``0600``).
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_partial_file(final)
    try:
        mode = stat.S_IMODE(final.stat().st_mode) if final.exists() else stat.S_IMODE(tmp.stat().st_mode)
        yield tmp
        os.chmod(tmp, mode)  # the block may have replaced the file (a download moved into place)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def _new_partial_file(final: Path) -> Path:
    """A new, empty ``.<name>.<random>.partial`` beside ``final``, created with mode ``0666`` less the umask."""
    while True:
        tmp = final.with_name(f".{final.name}.{secrets.token_hex(6)}.partial")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:
            continue


def write_atomic(final: Path, content: str | bytes) -> None:
    """Write ``content`` to ``final`` atomically (temp file, fsync, rename)."""
    with atomic_path(final) as tmp:
        data = content.encode("utf-8") if isinstance(content, str) else content
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
