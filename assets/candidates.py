"""``candidate_competitions``: every competition screened by the candidate rules, with the funnel."""

from dataclasses import replace
from datetime import UTC, datetime

import dagster as dg
import pandas as pd
from pydantic import Field

from assets.metadata import counts_table, markdown_table
from assets.pictures import picture_metadata
from assets.resources import StorageResource
from curation.candidate_rules import CandidateRules, screen_candidates
from curation.complexity_prior import CandidateSuggestions
from curation.mirror import catalogue
from curation.plots import funnel_plot
from validation.data_root import CANDIDATES


class CandidateRulesConfig(dg.Config):
    """The candidate rules; defaults are the documented ones (see curation/candidate_rules.py)."""

    drop_community: bool = Field(True, description="Drop Community (ex-InClass) competitions, as MLE-bench did.")
    require_completed: bool = Field(True, description="Keep only competitions whose deadline has passed.")
    as_of: str = Field("", description="ISO date a competition must have closed by to count as completed (empty: the "
                       "time of the run, shown in the materialisation's rules).")  # fmt: skip
    require_leaderboard: bool = Field(True, description="Keep only competitions with a leaderboard.")
    min_teams: int = Field(50, description="Minimum number of teams (0: no minimum). MLE-bench's smallest had 50.")
    require_known_metric: bool = Field(True, description="Keep only competitions whose metric mlecurate grades.")
    drop_code_competitions: bool = Field(False, description="Drop notebook-only (code) competitions.")

    def rules(self) -> CandidateRules:
        fields = self.model_dump()
        fields["as_of"] = datetime.fromisoformat(self.as_of) if self.as_of else None
        return CandidateRules(**fields)


@dg.asset(group_name="curation", kinds={"duckdb"}, deps=["meta_kaggle_competitions"])
def candidate_competitions(
    context: dg.AssetExecutionContext, config: CandidateRulesConfig, storage: StorageResource
) -> dg.MaterializeResult:
    """Every Meta Kaggle competition with is_candidate and, when excluded, the first rule it fails and why.

    Rules run in order (drop Community, completed, has a leaderboard, enough teams, a metric mlecurate grades, and
    optionally no code competitions); they are run config with documented defaults. The rules propose: a curator's
    explicit include still wins downstream. Table curation.candidates; the funnel is in the metadata.

    Each competition also gets a suggested complexity (suggested_complexity, suggested_complexity_probability,
    suggested_complexity_reason): a model trained on the complexities curators already agreed on (curation.complexity_prior),
    read from the annotation store, the leaderboard snapshots and the download records as they are at the run. It
    suggests; curators decide. With too few annotated competitions it suggests nothing, and the metadata says why.
    """
    rules = config.rules()
    if rules.as_of is None:  # "now", pinned so the metadata can say which moment it was
        rules = replace(rules, as_of=datetime.now(UTC).replace(microsecond=0))
    # The suggestion reads every competition's leaderboard and download record, and the annotations (pulled from an
    # s3:// home with the other small files).
    with storage.synced(reads=catalogue(storage.root()), tables=[CANDIDATES]):
        suggestions = CandidateSuggestions(storage.root(), storage.annotation_store().all())
        screening, rows = screen_candidates(storage.warehouse(), rules, add_columns=suggestions)
    candidates = screening.candidates[screening.candidates["is_candidate"]]
    context.log.info(f"{len(candidates):,} candidates of {rows:,} competitions")
    prior = suggestions.prior
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "table": CANDIDATES,
            "candidates": len(candidates),
            "funnel_chart": picture_metadata(context.instance, funnel_plot(screening.funnel)),
            "funnel": funnel_table(screening.funnel),
            "rule_descriptions": markdown_table(screening.funnel[["rule", "description"]]),
            "excluded_by_rule": counts_table(screening.candidates["exclusion_reason"].dropna(), "rule"),
            "candidates_by_segment": counts_table(candidates["host_segment"], "segment"),
            "candidates_by_metric": counts_table(candidates["metric"], "metric"),
            "rules": dg.MetadataValue.json(rules_shown(config, rules.as_of)),
            "complexity_prior": prior.reason
            or f"trained on {len(prior.labels)} annotated competitions "
            f"({', '.join(f'{n} {level}' for level, n in prior.labels.value_counts().items())}) over "
            f"{len(prior.features)} features",
            "suggestions": counts_table(candidates["suggested_complexity"], "level", missing="(no suggestion)"),
        }
    )


def funnel_table(funnel: pd.DataFrame) -> dg.MarkdownMetadataValue:
    """The funnel as numbers (the picture beside it, `funnel_chart`, draws what each rule removed)."""
    columns = ["rule", "excluded", "remaining"]  # the rules' texts are in `rule_descriptions`: one table fits 1600 px
    return markdown_table(funnel[columns])


def rules_shown(config: CandidateRulesConfig, as_of: datetime) -> dict:
    """The run config as the metadata shows it: an empty ``as_of`` is the time of the run, and says so."""
    shown = config.model_dump()
    shown["as_of"] = (
        as_of.isoformat() if config.as_of else f"{as_of.isoformat()} (the time of the run: as_of was empty)"
    )
    return shown
