"""Loading Meta Kaggle's competitions (curation.meta_kaggle_load): the Great Expectations suite's report is kept
beside the fetched file and taken again for the same typed table, suite and Great Expectations release, unless a
competition has launched since it ran; anything else runs the suite again."""

from __future__ import annotations

import json

import pytest

from curation import meta_kaggle_load
from curation.meta_kaggle_load import CHECKED, MetaKaggleChecksFailed, load_competitions
from curation.sources import choose_sources
from curation.sources.kaggle import KaggleClient
from curation.warehouse import Warehouse
from tests.conftest import SHARED
from validation.data_files import file_sha256
from validation.data_root import COMPETITIONS

ROWS = 300  # the first competitions of the real dump: the suite's cost is not what is tested here


@pytest.fixture
def dump(tmp_path):
    """A folder source holding the first ROWS competitions of the March 2024 dump (whole CSV records: its texts
    hold line breaks)."""
    import pandas as pd

    folder = tmp_path / "dump"
    folder.mkdir()
    frame = pd.read_csv(SHARED / "meta-kaggle" / "Competitions.csv", dtype=str, keep_default_na=False, nrows=ROWS)
    frame.to_csv(folder / "Competitions.csv", index=False)
    return folder


@pytest.fixture
def runs(monkeypatch) -> list[int]:
    """The number of rows each run of the suite was given."""
    ran, validate = [], meta_kaggle_load.validate_competitions

    def counted(frame, now=None):
        ran.append(len(frame))
        return validate(frame, now)

    monkeypatch.setattr(meta_kaggle_load, "validate_competitions", counted)
    return ran


def load(folder, tmp_path):
    source = choose_sources(str(folder), KaggleClient()).meta_kaggle
    return load_competitions(source, tmp_path / "sources", Warehouse(tmp_path / "warehouse.duckdb"))


def test_the_same_dump_again_takes_the_kept_report(tmp_path, dump, runs):
    first = load(dump, tmp_path)
    again = load(dump, tmp_path)
    assert runs == [ROWS] and (first.reused, again.reused) == (False, True)
    assert again.report == first.report and again.checked_at == first.checked_at
    assert first.source_sha256 == again.source_sha256 == file_sha256(dump / "Competitions.csv")
    assert again.rows == ROWS and Warehouse(tmp_path / "warehouse.duckdb").table_counts()[COMPETITIONS] == ROWS


def test_a_changed_row_runs_the_suite_again(tmp_path, dump, runs):
    load(dump, tmp_path)
    text = (dump / "Competitions.csv").read_text()
    (dump / "Competitions.csv").write_text(text.replace("Featured", "Research", 1))
    assert not load(dump, tmp_path).reused
    assert runs == [ROWS, ROWS]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda r: r | {"checked_at": "2005-01-01T00:00:00"}, id="a-competition-launched-since"),
        pytest.param(
            lambda r: r | {"run_on": r["run_on"] | {"validation.competitions_suite_sha256": "0" * 64}},
            id="another-suite",
        ),
        pytest.param(lambda r: r | {"run_on": r["run_on"] | {"curation.meta_kaggle_sha256": "0"}}, id="another-parser"),
        pytest.param(lambda r: r | {"run_on": r["run_on"] | {"pandas": "1.0.0"}}, id="another-pandas"),
        pytest.param(lambda r: r | {"run_on": r["run_on"] | {"great_expectations": "0.18.0"}}, id="another-gx"),
        pytest.param(lambda r: r | {"report": {"checks": "?"}}, id="an-unreadable-report"),
        pytest.param(
            lambda r: r | {"report": r["report"] | {"checks": r["report"]["checks"][1:]}}, id="a-check-left-out"
        ),
        pytest.param(
            lambda r: (
                r
                | {
                    "report": r["report"]
                    | {"checks": [c | {"outcomes": c["outcomes"][1:]} for c in r["report"]["checks"]]}
                }
            ),
            id="an-expectation-left-out",
        ),
    ],
)
def test_a_kept_report_that_does_not_hold_is_run_again_and_replaced(tmp_path, dump, runs, change):
    load(dump, tmp_path)
    kept = tmp_path / "sources" / CHECKED
    kept.write_text(json.dumps(change(json.loads(kept.read_text()))))
    again = load(dump, tmp_path)
    assert not again.reused and runs == [ROWS, ROWS]
    assert json.loads(kept.read_text())["checked_at"] == again.checked_at.isoformat()
    assert load(dump, tmp_path).reused  # and kept for the next load


def test_a_kept_file_that_is_not_json_is_run_again(tmp_path, dump, runs):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / CHECKED).write_text("{ half written")
    assert not load(dump, tmp_path).reused and runs == [ROWS]


def test_a_blocking_failure_kept_still_refuses_the_dump(tmp_path, dump, runs):
    import pandas as pd

    frame = pd.read_csv(dump / "Competitions.csv", dtype=str, keep_default_na=False)
    pd.concat([frame, frame.head(1)]).to_csv(dump / "Competitions.csv", index=False)  # the first one twice
    for _ in range(2):
        with pytest.raises(MetaKaggleChecksFailed, match="check unique_id_and_slug failed"):
            load(dump, tmp_path)
    assert runs == [ROWS + 1]
    assert not Warehouse(tmp_path / "warehouse.duckdb").has_table(COMPETITIONS)


def test_a_kept_report_cannot_lower_a_blocking_check_to_a_warning(tmp_path, dump, runs):
    import pandas as pd

    frame = pd.read_csv(dump / "Competitions.csv", dtype=str, keep_default_na=False)
    pd.concat([frame, frame.head(1)]).to_csv(dump / "Competitions.csv", index=False)
    with pytest.raises(MetaKaggleChecksFailed):
        load(dump, tmp_path)
    kept = tmp_path / "sources" / CHECKED
    record = json.loads(kept.read_text())
    for check in record["report"]["checks"]:
        check["severity"] = "warning"
    kept.write_text(json.dumps(record))
    with pytest.raises(MetaKaggleChecksFailed, match="check unique_id_and_slug failed"):
        load(dump, tmp_path)  # the kept findings, at the severity the code gives
    assert runs == [ROWS + 1]


def test_a_launch_after_now_is_checked_again_even_when_the_kept_time_is_later(tmp_path, dump, runs):
    """The clock went back (or the report came from a machine ahead of this one): a competition launching after now
    is "in the future" now, whatever the kept report's time says."""
    import pandas as pd

    frame = pd.read_csv(dump / "Competitions.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "EnabledDate"] = "01/01/2100 00:00:00"
    frame.to_csv(dump / "Competitions.csv", index=False)
    load(dump, tmp_path)
    kept = tmp_path / "sources" / CHECKED
    kept.write_text(json.dumps(json.loads(kept.read_text()) | {"checked_at": "2200-01-01T00:00:00"}))
    again = load(dump, tmp_path)
    assert not again.reused and runs == [ROWS, ROWS]
    assert not next(c for c in again.report.checks if c.name == "sane_dates").passed


def test_a_report_that_cannot_be_kept_does_not_stop_the_load(tmp_path, dump, runs, monkeypatch):
    def full_disk(final):
        raise OSError(28, "No space left on device", str(final))

    monkeypatch.setattr(meta_kaggle_load, "atomic_path", full_disk)
    assert load(dump, tmp_path).rows == ROWS
    assert not (tmp_path / "sources" / CHECKED).exists()
    assert not load(dump, tmp_path).reused and runs == [ROWS, ROWS]
