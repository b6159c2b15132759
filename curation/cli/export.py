"""The ``export`` command: the curated benchmark written as MLE-bench reads it (``curation.benchmark_export``)."""

from __future__ import annotations

from pathlib import Path

import click

from curation.benchmark_export import COMPLEXITIES, FORMAT, ExportOptions, export_benchmark, verify_export
from curation.cli.options import Curation, pass_curation
from curation.mirror import export_inputs

PARTLY_FAILED = 1  # some competitions could not be written, or fail verification (the rest of the export is usable)


@click.command("export", short_help="write the curated benchmark as an MLE-bench data dir and registry")
@click.argument(
    "folder", metavar="DIR", type=click.Path(path_type=Path, file_okay=False),
    help="where to write the export: a new or empty folder, or an earlier export to bring up to date",
)  # fmt: skip
@click.option(
    "--format", "export_format", type=click.Choice([FORMAT]), default=FORMAT, show_default=True,
    help="the layout to write (MLE-bench's data dir and competition registry)",
)  # fmt: skip
@click.option("--complexity", type=click.Choice(COMPLEXITIES), help="export only the members of this complexity")
@click.option(
    "--include-drift",
    is_flag=True,
    help="also export competitions whose parity verdict is drift (default: parity only)",
)
@click.option(
    "--include-unknown",
    is_flag=True,
    help="also export competitions parity could not judge (verdict unknown: e.g. a test file of ids only, no labels "
    "released); their verdict is listed",
)
@click.option(
    "--include-binary-ids",
    metavar="SLUG",
    multiple=True,
    help="also export this competition though its split's binary_files_without_test_ids check failed (a public binary "
    "file, such as a training TFRecord, holds the new test rows' ids, and may hold their answers): once you know its "
    "files hold no labels; repeat for more",
)
@pass_curation
def export(
    curation: Curation, folder: Path, export_format: str, complexity: str | None, include_drift: bool,
    include_unknown: bool, include_binary_ids: tuple[str, ...],
) -> int:  # fmt: skip
    """Write every curated competition with a published split, a parity verdict of parity (drift and unknown too
    with --include-drift and --include-unknown) and a leaderboard snapshot to DIR, as MLE-bench reads it:
    DIR/data/<slug>/prepared/{public,private} (pass DIR/data as MLE-bench's --data-dir), DIR/competitions/<slug>/ (config.yaml, description.md, leaderboard.csv, checksums.yaml: copy them
    into mlebench/competitions/ of an MLE-bench checkout), DIR/splits/{all,low,medium,high}.txt and DIR/export.json.
    The grader each config names is mlecurate's (install mlecurate beside MLE-bench). Run it again to bring DIR up
    to date: unchanged competitions are not rewritten. Lists the competitions left out, by reason (export.json has
    them too). Then checks DIR as the benchmark_export asset does (each competition's files match its checksums, and
    its grader grades its answers as a perfect submission) and lists each problem. Exits 1 when some could not be
    written or fail that check (the rest of DIR is usable).

    \b
    Example:
      mlecurate export curated-benchmark --complexity low
      cp -r curated-benchmark/competitions/* path/to/mle-bench/mlebench/competitions/
      mlebench grade-sample submission.csv SLUG --data-dir curated-benchmark/data
    """
    with curation.synced(reads=export_inputs(curation.root)):
        options = ExportOptions(complexity, include_drift, include_unknown, include_binary_ids)
        result = export_benchmark(curation.root, curation.warehouse, folder, options, curation.settings.object_home)
    click.echo(
        f"{folder}: {len(result.members)} competition(s) exported ({len(result.exported)} written, "
        f"{len(result.unchanged)} unchanged"
        + (f", {len(result.kept)} kept from before" if result.kept else "")
        + (f", {len(result.removed)} removed" if result.removed else "")
        + f"), {len(result.left_out)} left out, {len(result.failed)} failed"
    )
    for slug in result.members:
        entry = result.competitions[slug]
        click.echo(f"  {slug}: {entry['complexity'] or '-'}, {entry['metric']}, parity {entry['parity']['verdict']}")
        for warning in entry.get("warnings", []):
            click.echo(f"    warning: {warning}")
    by_reason: dict[str, list[str]] = {}
    for slug, why in result.left_out.items():
        by_reason.setdefault(why, []).append(slug)
    for why, slugs in by_reason.items():  # one line per reason: the demo leaves 22 out for one reason
        click.echo(f"  left out ({why}): {', '.join(slugs)}")
    for slug, why in result.failed.items():
        click.echo(f"  failed {slug}: {why}", err=True)
    for slug in dict.fromkeys(include_binary_ids):  # a vouch that matched nothing is said (review 180: a typo)
        if slug not in result.members and slug not in result.left_out:
            click.echo(f"warning: --include-binary-ids {slug}: not a curated competition", err=True)
    problems = [problem for found in verify_export(folder).values() for problem in found]
    for problem in problems:  # each names its competition
        click.echo(f"  invalid {problem}", err=True)
    return PARTLY_FAILED if result.failed or problems else 0
