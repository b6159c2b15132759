"""Commands that show where curation stands: ``queue``, ``show``, ``curated``, ``summary``."""

from __future__ import annotations

import click

from curation.cli.options import CommandError, Curation, pass_curation, slug_argument
from curation.competition_profile import competition_profile
from curation.curated import DISPUTED, FROM_META_KAGGLE, NONE_GIVEN, complexity_counts, members_status
from curation.queue import MIN_CURATORS, read_queue
from curation.stage_status import partition_command
from validation.data_root import COMPETITIONS, CURATED

LABEL_WIDTH = 22  # show's labels are right-aligned to this width


@click.command("queue", short_help="competitions that still need a decision, most useful first")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="how many to list")
@click.option(
    "--min-curators", type=click.IntRange(min=0), default=MIN_CURATORS, show_default=True,
    help="curators who must decide a competition alike (MLE-bench had two engineers screen each; as `serve`)",
)  # fmt: skip
@click.option(
    "--format", "output_format", type=click.Choice(["table", "csv"]), default="table", show_default=True,
    help="output format",
)  # fmt: skip
@pass_curation
def queue(curation: Curation, limit: int, min_curators: int, output_format: str) -> None:
    """Competitions that still need a decision, as the workbench (`serve`) lists them: the candidates and the
    annotated competitions that are not one (column screening: a rule excludes it, or it is outside the Meta Kaggle
    dump). Disputed first (curators disagree on the decision or the complexity), then those with fewer than
    --min-curators decisions, most decided, then most teams; with the facts to decide on and the suggested
    complexity (a model trained on the complexities already annotated; it suggests, curators decide).

    \b
    Example:
      mlecurate queue --format csv > todo.csv
    """
    with curation.listing():
        found = read_queue(curation.warehouse, curation.store, curation.root, min_curators)
    # In CSV mode stdout carries only the table; the progress and trailer lines go to stderr.
    to_stderr = output_format == "csv"
    if found.blocked:
        click.echo(
            f"needs rules acceptance ({len(found.blocked)}): accept each competition's rules on Kaggle, then re-run "
            "competition_raw",
            err=to_stderr,
        )
        for record in found.blocked:
            click.echo(f"  {record.slug}: {record.rules_url}", err=to_stderr)
    progress, waiting = found.progress, len(found.waiting)
    click.echo(f"progress: {progress.done:,} of {progress.total:,} done ({progress.share}): decided alike by "
               f"{min_curators} curator(s), no dispute; {waiting:,} waiting", err=to_stderr)  # fmt: skip
    click.echo(f"under review: {progress.scope}", err=to_stderr)
    if not waiting:
        return
    shown = found.waiting.head(limit)
    click.echo(shown.to_csv(index=False) if to_stderr else shown.to_string(index=False), nl=not to_stderr)
    if waiting > limit:
        click.echo(f"... {waiting - limit:,} more (use --limit)", err=to_stderr)


@click.command("show", short_help="everything known about one competition")
@slug_argument()
@pass_curation
def show(curation: Curation, slug: str) -> None:
    """Meta Kaggle facts (for a member outside the dump: its listing's or recipe's), the candidate rules' verdict,
    the suggested complexity and what drove it, each stage's status (data, split, parity, with the error of a failed
    one, and what decided the parity verdict), every annotation, their consolidation.

    \b
    Example:
      mlecurate show spooky-author-identification
    """
    with curation.listing():
        profile = competition_profile(slug, curation.warehouse, curation.root, curation.store)
    if not profile.known:
        raise CommandError(f"nothing known about {slug!r}: not in {COMPETITIONS} and no annotations")
    click.echo(f"# {slug}")
    if not profile.facts:
        click.echo("Meta Kaggle: not in this dump (or the warehouse is not built yet)")
    else:
        if profile.facts_from != FROM_META_KAGGLE:
            click.echo(f"Meta Kaggle: not in this dump; a curated member, facts from {profile.facts_from}")
        for label, text in profile.fact_rows():
            click.echo(f"{label:>{LABEL_WIDTH}}: {text}")
    stages = profile.stages
    for label, text in [
        ("graded with", profile.graded_with()),
        ("candidate", profile.candidate_verdict()),
        ("suggested complexity", suggested_complexity_text(profile.screening)),
        ("data", profile.download_summary() or (stages.data if stages else None)),
        (
            "leaderboard",
            profile.leaderboard_summary()
            or f"no snapshot: {partition_command('refresh_leaderboards', slug)} (from Kaggle or Meta Kaggle), or "
            "`mlecurate import-leaderboards` (a board of your own)",
        ),
        ("split", stages.split if stages else None),
        ("parity", stages.parity if stages else None),
        ("parity reason", stages.parity_reason if stages else None),  # what decided the verdict, under it
        ("metric warning", profile.metric_warning()),  # metric_is_kaggles, as the export warns of it
        *(("split warning", warning) for warning in (stages.split_warnings if stages else ())),
    ]:
        if text is not None:
            click.echo(f"{label:>{LABEL_WIDTH}}: {text}")
    click.echo(f"\n## annotations ({len(profile.annotations)})")
    for a in profile.annotations:
        click.echo(f"- {a.curator} ({a.updated_at}): decision {a.decision}"
                   f"{' - ' + a.reason if a.reason else ''}; complexity {a.complexity or '-'}; category "
                   f"{a.category or '-'}{'; note: ' + a.note if a.note else ''}"
                   f"{'; split recipe set' if a.split_recipe else ''}")  # fmt: skip
    if profile.consolidated is not None:
        row = profile.consolidated
        complexity = row["complexity"] or (DISPUTED if row["complexity_status"] == DISPUTED else "-")
        click.echo(f"\nconsolidated: decision {row['decision']}; complexity {complexity} "
                   f"({row['complexity_status']}); category {row['category'] or '-'} ({row['category_status']})")  # fmt: skip


def suggested_complexity_text(screening: dict | None) -> str | None:
    """``medium (0.61): low 0.12, medium 0.61, high 0.27; like ...``, the reason there is none, or None when the
    candidates table has no suggestion columns."""
    if (
        screening is None
        or "suggested_complexity_reason" not in screening
        or screening["suggested_complexity_reason"] is None
    ):
        return None
    level = screening["suggested_complexity"]
    if not isinstance(level, str):
        return screening["suggested_complexity_reason"]
    return f"{level} ({screening['suggested_complexity_probability']:.2f}): {screening['suggested_complexity_reason']}"


@click.command("curated", short_help="the curated benchmark: each member's complexity, category and stage status")
@click.option("--slugs", is_flag=True, help="print only the slugs, one per line")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="only the first N members (in slug order)")
@pass_curation
def curated(curation: Curation, slugs: bool, limit: int | None) -> None:
    """List the members of curation.curated with each stage's status: data (downloaded, needs_rules_acceptance,
    failed), split (published with row counts, failed with its error, not run), parity (the verdict, failed, not
    run); and where each member's facts come from (meta kaggle, or a listing or the recipe outside the dump).
    `mlecurate show SLUG` gives a failed stage's whole error.

    \b
    Example:
      mlecurate curated --slugs --limit 3
    """
    with curation.synced() if slugs else curation.listing():  # the slugs need only the tables
        members = curation.warehouse.read_table(CURATED).sort_values("slug", ignore_index=True)
        if limit is not None:
            members = members.head(limit)
        if slugs:
            for slug in members["slug"]:
                click.echo(slug)
            return
        click.echo(members_status(members, curation.root).to_string(index=False))


@click.command("summary", short_help="row counts of every warehouse table and the curated benchmark by complexity")
@pass_curation
def summary(curation: Curation) -> None:
    """Print each warehouse table's row count and the curated competitions by complexity.

    \b
    Example:
      mlecurate summary
    """
    with curation.listing():
        counts = curation.warehouse.table_counts()
    click.echo(f"warehouse {curation.warehouse.path}")
    for name, rows in counts.items():
        click.echo(f"  {name:<32} {rows:>8,} rows")
    if CURATED in counts:
        by_level = complexity_counts(curation.warehouse.read_table(CURATED))
        parts = ", ".join(f"{n} {level or NONE_GIVEN}" for level, n in by_level.items())
        click.echo(f"curated by complexity: {parts or 'none'}")
