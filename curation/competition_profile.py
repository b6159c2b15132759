"""Everything known about one competition: Meta Kaggle's facts, the rules' verdict, its download, its annotations.

>>> profile = competition_profile("titanic", warehouse, root, store)
>>> profile.fact_rows()           # [("title", "Titanic - Machine Learning from Disaster"), ("segment", ...), ...]
>>> profile.candidate_verdict()   # "yes", or "no: <rule> (<detail>)"
>>> profile.consolidated          # the curators' annotations consolidated, as curated_competitions would
>>> profile.stages                # each stage's status: data, split, parity (curation.stage_status)
>>> profile.graded_with()         # "f1_micro (the published split's recipe)": the metric `grade` scores with

Also here: :func:`check_known_slug`, which tells a curator that a slug is not a Meta Kaggle competition and
suggests the ones it may mean.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from curation.annotations import Annotation, AnnotationStore
from curation.candidate_rules import CANDIDATE_COLUMNS
from curation.competition_data import DownloadRecord, read_download_record
from curation.curated import FROM_META_KAGGLE, SplitRecipeChoiceError, annotations_frame, consolidate, split_recipe_for
from curation.leaderboard_history import HistoryError, RefreshRecord, history
from curation.split_parity import metric_against_kaggle, metric_namer
from curation.stage_status import StageStatus, competition_stages, partition_command
from curation.warehouse import Warehouse
from validation.data_root import CANDIDATES, COMPETITIONS, DataRoot
from validation.metrics import METRICS, UnknownMetricError, resolve_metric

KAGGLE_COMPETITION_URL = "https://www.kaggle.com/competitions/{slug}"
FACTS = [  # (label, column of meta_kaggle.competitions), in the order shown
    ("title", "title"), ("segment", "host_segment"), ("launched", "enabled_date"), ("deadline", "deadline_date"),
    ("metric", "evaluation_algorithm_name"), ("higher is better", "evaluation_algorithm_is_max"),
    ("teams", "total_teams"), ("competitors", "total_competitors"), ("submissions", "total_submissions"),
    ("has leaderboard", "has_leaderboard"), ("public leaderboard %", "leaderboard_percentage"),
    ("code competition", "only_allow_kernel_submissions"), ("medals", "can_qualify_tiers"),
]  # fmt: skip
CLOSE_MATCHES = 3  # slugs suggested for a misspelt one
CLOSE_CUTOFF = 0.6  # difflib's similarity a suggestion needs


class UnknownCompetitionError(LookupError):
    """A slug that is not a competition in this Meta Kaggle dump; the message suggests close ones."""


@dataclass(frozen=True)
class CompetitionProfile:
    slug: str
    facts: dict  # Meta Kaggle's row (NULLs as None); {} when the dump or the warehouse does not have it
    screening: dict | None  # the candidate rules' row; None when not screened (yet)
    download: DownloadRecord | None  # the last download attempt, if any
    annotations: list[Annotation] = field(default_factory=list)
    consolidated: dict | None = None  # the annotations consolidated (curation.curated.consolidate); None without any
    stages: StageStatus | None = None  # data, split and parity status (curation.stage_status)
    published_recipe: dict | None = None  # the split recipe of the published split, if there is one
    unreadable: list[str] = field(default_factory=list)  # the annotation files left out, each error naming its file
    board: RefreshRecord | str | None = None  # the current leaderboard snapshot's record, its history's error, or None

    def graded_with(self) -> str:
        """The metric submissions are scored with, and where it comes from: the published split's recipe (what
        ``mlecurate grade`` takes), else the curators' split recipe (what the next split will publish), else Meta
        Kaggle's name mapped to the registry; or why there is none."""
        recipe, source = self.published_recipe, "the published split's recipe"
        if recipe is None:
            try:
                recipe, _ = split_recipe_for(self.slug, self.annotations)
                source = "the curators' split recipe"
            except SplitRecipeChoiceError:
                recipe = None
        meta_kaggle = self.facts.get("evaluation_algorithm_name")
        try:
            metric = resolve_metric(None, recipe, meta_kaggle)
        except UnknownMetricError as error:
            return f"none: {error}"
        if metric is None:
            namer = self._metric_namer()
            why = (
                f"{namer}'s {meta_kaggle!r} is not a metric mlecurate grades"
                if meta_kaggle
                else f"{namer} names no metric"
            )
            return f"none: {why}; " + self._metric_remedy()
        origin = source if recipe and recipe.get("metric") else f"{self._metric_namer()}'s name"
        return f"{metric} ({origin})"

    def _metric_namer(self) -> str:
        """Who names the competition's metric: Meta Kaggle, or a listing for a member outside the dump (a newcomer
        read "Meta Kaggle's name" for a metric the mirror's listing gave)."""
        return metric_namer(self.facts) or "Meta Kaggle"

    def metric_warning(self) -> str | None:
        """What parity's warning check ``metric_is_kaggles`` finds for the published split's recipe (else the
        curators'), where it fails: medals compared across two metrics, or a depth or beta left unsaid (a newcomer
        saw it only in the export's warnings); None where it passes or no recipe is known."""
        recipe = self.published_recipe
        if recipe is None:
            try:
                recipe, _ = split_recipe_for(self.slug, self.annotations)
            except SplitRecipeChoiceError:
                return None
        agrees, found, _ = metric_against_kaggle(self.slug, [], self.facts, recipe)
        return None if agrees else found

    def _metric_remedy(self) -> str:
        """What gives the competition a metric: the split recipe's ``metric``, or, where the curators' recipe names
        one the published split's lacks, its split (and why that failed, if it did)."""
        advice = "name one in the split recipe's `metric` (`mlecurate metrics` lists them)"
        if self.published_recipe is None:
            return advice
        try:
            wanted = split_recipe_for(self.slug, self.annotations)[0].get("metric")
        except SplitRecipeChoiceError:
            return advice
        if not wanted:
            return advice
        split = self.stages.split if self.stages else ""
        _, attempt, error = split.partition("; last attempt failed: ")
        failed = f" (its latest split failed: {error.removesuffix(')')})" if attempt else ""
        return (
            f"the curators' split recipe names {wanted}, which the published split's does not: "
            f"{partition_command('prepare_competition', self.slug)}{failed}"
        )

    @property
    def facts_from(self) -> str | None:
        """Where the facts come from: ``meta kaggle``, or for a member outside the dump its listing, split recipe or
        annotation (curation.curated's facts_from); None when nothing is known."""
        if not self.facts:
            return None
        return self.facts.get("facts_from") if "id" not in self.facts else FROM_META_KAGGLE

    @property
    def known(self) -> bool:
        """Meta Kaggle has it, or a curator annotated it."""
        return bool(self.facts) or bool(self.annotations) or bool(self.unreadable)

    def fact_rows(self) -> list[tuple[str, str]]:
        """Meta Kaggle's facts as (label, text) rows, ending with the reward and the competition's URL; a member
        outside the dump has those its listing or recipe gave, and "-" for the rest."""
        facts = dict(self.facts)
        if (
            fact_text(facts.get("evaluation_algorithm_is_max")) == "-" and facts.get("metric") in METRICS
        ):  # by its metric
            facts["evaluation_algorithm_is_max"] = METRICS[facts["metric"]].higher_is_better
        rows = [(label, fact_text(facts.get(column))) for label, column in FACTS]
        rows.append(("reward", reward_text(self.facts.get("reward_type"), self.facts.get("reward_quantity")) or "-"))
        rows.append(("url", KAGGLE_COMPETITION_URL.format(slug=self.slug)))
        return rows

    def candidate_verdict(self) -> str | None:
        """``yes``, or ``no: <rule> (<detail>)``; None when the rules have not screened it."""
        if self.screening is None:
            return None
        if self.screening["is_candidate"]:
            return "yes"
        return f"no: {self.screening['exclusion_reason']} ({self.screening['exclusion_detail']})"

    def leaderboard_summary(self) -> str | None:
        """``snapshot <id> (<source>, <when>): <n> teams; gold >= ..., ...`` for the current leaderboard snapshot (a
        generated or outside competition has no Meta Kaggle team count: this is where its board shows), the history's
        error when it cannot be read, or None without a snapshot."""
        if not isinstance(self.board, RefreshRecord):
            return self.board
        record = self.board
        better = {True: "higher", False: "lower"}.get(record.higher_is_better)
        medals = ", ".join(f"{name} {value:g}" for name, value in (("gold", record.gold), ("silver", record.silver),
                           ("bronze", record.bronze), ("median", record.median)) if value is not None)  # fmt: skip
        return (
            f"snapshot {record.snapshot_id} ({record.source}, {record.at}): {record.teams or 0:,} teams"
            + (f"; thresholds {medals}" if medals else "")
            + (f" ({better} is better)" if better else "")
        )

    def download_summary(self) -> str | None:
        """``<status> (<source>, <when>): <detail>`` for the download kept, with ``; last attempt failed: ...`` when
        a later one was refused; None when there was none."""
        record = self.download
        if record is None:
            return None
        detail = {
            "downloaded": f"{record.zip_bytes:,} bytes, sha256 {record.zip_sha256}, {len(record.files)} file(s)"
            if record.zip_bytes is not None else "",
            "needs_rules_acceptance": f"accept the rules at {record.rules_url}",
            "failed": record.message,
        }.get(record.status, record.message)  # fmt: skip
        failed = f"; last attempt failed: {record.last_attempt_failed}" if record.last_attempt_failed else ""
        return f"{record.status} ({record.source}, {record.at}): {detail}{failed}"


def competition_profile(
    slug: str, warehouse: Warehouse, root: DataRoot, store: AnnotationStore, *, skip_unreadable: bool = False
) -> CompetitionProfile:
    """What the warehouse, the data root and the annotation store know about ``slug`` (nothing missing raises). A
    damaged annotation file raises, unless ``skip_unreadable``: then the profile leaves it out and names it in
    ``unreadable``."""
    facts = warehouse.competition(slug)
    annotations, unreadable = store.readable(slug) if skip_unreadable else (store.for_competition(slug), [])
    screened = warehouse.rows_for_slug(CANDIDATES, slug)
    screening = None if screened is None or screened.empty else screened.iloc[0].to_dict()
    consolidated = None
    if annotations:
        candidates = screened if screened is not None else pd.DataFrame(columns=CANDIDATE_COLUMNS)
        consolidated = consolidate(annotations_frame(annotations), candidates).consolidated.iloc[0].to_dict()
    prepared = root.prepared(slug)
    recipe = prepared.read_manifest().get("recipe") if prepared.manifest.is_file() else None
    return CompetitionProfile(slug, facts, screening, read_download_record(root.raw(slug)), annotations, consolidated,
                              competition_stages(slug, root), recipe, [str(e) for e in unreadable],
                              _current_board(root, slug))  # fmt: skip


def _current_board(root: DataRoot, slug: str) -> RefreshRecord | str | None:
    """The current snapshot's record (the latest new or changed one), the history's error, or None."""
    try:
        stored = [r for r in history(root.leaderboards(slug)) if r.status in ("new", "changed")]
    except HistoryError as error:
        return f"cannot be read: {error}"
    return stored[-1] if stored else None


def check_known_slug(slug: str, known: Sequence[str]) -> None:
    """Raise :class:`UnknownCompetitionError` when ``slug`` is not among ``known`` (Meta Kaggle's slugs)."""
    if slug in known:
        return
    same = [k for k in known if k.casefold() == slug.casefold()]  # 'ai4code' is AI4Code, not look-alike abide
    if same:
        raise UnknownCompetitionError(
            f"unknown competition {slug!r}: Meta Kaggle spells it {', '.join(same)} ({COMPETITIONS}); use that slug "
            "(--allow-unknown would make a second competition beside it)"
        )
    close = difflib.get_close_matches(slug, known, n=CLOSE_MATCHES, cutoff=CLOSE_CUTOFF)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UnknownCompetitionError(
        f"unknown competition {slug!r}: not among the {len(known):,} slugs in {COMPETITIONS}{hint} "
        "(use --allow-unknown for a competition this Meta Kaggle dump does not have: launched after it, or left out "
        "of it, like some Getting Started competitions)"
    )


def fact_text(value: object) -> str:
    """A Meta Kaggle value as shown to curators: "-" for a missing one, thousands separators for counts."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "-"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def reward_text(kind: object, quantity: object) -> str:
    """``25,000 USD``, ``Knowledge``, or "" when Meta Kaggle gives no reward type."""
    if pd.isna(kind):
        return ""
    return f"{quantity:,.0f} {kind}" if pd.notna(quantity) else str(kind)
