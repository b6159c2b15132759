"""Leaderboard snapshots: imports, refreshes with history, rejections, Meta Kaggle rebuilds, the weekly schedule."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from assets import leaderboards
from assets.partitions import curated_competition_partitions
from assets.resources import LeaderboardAgeResource, SourcesResource, StorageResource
from curation.cli import main
from curation.leaderboard_history import current_snapshot, history, known_metric, record_snapshot
from curation.sources import NoLeaderboardError
from curation.sources.folder import rebuild_from_meta_kaggle
from tests.conftest import PROJECT, SHARED
from tests.kaggle_stub import KaggleStub
from validation.data_root import DataRoot
from validation.leaderboard import LeaderboardError, parse_leaderboard, read_leaderboard
from validation.medals import check_board, medal_thresholds
from validation.metrics import METRICS

BOARDS = SHARED / "mle-bench" / "competitions"
SPOOKY = "spooky-author-identification"


def _boards(home: Path, slug: str):
    return DataRoot(home).leaderboards(slug)


def _query(home: Path, sql: str):
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def imported(home, capsys):
    assert main(["import-leaderboards", str(BOARDS)]) == 0
    assert "imported 81 MLE-bench leaderboards" in capsys.readouterr().out
    return home


def test_importing_the_81_boards_gives_a_snapshot_and_thresholds_each(imported):
    assert _query(imported, "SELECT count(DISTINCT slug), count(*) FROM leaderboards.snapshots") == [(81, 100245)]
    rows = _query(
        imported, "SELECT slug, snapshot_id, teams, gold, silver, bronze, median FROM leaderboards.thresholds"
    )
    assert len(rows) == 81
    for slug, _snapshot, teams, gold, silver, bronze, median in rows:
        board = read_leaderboard(BOARDS / slug / "leaderboard.csv")
        expected = medal_thresholds(board, board.order_direction())
        assert (teams, gold, silver, bronze) == (board.team_count, expected.gold, expected.silver, expected.bronze), (
            slug
        )
        assert median == pytest.approx(expected.median)


def test_importing_again_records_unchanged_without_a_copy(imported, capsys):
    assert main(["import-leaderboards", str(BOARDS)]) == 0
    assert "81 unchanged" in capsys.readouterr().out
    assert _query(imported, "SELECT count(DISTINCT snapshot_id) FROM leaderboards.snapshots") == [(81,)]
    assert _query(imported, "SELECT status, count(*) FROM leaderboards.refreshes GROUP BY 1 ORDER BY 1") == [
        ("new", 81), ("unchanged", 81)]  # fmt: skip


def _changed_board(tmp_path: Path) -> Path:
    frame = pd.read_csv(BOARDS / SPOOKY / "leaderboard.csv")
    frame.loc[0, "score"] = 0.01  # the winner improves
    frame = frame.iloc[:-5]  # five teams removed
    folder = tmp_path / "changed" / SPOOKY
    folder.mkdir(parents=True)
    frame.to_csv(folder / "leaderboard.csv", index=False)
    return folder / "leaderboard.csv"


@pytest.mark.slow
def test_a_refresh_from_kaggle_keeps_history(imported, tmp_path):
    slugs = sorted(p.parent.name for p in BOARDS.glob("*/leaderboard.csv"))  # all 81, one of them changed
    boards = {slug: BOARDS / slug / "leaderboard.csv" for slug in slugs} | {SPOOKY: _changed_board(tmp_path)}
    stub = KaggleStub(leaderboards=boards).start()
    stub.fail("DownloadLeaderboard", 503, "Service Unavailable")  # retried by our client
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("KAGGLE_", "DAGSTER_")) and "proxy" not in k.lower()
    }
    env |= stub.client_environment() | {"MLECURATE_META_KAGGLE": "kaggle", "HOME": str(tmp_path)}
    code = (  # the asset called directly per partition: the real client, without a Dagster run each time
        "import sys, dagster as dg; from assets import leaderboards; from pipelines.resources import resources_from_environment\n"
        "r, instance = resources_from_environment(), dg.DagsterInstance.ephemeral()  # one, not one per board\n"
        "for s in sys.argv[1:]:\n"
        "    with dg.build_asset_context(partition_key=s, resources=r, instance=instance) as context:\n"
        "        print(leaderboards.leaderboard_snapshots(context).metadata['status'])\n"
    )
    try:
        done = subprocess.run([sys.executable, "-c", code, *slugs], env=env, cwd=PROJECT, capture_output=True,
                              text=True, timeout=300)  # fmt: skip
    finally:
        stub.stop()
    statuses = done.stdout.split()
    assert len(statuses) == 81, done.stderr[-3000:]
    assert sorted(statuses) == ["changed"] + ["unchanged"] * 80
    assert "stub-secret-key" not in done.stdout + done.stderr
    versions = dict(_query(imported, "SELECT slug, count(DISTINCT snapshot_id) FROM leaderboards.snapshots GROUP BY 1"))
    assert versions[SPOOKY] == 2 and all(n == 1 for slug, n in versions.items() if slug != SPOOKY)
    assert len(versions) == 81
    refreshes = {
        (slug, status)
        for slug, status in _query(imported, "SELECT slug, status FROM leaderboards.refreshes WHERE source = 'kaggle'")
    }
    assert refreshes == {(SPOOKY, "changed")} | {(slug, "unchanged") for slug in slugs if slug != SPOOKY}
    # a threshold row per snapshot: 81 imported + the changed one
    assert _query(imported, "SELECT count(*), count(DISTINCT snapshot_id) FROM leaderboards.thresholds") == [(82, 82)]
    changed = [r for r in history(_boards(imported, SPOOKY)) if r.status == "changed"][0]
    assert changed.changes["teams_removed"] == 5 and changed.changes["scores_moved"] == 1
    old = medal_thresholds(read_leaderboard(BOARDS / SPOOKY / "leaderboard.csv"), False)
    new = medal_thresholds(read_leaderboard(boards[SPOOKY]), False)
    moved = {name for name in ("gold", "silver", "bronze", "median") if getattr(old, name) != getattr(new, name)}
    assert moved and set(changed.changes["thresholds_moved"]) == moved
    assert _query(imported, f"SELECT count(*) FROM leaderboards.thresholds WHERE slug = '{SPOOKY}'") == [(2,)]
    record, teams = current_snapshot(_boards(imported, SPOOKY))
    assert record.status == "changed" and len(teams) == 1237
    changed_board = read_leaderboard(boards[SPOOKY])
    expected = medal_thresholds(changed_board, False)
    row = _query(
        imported, f"SELECT gold, silver, bronze FROM leaderboards.thresholds WHERE snapshot_id = '{record.snapshot_id}'"
    )
    assert row == [(expected.gold, expected.silver, expected.bronze)]


def _materialise(home: Path, folder: Path, slug: str, meta_kaggle: str = "demo") -> dg.ExecuteInProcessResult:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(curated_competition_partitions.name, [slug])
    return dg.materialize(
        [leaderboards.leaderboard_snapshots], partition_key=slug, instance=instance, raise_on_error=False,
        resources={"sources": SourcesResource(meta_kaggle=meta_kaggle, leaderboards=str(folder) if folder else ""),
                   "storage": StorageResource(home=str(home))},
    )  # fmt: skip


@pytest.mark.parametrize(
    "content, expected",
    [
        ("teamId,points\n1,0.5\n", "no score column"),
        ("teamId,score\n1,0.5\n2,abc\n", "line 3: score 'abc' is not a number"),
        ("teamId,score\n1,0.5\n1,0.4\n", "team id(s) 1 appear more than once"),
        ("", "not a leaderboard CSV"),
        ("teamId,score\n", "has no teams"),
    ],
    ids=["no-score-column", "non-numeric", "duplicate-team", "empty-file", "no-teams"],
)
def test_a_malformed_board_is_rejected_and_the_previous_snapshot_stays(imported, tmp_path, content, expected):
    before = current_snapshot(_boards(imported, SPOOKY))[0].snapshot_id
    folder = tmp_path / "bad"
    (folder / SPOOKY).mkdir(parents=True)
    (folder / SPOOKY / "leaderboard.csv").write_text(content)
    result = _materialise(imported, folder, SPOOKY)
    assert not result.success
    last = history(_boards(imported, SPOOKY))[-1]
    assert last.status == "rejected" and expected in last.message
    assert current_snapshot(_boards(imported, SPOOKY))[0].snapshot_id == before


def _real_board_altered(tmp_path: Path, slug: str, alter) -> Path:
    frame = alter(pd.read_csv(BOARDS / slug / "leaderboard.csv"))
    (tmp_path / "altered" / slug).mkdir(parents=True)
    frame.to_csv(tmp_path / "altered" / slug / "leaderboard.csv", index=False)
    return tmp_path / "altered"


def _swap_ranks_10_and_11(frame: pd.DataFrame) -> pd.DataFrame:
    order = list(range(len(frame)))
    order[9], order[10] = 10, 9
    return frame.iloc[order]


def _last_auc_below_0(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[len(frame) - 1, "score"] = -0.2
    return frame


def _auc_of_1_7(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[0, "score"] = 1.7
    return frame


@pytest.mark.parametrize(
    "slug, alter, expected",
    [
        (
            SPOOKY,
            _swap_ranks_10_and_11,
            "team 1040279 at rank 11 scores 0.14106, better than team 1064201 at rank 10 (0.14824), though Meta "
            "Kaggle's EvaluationAlgorithmIsMax says lower is better; 1 team(s) score better than a team ranked above "
            "them. A leaderboard ranks teams by score, so the board's rows or scores are damaged: fetch it again, "
            "and if its source keeps serving it so, check the competition's direction",
        ),
        ("random-acts-of-pizza", _auc_of_1_7, "at rank 1 scores 1.7, better than a perfect auc (1), as 1 team(s) do"),
        ("random-acts-of-pizza", _last_auc_below_0, "at rank 462 scores -0.2, worse than the worst auc (0), as 1 team"),
    ],
    ids=["rows-out-of-rank-order", "auc-beyond-perfect", "auc-below-the-worst"],
)
def test_a_board_that_is_no_ranking_under_the_metric_is_rejected(
    imported, tmp_path, real_competitions, slug, alter, expected
):
    """A partly unsorted board (order neither direction) was kept with the file's ranks (0.62 at rank 10 of a board
    whose rank 11 had 0.94); an AUC of 1.7 was kept as the gold threshold."""
    from curation.warehouse import Warehouse

    Warehouse(imported / "warehouse.duckdb").replace_table("meta_kaggle.competitions", real_competitions.table)
    before = current_snapshot(_boards(imported, slug))[0].snapshot_id
    result = _materialise(imported, _real_board_altered(tmp_path, slug, alter), slug)
    assert not result.success
    last = history(_boards(imported, slug))[-1]
    assert last.status == "rejected" and expected in last.message, last.message
    assert current_snapshot(_boards(imported, slug))[0].snapshot_id == before


@pytest.mark.parametrize(
    "rows",
    [
        "rank,teamid,score\n1,a,0.9\n2,b,0.7\n2,c,0.8\n4,d,0.6\n",  # teams sharing a rank, in any order
        "rank,teamid,score\n2,b,0.7\n1,a,0.9\n2,c,0.8\n4,d,0.6\n",
        "teamid,score\n1,0.812341\n2,0.812349\n3,0.81\n",  # tied when cut to 5 decimals: the earlier ranks first
    ],
    ids=["tied-rank-worse-first", "tied-rank-rows-shuffled", "tie-within-the-last-decimal"],
)
def test_a_board_ranked_as_kaggle_ranks_is_accepted_whatever_its_row_order(rows):
    """Meta Kaggle's rebuilt boards can share a rank, and Kaggle ranks scores cut to the competition's decimals:
    neither is damage (a review found ties refused or kept depending on Teams.csv's row order)."""
    board = parse_leaderboard(rows.encode(), "board")
    check_board(board, True, "Meta Kaggle", METRICS["auc"])
    with pytest.raises(LeaderboardError, match="team 2 at rank 2 scores 0.812349, better than team 1 at rank 1"):
        check_board(parse_leaderboard(b"teamid,score\n1,0.812341\n2,0.812349\n", "cut to 6"), True, "x", None, 6)


def test_without_meta_kaggle_the_published_splits_metric_judges_the_board(imported, tmp_path):
    """A refresh read the metric from Meta Kaggle only (an import read the published split's recipe): an AUC of 1.7
    on a competition Meta Kaggle does not list was kept, its direction taken from the board."""
    pizza = "random-acts-of-pizza"
    prepared = DataRoot(imported).prepared(pizza)
    prepared.path.mkdir(parents=True)
    prepared.manifest.write_text(json.dumps({"slug": pizza, "recipe": {"kind": "random", "metric": "auc"}}))
    before = current_snapshot(_boards(imported, pizza))[0].snapshot_id
    assert not _materialise(imported, _real_board_altered(tmp_path, pizza, _auc_of_1_7), pizza).success
    last = history(_boards(imported, pizza))[-1]
    assert last.status == "rejected" and "scores 1.7, better than a perfect auc (1)" in last.message, last.message
    assert current_snapshot(_boards(imported, pizza))[0].snapshot_id == before


@pytest.mark.parametrize("decimals, step, kept", [(2, 0.004, True), (2, 0.02, False), (None, 0.004, False)])
def test_a_refresh_forgives_inversions_within_the_decimals_meta_kaggle_says_kaggle_ranked_to(
    home, decimals, step, kept
):
    """Kaggle ranks scores cut to ScoreTruncationNumDecimals and breaks ties by time: a rebuilt board may have rank 2
    outscore rank 1 by less than the last decimal. The refresh reads that count from the competition's facts."""
    from curation.leaderboard_history import LeaderboardRejected, refresh_leaderboard
    from curation.sources.base import FetchedBoard
    from validation.leaderboard import Leaderboard

    class Board:
        name = "memory"

        def leaderboard(self, slug, workdir):
            return FetchedBoard(Leaderboard.from_scores([0.901, 0.901 + step, 0.8, 0.7, 0.6], "rebuilt"), self.name)

    facts = {"evaluation_algorithm_is_max": True, "score_truncation_num_decimals": decimals}
    if kept:
        assert refresh_leaderboard(_boards(home, "titanic"), "titanic", Board(), facts).record.status == "new"
    else:
        with pytest.raises(
            LeaderboardRejected, match=r"team 2 at rank 2 scores 0\.9\d+, better than team 1 at rank 1 \(0\.901\)"
        ):
            refresh_leaderboard(_boards(home, "titanic"), "titanic", Board(), facts)


def test_every_real_board_is_a_ranking_under_its_meta_kaggle_metric(real_competitions):
    """The rules a board is held to at intake hold for MLE-bench's real boards: ranked by score in Meta Kaggle's
    direction, and, where Meta Kaggle's metric is one of the registry's, no score beyond its perfect one."""
    facts = real_competitions.table.to_pandas().set_index("slug")
    checked = 0
    for path in sorted(BOARDS.glob("*/leaderboard.csv")):
        slug = path.parent.name
        if slug not in facts.index:
            continue
        row = facts.loc[slug]
        metric = known_metric({"evaluation_algorithm_name": row["evaluation_algorithm_name"]})
        check_board(read_leaderboard(path), bool(row["evaluation_algorithm_is_max"]), "Meta Kaggle", metric)
        checked += metric is not None
    assert checked >= 50  # boards whose scores were held to a registry metric's perfect score


def test_a_competition_without_a_leaderboard_is_recorded(home, tmp_path):
    result = _materialise(home, tmp_path / "empty", "no-board-here")
    assert result.success
    assert history(_boards(home, "no-board-here"))[-1].status == "no_leaderboard"


def test_a_board_shorter_than_meta_kaggle_says_is_flagged(home, tmp_path, real_competitions):
    from curation.warehouse import Warehouse

    Warehouse(home / "warehouse.duckdb").replace_table("meta_kaggle.competitions", real_competitions.table)
    frame = pd.read_csv(BOARDS / SPOOKY / "leaderboard.csv").head(20)  # what the 20-row view gives
    (tmp_path / "short" / SPOOKY).mkdir(parents=True)
    frame.to_csv(tmp_path / "short" / SPOOKY / "leaderboard.csv", index=False)
    metadata = (
        _materialise(home, tmp_path / "short", SPOOKY)
        .asset_materializations_for_node("leaderboard_snapshots")[0]
        .metadata
    )
    assert metadata["looks_truncated"].value is True and metadata["meta_kaggle_total_teams"].value == 1241
    assert metadata["truncation"].value == "20 rows on the board but Meta Kaggle counts 1,241 teams: truncated?"


def test_a_board_much_shorter_than_the_previous_snapshot_is_flagged_when_meta_kaggle_has_no_count(imported, tmp_path):
    """Without Meta Kaggle's TotalTeams a board cut from 1,242 teams to 100 was kept without a word."""
    folder = _real_board_altered(tmp_path, SPOOKY, lambda frame: frame.head(100))
    full = [r for r in history(_boards(imported, SPOOKY)) if r.status == "new"][0]
    for status in ("changed", "unchanged"):  # stored once, the cut board is still flagged on the next refresh
        result = _materialise(imported, folder, SPOOKY)
        metadata = result.asset_materializations_for_node("leaderboard_snapshots")[0].metadata
        assert metadata["status"].value == status and metadata["meta_kaggle_total_teams"].value == "unknown"
        assert metadata["looks_truncated"].value is True
        assert metadata["truncation"].value == (
            f"100 rows on the board but snapshot {full.snapshot_id} had 1,242: truncated?"
        )


@pytest.mark.parametrize("ranks", [range(50, 150), range(1, 300, 3)], ids=["top-missing", "every-third-rank"])
def test_a_board_whose_ranks_go_far_past_its_rows_is_flagged(imported, tmp_path, ranks):
    """Ranks 50 to 149 were taken as a whole board: the team at rank 50 set gold (a newcomer's sweep)."""
    board = pd.read_csv(BOARDS / SPOOKY / "leaderboard.csv").head(100)
    folder = tmp_path / "ranked" / SPOOKY
    folder.mkdir(parents=True)
    pd.DataFrame({"rank": list(ranks), "teamid": board["teamId"], "score": board["score"]}).to_csv(
        folder / "leaderboard.csv", index=False
    )
    metadata = _materialise(imported, folder.parent, SPOOKY).asset_materializations_for_node("leaderboard_snapshots")
    assert metadata[0].metadata["truncation"].value == (
        f"100 rows on the board but its ranks go to {ranks[-1]}: teams are missing: truncated?"
    )


def test_the_median_is_shown_without_float_noise(home, tmp_path):
    """random-acts-of-pizza's median is the mean of two 5-decimal scores: 0.5995950000000001 in the UI before."""
    pizza = "random-acts-of-pizza"
    (tmp_path / "boards" / pizza).mkdir(parents=True)
    (tmp_path / "boards" / pizza / "leaderboard.csv").symlink_to(BOARDS / pizza / "leaderboard.csv")
    metadata = _materialise(home, tmp_path / "boards", pizza).asset_materializations_for_node("leaderboard_snapshots")
    assert metadata[0].metadata["median"].value == 0.599595


def _write_meta_kaggle_tables(folder: Path) -> None:
    """Generated tables with SCHEMA.md's columns: ranked teams, a benchmark team and an unranked team left out."""
    teams = pd.DataFrame({
        "Id": ["1", "2", "3", "4", "5"], "CompetitionId": ["77", "77", "77", "77", "88"],
        "TeamLeaderId": ["9"] * 5, "TeamName": list("abcde"), "ScoreFirstSubmittedDate": [""] * 5,
        "LastSubmissionDate": [""] * 5, "PublicLeaderboardSubmissionId": ["11", "12", "13", "14", "15"],
        "PrivateLeaderboardSubmissionId": ["11", "12", "13", "14", "15"],
        "IsBenchmark": ["False", "False", "True", "False", "False"], "Medal": ["1", "", "", "", ""],
        "MedalAwardDate": [""] * 5, "PublicLeaderboardRank": ["1", "2", "", "", "1"],
        "PrivateLeaderboardRank": ["2", "1", "3", "", "1"],
    })  # fmt: skip
    submissions = pd.DataFrame({
        "Id": ["11", "12", "13", "14", "15"], "SubmittedUserId": ["9"] * 5, "TeamId": ["1", "2", "3", "4", "5"],
        "SourceKernelVersionId": [""] * 5, "SubmissionDate": ["01/02/2020"] * 5, "ScoreDate": ["01/02/2020"] * 5,
        "IsAfterDeadline": ["False"] * 5, "PublicScoreLeaderboardDisplay": ["0.8"] * 5,
        "PublicScoreFullPrecision": ["0.8"] * 5, "PrivateScoreLeaderboardDisplay": ["0.7", "0.9", "0.5", "", "0.6"],
        "PrivateScoreFullPrecision": ["0.71", "0.93", "0.5", "", "0.6"],
    })  # fmt: skip
    teams.to_csv(folder / "Teams.csv", index=False)
    submissions.to_csv(folder / "Submissions.csv", index=False)


def test_rebuild_from_meta_kaggle_teams_and_submissions(tmp_path):
    _write_meta_kaggle_tables(tmp_path)
    board = rebuild_from_meta_kaggle(tmp_path, 77)
    assert board.teams[["rank", "team_id", "score"]].values.tolist() == [[1, "2", 0.93], [2, "1", 0.71]]
    (tmp_path / "Submissions.csv").write_text("Id\n11\n")
    with pytest.raises(LeaderboardError, match="Submissions.csv: column.*PrivateScoreFullPrecision missing"):
        rebuild_from_meta_kaggle(tmp_path, 77)


@pytest.mark.parametrize(
    ("damage", "found"),
    [
        (b'Id,CompetitionId\n1,"77\n', "line 2: Value with unterminated quote found (the file looks truncated"),
        (b"Id,CompetitionId\n1,\xff\xfe77\n", "line 2: Invalid unicode (byte sequence mismatch) detected"),
        (b"\xff\xfeId,CompetitionId\n", "line 1: 'utf-8' codec can't decode byte 0xff"),
        (b"", "the file is empty (expected a header row"),
    ],
)
def test_rebuild_from_a_damaged_meta_kaggle_table_names_the_file(tmp_path, damage, found):
    """A truncated, mis-encoded or empty Teams.csv is a LeaderboardError naming the file and the competition (the
    asset then fails once, not retried), never DuckDB's bare error or a UnicodeDecodeError."""
    _write_meta_kaggle_tables(tmp_path)
    (tmp_path / "Teams.csv").write_bytes(damage)
    with pytest.raises(LeaderboardError) as caught:
        rebuild_from_meta_kaggle(tmp_path, 77)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'Teams.csv'}: cannot read it to rebuild competition 77's leaderboard: ")
    assert found in message


def test_kaggle_download_format_is_read(tmp_path):
    path = tmp_path / "board.csv"
    path.write_text("TeamId,TeamName,SubmissionDate,Score\n5,a,2020-01-01 00:00:00,0.9\n6,b,2020-01-02 00:00:00,0.8\n")
    board = read_leaderboard(path)
    assert board.teams["team_id"].tolist() == ["5", "6"] and board.teams["rank"].tolist() == [1, 2]


def test_the_schedule_requests_a_run_per_board_that_needs_it(home):
    now = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    board = read_leaderboard(BOARDS / SPOOKY / "leaderboard.csv")
    record_snapshot(_boards(home, SPOOKY), SPOOKY, board, "kaggle", False, now=now - timedelta(days=1))  # fresh
    record_snapshot(_boards(home, "leaf-classification"), "leaf-classification",
                    read_leaderboard(BOARDS / "leaf-classification" / "leaderboard.csv"),
                    "kaggle", False, now=now - timedelta(days=30))  # stale  # fmt: skip
    from pipelines import defs
    from pipelines.schedules import leaderboard_refresh_schedule_for

    schedule = leaderboard_refresh_schedule_for("0 6 * * 1")
    resources = {"storage": StorageResource(home=str(home)), "leaderboard_age": LeaderboardAgeResource()}
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(curated_competition_partitions.name, [SPOOKY, "leaf-classification", "titanic"])
        with dg.build_schedule_context(instance=instance, scheduled_execution_time=now, resources=resources) as context:
            requests = schedule(context)
    assert sorted(r.partition_key for r in requests) == ["leaf-classification", "titanic"]  # stale and never refreshed
    assert all(r.run_key.endswith("2026-11-30") for r in requests)
    assert defs.resolve_schedule_def("leaderboard_refresh_schedule").cron_schedule == "0 6 * * 1"


def test_the_schedule_leaves_out_a_damaged_history_and_says_so(home, capfd):
    """A damaged history.jsonl made the whole tick fail, so no board was refreshed; now only that competition is left
    out, named with the file and line, and the others are still requested."""
    from pipelines.schedules import leaderboard_refresh_schedule_for

    now = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    damaged = _boards(home, SPOOKY)
    damaged.path.mkdir(parents=True, exist_ok=True)
    damaged.history.write_text("{not json\n")
    schedule = leaderboard_refresh_schedule_for("0 6 * * 1")
    resources = {"storage": StorageResource(home=str(home)), "leaderboard_age": LeaderboardAgeResource()}
    with dg.instance_for_test() as instance:
        for slugs in ([SPOOKY, "titanic"], [SPOOKY]):
            instance.delete_dynamic_partition(curated_competition_partitions.name, "titanic")
            instance.add_dynamic_partitions(curated_competition_partitions.name, slugs)
            with dg.build_schedule_context(instance=instance, scheduled_execution_time=now, resources=resources) as c:
                outcome = schedule(c)
            if slugs == [SPOOKY, "titanic"]:
                assert [r.partition_key for r in outcome] == ["titanic"]
            else:
                assert isinstance(outcome, dg.SkipReason)
                assert outcome.skip_message.startswith("all 0 leaderboards are younger than 7 days; 1 left out")
                assert f"{damaged.history}: line 1: not a JSON record" in outcome.skip_message
    assert (
        f"left out, their leaderboard history is damaged: {SPOOKY} ({damaged.history}: line 1" in capfd.readouterr().err
    )


def test_the_freshness_check_names_stale_boards(home):
    record_snapshot(_boards(home, SPOOKY), SPOOKY, read_leaderboard(BOARDS / SPOOKY / "leaderboard.csv"), "kaggle",
                    False, now=datetime.now(UTC) - timedelta(days=40))  # fmt: skip
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(curated_competition_partitions.name, [SPOOKY])
    storage, age = StorageResource(home=str(home)), LeaderboardAgeResource()
    result = leaderboards.boards_fresh(dg.build_asset_check_context(instance=instance), storage, age)
    assert not result.passed and SPOOKY in result.description
    record_snapshot(
        _boards(home, SPOOKY), SPOOKY, read_leaderboard(BOARDS / SPOOKY / "leaderboard.csv"), "kaggle", False
    )
    assert leaderboards.boards_fresh(dg.build_asset_check_context(instance=instance), storage, age).passed
    assert (
        json.loads((home / "leaderboards" / SPOOKY / "history.jsonl").read_text().splitlines()[-1])["status"]
        == "unchanged"
    )


def test_the_demo_has_leaderboards(home):
    from curation.demo_annotations import demo_annotations
    from curation.sources.demo_meta_kaggle import demo_competition_teams

    slug = demo_annotations()[0].slug
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(curated_competition_partitions.name, [slug])
    result = dg.materialize(
        [leaderboards.leaderboard_snapshots], partition_key=slug, instance=instance,
        resources={"sources": SourcesResource(meta_kaggle="demo"), "storage": StorageResource(home=str(home))},
    )  # fmt: skip
    metadata = result.asset_materializations_for_node("leaderboard_snapshots")[0].metadata
    assert metadata["status"].value == "new" and metadata["teams"].value == demo_competition_teams()[slug]
    assert _query(home, "SELECT count(*) FROM leaderboards.thresholds") == [(1,)]


def test_the_asset_rebuilds_from_a_meta_kaggle_folder_that_has_teams_and_submissions(home, tmp_path):
    from curation.warehouse import Warehouse

    folder = tmp_path / "meta-kaggle"
    folder.mkdir()
    _write_meta_kaggle_tables(folder)
    (folder / "Competitions.csv").write_text('"Id","Slug"\n"77","generated-competition"\n')  # the board's id
    Warehouse(home / "warehouse.duckdb").replace_table("meta_kaggle.competitions", pd.DataFrame({
        "id": [77], "slug": ["generated-competition"], "evaluation_algorithm_name": ["Categorization Accuracy"],
        "evaluation_algorithm_is_max": [True], "total_teams": [2],
    }))  # fmt: skip
    result = _materialise(home, None, "generated-competition", meta_kaggle=str(folder))
    metadata = result.asset_materializations_for_node("leaderboard_snapshots")[0].metadata
    assert metadata["source"].value == "meta-kaggle" and metadata["teams"].value == 2
    assert _query(home, "SELECT team_id, score FROM leaderboards.snapshots ORDER BY rank") == [("2", 0.93), ("1", 0.71)]


def test_import_leaderboards_names_a_malformed_board_and_an_empty_folder(home, tmp_path, capsys):
    (tmp_path / "boards" / "titanic").mkdir(parents=True)
    (tmp_path / "boards" / "titanic" / "leaderboard.csv").write_text("teamId,score\n1,high\n")
    assert main(["import-leaderboards", str(tmp_path / "boards")]) == 2
    err = capsys.readouterr().err
    assert "titanic/leaderboard.csv: line 2: score 'high' is not a number" in err
    assert [r.status for r in history(_boards(home, "titanic"))] == ["rejected"]  # issue 10 row 12: recorded
    assert main(["import-leaderboards", str(tmp_path / "nothing")]) == 2
    assert "no <slug>/leaderboard.csv inside" in capsys.readouterr().err


def test_a_mirror_beside_a_meta_kaggle_folder_keeps_the_rebuild_and_serves_what_it_holds(tmp_path):
    from curation.sources import choose_sources
    from curation.sources.kaggle_client import KaggleClient

    folder, mirror = tmp_path / "meta-kaggle", tmp_path / "mirror"
    folder.mkdir()
    _write_meta_kaggle_tables(folder)
    (folder / "Competitions.csv").write_text('"Id","Slug"\n"77","generated-competition"\n')
    (mirror / SPOOKY).mkdir(parents=True)
    (mirror / SPOOKY / "leaderboard.csv").write_text((BOARDS / SPOOKY / "leaderboard.csv").read_text())
    boards = choose_sources(str(folder), KaggleClient(), mirror=mirror).leaderboards
    rebuilt = boards.leaderboard("generated-competition", tmp_path / "work")
    assert rebuilt.source == "meta-kaggle" and rebuilt.board.team_count == 2
    held = boards.leaderboard(SPOOKY, tmp_path / "work")  # the mirror's, never Kaggle
    assert (held.source, held.board.team_count) == ("mirror", len(pd.read_csv(BOARDS / SPOOKY / "leaderboard.csv")))
    with pytest.raises(NoLeaderboardError) as missing:  # neither has it: the mirror says so, Kaggle is not asked
        boards.leaderboard("titanic", tmp_path / "work")
    assert missing.value.source == "mirror"


def test_a_source_without_boards_is_recorded_under_its_own_name(home):
    from curation.leaderboard_history import refresh_leaderboard
    from curation.sources import NotProvided

    class NoBoards:  # a source that has no leaderboards at all, and one that has none for this competition
        name = "memory"

        def __init__(self, error):
            self.error = error

        def leaderboard(self, slug, workdir):
            raise self.error

    for error in (NotProvided("no leaderboards here"), NoLeaderboardError("none for this one")):
        refresh = refresh_leaderboard(_boards(home, "titanic"), "titanic", NoBoards(error), {})
        assert (refresh.record.status, refresh.record.source) == ("no_leaderboard", "memory")
    assert [r.status for r in history(_boards(home, "titanic"))] == ["no_leaderboard", "no_leaderboard"]
