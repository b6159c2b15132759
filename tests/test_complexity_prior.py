"""The suggested complexity: its leave-one-out figure on MLE-bench's labels, too few labels, and where it shows."""

from __future__ import annotations

import html
import importlib.util
import sys

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest
from starlette.testclient import TestClient

from assets import annotations, candidates, meta_kaggle
from assets.resources import SourcesResource, StorageResource
from curation.annotations import Annotation, AnnotationStore
from curation.cli import main
from curation.complexity_features import (
    FEATURES,
    DataFacts,
    board_statistics,
    complexity_features,
    leaderboard_statistics,
    modality_shares,
)
from curation.complexity_prior import MIN_LABELS, agreed_complexities, suggest, train_prior
from curation.mlebench_leaderboards import import_mlebench_leaderboards
from curation.settings import Settings
from curation.workbench.app import COOKIE, workbench_app
from tests.conftest import PROJECT, SHARED
from validation.data_root import DataRoot
from validation.leaderboard import Leaderboard

# The random forest on Meta Kaggle facts alone: the floor this must not go under. It is a mean over forest
# seeds (0.685-0.740 over seeds 0-4, bench/RESULTS.md): one competition is 0.014 and a seed moves a forest's figure by
# up to 0.055, so the pipeline's figure is compared as a mean over seeds too.
FACTS_ONLY_FIGURE = 0.71
SEEDS = (0, 1, 2)
spec = importlib.util.spec_from_file_location("complexity_bench", PROJECT / "bench" / "complexity_prior.py")
bench = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = bench  # its dataclasses look their module up
spec.loader.exec_module(bench)


def _features(count: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(rng.normal(size=(count, len(FEATURES))), columns=FEATURES,
                        index=[f"competition-{i}" for i in range(count)])  # fmt: skip


def test_leave_one_out_on_mlebench_labels_beats_the_baselines(tmp_path):
    features, labels = bench.labelled_features(SHARED, tmp_path)
    labels = labels[labels.index.isin(features.index)]
    assert len(labels) == 73  # MLE-bench's 75, less the two launched after the March 2024 dump
    assert features.loc[labels.index, "board_distinct_share"].notna().sum() == 72  # every board but ventilator's
    results = [bench.leave_one_out(features, labels, seed=seed) for seed in SEEDS]
    majority = labels.value_counts(normalize=True).iloc[0]
    assert np.mean([r.accuracy for r in results]) >= FACTS_ONLY_FIGURE > majority + 0.2
    assert min(r.accuracy for r in results) >= FACTS_ONLY_FIGURE - 0.02  # no seed more than one competition below
    for result in results:
        assert result.two_levels_off <= 2
        assert int(result.confusion().to_numpy().trace()) == round(result.accuracy * 73)


def test_a_prior_without_out_of_bag_suggestions_suggests_the_same_for_the_others():
    """Leave-one-out trains 73 priors that each suggest for one competition they never saw: it skips the out-of-bag
    suggestions of the annotated ones (a sixth of the time), and the trees and their suggestions stay the same."""
    features = _features(40)
    labels = pd.Series(["low", "medium", "high"] * 10, index=features.index[:30])
    full, lean = train_prior(features, labels), train_prior(features, labels, out_of_bag=False)
    assert lean.out_of_bag.empty and len(full.out_of_bag) == 30
    others = features.index[30:]
    pd.testing.assert_frame_equal(suggest(lean, features.loc[others]), suggest(full, features.loc[others]))


def test_too_few_labels_suggest_nothing_and_say_why():
    features = _features(20)
    few = pd.Series(["low", "high"] * 4, index=features.index[:8])
    prior = train_prior(features, few)
    assert (
        not prior.ready
        and prior.reason.startswith("only 8 annotated competition(s)")
        and str(MIN_LABELS) in prior.reason
    )
    shown = suggest(prior, features)
    assert shown["suggested_complexity"].isna().all()
    assert (shown["suggested_complexity_reason"] == f"no suggestion: {prior.reason}").all()


def test_a_single_level_suggests_nothing():
    features = _features(20)
    prior = train_prior(features, pd.Series("medium", index=features.index[:12]))
    assert not prior.ready and "every one of the 12 annotated competitions is medium" in prior.reason


def test_labels_outside_the_features_do_not_count():
    features = _features(20)
    labels = pd.Series(["low", "high"] * 6, index=[*features.index[:5], *(f"after-the-dump-{i}" for i in range(7))])
    assert "only 5 annotated" in train_prior(features, labels).reason


def test_an_unknown_label_is_named():
    features = _features(20)
    with pytest.raises(ValueError, match="'hard'"):
        train_prior(features, pd.Series(["low", "hard"] * 6, index=features.index[:12]))


def test_suggestions_say_what_drove_them():
    features = _features(30)
    labels = pd.Series(["low", "medium", "high"] * 8, index=features.index[:24])
    prior = train_prior(features, labels)
    shown = suggest(prior, features)
    assert set(shown["suggested_complexity"]) <= {"low", "medium", "high"}
    assert shown["suggested_complexity_probability"].between(1 / 3, 1).all()
    because = shown.loc["competition-0", "suggested_complexity_reason"]
    assert because.startswith("without its own label: low ") and "; like " in because and "annotated median" in because
    assert "competition-0 (" not in because  # never its own neighbour
    assert shown.loc["competition-29", "suggested_complexity_reason"].startswith(("low ", "medium ", "high "))


def test_an_annotated_competition_is_not_shown_its_own_label_back():
    """Labels drawn at random over features of pure noise: a forest gives its training labels back (it fits them), the
    trees that never saw a label cannot; a second curator must see the latter."""
    features = _features(60)
    labels = pd.Series(np.random.default_rng(1).choice(["low", "medium", "high"], 60), index=features.index)
    prior = train_prior(features, labels)
    in_sample = prior.model.predict(features[prior.features].to_numpy(dtype=float))
    assert (in_sample == labels.to_numpy()).mean() > 0.95
    shown = suggest(prior, features)
    assert (shown["suggested_complexity"] == labels).mean() < 0.6  # chance is 1/3
    expected = prior.out_of_bag.max(axis=1).round(2)
    assert shown["suggested_complexity_probability"].equals(expected.reindex(shown.index))


def test_teams_per_medal_and_modality_are_features(real_competitions):
    board = Leaderboard.from_scores(np.linspace(0, 1, 500), "higher")
    assert leaderboard_statistics(board, True)["board_teams_per_medal"] == 500 / 100  # 500 teams: bronze to 100th
    files = ["train.csv", "train/a.jpg", "train/b.JPG", "test/c.png", "clips/d.wav"]
    assert modality_shares(files) == {"image": 0.6, "audio": 0.2, "video": 0.0}
    frame = real_competitions.table.to_pandas().head(2)
    slug = frame["slug"].iloc[0]
    features = complexity_features(
        frame, data={slug: DataFacts(gigabytes=1.0, files=5, modality=modality_shares(files))}
    )
    assert features.loc[slug, ["data_image_share", "data_audio_share", "data_video_share"]].tolist() == [0.6, 0.2, 0.0]
    assert features.drop(index=slug)[["data_image_share", "board_teams_per_medal"]].isna().all().all()  # not known


def test_disputed_complexities_teach_nothing():
    a = [Annotation("x", "ada", complexity="low"), Annotation("x", "grace", complexity="high"),
         Annotation("y", "ada", complexity="low"), Annotation("y", "grace", complexity="low"),
         Annotation("z", "ada")]  # fmt: skip
    assert agreed_complexities(a).to_dict() == {"y": "low"}


def test_board_statistics_do_not_depend_on_the_metric_direction():
    scores = np.array([0.9, 0.8, 0.8, 0.7, 0.5, 0.4, 0.3, 0.1])
    higher = leaderboard_statistics(Leaderboard.from_scores(scores, "higher"), higher_is_better=True)
    lower = leaderboard_statistics(Leaderboard.from_scores(1 - scores, "lower"), higher_is_better=False)
    assert higher == pytest.approx(lower)
    assert higher["board_distinct_share"] == 7 / 8


def test_board_statistics_pass_over_what_is_not_a_competition_folder(tmp_path):
    picked = tmp_path / "mle-bench"
    for slug in ("spooky-author-identification", "aerial-cactus-identification"):
        (picked / slug).mkdir(parents=True)
        (picked / slug / "leaderboard.csv").symlink_to(SHARED / "mle-bench" / "competitions" / slug / "leaderboard.csv")
    root = DataRoot(tmp_path / "home")
    import_mlebench_leaderboards(picked, root, {"spooky-author-identification": False,
                                                "aerial-cactus-identification": True})  # fmt: skip
    (root.leaderboards_root / ".Trash-0" / "snapshots").mkdir(parents=True)  # a desktop's bin, an editor's folder
    (root.leaderboards_root / "notes.txt").write_text("boards refreshed on Monday\n")
    (root.leaderboards_root / "not-yet-refreshed").mkdir()
    found = board_statistics(root)
    assert sorted(found) == ["aerial-cactus-identification", "spooky-author-identification"]
    assert 0 < found["spooky-author-identification"]["board_distinct_share"] <= 1


def test_features_of_a_competition_without_facts_are_missing_not_zero(real_competitions):
    frame = real_competitions.table.to_pandas()
    features = complexity_features(frame.head(3))
    assert features[["board_top_gap", "data_gb_log10", "data_files_log"]].isna().all().all()
    assert features["teams_log"].notna().all()


def test_curation_job_on_the_demo_adds_the_suggestion_and_show_and_queue_print_it(tmp_path, home, monkeypatch, capsys):
    from curation.demo_annotations import DEMO_ANNOTATION_TIME, demo_annotations

    store = AnnotationStore(tmp_path / "annotations")
    for item in demo_annotations():
        store.update(item.slug, item.curator, item.changes, now=DEMO_ANNOTATION_TIME)
    result = dg.materialize(
        dg.load_assets_from_modules([meta_kaggle, candidates, annotations]),
        resources={"sources": SourcesResource(meta_kaggle="demo"),
                   "storage": StorageResource(home=str(tmp_path), annotations=str(tmp_path / "annotations"))},
        instance=dg.DagsterInstance.ephemeral(),
    )  # fmt: skip
    assert result.success
    metadata = result.asset_materializations_for_node("candidate_competitions")[0].metadata
    assert metadata["complexity_prior"].value.startswith("trained on ")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT slug, suggested_complexity, suggested_complexity_probability, suggested_complexity_reason FROM "
                           "curation.candidates WHERE is_candidate ORDER BY total_teams DESC").fetchall()  # fmt: skip
    assert rows and all(level in ("low", "medium", "high") and 0 < p <= 1 and "; like " in why
                        for _, level, p, why in rows)  # fmt: skip
    monkeypatch.setenv("MLECURATE_HOME", str(tmp_path))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(tmp_path / "annotations"))
    capsys.readouterr()
    assert main(["queue", "--limit", "100000"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.lstrip().startswith("slug"))
    assert header.split()[-1] == "suggested"
    slug, level, probability, why = rows[0]
    assert main(["show", slug]) == 0
    assert f"  suggested complexity: {level} ({probability:.2f}): {why}\n" in capsys.readouterr().out
    # The workbench shows it too: in the queue, filterable, and on the competition's page with what drove it.
    page = TestClient(workbench_app(Settings.from_environment()), base_url="http://127.0.0.1:3100")
    page.cookies.set(COOKIE, "grace")
    listed = page.get("/", params={"suggested": level}).text
    assert f'data-slug="{slug}"' in listed
    assert not [other for other, shown, _, _ in rows if shown != level and f'data-slug="{other}"' in listed]
    assert html.escape(why) in page.get(f"/competitions/{slug}").text


def test_show_says_why_there_is_no_suggestion(tmp_path, home, monkeypatch, capsys):
    result = dg.materialize(
        dg.load_assets_from_modules([meta_kaggle, candidates]),
        resources={"sources": SourcesResource(meta_kaggle="demo"),
                   "storage": StorageResource(home=str(tmp_path), annotations=str(tmp_path / "annotations"))},
        instance=dg.DagsterInstance.ephemeral(),
    )  # fmt: skip
    assert result.success
    monkeypatch.setenv("MLECURATE_HOME", str(tmp_path))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(tmp_path / "annotations"))
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        slug = con.execute("SELECT slug FROM curation.candidates WHERE is_candidate LIMIT 1").fetchone()[0]
    capsys.readouterr()
    assert main(["show", slug]) == 0
    assert ("  suggested complexity: no suggestion: only 0 annotated competition(s) with an agreed complexity"
            in capsys.readouterr().out)  # fmt: skip


def test_registering_a_metric_does_not_change_the_custom_metric_feature(real_competitions, monkeypatch):
    """The feature is a fact about the competition (its metric is none of the standard ones), not the registry of
    the day: registering Dice (hubmap-kidney-segmentation's) makes hubmap gradable, and left its custom metric 1.
    Registry-based, three metrics added moved the leave-one-out figure from 0.712 to 0.703."""
    from validation import metrics

    frame = real_competitions.table.to_pandas()
    frame = frame[frame["slug"].isin(["hubmap-kidney-segmentation", "spooky-author-identification"])]
    before = complexity_features(frame)["custom_metric"].to_dict()
    assert before == {"hubmap-kidney-segmentation": 1.0, "spooky-author-identification": 0.0}
    dice = metrics.Metric("dice", True, ("Dice",), lambda a, p: 1.0, "text", "text", 1.0)
    monkeypatch.setitem(metrics.METRICS, "dice", dice)
    assert metrics.canonical_metric("Dice") == "dice"
    assert complexity_features(frame)["custom_metric"].to_dict() == before
