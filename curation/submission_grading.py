"""Grade a submission against a prepared competition, deciding what the grader needs: the metric and the board.

>>> report = grade_prepared("titanic", Path("submission.csv"), root, warehouse, metric_override=None,
...                         leaderboard_file=None)

The metric is resolved once (``validation.metrics.resolve_metric``: the override, else the split recipe's in the
prepared split's manifest, else Meta Kaggle's); the board is the given leaderboard file, else the competition's
current leaderboard snapshot, else none (no medal fields). A competition that cannot be graded at all (no prepared
split, no metric) raises :class:`GradingUnavailable`; a bad submission never raises, it gets an invalid report.
"""

from __future__ import annotations

from pathlib import Path

from curation.curated import FROM_META_KAGGLE, curated_slugs
from curation.leaderboard_history import current_board
from curation.split_parity import metric_against_kaggle
from curation.stage_status import NOT_RUN, data_status, partition_command, split_status
from curation.warehouse import Warehouse
from validation.data_root import DataRoot, PreparedFolder
from validation.gradable_answers import CHECK_RECIPE_KEYS, UngradableAnswers, check_answers_for
from validation.grading import GradingReport, grade_submission
from validation.leaderboard import read_leaderboard
from validation.metrics import (
    METRICS,
    SAME_SCORE,
    UnknownMetricError,
    canonical_metric,
    find_metric,
    recipe_metric_against_kaggle,
    resolve_metric,
)


class GradingUnavailable(ValueError):
    """The competition cannot be graded (no prepared split, no metric); the message says what to do with
    ``mlecurate grade``, ``reason`` only why (for callers with other remedies, such as the export)."""

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = reason or message


def grade_prepared(
    slug: str,
    submission: Path,
    root: DataRoot,
    warehouse: Warehouse,
    metric_override: str | None,
    leaderboard_file: Path | None,
) -> GradingReport:
    """Grade ``submission`` against ``slug``'s prepared split. A malformed ``leaderboard_file`` raises
    ``validation.leaderboard.LeaderboardError``."""
    prepared = root.prepared(slug)
    if not prepared.manifest.is_file():
        curated = curated_slugs(warehouse)
        if curated is not None and slug not in curated:  # a mistyped slug: preparing it would be refused too
            raise GradingUnavailable(
                f"{slug}: no prepared split at {prepared.path}, and not a curated competition (`mlecurate curated "
                "--slugs` lists them)"
            )
        data, split = data_status(slug, root), split_status(slug, root)
        failed = [f"its data: {data}"] if data != NOT_RUN and not data.startswith("downloaded") else []
        failed += [f"its split: {split}"] if split.startswith("failed") else []
        if failed:  # the same run again would fail the same way (a newcomer's sweep): say what failed
            raise GradingUnavailable(
                f"{slug}: no prepared split at {prepared.path}; {'; '.join(failed)}. Mend that, then "
                f"{partition_command('prepare_competition', slug)}"
            )
        raise GradingUnavailable(
            f"{slug}: no prepared split at {prepared.path}; first {partition_command('prepare_competition', slug)}"
        )
    recipe = prepared.read_manifest()["recipe"]
    metric = grading_metric(slug, recipe, warehouse, metric_override)
    if submission.is_file():  # a missing one is an invalid report, whatever the answers
        check_answers_gradable(slug, prepared, metric)
    facts = warehouse.competition(slug)
    own = _own_metrics(recipe, facts)
    overridden = metric_override is not None and not own  # sweep 188: rsna's --metric auc took gold on a pF1 board
    other = not leaderboard_file and (overridden or bool(own) and not any(_same_score(metric, one) for one in own))
    board = read_leaderboard(leaderboard_file) if leaderboard_file else current_board(root.leaderboards(slug))
    placed = board is not None and not other and not leaderboard_file
    agrees, found, _ = metric_against_kaggle(slug, [], facts, {"metric": metric}) if placed else (True, "", "")
    wrong_way = _runs_the_other_way(board, metric, facts) if placed else None
    report = grade_submission(submission, prepared, metric, None if other or wrong_way else board, competition_id=slug)
    if other and board is not None:  # a newcomer's RMSLE override earned gold on RMSE thresholds
        report.notes.append(
            f"no medal thresholds, medals or rank: {slug}'s leaderboard snapshot holds scores of "
            f"{_board_metric(own, facts)}, not of {metric}; give --leaderboard with {metric} scores to place it"
        )
    elif wrong_way:  # a sweep's osic: MAE standing in for a log likelihood crashed, the board sorted higher first
        report.notes.append(
            f"no medal thresholds, medals or rank: {slug}'s leaderboard snapshot is ranked the other way ({wrong_way}); "
            f"give --leaderboard with {metric} scores to place it"
        )
    elif placed and not agrees:  # a sweep's osic: Pearson's 0 standing in for a log likelihood took gold unsaid
        report.notes.append(f"medals and rank compare {metric} scores with {slug}'s leaderboard snapshot: {found}")
    elif board is None:  # a newcomer read gold_medal: false beside a perfect score, and nothing said why
        report.notes.append(
            f"no leaderboard snapshot of {slug}, so no medal thresholds, medals or rank: "
            f"{partition_command('refresh_leaderboards', slug)}, or give --leaderboard"
        )
    return report


def _own_metrics(recipe: dict, facts: dict) -> list[str]:
    """The metrics the competition's leaderboard scores may be of: the one it is graded with (the split recipe's,
    else Meta Kaggle's), and Meta Kaggle's (the board is Kaggle's); [] when neither is known."""
    kaggles = canonical_metric(facts.get("evaluation_algorithm_name"))
    return list(dict.fromkeys(m for m in (recipe.get("metric") or kaggles, kaggles) if m))


def _board_metric(own: list[str], facts: dict) -> str:
    """What a note says the snapshot's scores are of: Kaggle's metric as Meta Kaggle (or a listing) names it where the
    registry does not grade it, with what the recipe's is to it, else the registry's names. A curated row outside the
    dump whose metric came from the recipe names no Kaggle metric (review 176: "Meta Kaggle's accuracy")."""
    name, origin = facts.get("evaluation_algorithm_name"), facts.get("facts_from")
    by = "Meta Kaggle" if origin in (None, FROM_META_KAGGLE) else "Kaggle" if "listing" in origin else None
    if not own:  # no metric of the recipe's, Kaggle's not graded here: the board is Kaggle's metric's
        return f"{by or 'Kaggle'}'s {name}" if name else "the competition's own metric"
    if not name or by is None or find_metric(name) is not None:
        return " or ".join(own)
    agrees = recipe_metric_against_kaggle(own[0], name, None, by)[0]
    return f"{by}'s {name} (the recipe's {own[0]} {'is' if agrees else 'stands in for'} it)"


def _runs_the_other_way(board, metric: str, facts: dict) -> str | None:
    """Why ``metric`` runs against the snapshot (its thresholds would be its worst scores), where Meta Kaggle's
    EvaluationAlgorithmIsMax or the board's own order says the other end is better; None where neither does."""
    higher = METRICS[metric].higher_is_better
    runs = f"{metric} is better {'higher' if higher else 'lower'}"
    is_max, order = facts.get("evaluation_algorithm_is_max"), board.order_direction()
    if is_max is not None and bool(is_max) != higher:
        return f"Meta Kaggle's EvaluationAlgorithmIsMax says {'higher' if is_max else 'lower'} is better, and {runs}"
    if order is not None and order != higher:
        return f"the board is sorted {'higher' if order else 'lower'} first, and {runs}"
    return None


def _same_score(one: str, other: str) -> bool:
    """Whether two metrics give a competition the same score: ``validation.metrics.SAME_SCORE``'s pairs, each of
    which holds for the answers' layout alone (not through a third metric: log loss is multi-class log loss for two
    classes and column-wise log loss for one column, which are not one another)."""
    return one == other or frozenset((one, other)) in SAME_SCORE


def check_answers_gradable(slug: str, prepared: PreparedFolder, metric: str) -> None:
    """:class:`GradingUnavailable` when ``metric`` is not the one the published split's answers were checked for (an
    override, or Meta Kaggle's metric known only since) and cannot grade them: AUC's answers must be 0 or 1, ..."""
    manifest = prepared.read_manifest()
    checked = manifest["recipe"].get("metric") or manifest.get("metric")  # older splits recorded only the recipe's
    if metric == checked:
        return
    try:
        check_answers_for(prepared, slug, metric)
    except UngradableAnswers as error:  # the split recipe's keys are not what is wrong: the metric is
        said = str(error).removesuffix(CHECK_RECIPE_KEYS)
        reason = f"{said} (the split's answers were checked for {checked or 'no metric'}, not {metric})"
        raise GradingUnavailable(f"{reason}; grade with a metric that fits them (--metric)", reason) from None


def grading_metric(slug: str, recipe: dict, warehouse: Warehouse, metric_override: str | None = None) -> str:
    """The metric ``slug`` is graded with (the override, else the published split recipe's, else Meta Kaggle's);
    :class:`GradingUnavailable` when there is none mlecurate can grade."""
    meta_kaggle_metric = warehouse.competition(slug).get("evaluation_algorithm_name")
    try:
        metric = resolve_metric(metric_override, recipe, meta_kaggle_metric)
    except UnknownMetricError as error:
        raise GradingUnavailable(f"{slug}: {error}") from error
    if metric is None:
        named = f"Meta Kaggle names {meta_kaggle_metric!r}" if meta_kaggle_metric else "Meta Kaggle names none"
        reason = f"{slug}: no metric mlecurate can grade ({named})"
        raise GradingUnavailable(f"{reason}; give --metric, one of {', '.join(sorted(METRICS))}", reason)
    return metric
