"""The views over per-competition files read every generation of those files a data root may hold."""

from __future__ import annotations

import json

from curation.warehouse import Warehouse
from validation.data_root import PARITY, VIEW_COLUMNS, DataRoot


def _report(slug: str, rows: list[dict]) -> dict:
    return {"slug": slug, "metric": "rmse", "verdict": "parity", "reason": "", "adversarial_auc": 0.5,
            "sample_medal": False, "rows": rows}  # fmt: skip


def test_the_parity_view_reads_reports_with_and_without_per_target_rows(tmp_path):
    root = DataRoot(tmp_path / "home")
    before = {"submission": "baseline", "test_set": "new test", "rows": 10, "score": 0.5, "low": 0.4, "high": 0.6}
    reports = {
        "written-before-targets": _report("written-before-targets", [before]),  # no "target" key at all
        "two-targets": _report(
            "two-targets",
            [
                {**before, "target": "y1", "score": 0.3},
                {**before, "target": "y2", "score": 0.7},
                {**before, "target": None},
            ],
        ),  # fmt: skip
    }
    for slug, report in reports.items():
        root.prepared(slug).path.mkdir(parents=True)
        root.prepared(slug).parity.write_text(json.dumps(report))
    warehouse = Warehouse(root.warehouse)
    # Only old reports: the view still builds (a missing key is NULL, not a binder error).
    (root.prepared("two-targets").parity).rename(tmp_path / "aside.json")
    warehouse.refresh_views(root)
    assert warehouse.query(f"SELECT slug, target FROM {PARITY}").to_dict("records") == [
        {"slug": "written-before-targets", "target": None}
    ]
    (tmp_path / "aside.json").rename(root.prepared("two-targets").parity)
    warehouse.refresh_views(root)
    rows = warehouse.query(f"SELECT slug, target, score FROM {PARITY} ORDER BY slug, target NULLS LAST")
    assert rows.to_dict("records") == [
        {"slug": "two-targets", "target": "y1", "score": 0.3},
        {"slug": "two-targets", "target": "y2", "score": 0.7},
        {"slug": "two-targets", "target": None, "score": 0.5},
        {"slug": "written-before-targets", "target": None, "score": 0.5},
    ]


def test_the_manifest_view_leaves_out_a_staging_split(tmp_path):
    """Issue 10 #3: DuckDB's glob ``prepared/*/manifest.json`` also matches the hidden ``.<slug>.staging`` folder a
    rejected split is kept in, so the view listed the competition twice."""
    root = DataRoot(tmp_path / "home")
    published = root.prepared("titanic")
    for folder, created in ((published, "2026-12-01T10:00:00+00:00"), (published.staging, "2026-12-02T10:00:00+00:00")):
        folder.path.mkdir(parents=True)
        folder.manifest.write_text(json.dumps({"slug": "titanic", "created_at": created, "files": [
            {"path": "public/train.csv", "rows": 1, "checksum": "x", "bytes": 1}]}))  # fmt: skip
    warehouse = Warehouse(root.warehouse)
    warehouse.refresh_views(root)
    listed = warehouse.query("SELECT slug, day(created_at) AS day FROM splits.manifest").to_dict("records")
    assert listed == [{"slug": "titanic", "day": 1}]


def test_the_manifest_view_reads_recipes_whose_keys_differ_only_by_case(tmp_path):
    """A newcomer's run: iwildcam-2019's recipe maps the submission's ``Id``, chaii's its ``id``; DuckDB's guess of
    the manifests' structure took the two as one struct with a duplicate name and refused every manifest (the view
    failed, and with it refresh_leaderboards and every split step after the first)."""
    root = DataRoot(tmp_path / "home")
    for slug, columns in (("iwildcam", {"Id": "id", "Category": "category_id"}), ("chaii", {"id": "id", "P": "a"})):
        folder = root.prepared(slug)
        folder.path.mkdir(parents=True)
        recipe = {"kind": "random", "target_columns": list(columns.values())[1:], "submission_columns": columns}
        folder.manifest.write_text(json.dumps({"slug": slug, "created_at": "2026-12-03T05:00:00+00:00", "recipe": recipe,
                                               "files": [{"path": "public/train.csv", "rows": 3, "checksum": "x", "bytes": 9,
                                                          "sha256": "y"}, {"path": "public/a.jpg", "bytes": 2,
                                                          "checksum": "sha256:z", "row_files_key": "row_files"}]}))  # fmt: skip
    warehouse = Warehouse(root.warehouse)
    warehouse.refresh_views(root)
    listed = warehouse.query("SELECT slug, file, rows FROM splits.manifest ORDER BY slug, file").to_dict("records")
    assert listed == [{"slug": "chaii", "file": "public/a.jpg", "rows": None},
                      {"slug": "chaii", "file": "public/train.csv", "rows": 3},
                      {"slug": "iwildcam", "file": "public/a.jpg", "rows": None},
                      {"slug": "iwildcam", "file": "public/train.csv", "rows": 3}]  # fmt: skip


def test_the_parity_view_gives_the_classifier_drifts_auc_and_significance(tmp_path):
    """``mlecurate show`` prints the drift classifier's p-value (the verdict's reason), and the view held only its
    AUC. A report with no AUC measured, and one written before the p-value existed, keep the columns' types."""
    root = DataRoot(tmp_path / "home")
    row = {"submission": "baseline", "test_set": "new test", "rows": 10, "score": 0.5, "low": 0.4, "high": 0.6}
    reports = {
        "unmeasured": {
            **_report("unmeasured", [row]),
            "adversarial_auc": None,
            "adversarial_p_value": None,
            "adversarial_test": None,
            "sample_medal": None,
        },
        "drifted": {
            **_report("drifted", [row]),
            "adversarial_auc": 0.74,
            "adversarial_p_value": 1e-17,
            "adversarial_test": "the AUC's standard error",
        },
        "older": _report("older", [row]),  # no adversarial_p_value key at all
    }
    warehouse = Warehouse(root.warehouse)
    for slug, report in reports.items():  # the types hold from the first report on (no value at all), and with all
        root.prepared(slug).path.mkdir(parents=True)
        root.prepared(slug).parity.write_text(json.dumps(report))
        warehouse.refresh_views(root)
        described = warehouse.query(f"DESCRIBE {PARITY}")
        assert dict(zip(described["column_name"], described["column_type"], strict=True)) == VIEW_COLUMNS[PARITY]
    found = warehouse.query(
        f"SELECT slug, adversarial_auc, adversarial_p_value, adversarial_test FROM {PARITY} ORDER BY slug"
    )
    assert found.replace({float("nan"): None}).to_dict("records") == [
        {"slug": "drifted", "adversarial_auc": 0.74, "adversarial_p_value": 1e-17,
         "adversarial_test": "the AUC's standard error"},
        {"slug": "older", "adversarial_auc": 0.5, "adversarial_p_value": None, "adversarial_test": None},
        {"slug": "unmeasured", "adversarial_auc": None, "adversarial_p_value": None, "adversarial_test": None},
    ]  # fmt: skip


def test_views_already_as_asked_are_not_written_again_and_a_changed_one_is(tmp_path):
    """Every refresh and prepare step asks for the views; most change none. Asked again unchanged, the warehouse is
    only read: it works beside a read-only connection that a write would have to wait for."""
    import duckdb

    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    warehouse.replace_views({"views.one": "SELECT 1 AS a", "views.two": "SELECT 2 AS b"})
    with duckdb.connect(str(warehouse.path), read_only=True) as reader:
        warehouse.replace_views({"views.one": "SELECT 1 AS a", "views.two": "SELECT 2 AS b"})
        assert reader.execute("SELECT a FROM views.one").fetchall() == [(1,)]
    warehouse.replace_views({"views.one": "SELECT 3 AS a", "views.two": "SELECT 2 AS b"})
    assert warehouse.query("SELECT a FROM views.one")["a"].tolist() == [3]
    comments = dict(warehouse.query("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").to_numpy())
    assert comments["one"] != comments["two"] and all(c.startswith("sha256:") for c in comments.values())
