"""Pictures for the Dagster UI and the curators' workbench: small PNG charts drawn with matplotlib (the standard
plotting library). Plain Python, no Dagster: ``assets`` and ``curation.workbench`` both draw with it.

>>> interval_plot(rows, tolerance=0.03)   # Picture(png=b"\\x89PNG...", alt="parity intervals: ...")

Each chart returns a :class:`Picture` (or, when there is nothing to draw, a sentence saying why);
:func:`assets.pictures.picture_metadata` turns it into Markdown metadata the UI shows inline. Each chart is a few
hundred pixels wide, so it fits the Overview at 1600 px without scrolling sideways.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from curation.curated import DISPUTED, NONE_GIVEN

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH_INCHES = 4.4
DPI = 100  # at most 440 px wide: fits the value column of the metadata table at 1600 px, whatever its keys
LABEL_CHARACTERS = 30  # a row label's longest line: about a third of the picture's width
ALL_TARGETS = "all"  # parity's label for the metric's own score over every target
TARGETS_DRAWN = 12  # of a column-wise metric's targets, at most this many are drawn in the parity picture
NEW_TEST, ORIGINAL = "#1f6fb4", "#d9822b"  # the new test set, and the original one (Kaggle's, or its labels)
GAP_COLOUR = "#7b4fa0"  # parity's gap interval (new minus original), drawn from the original score
MEDAL_COLOURS = {"gold": "#d4af37", "silver": "#9a9a9a", "bronze": "#b0703c"}
MARK_COLOUR = "#222222"  # a submission placed on a board (the sample submission)
COMPLEXITY_ORDER = ("low", "medium", "high", DISPUTED, NONE_GIVEN)


@dataclass(frozen=True)
class Picture:
    """A chart as PNG bytes, with its alt text (what it shows, for screen readers and tests) and an optional
    caption shown under it."""

    png: bytes
    alt: str
    caption: str = ""


Chart = Picture | str  # a str: why there is nothing to draw


def _pyplot():
    """matplotlib's pyplot drawing to memory only, imported on the first chart: importing it takes about a second,
    which every process loading the Dagster definitions (each `dagster job execute`, each Celery step) would pay."""
    import matplotlib

    matplotlib.use("Agg")  # no display (before pyplot is imported)
    import matplotlib.pyplot as pyplot

    return pyplot


def picture(figure: Figure, alt: str, caption: str = "") -> Picture:
    """``figure`` drawn as PNG (and closed). Laid out to fit its WIDTH_INCHES; should labels still reach past its
    edges, the PNG grows to hold them (a wider picture beats a clipped one). Drawn once when it fits: the pixels of
    that drawing are the PNG (``savefig`` would draw it all again: about half of a picture's time)."""
    from PIL import Image  # matplotlib's own dependency

    buffer = io.BytesIO()
    figure.set_dpi(DPI)
    figure.set_layout_engine("constrained")  # labels and legends fit inside the figure: its width is the PNG's
    figure.canvas.draw()
    drawn, canvas = figure.get_tightbbox(), figure.bbox_inches
    clipped = drawn.x0 < 0 or drawn.y0 < 0 or drawn.x1 > canvas.x1 + 0.01 or drawn.y1 > canvas.y1 + 0.01
    if clipped:
        figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    else:
        Image.fromarray(np.asarray(figure.canvas.buffer_rgba())).save(buffer, format="png")
    _pyplot().close(figure)
    return Picture(buffer.getvalue(), alt, caption)


def interval_plot(
    rows: pd.DataFrame, tolerance: float | None = None, metric: str = "", gap: tuple[float, float] | None = None
) -> Chart:
    """Parity's scores, each with its 95% interval: the new test set in blue, the original in orange; with
    ``tolerance``, the band the baseline's new-test score may move within around its original-test score (how far
    the score may move, ``ParityReport.allowed_gap``, when the original is labelled); with ``gap`` (the gap's own
    interval, new minus original: ``ParityReport.gap_low``, ``gap_high``), a last row drawing it from the original
    score, so the picture shows both of what decides: the new score inside the band, or the gap's interval reaching
    the original score (no gap beyond sampling noise). ``rows``: submission, test_set, score, low, high (and target
    for a column-wise metric), as split_parity's scores table."""
    shown = rows[rows["score"].notna()].reset_index(drop=True)
    if shown.empty:
        return "no scores: none could be computed"
    shown, left_out, chosen_by = _targets_drawn(shown)
    origin = _baseline_original(shown)
    if gap is not None and origin is not None and None not in gap:
        low, high = origin + gap[0], origin + gap[1]
        shown = shown.reset_index(drop=True)
        shown.loc[len(shown), ["submission", "test_set", "low", "high"]] = ["baseline gap", "from original", low, high]
    labels = [_row_label(row) for row in shown.itertuples()]
    height = 1.4 + 0.42 * len(shown) + 0.14 * sum("\n" in label for label in labels)  # + title, two-row legend
    figure, axes = _pyplot().subplots(figsize=(WIDTH_INCHES, height), layout="constrained")
    positions = list(range(len(shown)))[::-1]  # first row on top
    for y, row in zip(positions, shown.itertuples(), strict=True):
        if pd.isna(row.score):  # the gap's interval, drawn from the original score
            axes.plot([row.low, row.high], [y, y], color=GAP_COLOUR, linewidth=3, solid_capstyle="butt", alpha=0.8)
            axes.plot([origin, origin], [y - 0.3, y + 0.3], color=ORIGINAL, linewidth=1.5)
            continue
        colour = NEW_TEST if row.test_set == "new test" else ORIGINAL
        low, high = row.low, row.high
        if pd.notna(low) and pd.notna(high):
            axes.plot([low, high], [y, y], color=colour, linewidth=3, solid_capstyle="butt", alpha=0.6)
        axes.plot([row.score], [y], "o", color=colour, markersize=7)
        axes.annotate(f"{row.score:.4g}", (row.score, y), textcoords="offset points", xytext=(0, 7), ha="center",
                      fontsize=8, color=colour)  # fmt: skip
    band = None if tolerance is None or origin is None else (origin - tolerance, origin + tolerance)
    if band is not None:
        axes.axvspan(*band, color=ORIGINAL, alpha=0.12, label=f"original ±{tolerance:g} (tolerance)")
    axes.set_yticks(positions, labels, fontsize=9)
    axes.set_ylim(-0.7, len(shown) - 0.3)
    figure.suptitle(metric or "score", fontsize=9)
    axes.set_xlabel("dot: score; bar: its 95% bootstrap interval", fontsize=8)
    axes.grid(axis="x", alpha=0.3)
    axes.plot([], [], "o", color=NEW_TEST, label="new test set")
    if (shown["test_set"] != "new test").any():
        axes.plot([], [], "o", color=ORIGINAL, label="original test set")
    if shown["score"].isna().any():
        axes.plot([], [], color=GAP_COLOUR, linewidth=3, label="baseline gap's 95% interval, new − original")
    figure.legend(fontsize=8, frameon=False, loc="outside lower center", ncol=2)
    _tidy(axes)
    notes = []
    if band is None:
        notes.append("_Score tolerance not drawn: no baseline scores on both the original and the new test set to "
                     "hold against each other._")  # fmt: skip
    if left_out:
        notes.append(f"_{left_out:,} more target(s) not drawn: the {TARGETS_DRAWN} drawn are "
                     f"{_WHICH_DRAWN[chosen_by]}; the scores table has every one._")  # fmt: skip
    return picture(figure, "parity intervals: each score with its 95% interval, new vs original test set",
                   " ".join(notes))  # fmt: skip


_WHICH_DRAWN = {
    "gap": "those whose baseline score moves most from the original test set",
    "interval": "those whose baseline interval on the new test set is widest",
    "order": "the first in the table (no baseline score to choose by)",
}


def _targets_drawn(rows: pd.DataFrame) -> tuple[pd.DataFrame, int, str]:
    """The rows to draw, how many targets were left out and how those drawn were chosen (a key of _WHICH_DRAWN):
    every combined row, and of a column-wise metric's targets the TARGETS_DRAWN where the new test set looks least
    like Kaggle's (lish-moa's 206 targets drew a picture 22,000 pixels tall): the largest gaps between the baseline's
    scores on the new and the original test set, or without an original, the widest intervals of the baseline's
    score on the new test set."""
    if "target" not in rows:
        return rows, 0, "order"
    of_a_target = rows["target"].notna() & (rows["target"] != ALL_TARGETS)
    targets = rows.loc[of_a_target, "target"].drop_duplicates()
    if len(targets) <= TARGETS_DRAWN:
        return rows, 0, "order"
    baseline = rows[of_a_target & (rows["submission"] == "baseline")].set_index(["test_set", "target"])
    sets = set(baseline.index.get_level_values(0))
    if "new test" not in sets:
        concern, chosen_by = pd.Series(0.0, index=targets), "order"
    elif "original test" in sets:
        new, original = baseline.xs("new test", level="test_set"), baseline.xs("original test", level="test_set")
        concern, chosen_by = (new["score"] - original["score"]).abs(), "gap"
    else:
        new = baseline.xs("new test", level="test_set")
        concern, chosen_by = new["high"] - new["low"], "interval"
    concern = concern.reindex(targets).fillna(-1.0)
    kept = concern.sort_values(ascending=False, kind="stable").index[:TARGETS_DRAWN]
    drawn = rows[~of_a_target | rows["target"].isin(kept)]
    return drawn.reset_index(drop=True), len(targets) - TARGETS_DRAWN, chosen_by


def funnel_plot(funnel: pd.DataFrame) -> Chart:
    """The candidate rules' funnel as bars of what each rule removed, on a log scale so that 3 and 2,666 both show;
    each bar labelled with what it removed and what remains. ``funnel``: rule, excluded, remaining."""
    steps = funnel.iloc[1:] if _starts_with_total(funnel) else funnel
    if steps.empty:
        return "no rules enabled: every competition is a candidate"
    total = int(steps["remaining"].iloc[0] + steps["excluded"].iloc[0])
    figure, axes = _pyplot().subplots(figsize=(WIDTH_INCHES, 0.9 + 0.42 * len(steps)))
    positions = list(range(len(steps)))[::-1]
    removed = [max(int(v), 0) for v in steps["excluded"]]
    axes.barh(positions, [max(v, 0.8) for v in removed], color=NEW_TEST, alpha=0.75, height=0.6)
    axes.set_xscale("log")
    axes.set_xlim(0.7, max(max(removed), 1) * 12)  # room for the labels right of the longest bar
    for y, n, left in zip(positions, removed, steps["remaining"], strict=True):
        axes.annotate(f"removed {n:,}, {int(left):,} left", (max(n, 0.8), y), textcoords="offset points", xytext=(4, 0),
                      va="center", fontsize=8)  # fmt: skip
    axes.set_yticks(positions, list(steps["rule"]), fontsize=9)
    axes.set_xlabel("competitions removed by the rule (log scale)", fontsize=9)
    axes.set_title(f"{total:,} competitions -> {int(steps['remaining'].iloc[-1]):,} candidates", fontsize=10)
    _tidy(axes)
    return picture(figure, "candidate funnel: competitions each rule removed, and how many remain")


def complexity_mix_plot(counts: Mapping[str | None, int]) -> Chart:
    """The benchmark's members by complexity (low, medium, high, then disputed and none given) as one bar each;
    ``counts`` as :func:`curation.curated.complexity_counts` gives them (None: no curator gave one)."""
    counts = {NONE_GIVEN if level is None else level: n for level, n in counts.items()}
    if not counts:
        return "no members yet"
    order = [level for level in COMPLEXITY_ORDER if level in counts] + sorted(set(counts) - set(COMPLEXITY_ORDER))
    figure, axes = _pyplot().subplots(figsize=(WIDTH_INCHES * 0.7, 2.4))
    colours = ["#7fb77e", "#f2c14e", "#e4572e", "#8e7dbe", "#bbbbbb", "#bbbbbb"]
    bars = axes.bar(order, [counts[level] for level in order], color=colours[: len(order)] + ["#bbbbbb"] * 9)
    axes.bar_label(bars, fontsize=9)
    axes.set_ylabel("members", fontsize=9)
    axes.set_title(f"{sum(counts.values())} members by complexity", fontsize=10)
    _tidy(axes)
    return picture(figure, "complexity mix of the benchmark's members")


def leaderboard_plot(
    scores: pd.Series,
    thresholds: Mapping[str, float | None],
    higher_is_better: bool,
    metric: str = "",
    marks: Mapping[str, float] | None = None,
) -> Chart:
    """A leaderboard's score distribution (histogram) with the gold, silver and bronze thresholds as lines, its median
    dotted, and each of ``marks`` (e.g. ``{"sample submission": 1.0986}``: where a submission would fall) dashed.

    The axis spans :func:`board_window` (a few wild scores, a broken submission's 7.9e6 among RMSEs near 2, would
    otherwise squeeze every other team into one bar; the caption says how many are left off). When the medal places
    take under MEDAL_ZONE_SHARE of that axis (the three lines would draw as one), a second panel enlarges them."""
    values = pd.to_numeric(scores, errors="coerce").dropna()
    if values.empty:
        return "no scores on the leaderboard"
    window = board_window(values, higher_is_better)
    shown = values[values.between(*window)]
    medals = {m: float(v) for m, v in thresholds.items() if m in MEDAL_COLOURS and v is not None and not pd.isna(v)}
    zone = _medal_zone(medals, window)
    figure, panels = _pyplot().subplots(
        2 if zone else 1, 1, figsize=(WIDTH_INCHES, 4.4 if zone else 2.6), squeeze=False
    )
    marks = {name: float(v) for name, v in (marks or {}).items() if v is not None and not pd.isna(v)}
    for axes, (low, high) in zip(panels[:, 0], [window, zone] if zone else [window], strict=True):
        inside = values[values.between(low, high)]
        axes.hist(inside, bins=min(40, max(5, int(math.sqrt(len(inside))))), range=(low, high), color=NEW_TEST,
                  alpha=0.7)  # fmt: skip
        for medal, value in medals.items():
            if low <= value <= high:
                axes.axvline(value, color=MEDAL_COLOURS[medal], linewidth=2, label=f"{medal} {value:.4g}")
        median = float(values.median())
        if low <= median <= high:
            axes.axvline(median, color=MARK_COLOUR, linewidth=1, linestyle=":", label=f"median {median:.4g}")
        for name, value in marks.items():
            off = "" if low <= value <= high else " (off scale)"
            line = min(max(value, low), high)
            axes.axvline(line, color=MARK_COLOUR, linewidth=1.5, linestyle="--", label=f"{name} {value:.4g}{off}")
        axes.ticklabel_format(axis="x", useOffset=False)
        axes.set_ylabel("teams", fontsize=9)
        axes.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        _tidy(axes)
    better = "higher" if higher_is_better else "lower"
    panels[-1, 0].set_xlabel(f"{metric or 'score'} ({better} is better)", fontsize=9)
    panels[0, 0].set_title(f"{len(values):,} teams", fontsize=10)
    if zone:
        panels[1, 0].set_title("the medal places, enlarged", fontsize=9)
    left_off = len(values) - len(shown)
    caption = (
        f"{left_off:,} team(s) scoring beyond {_edge(window, higher_is_better):.4g} left off the scale"
        if left_off
        else ""
    )
    alt = "leaderboard score distribution with the medal thresholds" + (
        " and the medal places enlarged" if zone else ""
    )
    return picture(figure, alt, caption)


BOARD_SPREAD = 2.0  # the axis reaches this many best-to-median distances past the median, on the worse side
BOARD_KEPT = 0.9  # and always keeps at least this share of the teams
MEDAL_ZONE_SHARE = 0.05  # medal places narrower than this share of the axis get a panel of their own


def board_window(values: pd.Series, higher_is_better: bool) -> tuple[float, float]:
    """The scores a board's picture spans: from the best to BOARD_SPREAD best-to-median distances past the median, or
    further if that keeps fewer than BOARD_KEPT of the teams, never past the worst score. The best side is never cut:
    the medals are there."""
    best = float(values.max() if higher_is_better else values.min())
    worst = float(values.min() if higher_is_better else values.max())
    median = float(values.median())
    reach = median + (median - best) * BOARD_SPREAD  # past the median, away from the best
    kept = float(values.quantile(1 - BOARD_KEPT if higher_is_better else BOARD_KEPT))
    worse = max(worst, min(reach, kept)) if higher_is_better else min(worst, max(reach, kept))
    return (worse, best) if higher_is_better else (best, worse)


def _edge(window: tuple[float, float], higher_is_better: bool) -> float:
    return window[0] if higher_is_better else window[1]


def _medal_zone(medals: dict[str, float], window: tuple[float, float]) -> tuple[float, float] | None:
    """The medal lines' span with as much again on each side, when they take less than MEDAL_ZONE_SHARE of
    ``window`` (they would draw as one line); else None. Lines that coincide need no enlarging: the legend lists
    them."""
    if len(medals) < 2 or window[1] <= window[0]:
        return None
    low, high = min(medals.values()), max(medals.values())
    span = high - low
    if span == 0 or span >= MEDAL_ZONE_SHARE * (window[1] - window[0]):
        return None
    return low - span, high + span


def _row_label(row) -> str:
    """The row's submission and test set on a line, and its target (for a column-wise metric) under them, cut to
    LABEL_CHARACTERS: the plot keeps most of the picture's width."""
    target = getattr(row, "target", ALL_TARGETS)
    first = f"{row.submission} / {row.test_set}"
    if not isinstance(target, str) or target == ALL_TARGETS:
        return first
    return f"{first}\n{_cut(target)}"


def _cut(text: str) -> str:
    return text if len(text) <= LABEL_CHARACTERS else text[: LABEL_CHARACTERS - 1] + "…"


def _baseline_original(rows: pd.DataFrame) -> float | None:
    """The baseline's score on the original test set (its metric's own score, not a target's), or None."""
    own = rows if "target" not in rows else rows[rows["target"].isin([ALL_TARGETS]) | rows["target"].isna()]
    original = own[(own["submission"] == "baseline") & (own["test_set"] != "new test") & own["score"].notna()]
    return None if original.empty else float(original["score"].iloc[0])


def _starts_with_total(funnel: pd.DataFrame) -> bool:
    return len(funnel) > 0 and int(funnel["excluded"].iloc[0]) == 0 and str(funnel["rule"].iloc[0]).startswith("(")


def _tidy(axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=8)
