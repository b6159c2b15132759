"""The demo curators' annotations: what ``mlecurate demo-annotations`` writes for the demo Meta Kaggle.

>>> demo_annotations()   # ada and grace: includes with split recipes, excludes, disagreements, an override

Two made-up curators annotate the demo's eligible competitions; every included one gets the split recipe that fits
the demo's generated data for its metric (``curation.sources.demo_data``), so that the demo runs end to end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from curation.sources.demo_data import demo_split_recipe
from curation.sources.demo_meta_kaggle import LAUNCHED_AFTER_THE_DUMP, demo_catalogue, demo_data_metrics, demo_rows
from validation.metrics import canonical_metric

CATEGORIES = {
    "auc": "Tabular", "rmse": "Tabular", "accuracy": "Image Classification", "log_loss": "Text Classification",
    "mae": "Forecasting", "rmsle": "Forecasting", "multiclass_log_loss": "Text Classification",
    "map_at_k": "Image (Other)", "f1_macro": "Text Classification", "quadratic_weighted_kappa": "Image Classification",
}  # fmt: skip


@dataclass(frozen=True)
class DemoAnnotation:
    slug: str
    curator: str
    changes: dict


DEMO_ANNOTATION_TIME = datetime.fromisoformat("2024-03-01T12:00:00+00:00")


def demo_annotations() -> list[DemoAnnotation]:
    """Two demo curators, ``ada`` and ``grace``: includes, excludes, one disagreement of each kind, one include
    that overrides a rule, and one include of a competition the dump does not have."""
    rows = demo_rows()
    eligible = [
        r for r in rows
        if r["HostSegmentTitle"] not in ("Community", "Analytics") and int(r["TotalTeams"]) >= 50
        and r["HasLeaderboard"] == "True" and canonical_metric(r["EvaluationAlgorithmName"]) in CATEGORIES
    ]  # fmt: skip
    few_teams = next(r for r in rows if r["HostSegmentTitle"] == "Featured" and 0 < int(r["TotalTeams"]) < 50)
    complexities = ["low", "medium", "medium", "high"]
    out = []
    for position, row in enumerate(eligible[:24]):
        category = CATEGORIES[canonical_metric(row["EvaluationAlgorithmName"])]
        out.append(DemoAnnotation(row["Slug"], "ada", {
            "complexity": complexities[position % 4], "category": category, "decision": "include",
            "reason": "clean data, standard metric, a leaderboard deep enough for medals",
            "split_recipe": _recipe(row),
        }))  # fmt: skip
        if position < 6:  # grace reviews the first six: agrees on four, disagrees on one decision, one complexity
            decision = "exclude" if position == 4 else "include"
            complexity = "high" if position == 5 else complexities[position % 4]
            out.append(DemoAnnotation(row["Slug"], "grace", {
                "complexity": complexity, "category": category, "decision": decision,
                "reason": "test labels look noisy" if decision == "exclude" else "agree with ada",
            }))  # fmt: skip
    for row in eligible[24:27]:
        out.append(DemoAnnotation(row["Slug"], "ada", {"decision": "exclude", "reason": "data licence forbids reuse"}))
    out.append(DemoAnnotation(few_teams["Slug"], "ada", {
        "complexity": "low", "category": "Tabular", "decision": "include",
        "reason": "small but a classic; keep despite few teams", "split_recipe": _recipe(few_teams),
    }))  # fmt: skip
    after = next(r for r in demo_catalogue() if r["Slug"] == LAUNCHED_AFTER_THE_DUMP)
    out.append(DemoAnnotation(LAUNCHED_AFTER_THE_DUMP, "ada", {
        "complexity": "medium", "category": "Forecasting", "decision": "include",
        "reason": "launched after this Meta Kaggle dump; the demo source lists it", "split_recipe": _recipe(after),
    }))  # fmt: skip
    return out


def _recipe(row: dict) -> dict:
    """The recipe that fits the demo's data for this competition; an ungraded metric gets the data's own metric (one
    going the way its board does)."""
    data_metric = demo_data_metrics()[row["Slug"]]
    recipe = demo_split_recipe(data_metric)
    return recipe if canonical_metric(row["EvaluationAlgorithmName"]) else recipe | {"metric": data_metric}
