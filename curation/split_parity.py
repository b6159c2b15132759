"""Score parity for one prepared competition: gather what the parity report needs, run it, keep it.

>>> report = check_split_parity("titanic", root, store.for_competition("titanic"), facts, ParityTolerance(), sources)

The metric is resolved once (``validation.metrics.resolve_metric``: the recipe's, else Meta Kaggle's); the board is
the current leaderboard snapshot, else a local board file (MLECURATE_LEADERBOARDS); with ``late_submissions``, the
competition data's source scores the original test set (Kaggle: late submissions; other sources say they cannot).
The report goes to ``prepared/<slug>/parity.json``.

Nothing is redone that has not changed: the report records the fingerprint of its inputs (:func:`parity_inputs`:
the published split's own inputs version, the metric, the tolerances, the leaderboard's content, whether Kaggle
scored the original test set and from which source, the code version). The same fingerprint again reads the report
back instead of measuring (``report.reused``); parity.json is not written.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd

from curation.annotations import Annotation
from curation.curated import FROM_META_KAGGLE, split_recipe_for
from curation.leaderboard_history import current_board
from curation.sources import NoLeaderboardError, NotProvided, Source, Sources
from curation.sources.kaggle_client import KaggleError, LateSubmissionRefusedError
from validation.data_root import DataRoot, PreparedFolder, recorded_json, write_atomic
from validation.leaderboard import Leaderboard
from validation.metrics import recipe_metric_against_kaggle, resolve_metric, similar_metrics
from validation.parity import OriginalScoreUnavailable, ParityReport, ParityTolerance, parity_report
from validation.parity_inputs import ParityInputError, load_parity_inputs
from validation.split_recipe import RecipeError, parse_recipe, recipe_files
from validation.versions import code_version, fingerprint


class ParityError(ValueError):
    """Parity cannot be measured for this competition; the message says what to add (a recipe mistake names the
    recipe key, the curators whose recipe it is, and what exists)."""


def check_split_parity(
    slug: str,
    root: DataRoot,
    annotations: list[Annotation],
    facts: dict,
    tolerance: ParityTolerance,
    sources: Sources,
    late_submissions: bool = False,
) -> ParityReport:
    """Measure parity for ``slug``'s published split and write its report; return it.

    The recipe is validated again here, whoever built ``annotations``, and every file it names must be inside the
    competition's download: parity never reads a file outside the data root."""
    document, curators = split_recipe_for(slug, annotations)
    where = f"{slug} (the split recipe of {curators})"
    try:
        recipe_files(parse_recipe(document, where), root.raw(slug).files, where)
    except RecipeError as error:
        raise ParityError(str(error)) from None
    metric = resolve_metric(None, document, facts.get("evaluation_algorithm_name"))
    if metric is None:
        named = facts.get("evaluation_algorithm_name")
        near = similar_metrics(named)
        hint = f" (the nearest names in the registry: {', '.join(near)}; check what each grades)" if near else ""
        raise ParityError(f"{slug}: no metric mlecurate can grade ({named}); name one in the split recipe (key "
                          f"metric){hint}")  # fmt: skip
    board = current_board(root.leaderboards(slug))
    if board is None and sources.local_leaderboards is not None:
        try:
            board = sources.local_leaderboards.leaderboard(slug, root.leaderboards(slug).downloads).board
        except NoLeaderboardError:
            board = None
    prepared = root.prepared(slug)
    version = _inputs_version(
        prepared, document, metric, tolerance, board, late_submissions, sources.competition_data.name
    )
    earlier = _earlier_report(prepared, version)
    if earlier is not None:
        return earlier
    try:
        inputs = load_parity_inputs(prepared, root.raw(slug).files, document, metric, board, slug=slug)
    except ParityInputError as error:
        raise ParityError(f"{error} (the split recipe of {curators}; fix it with `mlecurate annotate {slug} "
                          f"--curator NAME --split-recipe FILE.yaml`)") from error  # fmt: skip
    scorer = _original_test_scorer(sources.competition_data, slug, prepared) if late_submissions else None
    report = parity_report(inputs, tolerance, kaggle_scorer=scorer)
    # A report whose original-test score Kaggle could not give (a network error, the daily limit, no credentials)
    # is not kept for reuse: running again is how a person retries.
    kaggle = (report.score_row("baseline", "original test (Kaggle)") or {}).get("score")
    report.inputs_version = None if late_submissions and kaggle is None else version
    write_atomic(prepared.parity, json.dumps({"slug": slug, **report.to_dict()}, indent=2) + "\n")
    return report


def metric_against_kaggle(
    slug: str, annotations: list[Annotation], facts: dict, recipe: dict | None = None
) -> tuple[bool, str, str]:
    """Whether the split recipe's metric is the one Kaggle ranked the leaderboard by
    (:func:`validation.metrics.recipe_metric_against_kaggle`), what was found, and Kaggle's metric as named and by
    whom. Kaggle's metric is Meta Kaggle's, or a Kaggle listing's for a competition outside the dump; a curated row
    whose metric came from the recipe itself names none to compare with. ``recipe``: the one to judge (a published
    split's), else the curators' current one."""
    if recipe is None:
        recipe, _ = split_recipe_for(slug, annotations)
    name, by = facts.get("evaluation_algorithm_name"), metric_namer(facts)
    is_max = facts.get("evaluation_algorithm_is_max") if by == "Meta Kaggle" else None
    if by is None:  # the curated row's metric is the recipe's own
        by, name = "", None
    agrees, found = recipe_metric_against_kaggle(recipe.get("metric"), name, is_max, by)
    return agrees, found, f"{name} ({by})" if name else "none independent of the recipe"


def metric_namer(facts: dict) -> str | None:
    """Who names a competition's metric in its facts: "Meta Kaggle", a listing ("the kaggle listing" for a member
    outside the dump), or None where the curated row's metric is the split recipe's own."""
    origin = facts.get("facts_from")
    if not isinstance(origin, str) or origin == FROM_META_KAGGLE:  # none (a bare facts mapping), or a missing cell
        return "Meta Kaggle"
    return f"the {origin.split(' + ')[0]}" if "listing" in origin else None


def parity_code_version() -> str:
    """What the parity asset declares as its code version: its code's and what it uses (any edit is new)."""
    return code_version("curation.split_parity", "curation.leaderboard_history", "validation")


def _inputs_version(
    prepared: PreparedFolder,
    recipe: dict,
    metric: str,
    tolerance: ParityTolerance,
    board: Leaderboard | None,
    late: bool,
    source: str,
) -> str | None:
    """The fingerprint of what parity is a function of; None when the published split records no inputs version
    (a split built before versions were recorded), so the report is measured."""
    split_version = (recorded_json(prepared.manifest) or {}).get("inputs_version")
    if not split_version:
        return None
    board_digest = None if board is None else hashlib.sha256(board.teams.to_csv(index=False).encode()).hexdigest()
    return fingerprint({
        "split": split_version, "recipe": recipe, "metric": metric,
        "tolerance": [tolerance.score, tolerance.adversarial_auc, tolerance.significance],
        "board": board_digest, "kaggle_scores_original": late, "source": source, "code": parity_code_version(),
    })  # fmt: skip


def _earlier_report(prepared: PreparedFolder, version: str | None) -> ParityReport | None:
    """The report already written for inputs ``version``, read back; None when there is none to reuse."""
    if version is None:
        return None
    document = recorded_json(prepared.parity)
    if document is None or document.get("inputs_version") != version:
        return None
    report = ParityReport.from_dict(document)
    report.reused = True
    return report


def _original_test_scorer(source: Source, slug: str, prepared: PreparedFolder):
    """Score a submission frame on the original test set through the source (Kaggle: a late submission)."""

    def score(name: str, frame: pd.DataFrame) -> float:
        path = prepared.submission_upload(name)
        frame.to_csv(path, index=False)
        try:
            return source.score_submission(slug, path, f"mlecurate parity check: {name}")
        except LateSubmissionRefusedError as error:
            raise OriginalScoreUnavailable(f"late submissions refused: {error}") from error
        except KaggleError as error:
            raise OriginalScoreUnavailable(f"Kaggle could not score the {name}: {error}") from error
        except NotProvided as error:
            raise OriginalScoreUnavailable(str(error)) from error
        finally:
            path.unlink(missing_ok=True)

    return score
