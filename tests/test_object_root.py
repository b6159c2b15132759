"""An object-storage data root (``MLECURATE_HOME=s3://bucket/prefix``, ``validation.object_root``): scopes pushed and
pulled against a real moto server on loopback, and the demo's curation and three competitions prepared through it,
each stage in a mirror of its own, with the same results as a local data root."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from starlette.testclient import TestClient

from assets import annotations, candidates, competition_data, leaderboards, meta_kaggle, parity
from assets.partitions import curated_competition_partitions
from assets.resources import SourcesResource, StorageResource
from curation.cli import main
from curation.cli.options import Curation
from curation.cli.serve import served_app
from curation.settings import Settings, SettingsError
from curation.workbench.app import COOKIE
from validation.data_root import ANNOTATIONS, CANDIDATES, COMPETITIONS, CONSOLIDATED, CURATED, DataRoot
from validation.object_root import INDEX, ObjectRoot, ObjectRootError

BUCKET = "mlecurate-test"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def endpoint():
    """A moto S3 server on 127.0.0.1 (a free port) with an empty bucket BUCKET; moto's dummy credentials set."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request
    saved = {name: os.environ.get(name) for name in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    import boto3

    boto3.client("s3", endpoint_url=url).create_bucket(Bucket=BUCKET)
    try:
        yield url
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def bucket_keys(endpoint: str, prefix: str) -> dict[str, str]:
    """Every key under ``prefix`` and its ETag (changes when the object is written again)."""
    import boto3

    listed = boto3.client("s3", endpoint_url=endpoint).list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return {item["Key"]: item["ETag"] for item in listed.get("Contents", [])}


def objects_in(mirror: Path, endpoint: str, prefix: str) -> ObjectRoot:
    return ObjectRoot(f"s3://{BUCKET}/{prefix}", mirror / ".sync", mirror, endpoint)


def write(folder: Path, files: dict[str, str | bytes]) -> None:
    for relpath, content in files.items():
        path = folder / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)


def contents(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


SPLIT = {"manifest.json": '{"rows": 3}', "public/train.csv": "id,y\n1,0\n2,1\n", "private/answers.csv": "id,y\n3,1\n"}


def test_push_then_pull_into_another_mirror_gives_the_same_files(tmp_path, endpoint):
    writer, reader = objects_in(tmp_path / "a", endpoint, "round"), objects_in(tmp_path / "b", endpoint, "round")
    write(
        tmp_path / "a" / "prepared" / "titanic",
        SPLIT | {".titanic.partial": "temporary", "big.bin": os.urandom(3 << 20)},
    )
    pushed = writer.push("prepared/titanic")
    assert pushed.published and pushed.uploaded == 4  # not the hidden temporary
    pulled = reader.pull("prepared/titanic")
    assert pulled.generation == pushed.generation and pulled.downloaded == 4
    expected = contents(tmp_path / "a" / "prepared" / "titanic")
    del expected[".titanic.partial"]
    assert contents(tmp_path / "b" / "prepared" / "titanic") == expected
    assert reader.pull("prepared/titanic").downloaded == 0  # already the published version
    assert reader.scopes("prepared") == ["prepared/titanic"] and reader.scopes("raw") == []


def test_only_pulls_the_files_it_selects(tmp_path, endpoint):
    writer, reader = objects_in(tmp_path / "a", endpoint, "only"), objects_in(tmp_path / "b", endpoint, "only")
    write(tmp_path / "a" / "prepared" / "titanic", SPLIT)
    writer.push("prepared/titanic")
    reader.pull("prepared/titanic", only=("manifest.json", "public/*"))
    assert set(contents(tmp_path / "b" / "prepared" / "titanic")) == {"manifest.json", "public/train.csv"}


def test_unchanged_files_are_not_uploaded_again(tmp_path, endpoint):
    objects = objects_in(tmp_path, endpoint, "unchanged")
    write(tmp_path / "prepared" / "titanic", SPLIT)
    first = objects.push("prepared/titanic")
    keys = bucket_keys(endpoint, "unchanged/")
    again = objects.push("prepared/titanic")
    assert not again.published and again.generation == first.generation and bucket_keys(endpoint, "unchanged/") == keys
    write(tmp_path / "prepared" / "titanic", {"manifest.json": '{"rows": 4}'})
    changed = objects.push("prepared/titanic")
    assert (changed.uploaded, changed.reused, changed.deleted) == (1, 2, 1)
    now = bucket_keys(endpoint, "unchanged/")
    for relpath in ("public/train.csv", "private/answers.csv"):  # the same objects, not written again
        key = f"unchanged/prepared/titanic/{first.generation}/{relpath}"
        assert now[key] == keys[key]
    assert f"unchanged/prepared/titanic/{first.generation}/manifest.json" not in now  # the replaced one deleted
    index = json.loads(objects.fs.cat_file(objects.key("prepared/titanic", INDEX)))
    assert index["files"]["manifest.json"]["key"] == f"{changed.generation}/manifest.json"


def test_a_push_killed_before_its_index_leaves_the_previous_version_published(tmp_path, endpoint, monkeypatch):
    writer, reader = objects_in(tmp_path / "a", endpoint, "killed"), objects_in(tmp_path / "b", endpoint, "killed")
    folder = tmp_path / "a" / "prepared" / "titanic"
    write(folder, SPLIT)
    writer.push("prepared/titanic")
    before = contents(folder)
    write(folder, {"manifest.json": '{"rows": 99}', "public/train.csv": "id,y\n9,9\n"})

    def killed(path, value, **kwargs):  # the process dies where the index would be written
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(writer.fs, "pipe_file", killed)
    with pytest.raises(KeyboardInterrupt):
        writer.push("prepared/titanic")
    uploaded = [key for key in bucket_keys(endpoint, "killed/") if key.endswith("public/train.csv")]
    assert len(uploaded) == 2  # the new file is on the bucket, under a generation no index names
    reader.pull("prepared/titanic")
    assert contents(tmp_path / "b" / "prepared" / "titanic") == before  # byte for byte the previous version


def test_a_damaged_download_is_an_error_naming_the_key_and_scope(tmp_path, endpoint):
    writer, reader = objects_in(tmp_path / "a", endpoint, "damaged"), objects_in(tmp_path / "b", endpoint, "damaged")
    write(tmp_path / "a" / "raw" / "titanic", {"download.json": "{}"})
    pushed = writer.push("raw/titanic")
    key = writer.key("raw/titanic", f"{pushed.generation}/download.json")
    writer.fs.pipe_file(key, b'{"tampered": true}')
    with pytest.raises(ObjectRootError, match=rf"s3://{key} \(scope raw/titanic\): downloaded sha256"):
        reader.pull("raw/titanic")
    assert not (tmp_path / "b" / "raw" / "titanic" / "download.json").exists()
    assert not list((tmp_path / "b").rglob("*.partial"))


def test_pull_removes_the_files_the_index_dropped(tmp_path, endpoint):
    writer, reader = objects_in(tmp_path / "a", endpoint, "dropped"), objects_in(tmp_path / "b", endpoint, "dropped")
    write(tmp_path / "a" / "status" / "titanic", {"split.json": "{}", "parity.json": "{}"})
    writer.push("status/titanic")
    reader.pull("status/titanic")
    (tmp_path / "a" / "status" / "titanic" / "split.json").unlink()  # the stage succeeded since
    writer.push("status/titanic")
    write(tmp_path / "b" / "status" / ".titanic.staging", {"x": "kept: a temporary of a step"})
    assert reader.pull("status/titanic").removed == 1
    assert set(contents(tmp_path / "b" / "status")) == {"titanic/parity.json", ".titanic.staging/x"}


def test_a_bucket_that_does_not_exist_is_named(tmp_path, endpoint):
    objects = ObjectRoot("s3://no-such-bucket/data", tmp_path / ".sync", tmp_path, endpoint)
    with pytest.raises(
        ObjectRootError, match="MLECURATE_HOME=s3://no-such-bucket/data: bucket 'no-such-bucket' does not"
    ):
        objects.pull("raw/titanic")


@pytest.mark.parametrize(
    "home, found",
    [
        ("gs://bucket/data", "MLECURATE_HOME='gs://bucket/data': unknown scheme 'gs'"),
        ("s3:///data", "MLECURATE_HOME='s3:///data': expected s3://bucket/prefix"),
    ],
)
def test_an_object_home_the_settings_cannot_use_is_named(home, found):
    with pytest.raises(SettingsError, match=found):
        Settings.from_environment({"MLECURATE_HOME": home})


def test_settings_of_an_object_home(tmp_path):
    settings = Settings.from_environment({"MLECURATE_HOME": "s3://bucket/some/prefix/", "MLECURATE_MIRROR": str(tmp_path),
                                          "MLECURATE_S3_ENDPOINT_URL": "http://127.0.0.1:9"})  # fmt: skip
    assert (settings.object_home, settings.home, settings.s3_endpoint_url) == (
        "s3://bucket/some/prefix", tmp_path, "http://127.0.0.1:9")  # fmt: skip
    objects = settings.object_root()
    assert (objects.bucket, objects.prefix, objects.mirror) == ("bucket", "some/prefix", tmp_path)
    local = Settings.from_environment({"MLECURATE_HOME": str(tmp_path), "MLECURATE_S3_ENDPOINT_URL": "http://x"})
    assert local.object_home is None and local.object_root() is None and local.home == tmp_path
    with pytest.raises(SettingsError, match="MLECURATE_ANNOTATIONS=.* an object-storage home keeps the annotations"):
        Settings.from_environment({"MLECURATE_HOME": "s3://bucket/data", "MLECURATE_ANNOTATIONS": str(tmp_path)})


# ------------------------------------------------------------------------------------------ the demo, end to end

CURATION = dg.load_assets_from_modules([meta_kaggle, candidates, annotations])
PREPARE = dg.load_assets_from_modules([competition_data, parity])
BOARDS = dg.load_assets_from_modules([leaderboards])
TABLES = [COMPETITIONS, CANDIDATES, ANNOTATIONS, CONSOLIDATED, CURATED]
SPLITS = 3


def demo(tmp_path: Path, monkeypatch, env: dict[str, str], storage) -> Path:
    """What `make demo` does, in this process: the demo's annotations (the command line), the curation job, then
    the first SPLITS curated competitions' leaderboards and prepare_competition, each stage with ``storage(stage)``;
    the folder the command line's data root is in."""
    for name in ("MLECURATE_HOME", "MLECURATE_ANNOTATIONS", "MLECURATE_MIRROR", "MLECURATE_S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MLECURATE_META_KAGGLE", "demo")
    assert main(["demo-annotations"]) == 0
    instance = dg.DagsterInstance.ephemeral()
    sources = SourcesResource(meta_kaggle="demo")
    done = dg.materialize(CURATION, instance=instance, resources={"sources": sources, "storage": storage("curation")})
    assert done.success
    slugs = instance.get_dynamic_partitions(curated_competition_partitions.name)[:SPLITS]
    for slug in sorted(slugs)[:SPLITS]:
        for assets, stage in ((BOARDS, "boards"), (PREPARE, "prepare")):
            done = dg.materialize(assets, partition_key=slug, instance=instance,
                                  resources={"sources": sources, "storage": storage(stage)})  # fmt: skip
            assert done.success, slug
    return Settings.from_environment().home


def manifests(root: DataRoot) -> dict[str, list]:
    """Each prepared competition's files as its manifest lists them: path, rows, content checksum, bytes."""
    return {
        folder.name: [[f.get(k) for k in ("path", "rows", "checksum", "bytes")] for f in json.loads(
            (folder / "manifest.json").read_text())["files"]]
        for folder in sorted(root.prepared_root.iterdir()) if (folder / "manifest.json").is_file()
    }  # fmt: skip


def table_rows(warehouse: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def test_the_demo_on_an_object_home_equals_the_demo_on_a_local_one(tmp_path, endpoint, monkeypatch, capsys):
    local = tmp_path / "local"
    demo(tmp_path, monkeypatch, {"MLECURATE_HOME": str(local)}, lambda stage: StorageResource(home=str(local)))
    home = f"s3://{BUCKET}/demo"

    def storage(stage: str) -> StorageResource:  # every stage in a mirror of its own: only the bucket joins them
        return StorageResource(home=str(tmp_path / f"mirror-{stage}"), object_home=home, s3_endpoint_url=endpoint)

    cli = demo(tmp_path, monkeypatch, {"MLECURATE_HOME": home, "MLECURATE_MIRROR": str(tmp_path / "mirror-cli"),
                                       "MLECURATE_S3_ENDPOINT_URL": endpoint}, storage)  # fmt: skip
    capsys.readouterr()
    assert main(["summary"]) == 0  # the command line's mirror: the tables and every competition's small files
    summary = capsys.readouterr().out
    assert main(["curated"]) == 0
    curated = capsys.readouterr().out
    monkeypatch.setenv("MLECURATE_HOME", str(local))
    monkeypatch.delenv("MLECURATE_MIRROR")
    assert main(["summary"]) == 0
    assert summary.split("\n", 1)[1] == capsys.readouterr().out.split("\n", 1)[1]  # the same counts, views too
    assert main(["curated"]) == 0
    assert curated == capsys.readouterr().out  # the same stages: downloaded, published, parity verdicts

    check = DataRoot(tmp_path / "mirror-check")
    objects = ObjectRoot(home, check.sync_records, check.path, endpoint)
    for scope in objects.scopes("prepared"):
        objects.pull(scope)
    assert len(manifests(check)) == SPLITS
    assert manifests(check) == manifests(DataRoot(local))
    published = contents(check.prepared_root)
    assert set(published) == set(contents(local / "prepared"))
    differ = [relpath for relpath, content in contents(local / "prepared").items() if published[relpath] != content]
    assert sorted(differ) == sorted(f"{slug}/manifest.json" for slug in manifests(check))  # byte for byte but these
    for slug in manifests(check):  # which differ only in when the split was made
        made = [json.loads(root.prepared(slug).manifest.read_text()) for root in (check, DataRoot(local))]
        assert made[0].pop("created_at") != made[1].pop("created_at") and made[0] == made[1]
    for table in TABLES:
        assert table_rows(cli / "warehouse.duckdb", table) == table_rows(local / "warehouse.duckdb", table), table
    assert not (cli / "prepared").exists() or not any((cli / "prepared").rglob("*.csv"))  # listings pull no data

    # The workbench as `mlecurate serve` builds it: a save in the page reaches the bucket (another mirror sees it).
    slug = next(iter(manifests(check)))
    monkeypatch.setenv("MLECURATE_HOME", home)
    monkeypatch.setenv("MLECURATE_MIRROR", str(tmp_path / "mirror-page"))
    app = served_app(Curation())
    page = TestClient(app, base_url="http://127.0.0.1:3100")
    page.cookies.set(COOKIE, "grace")
    assert page.post(f"/competitions/{slug}", data={"note": "seen in the bucket"}).status_code == 200
    other = ObjectRoot(home, check.sync_records, check.path, endpoint)
    other.pull(f"annotations/{slug}")
    assert (tmp_path / "mirror-page" / "annotations" / slug / "grace.yaml").is_file()
    assert "seen in the bucket" in check.annotations.joinpath(slug, "grace.yaml").read_text()
