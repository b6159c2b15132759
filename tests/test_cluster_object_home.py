"""The stack of `make cluster` with its data root on object storage (`MLECURATE_HOME=s3://mlecurate/data make cluster`,
moto's server): the README's cluster commands and the Makefile's demo commands prepare the first two curated demo competitions on the Celery
workers, every step in the workers' mirror, the command line in a mirror of its own; the published files, the
command line's listings and the warehouse tables equal those of `make demo` on a local data root."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg
import pytest

from tests.test_cluster import CURATION_TABLES, HOST, celery_workers_by_step, rows, stack
from tests.test_object_root import manifests
from tests.ui_browser import demo_copy, prepare_partition
from validation.data_root import DataRoot
from validation.object_root import ObjectRoot

pytestmark = pytest.mark.cluster

HOME = "s3://mlecurate/data"
SPLITS = 2  # competitions prepared: two show the steps spread over the workers (make demo prepares 3)


@pytest.fixture(scope="module")
def s3_cluster():
    with stack({"MLECURATE_HOME": HOME, "MLECURATE_META_KAGGLE": "demo"}) as started:
        yield started


def make_demo(run, env: dict[str, str]) -> tuple[list[str], str, str]:
    """The Makefile's demo target's commands: the slugs prepared, and what `mlecurate summary` and `curated` print."""
    run("mlecurate", "demo-annotations", env=env)
    run("dagster", "job", "execute", "-m", "pipelines", "-j", "curation", env=env)
    slugs = run("mlecurate", "curated", "--slugs", "--limit", str(SPLITS), env=env).stdout.split()
    for slug in slugs:
        for job in ("refresh_leaderboards", "prepare_competition"):
            run("dagster", "job", "execute", "-m", "pipelines", "-j", job, "--tags",
                json.dumps({"dagster/partition": slug}), env=env)  # fmt: skip
    summary = run("mlecurate", "summary", env=env).stdout.split("\n", 1)[1]  # not the warehouse's path
    return slugs, summary, run("mlecurate", "curated", env=env).stdout


def test_the_demo_on_the_workers_through_the_bucket_equals_make_demo(
    s3_cluster, tmp_path, tmp_path_factory, monkeypatch
):
    env_sh = (s3_cluster.state / "env.sh").read_text()
    commands = s3_cluster.state / "mirror-commands"
    assert f"export MLECURATE_HOME={HOME}\n" in env_sh and f"export MLECURATE_MIRROR={commands}\n" in env_sh
    env = s3_cluster.env | {"MLECURATE_MIRROR": str(commands)}  # as env.sh sets it: not the workers' mirror
    slugs, summary, curated = make_demo(s3_cluster.run, env)
    assert len(slugs) == SPLITS
    with s3_cluster.instance() as instance:
        for job in ("curation", "refresh_leaderboards", "prepare_competition"):
            for record in instance.get_run_records(dg.RunsFilter(job_name=job)):
                assert record.dagster_run.status == dg.DagsterRunStatus.SUCCESS
                workers = set(celery_workers_by_step(instance, record.dagster_run.run_id).values())
                assert workers and workers <= {f"steps@{HOST}", f"downloads@{HOST}"}, job
    workers_mirror = s3_cluster.state / "mirror"
    assert all((workers_mirror / "prepared" / slug / "manifest.json").is_file() for slug in slugs)
    assert not (commands / "prepared").exists() or not list((commands / "prepared").rglob("*.csv"))

    # `make demo` on a local data root, embedded: the session's demo (its first competition prepared) and the rest.
    _, local, demo_slugs = demo_copy(tmp_path_factory, "embedded")
    for slug in slugs[1:]:
        prepare_partition(local, slug)
    embedded = Path(local["MLECURATE_HOME"])
    assert demo_slugs[:SPLITS] == slugs
    assert s3_cluster.run("mlecurate", "summary", env=local).stdout.split("\n", 1)[1] == summary
    assert s3_cluster.run("mlecurate", "curated", env=local).stdout == curated

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        monkeypatch.setenv(name, s3_cluster.env[name])
    check = DataRoot(tmp_path / "check")
    objects = ObjectRoot(HOME, check.sync_records, check.path, s3_cluster.env["MLECURATE_S3_ENDPOINT_URL"])
    for scope in objects.scopes("prepared"):
        objects.pull(scope)
    assert sorted(manifests(check)) == sorted(slugs)
    assert manifests(check) == manifests(DataRoot(embedded))  # every published file's content checksum
    for table in CURATION_TABLES:
        assert rows(commands / "warehouse.duckdb", table) == rows(embedded / "warehouse.duckdb", table), table
    assert not os.path.exists(s3_cluster.state / "data")  # no local data root anywhere
