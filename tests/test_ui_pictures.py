"""What the Dagster UI shows: pictures instead of ASCII art, tables that fit, one label per disagreement, the demo's
metric and board agreeing, and a schedule that names and does not stack its runs (issue 12, findings 3-7, 10, 11)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from assets.candidates import CandidateRulesConfig, funnel_table, rules_shown
from assets.metadata import MAX_CELL, counts_table, markdown_table
from assets.partitions import curated_competition_partitions
from assets.pictures import picture_metadata
from assets.resources import LeaderboardAgeResource, StorageResource
from curation import plots
from curation.curated import (
    DISPUTED,
    NONE_GIVEN,
    complexity_counts,
    complexity_labels,
    decision_counts,
    decision_summary,
    members_status,
)
from curation.leaderboard_history import known_direction
from curation.plots import (
    NEW_TEST,
    Picture,
    board_window,
    complexity_mix_plot,
    funnel_plot,
    interval_plot,
    leaderboard_plot,
)
from curation.sources.demo import DemoSource
from curation.sources.demo_meta_kaggle import demo_catalogue, demo_data_metrics
from tests.conftest import SHARED
from validation.data_root import DataRoot
from validation.metrics import METRICS, resolve_metric

PNG = b"\x89PNG\r\n\x1a\n"
FUNNEL = pd.DataFrame({
    "rule": ["(all competitions)", "not_community", "completed", "has_leaderboard", "enough_teams", "known_metric"],
    "description": ["rows in Meta Kaggle", "drop Community (ex-InClass) competitions, as MLE-bench did",
                    "keep competitions whose deadline has passed", "keep competitions with a leaderboard",
                    "keep competitions with at least 50 teams", "keep competitions whose metric mlecurate grades"],
    "excluded": [0, 2666, 3, 5, 26, 0],
    "remaining": [3000, 334, 331, 326, 300, 300],
})  # fmt: skip
PARITY_ROWS = pd.DataFrame([
    {"submission": "sample submission", "test_set": "new test", "target": "all", "rows": 240, "score": 0.233,
     "low": 0.179, "high": 0.288},
    {"submission": "baseline", "test_set": "new test", "target": "all", "rows": 240, "score": 0.696, "low": 0.642,
     "high": 0.763},
    {"submission": "baseline", "test_set": "original test", "target": "all", "rows": 500, "score": 0.71, "low": 0.67,
     "high": 0.75},
])  # fmt: skip


def _png(chart: Picture | str) -> bytes:
    """A chart's PNG (a str would be the sentence saying there is nothing to draw)."""
    assert isinstance(chart, Picture), chart
    return chart.png


def _near(pixel: tuple[int, ...], colour: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def _rows(markdown: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in markdown.splitlines()[2:]]


# Finding 3: the funnel's bars scaled to the total drew 334, 331, 326 and 300 alike, the first one 30 blocks wide.
# The bars are a picture now (drawn to a log scale of what each rule removed); the tables hold numbers only.
def test_the_funnel_table_holds_numbers_and_no_text_bars():
    rows = _rows(funnel_table(FUNNEL).value)
    assert [row[2] for row in rows] == ["3,000", "334", "331", "326", "300", "300"]  # the numbers, as numbers
    assert [row[1] for row in rows] == ["0", "2,666", "3", "5", "26", "0"]
    assert all(len(row) == 3 for row in rows) and not re.search("[█▏▌#]", funnel_table(FUNNEL).value)


def test_the_funnel_is_a_picture_whose_bars_differ_for_small_steps():
    from PIL import Image

    image = Image.open(io.BytesIO(_png(funnel_plot(FUNNEL)))).convert("RGB")
    assert image.width <= 440  # fits the value column of the Overview's metadata table at 1600 px
    # One bar per rule, drawn in the new-test blue (75% over white): bar lengths differ for 3, 5 and 26 removed.
    blue = tuple(round(0.75 * int(NEW_TEST[i : i + 2], 16) + 0.25 * 255) for i in (1, 3, 5))
    lengths = []
    for y in range(image.height):
        row = [x for x in range(image.width) if _near(image.getpixel((x, y)), blue)]
        if len(row) > 3:
            lengths.append(len(row))
    bars = sorted(set(lengths))
    assert len(bars) >= 4, bars  # 2,666, 26, 5 and 3 removed: four lengths (0 removed draws a stub)


def test_counts_tables_give_each_value_its_share():
    rows = _rows(counts_table(pd.Series(["a", "a", "a", "b", None]), "letter").value)
    assert rows == [["a", "3", "60%"], ["b", "1", "20%"], ["(none)", "1", "20%"]]
    rare = _rows(counts_table(pd.Series(["a"] * 299 + ["b"]), "letter").value)
    assert rare == [["a", "299", "100%"], ["b", "1", "<1%"]]  # 1 of 300 is not "0%"


# Finding 4: row counts printed as floats, checksums as 64 hex digits that pushed the table past the screen.
def test_tables_print_whole_numbers_as_integers_and_checksums_short():
    files = pd.DataFrame([
        {"path": "private/answers.csv", "rows": 240.0, "checksum": "v1:240:dd146b4a13dbda95445d06b1bd5526e5",
         "bytes": 2338},
        {"path": "public/description.md", "rows": None, "checksum": "sha256:" + "f671e3a96e0d" * 5 + "abcd",
         "bytes": 12439},
    ])  # fmt: skip
    rows = _rows(markdown_table(files).value)
    assert rows[0][1] == "240" and rows[1][1] == ""
    assert rows[0][2] == "v1:240:dd146b4a13db…" and rows[1][2] == "sha256:f671e3a96e0d…"
    assert rows[1][3] == "12,439"
    long_text = markdown_table(pd.DataFrame({"note": ["word " * 40]})).value
    assert len(_rows(long_text)[0][0]) == MAX_CELL


def test_a_score_column_keeps_its_decimals():
    rows = _rows(markdown_table(pd.DataFrame({"score": [0.5, 1.0]})).value)
    assert [r[0] for r in rows] == ["0.5", "1.0"]


# Finding 5: the interval plot was ASCII art in a code block.
def test_the_parity_intervals_are_a_picture_with_the_tolerance():
    chart = interval_plot(PARITY_ROWS, tolerance=0.03, metric="accuracy")
    assert _png(chart).startswith(PNG)
    assert "not drawn" not in chart.caption  # an original score: the tolerance band is drawn


def test_the_parity_picture_draws_the_gaps_interval_that_decides():
    """The verdict is decided by the gap's own interval (new minus original), not by the two score intervals: the
    picture draws it as a last row, from the original score; without a gap interval or an original score, no row."""
    from PIL import Image

    def height(chart) -> int:
        return Image.open(io.BytesIO(_png(chart))).height

    plain = interval_plot(PARITY_ROWS, 0.03, "accuracy")
    with_gap = interval_plot(PARITY_ROWS, 0.03, "accuracy", (-0.07, 0.04))
    assert height(with_gap) > height(plain)
    assert height(interval_plot(PARITY_ROWS, 0.03, "accuracy", (None, None))) == height(plain)
    new_only = PARITY_ROWS[PARITY_ROWS["test_set"] == "new test"]
    assert height(interval_plot(new_only, 0.03, "", (-0.07, 0.04))) == height(interval_plot(new_only, 0.03, ""))


def test_the_parity_picture_says_when_the_tolerance_cannot_be_drawn():
    chart = interval_plot(PARITY_ROWS[PARITY_ROWS["test_set"] == "new test"], tolerance=0.03)
    assert _png(chart).startswith(PNG) and "Score tolerance not drawn" in chart.caption
    assert interval_plot(PARITY_ROWS.assign(score=None)) == "no scores: none could be computed"


def test_the_leaderboard_and_complexity_pictures():
    board = leaderboard_plot(pd.Series([0.9, 0.8, 0.7, 0.6]), {"gold": 0.9, "silver": 0.8, "bronze": None}, True)
    assert _png(board).startswith(PNG)
    assert _png(complexity_mix_plot(complexity_counts(CURATED))).startswith(PNG)  # with None: none given


def test_a_board_with_wild_scores_keeps_its_teams_readable_and_enlarges_close_medal_lines():
    """A real board (taxi fare, RMSE): a few broken submissions score in the thousands while gold to bronze is 0.09
    wide; drawn from the worst to the best score every team fell in one bar and the three medal lines drew as one."""
    scores = pd.read_csv(SHARED / "mle-bench/competitions/new-york-city-taxi-fare-prediction/leaderboard.csv")["score"]
    low, high = board_window(scores, higher_is_better=False)
    assert low == scores.min() and high < 10 < scores.max()  # the best side kept, the wild side cut
    assert scores.between(low, high).mean() >= 0.9
    thresholds = {"gold": 2.83377, "silver": 2.88191, "bronze": 2.92371}
    chart = leaderboard_plot(scores, thresholds, False, "rmse", {"sample submission": 12.5})
    left_off = int((scores > high).sum())
    assert chart.caption == f"{left_off:,} team(s) scoring beyond {high:.4g} left off the scale" and left_off > 0
    assert chart.alt.endswith("and the medal places enlarged")
    bounded = leaderboard_plot(pd.Series([0.9, 0.8, 0.7, 0.6]), {"gold": 0.9, "silver": 0.8, "bronze": 0.7}, True)
    assert bounded.caption == "" and not bounded.alt.endswith("enlarged")  # nothing to cut, lines apart
    assert board_window(pd.Series([0.9, 0.8, 0.7, 0.6]), True) == (0.6, 0.9)


# Finding 6: a demo competition whose metric mlecurate cannot grade (weighted MAE, lower is better in Meta Kaggle) got
# AUC data and an AUC board sorted higher-first, so its board, its recipe's metric and Meta Kaggle disagreed.
def _one_per_metric() -> list[dict]:
    seen: dict[str, dict] = {}
    for row in demo_catalogue():
        if row["HasLeaderboard"] == "True" and int(row["TotalTeams"]) > 1:
            seen.setdefault(row["EvaluationAlgorithmName"], row)
    return list(seen.values())


@pytest.mark.parametrize("row", _one_per_metric(), ids=lambda r: r["EvaluationAlgorithmName"])
def test_every_demo_board_goes_the_way_meta_kaggle_says(row, tmp_path):
    slug, metric = row["Slug"], demo_data_metrics()[row["Slug"]]
    board = DemoSource().leaderboard(slug, tmp_path).board
    scores = board.teams["score"].tolist()
    is_max = {"True": True, "False": False}.get(row["EvaluationAlgorithmIsMax"])
    direction, _ = known_direction({"evaluation_algorithm_is_max": is_max, "evaluation_algorithm_name":
                                    row["EvaluationAlgorithmName"]})  # fmt: skip
    assert METRICS[metric].higher_is_better == (True if direction is None else direction)
    assert scores == sorted(scores, reverse=METRICS[metric].higher_is_better)


def test_every_demo_include_is_scored_by_the_metric_its_board_was_scored_by():
    from curation.demo_annotations import demo_annotations

    names = {r["Slug"]: r["EvaluationAlgorithmName"] for r in demo_catalogue()}
    for annotation in demo_annotations():
        recipe = annotation.changes.get("split_recipe")
        if recipe:
            assert resolve_metric(None, recipe, names[annotation.slug]) == demo_data_metrics()[annotation.slug]


def test_an_ungraded_lower_is_better_demo_competition_gets_lower_is_better_data(tmp_path):
    wmae = next(r for r in demo_catalogue() if r["EvaluationAlgorithmName"] == "Weighted Mean Absolute Error")
    assert demo_data_metrics()[wmae["Slug"]] == "rmse"
    assert DemoSource().leaderboard(wmae["Slug"], tmp_path).board.teams["score"].is_monotonic_increasing


# Finding 7: one disputed complexity was "(none)" in the metadata, "disputed" in `curated`, "1 unresolved" in summary.
CURATED = pd.DataFrame({
    "slug": ["a", "b", "c", "d"], "complexity": ["low", None, None, "medium"],
    "complexity_status": ["agreed", "disputed", "missing", "agreed"], "category": ["Tabular"] * 4,
    "overrides_rule": [None] * 4, "facts_from": ["meta kaggle", "meta kaggle", "meta kaggle", "a listing"],
})  # fmt: skip


def test_a_disputed_complexity_reads_disputed_everywhere(tmp_path):
    assert complexity_labels(CURATED).tolist() == ["low", DISPUTED, None, "medium"]
    assert complexity_counts(CURATED) == {"low": 1, "medium": 1, DISPUTED: 1, None: 1}
    assert members_status(CURATED, DataRoot(tmp_path))["complexity"].tolist() == ["low", DISPUTED, "-", "medium"]
    table = _rows(counts_table(complexity_labels(CURATED), "complexity", missing=NONE_GIVEN).value)
    assert sorted(row[0] for row in table) == [DISPUTED, "low", "medium", NONE_GIVEN]


def test_the_summary_line_says_disputed(home, capsys):
    from curation.cli import main
    from curation.warehouse import Warehouse
    from validation.data_root import CURATED as CURATED_TABLE

    Warehouse(DataRoot(home).warehouse).replace_table(CURATED_TABLE, CURATED)
    assert main(["summary"]) == 0
    assert "curated by complexity: 1 low, 1 medium, 1 disputed, 1 none given\n" in capsys.readouterr().out


def test_the_decision_counts_explain_includes_and_members():
    consolidated = pd.DataFrame({"slug": ["a", "b", "c", "d", "e", "f"],
                                 "decision": ["include", "include", "include", "include", "disputed", "exclude"]})  # fmt: skip
    counts = decision_counts(consolidated, CURATED)
    assert counts[["decision", "competitions", "members"]].values.tolist() == [
        ["include", 4, 4], ["exclude", 1, 0], ["disputed", 1, 0],
    ]  # fmt: skip
    assert decision_summary(consolidated, CURATED) == (
        "4 members: the 4 agreed includes (3 in Meta Kaggle, 1 outside the dump); not members: 1 disputed, "
        "1 exclude; 1 member(s) have a disputed complexity (a member still: only the decision decides)"
    )


# Finding 11 (part): the rules' "as_of": "" meant "now" without saying so.
def test_an_empty_as_of_is_shown_as_the_time_of_the_run():
    when = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    assert rules_shown(CandidateRulesConfig(), when)["as_of"] == (
        "2026-12-01T03:00:00+00:00 (the time of the run: as_of was empty)"
    )
    assert rules_shown(CandidateRulesConfig(as_of="2024-03-01"), datetime(2024, 3, 1))["as_of"] == "2024-03-01T00:00:00"


JOB = "refresh_leaderboards"


def _run_of(instance: dg.DagsterInstance, slug: str, status: dg.DagsterRunStatus) -> None:
    """Store a refresh run of ``slug`` in ``status``, as the run queue or a worker would leave it (a queued run names
    the code location the daemon would launch it from; this one names a made-up one)."""
    from dagster._core.remote_origin import RegisteredCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin

    origin = RemoteJobOrigin(RemoteRepositoryOrigin(RegisteredCodeLocationOrigin("pipelines"), "__repository__"), JOB)
    instance.add_run(
        dg.DagsterRun(job_name=JOB, status=status, tags={"dagster/partition": slug}, remote_job_origin=origin)
    )


# Finding 10: every tick requested every board again while earlier refreshes were still queued, with no tag saying
# which competition a run was for.
def test_the_schedule_names_each_run_and_skips_a_refresh_still_queued(home):
    from pipelines.schedules import COMPETITION_TAG, leaderboard_refresh_schedule_for

    now = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    schedule = leaderboard_refresh_schedule_for("* * * * *")
    resources = {"storage": StorageResource(home=str(home)), "leaderboard_age": LeaderboardAgeResource()}
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(curated_competition_partitions.name, ["queued-one", "running-one", "idle-one"])
        _run_of(instance, "queued-one", dg.DagsterRunStatus.QUEUED)
        _run_of(instance, "running-one", dg.DagsterRunStatus.STARTED)
        _run_of(instance, "idle-one", dg.DagsterRunStatus.SUCCESS)  # done: no reason to wait
        with dg.build_schedule_context(instance=instance, scheduled_execution_time=now, resources=resources) as context:
            requests = schedule(context)
        assert [(r.partition_key, r.tags[COMPETITION_TAG]) for r in requests] == [("idle-one", "idle-one")]
        assert requests[0].run_key == "leaderboard:idle-one:2026-11-30"

        instance.delete_dynamic_partition(curated_competition_partitions.name, "idle-one")
        with dg.build_schedule_context(instance=instance, scheduled_execution_time=now, resources=resources) as context:
            skipped = schedule(context)
        assert isinstance(skipped, dg.SkipReason)
        assert "2 still refreshing: queued-one, running-one" in skipped.skip_message


# The pictures above as the UI gets them: Dagster's Markdown renderer drops `data:` image URLs and folds a value of
# 1,000 characters or more behind "[Show Markdown]", so a picture is a short link to a file the webserver serves.
def test_a_picture_is_short_markdown_pointing_at_a_file_the_webserver_serves():
    chart = interval_plot(PARITY_ROWS, tolerance=0.03, metric="accuracy")
    with dg.instance_for_test() as instance:
        value = picture_metadata(instance, chart).value
        assert len(value) < 1000 and "data:" not in value
        found = re.fullmatch(r"!\[parity intervals: [^\]]+\]\(/logs/(?P<path>[^)]+)\)", value)
        assert found, value
        # The webserver's /logs/{path} route: the last segment is the extension, the rest the compute-log key.
        *log_key, extension = found["path"].split("/")
        served = Path(instance.compute_log_manager.get_captured_local_path(log_key, extension))
        assert extension == "png" and served.read_bytes() == chart.png
        assert picture_metadata(instance, chart).value == value  # the same chart: the same file, not a new one
        assert len(list(served.parent.iterdir())) == 1


def test_a_picture_of_the_same_inputs_is_drawn_once_and_again_when_its_file_is_gone():
    """A leaderboard refreshed unchanged shows the picture drawn for that board before, without drawing it again."""
    from assets.pictures import remembered_picture

    drawn = []

    def draw():
        drawn.append(1)
        return leaderboard_plot(pd.Series([0.9, 0.8, 0.7, 0.6]), {"gold": 0.9, "silver": 0.8, "bronze": 0.7}, True)

    with dg.instance_for_test() as instance:
        first = remembered_picture(instance, "board a", draw, "a board").value
        assert remembered_picture(instance, "board a", draw, "a board").value == first and len(drawn) == 1
        assert (
            remembered_picture(instance, "board b", draw, "a board").value == first and len(drawn) == 2
        )  # other inputs: drawn
        name = re.search(r"/logs/mlecurate-pictures/(\w+)/png", first)[1]
        Path(instance.compute_log_manager.get_captured_local_path(["mlecurate-pictures", name], "png")).unlink()
        assert (
            remembered_picture(instance, "board a", draw, "a board").value == first and len(drawn) == 3
        )  # its file was gone
        assert remembered_picture(instance, "board a", draw, "a board").value == first and len(drawn) == 3
    ephemeral = remembered_picture(dg.DagsterInstance.ephemeral(), "board a", draw, "a board").value
    assert ephemeral.startswith("_a board: not shown") and len(drawn) == 3  # it serves no files: nothing drawn


def test_a_sentence_instead_of_a_picture_is_not_remembered():
    """'no snapshot' holds until a board is written: the next refresh of the same inputs draws the picture."""
    from assets.pictures import remembered_picture

    charts = ["no snapshot", leaderboard_plot(pd.Series([0.9, 0.8]), {"gold": 0.9, "silver": 0.8, "bronze": 0.8}, True)]
    with dg.instance_for_test() as instance:
        assert remembered_picture(instance, "board a", lambda: charts.pop(0), "a board").value == "no snapshot"
        assert remembered_picture(instance, "board a", lambda: charts.pop(0), "a board").value.startswith("![")
        assert not charts


def test_a_picture_with_a_caption_and_a_sentence_without_a_picture():
    chart = interval_plot(PARITY_ROWS[PARITY_ROWS["test_set"] == "new test"], tolerance=0.03)
    with dg.instance_for_test() as instance:
        assert picture_metadata(instance, chart).value.endswith("\n\n" + chart.caption)
        assert (
            picture_metadata(instance, "no scores: none could be computed").value == "no scores: none could be computed"
        )


def test_an_instance_that_serves_no_files_says_the_picture_is_not_shown():
    shown = picture_metadata(dg.DagsterInstance.ephemeral(), funnel_plot(FUNNEL)).value
    assert shown.startswith("_candidate funnel: ") and "not shown" in shown and "NoOpComputeLogManager" in shown


def test_every_picture_fits_the_metadata_value_column_even_with_long_target_names():
    from PIL import Image

    board = leaderboard_plot(pd.Series([0.9, 0.8, 0.7, 0.6]), {"gold": 0.9, "silver": 0.8, "bronze": 0.7}, True)
    long_targets = pd.concat(
        [
            PARITY_ROWS.assign(target=t)
            for t in ("formation_energy_ev_natom", "a_target_named_at_very_great_length", "all")
        ]
    )
    charts = [funnel_plot(FUNNEL), interval_plot(PARITY_ROWS, 0.03, "accuracy"), board,
              complexity_mix_plot(complexity_counts(CURATED)),
              interval_plot(long_targets, 0.03, "mean_columnwise_root_mean_squared_log_error")]  # fmt: skip
    assert [Image.open(io.BytesIO(_png(chart))).width <= 440 for chart in charts] == [True] * len(charts)


def test_a_picture_whose_labels_would_be_clipped_grows_to_hold_them():
    from PIL import Image

    wide = FUNNEL.assign(rule=FUNNEL["rule"].str.replace("completed", "completed_" + "x" * 60))
    assert Image.open(io.BytesIO(_png(funnel_plot(wide)))).width > 440  # wider, not cut off at the left edge


def test_a_picture_that_cannot_be_written_is_named_and_the_step_goes_on(tmp_path):
    chart = funnel_plot(FUNNEL)
    with dg.instance_for_test() as instance:
        folder = Path(instance.compute_log_manager.get_captured_local_path(["mlecurate-pictures", "x"], "png")).parent
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.write_text("a file where the folder should be")  # mkdir fails: the picture cannot be written
        shown = picture_metadata(instance, chart).value
    assert shown.startswith("_candidate funnel: ") and "not shown" in shown and "could not be written" in shown


def test_a_parity_picture_of_hundreds_of_targets_draws_the_combined_scores_and_the_targets_that_moved_most():
    from PIL import Image

    per_target = pd.concat(
        [PARITY_ROWS.assign(target=f"target_{i:03d}", score=PARITY_ROWS["score"] * (1 + (i == 150) + i / 1000))
         for i in range(206)]
    )  # fmt: skip
    chart = interval_plot(pd.concat([PARITY_ROWS, per_target]), 0.03, "mean_columnwise_log_loss")
    drawn = Image.open(io.BytesIO(_png(chart)))
    few = Image.open(io.BytesIO(_png(interval_plot(pd.concat([PARITY_ROWS, per_target.head(36)]), 0.03))))
    assert drawn.height <= few.height * 1.2  # 12 targets drawn either way, not 206
    assert chart.caption.endswith("_194 more target(s) not drawn: the 12 drawn are those whose baseline score moves "
                                  "most from the original test set; the scores table has every one._")  # fmt: skip
    # the baseline's gap between the test sets: 0.014 times the target's factor, largest for target_150, then 205...
    kept, left_out, chosen_by = plots._targets_drawn(pd.concat([PARITY_ROWS, per_target]))
    assert left_out == 194 and chosen_by == "gap" and (kept["target"] == "all").sum() == 3
    assert set(kept["target"]) - {"all"} == {"target_150", *(f"target_{i}" for i in range(195, 206))}
    # without the original test set: the widest intervals of the baseline on the new one
    new_only = pd.concat(
        [PARITY_ROWS, per_target.assign(high=per_target["high"] + (per_target["target"] == "target_007"))]
    )
    kept, _, chosen_by = plots._targets_drawn(new_only[new_only["test_set"] == "new test"])
    assert chosen_by == "interval"
    assert "target_007" in set(kept["target"]) and kept["target"].nunique() == 13
