"""``split_parity``: is each reconstructed test set a faithful stand-in for the original one?"""

import json

import dagster as dg
import pandas as pd
from pydantic import Field

from assets.leaderboards import leaderboards_root
from assets.metadata import markdown_table
from assets.partitions import curated_competition_partitions
from assets.resources import AnnotationStoreResource, CompetitionDataResource, WarehouseResource
from curation.competition_data import split_recipe_for
from curation.kaggle_client import KaggleClient, KaggleError, LateSubmissionRefusedError
from curation.leaderboards import current_board
from curation.paths import write_atomic
from validation.data_files import literal
from validation.medals import Leaderboard
from validation.metrics import METRICS, canonical_metric
from validation.parity import OriginalScoreUnavailable, ParityTolerance, load_parity_inputs, parity_report

PARITY_FILE = "parity.json"


class ParityConfig(dg.Config):
    score_tolerance: float = Field(0.03, description="How far the baseline's score may move between test sets.")
    adversarial_auc_tolerance: float = Field(0.6, description="Above this AUC the two test sets are told apart.")
    kaggle_late_submissions: bool = Field(
        False,
        description="Without released labels, score the sample and the baseline on Kaggle's original test set as late "
        "submissions (they count against the account's daily limit; Kaggle data sources only).",
    )


@dg.asset(
    group_name="competition_data",
    kinds={"sklearn", "duckdb"},
    partitions_def=curated_competition_partitions,
    deps=["competition_split"],
    check_specs=[
        dg.AssetCheckSpec(
            "scores_agree",
            asset="split_parity",
            description="The verdict is parity: scores (or, without labels, features) agree.",
        ),
        dg.AssetCheckSpec(
            "sample_earns_no_medal",
            asset="split_parity",
            description="The sample submission earns no medal on the real leaderboard.",
        ),
    ],  # fmt: skip
)
def split_parity(
    context: dg.AssetExecutionContext,
    config: ParityConfig,
    competition_data: CompetitionDataResource,
    annotation_store: AnnotationStoreResource,
    warehouse: WarehouseResource,
):
    """Evidence that the new test set scores like the original: the sample submission and a deterministic baseline
    (linear model on TF-IDF, numeric and one-hot features, trained on the new train set) scored on the new test set
    with bootstrap 95% intervals; the same on the original test set where Kaggle released its labels; column-by-column
    and classifier-based comparison of the original and new test features; and the sample submission's place on the
    real leaderboard. Verdict parity, drift or unknown, with the numbers and tolerance that decided it. Written to
    prepared/<slug>/parity.json and the view validation.parity.
    """
    slug = context.partition_key
    document, _ = split_recipe_for(slug, annotation_store.get().for_competition(slug))
    metric = document.get("metric") or canonical_metric(
        warehouse.get().competition(slug).get("evaluation_algorithm_name")
    )
    if metric not in METRICS:
        raise dg.Failure(f"{slug}: no metric mlecurate can grade ({metric}); name one in the split recipe (key metric)")
    board = current_board(leaderboards_root(), slug)  # the current snapshot, else an MLE-bench board file
    board_file = competition_data.leaderboard_file(slug)
    if board is None and board_file:
        board = Leaderboard.from_mlebench_csv(board_file)
    scores = board.scores if board is not None else None
    prepared = competition_data.prepared_root() / slug
    inputs = load_parity_inputs(prepared, competition_data.raw_root() / slug / "files", document, metric, scores)
    client = competition_data.kaggle_client() if config.kaggle_late_submissions else None
    scorer = _kaggle_scorer(client, slug, prepared) if client is not None else None
    tolerance = ParityTolerance(config.score_tolerance, config.adversarial_auc_tolerance)
    report = parity_report(inputs, tolerance, kaggle_scorer=scorer)
    write_atomic(prepared / PARITY_FILE, json.dumps({"slug": slug, **report.to_dict()}, indent=2) + "\n")
    _refresh_parity_view(warehouse, competition_data)
    rows = pd.DataFrame(report.rows)
    medal = (
        "no leaderboard configured (MLECURATE_LEADERBOARDS)" if report.sample_medal is None
        else f"sample submission ranks {report.sample_rank} on the leaderboard: {'a medal' if report.sample_medal else 'no medal'}"
    )  # fmt: skip
    yield dg.MaterializeResult(
        metadata={
            "verdict": report.verdict,
            "reason": report.reason,
            "metric": metric,
            "scores": markdown_table(rows),
            "intervals": dg.MetadataValue.md(_interval_plot(rows)),
            "columns": markdown_table(pd.DataFrame(report.columns)) if report.columns else "no original test features",
            "adversarial_auc": report.adversarial_auc if report.adversarial_auc is not None else "not measured",
            "leaderboard": medal,
            "notes": "; ".join(report.notes) or "none",
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="scores_agree",
                passed=report.verdict == "parity",
                severity=dg.AssetCheckSeverity.WARN,
                description=f"{report.verdict}: {report.reason}",
            ),
            dg.AssetCheckResult(check_name="sample_earns_no_medal", passed=not report.sample_medal, description=medal),
        ],  # fmt: skip
    )


def _kaggle_scorer(client: KaggleClient, slug: str, prepared):
    """Score a submission frame on Kaggle's original test set through a late submission."""

    def score(name: str, frame: pd.DataFrame) -> float:
        path = prepared / f".kaggle-{name.replace(' ', '-')}.csv"
        frame.to_csv(path, index=False)
        try:
            private, _ = client.score_late_submission(slug, path, f"mlecurate parity check: {name}")
        except LateSubmissionRefusedError as error:
            raise OriginalScoreUnavailable(f"late submissions refused: {error}") from error
        except KaggleError as error:
            raise OriginalScoreUnavailable(f"Kaggle could not score the {name}: {error}") from error
        finally:
            path.unlink(missing_ok=True)
        return private

    return score


def _interval_plot(rows: pd.DataFrame, width: int = 40) -> str:
    """Each score with its 95% interval on one shared axis, as text (the UI renders it in a code block)."""
    low, high = float(rows[["low", "score"]].min().min()), float(rows[["high", "score"]].max().max())
    span = (high - low) or 1.0
    lines = [f"{'':34} {low:<10.4f}{'':{width - 20}}{high:>10.4f}"]
    for row in rows.itertuples():
        cells = [" "] * (width + 1)
        if pd.notna(row.low) and pd.notna(row.high):  # no interval when no resample could be scored
            a, b = (round((v - low) / span * width) for v in (row.low, row.high))
            for i in range(a, b + 1):
                cells[i] = "-"
        cells[round((row.score - low) / span * width)] = "o"
        lines.append(f"{row.submission + ' / ' + row.test_set:34} |{''.join(cells)}| {row.score:.5f}")
    return "```\n" + "\n".join(lines) + "\n```"


def _refresh_parity_view(warehouse: WarehouseResource, competition_data: CompetitionDataResource) -> None:
    files = literal(str(competition_data.prepared_root() / "*" / PARITY_FILE))
    warehouse.get().replace_views({
        "validation.parity": f"""SELECT p.slug, p.metric, p.verdict, p.reason, p.adversarial_auc, p.sample_medal,
                                        r.submission, r.test_set, r.rows, r.score, r.low, r.high
                                 FROM read_json({files}, union_by_name = true) AS p, unnest(p.rows) AS t(r)"""
    })  # fmt: skip
