"""``split_parity``: is each reconstructed test set a faithful stand-in for the original one?"""

import dagster as dg
import pandas as pd
from pydantic import Field

from assets.checks import check_specs, severity
from assets.metadata import markdown_table
from assets.partitions import curated_competition_partitions
from assets.resources import SourcesResource, StorageResource
from curation.split_parity import ParityError, check_split_parity
from curation.stage_status import PARITY, recorded_stage
from validation.checks import Check
from validation.parity import ParityTolerance

SCORES_AGREE = Check("scores_agree", "The verdict is parity: scores (or, without labels, features) agree.",
                     severity="warning")  # fmt: skip
ALL_TARGETS = "all"  # the target shown for the metric's own score (every target, combined)
SAMPLE_EARNS_NO_MEDAL = Check("sample_earns_no_medal",
                              "The sample submission earns no medal on the real leaderboard.")  # fmt: skip


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
    check_specs=check_specs("split_parity", (SCORES_AGREE, SAMPLE_EARNS_NO_MEDAL)),
)
def split_parity(
    context: dg.AssetExecutionContext,
    config: ParityConfig,
    sources: SourcesResource,
    storage: StorageResource,
):
    """Evidence that the new test set scores like the original: the sample submission and a deterministic baseline
    (linear model on TF-IDF, numeric and one-hot features, trained on the new train set) scored on the new test set
    with bootstrap 95% intervals; the same on the original test set where Kaggle released its labels; column-by-column
    and classifier-based comparison of the original and new test features; and the sample submission's place on the
    real leaderboard. Verdict parity, drift or unknown, with the numbers and tolerance that decided it. Written to
    prepared/<slug>/parity.json and the view validation.parity.
    """
    slug = context.partition_key
    root, warehouse = storage.root(), storage.warehouse()
    tolerance = ParityTolerance(config.score_tolerance, config.adversarial_auc_tolerance)
    with recorded_stage(root, slug, PARITY):  # any failure is kept for `mlecurate curated`, then raised
        try:
            report = check_split_parity(
                slug, root, storage.annotation_store().for_competition(slug), warehouse.competition(slug), tolerance,
                sources.get(), late_submissions=config.kaggle_late_submissions,
            )  # fmt: skip
        except ParityError as error:
            raise dg.Failure(str(error)) from error
    warehouse.refresh_views(root)
    metric = report.metric
    rows = pd.DataFrame(report.rows)
    if "target" in rows:  # None: the metric's own score over every target
        rows["target"] = rows["target"].fillna(ALL_TARGETS)
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
            "excluded_columns": (
                markdown_table(pd.DataFrame(report.excluded_columns)) if report.excluded_columns else "none"
            ),
            "adversarial_auc": report.adversarial_auc if report.adversarial_auc is not None else "not measured",
            "leaderboard": medal,
            "notes": "; ".join(report.notes) or "none",
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=SCORES_AGREE.name,
                passed=report.verdict == "parity",
                severity=severity(SCORES_AGREE),
                description=f"{report.verdict}: {report.reason}",
            ),
            dg.AssetCheckResult(
                check_name=SAMPLE_EARNS_NO_MEDAL.name,
                passed=not report.sample_medal,
                severity=severity(SAMPLE_EARNS_NO_MEDAL),
                description=medal,
            ),
        ],  # fmt: skip
    )


def _interval_plot(rows: pd.DataFrame, width: int = 40) -> str:
    """Each score with its 95% interval on one shared axis, as text (the UI renders it in a code block); a row
    per target of a column-wise metric too, and none for a score that could not be computed."""
    rows = rows[rows["score"].notna()]
    if rows.empty:
        return "no scores"
    low, high = float(rows[["low", "score"]].min().min()), float(rows[["high", "score"]].max().max())
    span = (high - low) or 1.0
    labels = [
        f"{r.submission} / {r.test_set}"
        + (f" / {r.target}" if getattr(r, "target", ALL_TARGETS) != ALL_TARGETS else "")
        for r in rows.itertuples()
    ]
    pad = max(34, *map(len, labels))
    lines = [f"{'':{pad}} {low:<10.4f}{'':{width - 20}}{high:>10.4f}"]
    for label, row in zip(labels, rows.itertuples(), strict=True):
        cells = [" "] * (width + 1)
        if pd.notna(row.low) and pd.notna(row.high):  # no interval when no resample could be scored
            a, b = (round((v - low) / span * width) for v in (row.low, row.high))
            for i in range(a, b + 1):
                cells[i] = "-"
        cells[round((row.score - low) / span * width)] = "o"
        lines.append(f"{label:{pad}} |{''.join(cells)}| {row.score:.5f}")
    return "```\n" + "\n".join(lines) + "\n```"
