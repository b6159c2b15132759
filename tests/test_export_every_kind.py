"""Issue 11, beyond the six shared competitions: the MLE-bench export of a competition of every kind.

One competition per metric of ``validation.metrics.METRICS`` is made with ``mlecurate generate-competition`` (small:
``--rows 160``) in the shape its case names, with the generator's options: the split recipe's kind (random,
stratified, group, temporal, released_labels), the data files' format (CSV, JSON, Parquet), with and without an id
column, one to four targets, and Kaggle's own sample file name (``CASES`` says which competition is which). Then, the real way, as the README's "Try a competition of any kind" does: annotated with the recipe, downloaded
from the folder mirror (``fetch_competition``), split (``prepare_annotated_split``), the mirror's board recorded as
the snapshot, parity checked for real (``check_split_parity``), curated, and exported once (``export_benchmark``;
with ``include_drift`` when some verdict is ``drift``, which the module then says).

For every exported competition the grader its ``config.yaml`` names is imported as MLE-bench's ``import_fn`` does
(``module:attr`` split, ``importlib.import_module``, ``getattr``) and called on DataFrames read as MLE-bench reads them
(``pd.read_csv(path, float_precision="round_trip")``); it must give ``validation.grading.grade_submission``'s score on
the same files (to 1e-9) for the answers, the exported sample and a perturbed submission, and raise
``InvalidSubmissionError`` exactly when ``grade_submission`` calls a submission invalid (a column dropped, a row
dropped). MLE-bench's own ``grade_csv`` then grades the same files in a subprocess over a scratch copy of its checkout.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.conftest import PROJECT, SHARED, screened_warehouse
from validation.metrics import METRICS

MLEBENCH = SHARED.parent / "tools" / "mle-bench"
ROWS = "160"  # train rows of each generated competition (its original test set has 5/12 as many)
SUBMISSIONS = ("answers", "sample", "perturbed", "missing-column", "missing-row")
INVALID = ("missing-column", "missing-row")


@dataclass(frozen=True)
class Case:
    metric: str
    kind: str  # the split recipe's kind
    format: str = "csv"  # of train/test (and the released labels): csv, json, parquet
    has_id: bool = True  # False: no id column anywhere; rows are matched by the test columns' content
    targets: int | None = None  # --targets, for a column-wise metric
    labelled: bool = False  # --labelled-test: test_with_solutions.csv (original_answers_file, or released_labels')
    sample_name: str | None = None  # the recipe's sample_submission_name (Kaggle's own file name)
    text_ids: bool = False  # ids as text (r00012) rather than numbers
    name: str = ""  # the slug's suffix, for a second competition of a metric

    @property
    def slug(self) -> str:
        return "kind-" + (self.name or self.metric.replace("_", "-"))


CASES = [
    Case("accuracy", "stratified"),
    Case("auc", "group"),
    Case("f1_macro", "stratified", "json", text_ids=True),
    Case("f1_micro", "stratified", "parquet", has_id=False),
    Case("log_loss", "temporal"),
    Case("mae", "random", "json", has_id=False),
    Case("map_at_k", "random", sample_name="sampleSubmission.csv"),
    Case("mean_columnwise_auc", "random", "parquet", targets=3, text_ids=True),
    Case("mean_columnwise_rmsle", "released_labels", targets=2, labelled=True),
    Case("mean_columnwise_spearman", "group", "json", has_id=False, targets=4),
    Case("mean_levenshtein", "temporal", "parquet", text_ids=True),
    Case("multiclass_log_loss", "stratified"),
    Case("quadratic_weighted_kappa", "stratified", has_id=False),
    Case("rmse", "temporal", "json", text_ids=True),
    Case("rmsle", "random", labelled=True),
    Case("word_jaccard", "released_labels", "parquet", labelled=True, text_ids=True),
    Case("mse", "random", "parquet", has_id=False),
    Case("smape", "temporal", text_ids=True),
    Case("rmspe", "group", "json"),
    Case("pearson", "random", labelled=True),
    Case("matthews_correlation", "stratified", "parquet", text_ids=True),
    Case("mean_columnwise_rmse", "released_labels", "json", targets=3, labelled=True),
    Case("mean_columnwise_mae", "temporal", "parquet", targets=2),
    Case("mean_columnwise_log_loss", "group", has_id=False, targets=4),
    Case("f1_micro_labels", "group", "json", text_ids=True),
    Case("kl_divergence", "released_labels", "json", targets=4, labelled=True, text_ids=True),
    Case("map_at_12", "group", "json"),
    Case("map_at_3", "temporal", "parquet", text_ids=True),
    Case("weighted_auc", "stratified", "json"),
    Case("lwlrap", "random", targets=5, text_ids=True),
    Case("top_k_error", "group", "parquet", has_id=False),
    Case("top_1_error", "released_labels", labelled=True),
    Case("top_3_error", "random", "json", text_ids=True),
    Case("normalized_gini", "temporal", "json", has_id=False),
    Case("r2", "group", "parquet", text_ids=True),
    Case("dice", "group", text_ids=True),
    Case("global_dice", "released_labels", "parquet", labelled=True),
    Case("iou_precision", "random", "json"),
    Case("mean_f2", "temporal", "parquet", text_ids=True),
    Case("mean_f1", "released_labels", labelled=True),
    Case("mean_f0_5", "random", has_id=False),
    # Numeric ids in a JSON / Parquet download (typed there, text in answers.csv: parity once failed on them).
    Case("accuracy", "random", "json", name="accuracy-json-numeric-ids"),
    Case("rmse", "random", "parquet", name="rmse-parquet-numeric-ids"),
    # Several 0/1 targets stratified on the combination of their values (plant-pathology's one-hot classes).
    Case("mean_columnwise_auc", "stratified", targets=3, name="multilabel-stratified"),
]
BY_SLUG = {case.slug: case for case in CASES}
SLUGS = sorted(BY_SLUG)


# --- the competitions: generated, reshaped, and taken through data, split, board and parity ---------------------------


def _shape_options(case: Case) -> list[str]:
    """``mlecurate generate-competition``'s options for ``case``."""
    options = ["--rows", ROWS, "--slug", case.slug, "--kind", case.kind, "--format", case.format]
    options += ["--targets", str(case.targets)] if case.targets else []
    options += ["--labelled-test"] if case.labelled else []
    options += [] if case.has_id else ["--no-id"]
    options += ["--text-ids"] if case.text_ids else []
    options += ["--sample-name", case.sample_name] if case.sample_name else []
    return options


@dataclass(frozen=True)
class Built:
    root: object  # validation.data_root.DataRoot
    mirror: Path
    export: Path
    result: object  # curation.benchmark_export.ExportResult
    verdicts: dict  # slug -> parity verdict
    reasons: dict  # slug -> parity reason
    parity_errors: dict  # slug -> what check_split_parity raised (no parity.json then)
    include_drift: bool


@pytest.fixture(scope="module")
def built(tmp_path_factory, real_competitions) -> Built:
    from curation.annotations import AnnotationStore
    from curation.benchmark_export import ExportOptions, export_benchmark
    from curation.cli import main
    from curation.competition_data import fetch_competition, read_download_record, stored_description
    from curation.curated import curate, load_annotations, split_recipe_for
    from curation.leaderboard_history import record_snapshot
    from curation.sources import choose_sources
    from curation.sources.kaggle_client import KaggleClient
    from curation.split_parity import check_split_parity
    from splits.layout import prepare_annotated_split
    from validation.data_root import DataRoot
    from validation.leaderboard import read_leaderboard
    from validation.parity import ParityTolerance

    base = tmp_path_factory.mktemp("every-kind")
    mirror, home = base / "mirror", base / "home"
    root = DataRoot(home, home / "annotations")
    warehouse = screened_warehouse(root, real_competitions)
    store = AnnotationStore(root.annotations)
    sources = choose_sources("demo", KaggleClient(), mirror=mirror)  # MLECURATE_KAGGLE_MIRROR=mirror
    verdicts, reasons, parity_errors = {}, {}, {}
    for case in CASES:
        with io.StringIO() as out, pytest.MonkeyPatch.context() as patch:
            patch.setattr(sys, "stdout", out)
            assert main(["generate-competition", str(mirror), "--metric", case.metric, *_shape_options(case)]) == 0
        recipe = yaml.safe_load((mirror / case.slug / "recipe.yaml").read_text())
        store.update(case.slug, "alice", {"decision": "include", "complexity": "low", "split_recipe": recipe})
        fetch_competition(root.raw(case.slug), sources.competition_data, meta_kaggle=sources.meta_kaggle)
        document, curators = split_recipe_for(case.slug, store.for_competition(case.slug))
        overview, _ = stored_description(root, case.slug)
        split = prepare_annotated_split(
            case.slug, document, curators, root.raw(case.slug).files, root.prepared_root,
            warehouse.competition(case.slug), overview=overview,
            source_sha256=read_download_record(root.raw(case.slug)).zip_sha256,
        )  # fmt: skip
        assert split.published, (case.slug, [(c.name, c.found) for c in split.checks if not c.passed])
        board = read_leaderboard(mirror / case.slug / "leaderboard.csv")  # the generator's board
        record_snapshot(root.leaderboards(case.slug), case.slug, board, "mirror", METRICS[case.metric].higher_is_better)
        try:
            report = check_split_parity(case.slug, root, store.for_competition(case.slug),
                                        warehouse.competition(case.slug), ParityTolerance(), sources)  # fmt: skip
        except Exception as error:  # noqa: BLE001 - kept, and checked by the tests (PARITY_BUG)
            parity_errors[case.slug] = f"{type(error).__name__}: {error}"
            continue
        verdicts[case.slug], reasons[case.slug] = report.verdict, report.reason
    load_annotations(store, warehouse)
    assert curate(warehouse).members == len(CASES)
    include_drift = "drift" in verdicts.values()
    export = base / "bench"
    result = export_benchmark(root, warehouse, export, ExportOptions(include_drift=include_drift))
    return Built(root, mirror, export, result, verdicts, reasons, parity_errors, include_drift)


# --- the submissions, and how each side grades them ---------------------------------------------------------------------


def _config(built: Built, slug: str) -> dict:
    return yaml.safe_load((built.export / "competitions" / slug / "config.yaml").read_text())


def _import_fn(fn_import_string: str):
    """MLE-bench's ``mlebench.utils.import_fn``, as it is: ``module:fn`` split, imported, ``getattr``."""
    module_name, fn_name = fn_import_string.split(":")
    module = importlib.import_module(module_name)
    return getattr(module, fn_name)


def _keys(config: dict) -> list[str]:
    return parse_qs(config["grader"]["grade_fn"].partition("?")[2]).get("keys", [])


def _perturbed(answers: pd.DataFrame, sample: pd.DataFrame, keys: list[str], metric: str) -> pd.DataFrame:
    """The answers (text) with every third row's predictions replaced by the sample's constant ones, the other
    numbers moved (probabilities towards 0.5, the rest scaled, written with 17 digits), rows in a shuffled order."""
    spec = METRICS[metric]
    out = answers.copy()
    predicted = [c for c in answers.columns if c not in keys]
    if spec.numeric_predictions and not spec.prediction_domain.whole:
        for column in predicted:
            values = pd.to_numeric(out[column]).to_numpy(dtype=float)
            moved = 0.05 + 0.9 * values if spec.prediction_domain.high == 1.0 else values * 1.0123456789 + 0.25
            if spec.distribution:  # towards the uniform distribution: each row still sums to 1
                moved = 0.1 / len(predicted) + 0.9 * values
            out[column] = [repr(float(v)) for v in moved]
    constant = sample.iloc[0]
    third = out.index[::3]
    for column in predicted:
        out.loc[third, column] = constant[column]
    order = np.random.default_rng(11).permutation(len(out))
    return out.iloc[order].reset_index(drop=True)


@pytest.fixture(scope="module")
def submissions(built, tmp_path_factory) -> dict[str, dict[str, Path]]:
    """``{slug: {name: path}}``: the exported answers and sample as they are, a perturbed submission, and the
    sample without its last column and without its last row."""
    folder = tmp_path_factory.mktemp("kind-submissions")
    out = {}
    for slug in built.result.members:
        config, data = _config(built, slug), built.export / "data"
        answers_path, sample_path = data / config["dataset"]["answers"], data / config["dataset"]["sample_submission"]
        answers = pd.read_csv(answers_path, dtype=str, keep_default_na=False)
        sample = pd.read_csv(sample_path, dtype=str, keep_default_na=False)
        paths = {"answers": answers_path, "sample": sample_path}
        for name, frame in (("perturbed", _perturbed(answers, sample, _keys(config), config["grader"]["name"])),
                            ("missing-column", sample.iloc[:, :-1]), ("missing-row", sample.iloc[:-1])):  # fmt: skip
            paths[name] = folder / f"{slug}-{name}.csv"
            frame.to_csv(paths[name], index=False)
        out[slug] = paths
    return out


@dataclass(frozen=True)
class Graded:
    score: float | None  # the grade_fn's score; None when it raised
    raised: BaseException | None
    report: object  # validation.grading.GradingReport of grade_submission


@pytest.fixture(scope="module")
def graded(built, submissions) -> dict[str, dict[str, Graded]]:
    """Each submission graded by the grade_fn the exported config names (as MLE-bench calls it) and by
    ``grade_submission`` on the same file against the published split."""
    from validation.grading import grade_submission

    out = {}
    for slug, files in submissions.items():
        config = _config(built, slug)
        grade = _import_fn(config["grader"]["grade_fn"])
        answers = pd.read_csv(built.export / "data" / config["dataset"]["answers"], float_precision="round_trip")
        out[slug] = {}
        for name, path in files.items():
            submission = pd.read_csv(path, float_precision="round_trip")
            score, raised = None, None
            try:
                score = grade(submission, answers.copy())
            except Exception as error:  # noqa: BLE001 - which error it is, is what the tests check
                raised = error
            report = grade_submission(path, built.root.prepared(slug), config["grader"]["name"])
            out[slug][name] = Graded(score, raised, report)
    return out


# --- the tests -------------------------------------------------------------------------------------------------------


def test_the_cases_cover_every_metric_kind_format_and_key():
    assert {case.metric for case in CASES} == set(METRICS) and len(SLUGS) == len(CASES)
    assert {case.kind for case in CASES} == {"random", "stratified", "group", "temporal", "released_labels"}
    assert {case.format for case in CASES} == {"csv", "json", "parquet"}
    assert {case.has_id for case in CASES} == {True, False}
    assert any((case.targets or 1) > 1 for case in CASES)
    assert any((case.targets or 1) > 1 and case.kind == "stratified" for case in CASES)


def test_each_generated_competition_is_exported_or_left_out_for_a_stated_reason(built):
    result = built.result
    assert not result.failed, result.failed
    assert sorted(result.members + list(result.left_out)) == SLUGS
    for slug, why in result.left_out.items():  # only parity (unchecked, or a verdict not exported) leaves one out
        if slug in built.parity_errors:
            assert why.startswith("parity not checked: dagster job execute -m pipelines -j prepare_competition"), why
            continue
        verdict = built.verdicts[slug]
        assert verdict not in (("parity", "drift") if built.include_drift else ("parity",)), (slug, why)
        hint = {"drift": " (--include-drift exports it)", "unknown": " (--include-unknown exports it)"}.get(verdict, "")
        assert why == f"parity verdict {verdict}{hint}: {built.reasons[slug]}", (slug, why)
    index = json.loads((built.export / "export.json").read_text())
    assert sorted(index["competitions"]) == result.members and index["left_out"] == result.left_out
    assert index["options"]["include_drift"] == built.include_drift
    for slug in result.members:
        entry = index["competitions"][slug]
        assert entry["metric"] == BY_SLUG[slug].metric and entry["parity"]["verdict"] == built.verdicts[slug]
        assert entry["source"]["data"] == "mirror" and entry["source"]["leaderboard"] == "mirror"
    # Every competition whose parity could be checked reaches the export, or this module proves little.
    assert sorted(result.members) == sorted(set(SLUGS) - set(built.parity_errors)), (result.left_out, built.verdicts)


def test_parity_is_checked_for_every_kind_and_format(built):
    assert built.parity_errors == {}


def test_the_export_lays_out_each_kind_as_its_recipe_says(built):
    for slug in built.result.members:
        case, config = BY_SLUG[slug], _config(built, slug)
        public = built.export / "data" / slug / "prepared" / "public"
        names = {p.name for p in public.iterdir()}
        assert {f"train.{case.format}", f"test.{case.format}", case.sample_name or "sample_submission.csv"} <= names
        assert config["dataset"]["sample_submission"] == f"{slug}/prepared/public/" + (
            case.sample_name or "sample_submission.csv"
        )
        assert config["grader"]["name"] == case.metric
        assert config["grader"]["grade_fn"].startswith(f"validation.mlebench_grade:grade?metric={case.metric}&")
        exported = built.export / "data" / config["dataset"]["answers"]
        assert exported.read_bytes() == built.root.prepared(slug).answers.read_bytes(), slug
        answers = pd.read_csv(exported, dtype=str, keep_default_na=False)
        keys = _keys(config)
        if case.has_id:
            assert keys == ["id"], slug
        else:  # every public test column identifies a row: the features (and the group or time column)
            assert "id" not in answers.columns and len(keys) >= 6 and set(keys) < set(answers.columns), (slug, keys)
        targets = case.targets or 1
        predicted = [c for c in answers.columns if c not in keys]
        assert len(predicted) == (3 if METRICS[case.metric].one_column_per_class else targets), (slug, predicted)


@pytest.mark.parametrize("slug", SLUGS)
def test_the_config_grade_fn_gives_grade_submissions_score_and_validity(built, graded, slug):
    from validation.mlebench_grade import _invalid_submission_error

    if slug not in built.result.members:  # every kind reaches the export (parity is checked for each)
        raise AssertionError(f"{slug} left out of the export: {built.result.left_out[slug]}")
    spec = METRICS[BY_SLUG[slug].metric]
    found = graded[slug]
    for name in SUBMISSIONS:
        one = found[name]
        assert one.report.submission_exists, (name, one.report.errors)
        if one.report.valid_submission:
            assert one.raised is None, (name, repr(one.raised))
            assert abs(one.score - one.report.score) <= 1e-9, (name, one.score, one.report.score)
        else:
            assert one.score is None, (name, one.score, one.report.errors)
            assert type(one.raised) is _invalid_submission_error(), (name, repr(one.raised))
            assert type(one.raised).__name__ == "InvalidSubmissionError"
    # What grade_submission says, so that agreeing means something.
    assert found["answers"].report.valid_submission and found["answers"].report.score == spec.perfect
    assert found["sample"].report.valid_submission, found["sample"].report.errors
    assert found["perturbed"].report.valid_submission, found["perturbed"].report.errors
    scores = {found[name].report.score for name in ("answers", "sample", "perturbed")}
    assert len(scores) == 3, (slug, scores)
    for name in INVALID:
        assert not found[name].report.valid_submission, (name, found[name].report.score)


# --- MLE-bench's own grade_csv, in a subprocess over a scratch checkout ------------------------------------------------

ORACLE = r"""
import json, sys, warnings
from pathlib import Path

warnings.simplefilter("ignore")
job = json.loads(Path(sys.argv[1]).read_text())
from mlebench.grade import grade_csv
from mlebench.registry import registry

reg = registry.set_data_dir(Path(job["data_dir"]))
out = {}
for slug, files in job["submissions"].items():
    competition = reg.get_competition(slug)
    out[slug] = {name: grade_csv(Path(path), competition).to_dict() for name, path in files.items()}
Path(sys.argv[2]).write_text(json.dumps(out, default=str))
"""


@pytest.fixture(scope="module")
def mlebench_reports(built, submissions, tmp_path_factory) -> dict:
    """MLE-bench's ``grade_csv`` report of every submission, its registry holding the export's competitions."""
    scratch = tmp_path_factory.mktemp("kind-mlebench")
    shutil.copytree(MLEBENCH / "mlebench", scratch / "checkout" / "mlebench")
    for slug in built.result.members:
        shutil.copytree(built.export / "competitions" / slug, scratch / "checkout" / "mlebench" / "competitions" / slug)
    job = {"data_dir": str(built.export / "data"),
           "submissions": {slug: {n: str(p) for n, p in files.items()} for slug, files in submissions.items()}}  # fmt: skip
    (scratch / "job.json").write_text(json.dumps(job))
    (scratch / "oracle.py").write_text(ORACLE)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(scratch / "checkout"), str(PROJECT)])}
    done = subprocess.run([sys.executable, str(scratch / "oracle.py"), str(scratch / "job.json"),
                           str(scratch / "out.json")], env=env, cwd=scratch, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Unexpected error during grading" not in done.stderr, done.stderr[-3000:]
    return json.loads((scratch / "out.json").read_text())


@pytest.mark.parametrize("slug", SLUGS)
def test_mlebench_grade_csv_agrees_with_grade_submission(built, graded, mlebench_reports, slug):
    if slug not in built.result.members:  # every kind reaches the export (parity is checked for each)
        raise AssertionError(f"{slug} left out of the export: {built.result.left_out[slug]}")
    for name in SUBMISSIONS:
        mine, theirs = graded[slug][name].report, mlebench_reports[slug][name]
        assert theirs["valid_submission"] == mine.valid_submission, (name, theirs, mine.errors)
        if mine.valid_submission:
            assert abs(theirs["score"] - round(mine.score, 5)) <= 1e-9, (name, theirs["score"], mine.score)
        else:
            assert theirs["score"] is None, (name, theirs)
        assert theirs["is_lower_better"] == (not METRICS[BY_SLUG[slug].metric].higher_is_better), name


# --- where the grade_fn and grade_submission differ, on purpose (README, "Running agents on the curated benchmark") -


def _variant(answers_text: str, name: str) -> str:
    """The exported answers (a perfect submission), changed as ``name`` says."""
    frame = pd.read_csv(io.StringIO(answers_text), dtype=str, keep_default_na=False)
    if name == "text-prediction-None":  # pandas reads None, null, nan, NA... as missing; the grade_fn sees ""
        frame.loc[:4, frame.columns[-1]] = "None"
    elif name == "zero-padded-ids":
        frame["id"] = "0" + frame["id"]
    elif name == "float-ids":
        frame["id"] = frame["id"] + ".0"
    elif name == "ragged-text-line":  # a line without its (text) prediction field
        lines = frame.to_csv(index=False).splitlines()
        lines[3] = lines[3].rsplit(",", 1)[0]
        return "\n".join(lines) + "\n"
    return frame.to_csv(index=False)


# The grade_fn sees a file as MLE-bench's pandas read typed it; grade_submission reads its text, as Kaggle does.
DIFFERENCES = {  # variant: (grade_fn valid, grade_submission valid, same score when both valid)
    "text-prediction-None": (True, True, False),  # pandas reads None/null/nan as missing: an empty text to the grade_fn
    "zero-padded-ids": (True, False, None),  # 0101 is id 101 to pandas; Kaggle matches ids as written
    "float-ids": (True, False, None),  # 101.0 likewise
    "ragged-text-line": (True, False, None),  # pandas fills a missing last field; the file's line is short
}


@pytest.mark.parametrize(
    "slug, name",
    [("kind-mean-levenshtein", "text-prediction-None"), ("kind-f1-micro-labels", "text-prediction-None"),
     ("kind-accuracy", "zero-padded-ids"),
     ("kind-accuracy", "float-ids"), ("kind-mean-levenshtein", "ragged-text-line")],
)  # fmt: skip
def test_where_pandas_typing_makes_the_grade_fn_differ_it_differs_as_documented(built, tmp_path, slug, name):
    from validation.grading import grade_submission

    config = _config(built, slug)
    answers_path = built.export / "data" / config["dataset"]["answers"]
    path = tmp_path / f"{name}.csv"
    path.write_text(_variant(answers_path.read_text(), name))
    report = grade_submission(path, built.root.prepared(slug), config["grader"]["name"])
    grade = _import_fn(config["grader"]["grade_fn"])
    answers = pd.read_csv(answers_path, float_precision="round_trip")
    try:
        score = grade(pd.read_csv(path, float_precision="round_trip"), answers)
    except Exception:  # noqa: BLE001 - invalid for the grade_fn
        score = None
    theirs_valid, ours_valid, same_score = DIFFERENCES[name]
    assert (score is not None, report.valid_submission) == (theirs_valid, ours_valid), (score, report.errors)
    if same_score is not None:
        assert (abs(score - report.score) <= 1e-9) == same_score, (score, report.score)
