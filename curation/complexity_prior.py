"""The suggested complexity: a model trained on the complexities curators already gave, suggesting one for the rest.

>>> prior = train_prior(features, agreed_complexities(store.all()))
>>> prior.reason                          # why there is no model, when there is none ("only 3 annotated ...")
>>> suggest(prior, features).loc["titanic"]
suggested_complexity         low
suggested_complexity_probability       0.71
suggested_complexity_reason      low 0.71, medium 0.25, high 0.04; like leaf-classification (low), ...

It suggests; curators decide. The model is a random forest (fixed seed) over ``curation.complexity_features``; with
fewer than ``MIN_LABELS`` agreed complexities, or a single level among them, it suggests nothing and says why.
"What drove it" is the three nearest annotated competitions (distance over the standardised features both have) and
the two features where the competition stands furthest from the annotated ones' median, weighted by the model's
feature importances. A competition that is itself annotated is suggested by the trees that never saw its label
(the forest's out-of-bag estimate, about a third of the trees), so a second curator sees what the others' labels say,
not the first curator's answer given back; its neighbours never include itself.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from curation.annotations import COMPLEXITIES, Annotation
from curation.complexity_features import FEATURE_LABELS, board_statistics, complexity_features, data_facts
from validation.data_root import DataRoot

if TYPE_CHECKING:
    from sklearn.ensemble import RandomForestClassifier

MIN_LABELS = 10  # fewer agreed complexities than this teach nothing worth suggesting
SEED = 0
TREES = 500
NEIGHBOURS = 3
DRIVERS = 2  # features named in "what drove it"
SUGGESTION_COLUMNS = ["suggested_complexity", "suggested_complexity_probability", "suggested_complexity_reason"]


@dataclass(frozen=True)
class ComplexityPrior:
    labels: pd.Series  # slug -> low/medium/high: what it learnt from
    features: list[str]  # the columns it uses (those known for at least one annotated competition)
    model: RandomForestClassifier | None = None  # sklearn's, imported when a prior is trained
    training: pd.DataFrame | None = None  # the annotated competitions' features (for neighbours and medians)
    reason: str = ""  # why there is no model
    out_of_bag: pd.DataFrame | None = None  # per annotated slug, the class probabilities of trees without its label

    @property
    def ready(self) -> bool:
        return self.model is not None


def agreed_complexities(annotations: Iterable[Annotation]) -> pd.Series:
    """slug -> complexity for each competition whose curators gave one complexity (a disputed one teaches nothing)."""
    given = [(a.slug, a.complexity) for a in annotations if a.complexity is not None]
    frame = pd.DataFrame(given, columns=["slug", "complexity"]).drop_duplicates()
    agreed = frame.groupby("slug")["complexity"].agg(lambda levels: levels.iloc[0] if len(levels) == 1 else None)
    return agreed.dropna().sort_index().rename("complexity")


def train_prior(features: pd.DataFrame, labels: pd.Series, columns: list[str] | None = None,
                seed: int = SEED, out_of_bag: bool = True) -> ComplexityPrior:  # fmt: skip
    """A model of ``labels`` (slug -> level) over ``features`` (index slug); annotated competitions without features
    (outside the dump) are left out. With too few labels or a single level, a prior without a model and its reason.
    ``out_of_bag=False`` leaves out the annotated competitions' own out-of-bag suggestions (a sixth of the training
    time), for a prior that only suggests for others (leave-one-out: the same trees, the same suggestions)."""
    unknown = sorted(set(labels) - set(COMPLEXITIES))
    if unknown:
        raise ValueError(f"complexity label(s) {', '.join(map(repr, unknown))}: expected {', '.join(COMPLEXITIES)}")
    labels = labels[labels.index.isin(features.index)]
    columns = columns or list(features.columns)
    if len(labels) < MIN_LABELS:
        return ComplexityPrior(labels, columns, reason=f"only {len(labels)} annotated competition(s) with an agreed "
                               f"complexity in this Meta Kaggle dump (needs {MIN_LABELS})")  # fmt: skip
    if labels.nunique() < 2:
        return ComplexityPrior(labels, columns, reason=f"every one of the {len(labels)} annotated competitions is "
                               f"{labels.iloc[0]}: nothing to tell levels apart by")  # fmt: skip
    training = features.loc[labels.index, columns]
    columns = [c for c in columns if training[c].notna().any()]  # a feature no label has cannot be learnt
    from sklearn.ensemble import RandomForestClassifier  # about a second to import: only when training

    model = RandomForestClassifier(n_estimators=TREES, random_state=seed, n_jobs=1, oob_score=out_of_bag)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "some inputs do not have OOB scores": only with few trees
        model.fit(training[columns].to_numpy(dtype=float), labels.to_numpy())
    bagged = (pd.DataFrame(model.oob_decision_function_, index=labels.index, columns=model.classes_).dropna()
              if out_of_bag else pd.DataFrame(columns=model.classes_, dtype=float))  # fmt: skip
    return ComplexityPrior(labels, columns, model, training[columns], out_of_bag=bagged)


def suggest(prior: ComplexityPrior, features: pd.DataFrame) -> pd.DataFrame:
    """``SUGGESTION_COLUMNS`` for every row of ``features`` (index slug): the level, its probability, and the
    probabilities with what drove them; without a model, no level and the reason."""
    if not prior.ready:
        return pd.DataFrame({"suggested_complexity": pd.Series(None, index=features.index, dtype="object"),
                             "suggested_complexity_probability": np.nan,
                             "suggested_complexity_reason": f"no suggestion: {prior.reason}"}, index=features.index)  # fmt: skip
    values = features[prior.features]
    found = values.to_numpy(dtype=float)
    probabilities = prior.model.predict_proba(found)
    unseen = values.index.isin(prior.out_of_bag.index)  # annotated: the trees that never saw its label
    probabilities[unseen] = prior.out_of_bag.loc[values.index[unseen]].to_numpy()
    levels = list(prior.model.classes_)
    best = probabilities.argmax(axis=1)
    nearest, drivers = _nearest(found, values.index, prior), _drivers(found, prior)
    because = []
    for i, p in enumerate(probabilities):
        chances = dict(zip(levels, p, strict=True))
        shown = ", ".join(f"{level} {chances.get(level, 0.0):.2f}" for level in COMPLEXITIES)
        like = ", ".join(f"{slug} ({prior.labels[slug]})" for slug in nearest[i])
        driven = "; ".join(
            f"{FEATURE_LABELS.get(name, name)} {feature_text(name, found[i, j])} (annotated median "
            f"{feature_text(name, median)})"
            for name, j, median in drivers[i]
        )
        without = "without its own label: " if unseen[i] else ""
        because.append(f"{without}{shown}; like {like or '-'}" + (f"; {driven}" if driven else ""))
    return pd.DataFrame({"suggested_complexity": [levels[i] for i in best],
                         "suggested_complexity_probability": probabilities.max(axis=1).round(2),
                         "suggested_complexity_reason": because}, index=features.index)  # fmt: skip


def _nearest(found: np.ndarray, slugs: pd.Index, prior: ComplexityPrior) -> list[list[str]]:
    """For each row of ``found``, the NEIGHBOURS annotated competitions closest to it (never itself): the root mean
    square of the features both have, each in units of its spread over the annotated ones. One array for all rows:
    a loop over rows took two minutes for the demo's 3,000 competitions."""
    training = prior.training.to_numpy(dtype=float)
    scale = prior.training.std().replace(0, np.nan).to_numpy(dtype=float)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a pair with no feature in common: no distance
        distance = np.sqrt(np.nanmean(((training[None, :, :] - found[:, None, :]) / scale) ** 2, axis=2))
    distance[slugs.to_numpy()[:, None] == prior.training.index.to_numpy()[None, :]] = np.nan
    order = np.argsort(np.where(np.isnan(distance), np.inf, distance), axis=1, kind="stable")
    names = prior.training.index.to_numpy()
    return [[names[j] for j in row[:NEIGHBOURS] if not np.isnan(distance[i, j])] for i, row in enumerate(order)]


def _drivers(found: np.ndarray, prior: ComplexityPrior) -> list[list[tuple[str, int, float]]]:
    """For each row of ``found``, the DRIVERS features that stand out most: distance from the annotated median in
    units of spread, weighted by the model's importance; (name, column, median) each."""
    median = prior.training.median().to_numpy(dtype=float)
    scale = prior.training.std().replace(0, np.nan).to_numpy(dtype=float)
    weight = np.abs(found - median) / scale * prior.model.feature_importances_
    order = np.argsort(np.where(np.isnan(weight), np.inf, -weight), axis=1, kind="stable")
    return [[(prior.features[j], j, median[j]) for j in row[:DRIVERS] if not np.isnan(weight[i, j])]
            for i, row in enumerate(order)]  # fmt: skip


def feature_text(name: str, value: float) -> str:
    """A feature's value as a curator reads it: 12.5 GB, 1,234 teams, yes/no."""
    if pd.isna(value):
        return "-"
    if name == "data_gb_log10":
        return f"{10**value:,.3g} GB"
    if name.endswith("_log"):
        return f"{np.expm1(value):,.0f}"
    if name.endswith("_share"):
        return f"{value:.0%}"
    if name.startswith("segment_") or name == "custom_metric":
        return "yes" if value >= 0.5 else "no"
    if name == "launch_year":
        return f"{value:.0f}"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


@dataclass(frozen=True)
class LeaveOneOut:
    predictions: pd.Series  # slug -> the level suggested without its own label
    labels: pd.Series

    @property
    def accuracy(self) -> float:
        return float((self.predictions == self.labels).mean())

    @property
    def two_levels_off(self) -> int:
        rank = {level: i for i, level in enumerate(COMPLEXITIES)}
        return int((self.predictions.map(rank) - self.labels.map(rank)).abs().eq(2).sum())

    def confusion(self) -> pd.DataFrame:
        """Rows: the curators' level; columns: the suggested one."""
        table = pd.crosstab(self.labels.rename("annotated"), self.predictions.rename("suggested"))
        return table.reindex(index=list(COMPLEXITIES), columns=list(COMPLEXITIES), fill_value=0)


def leave_one_out(features: pd.DataFrame, labels: pd.Series, columns: list[str] | None = None,
                  seed: int = SEED) -> LeaveOneOut:  # fmt: skip
    """Each labelled competition suggested by a model trained on all the others (labels outside ``features``
    are left out)."""
    labels = labels[labels.index.isin(features.index)]
    predicted = {}
    for slug in labels.index:
        prior = train_prior(features, labels.drop(slug), columns, seed, out_of_bag=False)
        if not prior.ready:
            raise ValueError(f"leave-one-out without {slug}: {prior.reason}")
        predicted[slug] = suggest(prior, features.loc[[slug]]).iloc[0]["suggested_complexity"]
    return LeaveOneOut(pd.Series(predicted).reindex(labels.index), labels)


@dataclass
class CandidateSuggestions:
    """The suggestion columns for ``curation.candidates``, from the data root and the annotation store as they are.

    >>> suggestions = CandidateSuggestions(root, store.all())
    >>> screen_candidates(warehouse, rules, add_columns=suggestions)   # suggestions.prior: what it learnt from
    """

    root: DataRoot
    annotations: list[Annotation]
    prior: ComplexityPrior | None = None

    def __call__(self, competitions: pd.DataFrame, candidates: pd.DataFrame) -> pd.DataFrame:
        features = complexity_features(
            competitions, board_statistics(self.root), data_facts(self.root, self.annotations)
        )
        self.prior = train_prior(features, agreed_complexities(self.annotations))
        suggested = suggest(self.prior, features)
        return candidates.join(suggested, on="slug")
