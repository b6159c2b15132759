"""An object-storage data root (``MLECURATE_HOME=s3://bucket/prefix``, ``validation.object_root``): scopes pushed and
pulled against a real moto server on loopback; writers that meet (two curators on one scope, overlapping pushes, a
push of an untouched scope, steps sharing one mirror, two workbench saves, a save while a page reads); and the demo's
curation and three competitions prepared through it, each stage in a mirror of its own, with the same results as a
local data root, exported from two mirrors."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
from starlette.testclient import TestClient

from assets import annotations, benchmark, candidates, competition_data, leaderboards, meta_kaggle, parity
from assets.partitions import curated_competition_partitions
from assets.resources import SourcesResource, StorageResource
from curation.annotations import AnnotationStore
from curation.cli import main
from curation.cli.options import Curation
from curation.cli.serve import served_app
from curation.settings import Settings, SettingsError
from curation.warehouse import WarehouseError
from curation.workbench.app import COOKIE
from validation import object_root
from validation.data_root import ANNOTATIONS, CANDIDATES, COMPETITIONS, CONSOLIDATED, CURATED, DataRoot, write_atomic
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
    assert (changed.uploaded, changed.reused, changed.deleted) == (1, 2, 0)
    now = bucket_keys(endpoint, "unchanged/")
    for relpath in ("public/train.csv", "private/answers.csv"):  # the same objects, not written again
        key = f"unchanged/prepared/titanic/{first.generation}/{relpath}"
        assert now[key] == keys[key]
    assert f"unchanged/prepared/titanic/{first.generation}/manifest.json" in now  # kept for the grace period
    index = json.loads(objects.fs.cat_file(objects.key("prepared/titanic", INDEX)))
    assert index["files"]["manifest.json"]["key"] == f"{changed.generation}/manifest.json"


def test_keys_no_index_names_are_deleted_only_after_the_grace_period(tmp_path, endpoint, monkeypatch):
    objects = objects_in(tmp_path, endpoint, "grace")
    folder = tmp_path / "prepared" / "titanic"
    write(folder, SPLIT)
    first = objects.push("prepared/titanic")
    write(folder, {"manifest.json": '{"rows": 4}'})
    assert objects.push("prepared/titanic").deleted == 0  # younger than UNREFERENCED_GRACE: maybe a push in flight
    monkeypatch.setattr(object_root, "UNREFERENCED_GRACE", -1.0)  # every key as if more than an hour old
    write(folder, {"manifest.json": '{"rows": 5}'})
    last = objects.push("prepared/titanic")
    assert (last.deleted, last.reused) == (2, 2)  # both replaced manifests, now unnamed and "old"
    named = {f"grace/prepared/titanic/{e['key']}" for e in objects.read_index("prepared/titanic")["files"].values()}
    assert set(bucket_keys(endpoint, "grace/")) == named | {"grace/prepared/titanic/index.json"}
    assert first.generation in " ".join(named)  # the files never replaced keep their first keys
    assert objects.push("prepared/titanic").deleted == 0  # no local change: no index written, nothing deleted


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


def test_two_curators_pushing_one_scope_both_are_published(tmp_path, endpoint):
    alice, bob = objects_in(tmp_path / "a", endpoint, "lost"), objects_in(tmp_path / "b", endpoint, "lost")
    scope = "annotations/titanic"
    alice.pull(scope), bob.pull(scope)  # both saves pull first
    write(tmp_path / "a" / scope, {"alice.yaml": "decision: include\n"})
    assert alice.push(scope).published
    write(tmp_path / "b" / scope, {"bob.yaml": "decision: exclude\n"})
    assert bob.push(scope).published  # merged by file into what alice published, not over it
    reader = objects_in(tmp_path / "c", endpoint, "lost")
    reader.pull(scope)
    assert contents(tmp_path / "c" / scope) == {
        "alice.yaml": b"decision: include\n",
        "bob.yaml": b"decision: exclude\n",
    }
    assert bob.pull(scope).downloaded == 1 and (tmp_path / "b" / scope / "alice.yaml").is_file()


def test_a_scope_pushed_untouched_keeps_the_newer_version_another_writer_published(tmp_path, endpoint):
    worker, cli = objects_in(tmp_path / "w", endpoint, "revert"), objects_in(tmp_path / "cli", endpoint, "revert")
    scope = "leaderboards/titanic"
    write(tmp_path / "w" / scope, {"history.jsonl": "refresh 1\n"})
    worker.push(scope)
    cli.pull(scope)  # import-leaderboards pulls every board, then pushes every one
    write(tmp_path / "w" / scope, {"history.jsonl": "refresh 1\nrefresh 2\n"})
    refreshed = worker.push(scope)
    keys = bucket_keys(endpoint, "revert/")
    untouched = cli.push(scope)
    assert not untouched.published and untouched.generation == refreshed.generation
    assert bucket_keys(endpoint, "revert/") == keys  # no upload, no index written
    reader = objects_in(tmp_path / "r", endpoint, "revert")
    reader.pull(scope)
    assert (tmp_path / "r" / scope / "history.jsonl").read_text() == "refresh 1\nrefresh 2\n"


def test_overlapping_pushes_of_one_scope_leave_no_dangling_key(tmp_path, endpoint):
    scope = "leaderboards/titanic"
    base = objects_in(tmp_path / "base", endpoint, "dangle")
    write(tmp_path / "base" / scope, {"history.jsonl": "h0\n", "snapshots/s0.parquet": "s0"})
    base.push(scope)
    x, y = objects_in(tmp_path / "x", endpoint, "dangle"), objects_in(tmp_path / "y", endpoint, "dangle")
    x.pull(scope), y.pull(scope)
    write(tmp_path / "x" / scope, {"history.jsonl": "h1-from-x\n"})  # x changes the history
    write(tmp_path / "y" / scope, {"snapshots/s0.parquet": "s0-from-y"})  # y changes the snapshot
    upload = y.fs.put_file

    def x_publishes_meanwhile(local, key, **kwargs):  # y has read the index and uploads; x publishes then
        upload(local, key, **kwargs)
        assert x.push(scope).published

    y.fs.put_file = x_publishes_meanwhile
    assert y.push(scope).published
    index = y.read_index(scope)
    assert all(y.fs.exists(y.key(scope, entry["key"])) for entry in index["files"].values())
    fresh = objects_in(tmp_path / "z", endpoint, "dangle")
    fresh.pull(scope)
    assert contents(tmp_path / "z" / scope) == {"history.jsonl": b"h1-from-x\n", "snapshots/s0.parquet": b"s0-from-y"}


def test_pull_leaves_local_work_and_push_publishes_it(tmp_path, endpoint):
    writer, mirror = objects_in(tmp_path / "w", endpoint, "work"), objects_in(tmp_path / "m", endpoint, "work")
    scope, folder = "prepared/titanic", tmp_path / "m" / "prepared" / "titanic"
    write(tmp_path / "w" / scope, {"a.csv": "a1", "b.csv": "b1", "c.csv": "c1", "gone.csv": "g1"})
    writer.push(scope)
    mirror.pull(scope)
    write(folder, {"a.csv": "a-local", "d.csv": "d-local"})  # a step of this mirror: changed, added, removed
    (folder / "b.csv").unlink()
    (tmp_path / "w" / scope / "gone.csv").unlink()
    write(tmp_path / "w" / scope, {"a.csv": "a2", "b.csv": "b2", "c.csv": "c2"})  # another writer, meanwhile
    writer.push(scope)
    pulled = mirror.pull(scope)
    assert (pulled.downloaded, pulled.removed, pulled.kept) == (1, 1, 2)  # c updated, gone removed; a, b kept
    assert contents(folder) == {"a.csv": b"a-local", "c.csv": b"c2", "d.csv": b"d-local"}
    pushed = mirror.push(scope)
    assert (pushed.uploaded, pushed.removed) == (2, 1)
    reader = objects_in(tmp_path / "r", endpoint, "work")
    reader.pull(scope)
    assert contents(tmp_path / "r" / scope) == {"a.csv": b"a-local", "c.csv": b"c2", "d.csv": b"d-local"}


def test_a_same_size_rewrite_with_the_same_mtime_is_a_change(tmp_path, endpoint):
    objects = objects_in(tmp_path, endpoint, "inode")
    path = tmp_path / "raw" / "titanic" / "download.json"
    write(path.parent, {"download.json": "AAAA"})
    objects.push("raw/titanic")
    mtime = path.stat().st_mtime_ns
    write_atomic(path, "BBBB")  # a new inode, as every atomic write makes
    os.utime(path, ns=(mtime, mtime))  # within one timestamp tick of the first
    assert objects.push("raw/titanic").uploaded == 1


def test_bucket_errors_name_the_key_and_scope(tmp_path, endpoint, monkeypatch):
    writer, reader = objects_in(tmp_path / "a", endpoint, "errors"), objects_in(tmp_path / "b", endpoint, "errors")
    write(tmp_path / "a" / "raw" / "titanic", {"download.json": "{}"})
    pushed = writer.push("raw/titanic")
    key = writer.key("raw/titanic", f"{pushed.generation}/download.json")
    writer.fs.rm(key)  # an index naming a key that is gone
    with pytest.raises(ObjectRootError, match=rf"s3://{key} \(scope raw/titanic\): the index names it but it does"):
        reader.pull("raw/titanic")

    def refused(*args, **kwargs):
        raise PermissionError("Access Denied")

    write(tmp_path / "a" / "raw" / "titanic", {"download.json": '{"again": 1}'})
    monkeypatch.setattr(writer.fs, "put_file", refused)
    with pytest.raises(ObjectRootError, match=r"s3://mlecurate-test/errors/raw/titanic/\S+/download.json \(scope "
                       r"raw/titanic\): upload failed: PermissionError: Access Denied"):  # fmt: skip
        writer.push("raw/titanic")


def test_a_shared_mirrors_unpushed_table_copy_survives_another_steps_sync(tmp_path, endpoint):
    home = f"s3://{BUCKET}/shared"

    def storage() -> StorageResource:  # make cluster's workers: one mirror, each step its own resource
        return StorageResource(home=str(tmp_path / "mirror"), object_home=home, s3_endpoint_url=endpoint)

    for version, before in enumerate((None, "v1")):
        if before:
            with storage().synced(tables=[CANDIDATES]):
                storage().warehouse().replace_table(CANDIDATES, pd.DataFrame({"slug": [before]}))
        step = storage().synced(tables=[CANDIDATES])
        step.__enter__()
        storage().warehouse().replace_table(CANDIDATES, pd.DataFrame({"slug": [f"new-{version}"]}))
        with storage().synced():  # another step (or the sensor's tick) enters and leaves meanwhile
            pass
        step.__exit__(None, None, None)
        check = objects_in(tmp_path / f"check-{version}", endpoint, "shared")
        check.pull(f"tables/{CANDIDATES}")
        copy = DataRoot(tmp_path / f"check-{version}").table_copy(CANDIDATES)
        assert pd.read_parquet(copy)["slug"].tolist() == [f"new-{version}"]
        assert storage().warehouse().read_table(CANDIDATES)["slug"].tolist() == [f"new-{version}"]


def page_curation(tmp_path: Path, endpoint: str, home: str) -> Curation:
    """The curation context ``mlecurate serve`` has, on the mirror ``tmp_path/page``."""
    return Curation(Settings.from_environment({"MLECURATE_HOME": home, "MLECURATE_MIRROR": str(tmp_path / "page"),
                                               "MLECURATE_S3_ENDPOINT_URL": endpoint}))  # fmt: skip


def test_two_saves_of_one_competition_both_reach_the_bucket(tmp_path, endpoint):
    home = f"s3://{BUCKET}/saves"
    curation = page_curation(tmp_path, endpoint, home)
    first = curation.annotations_synced("titanic")
    first.__enter__()
    curation.store.update("titanic", "alice", {"decision": "include", "reason": "ok"})
    with curation.annotations_synced("titanic"):  # the second save pulls before the first pushed
        assert (tmp_path / "page" / "annotations" / "titanic" / "alice.yaml").is_file()
        curation.store.update("titanic", "bob", {"decision": "include", "reason": "ok"})
    first.__exit__(None, None, None)
    reader = objects_in(tmp_path / "reader", endpoint, "saves")
    assert sorted(reader.read_index("annotations/titanic")["files"]) == ["alice.yaml", "bob.yaml"]


def test_the_workbench_saves_one_competition_at_a_time(tmp_path, monkeypatch):
    import threading
    import time

    from curation.workbench.app import Workbench, workbench_app

    class NoQueue:  # the queue needs the screened warehouse; this test is about the saves alone
        def neighbours(self, slug):
            return None, None

    monkeypatch.setattr(Workbench, "queue", lambda self, curator, filters: NoQueue())

    root = DataRoot(tmp_path)
    AnnotationStore(root.annotations).update("titanic", "ada", {"note": "known"})
    inside, most, lock = [0], [0], threading.Lock()

    @contextlib.contextmanager
    def saving(slug):  # a save's pull and push, slow enough for two to overlap
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.3)
        yield
        with lock:
            inside[0] -= 1

    app = workbench_app(Settings.from_environment({"MLECURATE_HOME": str(tmp_path)}), saving=saving)

    answers = []

    def save(curator):
        page = TestClient(app, base_url="http://127.0.0.1:3100", follow_redirects=False)
        page.cookies.set(COOKIE, curator)
        answers.append(page.post("/competitions/titanic", data={"note": curator}).status_code)

    threads = [threading.Thread(target=save, args=(name,)) for name in ("alice", "bob", "carol")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [303, 303, 303] and most[0] == 1
    assert {a.curator for a in AnnotationStore(root.annotations).for_competition("titanic")} >= {
        "alice",
        "bob",
        "carol",
    }


def test_a_save_while_a_page_reads_the_warehouse_succeeds(tmp_path, endpoint):
    home = f"s3://{BUCKET}/reading"
    worker = StorageResource(home=str(tmp_path / "worker"), object_home=home, s3_endpoint_url=endpoint)
    with worker.synced(tables=[CANDIDATES]):
        worker.warehouse().replace_table(CANDIDATES, pd.DataFrame({"slug": ["titanic"]}))
    curation = page_curation(tmp_path, endpoint, home)
    with curation.listing():  # what served_app does when it starts
        pass
    with duckdb.connect(str(tmp_path / "page" / "warehouse.duckdb"), read_only=True):  # a page being rendered
        with curation.annotations_synced("titanic"):
            curation.store.update("titanic", "alice", {"decision": "include", "reason": "ok"})
        found = rf"{tmp_path / 'page' / 'warehouse.duckdb'}: cannot open the warehouse read-write while this process"
        with pytest.raises(WarehouseError, match=found), curation.warehouse.connect():
            pass
    reader = objects_in(tmp_path / "reader", endpoint, "reading")
    assert list(reader.read_index("annotations/titanic")["files"]) == ["alice.yaml"]


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
SPLITS = 2  # competitions prepared (make demo prepares 3): two show each stage's storage at work


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


@pytest.fixture(scope="module")
def published(endpoint, tmp_path_factory):
    """The demo published on the bucket (prefix ``published``), each stage in a mirror of its own: the home, and
    ``storage(stage)`` for another stage's mirror."""
    tmp = tmp_path_factory.mktemp("published")
    home = f"s3://{BUCKET}/published"

    def storage(stage: str) -> StorageResource:
        return StorageResource(home=str(tmp / f"mirror-{stage}"), object_home=home, s3_endpoint_url=endpoint)

    with pytest.MonkeyPatch.context() as patch:
        demo(tmp, patch, {"MLECURATE_HOME": home, "MLECURATE_MIRROR": str(tmp / "mirror-cli"),
                          "MLECURATE_S3_ENDPOINT_URL": endpoint}, storage)  # fmt: skip
    return home, storage


def test_an_export_is_brought_up_to_date_from_another_mirror(published):
    home, storage = published
    exports = dg.load_assets_from_modules([benchmark])
    for machine in ("one", "two"):  # the second pulls the first's export.json, which names the bucket, not a mirror
        done = dg.materialize(exports, selection=["benchmark_export"], raise_on_error=False,
                              resources={"sources": SourcesResource(meta_kaggle="demo"),
                                         "storage": storage(f"export-{machine}")})  # fmt: skip
        assert done.success, [e.message for e in done.all_events if e.is_failure]
    written = json.loads((Path(storage("export-two").home) / "export" / "export.json").read_text())
    assert written["data_root"] == home and written["competitions"]


def test_a_split_whose_push_fails_records_no_materialization(published, monkeypatch):
    home, storage = published
    push = ObjectRoot.push

    def failing(self, scope):
        if scope.startswith("prepared/"):
            raise ConnectionError(f"network down pushing {scope}")
        return push(self, scope)

    monkeypatch.setattr(ObjectRoot, "push", failing)
    slug = storage("fresh").object_root().scopes("prepared")[0].split("/")[1]
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(curated_competition_partitions.name, [slug])
    done = dg.materialize(PREPARE, partition_key=slug, instance=instance, selection=["competition_split"],
                          resources={"sources": SourcesResource(meta_kaggle="demo"), "storage": storage("fresh")},
                          raise_on_error=False)  # fmt: skip
    kinds = [event.event_type_value for event in done.all_events]
    assert not done.success and "STEP_FAILURE" in kinds
    assert "ASSET_MATERIALIZATION" not in kinds
    assert instance.get_latest_materialization_event(dg.AssetKey("competition_split")) is None
