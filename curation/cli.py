"""``mlecurate``: the curators' command line.

>>> mlecurate annotate spooky-author-identification --curator alice --complexity low --decision include

Annotations go to ``$MLECURATE_ANNOTATIONS`` (default ``$MLECURATE_HOME/annotations``); facts about competitions
come from the warehouse that the Dagster assets build (``$MLECURATE_HOME/warehouse.duckdb``).
"""

from __future__ import annotations

import argparse
import difflib
import functools
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from curation.annotations import COMPLEXITIES, COMPLEXITY_HOURS, DECISIONS, AnnotationError, AnnotationStore
from curation.candidate_rules import CANDIDATE_COLUMNS
from curation.competition_data import read_download_record
from curation.curated import annotations_frame, consolidate
from curation.demo import DEMO_ANNOTATION_TIME, demo_annotations
from curation.mlebench_import import CURATOR as MLEBENCH_CURATOR
from curation.mlebench_import import import_mlebench_categories
from curation.paths import annotations_dir, data_root, warehouse_path, write_atomic
from curation.warehouse import MissingTableError, Warehouse

COMPETITIONS = "meta_kaggle.competitions"
CANDIDATES = "curation.candidates"


class CommandError(RuntimeError):
    """A command cannot do what was asked; the message says why and what to do."""


def _store() -> AnnotationStore:
    return AnnotationStore(annotations_dir())


def _warehouse() -> Warehouse:
    return Warehouse(warehouse_path(), lock_timeout=30)


def cmd_annotate(args: argparse.Namespace) -> int:
    changes = {
        name: getattr(args, name)
        for name in ("complexity", "category", "decision", "reason", "note")
        if getattr(args, name) is not None
    }
    if args.split_recipe:
        changes["split_recipe"] = _read_split_recipe(args.split_recipe)
    if not changes:
        raise CommandError(
            "nothing to record: give at least one of --complexity, --category, --decision, --reason, --note, "
            "--split-recipe"
        )
    if not args.allow_unknown:
        _check_known_slug(args.slug)
    annotation = _store().update(args.slug, args.curator, changes)
    print(f"{annotation.slug} by {annotation.curator}: decision {annotation.decision}, complexity "
          f"{annotation.complexity or '-'}, category {annotation.category or '-'} "
          f"({_store().path_for(annotation.slug, annotation.curator)})")  # fmt: skip
    return 0


def _read_split_recipe(path: str) -> dict:
    """Parse and validate a recipe file; store its canonical form (the CLI is where curation meets splits)."""
    import yaml

    from splits.recipe import RecipeError, parse_recipe

    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"{path}: cannot read the split recipe ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise CommandError(f"{path}: not valid YAML ({error})".replace("\n", " ")) from error
    try:
        return parse_recipe(document, where=path).to_document()
    except RecipeError as error:
        raise CommandError(str(error)) from error


def _check_known_slug(slug: str) -> None:
    warehouse = _warehouse()
    if not warehouse.has_table(COMPETITIONS):
        print(
            f"warning: cannot check that {slug!r} is a competition: {warehouse.path} has no {COMPETITIONS} yet "
            "(materialise meta_kaggle_competitions)",
            file=sys.stderr,
        )
        return
    known = warehouse.query(f"SELECT slug FROM {COMPETITIONS}")["slug"].tolist()
    if slug in known:
        return
    close = difflib.get_close_matches(slug, known, n=3, cutoff=0.6) or [
        k for k in known if k.casefold() == slug.casefold()
    ]
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise CommandError(
        f"unknown competition {slug!r}: not among the {len(known):,} slugs in {COMPETITIONS}{hint} "
        "(use --allow-unknown for a competition newer than this Meta Kaggle dump)"
    )


def cmd_queue(args: argparse.Namespace) -> int:
    candidates = _read(CANDIDATES, "candidate_competitions")
    candidates = candidates[candidates["is_candidate"]]
    annotations = annotations_frame(_store().all())
    decided = annotations[annotations["decision"] != "undecided"].groupby("slug")["curator"].nunique()
    candidates = candidates.assign(curators=candidates["slug"].map(decided).fillna(0).astype(int))
    # In CSV mode stdout carries only the table; the progress and trailer lines go to stderr.
    say = print if args.format == "table" else functools.partial(print, file=sys.stderr)
    blocked = _rules_blocked()
    if blocked:
        say(
            f"needs rules acceptance ({len(blocked)}): accept each competition's rules on Kaggle, then re-run competition_raw"
        )
        for record in blocked:
            say(f"  {record.slug}: {record.rules_url}")
    done = candidates[candidates["curators"] >= args.min_curators]
    waiting = candidates[candidates["curators"] < args.min_curators].sort_values(
        ["curators", "total_teams", "deadline_date"], ascending=[False, False, False]
    )
    total = len(candidates)
    share = f"{len(done) / total:.0%}" if total else "-"
    say(f"progress: {len(done):,} / {total:,} candidates annotated ({share}) by at least {args.min_curators} curator(s); "
        f"{len(waiting):,} waiting")  # fmt: skip
    if waiting.empty:
        return 0
    shown = waiting.head(args.limit)
    table = pd.DataFrame({
        "slug": shown["slug"],
        "segment": shown["host_segment"],
        "metric": shown["evaluation_algorithm_name"].str.slice(0, 40),
        "teams": shown["total_teams"],
        "launched": shown["enabled_date"].dt.strftime("%Y-%m-%d"),
        "deadline": shown["deadline_date"].dt.strftime("%Y-%m-%d"),
        "reward": [_reward(t, q) for t, q in zip(shown["reward_type"], shown["reward_quantity"], strict=True)],
        "curators": shown["curators"],
    })  # fmt: skip
    if args.format == "csv":
        table.to_csv(sys.stdout, index=False)
    else:
        print(table.to_string(index=False))
    if len(waiting) > args.limit:
        say(f"... {len(waiting) - args.limit:,} more (use --limit)")
    return 0


def _rules_blocked() -> list:
    raw = data_root() / "raw"
    records = [read_download_record(raw, p.name) for p in sorted(raw.iterdir())] if raw.is_dir() else []
    return [r for r in records if r is not None and r.status == "needs_rules_acceptance"]


def _reward(kind: object, quantity: object) -> str:
    if pd.isna(kind):
        return ""
    return f"{quantity:,.0f} {kind}" if pd.notna(quantity) else str(kind)


def cmd_show(args: argparse.Namespace) -> int:
    slug = args.slug
    warehouse = _warehouse()
    facts = warehouse.competition(slug) or None
    annotations = _store().for_competition(slug)
    if facts is None and not annotations:
        raise CommandError(f"nothing known about {slug!r}: not in {COMPETITIONS} and no annotations")
    print(f"# {slug}")
    if facts is None:
        print("Meta Kaggle: not in this dump (or the warehouse is not built yet)")
    else:
        for label, column in [
            ("title", "title"), ("segment", "host_segment"), ("launched", "enabled_date"),
            ("deadline", "deadline_date"), ("metric", "evaluation_algorithm_name"),
            ("higher is better", "evaluation_algorithm_is_max"), ("teams", "total_teams"),
            ("competitors", "total_competitors"), ("submissions", "total_submissions"),
            ("has leaderboard", "has_leaderboard"), ("public leaderboard %", "leaderboard_percentage"),
            ("code competition", "only_allow_kernel_submissions"), ("medals", "can_qualify_tiers"),
        ]:  # fmt: skip
            print(f"{label:>22}: {_text(facts[column])}")
        print(f"{'reward':>22}: {_reward(facts['reward_type'], facts['reward_quantity']) or '-'}")
        print(f"{'url':>22}: https://www.kaggle.com/competitions/{slug}")
    if warehouse.has_table(CANDIDATES):
        found = warehouse.query(f"SELECT * FROM {CANDIDATES} WHERE slug = ?", [slug])
        if len(found):
            row = found.iloc[0]
            verdict = "yes" if row["is_candidate"] else f"no: {row['exclusion_reason']} ({row['exclusion_detail']})"
            print(f"{'candidate':>22}: {verdict}")
    record = read_download_record(data_root() / "raw", slug)
    if record is not None:
        detail = {
            "downloaded": f"{record.zip_bytes:,} bytes, sha256 {record.zip_sha256}, {len(record.files)} file(s)"
            if record.zip_bytes is not None else "",
            "needs_rules_acceptance": f"accept the rules at {record.rules_url}",
            "failed": record.message,
        }.get(record.status, record.message)  # fmt: skip
        print(f"{'data':>22}: {record.status} ({record.source}, {record.at}): {detail}")
    print(f"\n## annotations ({len(annotations)})")
    for a in annotations:
        print(f"- {a.curator} ({a.updated_at}): decision {a.decision}"
              f"{' - ' + a.reason if a.reason else ''}; complexity {a.complexity or '-'}; category {a.category or '-'}"
              f"{'; note: ' + a.note if a.note else ''}{'; split recipe set' if a.split_recipe else ''}")  # fmt: skip
    if annotations:
        candidates = (
            warehouse.query(f"SELECT * FROM {CANDIDATES} WHERE slug = ?", [slug])
            if warehouse.has_table(CANDIDATES)
            else pd.DataFrame(columns=CANDIDATE_COLUMNS)
        )
        row = consolidate(annotations_frame(annotations), candidates).consolidated.iloc[0]
        print(f"\nconsolidated: decision {row['decision']}; complexity {row['complexity'] or '-'} "
              f"({row['complexity_status']}); category {row['category'] or '-'} ({row['category_status']})")  # fmt: skip
    return 0


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "-"
    return f"{value:,}" if isinstance(value, int) else str(value)


def cmd_import_mlebench(args: argparse.Namespace) -> int:
    summary = import_mlebench_categories(args.csv, _store())
    counts = ", ".join(f"{n} {level}" for level, n in summary.by_complexity.items())
    print(
        f"imported {summary.imported} MLE-bench annotations as curator {MLEBENCH_CURATOR} ({counts}) into {_store().root}"
    )
    return 0


def cmd_demo_annotations(args: argparse.Namespace) -> int:
    store = _store()
    annotations = demo_annotations()
    for item in annotations:
        store.update(item.slug, item.curator, item.changes, now=DEMO_ANNOTATION_TIME)
    curators = sorted({a.curator for a in annotations})
    print(f"wrote {len(annotations)} demo annotations by {', '.join(curators)} into {store.root}")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    warehouse = _warehouse()
    tables = warehouse.query(
        "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables ORDER BY 1"
    )["name"]
    print(f"warehouse {warehouse.path}")
    for name in tables:
        rows = warehouse.query(f"SELECT count(*) AS n FROM {name}")["n"].iloc[0]
        print(f"  {name:<32} {rows:>8,} rows")
    if "curation.curated" in set(tables):
        curated = warehouse.query("SELECT complexity, count(*) AS n FROM curation.curated GROUP BY 1 ORDER BY 1")
        parts = ", ".join(f"{n} {c or 'unresolved'}" for c, n in zip(curated["complexity"], curated["n"], strict=True))
        print(f"curated by complexity: {parts or 'none'}")
    return 0


def cmd_import_leaderboards(args: argparse.Namespace) -> int:
    from curation.leaderboards import LeaderboardFileError, parse_leaderboard, record_snapshot, refresh_views

    folder = Path(args.folder)
    paths = sorted(folder.glob("*/leaderboard.csv"))
    if not paths:
        raise CommandError(f"{folder}: no <slug>/leaderboard.csv inside (MLE-bench's competitions folder)")
    directions = _directions()
    root = data_root() / "leaderboards"
    statuses: dict[str, int] = {}
    for path in paths:
        slug = path.parent.name
        try:
            record = record_snapshot(root, slug, parse_leaderboard(path), "mle-bench", directions.get(slug))
        except LeaderboardFileError as error:
            raise CommandError(f"{error} (nothing after {slug} was imported; re-run to continue)") from error
        statuses[record.status] = statuses.get(record.status, 0) + 1
    refresh_views(_warehouse(), root)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    print(f"imported {len(paths)} MLE-bench leaderboards into {root}: {counts}")
    return 0


def _directions() -> dict[str, bool]:
    warehouse = _warehouse()
    if not warehouse.has_table(COMPETITIONS):
        return {}
    found = warehouse.query(
        f"SELECT slug, evaluation_algorithm_is_max FROM {COMPETITIONS} WHERE evaluation_algorithm_is_max IS NOT NULL"
    )
    return dict(zip(found["slug"], found["evaluation_algorithm_is_max"].astype(bool), strict=True))


def cmd_curated(args: argparse.Namespace) -> int:
    curated = _read("curation.curated", "curated_competitions")
    if args.slugs:
        print("\n".join(curated["slug"]))
        return 0
    raw, prepared = data_root() / "raw", data_root() / "prepared"
    records = {slug: read_download_record(raw, slug) for slug in curated["slug"]}
    table = pd.DataFrame({
        "slug": curated["slug"],
        "complexity": curated["complexity"].fillna("disputed"),
        "category": curated["category"].fillna(""),
        "data": [records[s].status if records[s] else "-" for s in curated["slug"]],
        "split": ["prepared" if (prepared / s / "manifest.json").is_file() else "-" for s in curated["slug"]],
        "overrides": curated["overrides_rule"].fillna(""),
    })  # fmt: skip
    print(table.to_string(index=False))
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    import json

    from validation.grading import grade_submission
    from validation.medals import Leaderboard, LeaderboardError
    from validation.metrics import METRICS, canonical_metric

    prepared = data_root() / "prepared" / args.slug
    if not (prepared / "manifest.json").is_file():
        raise CommandError(f"{args.slug}: no prepared split at {prepared}; materialise competition_split for it first")
    recipe = json.loads((prepared / "manifest.json").read_text())["recipe"]
    metric = (
        args.metric or recipe.get("metric")
        or canonical_metric(_warehouse().competition(args.slug).get("evaluation_algorithm_name"))
    )  # fmt: skip
    if metric not in METRICS:
        raise CommandError(
            f"{args.slug}: no metric mlecurate can grade ({metric or 'Meta Kaggle names none'}); "
            f"give --metric, one of {', '.join(sorted(METRICS))}"
        )
    from curation.leaderboards import current_board

    try:
        board = (Leaderboard.from_mlebench_csv(Path(args.leaderboard)) if args.leaderboard
                 else current_board(data_root() / "leaderboards", args.slug))  # fmt: skip
    except LeaderboardError as error:
        raise CommandError(str(error)) from error
    report = grade_submission(Path(args.submission), prepared, metric, board, competition_id=args.slug)
    text = report.to_json()
    if args.output:
        write_atomic(Path(args.output), text + "\n")
    print(text)
    return 0 if report.valid_submission else 1


def _read(table: str, built_by: str) -> pd.DataFrame:
    return _warehouse().read_table(table, built_by=built_by)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlecurate",
        description="Curate Kaggle competitions into a benchmark: annotate, review the queue, inspect competitions.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    annotate = commands.add_parser(
        "annotate",
        help="record or update one curator's annotation of a competition",
        description="Record or update CURATOR's annotation of SLUG; fields not given keep their value.",
    )
    annotate.add_argument("slug", metavar="SLUG", help="the competition's Kaggle slug")
    annotate.add_argument("--curator", required=True, help="who is annotating (a short name)")
    annotate.add_argument(
        "--complexity",
        choices=COMPLEXITIES,
        help="engineer time to a good solution: "
        + ", ".join(f"{level} ({hours})" for level, hours in COMPLEXITY_HOURS.items()),
    )
    annotate.add_argument("--category", help="the task, e.g. 'Text Classification' or 'Tabular'")
    annotate.add_argument("--decision", choices=DECISIONS, help="include in the benchmark, exclude, or undecided")
    annotate.add_argument("--reason", help="why this decision")
    annotate.add_argument("--note", help="anything else worth knowing")
    annotate.add_argument(
        "--split-recipe",
        metavar="FILE.yaml",
        help="how to build the new train/test split (keys: kind, test_fraction, seed, id_column, target_columns, ...)",
    )
    annotate.add_argument(
        "--allow-unknown", action="store_true", help="accept a slug that this Meta Kaggle dump does not have"
    )
    annotate.set_defaults(handler=cmd_annotate)

    queue = commands.add_parser(
        "queue",
        help="candidates that still need an annotation, most useful first",
        description="Candidates with fewer than --min-curators decisions, most teams first, with the facts to decide on.",
    )
    queue.add_argument("--limit", type=int, default=20, help="how many to list (default 20)")
    queue.add_argument("--min-curators", type=int, default=1, help="decisions each candidate needs (default 1)")
    queue.add_argument("--format", choices=("table", "csv"), default="table", help="output format (default table)")
    queue.set_defaults(handler=cmd_queue)

    show = commands.add_parser(
        "show",
        help="everything known about one competition",
        description="Meta Kaggle facts, the candidate rules' verdict, every annotation, and their consolidation.",
    )
    show.add_argument("slug", metavar="SLUG", help="the competition's Kaggle slug")
    show.set_defaults(handler=cmd_show)

    importer = commands.add_parser(
        "import-mlebench",
        help="import MLE-bench's competition_categories.csv as curator mle-bench",
        description="Import MLE-bench's experiments/competition_categories.csv: each row becomes an include by "
        "curator mle-bench with its complexity and category. The file is validated before anything is written.",
    )
    importer.add_argument("csv", metavar="CSV", help="path to competition_categories.csv")
    importer.set_defaults(handler=cmd_import_mlebench)

    demo = commands.add_parser(
        "demo-annotations",
        help="write the demo curators' annotations (for the demo Meta Kaggle source)",
        description="Write the annotations of the demo curators ada and grace, which match the demo Meta Kaggle source.",
    )
    demo.set_defaults(handler=cmd_demo_annotations)

    curated = commands.add_parser(
        "curated",
        help="the curated benchmark: each member's complexity, category, data and split status",
        description="List the members of curation.curated with their download and split status.",
    )
    curated.add_argument("--slugs", action="store_true", help="print only the slugs, one per line")
    curated.set_defaults(handler=cmd_curated)

    boards = commands.add_parser(
        "import-leaderboards",
        help="import MLE-bench's leaderboard.csv files as leaderboard snapshots",
        description="Import FOLDER/<slug>/leaderboard.csv (MLE-bench's competitions folder) into the leaderboard "
        "history as snapshots from source mle-bench; an unchanged board is recorded as unchanged.",
    )
    boards.add_argument("folder", metavar="FOLDER", help="e.g. ../shared/data/mle-bench/competitions")
    boards.set_defaults(handler=cmd_import_leaderboards)

    grade = commands.add_parser(
        "grade",
        help="grade a submission against a prepared competition's answers (MLE-bench's report fields)",
        description="Validate SUBMISSION.csv against prepared/<SLUG>/private/answers.csv, score it, and print a JSON "
        "report: score, medal thresholds and medals (with --leaderboard), rank, percentile, valid_submission and "
        "one message per problem. Exits 1 when the submission is invalid.",
    )
    grade.add_argument("slug", metavar="SLUG", help="the prepared competition")
    grade.add_argument("submission", metavar="SUBMISSION.csv", help="the submission to grade")
    grade.add_argument("--metric", help="override the metric (default: the recipe's, else Meta Kaggle's)")
    grade.add_argument(
        "--leaderboard",
        metavar="CSV",
        help="a private leaderboard in MLE-bench's leaderboard.csv format (default: the current snapshot, if any)",
    )
    grade.add_argument("--output", metavar="REPORT.json", help="also write the report to this file")
    grade.set_defaults(handler=cmd_grade)

    summary = commands.add_parser(
        "summary",
        help="row counts of every warehouse table and the curated benchmark by complexity",
        description="Print each warehouse table's row count and the curated competitions by complexity.",
    )
    summary.set_defaults(handler=cmd_summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (CommandError, AnnotationError, MissingTableError) as error:
        print(f"mlecurate {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
