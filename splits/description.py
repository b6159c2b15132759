"""``public/description.md``: the task text an agent reads, written after the split is built.

>>> text = describe_split("titanic", recipe, built, facts, overview)

It is the competition's own text (``overview``: Kaggle's pages, a mirror's copy or MLE-bench's ``description.md``),
unchanged, then a generated section on this version of the task:

- the split: where the new train and test sets come from, their actual row counts and shares (counted in the built
  files, never taken from the recipe), how rows were assigned, how rows are identified, and the columns the new
  test set leaves out;
- the files in ``public/``, with rows for data files;
- the metric, resolved by :func:`validation.metrics.resolve_metric` exactly as grading and parity resolve it (the
  recipe's ``metric``, else the competition's Meta Kaggle metric: name and direction), and how a submission is graded (the sample submission's columns, one
  row per test row);
- what changed from Kaggle's version (test set rebuilt from Kaggle's train set, or Kaggle's own test set with the
  labels it released; Kaggle's test set not the test set, and what its released labels are used for, when the recipe
  names them (``original_answers_file``); the sample submission rebuilt; each row's own file moved with its row
  (``row_files``); extra files copied unchanged).

Without an overview it starts with the competition's title (Meta Kaggle's, else the slug) and its Kaggle address.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from splits.builder import SplitResult
from validation.data_root import PreparedFolder
from validation.metrics import METRICS, TASKS, resolve_metric
from validation.row_file_patterns import listing_placeholders
from validation.split_recipe import SplitRecipe

_OWN = PreparedFolder(Path("prepared"))  # only for the names of the split's own public files
SAMPLE_SUBMISSION = _OWN.sample_submission.name
DESCRIPTION = _OWN.description.name
LISTED_COLUMNS = 20  # a list of columns names this many, then how many more
FILES_PER_FOLDER = 10  # a folder of extra files with more than this is listed as one line with its file count


@dataclass(frozen=True)
class TableFacts:
    """A table of the new training rows' rows, or of the new test rows' (recipe key ``train_tables``)."""

    path: str  # relative to public/
    name: str  # the file in Kaggle's download
    column: str  # the column it shares with the train file
    kept: int  # rows published
    rows: int  # rows in Kaggle's file
    side: str = "train"  # whose rows: the new training set's (train) or the new test set's (test)


@dataclass(frozen=True)
class BuiltSplit:
    """What the description says about a built split, counted in its files."""

    result: SplitResult
    files: list[dict]  # every file in public/ but description.md: path (relative to public/), rows (data files)
    submission_columns: list[str]  # the columns of public/sample_submission.csv
    original_test_rows: int | None = None  # rows in Kaggle's (unlabelled) test set, where the download tells
    original_test_counted: str | None = None  # the file counted: Kaggle's test file, else its sample submission
    left_out_columns: list[str] = field(default_factory=list)  # train columns the new test set leaves out (not targets)
    extra_files: frozenset[str] = frozenset()  # paths (relative to public/) copied from the download (public_files)
    row_files: dict[str, int] | None = None  # row files copied with their rows, by side (train, test): row_files
    dropped_sample_columns: list[str] = field(default_factory=list)  # Kaggle's sample columns the answers do not have
    ungraded_sample_columns: list[str] = field(default_factory=list)  # of those, train columns no target names
    train_tables: tuple[TableFacts, ...] = ()  # tables published with the new training rows' rows only


def _ticked(columns: list[str]) -> str:
    return ", ".join(f"`{c}`" for c in columns)


def describe_split(
    slug: str, recipe: SplitRecipe, built: BuiltSplit, facts: dict | None = None, overview: str | None = None
) -> str:
    """The whole ``description.md``: the competition's own text, then the generated section."""
    facts = facts or {}
    if overview and overview.strip():
        head = overview if overview.endswith("\n") else overview + "\n"
        head += "\n---\n\n"
    else:
        title = facts.get("title") or slug
        head = f"# {title}\n\n"
        if facts.get("subtitle"):
            head += f"{facts['subtitle']}\n\n"
        head += f"Kaggle competition: https://www.kaggle.com/competitions/{slug}\n\n"
    intro = "# This version of the task (prepared by mlecurate)"
    if overview and overview.strip():
        intro += (
            "\n\nThe text above is the competition's own, written for Kaggle's version. Where it and this section "
            "differ (the files, their sizes, the test set), this section describes the data you have."
        )
    sections = [
        intro,
        _split_section(slug, recipe, built),
        _files_section(recipe, built, _graded(recipe, facts)),
        _grading_section(recipe, built, facts),
        _changes_section(recipe, built),
    ]
    return head + "\n\n".join(sections) + "\n"


def _split_section(slug: str, recipe: SplitRecipe, built: BuiltSplit) -> str:
    r = built.result
    everything = r.train_rows + r.test_rows
    train_share, test_share = _share(r.train_rows, everything), _share(r.test_rows, everything)
    if recipe.kind == "released_labels":
        lines = [
            f"Kaggle released the labels of its test set after the competition, so the test set is Kaggle's own "
            f"(`{recipe.test_file}`), graded with those labels (`{recipe.answers_file}`), and the training set is "
            f"Kaggle's, unchanged:",
            "",
            f"- training set: {r.train_rows:,} rows ({train_share}), Kaggle's `{recipe.train_file}` as it is",
            f"- test set: {r.test_rows:,} rows ({test_share}), Kaggle's `{recipe.test_file}` with its released labels"
            + _left_out(r),
        ]
    else:
        if built.original_test_rows is None or (
            not built.original_test_rows and built.original_test_counted != recipe.test_file
        ):  # a code competition's sample of a header alone counts nothing (a sweep's "0 rows, as many as...")
            kaggle_test = "Kaggle's test set"
        elif built.original_test_counted == recipe.test_file:
            kaggle_test = f"Kaggle's test set (`{recipe.test_file}`, {built.original_test_rows:,} rows)"
        else:
            kaggle_test = (
                f"Kaggle's test set ({built.original_test_rows:,} rows, as many as its sample submission "
                f"`{built.original_test_counted}` has)"
            )
        if recipe.original_answers_file:
            original = (
                f"{kaggle_test} is not the test set here. Kaggle released its labels "
                f"(`{recipe.original_answers_file}`); they are not in `public/`, and serve only to check that scores "
                "on this test set agree with scores on Kaggle's."
            )
        else:
            original = f"{kaggle_test} is not used: its labels are hidden."
        lines = [
            f"This is not Kaggle's split. {original} The test set was rebuilt from Kaggle's training set "
            f"({_training_source(recipe)}, {r.original_rows:,} rows), which is divided into:",
            "",
            f"- new training set: {r.train_rows:,} rows ({train_share})",
            f"- new test set: {r.test_rows:,} rows ({test_share})",
            "",
            _assignment(recipe, r) + _without_unit(recipe, r) + _share_moved(recipe, r),
        ]
        if recipe.original_ratio and built.original_test_rows is not None:
            kaggle = built.original_test_rows / (r.original_rows + built.original_test_rows)
            lines[-1] += (
                f" The test share follows Kaggle's: its test set is {built.original_test_rows:,} of "
                f"{r.original_rows + built.original_test_rows:,} rows ({kaggle:.1%})."
            )
    lines += ["", _identity(recipe, r)]
    targets = ", ".join(f"`{t}`" for t in recipe.target_columns)
    columns = f"The test set has the training set's columns without the target{_s(recipe.target_columns)} {targets}"
    if built.left_out_columns:
        why = "the split recipe leaves out (`test_columns`)" if recipe.test_columns else (
            "Kaggle's test set does not have either")  # fmt: skip
        columns += (
            f", and without {len(built.left_out_columns)} column(s) that {why} ({_listed(built.left_out_columns)})"
        )
    lines += ["", columns + "."]
    return "## The split\n\n" + "\n".join(lines)


def _listed(columns: list[str]) -> str:
    """The first LISTED_COLUMNS of ``columns`` in backticks, then how many more."""
    more = len(columns) - LISTED_COLUMNS
    return ", ".join(f"`{c}`" for c in columns[:LISTED_COLUMNS]) + (f", and {more} more" if more > 0 else "")


def _left_out(r: SplitResult) -> str:
    """Which of Kaggle's test rows released labels leave out: those without a label, and those Kaggle ignored."""
    parts = [f"the {r.unlabelled_test_rows:,} the labels leave out"] if r.unlabelled_test_rows else []
    if r.ignored_test_rows:
        usage = r.ignored_test_rows - r.marked_test_rows
        why = {"`Usage` Ignored": usage, "-1 in every target": r.marked_test_rows}
        said = [
            f"{count:,} {cause}" if usage and r.marked_test_rows else cause for cause, count in why.items() if count
        ]
        parts.append(f"the {r.ignored_test_rows:,} Kaggle did not score ({', '.join(said)})")
    return f" (of its {r.kaggle_test_rows:,} rows, {' and '.join(parts)} are left out)" if parts else ""


def _without_unit(recipe: SplitRecipe, result: SplitResult) -> str:
    """What the rows without a unit mean for the test set: they are never in it (a group split on titanic's
    `Cabin`, empty for 687 of 891 rows, drew its test set from the 204 passengers with a cabin, without a word)."""
    if not result.without_unit or recipe.kind == "temporal":
        return ""
    column = recipe.group_column or recipe.id_column
    rest = result.original_rows - result.without_unit
    return (
        f" {result.without_unit:,} rows have no `{column}` (an empty CSV field, or null): they are never in the test set, which "
        f"was drawn from the other {rest:,} rows only."
    )


def _share_moved(recipe: SplitRecipe, result: SplitResult) -> str:
    """`` The test set has 158 rows where 103 were asked: ...`` when whole groups moved the test set's size by more
    than a quarter from what the recipe asked (sweep 178's whale-redux: four days as groups, 77% for 50%, unsaid)."""
    group = recipe.group_column
    if not group or recipe.original_ratio or not result.original_rows or recipe.draw == "train_test_split":
        return ""  # a train_test_split draw counts its share in groups, as asked (a newcomer read 3 groups as 3 rows)
    asked = recipe.test_rows or round(recipe.test_fraction * result.original_rows)
    if abs(result.test_rows - asked) <= max(0.25 * asked, 1):
        return ""
    count = "" if recipe.test_rows else " (`test_rows` asks for a count)"
    return (
        f" The test set has {result.test_rows:,} rows where {asked:,} were asked: the rows of a group of `{group}` go "
        f"to one side together, so few or large groups move the share{count}."
    )


def _assignment(recipe: SplitRecipe, result: SplitResult) -> str:
    seed = f"seed {recipe.seed}"
    if recipe.kind == "stratified":
        targets = ", ".join(f"`{column}`" for column in recipe.target_columns)
        within = f"each class of {targets}" if len(recipe.target_columns) == 1 else f"each combination of {targets}"
        if recipe.group_column:
            return (
                f"Whole groups of `{recipe.group_column}` were drawn at random ({seed}) within {within}: no group has "
                "rows in both sets, and each class keeps its share of the rows as nearly as whole groups allow."
            )
        return (
            f"Rows were drawn at random ({seed}) within {within}, so each class keeps its share of the rows in both "
            "sets."
        )
    if (
        recipe.kind == "group" or recipe.group_column and recipe.kind == "random"
    ) and recipe.draw == "train_test_split":
        return (
            f"Whole groups of `{recipe.group_column}` were drawn as MLE-bench's prepare scripts draw them: "
            f"scikit-learn's `train_test_split` over the `{recipe.group_column}` values in the order they first appear "
            f"(`random_state={recipe.seed}`), the test share counted in groups: no group has rows in both sets."
        )
    if recipe.kind == "group" or recipe.group_column and recipe.kind == "random":
        return f"Whole groups of `{recipe.group_column}` were drawn at random ({seed}): no group has rows in both sets."
    if recipe.kind == "temporal":
        latest = f"The test set is the latest rows by `{recipe.time_column}`; the training set is everything earlier"
        if recipe.group_column:
            latest = (
                f"The test set is the latest rows by `{recipe.time_column}`, with every other row of their groups of "
                f"`{recipe.group_column}` (no group has rows in both sets); the training set is the rest"
            )
        if result.divided == "boundary":
            return (
                f"{latest}, except that rows sharing the time where the two meet are divided at random ({seed}) to "
                "give the test set its size."
            )
        if result.divided == "untimed":
            return (
                f"{latest}. The test set needed more rows than have a time: it holds every row with one, and rows "
                f"without one drawn at random ({seed}); the training set holds the other rows without a time."
            )
        return latest + "."
    if recipe.draw == "train_test_split":
        return (
            "Rows were drawn as MLE-bench's prepare scripts draw them: scikit-learn's `train_test_split` over the "
            + (
                f"`{recipe.group_column or recipe.id_column}` values in the order they first appear, each value's "
                "rows together"
                if recipe.group_column or recipe.id_column
                else "rows in the file's order"
            )
            + f" (`random_state={recipe.seed}`)."
        )
    return f"Rows were drawn at random ({seed}, by {result.unit})."


def _identity(recipe: SplitRecipe, result: SplitResult) -> str:
    if recipe.submission_columns:
        keys = " and ".join(_key_said(name, source) for name, source in recipe.submission_key_entries)
        matched = f"a submission's rows are matched to the test rows by {keys}."
        return f"Each row is identified by `{recipe.id_column}`; {matched}" if recipe.id_column else "A" + matched[1:]
    if recipe.id_column and recipe.test_ids:
        return (
            f"Each row is identified by `{recipe.id_column}`. The test rows have new ones, `{recipe.test_ids}` "
            "numbered from 1 in an order drawn at random, in place of their own, which the recipe does not publish; "
            "the training rows keep Kaggle's."
        )
    if recipe.id_column:
        return f"Each row is identified by `{recipe.id_column}`."
    keys = ", ".join(f"`{c}`" for c in result.public_columns)
    return (
        f"There is no id column: a submission's rows are matched to the test rows by the content of the test "
        f"columns ({keys}), in any order."
    )


def _key_said(name: str, source: str) -> str:
    if "{" in source:
        return f"`{name}`, built from each test row as `{source}`"
    return f"`{name}`, the test set's `{source}`" if name != source else f"`{name}`"


def _training_source(recipe: SplitRecipe) -> str:
    """Kaggle's training set as the split read it: its train file, or its files listed as a table."""
    if not recipe.train_listing:
        return f"`{recipe.train_file}`"
    columns = " and ".join(f"`{c}`" for c, _ in listing_placeholders(recipe.train_listing))
    return f"its files `{recipe.train_listing}` listed as a table, a row per file with its {columns} from its path"


def _files_section(recipe: SplitRecipe, built: BuiltSplit, graded: bool) -> str:
    """The published files. ``graded``: a metric grades the split, so its sample was graded as a valid submission;
    without one it only has the answers' columns (AI4Code's sample repeats one notebook's cell order on every row,
    which MLE-bench's grader refuses: sweep 183)."""
    result = built.result
    train, test = result.train_file.name, result.test_file.name
    targets = ", ".join(f"`{t}`" for t in recipe.target_columns)
    renamed = f" (from Kaggle's `{recipe.train_file}`)" if PurePosixPath(recipe.train_file).name != train else ""
    if recipe.train_listing:
        renamed = f" (its files listed, `{recipe.train_listing}`)"
    what = {
        train: f"the training set, with the target{_s(recipe.target_columns)} {targets}{renamed}",
        test: "the test set, without the target" + _s(recipe.target_columns),
        SAMPLE_SUBMISSION: "a valid submission with trivial values: the format to submit"
        if graded
        else ("the format to submit (the columns; its values are placeholders, not checked by any metric)"),
    }
    rows = ["| file | rows | what it is |", "|---|---|---|"]
    tables = {t.path: t for t in built.train_tables}
    own = [f for f in built.files if f["path"] not in built.extra_files and f["path"] not in tables]
    for entry in sorted(
        own, key=lambda f: [train, test, SAMPLE_SUBMISSION].index(f["path"]) if f["path"] in what else 9
    ):
        rows.append(_row(f"`{entry['path']}`", _rows(entry), what.get(entry["path"], "")))
    rows.append(_row(f"`{DESCRIPTION}`", "", "this text"))
    for table in built.train_tables:
        whose = "new test set's" if table.side == "test" else "new training set's"
        what_it_is = (f"the rows of Kaggle's `{table.name}` for the {whose} `{table.column}` values "
                      f"({table.kept:,} of its {table.rows:,}; `train_tables`)")  # fmt: skip
        rows.append(_row(f"`{table.path}`", f"{table.kept:,}", what_it_is))
    others = recipe.other_row_file_sets
    for side, key, pattern in (
        ("train", "train_row_files" if recipe.train_row_files else "row_files", recipe.train_row_pattern),
        *(("train", "other_row_files", one.row_files) for one in others),
        ("test", "test_row_files", recipe.test_row_pattern),
        *(("test", "other_row_files", one.test_row_pattern) for one in others if not one.train_rows_only),
    ):
        count = (built.row_files or {}).get(side, 0)
        if pattern and count:
            rows.append(_row(f"`{pattern}`", "", f"{count:,} files, one per {side} row (`{key}`), from Kaggle's download, "
                             "unchanged"))  # fmt: skip
    for path, count, entry in _extra_lines(built):
        if count == 1:
            rows.append(_row(f"`{path}`", _rows(entry), "from Kaggle's download, unchanged"))
        else:
            rows.append(_row(f"`{path}`", "", f"{count:,} files from Kaggle's download, unchanged"))
    return "## Files (in `public/`)\n\n" + "\n".join(rows)


def _extra_lines(built: BuiltSplit) -> list[tuple[str, int, dict]]:
    """Extra files one line each, except a folder with more than ``FILES_PER_FOLDER`` files: one line for it."""
    extras = sorted((f for f in built.files if f["path"] in built.extra_files), key=lambda f: f["path"])
    by_folder: dict[str, list[dict]] = {}
    for entry in extras:
        parts = PurePosixPath(entry["path"]).parts
        by_folder.setdefault(parts[0] + "/" if len(parts) > 1 else "", []).append(entry)
    lines = []
    for folder, entries in sorted(by_folder.items()):
        if folder and len(entries) > FILES_PER_FOLDER:
            lines.append((folder, len(entries), {}))
        else:
            lines += [(e["path"], 1, e) for e in entries]
    return lines


def _grading_section(recipe: SplitRecipe, built: BuiltSplit, facts: dict) -> str:
    lines = [_metric_line(recipe, facts)]
    columns = ", ".join(f"`{c}`" for c in built.submission_columns)
    test_rows = built.result.test_rows
    if recipe.submission_columns:
        matched = "each " + " and ".join(f"`{name}`" for name, _ in recipe.submission_key_entries) + " once"
    elif recipe.id_column:
        matched = f"each `{recipe.id_column}` of the test set once"
    else:
        matched = "matched by content"
    lines += [
        "",
        f"A submission is a CSV file with the columns of `{SAMPLE_SUBMISSION}` ({columns}) and one row per test row "
        f"({test_rows:,} rows, {matched}). A missing or extra column, a missing or repeated row, or a value the "
        "metric cannot take makes it invalid, with a message saying which. " + _scored_by(recipe, facts),
    ]
    if recipe.scored_rows and built.result.scored_rows is not None:
        held = " and ".join(f"`{column}` is {value}" for column, value in recipe.scored_rows)
        lines[-1] += (f" Only the {built.result.scored_rows:,} test rows where {held} are scored, as Kaggle scored "
                      "this competition; the others still need a row in the submission.")  # fmt: skip
    if recipe.unseen_label is not None and built.result.unseen_relabelled:
        lines[-1] += (f" The {built.result.unseen_relabelled:,} test rows whose label the training set never has are "
                      f"labelled `{recipe.unseen_label}` in the answers (split recipe key unseen_label).")  # fmt: skip
    return "## Metric and grading\n\n" + "\n".join(lines)


def _scored_by(recipe: SplitRecipe, facts: dict) -> str:
    """What scores a submission and what places it: the hidden answers under a metric mlecurate grades (none: said),
    and Kaggle's leaderboard's medal thresholds where the competition awarded medals (sweep 185: kuzushiji's said
    both, with no metric and no medals)."""
    if not _graded(recipe, facts):
        return "mlecurate cannot score it: it grades no metric known for this competition (see above)."
    if facts.get("can_qualify_tiers") in (False, 0):  # Meta Kaggle's CanQualifyTiers; unknown: as before
        return "It is scored against the test set's hidden answers; Kaggle awarded no medals in this competition."
    return (
        "It is scored against the test set's hidden answers; medal thresholds come from Kaggle's leaderboard for the "
        "competition."
    )


def _graded(recipe: SplitRecipe, facts: dict) -> bool:
    """A metric mlecurate grades is known: the recipe's, or Meta Kaggle's mapped to the registry."""
    return resolve_metric(None, recipe.to_document(), facts.get("evaluation_algorithm_name")) is not None


def _metric_line(recipe: SplitRecipe, facts: dict) -> str:
    """The metric grading and parity use: :func:`~validation.metrics.resolve_metric` of the recipe and Meta Kaggle's
    metric name, never another fallback."""
    kaggle_name = facts.get("evaluation_algorithm_name")
    name = resolve_metric(None, recipe.to_document(), kaggle_name)
    if not name:
        if kaggle_name:
            return f"Metric: Kaggle's \"{kaggle_name}\" (mlecurate's metric registry does not grade it)."
        return "Metric: not known to mlecurate; see the competition's text above or its Kaggle page."
    origin = "named by the split recipe" if recipe.metric else f'Kaggle\'s metric, "{kaggle_name}"'
    metric = METRICS[name]
    direction = "higher is better" if metric.higher_is_better else "lower is better"
    perfect = f", a perfect submission scores {metric.perfect:g}" if metric.perfect is not None else ""
    return (
        f"Metric: **{metric.display_name}** (`{metric.name}`, {origin}): {direction}{perfect}. "
        f"A submission holds {TASKS[metric.task]}; values must be {metric.prediction_domain.requirement}."
        + (f" {metric.note[0].upper()}{metric.note[1:]}." if metric.note else "")
    )


def _changes_section(recipe: SplitRecipe, built: BuiltSplit) -> str:
    r = built.result
    if recipe.kind == "released_labels":
        changes = [
            "The training set is Kaggle's, unchanged.",
            f"The test set is Kaggle's, graded with the labels Kaggle released after the competition "
            f"(`{recipe.answers_file}`). Every test row counts: Kaggle's split of it into a public and a private "
            "leaderboard part is not kept.",
        ]
    else:
        changes = [
            f"The test set is rebuilt from Kaggle's training set: {r.test_rows:,} of its {r.original_rows:,} rows "
            "became the new test set, and the new training set is the rest.",
            (
                f"Kaggle's own test set is not the test set here (its released labels, `{recipe.original_answers_file}`, "
                "only check that scores agree with scores on it)"
                if recipe.original_answers_file
                else "Kaggle's own test set is not used (its labels are hidden)"
            )
            + ", so scores are on a different test set from Kaggle's leaderboard.",
        ]
    if recipe.submission_columns:
        changes.append(_submission_columns_said(recipe))
        if built.dropped_sample_columns and recipe.sample_submission_file:  # osic's Confidence, which none names
            changes.append(f"Kaggle's `{recipe.sample_submission_file}` also has {_ticked(built.dropped_sample_columns)}"
                           ", which `submission_columns` does not name: not graded here, and a submission leaves "
                           "them out.")  # fmt: skip
    elif recipe.sample_submission_file:
        ungraded = built.ungraded_sample_columns
        other = [c for c in built.dropped_sample_columns if c not in ungraded]
        left = [
            *([f"{_ticked(other)}: not a prediction (as Kaggle's `Usage`, which said which leaderboard a row counted "
               "for)"] if other else []),
            *([f"{_ticked(ungraded)}: column(s) of the training table that are not graded here (the curators' recipe "
               "does not make them targets)"] if ungraded else []),
        ]  # fmt: skip
        changes.append(
            f"`{SAMPLE_SUBMISSION}` is rebuilt for the new test rows, with the columns of Kaggle's "
            f"`{recipe.sample_submission_file}`"
            + (
                f" but {'; and '.join(left)}; the answers do not have them and a submission leaves them out."
                if left
                else "."
            )
        )
    else:
        keys = "id" if recipe.id_column else "key columns"
        predicted = (  # a metric scored per class gets one column per class (splits.layout), no target column
            "target columns"
            if set(recipe.target_columns) & set(built.submission_columns)
            else "target's classes, one column each, every one equally likely"
        )
        changes.append(
            f"The split recipe names no sample submission file (`sample_submission_file`); `{SAMPLE_SUBMISSION}` "
            f"holds the {keys} and the {predicted} ({_listed(built.submission_columns)}): a submission has these "
            "columns, whatever submission format Kaggle's own pages give."
        )
    if built.left_out_columns and recipe.test_columns:
        changes.append(
            f"The new test set keeps only the columns the split recipe names (`test_columns`): "
            f"{len(built.left_out_columns)} training column(s) are not in it."
        )
    elif built.left_out_columns:
        changes.append(
            f"The new test set keeps only the columns Kaggle's test set has: {len(built.left_out_columns)} training "
            "column(s) are not in it."
        )
    if recipe.row_files and built.row_files:
        changes.append(
            f"Each row's own file (`{recipe.row_files}`) went with its row: the new training rows' "
            + (
                f"({built.row_files['train']:,}) are at `{recipe.train_row_files}`"
                if recipe.train_row_files
                else f"({built.row_files['train']:,}) stay at their paths"
            )  # fmt: skip
            + f", the new test rows' ({built.row_files['test']:,}) are "
            f"at `{recipe.test_row_pattern}`"
            + (f", named by their new `{recipe.id_column}`" if recipe.test_ids else "")
            + "".join(
                f"; its files at `{one.row_files}` went with their rows too (the new training rows' at their "
                + (
                    "paths; the new test rows' are not published: they are answers)"
                    if one.train_rows_only
                    else f"paths, the new test rows' to `{one.test_row_pattern}`)"
                )
                for one in recipe.other_row_file_sets
            )
            + ". Kaggle's own test files are not included."
        )
    if recipe.test_ids:
        changes.append(
            f"The new test rows' `{recipe.id_column}` values are new (`{recipe.test_ids}`): Kaggle's would repeat "
            "or tell their labels."
        )
    if built.extra_files:
        changes.append(
            f"{len(built.extra_files):,} more file(s) of Kaggle's download are in `public/`, unchanged (recipe key "
            f"`public_files`: {', '.join(f'`{e}`' for e in recipe.public_files)}); the download's other files are not."
        )
    else:
        changes.append("No other file of Kaggle's download is in `public/`.")
    return "## What changed from Kaggle's version\n\n" + "\n".join(f"- {c}" for c in changes)


def _submission_columns_said(recipe: SplitRecipe) -> str:
    """What the recipe's ``submission_columns`` made of the sample: each column and where it comes from, and the
    targets a submission does not predict."""
    said = []
    for name, source in recipe.submission_columns:
        if source in recipe.target_columns:
            said.append(f"`{name}` (predicts `{source}`)")
        elif "{" in source:
            said.append(f"`{name}` (built from each test row as `{source}`)")
        else:
            said.append(f"`{name}` (the test set's `{source}`)")  # the key, as the test set names it
    unpredicted = [t for t in recipe.target_columns if t not in recipe.graded_targets]
    text = (
        f"`{SAMPLE_SUBMISSION}` is built for the new test rows in the submission format the split recipe gives "
        f"(`submission_columns`): {', '.join(said)}; a submission has these columns."
    )
    if unpredicted:
        text += (
            f" {_listed(unpredicted)} {'is' if len(unpredicted) == 1 else 'are'} left out of the test set but not "
            "predicted or graded."
        )
    return text


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells).replace("|  |", "| |") + " |"


def _rows(entry: dict) -> str:
    return f"{entry['rows']:,}" if entry.get("rows") is not None else ""


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def _s(items) -> str:
    return "s" if len(items) != 1 else ""
