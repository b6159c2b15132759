"""Score parity for one prepared competition: gather what the parity report needs, run it, keep it.

>>> report = check_split_parity("titanic", root, store.for_competition("titanic"), facts, ParityTolerance(), sources)

The metric is resolved once (``validation.metrics.resolve_metric``: the recipe's, else Meta Kaggle's); the board is
the current leaderboard snapshot, else a local board file (MLECURATE_LEADERBOARDS); with ``late_submissions``, the
competition data's source scores the original test set (Kaggle: late submissions; other sources say they cannot). The report goes to ``prepared/<slug>/parity.json``.
"""

from __future__ import annotations

import json

import pandas as pd

from curation.annotations import Annotation
from curation.curated import split_recipe_for
from curation.leaderboard_history import current_board
from curation.sources import NoLeaderboardError, NotProvided, Source, Sources
from curation.sources.kaggle_client import KaggleError, LateSubmissionRefusedError
from validation.data_root import DataRoot, PreparedFolder, write_atomic
from validation.metrics import resolve_metric
from validation.parity import OriginalScoreUnavailable, ParityReport, ParityTolerance, parity_report
from validation.parity_inputs import ParityInputError, load_parity_inputs
from validation.split_recipe import RecipeError, parse_recipe, recipe_files


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
        raise ParityError(f"{slug}: no metric mlecurate can grade ({facts.get('evaluation_algorithm_name')}); "
                          "name one in the split recipe (key metric)")  # fmt: skip
    board = current_board(root.leaderboards(slug))
    if board is None and sources.local_leaderboards is not None:
        try:
            board = sources.local_leaderboards.leaderboard(slug, root.leaderboards(slug).downloads).board
        except NoLeaderboardError:
            board = None
    prepared = root.prepared(slug)
    try:
        inputs = load_parity_inputs(prepared, root.raw(slug).files, document, metric, board, slug=slug)
    except ParityInputError as error:
        raise ParityError(f"{error} (the split recipe of {curators}; fix it with `mlecurate annotate {slug} "
                          f"--curator NAME --split-recipe FILE.yaml`)") from error  # fmt: skip
    scorer = _original_test_scorer(sources.competition_data, slug, prepared) if late_submissions else None
    report = parity_report(inputs, tolerance, kaggle_scorer=scorer)
    write_atomic(prepared.parity, json.dumps({"slug": slug, **report.to_dict()}, indent=2) + "\n")
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
