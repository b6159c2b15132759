"""The new sample submission and ``answers.csv`` in the competition's submission format.

>>> dropped = write_submission_files(con, "titanic", recipe, "accuracy", raw_files, result, staging)

The sample is built the way the competition's own is: its columns, trivial values (with none shipped: the key
columns and the targets, or for a metric scored per class one column per class, each 1/k). ``answers.csv``, which the
split wrote as the id and the targets, is rewritten with the sample's columns, so that the answers graded as a
submission are a perfect one (one-hot encoded for a per-class sample).

Where the recipe names the submission's columns (``submission_columns``: iwildcam-2019's ``Id, Category`` for the
train file's ``id, category_id``; text-normalization's ``id`` built as ``{sentence_id}_{token_id}``), both files
take those columns, in that order: each key computed from the answers' own rows (a column's text, or a pattern of
columns with placeholders as in ``row_files``), each prediction renamed from the target it predicts. The sample is
written from the rewritten answers, so the two list the same keys in the same order; a key that names two rows is
refused (a submission names each once).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from splits.builder import SplitResult
from splits.listing import train_name
from validation.data_files import FALSE_WORDS, TRUE_WORDS, columns_of, copy_sql, key_text, quote, reader_sql
from validation.data_root import PreparedFolder
from validation.float_text import EMPTY
from validation.messages import shown_list
from validation.metrics import METRICS
from validation.split_recipe import RecipeError, SplitRecipe
from validation.submission_keys import key_sql

NUMBER = r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|[-+]?(inf|Inf|INF|infinity|Infinity)"  # what pandas reads as one
MAX_CLASS_COLUMNS = 1000  # a built per-class sample with more columns than this is no per-class target (leaf has 99)
KEYS_SHOWN = 3  # repeated keys named in an error


def write_submission_files(
    con, slug: str, recipe: SplitRecipe, metric: str | None, raw_files: Path, result: SplitResult, folder: PreparedFolder
) -> list[str]:  # fmt: skip
    """Write ``folder``'s sample submission and rewrite its answers in the submission format; return the columns of
    the competition's own sample left out as no prediction (Kaggle's ``Usage``)."""
    if recipe.submission_columns:
        _in_submission_columns(con, slug, recipe, metric, raw_files, result, folder)
        dropped = []
    else:
        _write_sample_submission(con, slug, recipe, metric, raw_files, result, folder.sample_submission)
        dropped = _answers_in_submission_format(con, recipe, result, folder)
    if metric is not None and METRICS[metric].distribution:
        _answers_as_shares(con, _predicted_targets(recipe), folder)
    return dropped


def _predicted_targets(recipe: SplitRecipe) -> list[str]:
    """The answers' columns that hold the targets: ``submission_columns``' names for them, else the targets'."""
    if recipe.submission_columns:
        return [name for name, source in recipe.submission_columns if source in recipe.target_columns]
    return list(recipe.target_columns)


def _answers_as_shares(con, targets: list[str], folder: PreparedFolder) -> None:
    """A distribution's answers as the shares graded: each row's counts per class over their sum, so that the
    answers stay a perfect submission (each row summing to 1). The download's counts stay in the new train set;
    the gradable-answers check has refused a row without a count."""
    present = columns_of(con, folder.answers)
    total = " + ".join(f"CAST({quote(t)} AS DOUBLE)" for t in targets if t in present)
    select = ", ".join(
        f"CAST({quote(c)} AS DOUBLE) / ({total}) AS {quote(c)}" if c in targets else quote(c) for c in present
    )
    _rewrite(con, f"SELECT {select}", folder.answers, folder.rewriting_answers)


def _in_submission_columns(
    con, slug: str, recipe: SplitRecipe, metric: str | None, raw_files: Path, result: SplitResult, folder: PreparedFolder
) -> None:  # fmt: skip
    """``answers.csv`` and the sample with ``submission_columns``' columns: keys computed, predictions renamed (the
    answers) or trivial (the sample: the competition's own sample's commonest value, else the target's trivial one)."""
    where = f"{slug}: split recipe key 'submission_columns'"
    if metric is not None and METRICS[metric].one_column_per_class:
        raise RecipeError(
            f"{where}: metric {metric} scores one probability column per class, which submission_columns cannot "
            "name (it maps a column to a target's labels); leave it out and name the competition's sample in "
            "'sample_submission_file', or check the recipe's metric"
        )
    _refuse_keys_kaggles_sample_lacks(con, slug, recipe, raw_files)
    answers = result.answers_file
    targets = set(recipe.target_columns)
    columns = columns_of(con, answers)
    select = ", ".join(
        f"{quote(source) if source in targets else key_sql(source, columns)} AS {quote(name)}"
        for name, source in recipe.submission_columns
    )
    blanks = _empty_key_sources(con, recipe, answers, columns)  # read before the rewrite keeps the keys alone
    _rewrite(con, f"SELECT {select}", answers, folder.rewriting_answers)
    _refuse_repeated_keys(con, slug, recipe, answers, blanks)
    own = raw_files / recipe.sample_submission_file if recipe.sample_submission_file else None
    predicted = [(name, source) for name, source in recipe.submission_columns if source in targets]
    shipped = _modes(con, own, [name for name, _ in predicted]) if own else {}  # it has them (recipe_columns)
    constants = {}
    distribution = metric is not None and METRICS[metric].distribution
    for name, source in predicted:
        value = shipped.get(name)
        value = value.strip() if isinstance(value, str) else value
        if value in (None, ""):  # a distribution's sample is uniform over the classes
            value = 1 / len(predicted) if distribution else _trivial_value(con, result.train_file, source, metric)
        constants[name] = value
    select = ", ".join(
        f"{_sql_value(constants[name])} AS {quote(name)}" if name in constants else quote(name)
        for name, _ in recipe.submission_columns
    )
    con.execute(copy_sql(f"SELECT {select} FROM {reader_sql(answers)}", folder.sample_submission))


def _refuse_keys_kaggles_sample_lacks(con, slug: str, recipe: SplitRecipe, raw_files: Path) -> None:
    """The keys built on Kaggle's own test file must be keys of Kaggle's own sample: none of them there is a
    ``RecipeError`` showing both (``{sentence_id}-{token_id}`` built ``0-0`` where Kaggle's ids are ``0_0``). Not
    checked without both files, or when the test file lacks a key's columns."""
    if not recipe.sample_submission_file or not recipe.test_file or not (raw_files / recipe.test_file).is_file():
        return
    test, sample = raw_files / recipe.test_file, raw_files / recipe.sample_submission_file
    test_columns = columns_of(con, test)
    if not set(recipe.submission_key_columns(test_columns)) <= set(test_columns):
        return
    keys = recipe.submission_key_entries
    built = ", ".join(f"{key_sql(source, test_columns)} AS {quote(name)}" for name, source in keys)
    shipped = ", ".join(f"coalesce(CAST({quote(name)} AS VARCHAR), '') AS {quote(name)}" for name, _ in keys)
    # a number written otherwise (1000.0, 001000 for 1000) is the same key: pandas-based graders read it so
    same = " AND ".join(f"{key_text(f's.{quote(n)}')} = {key_text(f't.{quote(n)}')}" for n, _ in keys)
    found = con.execute(
        f"SELECT count(*) FROM (SELECT {shipped} FROM {reader_sql(sample)}) AS s "
        f"SEMI JOIN (SELECT {built} FROM {reader_sql(test)}) AS t ON {same}"
    ).fetchone()[0]
    if found:
        return
    ours = con.execute(f"SELECT {built} FROM {reader_sql(test)} LIMIT {KEYS_SHOWN}").fetchall()
    theirs = con.execute(f"SELECT {shipped} FROM {reader_sql(sample)} LIMIT {KEYS_SHOWN}").fetchall()
    if not ours or not theirs:  # sweep 189: a header-only test file gave "(; the sample's: )"
        empty = recipe.test_file if not ours else recipe.sample_submission_file
        raise RecipeError(
            f"{slug}: split recipe key 'submission_columns': Kaggle's {empty} has no rows (a header alone), so no key "
            "of Kaggle's sample can be matched to its test rows: check the download (a file cut short?), or leave "
            "out 'sample_submission_file'"
        )
    said = " and ".join(f"{name!r} as {source!r}" for name, source in keys)

    def shown(rows) -> str:
        return ", ".join("/".join(map(repr, row)) for row in rows)

    patterned = any("{" in source for _, source in keys)
    advice = "check the pattern's columns and the text between them" if patterned else "check the key's column"
    raise RecipeError(
        f"{slug}: split recipe key 'submission_columns': built on Kaggle's test file {recipe.test_file}, {said} gives "
        f"none of the keys of Kaggle's sample {recipe.sample_submission_file} ({shown(ours)}; the sample's: "
        f"{shown(theirs)}): {advice}"
    )


def _empty_key_sources(con, recipe: SplitRecipe, answers: Path, columns: list[str]) -> dict[str, int]:
    """The columns the submission's keys are built from that are empty (or missing) on new test rows whose key
    repeats, with how many such rows: a key built from an empty value repeats, and the message then names them."""
    sources = [c for c in recipe.submission_key_columns(columns) if c in columns]
    if not sources:
        return {}
    keys = ", ".join(key_sql(source, columns) for _, source in recipe.submission_key_entries)
    empty = [f"CAST({quote(c)} AS VARCHAR) IS NULL OR CAST({quote(c)} AS VARCHAR) = ''" for c in sources]
    counts = con.execute(
        f"""WITH keyed AS (SELECT ({keys},) AS __key, * FROM {reader_sql(answers)}),
                 repeated AS (SELECT __key FROM keyed GROUP BY __key HAVING count(*) > 1)
            SELECT {", ".join(f"count(*) FILTER (WHERE {test})" for test in empty)}
            FROM keyed SEMI JOIN repeated USING (__key)"""
    ).fetchone()
    return {c: n for c, n in zip(sources, counts, strict=True) if n}


def _refuse_repeated_keys(con, slug: str, recipe: SplitRecipe, answers: Path, blanks: dict[str, int]) -> None:
    """A submission names each row once: keys that give two new test rows the same value are a ``RecipeError``
    (naming the key's columns that are empty on some of those rows, ``blanks``, when that is why)."""
    keys = [name for name, _ in recipe.submission_key_entries]
    listed = ", ".join(quote(k) for k in keys)
    repeated = con.execute(
        f"SELECT {listed}, count(*) AS n FROM {reader_sql(answers)} GROUP BY ALL HAVING count(*) > 1 "
        f"ORDER BY n DESC, {listed} LIMIT {KEYS_SHOWN}"
    ).fetchall()
    if not repeated:
        return
    shown = "; ".join(  # an empty key (NULL) as a submission would write it: ''
        f"{', '.join(repr('' if value is None else value) for value in row[:-1])} on {row[-1]:,} rows"
        for row in repeated
    )
    named = " and ".join(f"{name!r} (from {source!r})" for name, source in recipe.submission_key_entries)
    several = len(keys) > 1
    if blanks:
        empty = ", ".join(f"{c!r} on {n:,} row(s)" for c, n in blanks.items())
        advice = (
            f"the column(s) it is built from are empty on some of those rows ({empty}), and a key built from an "
            "empty value repeats: fill them where the download comes from, or build the key from columns every row "
            "has"
        )
    else:
        advice = 'build the key from columns that tell the rows apart, such as "{sentence_id}_{token_id}"'
    raise RecipeError(
        f"{slug}: split recipe key 'submission_columns': {'keys' if several else 'key'} {named} "
        f"{'give' if several else 'gives'} several new test rows the same value ({shown}), and a submission names "
        f"each row once; {advice}"
    )


def _write_sample_submission(
    con, slug: str, recipe: SplitRecipe, metric: str | None, raw_files: Path, result: SplitResult, target: Path
) -> None:
    """Same columns as the competition's own sample, trivial values (its most common one; where that is blank, a
    target's as if no sample were shipped), the new test rows.

    With no sample shipped (e.g. random-acts-of-pizza): the key columns and the targets, set to 0 or the mode; for a
    metric scored per class (``metric``, as grading and parity resolve it), the key columns and one column per class
    (:func:`_class_columns`), each 1/k, as spooky-author-identification's own sample has them."""
    test = reader_sql(result.test_file)
    if recipe.sample_submission_file:
        original = raw_files / recipe.sample_submission_file
        columns = columns_of(con, original)
        constant_columns = [c for c in columns if c not in result.public_columns]
        constants = _modes(con, original, constant_columns)
        for column, value in constants.items():
            value = value.strip() if isinstance(value, str) else value  # Kaggle's "Id, Pawpularity" rows: " 96.1"
            if (value is None or value == "") and column in recipe.target_columns:  # paddy's sample: labels blank
                value = _trivial_value(con, result.train_file, column, metric)
            elif column in recipe.target_columns and re.fullmatch(NUMBER, str(value)):
                # chaii's sample answers "1" for a text target: pandas reads it as a number, and MLE-bench's grader
                # fails on it; the target's own trivial text instead (a numeric target's stays the sample's)
                trivial = _trivial_value(con, result.train_file, column)  # a number, or text: no label rule
                value = value if isinstance(trivial, int | float) else trivial
            constants[column] = value
        # the class columns: the targets, where they are one column per class (a distribution's; lmsys' one-hot
        # winner_model_a, ...), else the sample's columns besides the label (spooky's EAP, HPL, MWS)
        targets = [c for c in constant_columns if c in recipe.target_columns]
        classes = targets if len(targets) > 1 else [c for c in constant_columns if c not in targets]
        _uniform_if_near(constants, classes, metric)
    else:
        keys = [recipe.id_column] if recipe.id_column else result.public_columns
        if metric is not None and METRICS[metric].one_column_per_class:
            classes = _class_columns(con, slug, recipe, metric, result, keys)
            columns, constants = [*keys, *classes], dict.fromkeys(classes, 1 / len(classes))
        elif metric is not None and METRICS[metric].distribution:  # a uniform distribution over the classes
            columns = [*keys, *recipe.target_columns]
            constants = dict.fromkeys(recipe.target_columns, 1 / len(recipe.target_columns))
        else:
            columns = [*keys, *recipe.target_columns]
            constants = {t: _trivial_value(con, result.train_file, t, metric) for t in recipe.target_columns}
    select = ", ".join(f"{_sql_value(constants[c])} AS {quote(c)}" if c in constants else quote(c) for c in columns)
    con.execute(copy_sql(f"SELECT {select} FROM {test}", target))


def check_one_target_per_column_metric(slug: str, recipe: SplitRecipe, metric: str | None) -> None:
    """A metric that scores one prediction column (log_loss, rmse, accuracy, ...) with several target columns would
    grade a submission on the first target alone (lish-moa's 206 targets under log_loss): a ``RecipeError``."""
    spec = METRICS.get(metric or "")
    targets = recipe.graded_targets
    # the targets a submission predicts: those submission_columns names where it names any (s3e18's EC1, EC2 of six)
    named = (
        "split recipe key 'submission_columns' names"
        if len(targets) < len(recipe.target_columns)
        else "split recipe key 'target_columns' names"
    )
    if spec is not None and spec.distribution and len(targets) < 2:
        raise RecipeError(
            f"{slug}: metric {metric} scores each row's counts over several classes as one distribution, one target "
            f"column a class, but {named} {len(targets)} ({shown_list(targets)}): "
            "name every class's column (hms' seizure_vote, lpd_vote, ...), or check the recipe's metric"
        )
    if spec is None or spec.column_wise or spec.one_column_per_class or len(targets) == 1:
        return
    column_wise = ", ".join(name for name, m in sorted(METRICS.items()) if m.column_wise)
    per_class = ", ".join(name for name, m in sorted(METRICS.items()) if m.one_column_per_class)
    raise RecipeError(
        f"{slug}: metric {metric} scores one target column, but {named} {len(targets)} "
        f"({shown_list(targets)}): a submission would be graded on {targets[0]!r} alone. Set split "
        f"recipe key 'metric' to a metric of several target columns ({column_wise}; or {per_class} where they are "
        "one 0/1 column per class of one label, with Kaggle's sample of those columns in 'sample_submission_file'), "
        "or name one target"
    )


def _class_columns(con, slug: str, recipe: SplitRecipe, metric: str, result: SplitResult, keys: list[str]) -> list:
    """A per-class sample's class columns: the label's distinct values in the new train set and the new test set's
    answers (every labelled row the split keeps, so the answers can be one-hot encoded), as text, sorted. More than
    :data:`MAX_CLASS_COLUMNS`, or a label that cannot be a column of its own, is a ``RecipeError``: the recipe's
    metric or target does not fit this competition."""
    where = f"{slug}: metric {metric} scores one probability column per class and the competition ships no sample"
    if len(recipe.target_columns) != 1:
        raise RecipeError(
            f"{where} submission, so the split builds one with a column per class of one label, but split recipe key "
            f"'target_columns' names {len(recipe.target_columns)}; name the competition's sample in split recipe key "
            "'sample_submission_file', or check the recipe's metric"
        )
    label = f"CAST({quote(recipe.target_columns[0])} AS VARCHAR)"
    labels = f"SELECT {label} AS label FROM {reader_sql(result.train_file)} UNION SELECT {label} FROM " + reader_sql(
        result.answers_file
    )
    found = con.execute(
        f"SELECT label FROM ({labels}) WHERE label IS NOT NULL ORDER BY label LIMIT {MAX_CLASS_COLUMNS + 1}"
    ).fetchall()
    classes = [row[0] for row in found]
    origin = f"column {recipe.target_columns[0]!r} of {train_name(recipe)}"
    if recipe.kind == "released_labels":
        origin += f" and {recipe.answers_file}"
    if len(classes) > MAX_CLASS_COLUMNS:
        count = con.execute(f"SELECT count(DISTINCT label) FROM ({labels})").fetchone()[0]
        raise RecipeError(
            f"{where} submission, so the split would build one column per class, but {origin} holds {count:,} "
            f"distinct labels (at most {MAX_CLASS_COLUMNS:,}): not a per-class target. Check split recipe keys "
            "'metric' and 'target_columns', or name the competition's sample in 'sample_submission_file'"
        )
    clashing = [c for c in classes if c == "" or c in keys]
    if clashing:
        raise RecipeError(
            f"{where} submission, so the split builds one column per class, but {origin} holds the label(s) "
            f"{', '.join(map(repr, clashing[:5]))}, which cannot be class columns (empty, or a key column's name); name "
            "the competition's sample in split recipe key 'sample_submission_file'"
        )
    return classes


def _uniform_if_near(constants: dict, classes: list[str], metric: str | None) -> None:
    """A per-class sample whose every class has about 1/k (lmsys-chatbot-arena's 0.333333, summing to 0.999999, which
    MLE-bench's grader refuses) gets 1/k written in full, in ``constants``."""
    spec = METRICS.get(metric or "")
    if spec is None or not (spec.one_column_per_class or spec.distribution) or len(classes) < 2:
        return
    try:
        values = [float(constants[c]) for c in classes]
    except (TypeError, ValueError):
        return
    if all(abs(v - 1 / len(classes)) < 1e-4 for v in values):
        constants.update(dict.fromkeys(classes, 1 / len(classes)))


def _modes(con, path: Path, columns: list[str]) -> dict:
    """Each column's most common value (None: no value), the least of those that tie: DuckDB's ``mode()`` picks
    among ties by how its threads met the rows, and a sample of all-different values (hubmap's masks) came out
    another file on each build."""
    source = reader_sql(path)
    found = {}
    for column in columns:
        row = con.execute(
            f"SELECT v FROM (SELECT {quote(column)} AS v, count(*) AS n FROM {source} WHERE {quote(column)} IS NOT NULL "
            "GROUP BY v) ORDER BY n DESC, v LIMIT 1"
        ).fetchone()
        found[column] = row[0] if row else None
    return found


def _answers_in_submission_format(con, recipe: SplitRecipe, result: SplitResult, folder: PreparedFolder) -> list[str]:
    """Rewrite ``answers.csv`` with the sample submission's columns, so that the answers are a perfect submission;
    return the sample's columns left out of it.

    Columns come in the sample's order; a sample with one probability column per class
    (spooky-author-identification: id, EAP, HPL, MWS) gets the answers one-hot encoded from the label. A sample
    column that can be derived neither way is no prediction (Kaggle's ``Usage``, which says which leaderboard a row
    counted for; a public test column): it is left out of the sample, which is rewritten without it (the
    description and the manifest say so), since a submission holding it would be refused for it.
    """
    answers = result.answers_file
    present = columns_of(con, answers)
    wanted = columns_of(con, folder.sample_submission)
    if wanted == present:
        return []
    missing = [c for c in wanted if c not in present]
    classes = _one_hot_classes(con, recipe, answers, missing)
    dropped = [c for c in missing if classes is None or (c not in classes and not _numbers_in(con, folder, c))]
    wanted = [c for c in wanted if c not in dropped]
    if classes is None and not set(present) <= set(wanted):  # the sample lacks an answer column: nothing derives
        return []  # it, and the grading before publishing refuses the sample, naming what it lacks
    if dropped:
        _rewrite(
            con, f"SELECT {', '.join(quote(c) for c in wanted)}", folder.sample_submission, folder.rewriting_sample
        )
    if wanted == present:
        return dropped
    label = quote(recipe.target_columns[0])
    select = ", ".join(
        quote(c)
        if c in present
        else f"CASE WHEN CAST({label} AS VARCHAR) = {_sql_value(c)} THEN 1 ELSE 0 END AS {quote(c)}"
        for c in wanted
    )
    _rewrite(con, f"SELECT {select}", answers, folder.rewriting_answers)
    return dropped


def _one_hot_classes(con, recipe: SplitRecipe, answers: Path, missing: list[str]) -> set[str] | None:
    """The answers' labels when the sample's ``missing`` columns name every one of them (one column per class: the
    answers are one-hot encoded), else None."""
    if not missing or len(recipe.target_columns) != 1:
        return None
    label = quote(recipe.target_columns[0])
    found = con.execute(f"SELECT DISTINCT CAST({label} AS VARCHAR) FROM {reader_sql(answers)}").fetchall()
    labels = {str(v[0]) for v in found}
    return labels if labels <= set(missing) else None


def _numbers_in(con, folder: PreparedFolder, column: str) -> bool:
    """The built sample's ``column`` holds numbers (a class's probability), not text (Kaggle's ``Usage``)."""
    text = f"CAST({quote(column)} AS VARCHAR)"
    return bool(
        con.execute(
            f"SELECT bool_and(TRY_CAST({text} AS DOUBLE) IS NOT NULL) FROM {reader_sql(folder.sample_submission)}"
        ).fetchone()[0]
    )


def _rewrite(con, select: str, path: Path, rewritten: Path) -> None:
    """``path`` (a CSV file) replaced by ``select ... FROM`` it, through ``rewritten``."""
    con.execute(copy_sql(f"{select} FROM {reader_sql(path)}", rewritten))
    os.replace(rewritten, path)


def _trivial_value(con, train: Path, column: str, metric: str | None = None):
    """A target's value in a sample that predicts nothing: for a mask, the empty one; 0 for numbers and booleans, as
    Kaggle's samples have them (for a label a classification metric grades, 0 only where it is a label: else its
    commonest label, where 0 would be no rating at all, as for the 1-6 of learning-agency-lab-automated-essay-
    scoring-2's quadratic weighted kappa); else its commonest value that pandas reads as text (not ``1947``, not
    ``null``: MLE-bench's chaii grader, given a sample of 1947s, fails on an int), else its commonest value. The
    commonest: the least of those that tie (:func:`_modes`)."""
    spec = METRICS.get(metric or "")
    if spec is not None and spec.task == "mask":  # hubmap's blank sample: a training mask had stood in (a sweep)
        return ""
    booleans = ", ".join(_sql_value(word) for word in (*TRUE_WORDS, *FALSE_WORDS))
    not_text = f"(regexp_full_match(v, '{NUMBER}') OR v IN ({booleans}))"  # what pandas reads otherwise
    missing = ", ".join(_sql_value(word) for word in EMPTY)
    falses = ", ".join(_sql_value(word) for word in FALSE_WORDS)  # False is 0 to pandas
    counted = (
        f"SELECT v, count(*) AS n FROM (SELECT trim(CAST({quote(column)} AS VARCHAR)) AS v FROM {reader_sql(train)}) "
        "WHERE v IS NOT NULL GROUP BY v"
    )
    numeric, mode, any_mode, zero = con.execute(
        f"WITH c AS ({counted}) SELECT (SELECT bool_and({not_text}) FROM c), "
        f"(SELECT v FROM c WHERE NOT {not_text} AND v NOT IN ({missing}) ORDER BY n DESC, v LIMIT 1), "
        "(SELECT v FROM c ORDER BY n DESC, v LIMIT 1), "
        f"(SELECT bool_or(TRY_CAST(v AS DOUBLE) = 0 OR v IN ({falses})) FROM c)"
    ).fetchone()
    if numeric:
        labels = spec is not None and spec.task == "classification"
        return any_mode if labels and not zero else 0  # every value is a number here
    return mode if mode is not None else any_mode


def _sql_value(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"
