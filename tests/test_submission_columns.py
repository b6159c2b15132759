"""Recipe key ``submission_columns``: the submission's columns where they are not the train file's (iwildcam-2019's
``Id, Category`` for ``id, category_id``; chaii's ``PredictionString`` for ``answer_text``, ``answer_start`` not
predicted; text-normalization's ``id`` built as ``{sentence_id}_{token_id}``). The split's answers and sample take
them, mlecurate grades them, parity maps them back, and MLE-bench's own graders for those three competitions grade the
published files as mlecurate does."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from splits.layout import prepare_competition
from tests.conftest import generated_download
from tests.test_mlebench_conformance import _mlebench_grader
from validation.data_root import DataRoot, PreparedFolder
from validation.grading import grade_submission
from validation.parity import parity_report
from validation.parity_inputs import load_parity_inputs
from validation.split_recipe import RecipeError, answer_targets, parse_recipe, submission_keys

TOKENS = {"kind": "group", "group_column": "sentence_id", "target_columns": ["after", "class"],
          "submission_columns": {"id": "{sentence_id}_{token_id}", "after": "after"}}  # fmt: skip


def test_the_key_is_read_kept_and_said_in_the_recipe_document():
    recipe = parse_recipe(TOKENS, where="tokens.yaml")
    assert recipe.submission_columns == (("id", "{sentence_id}_{token_id}"), ("after", "after"))
    assert recipe.graded_targets == ("after",)  # class: out of the test set, not predicted
    assert recipe.submission_key_columns() == ("sentence_id", "token_id")
    sliced = parse_recipe(TOKENS | {"submission_columns": {"id": "{x[0]}_{y[0]}", "after": "after"}}, where="r")
    assert sliced.submission_key_columns(["x[0]", "y"]) == ("x[0]", "y")  # a column named x[0] is that column
    document = recipe.to_document()
    assert document["submission_columns"] == TOKENS["submission_columns"]
    assert parse_recipe(document, where="again") == recipe
    assert submission_keys(document) == ["id"] and answer_targets(document) == ["after"]
    renamed = {"kind": "random", "id_column": "id", "target_columns": "category_id",
               "submission_columns": {"Id": "id", "Category": "category_id"}}  # fmt: skip
    document = parse_recipe(renamed, where="r").to_document()
    assert submission_keys(document) == ["Id"] and answer_targets(document) == ["Category"]
    assert submission_keys({"target_columns": ["y"], "id_column": "id"}) == ["id"]
    assert submission_keys({"target_columns": ["y"]}) is None


@pytest.mark.parametrize(
    "columns, said",
    [
        (["id", "after"], "expected a mapping of the submission's columns, such as {Id: id, Category: category_id}"),
        ({}, "expected a mapping"),
        ({"id": "{sentence_id}_{token_id}"}, "names no target column (after, class): its entries (id: {sentence_id}_{token_id}) are all keys"),
        ({"id": "token_id", "after": "aftr"}, "names no target column (after, class): its entries (id: token_id, after: aftr) are all keys ('aftr' for 'after'?), so a submission would predict nothing; map a column of the submission to the target it predicts"),
        ({"after": "after", "class": "class"}, "names no key column"),
        ({"id": "{sentence_id}_{class}", "after": "after"}, "column 'id': '{sentence_id}_{class}' names target column 'class'"),
        ({"id": "{sentence_id_{token_id}", "after": "after"}, "column 'id': '{sentence_id_{token_id}' has unbalanced or nested braces"),
        ({"id": "{}_{token_id}", "after": "after"}, "column 'id': '{}_{token_id}' has an empty placeholder"),
        ({"id": "token_id", "a": "after", "b": "after"}, "target 'after' is predicted by two columns"),
        ({" id": "token_id", "after": "after"}, "' id' is no column name"),
        ({"id": 3, "after": "after"}, "column 'id': expected a target column, an id column or a pattern"),
        ({"id": "{sentence_id[3:1]}", "after": "after"}, "the placeholder {sentence_id[3:1]}, whose slice takes no character"),
        ({"id": "{token_id[-1]}", "after": "after"}, "whose slice is not one of [i], [i:j], [i:] or [:j]"),
        ({"id": "{{token_id}}", "after": "after"}, "'{{token_id}}' has unbalanced or nested braces"),
    ],
)  # fmt: skip
def test_a_bad_mapping_is_refused_naming_the_key_and_the_column(columns, said):
    with pytest.raises(RecipeError) as error:
        parse_recipe(TOKENS | {"submission_columns": columns}, where="tokens.yaml")
    assert str(error.value).startswith("tokens.yaml: split recipe key 'submission_columns': ")
    assert said in str(error.value)


def _tokens(folder, rows: int = 300) -> None:
    """A text-normalization-like download: tokens of sentences, the class and the normalised text as targets."""
    generator = np.random.default_rng(3)
    words = ["hello", "12", "Dr.", "the", "2010", "km"]
    spoken = {"12": "twelve", "Dr.": "doctor", "2010": "twenty ten", "km": "kilometers"}
    table = []
    for sentence in range(rows):
        for token in range(int(generator.integers(2, 6))):
            word = str(generator.choice(words))
            table.append(
                (sentence, token, "PLAIN" if word in ("hello", "the") else "OTHER", word, spoken.get(word, word))
            )
    folder.mkdir(parents=True, exist_ok=True)
    columns = ["sentence_id", "token_id", "class", "before", "after"]
    pd.DataFrame(table, columns=columns).to_csv(folder / "en_train.csv", index=False)
    test = pd.DataFrame([(s, t, "the") for s in range(40) for t in range(3)], columns=columns[:2] + ["before"])
    test.to_csv(folder / "en_test_2.csv", index=False)
    sample = pd.DataFrame({"id": test["sentence_id"].astype(str) + "_" + test["token_id"].astype(str), "after": "x"})
    sample.to_csv(folder / "en_sample_submission_2.csv", index=False)


def _chaii(folder) -> None:
    generator = np.random.default_rng(5)
    answers = ["1947", "नई दिल्ली", "चेन्नई", "two words here", "ஒன்று"]  # the commonest reads as a number
    rows = 400
    text = [str(generator.choice(answers, p=[0.4, 0.3, 0.1, 0.1, 0.1])) for _ in range(rows)]
    train = pd.DataFrame({"id": [f"q{i:04x}" for i in range(rows)], "context": [f"context {i} {t}" for i, t in enumerate(text)],
                          "question": "what?", "answer_text": text, "answer_start": generator.integers(0, 90, rows),
                          "language": generator.choice(["hindi", "tamil"], rows)})  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    train.to_csv(folder / "train.csv", index=False)
    train.drop(columns=["answer_text", "answer_start"]).head(5).to_csv(folder / "test.csv", index=False)
    pd.DataFrame({"id": train["id"].head(5), "PredictionString": ""}).to_csv(folder / "sample_submission.csv", index=False)  # fmt: skip


def _wildcam(folder) -> None:
    generator = np.random.default_rng(8)
    rows = 900
    train = pd.DataFrame({"id": [f"5998cfa4-{i:04d}" for i in range(rows)], "location": generator.integers(0, 40, rows),
                          "frame_num": generator.integers(1, 4, rows), "category_id": generator.choice([0, 1, 3, 10, 13], rows)})  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    train.to_csv(folder / "train.csv", index=False)
    test = pd.DataFrame({"id": [f"t{i}" for i in range(30)], "location": 99, "frame_num": 1})
    test.to_csv(folder / "test.csv", index=False)
    pd.DataFrame({"Id": test["id"], "Category": 0}).to_csv(folder / "sample_submission.csv", index=False)


MLEBENCH_SHAPED = {
    "text-normalization-challenge-english-language": (_tokens, TOKENS | {
        "train_file": "en_train.csv", "test_file": "en_test_2.csv", "sample_submission_file": "en_sample_submission_2.csv",
        "metric": "accuracy"}),
    "chaii-hindi-and-tamil-question-answering": (_chaii, {
        "kind": "random", "id_column": "id", "target_columns": ["answer_text", "answer_start"], "metric": "word_jaccard",
        "sample_submission_file": "sample_submission.csv",
        "submission_columns": {"id": "id", "PredictionString": "answer_text"}}),
    "iwildcam-2019-fgvc6": (_wildcam, {
        "kind": "group", "group_column": "location", "id_column": "id", "target_columns": ["category_id"],
        "metric": "f1_macro", "sample_submission_file": "sample_submission.csv",
        "submission_columns": {"Id": "id", "Category": "category_id"}}),
}  # fmt: skip


def _prepared(tmp_path, slug: str) -> tuple[PreparedFolder, dict]:
    write, document = MLEBENCH_SHAPED[slug]
    root = DataRoot(tmp_path / "home")
    raw = root.raw(slug).files
    write(raw)
    recipe = parse_recipe(document, where=f"{slug}.yaml")
    prepared = prepare_competition(slug, recipe, raw, root.prepared_root, "description")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    return PreparedFolder(prepared.folder), document


@pytest.mark.parametrize("slug", sorted(MLEBENCH_SHAPED))
def test_mlebenchs_graders_grade_the_published_files_as_mlecurate_does(tmp_path, monkeypatch, slug):
    """The three competitions' own MLE-bench graders read the published answers.csv and submissions in the
    recipe's columns, unchanged: the answers are a perfect submission for both, the sample and a submission with
    every third row wrong get the same scores."""
    folder, document = _prepared(tmp_path, slug)
    answers = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    sample = pd.read_csv(folder.sample_submission, dtype=str, keep_default_na=False)
    assert list(answers.columns) == list(sample.columns) == list(document["submission_columns"])
    key = next(iter(document["submission_columns"]))
    assert sample[key].tolist() == answers[key].tolist() and answers[key].is_unique
    public_test = pd.read_csv(folder.public_table("test", document), nrows=0).columns
    assert not set(document["target_columns"]) & set(public_test)  # answer_start too, though no submission has it
    predicted = answer_targets(document)[0]
    wrong = answers.copy()
    wrong.loc[::3, predicted] = sample[predicted].iloc[0]
    theirs = _mlebench_grader(slug, monkeypatch)
    for name, submission in {"answers": answers, "sample": sample, "every third wrong": wrong}.items():
        path = tmp_path / f"{name}.csv"
        submission.to_csv(path, index=False)
        ours = grade_submission(path, folder, document["metric"])
        assert ours.valid_submission, (name, ours.errors)
        expected = theirs(pd.read_csv(path), pd.read_csv(folder.answers))
        assert ours.score == pytest.approx(expected, abs=1e-5), name
    assert grade_submission(tmp_path / "answers.csv", folder, document["metric"]).score == 1.0


@pytest.mark.parametrize("slug", sorted(MLEBENCH_SHAPED))
def test_the_description_says_where_each_column_comes_from(tmp_path, slug):
    folder, document = _prepared(tmp_path, slug)
    text = folder.description.read_text(encoding="utf-8")
    said = {
        "text-normalization-challenge-english-language": "`id` (built from each test row as `{sentence_id}_{token_id}`), "
        "`after` (predicts `after`); a submission has these columns. `class` is left out of the test set but not "
        "predicted or graded.",
        "chaii-hindi-and-tamil-question-answering": "`id` (the test set's `id`), `PredictionString` (predicts "
        "`answer_text`); a submission has these columns. `answer_start` is left out",
        "iwildcam-2019-fgvc6": "`Id` (the test set's `id`), `Category` (predicts `category_id`); a submission has these "
        "columns.",
    }[slug]  # fmt: skip
    assert said in text
    matched = {
        "text-normalization-challenge-english-language": "A submission's rows are matched to the test rows by `id`, "
        "built from each test row as `{sentence_id}_{token_id}`.",
        "chaii-hindi-and-tamil-question-answering": "Each row is identified by `id`; a submission's rows are matched to "
        "the test rows by `id`.",
        "iwildcam-2019-fgvc6": "Each row is identified by `id`; a submission's rows are matched to the test rows by "
        "`Id`, the test set's `id`.",
    }[slug]  # fmt: skip
    assert matched in text
    key = next(iter(document["submission_columns"]))
    assert f"rows, each `{key}` once)" in text  # the grading section's count names the key a submission carries


@pytest.mark.parametrize(
    "options",
    [
        ["--submission-format", "renamed"],
        ["--submission-format", "composite", "--format", "parquet", "--kind", "group", "--text-ids"],
        ["--submission-format", "composite", "--format", "tsv", "--kind", "temporal"],
    ],
    ids=["renamed", "composite-group-parquet", "composite-temporal-tsv"],
)
def test_parity_finds_the_original_rows_by_the_submission_key(tmp_path, options):
    """Parity reads the answers and sample back in the train file's names, and builds its late submissions of the
    original format by Kaggle's sample's keys (``Id`` from ``id``, ``id`` from ``{batch}_{item}``): scored on the
    labelled original test set by those keys, the baseline scores what parity's own scoring of it gives."""
    slug, raw, recipe, root, _ = generated_download(tmp_path, "rmse", "--labelled-test", *options)
    prepared = prepare_competition(slug, recipe, raw, root.prepared_root, "description")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    folder, document = PreparedFolder(prepared.folder), recipe.to_document()
    (key, source), (predicted, target) = recipe.submission_columns
    labelled = _table(next(raw.glob("test_with_solutions.*")))  # CSV, TSV or Parquet
    keys = (
        labelled["id"] if source == "id" else labelled["batch"] + "_" + labelled["item"]
    )  # as a participant builds it
    truth = pd.Series(labelled[target].astype(float).to_numpy(), index=keys.to_numpy())
    sent = {}

    def kaggle(name: str, submission: pd.DataFrame) -> float:
        sent[name] = submission
        assert list(submission.columns) == [key, predicted]
        predictions = submission[predicted].astype(float).to_numpy()
        return float(np.sqrt(np.mean((predictions - truth.loc[submission[key].astype(str)].to_numpy()) ** 2)))

    report = parity_report(load_parity_inputs(folder, raw, document, "rmse"), kaggle_scorer=kaggle)
    scores = {(r["submission"], r["test_set"]): r["score"] for r in report.rows}
    assert scores[("baseline", "original test (Kaggle)")] == pytest.approx(
        scores[("baseline", "original test")], abs=1e-4
    )
    assert sent["baseline"][predicted].nunique() > 1  # the model's predictions, row by row, not the sample's value


def _table(path) -> pd.DataFrame:
    """A data file as text columns, whatever its format."""
    import duckdb

    from validation.data_files import reader_sql

    with duckdb.connect() as con:
        return con.sql(f"SELECT * FROM {reader_sql(path)}").df().astype(str)


def _dated(folder, rows: int = 400) -> None:
    """A Parquet competition whose key is a DATE and a number (``{day}_{reading}``), and Kaggle's sample keyed as its
    host wrote the keys: ``2021-03-04_2500.25``."""
    import datetime

    generator = np.random.default_rng(4)

    def table(count: int, first: int) -> pd.DataFrame:
        days = [datetime.date(2020, 1, 1) + datetime.timedelta(days=i) for i in range(count)]
        return pd.DataFrame({"day": days, "reading": (np.arange(count) + first) / 4, "x": generator.normal(size=count)})

    folder.mkdir(parents=True, exist_ok=True)
    train = table(rows, 0).assign(y=lambda t: t["x"] * 2 + generator.normal(size=rows) / 10)
    train.to_parquet(folder / "train.parquet")
    test = table(40, 10_000)
    test.to_parquet(folder / "test.parquet")
    keys = [f"{day.isoformat()}_{reading}" for day, reading in zip(test["day"], test["reading"], strict=True)]
    pd.DataFrame({"key": keys, "Pred": 0.0}).to_csv(folder / "sample_submission.csv", index=False)


DATED = {"kind": "random", "train_file": "train.parquet", "test_file": "test.parquet", "target_columns": ["y"],
         "metric": "rmse", "sample_submission_file": "sample_submission.csv",
         "submission_columns": {"key": "{day}_{reading}", "Pred": "y"}}  # fmt: skip


def test_parity_builds_typed_keys_of_the_original_test_set_as_the_split_does(tmp_path):
    """A DATE renders as ``2020-01-02`` in DuckDB and as ``2020-01-02 00:00:00`` through pandas: parity found none of
    Kaggle's sample's rows, and sent a late submission of one constant prediction without a word."""
    root = DataRoot(tmp_path / "home")
    raw = root.raw("dated").files
    _dated(raw)
    recipe = parse_recipe(DATED, where="dated.yaml")
    prepared = prepare_competition("dated", recipe, raw, root.prepared_root, "description")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    folder = PreparedFolder(prepared.folder)
    public = _table(folder.public_table("test", {}))
    answers = pd.read_csv(folder.answers, dtype=str)
    assert answers["key"].tolist() == (public["day"] + "_" + public["reading"]).tolist()
    sent = {}

    def kaggle(name: str, submission: pd.DataFrame) -> float:
        sent[name] = submission
        return 1.0

    report = parity_report(load_parity_inputs(folder, raw, recipe.to_document(), "rmse"), kaggle_scorer=kaggle)
    assert sent["baseline"]["Pred"].nunique() == 40, report.notes  # a prediction from each row's own features
    assert not [note for note in report.notes if "Kaggle's sample" in note]
    sample = pd.read_csv(raw / "sample_submission.csv")
    sample.loc[3, "key"] = "2020-01-04 00:00:00_2500.75"  # a key the original test set does not have
    sample.to_csv(raw / "sample_submission.csv", index=False)
    sent.clear()
    report = parity_report(load_parity_inputs(folder, raw, recipe.to_document(), "rmse"), kaggle_scorer=kaggle)
    said = (
        "1 of 40 rows of Kaggle's sample submission have a key no row of the original test set has when built as the "
        "recipe's submission_columns build it (key as '{day}_{reading}'; first: '2020-01-04 00:00:00_2500.75'): no "
        "late submissions of the original format"
    )
    assert "baseline" not in sent and said in report.notes


def test_a_key_built_otherwise_than_kaggles_sample_keys_its_rows_is_refused(tmp_path):
    """A newcomer's run: ``{sentence_id}-{token_id}`` where Kaggle's ids are ``0_0`` was published, and parity said
    nothing. Built on Kaggle's own test file, no key is one of Kaggle's sample's."""
    write, document = MLEBENCH_SHAPED["text-normalization-challenge-english-language"]
    root = DataRoot(tmp_path / "home")
    raw = root.raw("tokens").files
    write(raw)
    dashed = document | {"submission_columns": {"id": "{sentence_id}-{token_id}", "after": "after"}}
    with pytest.raises(RecipeError) as error:
        prepare_competition("tokens", parse_recipe(dashed, where="tokens.yaml"), raw, root.prepared_root)
    assert str(error.value) == (
        "tokens: split recipe key 'submission_columns': built on Kaggle's test file en_test_2.csv, 'id' as "
        "'{sentence_id}-{token_id}' gives none of the keys of Kaggle's sample en_sample_submission_2.csv ('0-0', "
        "'0-1', '0-2'; the sample's: '0_0', '0_1', '0_2'): check the pattern's columns and the text between them"
    )
    assert not (root.prepared_root / "tokens").exists()
    header = (raw / "en_test_2.csv").read_text().splitlines()[0]
    (raw / "en_test_2.csv").write_text(header + "\n")  # sweep 189: "(; the sample's: )", lists of nothing
    with pytest.raises(RecipeError) as error:
        prepare_competition("tokens", parse_recipe(dashed, where="tokens.yaml"), raw, root.prepared_root)
    assert str(error.value).startswith(
        "tokens: split recipe key 'submission_columns': Kaggle's en_test_2.csv has no rows (a header alone)"
    ), error.value


def test_a_kaggle_sample_writing_its_numbers_otherwise_still_keys_the_same_rows(tmp_path):
    """A review: Kaggle's sample writing ``12.0`` for the test file's ``12`` was refused as keys none of the
    sample's; pandas-based graders read them as the same number, and the new sample is built from the answers."""

    def float_ids(download) -> None:
        sample = pd.read_csv(download / "sample_submission.csv")
        sample.assign(Id=sample["Id"].astype(float)).to_csv(download / "sample_submission.csv", index=False)

    slug, raw, recipe, root, _ = generated_download(
        tmp_path, "rmse", "--submission-format", "renamed", reshape=float_ids
    )
    assert pd.read_csv(raw / "sample_submission.csv", dtype=str)["Id"].iloc[0].endswith(".0")
    prepared = prepare_competition(slug, recipe, raw, root.prepared_root, "description")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]


def test_keys_repeated_by_an_empty_column_name_that_column(tmp_path):
    """A key built from a column empty on some rows repeats; the message blamed the recipe's choice of columns."""
    write, document = MLEBENCH_SHAPED["iwildcam-2019-fgvc6"]
    root = DataRoot(tmp_path / "home")
    raw = root.raw("w").files
    write(raw)
    train = pd.read_csv(raw / "train.csv")
    train.insert(1, "image", [f"img{i}.jpg" if i % 9 else "" for i in range(len(train))])
    train.to_csv(raw / "train.csv", index=False)
    test = pd.read_csv(raw / "test.csv")
    test.insert(1, "image", [f"test{i}.jpg" for i in range(len(test))])
    test.to_csv(raw / "test.csv", index=False)
    change = {"submission_columns": {"Id": "{image}", "Category": "category_id"}, "sample_submission_file": None}
    with pytest.raises(RecipeError) as error:
        prepare_competition("w", parse_recipe(document | change, where="w"), raw, root.prepared_root)
    said = str(error.value)
    assert said.startswith("w: split recipe key 'submission_columns': key 'Id' (from '{image}') gives several new "
                           "test rows the same value ('' on ")  # fmt: skip
    assert (
        said.endswith(
            " row(s)), and a key built from an empty value repeats: fill them where the download comes from, or build "
            "the key from columns every row has"
        )
        and "the column(s) it is built from are empty on some of those rows ('image' on " in said
    )
    assert not (root.prepared_root / "w").exists()


def test_only_an_empty_value_among_the_repeated_keys_is_blamed(tmp_path):
    """A column empty on rows whose keys are unique is not why other keys repeat (a review's case)."""
    import duckdb

    from splits.submission_format import _empty_key_sources

    recipe = parse_recipe({"kind": "random", "id_column": "id", "target_columns": ["y"],
                           "submission_columns": {"Id": "{site}-{image}", "y": "y"}}, "r")  # fmt: skip
    answers = tmp_path / "answers.csv"
    unrelated = {"id": range(5), "site": ["", "", "s1", "s1", "s2"], "image": ["a", "b", "c", "c", "d"], "y": 0}
    pd.DataFrame(unrelated).to_csv(answers, index=False)
    columns = ["id", "site", "image", "y"]
    with duckdb.connect() as con:
        assert _empty_key_sources(con, recipe, answers, columns) == {}  # '-a', '-b' unique; 's1-c' repeats
        pd.DataFrame(unrelated | {"image": ["a", "a", "c", "e", "d"]}).to_csv(answers, index=False)
        assert _empty_key_sources(con, recipe, answers, columns) == {"site": 2}  # '-a' twice


def test_the_trivial_value_of_a_text_target_is_one_pandas_reads_as_text(tmp_path):
    import duckdb

    from splits.submission_format import _trivial_value

    cases = {
        "yes/no labels keep their commonest": (["yes", "yes", "yes", "no", "maybe"], "yes"),
        "Y/N are text to pandas": (["Y", "Y", "N"], "Y"),
        "numbers get 0": (["1", "2.5", "-3e4", "inf"], 0),
        "pandas' booleans get 0": (["True", "false", "TRUE"], 0),
        "a number-like commonest is passed over": (["1947", "1947", "1947", "Delhi", "null", "null"], "Delhi"),
        "1_000 is text to pandas": (["1_000", "1_000", "x"], "1_000"),
    }
    with duckdb.connect() as con:
        for number, (name, (values, expected)) in enumerate(cases.items()):
            path = tmp_path / f"{number}.csv"
            pd.DataFrame({"y": values}).to_csv(path, index=False)
            assert _trivial_value(con, path, "y") == expected, name


def test_a_key_the_public_test_set_does_not_have_is_refused_naming_its_columns(tmp_path):
    """``frame_num`` is in the train file but not in Kaggle's test file, so not in the new public test set: a key
    built from it is one no participant could build."""
    write, document = MLEBENCH_SHAPED["iwildcam-2019-fgvc6"]
    root = DataRoot(tmp_path / "home")
    raw = root.raw("w").files
    write(raw)
    pd.read_csv(raw / "test.csv").drop(columns=["frame_num"]).to_csv(raw / "test.csv", index=False)
    recipe = parse_recipe(
        document | {"submission_columns": {"Id": "{id}-{frame_num}", "Category": "category_id"}}, where="w"
    )
    with pytest.raises(RecipeError) as error:
        prepare_competition("w", recipe, raw, root.prepared_root)
    assert str(error.value) == (
        "w: split recipe key 'submission_columns': a key names column 'frame_num', which the new public test set does "
        "not have (its columns: id, location); a submission's key must be one a participant can read from the test set"
    )
    assert not (root.prepared_root / "w").exists()


@pytest.mark.parametrize(
    "change, said",
    [
        ({"submission_columns": {"Id": "image", "Category": "category_id"}},
         "w: split recipe key 'submission_columns': no column 'image' in train.csv (its columns: id, location, "
         "frame_num, category_id)"),
        ({"submission_columns": {"Id": "id", "Predicted": "category_id"}},
         "w: split recipe key 'submission_columns': no column 'Predicted' in sample_submission.csv (its columns: Id, "
         "Category)"),
        ({"submission_columns": {"Id": "location", "Category": "category_id"}, "sample_submission_file": None},
         "w: split recipe key 'submission_columns': key 'Id' (from 'location') gives several new test rows the same "
         "value ('"),
        ({"metric": "multiclass_log_loss"},
         "w: split recipe key 'submission_columns': metric multiclass_log_loss scores one probability column per "
         "class, which submission_columns cannot name"),
    ],
    ids=["no such column", "not in the sample", "repeated keys", "per-class metric"],
)  # fmt: skip
def test_a_mapping_that_does_not_fit_the_download_is_refused_and_nothing_published(tmp_path, change, said):
    write, document = MLEBENCH_SHAPED["iwildcam-2019-fgvc6"]
    root = DataRoot(tmp_path / "home")
    raw = root.raw("w").files
    write(raw)
    with pytest.raises(RecipeError) as error:
        prepare_competition("w", parse_recipe(document | change, where="w"), raw, root.prepared_root)
    assert str(error.value).startswith(said)
    assert not (root.prepared_root / "w").exists()


@pytest.mark.parametrize(
    "options, said",
    [
        (["--no-id"], "--submission-format needs an id column and a sample (drop --no-id)"),
        (["--row-files", "png"], "drop --row-files or use --submission-format renamed"),
    ],
)
def test_generate_refuses_a_submission_format_the_competition_cannot_take(tmp_path, capsys, options, said):
    from curation.cli import main

    arguments = ["generate-competition", str(tmp_path), "--metric", "auc", "--submission-format", "composite"]
    assert main([*arguments, *options]) != 0
    assert said in capsys.readouterr().err
    assert main(["generate-competition", str(tmp_path), "--metric", "multiclass_log_loss", "--submission-format",
                 "renamed"]) != 0  # fmt: skip
    assert "multiclass_log_loss scores one column per class, which a submission format cannot map" in (
        capsys.readouterr().err
    )


def test_a_generated_recipe_names_the_mapping(tmp_path):
    from curation.cli import main

    assert main(["generate-competition", str(tmp_path), "--metric", "auc", "--slug", "tokens",
                 "--submission-format", "composite"]) == 0  # fmt: skip
    recipe = yaml.safe_load((tmp_path / "tokens" / "recipe.yaml").read_text())
    assert recipe["submission_columns"] == {"id": "{batch}_{item}", "Predicted": "target"}
    assert "id_column" not in recipe


def test_a_column_of_kaggles_sample_that_submission_columns_leaves_out_is_said(tmp_path):
    """A newcomer's sweep: osic-pulmonary-fibrosis' sample has Patient_Week, FVC and Confidence; a recipe naming the
    first two in submission_columns dropped Confidence without a word in description.md or the manifest."""

    def with_confidence(raw):
        sample = pd.read_csv(raw / "sample_submission.csv", dtype=str)
        sample.assign(Confidence="100").to_csv(raw / "sample_submission.csv", index=False)

    slug, raw, recipe, root, _ = generated_download(
        tmp_path, "rmse", "--submission-format", "renamed", reshape=with_confidence
    )
    prepared = prepare_competition(slug, recipe, raw, root.prepared_root, "description")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    assert prepared.manifest["sample_submission_dropped_columns"] == ["Confidence"]
    assert list(pd.read_csv(PreparedFolder(prepared.folder).sample_submission).columns) == ["Id", "Predicted"]
    assert (
        "Kaggle's `sample_submission.csv` also has `Confidence`, which `submission_columns` does not name: not graded "
        "here, and a submission leaves them out."
    ) in PreparedFolder(prepared.folder).description.read_text()


def test_a_blank_mask_sample_stays_blank_and_a_sample_of_ties_is_the_same_on_every_build(tmp_path):
    """A sweep's hubmap-kidney-segmentation: Kaggle's sample leaves `predicted` blank; the blank was taken for no
    value and the commonest training mask stood in, a megabytes-long mask above the board's median, and DuckDB's
    mode() picked another of the all-different masks on each build (its ties fall as its threads meet the rows)."""
    import duckdb

    from splits.submission_format import _modes, _trivial_value

    def blank(raw):
        sample = pd.read_csv(raw / "sample_submission.csv", dtype=str)
        sample.assign(target="").to_csv(raw / "sample_submission.csv", index=False)

    slug, raw, recipe, root, _ = generated_download(tmp_path, "dice", reshape=blank)
    prepared = prepare_competition(slug, recipe, raw, root.prepared_root, "description")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    sample = pd.read_csv(PreparedFolder(prepared.folder).sample_submission, dtype=str, keep_default_na=False)
    assert set(sample["target"]) == {""}
    # ties: every value once, read by four threads; the least, every time
    path = tmp_path / "ties.csv"
    values = [f"{(i * 7919) % 100_003:06d} 1" for i in range(100_000)]
    pd.DataFrame({"id": range(len(values)), "mask": values, "label": values}).to_csv(path, index=False)
    with duckdb.connect(config={"threads": 4}) as con:
        assert {_modes(con, path, ["mask"])["mask"] for _ in range(4)} == {min(values)}
        assert {_trivial_value(con, path, "label", "accuracy") for _ in range(4)} == {min(values)}
        assert _trivial_value(con, path, "mask", "dice") == ""


def test_kaggles_own_numeric_sample_value_stays_under_a_classification_metric(tmp_path):
    """Review 171: a sample of ratings (Kaggle's 1, for QWK over 1-6) was replaced by the commonest rating, since the
    number-or-text test took the classification rule's label for text."""

    def ratings(raw):
        train = pd.read_csv(raw / "train.csv", dtype=str)
        train.assign(target=[str(1 + i % 6) if i % 4 else "3" for i in range(len(train))]).to_csv(
            raw / "train.csv", index=False
        )
        sample = pd.read_csv(raw / "sample_submission.csv", dtype=str)
        sample.assign(target="1").to_csv(raw / "sample_submission.csv", index=False)

    slug, raw, recipe, root, _ = generated_download(tmp_path, "quadratic_weighted_kappa", reshape=ratings)
    prepared = prepare_competition(slug, recipe, raw, root.prepared_root, "description")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    sample = pd.read_csv(PreparedFolder(prepared.folder).sample_submission, dtype=str)
    assert set(sample["target"]) == {"1"}


def test_an_id_shared_by_rows_a_submission_tells_apart_by_another_key_is_gradable(tmp_path):
    """Sweep 175's uw-madison-gi-tract-image-segmentation: a row per image and class, `id` repeated once a class. With
    `submission_columns` keying the submission by id and class (as grading matches it), the split was refused: "no
    submission can be graded (a submission names each id once)"; without id_column, public files went unchecked."""
    raw = tmp_path / "raw"
    raw.mkdir()
    rng = np.random.default_rng(0)
    lines = ["id,class,segmentation"]
    for i in range(300):
        for name in ("large_bowel", "small_bowel", "stomach"):
            mask = "" if rng.random() < 0.5 else f"{rng.integers(1, 500)} {rng.integers(1, 50)}"
            lines.append(f"case{i // 10}_day{i % 3}_slice_{i:04d},{name},{mask}")
    (raw / "train.csv").write_text("\n".join(lines) + "\n")
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["segmentation"], "metric": "dice",
              "test_file": None, "submission_columns": {"id": "id", "class": "class", "predicted": "segmentation"}}  # fmt: skip
    prepared = prepare_competition("uw", parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert prepared.published, [c.found for c in prepared.checks if not c.passed]
    folder = PreparedFolder(prepared.folder)
    answers = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    assert list(answers.columns) == ["id", "class", "predicted"] and len(answers) == 3 * answers["id"].nunique()
    assert grade_submission(folder.answers, folder, "dice", None).score == 1.0
    sample = grade_submission(folder.sample_submission, folder, "dice", None)
    assert sample.valid_submission and 0 < sample.score < 1
    swapped = answers.assign(predicted=answers.groupby("id")["predicted"].transform(lambda s: s[::-1].to_numpy()))
    swapped.to_csv(tmp_path / "swapped.csv", index=False)  # each image's masks under the wrong classes
    assert grade_submission(tmp_path / "swapped.csv", folder, "dice", None).score < 1.0
    parity = parity_report(load_parity_inputs(folder, raw, parse_recipe(recipe, "r").to_document(), "dice", None))
    assert parity.score_row("sample submission", "new test")["score"] == sample.score  # answers merged by id had
    # crossed an image's three rows with its three answers
    with pytest.raises(Exception, match="no submission can be graded"):  # keyed by the id alone: refused, as before
        prepare_competition("uw", parse_recipe(recipe | {"submission_columns": None}, "r"), raw, tmp_path / "alone")


def test_an_id_shared_by_rows_one_pattern_key_tells_apart_is_gradable_too(tmp_path):
    """Review 180: text-normalization's key {sentence_id}_{token_id}, with the sentence as id_column to keep its
    tokens on one side: one key, and the split refused the repeated sentence ids as ungradable."""
    raw = tmp_path / "raw"
    raw.mkdir()
    rng = np.random.default_rng(0)
    rows = [{"sentence_id": s, "token_id": t, "before": f"w{rng.integers(0, 50)}", "after": f"a{rng.integers(0, 5)}"}
            for s in range(300) for t in range(4)]  # fmt: skip
    pd.DataFrame(rows).to_csv(raw / "train.csv", index=False)
    recipe = {"kind": "random", "id_column": "sentence_id", "target_columns": ["after"], "metric": "accuracy",
              "test_file": None, "submission_columns": {"id": "{sentence_id}_{token_id}", "after": "after"}}  # fmt: skip
    prepared = prepare_competition("tn", parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert prepared.published, [c.found for c in prepared.checks if not c.passed]
    folder = PreparedFolder(prepared.folder)
    answers = pd.read_csv(folder.answers, dtype=str)
    assert answers["id"].is_unique and len(answers) % 4 == 0  # whole sentences, a row a token
    assert grade_submission(folder.answers, folder, "accuracy", None).score == 1.0
