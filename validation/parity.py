"""Score parity: is a reconstructed test set a faithful stand-in for the original one?

>>> report = parity_report(inputs, tolerance=ParityTolerance())

Evidence, in order of strength:

a. the sample submission and a simple deterministic baseline scored on the new test set, with a bootstrap 95%
   interval. The baseline is trained on the new train set only (TF-IDF, numeric and one-hot features) and chosen by
   the metric's task (``validation.parity_baseline``): a ridge regression per target column (regression tasks); a
   logistic regression's probabilities per target column (binary, multi-label) or per class (multi-class), its
   predicted label (classification) or its most probable labels (ranking); the commonest answer (free text). Its
   predictions are clipped into the metric's domain (e.g. non-negative for RMSLE, 0..1 for log loss);
b. the same two scored on the ORIGINAL test set, where its labels can be had (labels Kaggle released later);
c. feature-distribution parity with no labels: the original public test features against the new test features,
   column by column (Kolmogorov-Smirnov for numbers, total variation distance for categories, length and vocabulary
   for text), and overall (cross-validated AUC of a classifier telling the two apart: 0.5 means alike);
   or, failing released labels, Kaggle itself: the two go in as late submissions (``kaggle_scorer``) and Kaggle's
   private score comes back;
d. where the sample submission falls on the real leaderboard (it should earn no medal).

Verdict: ``parity`` or ``drift`` from (b) when original labels exist (the baseline's score moves by no more than the
tolerance, or by more but within sampling noise: the bootstrap interval of the gap, new minus original, holds 0, at
the significance level: 95% for 0.05), else from (c): drift when the
classifier's AUC is above its tolerance and significant (test sets drawn alike reach it with p at most the
significance level, ``validation.feature_parity.auc_significance``: a small test set cannot show drift it cannot
measure); ``unknown`` when neither can be measured. The recipe's group column, a temporal split's time column and a
column of the submission's key that names rows are left out of (c): the two test sets differ there by construction
(``validation.feature_parity.designed_differences``, ``row_names``).

Rows: one per (submission, test set) with the metric's score, ``target`` None. A column-wise metric (several target
columns, e.g. mean column-wise RMSLE) also gets one row per target column before it, ``target`` naming the column:
the metric on that column alone, with its own interval. The verdict is judged on the combined score; its reason gives
each target's gap too. ``excluded_columns`` lists every column left out of the feature comparison or the baseline,
with the reason (id column, a target, not in the original test set, constant, too many categories, ...).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

import numpy as np
import pandas as pd

from validation.feature_parity import (
    adversarial_auc,
    auc_significance,
    classifier_task,
    clocks,
    column_parity,
    compared_columns,
    compared_kinds,
    comparison_exclusions,
    designed_differences,
    no_classifier_reason,
    row_names,
    too_few_groups,
)
from validation.leaderboard import LeaderboardError
from validation.medals import medal_thresholds, place
from validation.metrics import METRICS, SCORE_DECIMALS, Metric
from validation.parity_baseline import (
    baseline_columns,
    baseline_exclusions,
    constant_prediction,
    fit_baseline,
    predict,
)
from validation.parity_inputs import ParityInputs

BOOTSTRAP_ROUNDS = 200


@dataclass(frozen=True)
class ParityTolerance:
    # The baseline's score may move this much between original and new test sets: an amount where scores lie between
    # -1 and 1 (AUC, accuracy, correlations), a share of the original-test score for errors of the answers' own scale
    # (RMSE, log loss, SMAPE: Metric.tolerance_is_relative).
    score: float = 0.03
    adversarial_auc: float = 0.6  # above this, a classifier tells the two test sets apart
    # ... when test sets drawn alike reach its AUC this rarely at most (a one-sided p-value): not by chance; and a score
    # gap beyond the tolerance is drift when its (1 - significance) bootstrap interval does not hold 0
    significance: float = 0.05


class OriginalScoreUnavailable(Exception):
    """Kaggle cannot score the original test set for this competition (e.g. it refuses late submissions)."""


@dataclass
class ParityReport:
    metric: str
    # one per (submission, test set, target): score and interval; target None is the metric's own (combined) score
    rows: list[dict] = field(default_factory=list)
    columns: list[dict] = field(default_factory=list)  # per-column distribution comparison
    # every column left out of the feature comparison or the baseline, {column, left_out_of, reason}: none silently
    excluded_columns: list[dict] = field(default_factory=list)
    adversarial_auc: float | None = None
    adversarial_p_value: float | None = None  # measured only for an AUC above its tolerance
    adversarial_test: str | None = None  # how the p-value was found (a permutation test, or the AUC's standard error)
    sample_medal: bool | None = None
    sample_rank: int | None = None
    sample_unplaced: str | None = None  # why the sample was not placed on the leaderboard there was (another order)
    verdict: str = "unknown"
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    inputs_version: str | None = None  # fingerprint of what the report is a function of (curation.split_parity)
    allowed_gap: float | None = None  # how far the baseline's score could move, where scores decided the verdict
    # the bootstrap interval (1 - significance) of the baseline's gap, new minus original test score, where both were
    # resampled
    gap_low: float | None = None
    gap_high: float | None = None
    reused: bool = False  # read back from an earlier run with the same inputs (never written to the report)

    def to_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if key != "reused"}

    @classmethod
    def from_dict(cls, document: dict) -> ParityReport:
        """A report as :meth:`to_dict` wrote it (keys it does not know, such as ``slug``, are left out)."""
        known = {f.name for f in fields(cls)} - {"reused"}
        return cls(**{key: value for key, value in document.items() if key in known})

    def combined_rows(self) -> list[dict]:
        """The rows of the metric's own score (over every target), one per (submission, test set)."""
        return [r for r in self.rows if r.get("target") is None]

    def score_row(self, submission: str, test_set: str) -> dict | None:
        return next(
            (r for r in self.combined_rows() if (r["submission"], r["test_set"]) == (submission, test_set)), None
        )


def parity_report(
    inputs: ParityInputs, tolerance: ParityTolerance | None = None, seed: int = 0, kaggle_scorer=None
) -> ParityReport:
    """``kaggle_scorer(name, submission_frame) -> score`` scores a submission on Kaggle's original test set (a late
    submission); it raises :class:`OriginalScoreUnavailable` when Kaggle cannot.

    numpy's and scipy's BLAS run on one thread here: the baseline's and the classifier's matrices are small, and a
    BLAS thread per core spent more time waiting than working (random-acts-of-pizza 10.5 -> 7.7 s alone, two parity
    runs side by side 86 -> 51 s each on two cores); the result is the same on any number of cores."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _measured_report(inputs, tolerance or ParityTolerance(), seed, kaggle_scorer)


def _measured_report(inputs: ParityInputs, tolerance: ParityTolerance, seed: int, kaggle_scorer) -> ParityReport:
    metric = METRICS[inputs.metric]
    report = ParityReport(inputs.metric, notes=list(inputs.notes))
    classified = baseline_columns(inputs)  # once: it reads every value
    model = fit_baseline(inputs, metric, classified)
    report.excluded_columns = [{"column": c, "left_out_of": "baseline", "reason": reason}
                               for c, reason in baseline_exclusions(inputs, classified).items()]  # fmt: skip
    sets = {"new test": inputs.new_test}
    if inputs.original_test is not None:
        sets["original test"] = inputs.original_test
    per_target = metric.scored_by_column and len(inputs.targets) > 1
    baseline_rounds = {}  # test set -> the baseline's bootstrap rounds of the metric's own score
    for name, evaluation in sets.items():
        for submission, predictions in [
            ("sample submission", constant_prediction(inputs, len(evaluation.truth))),
            ("baseline", predict(model, inputs, metric, evaluation.features)),
        ]:
            rounds = {}  # target -> its bootstrap rounds' scores, which the combined row's rounds combine
            for target in [*(inputs.targets if per_target else []), None]:
                truth = evaluation.truth if target is None else evaluation.truth[[target]]
                predicted = predictions if target is None else predictions[[target]]
                score = metric.exact_score(truth, predicted)
                if target is None and rounds:
                    samples = _combined_rounds(metric, list(rounds.values()))
                else:
                    samples = rounds[target] = _bootstrap_rounds(metric, truth, predicted, seed)
                if submission == "baseline" and target is None:
                    baseline_rounds[name] = samples
                low, high = _interval(samples)
                if not np.isfinite(score):
                    report.notes.append(f"{metric.name} is undefined for the {submission} on the {name} set"
                                        f"{f' (target {target})' if target else ''}: constant answers?")  # fmt: skip
                    score, low, high = None, None, None
                else:
                    score = _shown(score)
                report.rows.append({"submission": submission, "test_set": name, "target": target,
                                    "rows": len(evaluation.truth), "score": score, "low": low, "high": high})  # fmt: skip
    if "original test" in baseline_rounds:
        report.gap_low, report.gap_high = _gap_interval(baseline_rounds["new test"], baseline_rounds["original test"],
                                                        tolerance.significance)  # fmt: skip
    if kaggle_scorer is not None and inputs.original_sample is not None and inputs.original_public_test is not None:
        try:
            submissions = _original_format_submissions(inputs, model, metric)
        except UnmatchedSample as error:
            report.notes.append(str(error))
            submissions = []
        for name, frame in submissions:
            try:
                score = kaggle_scorer(name, frame)
            except OriginalScoreUnavailable as error:
                report.notes.append(str(error))
                break
            report.rows.append({"submission": name, "test_set": "original test (Kaggle)", "target": None,
                                "rows": len(frame), "score": _shown(float(score)), "low": None, "high": None})  # fmt: skip
    no_classifier = None
    if inputs.original_public_test is not None:
        no_classifier = _compare_features(report, inputs, tolerance, seed)
    if inputs.leaderboard is not None:
        sample = report.score_row("sample submission", "new test")["score"]
        if sample is not None:
            board = inputs.leaderboard
            try:
                thresholds = medal_thresholds(board, metric.higher_is_better, f"the metric {metric.name}")
            except LeaderboardError as error:  # a sweep's osic: MAE standing in for a log likelihood crashed here
                report.sample_unplaced = str(error)
                report.notes.append(f"the sample submission is not placed on the leaderboard: {error}")
            else:
                placement = place(round(sample, SCORE_DECIMALS), board, thresholds)  # ranked as grading ranks it
                report.sample_medal, report.sample_rank = placement.any_medal, placement.rank
    _decide(report, tolerance, inputs.test_is_original, no_classifier)
    return report


def _compare_features(report: ParityReport, inputs: ParityInputs, tolerance: ParityTolerance, seed: int) -> str | None:
    """(c): the original and the new public test features, column by column and by a classifier; its AUC's p-value
    when the AUC is above the tolerance (only then does the verdict need it). Returns why no classifier ran, if
    none did (too few rows, or no usable feature): the verdict's reason says so."""
    original, new = inputs.original_public_test, inputs.new_test_features
    designed = designed_differences(inputs.group_column, inputs.time_column, inputs.parity_excluded_columns)
    designed |= row_names(original, new, [c for c in inputs.key_columns if c not in designed])
    if inputs.time_column:
        designed |= clocks(original, new, inputs.time_column, compared_columns(original, new, designed),
                           inputs.time_format)  # fmt: skip
    shared = compared_columns(original, new, designed)
    classified = compared_kinds(original[shared], new[shared])  # once: it reads every value
    report.excluded_columns += comparison_exclusions(
        original, new, inputs.id_column, inputs.targets, designed, classified
    )
    report.columns = column_parity(original[shared], new[shared], classified)
    drawn = _drawn_groups(inputs, original, new)
    if isinstance(drawn, str):  # the groups cannot be found, or are too few: no classifier
        return drawn
    groups, blocks = drawn
    if blocks:
        report.notes.append(blocks[2:])  # said whatever the verdict
    task = classifier_task(original[shared], new[shared], seed, classified, groups)
    report.adversarial_auc = adversarial_auc(task)
    if task is not None and report.adversarial_auc > tolerance.adversarial_auc:
        significance = auc_significance(task, report.adversarial_auc, tolerance.significance)
        report.adversarial_p_value, report.adversarial_test = float(f"{significance.p_value:.3g}"), significance.how
        report.adversarial_test += blocks
    return None if task is not None else no_classifier_reason(original, new, shared)


def _drawn_groups(
    inputs: ParityInputs, original: pd.DataFrame, new: pd.DataFrame
) -> tuple[tuple[pd.Series, pd.Series] | None, str] | str:
    """The two test sets' groups for the classifier (None: the rows are the draws) and what the reason adds about
    Kaggle's, or why no classifier can judge them: the recipe's group column (not the id column: a group a row), the
    new rows' from the public test set or the training file (``ParityInputs.new_groups``), Kaggle's from its column
    or, without one, in consecutive blocks of a new group's size where those sizes are alike."""
    group = inputs.group_column if inputs.group_column != inputs.id_column else None
    if not group:
        return None, ""
    new_groups = new[group] if group in new.columns else inputs.new_groups
    if new_groups is None:  # rows drawn in groups, counted as rows: drift at p 1e-39 on draws alike
        why = inputs.new_groups_unknown or "the new test set's features do not hold it"
        return (f"the split draws rows in groups of {group}, and the new test rows' groups cannot be found ({why}): "
                "counted as independent rows, test sets drawn alike look apart")  # fmt: skip
    blocks = ""
    original_groups = original[group] if group in original.columns else None
    if original_groups is None:  # Kaggle's test file lacks it: its rows in consecutive blocks of a group's size
        sizes = pd.Series(new_groups).value_counts()
        if sizes.max() > BLOCK_SIZES_ALIKE * sizes.min():  # no one block size stands for groups this uneven
            return (f"the split draws rows in groups of {group}, which Kaggle's test file does not have, and the "
                    f"new groups' sizes run from {sizes.min():,} to {sizes.max():,} rows: Kaggle's groups cannot "
                    "be told from its rows")  # fmt: skip
        size = int(sizes.median())
        original_groups = pd.Series(np.arange(len(original)) // size).astype(str)
        blocks = f"; Kaggle's test rows, without {group}, taken in consecutive blocks of {size:,} (a new group's size)"
    groups = (original_groups, new_groups)
    if too_few := too_few_groups(groups, group):
        return too_few + blocks
    return groups, blocks


BLOCK_SIZES_ALIKE = 1.5  # Kaggle's rows go in blocks only where the new groups' sizes are this close (a review:
# blocks of the median size gave 8 of 30 false drifts on groups of lognormal sizes)


def _p_text(p_value: float) -> str:
    return f"{p_value:.3f}" if p_value >= 0.001 else f"{p_value:.1e}"


def _decide(
    report: ParityReport, tolerance: ParityTolerance, test_is_original: bool = False, no_classifier: str | None = None
) -> None:
    if test_is_original:
        report.verdict = "parity"
        report.reason = ("the new test set is Kaggle's own original test set, labelled by the labels Kaggle released "
                         "(split kind released_labels): nothing to stand in for")  # fmt: skip
        return
    baseline = {r["test_set"]: r for r in report.combined_rows() if r["submission"] == "baseline"}
    original = next((baseline[k] for k in ("original test", "original test (Kaggle)") if k in baseline), None)
    if original is not None and original["score"] is not None and baseline["new test"]["score"] is not None:
        new, old = baseline["new test"], original
        kaggle = old["test_set"] == "original test (Kaggle)"  # Kaggle's score has 5 decimals, and no interval
        new_score = round(new["score"], SCORE_DECIMALS) if kaggle else new["score"]
        gap = _shown(abs(new_score - old["score"]))  # as the scores are: 0.85 against 0.82 is a gap of 0.03
        report.allowed_gap, said = _gap_allowed(METRICS[report.metric], tolerance.score, old["score"],
                                                KAGGLE_LAST_DIGIT if kaggle else 0.0)  # fmt: skip
        within = gap <= report.allowed_gap  # the two numbers the reason says
        measured = not kaggle and report.gap_low is not None  # the gap's interval: both sets resampled
        noise = not within and measured and report.gap_low <= 0 <= report.gap_high
        report.verdict = "parity" if within or noise else "drift"
        interval = measured and (
            f"the gap's {(1 - tolerance.significance) * 100:g}% interval, new minus original: "
            f"[{_said(report.gap_low)}, {_said(report.gap_high)}]"
        )
        report.reason = (f"baseline {report.metric} {_said(new_score)} on the new test set vs {_said(old['score'])} on "
                         f"the {old['test_set']}: gap {_said(gap)}, tolerance {said}"
                         + (f"; above it, but within sampling noise ({interval}, holds 0)" if noise
                            else f"; beyond sampling noise too ({interval})" if not within and measured else "")
                         + _target_gaps(report, old["test_set"]))  # fmt: skip
    elif report.adversarial_auc is not None:
        report.verdict, report.reason = _feature_verdict(report, tolerance)
    elif no_classifier:
        compared = (
            f"; {len(report.columns)} column{'' if len(report.columns) == 1 else 's'} compared one by one in the report"
            if report.columns
            else ""
        )
        report.verdict, report.reason = (
            "unknown",
            f"no original labels, and no classifier ran: {no_classifier}{compared}",
        )
    else:
        report.verdict, report.reason = "unknown", "no original labels and no original test features to compare"


SIGNIFICANT_DIGITS = 6  # below 0.1, where 5 decimals hold 4 significant digits or fewer (an MSE of 1.2e-08: none)
# Kaggle's scores have SCORE_DECIMALS decimals: a gap against one is known to that digit only.
KAGGLE_LAST_DIGIT = 10.0**-SCORE_DECIMALS


def _shown(value: float) -> float:
    """A score, interval bound or gap as parity keeps, compares and says it: to 5 decimals, as grading gives scores
    (0.52676, 397.00327: the same numbers as ``mlecurate grade``), and to SIGNIFICANT_DIGITS significant digits below
    0.1 (0.0141522, 1.2e-08), where 5 decimals would say little or nothing. No float noise: 0.85 - 0.82 is 0.03."""
    if not np.isfinite(value) or value == 0:
        return float(value)
    if abs(value) >= 0.1:
        return round(float(value), SCORE_DECIMALS)
    return round(float(value), SIGNIFICANT_DIGITS - 1 - int(np.floor(np.log10(abs(value)))))


def _said(value: float) -> str:
    """A number as the reason says it: exactly as parity keeps it (:func:`_shown`), so the numbers said decide the
    verdict; 1500, not 1500.0."""
    return repr(_shown(value)).removesuffix(".0")


def _gap_allowed(metric: Metric, tolerance: float, original_score: float, floor: float = 0.0) -> tuple[float, str]:
    """How far the baseline's score may move from its original-test score, and how the reason says it: the tolerance
    itself, or for an error metric (``Metric.tolerance_is_relative``) that share of the original score (none for a
    perfect original error: only sampling noise lets the score move from 0); at least ``floor`` (a score Kaggle gave
    to 5 decimals is known to its last digit only)."""
    if not metric.tolerance_is_relative:
        return max(tolerance, floor), f"{max(tolerance, floor):g}"
    allowed = _shown(max(tolerance * abs(original_score), floor))
    shared = f"{tolerance * 100:g}% of the original score"
    return allowed, f"{_said(allowed)} ({shared}{', at least its last digit' if floor and allowed == floor else ''})"


def _feature_verdict(report: ParityReport, tolerance: ParityTolerance) -> tuple[str, str]:
    """Without original labels: drift when the classifier's AUC is above the tolerance and test sets drawn alike
    rarely reach it (its p-value at most the significance level); above the tolerance by chance is parity."""
    auc, p_value = report.adversarial_auc, report.adversarial_p_value
    said = (f"no original labels; a classifier tells the original and new test sets apart with AUC {auc:.3f} (0.5: "
            f"indistinguishable; drift above {tolerance.adversarial_auc} when test sets drawn alike reach it with p "
            f"at most {tolerance.significance})")  # fmt: skip
    if auc <= tolerance.adversarial_auc:
        return "parity", said
    if p_value is None:
        return "drift", said
    measured = f"p {_p_text(p_value)} ({report.adversarial_test})"
    if p_value > tolerance.significance:
        return "parity", f"{said}; above {tolerance.adversarial_auc}, but within sampling noise: {measured}"
    return "drift", f"{said}; {measured}{_differing_columns(report)}"


COLUMNS_SAID = 3  # a drift's reason names at most this many columns, those whose distributions differ most


def _differing_columns(report: ParityReport) -> str:
    """The columns whose distributions differ most between the two test sets (KS for numbers, total variation for
    categories, both 0 to 1), for a drift's reason: a newcomer's sweep had to open parity.json to find that
    movie-review's SentenceId, numbered on from the training set's in Kaggle's test file, was all the classifier
    needed."""
    compared = [c for c in report.columns if c.get("kind") in ("number", "category")
                and c.get("value") is not None and np.isfinite(c["value"])]  # fmt: skip  # nan: a side with no number
    most = sorted(compared, key=lambda c: -c["value"])[:COLUMNS_SAID]  # stable: ties in the columns' order
    if not most:
        return ""
    said = ", ".join(f"{c['column']} ({c['statistic']} {c['value']:.3f})" for c in most)
    return f"; the number and category columns that differ most: {said}"


TARGET_GAPS_SAID = 5  # the reason names at most this many targets' gaps, the largest


def _target_gaps(report: ParityReport, original_set: str) -> str:
    """The largest of the targets' baseline gaps between the new and the original test set (column-wise metrics), for
    the reason: every target's would be 4,000 characters with lish-moa's 206 (the scores table has them all)."""
    scores = {(r["test_set"], r["target"]): r["score"] for r in report.rows
              if r["submission"] == "baseline" and r.get("target") is not None}  # fmt: skip
    gaps = [(score - scores[(original_set, target)], target)
            for (test_set, target), score in scores.items()
            if test_set == "new test" and score is not None and scores.get((original_set, target)) is not None]  # fmt: skip
    if not gaps:
        return ""
    said = sorted(gaps, key=lambda gap: -abs(gap[0]))[:TARGET_GAPS_SAID]  # stable: ties in the targets' order
    more = f", the largest {len(said)} of {len(gaps)}" if len(gaps) > len(said) else ""
    signed = ", ".join(f"{target} {'+' if gap > 0 else ''}{_said(gap)}" for gap, target in said)
    return f"; per target (new minus original{more}): {signed}"


def _original_format_submissions(inputs: ParityInputs, model, metric: Metric) -> list[tuple[str, pd.DataFrame]]:
    """The sample submission as the competition shipped it, and the baseline's predictions for the original test
    rows in the same format (keys from the sample, predictions in its other columns)."""
    sample = inputs.original_sample.reset_index(drop=True)
    test = inputs.original_public_test.reset_index(drop=True)
    if inputs.submission_columns:  # the recipe names the submission's columns: Kaggle's sample has them
        rows = _rows_by_submission_key(sample, test, inputs)
        predicted = {name: source for name, source in inputs.submission_columns
                     if source in inputs.targets and name in sample.columns}  # fmt: skip
    else:
        if inputs.id_column and inputs.id_column in sample.columns and inputs.id_column in test.columns:
            rows = sample[[inputs.id_column]].merge(test, on=inputs.id_column, how="left")
        else:  # no id: Kaggle's sample lists the test rows in the test file's order
            rows = test
        predicted = {c: c for c in sample.columns if c not in test.columns and c != inputs.id_column}
    predictions = predict(model, inputs, metric, rows)
    baseline = sample.copy()
    if isinstance(predictions, pd.DataFrame):
        for column, source in predicted.items():
            baseline[column] = predictions[source].to_numpy() if source in predictions else 0.0
    else:
        baseline[next(iter(predicted))] = np.asarray(predictions)
    return [("sample submission", sample), ("baseline", baseline)]


def _rows_by_submission_key(sample: pd.DataFrame, test: pd.DataFrame, inputs: ParityInputs) -> pd.DataFrame:
    """The original test rows of Kaggle's sample, in its order, found by the recipe's submission key (``Id`` from
    ``id``, ``id`` from ``{sentence_id}_{token_id}``), built on the original test set as the split builds it; where
    the test set lacks a key's columns, the sample lists the test rows in the test file's order. A sample row whose key
    no test row has is :class:`UnmatchedSample` (its baseline would predict from no features)."""
    keys = inputs.original_test_keys
    names = list(keys.columns) if keys is not None else []
    if keys is None or not all(name in sample.columns for name in names):
        return test
    hidden = [f"__mlecurate_key{i}" for i in range(len(names))]  # a key may share a test column's name
    built = test.assign(**{h: keys[name].to_numpy() for h, name in zip(hidden, names, strict=True)})
    wanted = sample[names].fillna("").astype(str).set_axis(hidden, axis=1)
    rows = wanted.merge(built, on=hidden, how="left", indicator=True)
    missing = rows["_merge"] != "both"
    if missing.any():
        first = ", ".join(repr(v) for v in wanted[missing.to_numpy()].iloc[0])
        built_as = ", ".join(f"{n} as {s!r}" for n, s in inputs.submission_columns if n in names)
        raise UnmatchedSample(
            f"{int(missing.sum()):,} of {len(sample):,} rows of Kaggle's sample submission have a key no row of the "
            f"original test set has when built as the recipe's submission_columns build it ({built_as}; first: "
            f"{first}): no late submissions of the original format"
        )
    return rows.drop(columns=[*hidden, "_merge"])


class UnmatchedSample(ValueError):
    """Kaggle's sample names rows the original test set does not have, by the recipe's submission key."""


def _with_interval(
    metric: Metric, truth: pd.Series | pd.DataFrame, predictions, seed: int
) -> tuple[float, float | None, float | None]:
    """The metric's score with its 95% bootstrap interval (None, None when no resample could be scored)."""
    return (metric.exact_score(truth, predictions), *_interval(_bootstrap_rounds(metric, truth, predictions, seed)))


def _bootstrap_rounds(metric: Metric, truth: pd.Series | pd.DataFrame, predictions, seed: int) -> np.ndarray:
    """The unrounded score of each of BOOTSTRAP_ROUNDS resamples of the rows (the same resamples for every call of
    the same seed and row count): nan where it is not finite (a resample of constant answers has no Spearman
    correlation), -inf where the metric refused it (a resample with one class only has no AUC). What the metric does
    to the whole answers and predictions first (``Metric.stages``: labels typed) raises, as scoring them whole does."""
    score_rows = metric.resampler(truth, predictions)  # labels typed once, not once per round (Metric.stages)
    rng = np.random.default_rng(seed)
    scores = np.full(BOOTSTRAP_ROUNDS, np.nan)
    for round_ in range(BOOTSTRAP_ROUNDS):
        index = rng.integers(0, len(truth), len(truth))
        try:
            score = float(score_rows(index))
        except ValueError:
            scores[round_] = -np.inf
            continue
        if np.isfinite(score):
            scores[round_] = score
    return scores


def _gap_interval(new: np.ndarray, original: np.ndarray, significance: float) -> tuple[float | None, float | None]:
    """The bootstrap interval of the score's gap, new minus original, holding 1 - ``significance`` of it: every
    scored round of the new test set against every scored round of the original one (the two are resampled
    independently, so each pair is a draw of the gap; all pairs, not one order of them: nothing left to chance, and a
    round that could not be scored on one side loses no round of the other). Two 95% intervals can overlap while the
    gap is well beyond noise (about 2.8 standard errors of it, where the two are alike in width). None, None when
    either side has no scored round."""
    return _interval(np.subtract.outer(new[np.isfinite(new)], original[np.isfinite(original)]).ravel(), significance)


def _combined_rounds(metric: Metric, per_target: list[np.ndarray]) -> np.ndarray:
    """A column-wise metric's rounds from its targets' rounds (the same resamples): what scoring every target of each
    resample at once gives, at a fraction of the cost (lish-moa's 206 targets were each scored twice per round)."""
    columns = np.vstack(per_target)
    refused = np.isneginf(columns).any(axis=0)
    combined = np.array([metric.combine_columns(columns[:, r]) for r in range(columns.shape[1])])
    combined[refused] = -np.inf
    return combined


def _interval(rounds: np.ndarray, significance: float = 0.05) -> tuple[float | None, float | None]:
    """The percentiles of the rounds' scores that hold 1 - ``significance`` of them (2.5th and 97.5th: a 95% interval),
    over the rounds that could be scored, as parity keeps scores (:func:`_shown`); None, None when none could."""
    samples = rounds[np.isfinite(rounds)]
    if not len(samples):
        return None, None
    low, high = np.percentile(samples, [50 * significance, 100 - 50 * significance])
    return _shown(float(low)), _shown(float(high))
