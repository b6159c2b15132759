"""The curated benchmark as MLE-bench reads it: ``mlecurate export DIR`` and the ``benchmark_export`` asset.

>>> result = export_benchmark(root, warehouse, Path("bench"), ExportOptions(complexity="low"))
>>> result.exported, result.unchanged, result.left_out   # slugs; slugs; {slug: why}

For every curated competition with a published split, a parity verdict of ``parity`` (``drift`` too with
``include_drift``, ``unknown`` with ``include_unknown``), a current leaderboard snapshot and no public binary file
holding the new test rows' ids (``include_binary_ids`` names those to export all the same), ``DIR`` gets:

- ``data/<slug>/prepared/public/``: the published public files, the sample submission under the competition's own
  file name (the split recipe's ``sample_submission_name``, else its ``sample_submission_file``'s name, e.g.
  ``sampleSubmission.csv``; else ``sample_submission.csv``); the description names it so;
- ``data/<slug>/prepared/private/test.csv``: the answers (MLE-bench's name); where Kaggle scores some test rows only
  (split recipe key ``scored_rows``), with one more column, ``scored`` (1/0), that the grader is told of;
- ``competitions/<slug>/``: ``config.yaml`` in MLE-bench's format (its ``grader.grade_fn`` is mlecurate's grader,
  ``validation.mlebench_grade``), ``description.md``, ``leaderboard.csv`` (the current snapshot in MLE-bench's
  columns; a board whose scores are in no order, best first) and ``checksums.yaml`` (MD5s of the files, as
  MLE-bench's ``generate_checksums`` makes them);
- ``splits/{all,low,medium,high}.txt``: MLE-bench's split lists, by curated complexity;
- ``export.json``: mlecurate's version, the data root it came from (an object-storage home's ``s3://`` URL, not a
  mirror's path), and per competition its source, checksums, parity verdict, fingerprint and warnings (a board
  MLE-bench reads in the other direction; a published split the curators no longer ask for: their recipe changed, or
  a later split or parity check failed; each of the split's warning checks that failed, with what it found).

Data files are hard links to the published ones when the export is on the same file system (a split is published by
rename, never rewritten in place, so a later split never changes an exported file), else copies; the answers of a
``scored_rows`` competition are written anew, with their mask column.

Incremental and safe: a competition whose fingerprint (its published files, description, board snapshot, config and
this module's format) is the one ``export.json`` records, with its folders present, is not rewritten. Each
competition is built in ``DIR/.staging/<slug>`` and moved into place whole (its old folders renamed aside first, then
removed); ``export.json`` and the split lists are written last, atomically. A competition that fails keeps its
previous export (if any) and is reported; the others are unaffected. A competition no longer eligible is removed,
and only folders this export made are ever removed: ``DIR`` must be new, empty, or an earlier export.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import yaml

from curation.annotations import AnnotationError, AnnotationRecipeError, AnnotationStore
from curation.competition_data import read_download_record
from curation.curated import SplitRecipeChoiceError, curated_slugs, split_recipe_for
from curation.leaderboard_history import current_board_and_record
from curation.split_parity import metric_against_kaggle
from curation.stage_status import PARITY, SPLIT, failed_checks, partition_command, read_failure, split_warnings
from curation.submission_grading import GradingUnavailable, check_answers_gradable, grading_metric
from curation.warehouse import Warehouse
from validation.binary_files import BINARY_FILES_WITHOUT_TEST_IDS
from validation.data_files import data_stem, file_digest
from validation.data_root import (
    CURATED,
    DataRoot,
    DataRootFileError,
    PreparedFolder,
    SlugError,
    checked_slug,
    read_json_file,
    rerun,
    slug_folder,
    write_atomic,
)
from validation.grading import key_columns
from validation.leaderboard import Leaderboard, LeaderboardError
from validation.medals import medal_thresholds, place
from validation.metrics import METRICS
from validation.mlebench_grade import MODULE, PREPARE, grade_function_name, scored_column_name
from validation.scored_rows import read_scored
from validation.split_recipe import RecipeError, parse_recipe
from validation.versions import mlecurate_version

FORMAT = "mlebench"
FORMAT_VERSION = 2  # bump when what an export writes changes: every competition is then rewritten (2: boards in
# no score order are written sorted)
COMPLEXITIES = ("low", "medium", "high")
MANIFEST = "export.json"
# MLE-bench's generate_checksums: the files directly under a folder with these extensions.
CHECKSUM_EXTENSIONS = ("csv", "json", "jsonl", "parquet", "bson")
ANSWERS = "test.csv"  # MLE-bench's private/test.csv
DEFAULT_SAMPLE = "sample_submission.csv"
BOARD_COLUMNS = ["scoreNullable", "teamId", "hasTeamName", "submissionDate", "score", "hasScore"]


class ExportError(ValueError):
    """The export cannot be written at all (a folder that is not an export, another export running); the message
    names the folder and what to do."""


@dataclass(frozen=True)
class ExportOptions:
    complexity: str | None = None  # export only the members of this curated complexity
    include_drift: bool = False  # also export competitions whose parity verdict is drift
    # also those parity could not judge (verdict unknown: an image competition whose test file holds only ids, with
    # no labels released); the export says which they are, in export.json and in the printed list
    include_unknown: bool = False
    # also these competitions, though their split's binary_files_without_test_ids failed: a public binary file (a
    # training TFRecord) holds the new test rows' ids, and mlecurate cannot tell whether their answers are in it too (a
    # sweep's siim export); the curator vouches for each one by its slug
    include_binary_ids: tuple[str, ...] = ()

    def __post_init__(self):
        if self.complexity is not None and self.complexity not in COMPLEXITIES:
            raise ValueError(f"complexity must be one of {', '.join(COMPLEXITIES)}, not {self.complexity!r}")


@dataclass
class ExportResult:
    folder: Path
    exported: list[str] = field(default_factory=list)  # written (new or changed) in this run
    unchanged: list[str] = field(default_factory=list)  # already exported as they are
    left_out: dict[str, str] = field(default_factory=dict)  # curated members not exported, and why
    failed: dict[str, str] = field(default_factory=dict)  # eligible, but planning or writing them failed
    kept: list[str] = field(default_factory=list)  # failed ones whose previous export stays (members still)
    removed: list[str] = field(default_factory=list)  # exported before, no longer eligible: removed
    competitions: dict[str, dict] = field(default_factory=dict)  # export.json's entries, by slug

    @property
    def members(self) -> list[str]:
        """The competitions the export holds now."""
        return sorted(self.competitions)


@dataclass(frozen=True)
class _Plan:
    """What one competition's export holds, decided before anything is written."""

    slug: str
    prepared: PreparedFolder
    config: dict
    description: str
    sample_name: str
    board: pd.DataFrame
    raw_zip: Path | None  # the download's zip, whose MD5 checksums.yaml gives as MLE-bench does
    entry: dict  # its export.json entry, without checksums
    scored: str | None = None  # the answers' mask column (split recipe key scored_rows), or None: every row scored


def export_benchmark(
    root: DataRoot, warehouse: Warehouse, folder: Path, options: ExportOptions, origin: str | None = None
) -> ExportResult:
    """Write (or bring up to date) the MLE-bench export of the curated benchmark in ``folder`` (module docstring).
    ``origin`` names the data root in ``export.json``: the ``s3://`` URL of an object-storage home (whose local
    mirror differs from machine to machine); by default ``root``'s absolute path."""
    folder = folder.absolute()
    origin = origin or str(root.path.absolute())
    _check_ours(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"{folder}: cannot create the export folder: {error}") from error
    result = ExportResult(folder)
    with _export_lock(folder):
        previous, exported_from = _previous_export(folder)
        if exported_from is not None and exported_from != origin:
            raise ExportError(
                f"{folder}: exported from the data root {exported_from}, not {origin} "
                "(MLECURATE_HOME): bringing it up to date from another root would remove what that one exported; "
                "export into a new folder"
            )
        members = _curated_members(warehouse)
        annotations = AnnotationStore(root.annotations)
        plans = {}
        for slug, member in members.items():
            try:
                plan = _plan(slug, member, root, warehouse, options, annotations)
            except (_LeftOut, GradingUnavailable) as why:
                later = "" if isinstance(why, _NotAsked) else _later_split_failure(root, slug)
                result.left_out[slug] = str(why) + later
                continue
            except (LeaderboardError, DataRootFileError, OSError, ValueError) as error:
                result.failed[slug] = str(error) if str(error).startswith(slug) else f"{slug}: {error}"
                continue
            plans[slug] = plan
        for slug, plan in plans.items():
            old = previous.get(slug)
            if old and old.get("fingerprint") == plan.entry["fingerprint"] and _present(folder, slug, old):
                result.unchanged.append(slug)
                result.competitions[slug] = old
                continue
            try:
                result.competitions[slug] = _write_competition(folder, plan)
                result.exported.append(slug)
            except (OSError, ValueError) as error:
                result.failed[slug] = f"{slug}: writing its export failed: {error}"
        for slug in result.failed:  # a failed competition's earlier export, if any, stays as it was
            if slug in previous and _present(folder, slug, previous[slug]):
                result.competitions[slug] = previous[slug]
                result.kept.append(slug)
        gone = sorted(set(previous) - set(result.competitions) - set(result.failed))
        if gone and not result.competitions:
            raise ExportError(_removing_everything(folder, gone, result.left_out))
        for slug in gone:
            _remove_competition(folder, slug)
            result.removed.append(slug)
        _write_index(folder, result, options, origin)
        shutil.rmtree(folder / STAGING, ignore_errors=True)
    return result


def _removing_everything(folder: Path, gone: list[str], left_out: dict[str, str]) -> str:
    """Why an export that would empty ``folder`` is refused: each member's left-out reason (a filter or a flag the
    earlier export had), or, for competitions no longer curated here, the data root."""
    named = ", ".join(gone[:5]) + (" ..." if len(gone) > 5 else "")
    why = [f"{slug}: {left_out[slug]}" for slug in gone if slug in left_out][:5]
    strangers = [slug for slug in gone if slug not in left_out]
    advice = "; ".join(why)
    if strangers:
        advice += ("; " if advice else "") + (
            f"{len(strangers)} {'is not a curated member' if len(strangers) == 1 else 'are not curated members'} "
            "here: is MLECURATE_HOME the data root it was exported from?"
        )
    return (
        f"{folder}: this run would remove every competition exported before ({len(gone)}: {named}) and export none "
        f"({advice}). Run it with the options that exported them, or remove the folder to start again"
    )


class _LeftOut(Exception):
    """A curated member that is not exported, for the reason given (not an error)."""


class _NotAsked(_LeftOut):
    """A member the export's options leave out (another complexity): its splits have nothing to do with it."""


def _later_split_failure(root: DataRoot, slug: str) -> str:
    """``; its latest split failed (<when>): <error>`` when a split failed after the published one, whose state the
    reason a member is left out speaks of: the curators' newer recipe may be what they are waiting for."""
    if not root.prepared(slug).manifest.is_file():
        return ""  # the reason is the failure itself
    failed = read_failure(root, slug, SPLIT)
    return f"; and its latest split, after the published one, failed ({failed.at}): {failed.error}" if failed else ""


def _curated_members(warehouse: Warehouse) -> dict[str, dict]:
    if curated_slugs(warehouse) is None:
        raise ExportError("no curated benchmark yet: materialise curated_competitions (or run `mlecurate curate`)")
    rows = warehouse.query(f"SELECT * FROM {CURATED} ORDER BY slug")
    return {row["slug"]: {k: (None if pd.isna(v) else v) for k, v in row.items()} for row in rows.to_dict("records")}


def _plan(
    slug: str, member: dict, root: DataRoot, warehouse: Warehouse, options: ExportOptions, annotations: AnnotationStore
) -> _Plan:
    complexity = member.get("complexity")
    if options.complexity and complexity != options.complexity:
        raise _NotAsked(f"complexity {complexity or 'not agreed'}, not {options.complexity}")
    prepared = root.prepared(slug)
    if not prepared.manifest.is_file():
        failed = read_failure(root, slug, SPLIT)
        if failed is not None:
            raise _LeftOut(f"its split failed ({failed.at}): {failed.error}")
        raise _LeftOut(f"no published split: {partition_command('prepare_competition', slug)}")
    manifest = prepared.read_manifest()
    if not prepared.parity.is_file():
        failed = read_failure(root, slug, PARITY)
        if failed is not None:  # it ran and failed: what went wrong, not a command that fails the same way
            raise _LeftOut(f"its parity check failed ({failed.at}): {failed.error}")
        raise _LeftOut(f"parity not checked: {partition_command('prepare_competition', slug)}")
    parity = read_json_file(prepared.parity, f"materialise split_parity for {slug} again")
    verdict = parity.get("verdict")
    wanted = ("parity",) + ("drift",) * options.include_drift + ("unknown",) * options.include_unknown
    if verdict not in wanted:
        hint = {"drift": " (--include-drift exports it)", "unknown": " (--include-unknown exports it)"}.get(verdict, "")
        raise _LeftOut(f"parity verdict {verdict}{hint}: {parity.get('reason') or 'no reason given'}")
    if slug not in options.include_binary_ids and (held := _binary_ids(manifest)):
        raise _LeftOut(
            f"its split's warning check {BINARY_FILES_WITHOUT_TEST_IDS.name} failed, so its public files may hold the "
            f"new test rows' answers: {held} (--include-binary-ids {slug} exports it, once you know the files hold no "
            "labels)"
        )
    recipe = manifest["recipe"]
    try:
        metric = grading_metric(slug, recipe, warehouse)
    except GradingUnavailable as error:  # its remedy is grade's --metric; an export grades by the recipe's metric
        raise _LeftOut(
            f"{error.reason}: name one in its split recipe (key metric), then "
            f"{partition_command('prepare_competition', slug)}"
        ) from None
    try:
        check_answers_gradable(slug, prepared, metric)
    except GradingUnavailable as error:
        raise _LeftOut(
            f"{error.reason}: name a metric that grades them in its split recipe (key metric), then "
            f"{partition_command('prepare_competition', slug)}"
        ) from None
    current = current_board_and_record(root.leaderboards(slug))
    if current is None:
        raise _LeftOut(f"no leaderboard snapshot: medals need one; {partition_command('refresh_leaderboards', slug)}")
    snapshot, board = current
    try:  # review 176: MAE against a board ranked higher first was exported, MLE-bench reading the board its own way
        medal_thresholds(board, METRICS[metric].higher_is_better, f"the metric {metric}")
    except LeaderboardError as error:
        raise _LeftOut(
            f"its leaderboard snapshot is ranked the other way from its metric, so its medal thresholds say nothing "
            f"({error}): check the recipe's metric"
        ) from None
    medal = _sample_medal(parity, board, metric)
    if medal:  # the error check sample_earns_no_medal, on the board exported: no verdict option exports it
        newer = (
            " (parity placed it on an older snapshot, where it earned none: materialise split_parity again)"
            if parity.get("sample_medal") is False
            else " (check sample_earns_no_medal)"
        )
        raise _LeftOut(
            f"its sample submission ({medal[0]}) earns a medal on the leaderboard exported (rank {medal[1]} of "
            f"{len(board.teams)}), so the medal thresholds say nothing{newer}: check the recipe's metric and the "
            "leaderboard it is compared with"
        )
    if not prepared.description.is_file():
        raise _LeftOut(f"the published split has no {prepared.description.name}: materialise competition_split")
    sample_name = _sample_name(slug, recipe, prepared)
    description = _description(prepared.description.read_text(encoding="utf-8"), sample_name)
    answers = pd.read_csv(prepared.existing_answers(), nrows=0, dtype=str)
    keys = key_columns(prepared, answers)
    scored = scored_column_name(list(answers.columns)) if recipe.get("scored_rows") else None
    facts = warehouse.competition(slug)
    config = {
        "id": slug,
        "name": member.get("title") or facts.get("title") or slug,
        "competition_type": "code" if facts.get("only_allow_kernel_submissions") else "simple",
        "awards_medals": bool(facts.get("can_qualify_tiers")),
        "prizes": None,  # Meta Kaggle gives the total reward, not the prize of each position
        "description": f"mlebench/competitions/{slug}/description.md",
        "dataset": {
            "answers": f"{slug}/prepared/private/{ANSWERS}",
            "sample_submission": f"{slug}/prepared/public/{sample_name}",
        },
        "grader": {"name": metric, "grade_fn": grade_function_name(metric, keys, scored)},
        "preparer": f"{MODULE}:{PREPARE}",
    }
    download = read_download_record(root.raw(slug))
    entry = {
        "slug": slug,
        "complexity": complexity,
        "category": member.get("category"),
        "metric": metric,
        "higher_is_better": _higher_is_better(metric),
        "source": {
            "data": download.source if download else None,
            "downloaded_at": download.at if download else None,
            "zip_sha256": download.zip_sha256 if download else None,
            "split_created_at": manifest.get("created_at"),
            "leaderboard": snapshot.source,
            "leaderboard_snapshot": snapshot.snapshot_id,
            "facts_from": member.get("facts_from"),
        },
        "parity": {"verdict": verdict, "reason": parity.get("reason")},
        "leaderboard_teams": len(board.teams),
        "warnings": _direction_warnings(board, metric)
        + _metric_warnings(slug, recipe, facts)
        + _split_warnings(slug, manifest, root, annotations),
    }
    fingerprint = {
        "format": [FORMAT, FORMAT_VERSION],
        "manifest": hashlib.sha256(prepared.manifest.read_bytes()).hexdigest(),
        "description": hashlib.sha256(description.encode()).hexdigest(),
        "config": config,
        "entry": entry,
    }
    entry["fingerprint"] = hashlib.sha256(json.dumps(fingerprint, sort_keys=True, default=str).encode()).hexdigest()
    archive = root.raw(slug).archive
    return _Plan(slug, prepared, config, description, sample_name, _mlebench_board(board, metric),
                 archive if archive.is_file() else None, entry, scored)  # fmt: skip


def _sample_name(slug: str, recipe: dict, prepared: PreparedFolder) -> str:
    """The sample submission's name in the export: the recipe's ``sample_submission_name``, else Kaggle's file's
    name (as a .csv: the published sample is CSV), else ``sample_submission.csv``; never another public file's."""
    name = recipe.get("sample_submission_name") or (
        data_stem(recipe["sample_submission_file"]) + ".csv" if recipe.get("sample_submission_file") else DEFAULT_SAMPLE
    )
    if name != prepared.sample_submission.name and (prepared.public / name).exists():
        raise ValueError(
            f"{slug}: the sample submission's name in the export, {name!r} (split recipe key sample_submission_name "
            "or sample_submission_file), is the name of another public file; give another one"
        )
    return name


def _higher_is_better(metric: str) -> bool:
    return METRICS[metric].higher_is_better


def _description(text: str, sample_name: str) -> str:
    """The published description, naming the sample submission as the export does."""
    if sample_name == DEFAULT_SAMPLE:
        return text
    return text.replace(f"`{DEFAULT_SAMPLE}`", f"`{sample_name}`")


def _export_order(board: Leaderboard, metric: str) -> pd.DataFrame:
    """The board's teams in rank order; a board whose scores are in no order (a hand-edited file, two rows swapped)
    best score first by the metric, teams of equal scores in rank order. MLE-bench takes its medal thresholds from
    positions in the file (the 10th row's score is gold's for 100-249 teams), and would take wrong ones from such a
    board, while mlecurate's grader takes them from the sorted scores. A board sorted against the metric is kept as
    it is, and :func:`_direction_warnings` says so."""
    teams = board.teams.sort_values("rank", kind="stable")
    if board.order_direction() is not None:
        return teams
    return teams.sort_values("score", ascending=not _higher_is_better(metric), kind="stable")


def _mlebench_board(board: Leaderboard, metric: str) -> pd.DataFrame:
    """The snapshot in MLE-bench's leaderboard.csv columns, best first (MLE-bench reads the order for direction, and
    its medal thresholds from positions: :func:`_export_order`)."""
    teams = _export_order(board, metric)
    return pd.DataFrame({
        "scoreNullable": teams["score"].to_numpy(), "teamId": teams["team_id"].to_numpy(),
        "hasTeamName": True, "submissionDate": teams["submission_date"].fillna("").to_numpy(),
        "score": teams["score"].to_numpy(), "hasScore": True,
    }, columns=BOARD_COLUMNS)  # fmt: skip


def _direction_warnings(board: Leaderboard, metric: str) -> list[str]:
    """MLE-bench infers a board's direction from its first and last scores; say when that disagrees with the metric
    (a board whose first and last scores tie reads as higher-is-better there)."""
    scores = _export_order(board, metric)["score"]
    if len(scores) == 0:
        return []
    lower_there = bool(scores.iloc[0] < scores.iloc[-1])
    if lower_there == (not _higher_is_better(metric)):
        return []
    return [
        f"MLE-bench reads this board as {'lower' if lower_there else 'higher'} is better (its first and last scores "
        f"are {scores.iloc[0]} and {scores.iloc[-1]}), while {metric} is "
        f"{'higher' if _higher_is_better(metric) else 'lower'} is better: its medal thresholds may differ"
    ]


def _metric_warnings(slug: str, recipe: dict, facts: dict) -> list[str]:
    """The warning check metric_is_kaggles for the exported split's recipe, when it fails: the board's medals are
    another metric's (a stand-in)."""
    agrees, found, _ = metric_against_kaggle(slug, [], facts, recipe)  # the recipe given: no annotation is read
    return [] if agrees else [f"its parity's warning check metric_is_kaggles: {found}"]


def _binary_ids(manifest: dict) -> str | None:
    """What the split's binary_files_without_test_ids check found, when it failed; None otherwise (and for checks
    that cannot be read: ``stage_status.failed_checks``)."""
    prefix = f"{BINARY_FILES_WITHOUT_TEST_IDS.name}: "
    return next((f.removeprefix(prefix) for f in failed_checks(manifest) if f.startswith(prefix)), None)


def _sample_medal(parity: dict, board: Leaderboard, metric: str) -> tuple[float, int] | None:
    """The sample submission's score on the new test set (parity's) and its rank, when it earns a medal on ``board``
    (the current snapshot, which may be newer than the one parity placed it on); None otherwise."""
    row = next((r for r in parity.get("rows") or [] if r.get("target") is None and r.get("test_set") == "new test"
                and r.get("submission") == "sample submission"), None)  # fmt: skip
    if row is None or row.get("score") is None:
        return None
    higher = METRICS[metric].higher_is_better
    try:
        placement = place(row["score"], board, medal_thresholds(board, higher, f"the metric {metric}"))
    except LeaderboardError:  # a board medals cannot be read from: its warnings say so
        return None
    return (row["score"], placement.rank) if placement.any_medal else None


def _as_compared(recipe: dict | None) -> str:
    """A recipe document as two are compared: a ``test_file: test.csv`` named is the default's file (a split built
    before a recipe named it kept no such key: review 200), in the order the document keeps (the order of
    submission_columns is the submission's)."""
    recipe = dict(recipe or {})
    if recipe.get("test_file") == "test.csv":
        del recipe["test_file"]
    return json.dumps(recipe, default=str)


def _split_warnings(slug: str, manifest: dict, root: DataRoot, annotations: AnnotationStore) -> list[str]:
    """Say when the published split is not what the curators now ask for: their recipe (in the annotation files, as
    prepare_competition reads it) has changed since it was built, or a later split or parity check failed. Either way
    the export holds the published split, whose parity was checked, and the warning names what to do."""
    warnings = []
    published = f"the published split ({manifest.get('created_at') or 'undated'})"
    try:
        document, curators = split_recipe_for(slug, annotations.for_competition(slug))
        wanted = parse_recipe(document, where=f"{slug} (recipe by {curators})").to_document()
    except (AnnotationRecipeError, SplitRecipeChoiceError, RecipeError) as error:
        warnings.append(f"the curators' split recipe cannot be used ({error}); this export holds {published}")
    except AnnotationError as error:  # a damaged annotation file, another field
        warnings.append(f"the curators' annotations cannot be read ({error}); this export holds {published}")
    else:  # in the order the split's manifest keeps it: the order of submission_columns is the submission's
        if _as_compared(wanted) != _as_compared(manifest.get("recipe")):
            warnings.append(f"{published} was built from a split recipe the curators have since changed: this export "
                            f"holds it; {partition_command('prepare_competition', slug)}")  # fmt: skip
    for stage, what in ((SPLIT, "split"), (PARITY, "parity check")):
        failed = read_failure(root, slug, stage)
        if failed is not None:
            warnings.append(f"its latest {what} failed ({failed.at}): {failed.error}; this export holds {published}")
    warnings += [f"its split's warning check {warning}" for warning in split_warnings(slug, root)]
    return warnings


def _write_competition(folder: Path, plan: _Plan) -> dict:
    """Build the competition in ``.staging/<slug>``, then move its two folders into place; its export.json entry."""
    staging = folder / STAGING / plan.slug
    shutil.rmtree(staging, ignore_errors=True)
    data, competition = staging / "data", staging / "competition"
    public, private = data / "prepared" / "public", data / "prepared" / "private"
    try:
        _link_tree(plan.prepared.public, public)
        published_sample = public / plan.prepared.sample_submission.name
        if plan.sample_name != published_sample.name:
            published_sample.rename(public / plan.sample_name)
        (public / plan.prepared.description.name).unlink(missing_ok=True)
        (public / plan.prepared.description.name).write_text(plan.description, encoding="utf-8")
        private.mkdir(parents=True)
        if plan.scored is None:
            _link_file(plan.prepared.existing_answers(), private / ANSWERS)
        else:
            _write_masked_answers(plan.prepared, plan.scored, private / ANSWERS)
        competition.mkdir(parents=True)
        (competition / "config.yaml").write_text(yaml.safe_dump(plan.config, sort_keys=False), encoding="utf-8")
        (competition / "description.md").write_text(plan.description, encoding="utf-8")
        plan.board.to_csv(competition / "leaderboard.csv", index=False)
        checksums = {"private": _md5s(private), "public": _md5s(public)}
        if plan.raw_zip is not None:
            checksums["zip"] = file_digest(plan.raw_zip, "md5")
        (competition / "checksums.yaml").write_text(yaml.safe_dump(checksums), encoding="utf-8")
        _swap_in(folder, plan.slug, data, competition)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {**plan.entry, "checksums": checksums, "files": _files(folder, plan.slug),
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip


def _write_masked_answers(prepared: PreparedFolder, column: str, target: Path) -> None:
    """The answers with the scored-rows mask as one more column, ``column`` (1/0; the split's
    ``private/scored_rows.csv``, row for row), each value as the published file has it."""
    answers = pd.read_csv(prepared.existing_answers(), dtype=str, keep_default_na=False)
    mask = read_scored(prepared)
    if mask is None or len(mask) != len(answers):
        found = "none" if mask is None else f"{len(mask):,} rows for {len(answers):,} answers"
        raise DataRootFileError(f"{prepared.scored_rows}: the split's scored rows do not fit its answers ({found}); "
                                + rerun("competition_split", prepared.slug))  # fmt: skip
    answers[column] = mask.astype(int)
    answers.to_csv(target, index=False)


def _swap_in(folder: Path, slug: str, data: Path, competition: Path) -> None:
    """Move the staged folders to ``data/<slug>`` and ``competitions/<slug>``; the old ones go aside, then away. If a
    move fails, what was moved is moved back: the previous export stays whole."""
    retired = folder / STAGING / f".{slug}.retired"
    shutil.rmtree(retired, ignore_errors=True)
    retired.mkdir(parents=True)
    aside, placed = [], []
    try:
        for staged, final in ((data, folder / "data" / slug), (competition, folder / "competitions" / slug)):
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():
                final.rename(retired / final.parent.name)
                aside.append(final)
            staged.rename(final)
            placed.append(final)
    except OSError:
        for final in placed:
            shutil.rmtree(final, ignore_errors=True)
        for final in aside:
            (retired / final.parent.name).rename(final)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _remove_competition(folder: Path, slug: str) -> None:
    """Remove a competition this export holds (``slug`` is checked: never a path out of the export)."""
    for parent in (folder / "data", folder / "competitions"):
        shutil.rmtree(slug_folder(parent, slug), ignore_errors=True)


def _present(folder: Path, slug: str, entry: dict) -> bool:
    """The competition's folders hold every file its export.json entry lists, each of the size it was written with
    (a file deleted or truncated by hand makes the competition due again; contents are what ``verify_export``
    checks)."""
    files = entry.get("files")
    if not isinstance(files, dict) or not files:
        return False
    for name, size in files.items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != size:
            return False
    return True


def _files(folder: Path, slug: str) -> dict[str, int]:
    """Every file of the competition's export, relative to the export folder, with its size."""
    return {
        str(path.relative_to(folder)): path.stat().st_size
        for top in (folder / "data" / slug, folder / "competitions" / slug)
        for path in sorted(top.rglob("*"))
        if path.is_file()
    }


def _link_tree(source: Path, target: Path) -> None:
    """``target`` with every file of ``source`` (sub-folders too), each linked or copied (:func:`_link_file`)."""
    for path in sorted(source.rglob("*")):
        if path.is_file():
            _link_file(path, target / path.relative_to(source))


def _link_file(source: Path, target: Path) -> None:
    """A hard link to ``source`` at ``target``, or a copy where the file system cannot link (another device)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _md5s(folder: Path) -> dict[str, str]:
    """As MLE-bench's ``generate_checksums``: the files directly under ``folder`` with its extensions."""
    return {
        path.name: file_digest(path, "md5")
        for extension in CHECKSUM_EXTENSIONS
        for path in sorted(folder.glob(f"*.{extension}"))
        if path.is_file()
    }


LOCK = ".export.lock"  # also marks a folder as an export from its first run on (one interrupted before export.json)
STAGING = ".staging"
OURS = {MANIFEST, LOCK, STAGING, "data", "competitions", "splits"}  # what an export folder holds


def _check_ours(folder: Path) -> None:
    """``folder`` is new, empty, or an export (an earlier run's, or one interrupted before its export.json: only
    what an export holds); anything else is refused before anything is written there, so that nothing of the
    user's is ever replaced or removed."""
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder}: a file, not a folder; export into a new or empty folder")
    if not folder.is_dir():
        return
    others = sorted(p.name for p in folder.iterdir() if p.name not in OURS)
    if (folder / MANIFEST).is_file():
        _previous_export(folder)  # a damaged or foreign index is refused here
    elif others or ((folder / "data").exists() and not (folder / LOCK).is_file()):
        shown = ", ".join(others[:3]) or "data/"
        raise ExportError(
            f"{folder}: not empty and not an mlecurate export (no {MANIFEST}; it holds {shown}); export into a new "
            "or empty folder"
        )


def _previous_export(folder: Path) -> tuple[dict[str, dict], str | None]:
    """The competitions the export in ``folder`` holds (by its export.json) and the data root it was exported from;
    ({}, None) before the first run completed. An index that is not an mlecurate export's, or that names something
    that is not a competition slug, is refused, never acted on."""
    index = folder / MANIFEST
    if not index.is_file():
        return {}, None
    foreign = (
        f"{index}: not an mlecurate export index (or a damaged one); export into a new or empty folder, or restore "
        f"the file (`mlecurate export` writes it)"
    )
    try:
        document = read_json_file(index, "export into a new or empty folder")
    except DataRootFileError as error:
        raise ExportError(str(error)) from error
    competitions = document.get("competitions") if isinstance(document, dict) else None
    if not isinstance(competitions, dict) or document.get("format") != FORMAT:
        raise ExportError(foreign)
    for slug, entry in competitions.items():
        try:
            checked_slug(slug)
        except SlugError as error:
            raise ExportError(f"{foreign}: {error}") from error
        if not isinstance(entry, dict):
            raise ExportError(f"{foreign}: the entry of {slug} is not a record")
    exported_from = document.get("data_root")
    return competitions, exported_from if isinstance(exported_from, str) else None


@contextlib.contextmanager
def _export_lock(folder: Path):
    """One export at a time into ``folder`` (another one waiting would rewrite what this one writes)."""
    with open(folder / LOCK, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise ExportError(f"{folder}: another export into it is running; wait for it to end") from error
        yield


def _write_index(folder: Path, result: ExportResult, options: ExportOptions, origin: str) -> None:
    """The split lists and export.json, written last (atomically), from the competitions the export holds."""
    held = result.members
    lists = {"all": held} | {
        level: [slug for slug in held if result.competitions[slug].get("complexity") == level] for level in COMPLEXITIES
    }
    for name, slugs in lists.items():
        write_atomic(folder / "splits" / f"{name}.txt", "".join(f"{slug}\n" for slug in slugs))
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "mlecurate_version": mlecurate_version(),
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_root": origin,
        "options": {
            "complexity": options.complexity,
            "include_drift": options.include_drift,
            "include_unknown": options.include_unknown,
            "include_binary_ids": list(options.include_binary_ids),
        },
        "competitions": {slug: result.competitions[slug] for slug in held},
        "left_out": dict(sorted(result.left_out.items())),
        "failed": dict(sorted(result.failed.items())),
    }
    write_atomic(folder / MANIFEST, json.dumps(document, indent=2, default=str) + "\n")


def _answers_as_written(slug: str, answers_file: Path, grade_fn: str) -> list[str]:
    """The answers file graded as a submission as ``mlecurate grade`` reads files (every value text as written):
    MLE-bench's reading cannot tell a blank label from one pandas reads as missing (``null``), and takes both as the
    label ``nan``, so a label lost from the file shows only here."""
    from validation.grading import GradingReport, score_frame
    from validation.metrics import METRICS
    from validation.mlebench_grade import grader_parameters, split_scored

    parameters = grader_parameters(grade_fn)
    text, mask = split_scored(pd.read_csv(answers_file, dtype=str, keep_default_na=False), parameters.scored)
    report = GradingReport(slug, metric=parameters.metric)
    score_frame(text.copy(), text, parameters.keys, METRICS[parameters.metric], report, mask)
    if report.valid_submission:
        return []
    return [f"{slug}: its answers file, graded as a submission as `mlecurate grade` reads it, is invalid: "
            f"{'; '.join(report.errors[:5])}"]  # fmt: skip


def verify_export(folder: Path) -> dict[str, list[str]]:
    """Each competition of the export in ``folder`` checked as MLE-bench would use it, without MLE-bench: its files
    match ``checksums.yaml``, and the grader its ``config.yaml`` names, imported by that path, grades the answers
    (read as MLE-bench reads them) as a valid submission, with the metric's perfect score where it has one. The
    problems found, by slug ([] when none)."""
    from importlib import import_module

    from validation.metrics import METRICS
    from validation.mlebench_grade import grader_parameters

    found = {}
    index = read_json_file(folder / MANIFEST, f"run `mlecurate export {folder}` again")
    for slug in sorted(index.get("competitions", {})):
        problems = []
        competition, prepared = folder / "competitions" / slug, folder / "data" / slug / "prepared"
        try:
            config = yaml.safe_load((competition / "config.yaml").read_text(encoding="utf-8"))
            checksums = yaml.safe_load((competition / "checksums.yaml").read_text(encoding="utf-8"))
            for part in ("public", "private"):
                if _md5s(prepared / part) != checksums.get(part):
                    problems.append(f"{slug}: the files of prepared/{part} do not match checksums.yaml")
            module, _, name = config["grader"]["grade_fn"].partition(":")
            grade = getattr(import_module(module), name)
            answers_file = folder / "data" / config["dataset"]["answers"]
            answers = pd.read_csv(answers_file, float_precision="round_trip")
            scored = grader_parameters(name).scored  # the answers' mask column is no part of a submission
            score = grade(answers.drop(columns=[scored] if scored in answers.columns else []), answers)
            perfect = METRICS[config["grader"]["name"]].perfect
            if perfect is not None and abs(score - perfect) > 1e-9:
                problems.append(f"{slug}: its answers score {score} as a submission, not the perfect {perfect}")
            problems += _answers_as_written(slug, answers_file, name)
        except Exception as error:  # noqa: BLE001 - whatever goes wrong is what the check reports
            problems.append(f"{slug}: {type(error).__name__}: {error}")
        found[slug] = problems
    return found
