"""The commands people type: the acceptance run on real Meta Kaggle, and `dagster dev` serving the catalogue.

These start real processes (seconds each), as a person types them: `dagster asset materialize` here (the README's
runs go through the named jobs, `dagster job execute`, which tests/test_readme_examples.py runs as written).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from tests.conftest import META_KAGGLE, MLEBENCH_CATEGORIES, PROJECT, SHARED

BIN = Path(sys.executable).parent
SELECTION = "meta_kaggle_competitions,candidate_competitions,competition_annotations,curated_competitions"


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLECURATE_", "DAGSTER_"))}
    return env | {
        "MLECURATE_HOME": str(tmp_path / "home"),
        "MLECURATE_ANNOTATIONS": str(tmp_path / "annotations"),
        **extra,
    }


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(args, env=env, cwd=PROJECT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.mark.slow
def test_acceptance_on_the_march_2024_dump(tmp_path):
    env = _environment(tmp_path, MLECURATE_META_KAGGLE=str(META_KAGGLE))
    _run([str(BIN / "mlecurate"), "import-mlebench", str(MLEBENCH_CATEGORIES)], env)
    _run([str(BIN / "dagster"), "asset", "materialize", "-m", "pipelines", "--select", SELECTION], env)
    with duckdb.connect(str(tmp_path / "home" / "warehouse.duckdb"), read_only=True) as con:
        count = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        assert count("SELECT count(*) FROM meta_kaggle.competitions") == 5669
        assert count("SELECT count(*) FROM curation.candidates") == 5669
        assert count("SELECT count(*) FROM curation.candidates WHERE is_candidate") <= 582
        assert count("SELECT count(*) FROM curation.curated") == 75  # 73 in the dump, 2 launched after it
    summary = _run([str(BIN / "mlecurate"), "summary"], env).stdout
    assert "curated by complexity: 15 high, 22 low, 38 medium" in summary


@pytest.mark.slow
def test_definitions_validate_through_the_workspace(tmp_path):
    done = _run([str(BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml"], _environment(tmp_path))
    assert "All code locations passed validation" in done.stdout + done.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, data: bytes | None = None) -> dict:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


SCHEDULES = b'{"query": "{ repositoriesOrError { ... on RepositoryConnection { nodes { schedules { name cronSchedule } } } } }"}'


@pytest.mark.slow
def test_dagster_dev_serves_the_catalogue(tmp_path):
    port = _free_port()
    env = _environment(tmp_path, DAGSTER_HOME=str(tmp_path / "dagster"))
    (tmp_path / "dagster").mkdir()
    # dagster dev ignores SIGINT/SIGTERM when started from a script unless the default handlers are restored.
    server = subprocess.Popen(
        ["setsid", "env", "--default-signal=INT,TERM", str(BIN / "dagster"), "dev", "-w", "workspace.yaml",
         "-h", "127.0.0.1", "-p", str(port)],
        env=env, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        query = b'{"query": "{ assetNodes { assetKey { path } groupName description } }"}'
        while True:
            try:
                info = _get(f"{base}/server_info")
                nodes = _get(f"{base}/graphql", query)["data"]["assetNodes"]
                if nodes:
                    break
            except (OSError, KeyError, TypeError):
                pass
            assert time.monotonic() < deadline, "dagster dev did not serve the catalogue within 120 s"
            time.sleep(1)
        assert "dagster_webserver_version" in info
        assert {"/".join(n["assetKey"]["path"]) for n in nodes} == {
            *SELECTION.split(","),
            "competition_raw",
            "competition_split",
            "split_parity",
            "leaderboard_snapshots",
            "benchmark_export",
        }
        schedules = _get(f"{base}/graphql", SCHEDULES)["data"]["repositoriesOrError"]["nodes"][0]["schedules"]
        assert [s["name"] for s in schedules] == ["leaderboard_refresh_schedule"]
        assert schedules[0]["cronSchedule"] == "0 6 * * 1"
        assert all(
            n["groupName"] in {"meta_kaggle", "curation", "competition_data", "leaderboards", "benchmark"}
            and n["description"]
            for n in nodes
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)


def _mirror_zip(folder: Path, slug: str, shuffle_seed: int | None = None) -> None:
    """``<folder>/<slug>/<slug>.zip`` as Kaggle ships it; optionally with the train rows shuffled."""
    import csv
    import io
    import random
    import zipfile

    from tests.kaggle_stub import KaggleStub

    source = SHARED / "competitions" / slug
    data = KaggleStub(competitions={slug: source}).competition_zip(slug)
    if shuffle_seed is not None:
        rows = list(csv.reader(io.StringIO((source / "train.csv").read_text(encoding="utf-8"))))
        body = rows[1:]
        random.Random(shuffle_seed).shuffle(body)
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows([rows[0], *body])
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
            with zipfile.ZipFile(io.BytesIO(data)) as original:
                for member in original.namelist():
                    if member != "train.zip":
                        bundle.writestr(member, original.read(member))
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as train_zip:
                train_zip.writestr("train.csv", text.getvalue())
            bundle.writestr("train.zip", inner.getvalue())
        data = buffer.getvalue()
    (folder / slug).mkdir(parents=True, exist_ok=True)
    (folder / slug / f"{slug}.zip").write_bytes(data)


@pytest.mark.slow
def test_acceptance_split_from_a_mirror_is_reproducible(tmp_path):
    slug = "spooky-author-identification"
    mirror = tmp_path / "mirror"
    _mirror_zip(mirror, slug)
    (tmp_path / "dagster").mkdir()
    env = _environment(tmp_path, MLECURATE_META_KAGGLE=str(META_KAGGLE), MLECURATE_KAGGLE_MIRROR=str(mirror),
                       DAGSTER_HOME=str(tmp_path / "dagster"))  # fmt: skip
    recipe = PROJECT / "splits" / "recipes" / f"{slug}.yaml"
    _run([str(BIN / "mlecurate"), "annotate", slug, "--curator", "alice", "--decision", "include",
          "--complexity", "low", "--split-recipe", str(recipe)], env)  # fmt: skip
    _run([str(BIN / "dagster"), "asset", "materialize", "-m", "pipelines", "--select", SELECTION], env)
    prepare = [str(BIN / "dagster"), "asset", "materialize", "-m", "pipelines",
               "--select", "competition_raw,competition_split", "--partition", slug]  # fmt: skip

    def checksums() -> dict:
        manifest = json.loads((tmp_path / "home" / "prepared" / slug / "manifest.json").read_text())
        return {f["path"]: f.get("checksum") for f in manifest["files"]}

    _run(prepare, env)
    prepared = tmp_path / "home" / "prepared" / slug
    assert sorted(str(p.relative_to(prepared)) for p in prepared.rglob("*") if p.is_file()) == [
        "manifest.json", "private/answers.csv", "public/description.md", "public/sample_submission.csv",
        "public/test.csv", "public/train.csv",
    ]  # fmt: skip
    first = checksums()
    assert first["public/test.csv"].startswith("v1:1958:")
    _run(prepare, env)
    assert checksums() == first
    _mirror_zip(mirror, slug, shuffle_seed=3)  # the same rows, in another order
    _run(prepare, env)
    assert checksums() == first
    with duckdb.connect(str(tmp_path / "home" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM splits.manifest WHERE slug = ?", [slug]).fetchone()[0] == 5
