"""Write a competition's prepared split in MLE-bench's layout, check it, and publish it atomically.

>>> prepared = prepare_competition("titanic", recipe, root.raw("titanic").files, root.prepared_root, description)

Layout (``<prepared_root>/<slug>/``)::

    public/train.<ext>             the new training set
    public/test.<ext>              the new test set, without the target columns
    public/sample_submission.csv   built the way the competition's own sample is: same columns, trivial values
    public/description.md
    private/answers.csv            the new test set's answers
    manifest.json                  recipe, source, row counts, a content checksum per file, the leakage checks

Everything is built in a staging folder and checked (``validation.leakage``); only a split that passes every check
replaces the published one, in one rename. A failing split leaves the previous one in place.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from splits.builder import SplitResult, build_split, connect
from splits.recipe import SplitRecipe, parse_recipe
from validation.data_files import columns_of, content_checksum, copy_sql, quote, reader_sql
from validation.data_root import PreparedFolder
from validation.leakage import LeakageFacts, SplitCheck, check_prepared_split


@dataclass(frozen=True)
class PreparedSplit:
    slug: str
    folder: Path  # the published folder, or the staging folder when checks failed
    published: bool
    result: SplitResult
    checks: list[SplitCheck]
    manifest: dict


def prepare_competition(
    slug: str, recipe: SplitRecipe, raw_files: Path, prepared_root: Path, description: str, source: dict | None = None
) -> PreparedSplit:
    """Build, check and (when every check passes) publish ``<prepared_root>/<slug>``."""
    final = PreparedFolder(prepared_root / slug)
    staging = final.staging
    shutil.rmtree(staging.path, ignore_errors=True)
    con = connect(final.scratch)
    try:
        result = build_split(recipe, raw_files, staging.path, slug, con)
        _write_sample_submission(con, recipe, raw_files, result, staging.sample_submission)
        _answers_in_submission_format(con, recipe, result, staging)
        staging.description.write_text(description, encoding="utf-8")
        labelled_rows = (
            con.execute(f"SELECT count(*) FROM {reader_sql(raw_files / recipe.answers_file)}").fetchone()[0]
            if recipe.kind == "released_labels"
            else None
        )
        checks = check_prepared_split(staging, LeakageFacts(
            target_columns=recipe.target_columns, id_column=recipe.id_column, group_column=recipe.group_column,
            released_labels=recipe.kind == "released_labels", original_rows=result.original_rows,
            labelled_test_rows=labelled_rows,
        ))  # fmt: skip
        manifest = _manifest(con, slug, recipe, result, staging, checks, source or {})
    finally:
        con.close()
        shutil.rmtree(final.scratch, ignore_errors=True)
    staging.manifest.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if not all(check.passed for check in checks):
        return PreparedSplit(slug, staging.path, False, result, checks, manifest)
    _publish(staging, final)
    return PreparedSplit(slug, final.path, True, result, checks, manifest)


def _publish(staging: PreparedFolder, final: PreparedFolder) -> None:
    shutil.rmtree(final.retired, ignore_errors=True)
    if final.path.exists():
        os.replace(final.path, final.retired)
    os.replace(staging.path, final.path)
    shutil.rmtree(final.retired, ignore_errors=True)


def _write_sample_submission(con, recipe: SplitRecipe, raw_files: Path, result: SplitResult, target: Path) -> None:
    """Same columns as the competition's own sample, trivial values (its most common one), the new test rows."""
    test = reader_sql(result.test_file)
    if recipe.sample_submission_file:
        original = raw_files / recipe.sample_submission_file
        columns = columns_of(con, original)
        constant_columns = [c for c in columns if c not in result.public_columns]
        modes = (
            con.execute(
                f"SELECT {', '.join(f'mode({quote(c)})' for c in constant_columns)} FROM {reader_sql(original)}"
            ).fetchone()
            if constant_columns
            else ()
        )
        constants = dict(zip(constant_columns, modes, strict=True))
    else:  # no sample shipped (e.g. random-acts-of-pizza): the key columns and the targets, set to 0 or the mode
        keys = [recipe.id_column] if recipe.id_column else result.public_columns
        columns = [*keys, *recipe.target_columns]
        constants = {t: _trivial_value(con, result.train_file, t) for t in recipe.target_columns}
    select = ", ".join(f"{_sql_value(constants[c])} AS {quote(c)}" if c in constants else quote(c) for c in columns)
    con.execute(copy_sql(f"SELECT {select} FROM {test}", target))


def _answers_in_submission_format(con, recipe: SplitRecipe, result: SplitResult, folder: PreparedFolder) -> None:
    """Rewrite ``answers.csv`` with the sample submission's columns, so that the answers are a perfect submission.

    Columns come in the sample's order; a sample with one probability column per class
    (spooky-author-identification: id, EAP, HPL, MWS) gets the answers one-hot encoded from the label. A sample
    column that can be derived neither way leaves the answers as they are (id or key columns plus the targets).
    """
    answers = result.answers_file
    present = columns_of(con, answers)
    wanted = columns_of(con, folder.sample_submission)
    if wanted == present:
        return
    missing = [c for c in wanted if c not in present]
    label = quote(recipe.target_columns[0])
    if missing:
        if len(recipe.target_columns) != 1:
            return
        found = con.execute(f"SELECT DISTINCT CAST({label} AS VARCHAR) FROM {reader_sql(answers)}").fetchall()
        if not {str(v[0]) for v in found} <= set(missing):
            return
    select = ", ".join(
        quote(c)
        if c in present
        else f"CASE WHEN CAST({label} AS VARCHAR) = {_sql_value(c)} THEN 1 ELSE 0 END AS {quote(c)}"
        for c in wanted
    )
    rewritten = folder.rewriting_answers
    con.execute(copy_sql(f"SELECT {select} FROM {reader_sql(answers)}", rewritten))
    os.replace(rewritten, answers)


def _trivial_value(con, train: Path, column: str):
    text = f"CAST({quote(column)} AS VARCHAR)"
    numeric = con.execute(  # numbers and booleans get 0, as Kaggle's samples have them
        f"SELECT bool_and(TRY_CAST({text} AS DOUBLE) IS NOT NULL OR TRY_CAST({text} AS BOOLEAN) IS NOT NULL) "
        f"FROM {reader_sql(train)}"
    ).fetchone()[0]
    if numeric:
        return 0
    return con.execute(f"SELECT mode(CAST({quote(column)} AS VARCHAR)) FROM {reader_sql(train)}").fetchone()[0]


def _sql_value(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _manifest(con, slug, recipe, result, folder: PreparedFolder, checks, source: dict) -> dict:
    files = []
    for path in sorted(p for p in folder.path.rglob("*") if p.is_file() and p != folder.manifest):
        relative = str(path.relative_to(folder.path))
        entry = {"path": relative, "bytes": path.stat().st_size}
        if path.suffix in (".csv", ".json", ".parquet"):
            checksum = content_checksum(path, con)
            entry |= {"rows": int(checksum.split(":")[1]), "checksum": checksum}
        files.append(entry)
    return {
        "slug": slug,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "recipe": recipe.to_document(),
        "source": source,
        "unit": result.unit,
        "rows": {"original": result.original_rows, "train": result.train_rows, "test": result.test_rows},
        "files": files,
        "checks": {c.name: {"passed": c.passed, "found": c.found} for c in checks},
    }


def prepare_annotated_split(
    slug: str,
    recipe_document: dict,
    recipe_by: str,
    raw_files: Path,
    prepared_root: Path,
    facts: dict,
    overview: str | None = None,
    source_sha256: str | None = None,
) -> PreparedSplit:
    """Validate the curators' recipe (errors name the competition and who gave it), describe the competition, and
    build, check and publish its split (:func:`prepare_competition`)."""
    recipe = parse_recipe(recipe_document, where=f"{slug} (recipe by {recipe_by})")
    return prepare_competition(
        slug, recipe, raw_files, prepared_root, describe_competition(slug, facts, recipe, overview),
        source={"zip_sha256": source_sha256, "recipe_by": recipe_by},
    )  # fmt: skip


def describe_competition(slug: str, facts: dict, recipe: SplitRecipe, overview: str | None = None) -> str:
    """``description.md`` for the prepared split: what the competition is (its page's overview, when the source has
    it) and how its test set was rebuilt."""
    title = facts.get("title") or slug
    lines = [f"# {title}", ""]
    if facts.get("subtitle"):
        lines += [str(facts["subtitle"]), ""]
    if overview:
        lines += [overview.strip(), ""]
    lines += [
        f"Kaggle competition: https://www.kaggle.com/competitions/{slug}",
        f"Metric: {facts.get('evaluation_algorithm_name') or 'see the competition page'}",
        "",
        "## This prepared version",
        "",
        "Kaggle's test labels are hidden, so mlecurate rebuilt the test set from the public data:",
        f"split recipe `{recipe.kind}`"
        + ("" if recipe.kind == "released_labels" else f", test share {recipe.test_fraction:g}"
           + (" (the original test share)" if recipe.original_ratio else "") + f", seed {recipe.seed}")
        + f"; predict {', '.join(recipe.target_columns)}.",
        "",
        "Files: `train` (with the targets), `test` (without them), `sample_submission.csv` (the format to submit).",
    ]  # fmt: skip
    return "\n".join(lines) + "\n"
