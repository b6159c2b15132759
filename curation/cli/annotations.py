"""Commands that write curators' annotations: ``annotate``, ``import-mlebench``, ``demo-annotations``."""

from __future__ import annotations

from pathlib import Path

import click

from curation.annotations import (
    COMPLEXITIES,
    COMPLEXITY_HOURS,
    DECISIONS,
    validate_curator_name,
)
from curation.cli.options import CommandError, Curation, pass_curation, slug_argument
from curation.competition_profile import check_known_slug
from curation.demo_annotations import DEMO_ANNOTATION_TIME, demo_annotations
from curation.mirror import Part
from curation.mlebench_import import CURATOR as MLEBENCH_CURATOR
from curation.mlebench_import import import_mlebench_categories
from curation.slug_look_alikes import look_alikes
from curation.split_parity import metric_against_kaggle
from validation.data_root import COMPETITIONS
from validation.metrics import resolve_metric
from validation.split_recipe import read_recipe_file

CLEARABLE = ("complexity", "category", "reason", "note", "split-recipe")  # a decision is set to undecided instead


@click.command("annotate", short_help="record or update one curator's annotation of a competition")
@slug_argument()
@click.option("--curator", required=True, help="who is annotating (a short name)")
@click.option(
    "--complexity",
    type=click.Choice(COMPLEXITIES),
    help="engineer time to a good solution: "
    + ", ".join(f"{level} ({hours})" for level, hours in COMPLEXITY_HOURS.items()),
)
@click.option("--category", help="the task, e.g. 'Text Classification' or 'Tabular'")
@click.option("--decision", type=click.Choice(DECISIONS), help="include in the benchmark, exclude, or undecided")
@click.option("--reason", help="why this decision")
@click.option("--note", help="anything else worth knowing")
@click.option(
    "--split-recipe",
    metavar="FILE.yaml",
    help="how to build the new train/test split (keys: kind, test_fraction, seed, id_column, target_columns, ...)",
)
@click.option(
    "--clear",
    "cleared",
    multiple=True,
    type=click.Choice(CLEARABLE),
    help="empty a field of the annotation (repeat for more): e.g. --clear split-recipe withdraws the recipe",
)
@click.option("--allow-unknown", is_flag=True, help="accept a slug that this Meta Kaggle dump does not have")
@pass_curation
def annotate(
    curation: Curation,
    slug: str,
    curator: str,
    complexity: str | None,
    category: str | None,
    decision: str | None,
    reason: str | None,
    note: str | None,
    split_recipe: str | None,
    cleared: tuple[str, ...],
    allow_unknown: bool,
) -> None:
    """Record or update CURATOR's annotation of SLUG; fields not given keep their value, and --clear empties one
    (a decision is not cleared: set it to undecided).

    \b
    Example:
      mlecurate annotate spooky-author-identification --curator alice \\
          --complexity low --category "Text Classification" --decision include --reason "clean, small"
      mlecurate annotate spooky-author-identification --curator alice --clear split-recipe
    """
    validate_curator_name(curator)  # before anything is read: the workbench's check of a name
    given = {"complexity": complexity, "category": category, "decision": decision, "reason": reason, "note": note}
    changes = {name: value for name, value in given.items() if value is not None}
    if split_recipe:
        changes["split_recipe"] = _read_split_recipe(split_recipe)
    for option in dict.fromkeys(cleared):  # a field cleared twice is cleared
        field = option.replace("-", "_")
        if field in changes:
            raise CommandError(f"--clear {option} and --{option} both given: set the field, or clear it")
        changes[field] = None
    if cleared and all(value is None for value in changes.values()) and curation.store.get(slug, curator) is None:
        raise CommandError(f"nothing to clear: {curator} has no annotation of {slug}")  # and none is made up
    if not changes:
        raise CommandError(
            "nothing to record: give at least one of --complexity, --category, --decision, --reason, --note, "
            "--split-recipe, --clear"
        )
    with curation.annotations_synced(slug, load_tables=not allow_unknown):  # pulled and pushed, with an s3:// home
        if not allow_unknown:
            _check_known_slug(curation, slug)
        saved = curation.store.save(slug, curator, changes)
    annotation, path = saved.annotation, saved.path
    click.echo(f"{annotation.slug} by {annotation.curator}: decision {annotation.decision}, complexity "
               f"{annotation.complexity or '-'}, category {annotation.category or '-'} ({path})")  # fmt: skip
    wanted = changes.get("split_recipe") and annotation.decision != "exclude"  # an excluded one is never split
    if wanted and (warning := _no_metric_warning(curation, slug, changes["split_recipe"])):
        click.echo(warning, err=True)
    if saved.comments_lost:
        click.echo(f"warning: {path} held {saved.comments} comment(s) of your own, and {saved.comments_lost} could "
                   "not be kept (one inside a replaced split recipe goes with it; a file that cannot be edited in "
                   "place is rewritten from its fields): write such notes in --note, or see them in git",
                   err=True)  # fmt: skip


def _no_metric_warning(curation: Curation, slug: str, recipe: dict) -> str | None:
    """A warning when the recipe names no metric and Meta Kaggle's is none mlecurate grades: the split publishes,
    and then nothing grades it (parity, grade, export), which a sweep found only at the export; or when Meta Kaggle's
    name does not give the metric's depth or beta (``MAP@{K}``, ``F-Score Beta (Micro)``), which the recipe must."""
    if recipe.get("metric"):
        return None
    facts = curation.warehouse.competition(slug)
    if not facts and curation.warehouse.competition_slugs() is None:  # Meta Kaggle not loaded: nothing to tell
        return None
    named = facts.get("evaluation_algorithm_name")
    if resolve_metric(None, recipe, named) is not None:
        agrees, found, _ = metric_against_kaggle(slug, [], facts, recipe)  # MAP@{K}, F-Score Beta (Micro): K, beta
        return None if agrees else f"warning: {slug}: {found}"  # sweep 189: icdm's F0.5 would be graded at F2
    why = f"Meta Kaggle's {named!r} is not a metric mlecurate grades" if named else "Meta Kaggle names no metric"
    return (
        f"warning: the split recipe of {slug} names no metric, and {why}: its split will be published, but neither "
        "parity, `mlecurate grade` nor the export can grade it; add `metric` to the recipe (`mlecurate metrics` "
        "lists them)"
    )


def _read_split_recipe(path: str) -> dict:
    """The recipe's canonical form, read and validated by the one recipe reader (bounded, strict YAML)."""
    return read_recipe_file(Path(path)).to_document()


def _check_known_slug(curation: Curation, slug: str) -> None:
    """The slug is in the Meta Kaggle dump, or a curator already annotated it (with --allow-unknown then: the next
    annotation of it, a fixed recipe or a second curator, needs no flag again)."""
    known = curation.warehouse.competition_slugs()
    if curation.store.has_annotations(slug):
        if known is not None and (near := look_alikes(slug, known)):  # a typo recorded before the dump was loaded
            click.echo(
                f"warning: {slug!r} is not in {COMPETITIONS} and reads almost as {' or '.join(near)}: a misspelt slug "
                f"annotated before? (its annotations are in {curation.store.root / slug}; a competition the dump lacks "
                "is right as it is)",
                err=True,
            )
        return
    if known is None:
        click.echo(
            f"warning: cannot check that {slug!r} is a competition: {curation.warehouse.path} has no {COMPETITIONS} "
            "yet (materialise meta_kaggle_competitions)",
            err=True,
        )
        return
    check_known_slug(slug, known)


@click.command("import-mlebench", short_help="import MLE-bench's competition_categories.csv as curator mle-bench")
@click.argument("csv", metavar="CSV", type=click.Path(path_type=Path), help="path to competition_categories.csv")
@pass_curation
def import_mlebench(curation: Curation, csv: Path) -> None:
    """Import MLE-bench's experiments/competition_categories.csv: each row becomes an include by curator mle-bench
    with its complexity and category. The file is validated before anything is written.

    \b
    Example:
      mlecurate import-mlebench ../shared/data/mle-bench/competition_categories.csv
    """
    with curation.synced(writes=[Part(curation.store.root, each=True)]):
        summary = import_mlebench_categories(csv, curation.store)
    counts = ", ".join(f"{n} {level}" for level, n in summary.by_complexity.items())
    click.echo(
        f"imported {summary.imported} MLE-bench annotations as curator {MLEBENCH_CURATOR} ({counts}) into "
        f"{curation.store.root}"
    )


@click.command("demo-annotations", short_help="write the demo curators' annotations (for the demo Meta Kaggle source)")
@pass_curation
def demo_annotations_command(curation: Curation) -> None:
    """Write the annotations of the demo curators ada and grace, which match the demo Meta Kaggle source.

    \b
    Example:
      mlecurate demo-annotations      # then materialise the curation job on the demo source
    """
    annotations = demo_annotations()
    with curation.synced(writes=[Part(curation.store.root, each=True)]):
        for item in annotations:
            curation.store.update(item.slug, item.curator, item.changes, now=DEMO_ANNOTATION_TIME)
    curators = sorted({a.curator for a in annotations})
    click.echo(f"wrote {len(annotations)} demo annotations by {', '.join(curators)} into {curation.store.root}")
