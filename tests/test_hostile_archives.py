"""Hostile archives, careless downloads and Kaggle's own words (issue 10: rows 2, 14 and 22, and build point 2).

- row 2: every archive (competition data, a leaderboard download, a Meta Kaggle file Kaggle zipped) is read by the one
  reader, ``validation.archives``, under the same limits, counted while streaming;
- row 14: a download is verified (extracts under the limits, holds at least one file) before it replaces the previous
  one; a refused one leaves the previous zip, files/ and download.json, all from one download, and is recorded;
- row 22: whatever Kaggle answers is redacted before it becomes a message, a record or a log line;
- build 2: failures that cannot succeed (a refused archive, credentials or request Kaggle refused) fail once, at once;
  transient ones (429, 5xx, timeouts) are retried.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import re
import subprocess
import sys
import tarfile
import time
import traceback
import zipfile
import zlib
from pathlib import Path

import dagster as dg
import py7zr
import pytest
import requests

from assets.competition_data import competition_raw
from assets.leaderboards import leaderboard_snapshots
from assets.partitions import curated_competition_partitions
from assets.resources import SourcesResource, StorageResource
from curation.competition_data import fetch_competition, read_download_record
from curation.competition_profile import CompetitionProfile
from curation.sources import SOURCES, FolderSource
from curation.sources.base import NotProvided
from curation.sources.kaggle_client import (
    KaggleClient,
    KaggleCredentials,
    KaggleCredentialsError,
    KaggleError,
    _extract_single_member,
    redact_credentials,
)
from curation.stage_status import data_status
from tests.conftest import PROJECT, SHARED
from tests.kaggle_stub import KaggleStub, hostile_zip
from validation.archives import ArchiveError, UnsafeArchiveError, ZipLimits, extract_zip, open_zip
from validation.data_root import DataRoot, atomic_path
from validation.leaderboard import LeaderboardError, parse_leaderboard

SLUG = "hostile-comp"
BOARD_HEADER = b"TeamId,TeamName,SubmissionDate,Score\n"
STUB_KEY = "stub-secret-key-0123456789"  # what KaggleStub.client_environment configures as KAGGLE_KEY


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


def _expanding_zip(name: str, megabytes: int, header: bytes = b"") -> bytes:
    """A zip of a few hundred KB whose one CSV ``name`` expands to ``megabytes`` MB of rows."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with bundle.open(info, "w", force_zip64=True) as member:
            member.write(header)
            block = b"1,team,2024-01-01 00:00:00,0.5\n" * (1 << 15)
            for _ in range(megabytes * (1 << 20) // len(block)):
                member.write(block)
    return buffer.getvalue()


def _board_bomb(megabytes: int) -> bytes:
    return _expanding_zip("board-publicleaderboard.csv", megabytes, BOARD_HEADER)


# --- row 2: one reader, the same limits, for every archive ----------------------------------------------------------


def test_row2_a_leaderboard_zip_bomb_is_refused_before_it_is_read():
    """Row 2: a 100 MB board in a zip of a few hundred KB is refused from its declared ratio, in well under a second."""
    data = _board_bomb(100)
    assert len(data) < 1_000_000
    started = time.monotonic()
    with pytest.raises(LeaderboardError, match=r"Kaggle's board of x: member 'board-publicleaderboard.csv' compresses "
                                               r"[\d,]+:1, more than the 200:1 allowed"):  # fmt: skip
        parse_leaderboard(data, "Kaggle's board of x")
    assert time.monotonic() - started < 1


def test_row2_a_leaderboard_zip_that_lies_about_its_size_is_read_no_further_than_declared():
    """Row 2: a member whose header claims 1,000 bytes is never expanded past them (checked while streaming)."""
    data = bytearray(_zip({"board.csv": BOARD_HEADER + b"1,team,2024-01-01,0.5\n" * 400_000}))
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (1000).to_bytes(4, "little")  # the uncompressed size the zip declares
    with pytest.raises(LeaderboardError, match="lying.zip: member 'board.csv' cannot be read"):
        parse_leaderboard(bytes(data), "lying.zip")


def test_row2_a_leaderboard_zip_that_escapes_is_refused():
    """Row 2: a board zip is checked like competition data: a member outside the target is refused."""
    with pytest.raises(LeaderboardError, match=r"board.zip: member '\.\./board.csv' would be written outside"):
        parse_leaderboard(_zip({"../board.csv": BOARD_HEADER + b"1,t,2024-01-01,0.5\n"}), "board.zip")


def test_row2_a_zipped_meta_kaggle_file_is_extracted_under_the_limits(tmp_path):
    """Row 2: Competitions.csv as Kaggle zips it goes through the same reader: a zip bomb is refused, nothing written."""
    archive = tmp_path / "Competitions.csv.zip"
    archive.write_bytes(_expanding_zip("Competitions.csv", 300))
    final = tmp_path / "Competitions.csv"
    expected = r"download Competitions.csv: Competitions.csv.zip: member 'Competitions.csv' compresses [\d,]+:1"
    with pytest.raises(UnsafeArchiveError, match=expected), atomic_path(final) as target:
        _extract_single_member(archive, "Competitions.csv", target, "download Competitions.csv")
    assert not final.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["Competitions.csv.zip"]


def _run_against_stub(stub: KaggleStub, code: str, tmp_path: Path, argument: Path) -> subprocess.CompletedProcess:
    """``code`` in a fresh Python process (its own memory, its own stderr) with the real client pointed at ``stub``,
    no ambient Kaggle or mlecurate settings, ``argument`` as ``sys.argv[1]``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAGGLE_", "MLECURATE_")) and
           "proxy" not in k.lower()} | stub.client_environment() | {"HOME": str(tmp_path)}  # fmt: skip
    return subprocess.run([sys.executable, "-c", code, str(argument)], env=env, cwd=PROJECT,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def test_row2_the_leaderboard_download_from_kaggle_is_bounded(tmp_path):
    """Row 2, as reported: a small DownloadLeaderboard reply holding a huge CSV, through the real client and
    KaggleSource, is rejected as a LeaderboardError without the process ever holding the CSV."""
    stub = KaggleStub().start()
    try:
        stub.serve_leaderboard_archive("bomb-board", _board_bomb(150))
        code = (
            "import sys; from pathlib import Path; from curation.settings import Settings;"
            "from curation.sources.kaggle import KaggleSource; from curation.sources.kaggle_client import KaggleClient;"
            "from validation.leaderboard import LeaderboardError\n"
            "try:\n    KaggleSource(KaggleClient(Settings.from_environment().kaggle)).leaderboard('bomb-board', "
            "Path(sys.argv[1]))\nexcept LeaderboardError as error:\n    print('refused:', error)\n"
            # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent (pytest), VmHWM starts anew
            "print('peak MB', int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) // 1024)"
        )
        done = _run_against_stub(stub, code, tmp_path, tmp_path / "boards")
    finally:
        stub.stop()
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout.splitlines()
    assert out[0].startswith(
        "refused: Kaggle's leaderboard download for bomb-board: member 'board-publicleaderboard.csv' compresses"
    )
    assert int(out[-1].split()[-1]) < 400  # the CSV alone is 150 MB; read whole, the process passed 1 GB
    assert not list((tmp_path / "boards").glob("*.zip"))  # the download is not kept


# --- row 14: a download is verified before it replaces the previous one ---------------------------------------------


@pytest.fixture
def mirror(tmp_path) -> Path:
    folder = tmp_path / "mirror" / SLUG
    folder.mkdir(parents=True)
    return folder


def _serve(mirror: Path, members: dict[str, bytes]) -> None:
    (mirror / f"{SLUG}.zip").write_bytes(_zip(members))


def _state(raw) -> tuple:
    """What a split would read: the zip's members, files/ and their contents, and the record's facts of them."""
    record = read_download_record(raw)
    with zipfile.ZipFile(raw.archive) as bundle:
        members = sorted(bundle.namelist())
    files = {p.name: p.read_bytes() for p in sorted(raw.files.iterdir())}
    digest = hashlib.sha256(raw.archive.read_bytes()).hexdigest()
    return members, files, (record.status, record.zip_sha256, record.files), digest


@pytest.mark.parametrize("served, expected", [
    ({}, "the zip holds no files; nothing to extract"),
    ({"empty-folder/": b""}, "the zip holds no files"),
    ({"train.csv": b"id,y\n1,1\n", "../escape.csv": b"x"}, "'../escape.csv' would be written outside"),
    ({"train.zip": _zip({})}, "the zip holds no files"),  # a zip of an empty zip
])  # fmt: skip
def test_row14_a_refused_redownload_keeps_the_previous_download_whole(tmp_path, mirror, served, expected):
    """Row 14 and "also seen": an empty or unsafe zip never replaces the previous download; zip, files/ and
    download.json stay from the same download (so competition_split splits what the record describes), and the
    refusal is recorded beside it."""
    raw, source = DataRoot(tmp_path / "home").raw(SLUG), FolderSource(tmp_path / "mirror", name="mirror")
    _serve(mirror, {"train.csv": b"id,y\n1,0\n2,1\n"})
    first = fetch_competition(raw, source)
    before = _state(raw)
    assert before[1] == {"train.csv": b"id,y\n1,0\n2,1\n"} and before[2][1] == before[3] == first.zip_sha256
    (mirror / f"{SLUG}.zip").write_bytes(_zip(served))
    with pytest.raises(ArchiveError, match=expected):
        fetch_competition(raw, source)
    assert _state(raw) == before
    record = read_download_record(raw)
    assert record.status == "downloaded" and record.at == first.at
    assert (
        f"{SLUG}.zip (competition {SLUG}, from mirror)" in record.last_attempt_failed
        and expected in record.last_attempt_failed
    )
    assert sorted(p.name for p in raw.path.iterdir()) == ["download.json", "files", f"{SLUG}.zip"]  # no staging left
    root = DataRoot(tmp_path / "home")  # `mlecurate status` and `show` say both: the download kept, the one refused
    assert data_status(SLUG, root) == f"downloaded; last attempt failed: {record.last_attempt_failed}"
    assert (
        CompetitionProfile(SLUG, {}, None, record)
        .download_summary()
        .endswith(f"; last attempt failed: {record.last_attempt_failed}")
    )
    _serve(mirror, {"train.csv": b"id,y\n9,9\n"})  # the next good download replaces it, and clears the failure
    assert fetch_competition(raw, source).last_attempt_failed is None
    assert (raw.files / "train.csv").read_bytes() == b"id,y\n9,9\n"


def test_row14_an_empty_first_download_is_recorded_as_failed_and_leaves_nothing(tmp_path, mirror):
    """Row 14: with no previous download, an empty zip is a failed download: no zip or files/ under the final names."""
    raw, source = DataRoot(tmp_path / "home").raw(SLUG), FolderSource(tmp_path / "mirror", name="mirror")
    _serve(mirror, {})
    with pytest.raises(ArchiveError, match="holds no files"):
        fetch_competition(raw, source)
    record = read_download_record(raw)
    assert record.status == "failed" and "holds no files" in record.message
    assert sorted(p.name for p in raw.path.iterdir()) == ["download.json"]


def test_row14_extract_zip_keeps_the_earlier_extraction_when_a_zip_is_empty(tmp_path):
    """Row 14, in the reader itself: an empty zip is refused before the target is touched."""
    good, empty = tmp_path / "good.zip", tmp_path / "empty.zip"
    good.write_bytes(_zip({"train.csv": b"id\n1\n"}))
    empty.write_bytes(_zip({}))
    assert extract_zip(good, tmp_path / "out") == ["train.csv"]
    with pytest.raises(ArchiveError, match="empty.zip: the zip holds no files"):
        extract_zip(empty, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["train.csv"]


# --- row 22: Kaggle's words are redacted ----------------------------------------------------------------------------

KEY = "0123456789abcdef0123456789abcdef"  # shaped like a legacy Kaggle key


def _http_error(status: int, message: str):
    def call():
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps({"code": status, "message": message}).encode()
        raise requests.HTTPError(
            f"{status} Error for url: https://www.kaggle.com/api/v1/x?key={KEY}", response=response
        )

    return call


@pytest.mark.parametrize("status, message, secret", [
    (400, f"bad request from alice with key={KEY}", KEY),
    (401, "Authorization: Basic YWxpY2U6Y29uZmlndXJlZA== was refused", "YWxpY2U6Y29uZmlndXJlZA=="),
    (403, "token KGAT_0f1e2d3c4b5a69788796a5b4c3d2e1f0 lacks the competitions scope", "KGAT_0f1e2d3c"),
    (404, 'no such dataset for {"username": "alice", "key": "hunter2hunter2"}', "hunter2hunter2"),
    (400, "echo: the-configured-token-value", "the-configured-token-value"),  # the configured token, any shape
    (500, "Internal Server Error", KEY),  # retried, then given up: the request's URL carried a key
])  # fmt: skip
def test_row22_kaggle_errors_are_redacted_in_the_message_and_the_traceback(status, message, secret):
    """Row 22: a server message that echoes credentials is kept only redacted, in the message and in anything a log
    shows (the client's own exception is not chained)."""
    client = KaggleClient(KaggleCredentials(api_token="the-configured-token-value"), attempts=1)
    with pytest.raises(KaggleError) as caught:
        client._call("download the data of competition x", _http_error(status, message))
    shown = "".join(traceback.format_exception(caught.value))
    assert secret not in shown and "[redacted]" in shown
    assert str(caught.value).startswith("download the data of competition x: ")


def test_row22_redaction_keeps_the_words_a_curator_needs():
    """Row 22: redaction removes credentials, not the message: ordinary Kaggle answers pass unchanged."""
    for text in ["You must accept this competition's rules before you'll be able to download files.", "NotFound",
                 "Basic authentication failed", "Too many requests", "sha256 " + "a" * 64]:  # fmt: skip
        assert redact_credentials(text) == text
    assert redact_credentials(f"https://alice:pw@storage.kaggle.test/f.zip?sig={KEY}&x=1") == (
        "https://[redacted]@storage.kaggle.test/f.zip?[redacted]"
    )


def test_row22_an_echoed_key_never_reaches_download_json_or_the_output(tmp_path):
    """Row 22, end to end: the stub answers a download with the configured key in its message; download.json, stdout
    and stderr (the traceback) hold it only redacted."""
    stub = KaggleStub(competitions={"titanic": SHARED / "competitions" / "titanic"}).start()
    try:
        stub.fail("DownloadDataFiles", 400, f"Bad request: stub-user/{STUB_KEY} may not download")
        code = (
            "import sys; from pathlib import Path; from curation.competition_data import fetch_competition;"
            "from curation.settings import Settings; from curation.sources.kaggle import KaggleSource;"
            "from curation.sources.kaggle_client import KaggleClient; from validation.data_root import DataRoot;"
            "fetch_competition(DataRoot(Path(sys.argv[1])).raw('titanic'), "
            "KaggleSource(KaggleClient(Settings.from_environment().kaggle)))"
        )
        done = _run_against_stub(stub, code, tmp_path, tmp_path / "home")
    finally:
        stub.stop()
    assert (
        done.returncode != 0
        and "Kaggle answered 400: Bad request: stub-user/[redacted] may not download" in done.stderr
    )
    record = (tmp_path / "home" / "raw" / "titanic" / "download.json").read_text()
    assert STUB_KEY not in record + done.stdout + done.stderr and "[redacted]" in record
    assert [r["method"] for r in stub.requests] == ["DownloadDataFiles"]  # a 400 is not retried


# --- build 2: what cannot succeed is not retried ----------------------------------------------------------------------


@pytest.mark.parametrize("status, permanent", [(400, True), (401, True), (403, True), (404, True), (429, False),
                                               (500, False), (503, False)])  # fmt: skip
def test_build2_kaggle_failures_are_classified_permanent_or_transient(status, permanent):
    """Build 2: a refusal (4xx other than 429) is permanent; 429 and 5xx are retried, and stay retryable after."""
    client = KaggleClient(KaggleCredentials(api_token="t"), attempts=2, backoff_seconds=0)
    calls = []

    def call():
        calls.append(1)
        _http_error(status, "stub fault")()

    with pytest.raises(KaggleError) as caught:
        client._call("download x", call)
    assert caught.value.permanent is permanent
    assert len(calls) == (1 if permanent else 2)


def test_build2_timeouts_are_transient():
    """Build 2: a timeout is retried by the client, then left retryable for the orchestrator."""
    client = KaggleClient(KaggleCredentials(api_token="t"), attempts=2, backoff_seconds=0)
    calls = []

    def call():
        calls.append(1)
        raise requests.Timeout("read timed out")

    with pytest.raises(KaggleError, match="gave up after 2 attempts") as caught:
        client._call("download x", call)
    assert caught.value.permanent is False and len(calls) == 2


def test_build2_archive_errors_are_permanent():
    """Build 2: the same bytes fail the same way, so every archive refusal says it is permanent."""
    with pytest.raises(ArchiveError) as caught, open_zip(b"not a zip at all", "x.zip", ZipLimits()):
        pass
    assert caught.value.permanent is True and issubclass(UnsafeArchiveError, ArchiveError)


class _HostileSource:
    """Serves a zip bomb for every competition, and counts how often it was asked."""

    name = "hostile"
    calls: list[str] = []

    def download_competition(self, slug: str, folder: Path) -> Path:
        self.calls.append(slug)
        final = folder / f"{slug}.zip"
        with atomic_path(final) as tmp:
            tmp.write_bytes(hostile_zip("bomb"))
        return final

    def description(self, slug: str) -> str | None:
        return None


def _raw_from(source, tmp_path: Path, monkeypatch):
    """competition_raw of SLUG from ``source`` (a class with ``name`` and ``calls``): the result and its seconds."""
    monkeypatch.setitem(SOURCES, source.name, lambda kaggle: source())
    monkeypatch.setattr(source, "calls", [])
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(curated_competition_partitions.name, [SLUG])
    started = time.monotonic()
    result = dg.materialize(
        [competition_raw], partition_key=SLUG, instance=instance, raise_on_error=False,
        resources={"sources": SourcesResource(meta_kaggle=source.name), "storage": StorageResource(home=str(tmp_path))},
    )  # fmt: skip
    return result, time.monotonic() - started


def test_build2_a_hostile_zip_fails_once_fast_without_retry(tmp_path, monkeypatch):
    """Build 2, as reported (each hostile zip took about 130 s to fail): competition_raw fails at the first attempt,
    with the refusal as its description, and the retry policy does not run it again."""
    result, seconds = _raw_from(_HostileSource, tmp_path, monkeypatch)
    assert not result.success
    assert _HostileSource.calls == [SLUG]
    assert seconds < 25  # a retry waits 30 s first
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "zip bomb" in failure.step_failure_data.error.message
    assert json.loads((tmp_path / "raw" / SLUG / "download.json").read_text())["status"] == "failed"


class _MissingSource:
    """A mirror that does not hold the competition (a wrong or relative MLECURATE_KAGGLE_MIRROR), counting asks."""

    name = "missing"
    calls: list[str] = []

    def download_competition(self, slug: str, folder: Path) -> Path:
        self.calls.append(slug)
        raise NotProvided(f"{slug}: the mirror /nowhere has no {slug}/{slug}.zip and no folder {slug}/")

    def description(self, slug: str) -> str | None:
        return None


def test_a_competition_the_source_does_not_hold_fails_once_without_retry(tmp_path, monkeypatch):
    """A mirror without the competition was asked again after 30 s and after 90 s more: the same answer each time."""
    result, seconds = _raw_from(_MissingSource, tmp_path, monkeypatch)
    assert not result.success and _MissingSource.calls == [SLUG]
    assert seconds < 25  # a retry waits 30 s first
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert f"the mirror /nowhere has no {SLUG}/{SLUG}.zip" in failure.step_failure_data.error.message


class _RefusedSource:
    """A Kaggle whose credentials are rejected, counting how often it was asked for a board."""

    name = "refused"
    calls: list[str] = []

    def leaderboard(self, slug: str, workdir: Path):
        self.calls.append(slug)
        raise KaggleCredentialsError("Kaggle rejected the configured credentials")


def test_build2_rejected_credentials_fail_a_leaderboard_refresh_once(tmp_path, monkeypatch):
    """Build 2: a refresh Kaggle refuses (rejected credentials, 401/403) fails at once; the retry policy (60 s, then
    more) does not run it again."""
    monkeypatch.setitem(SOURCES, "refused", lambda kaggle: _RefusedSource())
    monkeypatch.setattr(_RefusedSource, "calls", [])
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(curated_competition_partitions.name, [SLUG])
    started = time.monotonic()
    result = dg.materialize(
        [leaderboard_snapshots], partition_key=SLUG, instance=instance, raise_on_error=False,
        resources={"sources": SourcesResource(meta_kaggle="refused"), "storage": StorageResource(home=str(tmp_path))},
    )  # fmt: skip
    assert not result.success and _RefusedSource.calls == [SLUG]
    assert time.monotonic() - started < 45
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "Kaggle rejected the configured credentials" in failure.step_failure_data.error.message


# --- inner archives: 7z and tar extracted in place like inner zips, under the same checks ---------------------------


def _seven_zip(members: dict[str, bytes], rename: tuple[str, str] | None = None) -> bytes:
    """A 7z of ``members``; ``rename`` swaps a member's name in the (plain) header for another of the same length,
    with the header's checksums recomputed, for a name py7zr's writer refuses (``../x.csv``)."""
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as archive:
        archive.set_encoded_header_mode(False)
        for name, data in members.items():
            archive.writestr(data, name)
    data = bytearray(buffer.getvalue())
    if rename:
        old, new = (name.encode("utf-16-le") for name in rename)
        data = bytearray(data.replace(old, new))
        offset, size = int.from_bytes(data[12:20], "little"), int.from_bytes(data[20:28], "little")
        data[28:32] = zlib.crc32(data[32 + offset : 32 + offset + size]).to_bytes(4, "little")
        data[8:12] = zlib.crc32(data[12:32]).to_bytes(4, "little")
    return bytes(data)


def _tar(members: dict[str, bytes], mode: str = "w:gz", special: tarfile.TarInfo | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as bundle:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
        if special is not None:
            bundle.addfile(special)
    return buffer.getvalue()


def _special(name: str, kind: bytes, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


TRAIN_ROWS = b"id,y\n" + b"".join(b"%d,%d\n" % (i, i % 2) for i in range(2000))


def test_inner_7z_and_tar_archives_are_extracted_in_place(tmp_path):
    """statoil's train.json.7z, inaturalist's .tar.gz and a plain .tar inside the competition's zip come out in place,
    one level deep (an archive inside them stays as it is), and the inner archives are gone."""
    archive = tmp_path / "comp.zip"
    archive.write_bytes(_zip({
        "train.json.7z": _seven_zip({"train.json": b'[{"id": 1, "y": 0}]'}),
        "images.tar.gz": _tar({"images/1.jpg": b"\xff\xd8", "images/deeper.zip": _zip({"x": b"1"})}),
        "extra/notes.tar": _tar({"notes.txt": b"hello"}, mode="w"),
        "test.csv": b"id\n2\n",
    }))  # fmt: skip
    files = extract_zip(archive, tmp_path / "out")
    assert files == ["extra/notes.txt", "images/1.jpg", "images/deeper.zip", "test.csv", "train.json"]
    assert (tmp_path / "out" / "train.json").read_bytes() == b'[{"id": 1, "y": 0}]'


def test_a_tar_compressed_with_7z_comes_out_whole(tmp_path):
    """Sweep 189: planet-understanding-the-amazon-from-space ships ``train-jpg.tar.7z``, a tar inside a 7z, which is
    one archive as a .tar.gz is; its tar was left unextracted and row_files found no image."""
    archive = tmp_path / "comp.zip"
    images = _tar({"train-jpg/train_0.jpg": b"\xff\xd8", "train-jpg/train_1.jpg": b"\xff\xd9"}, mode="w")
    archive.write_bytes(_zip({"train-jpg.tar.7z": _seven_zip({"train-jpg.tar": images}), "train_v2.csv": b"a\n"}))
    assert extract_zip(archive, tmp_path / "out") == ["train-jpg/train_0.jpg", "train-jpg/train_1.jpg",
                                                      "train_v2.csv"]  # fmt: skip
    named = _seven_zip({"data/images.tar": images})  # review 192: the tar under another name, in a folder
    archive.write_bytes(_zip({"train-jpg.tar.7z": named}))
    assert extract_zip(archive, tmp_path / "out1") == ["data/train-jpg/train_0.jpg", "data/train-jpg/train_1.jpg"]
    inner = _seven_zip({"a.tar": images})  # a tar inside a 7z of another name stays as it is, one level deep
    archive.write_bytes(_zip({"other.7z": inner}))
    assert extract_zip(archive, tmp_path / "out2") == ["a.tar"]


@pytest.mark.parametrize("inner, expected", [
    (_tar({"../evil.csv": b"1"}, mode="w"), "x.tar inside comp.zip: member '../evil.csv' would be written outside"),
    (_tar({"/etc/evil.csv": b"1"}), "member '/etc/evil.csv' would be written outside"),
    (_tar({"ok.csv": b"1"}, special=_special("link.csv", tarfile.SYMTYPE, "/etc/passwd")),
     "x.tar inside comp.zip: member 'link.csv' is a symbolic link"),
    (_tar({"ok.csv": b"1"}, special=_special("hard.csv", tarfile.LNKTYPE, "ok.csv")), "member 'hard.csv' is a hard link"),
    (_tar({"ok.csv": b"1"}, special=_special("tty", tarfile.CHRTYPE)), "member 'tty' is a device or special file"),
    (_tar({"a.csv": TRAIN_ROWS})[:-200], "x.tar inside comp.zip: member 'a.csv' cannot be read"),
    (b"not a tar at all", "x.tar inside comp.zip: the archive cannot be read"),
    (_tar({"zeros.csv": bytes(3_000_000)}),
     r"member 'zeros.csv' expands to 3,000,000 bytes, more than the [\d,]+ bytes left of the [\d,]+ allowed \(200 "
     r"times the archive's"),
])  # fmt: skip
def test_a_hostile_or_damaged_inner_tar_is_refused_naming_it_and_its_member(tmp_path, inner, expected):
    archive = tmp_path / "comp.zip"
    archive.write_bytes(_zip({"x.tar": inner, "train.csv": b"id\n1\n"}))
    with pytest.raises(ArchiveError, match=expected):
        extract_zip(archive, tmp_path / "out", ZipLimits(max_ratio=200))
    assert not (tmp_path / "out").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["comp.zip"]


@pytest.mark.parametrize("inner, limits, expected", [
    (_seven_zip({"big.csv": bytes(5_000_000)}), ZipLimits(),
     r"x.7z inside comp.zip: members \(the largest 'big.csv', 5,000,000 bytes\) expand [\d,]+:1 from the archive's "
     r"[\d,]+ bytes, more than the 200:1 allowed \(a 7z bomb\?\)"),
    (_seven_zip({"big.csv": bytes(5_000_000)}), ZipLimits(max_total_bytes=1_000_000, max_ratio=1e9),
     r"x.7z inside comp.zip: members expand to 5,000,000 bytes, more than the [\d,]+ bytes left of the 1,000,000 "
     r"allowed"),
    (_seven_zip({"xx/up.csv": b"1,2\n"}, rename=("xx/up.csv", "../up.csv")), ZipLimits(),
     "x.7z inside comp.zip: member '../up.csv' would be written outside the target folder"),
    (_seven_zip({"train.csv": TRAIN_ROWS})[:-40], ZipLimits(), "x.7z inside comp.zip: not a 7z archive, or a damaged"),
    (b"7z? no", ZipLimits(), "x.7z inside comp.zip: not a 7z archive, or a damaged one"),
])  # fmt: skip
def test_a_hostile_or_damaged_inner_7z_is_refused_naming_it(tmp_path, inner, limits, expected):
    archive = tmp_path / "comp.zip"
    archive.write_bytes(_zip({"x.7z": inner, "train.csv": b"id\n1\n"}))
    with pytest.raises(ArchiveError, match=expected):
        extract_zip(archive, tmp_path / "out", limits)
    assert not (tmp_path / "out").exists()


def test_a_7z_damaged_inside_a_member_names_the_member(tmp_path):
    data = bytearray(_seven_zip({"train.csv": TRAIN_ROWS}))
    data[40:60] = bytes(20)  # in the compressed stream, before the header at the end
    archive = tmp_path / "comp.zip"
    archive.write_bytes(_zip({"train.csv.7z": bytes(data)}))
    with pytest.raises(ArchiveError, match=r"train.csv.7z inside comp.zip: member 'train.csv' cannot be read"):
        extract_zip(archive, tmp_path / "out")


def test_a_7z_holding_a_symlink_is_refused(tmp_path):
    (tmp_path / "t.csv").write_text("1\n")
    (tmp_path / "l.csv").symlink_to("t.csv")
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as bundle:
        bundle.write(tmp_path / "t.csv", "t.csv")
        bundle.write(tmp_path / "l.csv", "l.csv")
    archive = tmp_path / "comp.zip"
    archive.write_bytes(_zip({"x.7z": buffer.getvalue()}))
    with pytest.raises(UnsafeArchiveError, match="x.7z inside comp.zip: member 'l.csv' is a symbolic link"):
        extract_zip(archive, tmp_path / "out")


def _seven_zip_twice(name: str) -> bytes:
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as archive:
        archive.writestr(b"first", name)
        archive.writestr(b"second", name)
    return buffer.getvalue()


@pytest.mark.parametrize("members, expected", [
    ({"x.tar": _tar({"train.csv": b"id\n9\n"}, mode="w"), "train.csv": b"id\n1\n"},
     "x.tar inside comp.zip: member 'train.csv' clashes with train.csv, already extracted"),
    ({"x.zip": _zip({"train.csv": b"id\n9\n"}), "train.csv": b"id\n1\n"},
     "x.zip inside comp.zip: member 'train.csv' clashes with train.csv"),
    ({"a.tar": _tar({"b.7z": _seven_zip({"deep.csv": b"1"})}, mode="w"), "b.7z": _seven_zip({"orig.csv": b"1"})},
     "a.tar inside comp.zip: member 'b.7z' clashes with b.7z"),
    ({"x.tar": _tar({".": b"1"}, mode="w")}, "x.tar inside comp.zip: member '.' names no file"),
    ({"x.tar": _tar({"a": b"1", "a/b": b"2"}, mode="w")},
     "x.tar inside comp.zip: member 'a/b' needs a folder where a file was extracted"),
    ({"x.7z": _seven_zip_twice("dup.csv")}, "x.7z inside comp.zip: member 'dup.csv' appears twice"),
])  # fmt: skip
def test_an_inner_archive_never_replaces_a_file_and_its_clash_is_named(tmp_path, members, expected):
    """Extraction used to overwrite: an inner tar's train.csv replaced the zip's own, an inner archive's b.7z replaced
    the zip's b.7z before it was extracted (two levels deep, orig.csv lost), and a file-then-folder clash escaped as
    a bare OSError, which Dagster retries as transient. Each is now a permanent refusal naming the member."""
    archive = tmp_path / "comp.zip"
    archive.write_bytes(_zip(members))
    with pytest.raises(UnsafeArchiveError, match=re.escape(expected)):
        extract_zip(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["comp.zip"]


@pytest.mark.parametrize("inner", ["zip", "tar", "7z"])
def test_the_same_file_in_two_inner_archives_is_kept_once(tmp_path, inner):
    """A sweep's multi-modal-gesture: a folder of samples ships in two of its 7z archives, byte for byte, and the
    whole download failed as a clash. A twin is kept once; other bytes under the same name are still refused."""
    pack = {"zip": _zip, "tar": lambda files: _tar(files, mode="w"), "7z": _seven_zip}[inner]
    sample = b"RIFF" + bytes(range(256)) * 8
    archive = tmp_path / "comp.zip"
    archive.write_bytes(_zip({f"a.{inner}": pack({"samples/s1.wav": sample, "samples/s2.wav": b"two"}),
                              f"b.{inner}": pack({"samples/s1.wav": sample, "labels.csv": b"id\n1\n"})}))  # fmt: skip
    files = extract_zip(archive, tmp_path / "out")
    assert files == ["labels.csv", "samples/s1.wav", "samples/s2.wav"]
    assert (tmp_path / "out" / "samples" / "s1.wav").read_bytes() == sample
    archive.write_bytes(_zip({f"a.{inner}": pack({"samples/s1.wav": sample}),
                              f"b.{inner}": pack({"samples/s1.wav": sample[:-1] + b"!"})}))  # fmt: skip
    with pytest.raises(UnsafeArchiveError, match=re.escape(
        f"b.{inner} inside comp.zip: member 'samples/s1.wav' clashes with samples/s1.wav, already extracted, and its "
        "bytes differ")):  # fmt: skip
        extract_zip(archive, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").rglob("*")) == ["labels.csv", "s1.wav", "s2.wav", "samples"]


@pytest.mark.parametrize("inner", ["zip", "tar", "7z"])
def test_twins_are_set_aside_where_no_member_name_can_reach(tmp_path, inner):
    """A review: the aside file was named after the member (``.s.wav.twin-0``): a member of that name crashed the
    extraction with a bare FileNotFoundError, and a twin of a 250-character name with 'File name too long'."""
    pack = {"zip": _zip, "tar": lambda files: _tar(files, mode="w"), "7z": _seven_zip}[inner]
    long_name = "x" * 250 + ".wav"
    archive = tmp_path / "comp.zip"
    archive.write_bytes(_zip({f"a.{inner}": pack({"s.wav": b"AAAA", long_name: b"L"}),
                              f"b.{inner}": pack({"s.wav": b"AAAA", ".s.wav.twin-0": b"mine", long_name: b"L"})}))  # fmt: skip
    (tmp_path / ".out.extracting.twins-killed").mkdir()  # a killed run's aside folder: cleared by the next
    assert extract_zip(archive, tmp_path / "out") == [".s.wav.twin-0", "s.wav", long_name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["comp.zip", "out"]  # no aside folder left behind


def test_a_twin_is_compared_byte_for_byte_whatever_its_size_and_time(tmp_path):
    """A review: filecmp's cache, keyed on the paths, sizes and modification times, took a second archive's other
    bytes for the first's twin where times are coarse (the aside name was reused by every archive)."""
    import os

    from validation.archives import UnsafeArchiveError, _Twins

    into = tmp_path / ".out.extracting"
    into.mkdir()
    original = into / "s.wav"
    original.write_bytes(b"AAAA")

    def set_aside(twins, content: bytes) -> None:
        aside = twins.aside(original, "s.wav")
        aside.write_bytes(content)
        os.utime(aside, (1_000_000, 1_000_000))  # the same time for both, as a coarse file system gives

    with _Twins("b.zip inside comp.zip", into) as twins:
        set_aside(twins, b"AAAA")
    clash = "member 's.wav' clashes with s.wav, already extracted, and its bytes differ"
    with pytest.raises(UnsafeArchiveError, match=clash), _Twins("c.zip inside comp.zip", into) as twins:
        set_aside(twins, b"BBBB")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.extracting"]


def test_a_bomb_of_archives_inside_an_archive_is_bounded_by_the_downloads_size(tmp_path):
    """Each member under 200:1, level by level, yet a zip inside the zip expanded 12,000:1 (a review: 33 KB to 402
    MB, where 2 TiB would take a 180 MB download): the whole is bounded by 200 times the download."""
    rng = random.Random(0)
    payload = rng.randbytes(1100) + bytes(200_000)  # about 170:1 under deflate: each member allowed
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as bundle:
        for i in range(300):
            bundle.writestr(f"train/{i:06d}.npy", payload)
    outer = tmp_path / "bomb.zip"
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as bundle:  # the inner zip deflates well again
        bundle.writestr("train.zip", inner.getvalue())
        bundle.writestr("train.csv", "id,target\n1,0\n")
    assert 300 * len(payload) > 200 * outer.stat().st_size
    with pytest.raises(UnsafeArchiveError, match=r"times the archive's [\d,]+ bytes, archives inside it included"):
        extract_zip(outer, tmp_path / "out", ZipLimits())
    assert not (tmp_path / "out").exists()


class _ManyFilesSource(_HostileSource):
    """Serves a download of 250 images and a train table (an image competition, small)."""

    name = "many-files"

    def download_competition(self, slug: str, folder: Path) -> Path:
        self.calls.append(slug)
        final, data = folder / f"{slug}.zip", io.BytesIO()
        with zipfile.ZipFile(data, "w") as bundle:
            bundle.writestr("train.csv", "id,label\n1,a\n")
            for i in range(250):
                bundle.writestr(f"train/{i:03d}.png", b"x")
        with atomic_path(final) as tmp:
            tmp.write_bytes(data.getvalue())
        return final


def test_a_download_of_many_files_names_the_first_in_its_metadata_and_counts_them_all(tmp_path, monkeypatch):
    """A review: an imet-sized download (170,000 files) put every name in competition_raw's metadata, 7.65 MB of
    markdown for the UI each materialisation; the first 200 are named, then how many more."""
    result, _ = _raw_from(_ManyFilesSource, tmp_path, monkeypatch)
    assert result.success
    metadata = result.asset_materializations_for_node("competition_raw")[0].metadata
    listed = metadata["files"].value.splitlines()
    assert len(listed) == 201 and listed[-1] == "- ... and 51 more" and metadata["file_count"].value == 251
