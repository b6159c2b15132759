"""Meta Kaggle sources: the demo, a folder, and Kaggle itself (the real client against the stub server)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from curation.meta_kaggle import read_competitions
from curation.sources import SourceError, choose_sources
from curation.sources.demo_meta_kaggle import demo_competitions_csv, write_demo_meta_kaggle
from curation.sources.kaggle_client import KaggleClient
from tests.conftest import DUMPS, META_KAGGLE, PROJECT
from tests.kaggle_stub import KaggleStub


def test_demo_is_deterministic_and_shaped_like_the_real_dump(tmp_path):
    first = write_demo_meta_kaggle(tmp_path / "a").read_bytes()
    second = write_demo_meta_kaggle(tmp_path / "b").read_bytes()
    assert first == second
    real_header = DUMPS["2024-03"].read_bytes().split(b"\r\n", 1)[0]
    assert first.split(b"\r\n", 1)[0] == real_header  # same 42 columns, same order, same quoting
    assert first.split(b"\r\n")[1].startswith(b'"10000","')  # every field double-quoted
    parsed = read_competitions(tmp_path / "a" / "Competitions.csv")
    frame = parsed.table.to_pandas()
    assert 2000 <= len(frame) <= 5000
    shares = frame["host_segment"].value_counts(normalize=True)
    assert 0.85 < shares["Community"] < 0.93 and {"Featured", "Research", "Playground"} <= set(shares.index)
    assert (frame["enabled_date"].dt.year == 2000).sum() >= 2  # the dump's placeholder launch date
    assert frame["evaluation_algorithm_is_max"].isna().sum() == 1  # as in the real dump


def test_demo_is_not_rewritten_when_unchanged(tmp_path):
    path = write_demo_meta_kaggle(tmp_path)
    before = path.stat().st_mtime_ns
    write_demo_meta_kaggle(tmp_path)
    assert path.stat().st_mtime_ns == before
    assert hashlib.sha256(path.read_bytes()).hexdigest() == hashlib.sha256(demo_competitions_csv().encode()).hexdigest()


def _competitions_file(setting: str, workdir: Path) -> Path:
    return choose_sources(setting, KaggleClient()).meta_kaggle.competitions_file(workdir).path


def test_folder_source_accepts_folder_or_file(tmp_path):
    assert _competitions_file(str(META_KAGGLE), tmp_path) == DUMPS["2024-03"]
    assert _competitions_file(str(DUMPS["2022-03"]), tmp_path) == DUMPS["2022-03"]


def test_folder_without_competitions_csv_is_explained(tmp_path):
    with pytest.raises(SourceError, match=r"MLECURATE_META_KAGGLE='.*': no Competitions.csv there"):
        _competitions_file(str(tmp_path), tmp_path)


FETCH = (
    "from curation.settings import Settings; from curation.sources import choose_sources;"
    "from curation.sources.kaggle_client import KaggleClient; s = Settings.from_environment();"
    "print(choose_sources('kaggle', KaggleClient(s.kaggle)).meta_kaggle.competitions_file(s.data_root().sources('kaggle')).path)"
)


def _fetch_through_stub(stub: KaggleStub, home, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAGGLE_") and "proxy" not in k.lower()}
    env |= stub.client_environment() | {"MLECURATE_HOME": str(home), "HOME": str(home)} | (extra_env or {})
    return subprocess.run([sys.executable, "-c", FETCH], env=env, cwd=PROJECT, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


@pytest.fixture
def stub():
    server = KaggleStub(datasets={"kaggle/meta-kaggle": META_KAGGLE}).start()
    yield server
    server.stop()


@pytest.mark.parametrize("zipped", [False, True], ids=["plain", "zipped"])
def test_kaggle_source_downloads_only_competitions_csv(stub, home, zipped):
    stub.zip_files = zipped
    done = _fetch_through_stub(stub, home)
    assert done.returncode == 0, done.stderr
    path = done.stdout.strip().splitlines()[-1]
    assert path == str(home / "sources" / "meta-kaggle" / "Competitions.csv")
    assert hashlib.sha256(Path(path).read_bytes()).digest() == hashlib.sha256(DUMPS["2024-03"].read_bytes()).digest()
    api_calls = [r for r in stub.requests if r["verb"] == "POST"]
    assert [r["method"] for r in api_calls] == ["DownloadDataset"]
    assert api_calls[0]["body"] == {"ownerSlug": "kaggle", "datasetSlug": "meta-kaggle", "fileName": "Competitions.csv"}
    assert sorted(os.listdir(home / "sources" / "meta-kaggle")) == ["Competitions.csv"]  # no temp or zip left


def test_kaggle_source_retries_429_and_5xx_and_never_prints_the_key(stub, home):
    stub.fail("DownloadDataset", 429, "Too many requests", retry_after=0)
    stub.fail("DownloadDataset", 503, "Service Unavailable")
    done = _fetch_through_stub(stub, home)
    assert done.returncode == 0, done.stderr
    assert [r["method"] for r in stub.requests if r["verb"] == "POST"] == ["DownloadDataset"] * 3
    assert "stub-secret-key" not in done.stdout + done.stderr


def test_kaggle_source_reports_a_refusal_without_secrets(stub, home):
    stub.fail("DownloadDataset", 403, "Permission denied")
    done = _fetch_through_stub(stub, home)
    assert done.returncode != 0
    assert (
        "download Competitions.csv of dataset kaggle/meta-kaggle: Kaggle answered 403: Permission denied" in done.stderr
    )
    assert "stub-secret-key" not in done.stdout + done.stderr
    assert not (home / "sources" / "meta-kaggle" / "Competitions.csv").exists()


def test_kaggle_source_without_credentials_says_how_to_set_them(stub, home):
    env = {"KAGGLE_USERNAME": "", "KAGGLE_KEY": "", "KAGGLE_CONFIG_DIR": str(home / "no-config")}
    done = _fetch_through_stub(stub, home, env)
    assert done.returncode != 0
    assert "no Kaggle credentials: set KAGGLE_API_TOKEN, or KAGGLE_USERNAME and KAGGLE_KEY" in done.stderr
    assert stub.requests == []
