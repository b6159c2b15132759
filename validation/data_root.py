"""The data root's layout and the warehouse's names: every folder, file, schema, table and view, spelled only here.

>>> root = DataRoot(Path("mlecurate-data"))
>>> root.prepared("titanic").answers          # mlecurate-data/prepared/titanic/private/answers.csv
>>> root.warehouse                            # mlecurate-data/warehouse.duckdb

Layout (``$MLECURATE_HOME``)::

    warehouse.duckdb                          the DuckDB warehouse (tables below, and views over the files)
    annotations/<slug>/<curator>.yaml         curators' annotations (or $MLECURATE_ANNOTATIONS)
    sources/<source>/                         files a source fetched or generated (Meta Kaggle's Competitions.csv)
    raw/<slug>/<slug>.zip, files/, download.json          a competition's download, unpacked, and its record
    raw/<slug>/description.md                 the competition's text, fetched with its data (origin in download.json)
    descriptions/<slug>.md                    imported descriptions (mlecurate import-descriptions), preferred to any source
    prepared/<slug>/public/, private/answers.csv, manifest.json, parity.json   a split in MLE-bench's layout
    leaderboards/<slug>/snapshots/<id>.parquet, history.jsonl, downloads/      leaderboard history
    status/<slug>/<stage>.json                the last failed attempt of a stage (split, parity); gone once it succeeds

This module sits in ``validation`` (the package every other one may import) so that the split writer, the grader,
the leakage checks and the curation code all name files the same way. It only names things: it creates nothing but
the folders a caller asks for, and reads no setting (``curation.settings`` does).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from validation.data_files import DATA_FORMATS, literal

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


# The stems of the new split's public data files (MLE-bench's names); the extension is the original's.
TRAIN = "train"
TEST = "test"


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
    def sample_submission(self) -> Path:
        return self.public / "sample_submission.csv"

    @property
    def description(self) -> Path:
        return self.public / "description.md"

    @property
    def manifest(self) -> Path:
        return self.path / "manifest.json"

    @property
    def parity(self) -> Path:
        return self.path / "parity.json"

    def new_public_file(self, stem: str, extension: str) -> Path:
        """Where the split writer puts ``public/<stem><extension>`` (stem ``TRAIN`` or ``TEST``)."""
        return self.public / f"{stem}{extension}"

    def public_file(self, stem: str) -> Path:
        """``public/train.<ext>`` or ``public/test.<ext>``: the one data file with that stem."""
        found = [p for p in self.public.iterdir() if p.stem == stem and p.suffix.lower() in DATA_FORMATS]
        if len(found) != 1:
            raise FileNotFoundError(f"{self.public}: expected one {stem} file, found {[p.name for p in found]}")
        return found[0]

    def submission_upload(self, name: str) -> Path:
        """A submission written for an upload (parity's late submissions), removed after it."""
        return self.path / f".upload-{name.replace(' ', '-')}.csv"

    @property
    def rewriting_answers(self) -> Path:
        """Where the answers are rewritten in the sample submission's format before they replace answers.csv."""
        return self.private / ".answers.rewriting.csv"

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
        return RawFolder(self.raw_root / slug, slug)

    @property
    def descriptions_root(self) -> Path:
        return self.path / "descriptions"

    def imported_description(self, slug: str) -> Path:
        """``descriptions/<slug>.md``: a description imported by ``mlecurate import-descriptions`` (MLE-bench's)."""
        return self.descriptions_root / f"{slug}.md"

    def downloaded_slugs(self) -> list[str]:
        """Slugs with a download record (whatever its status)."""
        root = self.raw_root
        return sorted(p.name for p in root.iterdir() if (p / "download.json").is_file()) if root.is_dir() else []

    @property
    def prepared_root(self) -> Path:
        return self.path / "prepared"

    def prepared(self, slug: str) -> PreparedFolder:
        return PreparedFolder(self.prepared_root / slug)

    @property
    def status_root(self) -> Path:
        return self.path / "status"

    def stage_failure(self, slug: str, stage: str) -> Path:
        """``status/<slug>/<stage>.json``: the last failed attempt of a stage (``split``, ``parity``), removed when the
        stage next succeeds (a failed split never replaces a published one, so the two can sit side by side)."""
        return self.status_root / slug / f"{stage}.json"

    @property
    def leaderboards_root(self) -> Path:
        return self.path / "leaderboards"

    def leaderboards(self, slug: str) -> LeaderboardFolder:
        return LeaderboardFolder(self.leaderboards_root / slug)

    def views(self) -> dict[str, str]:
        """The SQL of every view whose files exist, by view name (``CREATE OR REPLACE VIEW <name> AS <sql>``)."""
        views = {}
        manifests = self.prepared_root / "*" / "manifest.json"
        if any(self.prepared_root.glob("*/manifest.json")):
            views[SPLITS_MANIFEST] = f"""
                SELECT m.slug, m.created_at, f.path AS file, f.rows, f.checksum, f.bytes
                FROM read_json({literal(str(manifests))}, union_by_name = true, filename = true) AS m,
                     unnest(m.files) AS t(f)
                WHERE NOT regexp_matches(m.filename, '/[.][^/]*/manifest[.]json$')  -- not a hidden (staging) split"""
        reports = self.prepared_root / "*" / "parity.json"
        if any(self.prepared_root.glob("*/parity.json")):
            views[PARITY] = f"""
                SELECT p.slug, p.metric, p.verdict, p.reason, p.adversarial_auc, p.sample_medal,
                       r.submission, r.test_set,
                       json_extract_string(to_json(r), '$.target') AS target,  -- absent from reports before 2026-11
                       r.rows, r.score, r.low, r.high
                FROM read_json({literal(str(reports))}, union_by_name = true) AS p, unnest(p.rows) AS t(r)"""
        histories = self.leaderboards_root / "*" / "history.jsonl"
        if any(self.leaderboards_root.glob("*/history.jsonl")):
            views[LEADERBOARD_REFRESHES] = f"""
                SELECT * FROM read_json({literal(str(histories))}, format = 'newline_delimited', union_by_name = true)"""
            views[LEADERBOARD_THRESHOLDS] = f"""
                SELECT slug, snapshot_id, "at" AS snapshot_at, source, teams, gold, silver, bronze, median,
                       higher_is_better
                FROM {LEADERBOARD_REFRESHES} WHERE status IN ('new', 'changed')"""
        snapshots = self.leaderboards_root / "*" / "snapshots" / "*.parquet"
        if any(self.leaderboards_root.glob("*/snapshots/*.parquet")):
            views[LEADERBOARD_SNAPSHOTS] = f"""
                SELECT slug, snapshot_id, snapshot_at, content_hash, rank, team_id, score, submission_date
                FROM read_parquet({literal(str(snapshots))}, union_by_name = true)"""
        return views


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it to ``final`` only if the block succeeds.

    >>> with atomic_path(Path("out.csv")) as tmp:
    ...     tmp.write_text("a,b\\n")

    Nothing half-written is ever visible under the final name: on error the temporary file is removed.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".partial", dir=final.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(final: Path, content: str | bytes) -> None:
    """Write ``content`` to ``final`` atomically (temp file, fsync, rename)."""
    with atomic_path(final) as tmp:
        data = content.encode("utf-8") if isinstance(content, str) else content
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
