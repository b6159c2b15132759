"""Issue 10: the data root's path, the SQL built from it, slugs as paths, the warehouse's faults, file modes.

Each test names the issue-10 row it proves (``row7`` ... ``row19``); the README's table "What mlecurate promises under
bad input and faults" points at them.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
import yaml

from curation.cli import main
from curation.mlebench_leaderboards import import_mlebench_leaderboards
from curation.stage_status import data_status, split_status
from curation.warehouse import Warehouse
from splits.layout import prepare_competition
from tests.conftest import PROJECT, SHARED, prepare_shared_competitions
from validation.data_files import content_checksum
from validation.data_root import (
    LEADERBOARD_REFRESHES,
    LEADERBOARD_SNAPSHOTS,
    PARITY,
    SPLITS_MANIFEST,
    VIEW_COLUMNS,
    DataRoot,
    DataRootFileError,
    SlugError,
    atomic_path,
    write_atomic,
)
from validation.split_recipe import parse_recipe

SLUG = "titanic"
BOARD = SHARED / "mle-bench" / "competitions" / "spaceship-titanic" / "leaderboard.csv"


def _split(root: DataRoot, slug: str = SLUG):
    recipe = parse_recipe(yaml.safe_load((PROJECT / "splits" / "recipes" / f"{slug}.yaml").read_text()), slug)
    return prepare_competition(slug, recipe, SHARED / "competitions" / slug, root.prepared_root, "")


def _parity_report(root: DataRoot, slug: str = SLUG) -> None:
    root.prepared(slug).parity.write_text(json.dumps({
        "slug": slug, "metric": "accuracy", "verdict": "parity", "reason": "", "adversarial_auc": 0.5,
        "sample_medal": False,
        "rows": [{"submission": "baseline", "test_set": "new test", "rows": 10, "score": 0.5, "low": 0.4, "high": 0.6}],
    }))  # fmt: skip


def _boards(tmp_path: Path) -> Path:
    """A folder in MLE-bench's layout holding one real leaderboard (as ``titanic``'s)."""
    folder = tmp_path / "boards"
    (folder / SLUG).mkdir(parents=True)
    shutil.copyfile(BOARD, folder / SLUG / "leaderboard.csv")
    return folder


def _manifest_checksums_hold(root: DataRoot) -> None:
    prepared = root.prepared(SLUG)
    for entry in prepared.read_manifest()["files"]:
        if entry["checksum"].startswith("v1:"):
            assert content_checksum(prepared.path / entry["path"]) == entry["checksum"], entry["path"]


# Row 7: SQL built from the data root's path.


def test_row7_home_with_quote_splits_and_views_work(tmp_path):
    """Issue 10 row 7: a home under a folder named ``o'brien`` made every split fail with a parser error."""
    root = prepare_shared_competitions(tmp_path / "o'brien" / "home", [SLUG])
    warehouse = Warehouse(root.warehouse)
    warehouse.refresh_views(root)
    assert warehouse.query(f"SELECT DISTINCT slug FROM {SPLITS_MANIFEST}")["slug"].tolist() == [SLUG]
    _manifest_checksums_hold(root)


def test_row7_crafted_home_runs_no_sql_of_its_own(tmp_path):
    """Issue 10 row 7: a crafted ``MLECURATE_HOME`` ran a ``COPY ... TO`` of its own; now it is only a folder name."""
    written = tmp_path / "pwned.csv"
    crafted = tmp_path / f"x'; COPY (SELECT 42) TO '{written}'; SELECT '" / "home"
    root = prepare_shared_competitions(crafted, [SLUG])
    warehouse = Warehouse(root.warehouse)
    warehouse.refresh_views(root)
    assert warehouse.query(f"SELECT count(DISTINCT slug) AS n FROM {SPLITS_MANIFEST}")["n"][0] == 1
    assert not written.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file() and crafted not in p.parents] == []


# Row 8: glob characters in the data root's path.


def test_row8_glob_characters_in_home_read_only_its_own_files(tmp_path):
    """Issue 10 row 8: DuckDB globs ``[1]`` even in a literal path, so a home under ``glob[1]/`` read ``glob1/``'s
    files (here a decoy staging split) and its views failed "No files found"."""
    decoy = DataRoot(tmp_path / "glob1" / "home").prepared(SLUG).staging
    for name, rows in (("train.csv", 3), ("test.csv", 2)):
        (decoy.public).mkdir(parents=True, exist_ok=True)
        (decoy.public / name).write_text("PassengerId,Survived\n" + "".join(f"{i},1\n" for i in range(rows)))
    root = DataRoot(tmp_path / "glob[1]" / "home")
    assert _split(root).published
    shutil.rmtree(tmp_path / "glob1")
    _manifest_checksums_hold(root)
    warehouse = Warehouse(root.warehouse)
    warehouse.refresh_views(root)
    assert warehouse.query(f"SELECT count(DISTINCT slug) AS n FROM {SPLITS_MANIFEST}")["n"][0] == 1


def test_row8_import_leaderboards_under_a_glob_home(tmp_path, monkeypatch, capsys):
    """Issue 10 row 8: ``mlecurate import-leaderboards`` under a home in ``glob[1]/`` ended in a traceback."""
    home = tmp_path / "glob[1]" / "home"
    monkeypatch.setenv("MLECURATE_HOME", str(home))
    monkeypatch.delenv("MLECURATE_ANNOTATIONS", raising=False)
    assert main(["import-leaderboards", str(_boards(tmp_path))]) == 0
    assert "1 new" in capsys.readouterr().out
    snapshots = Warehouse(DataRoot(home).warehouse).query(f"SELECT count(*) AS n FROM {LEADERBOARD_SNAPSHOTS}")
    assert snapshots["n"][0] == len(pd.read_csv(BOARD))


# Row 9: views over files that do not exist (yet, or any more).


def test_row9_every_view_exists_empty_with_its_columns_on_an_empty_root(tmp_path, monkeypatch, capsys):
    """Issue 10 row 9: a view whose files do not exist is empty, with its columns, and ``summary`` works."""
    root = DataRoot(tmp_path / "home")
    warehouse = Warehouse(root.warehouse)
    warehouse.refresh_views(root)
    for name, columns in VIEW_COLUMNS.items():
        described = warehouse.query(f"DESCRIBE {name}")
        assert dict(zip(described["column_name"], described["column_type"], strict=True)) == columns, name
    assert set(warehouse.table_counts().values()) == {0}
    monkeypatch.setenv("MLECURATE_HOME", str(root.path))
    assert main(["summary"]) == 0
    assert f"{PARITY}" in capsys.readouterr().out


def test_row9_the_empty_views_have_the_columns_of_the_full_ones(tmp_path):
    """Issue 10 row 9: the columns an empty view declares are the ones DuckDB reads from the files."""
    root = prepare_shared_competitions(tmp_path / "home", [SLUG])
    _parity_report(root)
    import_mlebench_leaderboards(_boards(tmp_path), root, {})
    warehouse = Warehouse(root.warehouse)
    warehouse.refresh_views(root)
    for name, columns in VIEW_COLUMNS.items():
        described = warehouse.query(f"DESCRIBE {name}")
        assert dict(zip(described["column_name"], described["column_type"], strict=True)) == columns, name
        assert warehouse.query(f"SELECT count(*) AS n FROM {name}")["n"][0] > 0, name


def test_the_refreshes_view_has_its_columns_whatever_keys_the_history_holds(tmp_path):
    """A history written before ``direction_from`` existed (and a line with a key of a later version) still gives
    ``leaderboards.refreshes`` its columns: the absent one is NULL, the unknown one is left out, nothing fails."""
    root = DataRoot(tmp_path / "home")
    folder = root.leaderboards(SLUG)
    folder.path.mkdir(parents=True)
    line = {"slug": SLUG, "at": "2026-01-01T00:00:00+00:00", "status": "no_leaderboard", "source": "kaggle",
            "message": "none yet", "changes": {}}  # fmt: skip
    folder.history.write_text(json.dumps(line) + "\n" + json.dumps({**line, "from_the_future": 1}) + "\n")
    warehouse = Warehouse(root.warehouse)
    warehouse.refresh_views(root)
    described = warehouse.query(f"DESCRIBE {LEADERBOARD_REFRESHES}")
    assert (
        dict(zip(described["column_name"], described["column_type"], strict=True))
        == (VIEW_COLUMNS[LEADERBOARD_REFRESHES])
    )
    rows = warehouse.query(f"SELECT status, direction_from, message FROM {LEADERBOARD_REFRESHES}")
    assert rows.to_dict("records") == [{"status": "no_leaderboard", "direction_from": None, "message": "none yet"}] * 2


def test_row9_resplitting_the_only_competition_with_parity_leaves_an_empty_parity_view(tmp_path, monkeypatch):
    """Issue 10 row 9: re-splitting removes ``parity.json``; with none left the parity view errored and ``mlecurate
    summary`` crashed."""
    root = prepare_shared_competitions(tmp_path / "home", [SLUG])
    _parity_report(root)
    warehouse = Warehouse(root.warehouse)
    warehouse.refresh_views(root)
    assert warehouse.query(f"SELECT count(*) AS n FROM {PARITY}")["n"][0] == 1
    assert _split(root).published and not root.prepared(SLUG).parity.exists()
    warehouse.refresh_views(root)
    assert warehouse.query(f"SELECT count(*) AS n FROM {PARITY}")["n"][0] == 0
    monkeypatch.setenv("MLECURATE_HOME", str(root.path))
    assert main(["summary"]) == 0


# Row 10: a slug is never a path.


@pytest.mark.parametrize("slug", ["../../outside/prepared/titanic", "..", "a/b", "/etc", "", "titanic\n", "a..b"])
def test_row10_the_data_root_refuses_a_path_as_slug(tmp_path, slug):
    """Issue 10 row 10: every folder the data root names for a slug refuses anything but a Kaggle slug."""
    root = DataRoot(tmp_path / "home")
    for folder in (root.raw, root.prepared, root.leaderboards, root.imported_description):
        with pytest.raises(SlugError, match="is not a competition slug"):
            folder(slug)
    with pytest.raises(SlugError):
        root.stage_failure(slug, "split")


def test_row10_a_folder_source_refuses_a_path_as_slug(tmp_path):
    """Issue 10 row 10: a folder source (a mirror, Meta Kaggle's folder) names a competition's folder from its slug
    the same one way: ``../outside`` is refused before any file outside the mirror is read or zipped."""
    from curation.sources.folder import FolderSource

    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "train.csv").write_text("id,y\n1,0\n")
    (tmp_path / "outside" / "leaderboard.csv").write_text("teamId,teamName,score,rank\n1,a,0.5,1\n")
    source = FolderSource(tmp_path / "mirror")
    (tmp_path / "mirror").mkdir()
    for attempt in (
        lambda: source.download_competition("../outside", tmp_path / "raw"),
        lambda: source.leaderboard("../outside", tmp_path),
        lambda: source.description("../outside"),
    ):
        with pytest.raises(SlugError, match="is not a competition slug"):
            attempt()
    assert not (tmp_path / "raw").exists()


def test_row10_grade_refuses_a_path_as_slug(tmp_path, home, capsys):
    """Issue 10 row 10: ``mlecurate grade ../../outside/prep sub.csv`` graded against answers outside the data root."""
    outside = prepare_shared_competitions(tmp_path / "outside", [SLUG]).prepared(SLUG)
    DataRoot(home).prepared_root.mkdir(parents=True)  # home/prepared/../../outside is tmp_path/outside
    submission = tmp_path / "submission.csv"
    shutil.copyfile(outside.answers, submission)  # a perfect submission, were it graded
    assert main(["grade", "../../outside/prepared/titanic", str(submission)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [
        "mlecurate grade: error: '../../outside/prepared/titanic' is not a competition slug (Kaggle's: letters, "
        "digits, '-', '_' and '.', e.g. titanic; no '/' or '..')"
    ]


# Row 17 (the data root's and the warehouse's cases): one line naming the path and what to do, no traceback.


def _one_error_line(capsys, command: str) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"mlecurate {command}: error: "), err
    return lines[0]


def test_row17_home_naming_a_file(tmp_path, monkeypatch, capsys):
    """Issue 10 row 17: ``MLECURATE_HOME`` naming a file (already a clear error; this keeps it one)."""
    not_a_folder = tmp_path / "home.txt"
    not_a_folder.write_text("not a folder")
    monkeypatch.setenv("MLECURATE_HOME", str(not_a_folder))
    assert main(["summary"]) == 2
    assert str(not_a_folder) in _one_error_line(capsys, "summary")


def test_row17_corrupt_warehouse(home, capsys):
    """Issue 10 row 17: a warehouse file that is not a DuckDB database names itself and what to do."""
    home.mkdir()
    (home / "warehouse.duckdb").write_bytes(b"\x00garbage" * 1000)
    assert main(["summary"]) == 2
    line = _one_error_line(capsys, "summary")
    assert str(home / "warehouse.duckdb") in line and "move it aside" in line


def test_row17_locked_warehouse(home, monkeypatch, capsys):
    """Issue 10 row 17: a warehouse another process keeps locked is one line, once the wait is over."""
    root = DataRoot(home)
    Warehouse(root.warehouse).refresh_views(root)
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys, time; con = duckdb.connect({str(root.warehouse)!r}); "
         "print('locked', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        monkeypatch.setattr("curation.cli.options.LOCK_TIMEOUT_SECONDS", 0.5)
        assert main(["summary"]) == 2
        assert "still locked by another process" in _one_error_line(capsys, "summary")
    finally:
        holder.communicate("")


def test_row17_truncated_download_record(tmp_path):
    """Issue 10 row 17: a truncated ``download.json`` names itself and how to rebuild it; the stage status shows it
    without stopping the others."""
    root = DataRoot(tmp_path / "home")
    raw = root.raw(SLUG)
    raw.path.mkdir(parents=True)
    raw.record.write_text('{"slug": "titanic", "stat')
    with pytest.raises(DataRootFileError, match=r"download\.json: damaged.*materialise competition_raw for partition"):
        raw.read_record()
    assert data_status(SLUG, root).startswith("unreadable download record")


def test_row17_truncated_manifest_and_missing_answers(tmp_path):
    """Issue 10 row 17: a truncated ``manifest.json`` and a missing ``answers.csv`` name the file and the split to
    re-run."""
    root = prepare_shared_competitions(tmp_path / "home", [SLUG])
    prepared = root.prepared(SLUG)
    prepared.answers.unlink()
    with pytest.raises(DataRootFileError, match=r"answers\.csv: missing .*competition_split for partition titanic"):
        prepared.existing_answers()
    prepared.manifest.write_text(prepared.manifest.read_text()[:40])
    with pytest.raises(DataRootFileError, match=r"manifest\.json: damaged.*competition_split for partition titanic"):
        prepared.read_manifest()
    assert "unreadable manifest" in split_status(SLUG, root)


def test_row17_grade_with_a_truncated_manifest_or_missing_answers(tmp_path, home, capsys):
    """Issue 10 row 17: ``mlecurate grade`` on a damaged split is one line naming the file (needs the grader to read
    through ``PreparedFolder.read_manifest`` and ``existing_answers``)."""
    prepared = prepare_shared_competitions(home, [SLUG]).prepared(SLUG)
    submission = tmp_path / "submission.csv"
    shutil.copyfile(prepared.answers, submission)
    prepared.answers.unlink()
    assert main(["grade", SLUG, str(submission)]) == 2
    assert "answers.csv" in _one_error_line(capsys, "grade")
    prepared.manifest.write_text(prepared.manifest.read_text()[:40])
    assert main(["grade", SLUG, str(submission)]) == 2
    assert "manifest.json: damaged" in _one_error_line(capsys, "grade")


# Row 18: a full disk during a warehouse write.

WRITE_ON_A_FULL_DISK = textwrap.dedent("""
    import resource, signal, sys
    import numpy as np, pandas as pd
    from pathlib import Path
    from curation.warehouse import Warehouse

    warehouse = Warehouse(Path(sys.argv[1]) / "warehouse.duckdb")
    warehouse.replace_table("meta_kaggle.kept", pd.DataFrame({"a": [1, 2, 3]}))
    if sys.argv[2] == "fill":  # a real full disk: fill what is left of the small file system
        with open(Path(sys.argv[1]) / "filler", "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"0" * 4096)
            except OSError:
                pass
    else:  # no room to mount one: the operating system refuses to let any file grow
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.RLIM_INFINITY))
    try:
        warehouse.replace_table("meta_kaggle.big", pd.DataFrame({"a": np.arange(20_000, dtype=float)}))
    except Exception as error:
        print(type(error).__name__, str(error), getattr(error, "__notes__", []), sep="\\n")
    print(warehouse.read_table("meta_kaggle.kept")["a"].tolist())
""")


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs (the real thing, when this process may mount one) and the error a full one gives; else a plain
    folder and the file-size limit's error."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True
    ).returncode == 0  # fmt: skip
    try:
        yield folder, ("fill", "No space left on device") if mounted else ("limit", "File too large")
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)


def test_row18_full_disk_during_a_warehouse_write_reports_the_disk(small_disk):
    """Issue 10 row 18: a full disk at COMMIT reported "cannot rollback - no transaction is active"; the disk's own
    error is what the user sees (the refused rollback at most a note) and the warehouse keeps what it had."""
    folder, (mode, disk_error) = small_disk
    run = subprocess.run(
        [sys.executable, "-c", WRITE_ON_A_FULL_DISK, str(folder), mode],
        capture_output=True, text=True, cwd=PROJECT, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    kind, message, notes, kept = run.stdout.strip().splitlines()
    assert disk_error in message and "cannot rollback" not in message, run.stdout
    assert kept == "[1, 2, 3]"


# Row 19: file modes of atomic writes.


def test_row19_atomic_writes_get_the_umask_mode_and_keep_an_existing_one(tmp_path):
    """Issue 10 row 19: atomic writes created 0600 files and turned an existing 0644 file into 0600."""
    previous = os.umask(0o022)
    try:
        new = tmp_path / "new.txt"
        write_atomic(new, "a")
        assert stat.S_IMODE(new.stat().st_mode) == 0o644
        kept = tmp_path / "kept.txt"
        kept.write_text("a")
        kept.chmod(0o640)
        write_atomic(kept, "b")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_text() == "b"
        moved = tmp_path / "moved.bin"  # a block that moves another file into place (a download) gets the same
        with atomic_path(moved) as tmp:
            download = tmp_path / "download.part"
            download.write_bytes(b"zip")
            download.chmod(0o600)
            os.replace(download, tmp)
        assert stat.S_IMODE(moved.stat().st_mode) == 0o644
    finally:
        os.umask(previous)


def test_row19_annotate_keeps_an_annotations_mode(home, capsys):
    """Issue 10 row 19: ``mlecurate annotate`` turned an existing 0644 annotation into 0600."""
    previous = os.umask(0o022)
    try:
        args = ["annotate", SLUG, "--curator", "alice", "--allow-unknown", "--decision", "include"]
        assert main(args) == 0
        annotation = next(Path(os.environ["MLECURATE_ANNOTATIONS"]).rglob("alice.yaml"))
        assert stat.S_IMODE(annotation.stat().st_mode) == 0o644
        annotation.chmod(0o664)
        assert main([*args[:-1], "exclude", "--reason", "a test"]) == 0
        assert stat.S_IMODE(annotation.stat().st_mode) == 0o664
    finally:
        os.umask(previous)
