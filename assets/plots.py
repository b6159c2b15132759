"""Pictures for the Dagster UI: small PNG charts embedded in Markdown metadata.

>>> interval_plot(rows, tolerance=0.03)   # dg.MetadataValue.md("![...](data:image/png;base64,...)")

The UI renders Markdown metadata, images included, so a chart is a PNG drawn with matplotlib and inlined as a data
URL: no file to serve, and the picture is kept with the materialisation it describes. Each chart is a few hundred
pixels wide, so it fits the Overview at 1600 px without scrolling sideways.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping

import dagster as dg
import matplotlib

matplotlib.use("Agg")  # no display: draw to memory only (import order matters: before pyplot)
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from curation.curated import DISPUTED, NONE_GIVEN  # noqa: E402

WIDTH_INCHES = 6.4
DPI = 100  # 640 px wide: fits beside the UI's sidebar at 1600 px
ALL_TARGETS = "all"  # parity's label for the metric's own score over every target
NEW_TEST, ORIGINAL = "#1f6fb4", "#d9822b"  # the new test set, and the original one (Kaggle's, or its labels)
MEDAL_COLOURS = {"gold": "#d4af37", "silver": "#9a9a9a", "bronze": "#b0703c"}
COMPLEXITY_ORDER = ("low", "medium", "high", DISPUTED, NONE_GIVEN)


def markdown_image(figure: plt.Figure, alt: str, caption: str = "") -> dg.MarkdownMetadataValue:
    """``figure`` as a PNG inlined in Markdown (alt text for screen readers and tests), with an optional caption."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode()
    text = f"![{_alt(alt)}](data:image/png;base64,{encoded})"
    return dg.MetadataValue.md(text + (f"\n\n{caption}" if caption else ""))


def interval_plot(rows: pd.DataFrame, tolerance: float | None = None, metric: str = "") -> dg.MarkdownMetadataValue:
    """Parity's scores, each with its 95% interval: the new test set in blue, the original in orange; with
    ``tolerance``, the band the baseline's new-test score may move within around its original-test score (the score
    tolerance that decides the verdict when the original is labelled). ``rows``: submission, test_set, score, low,
    high (and target for a column-wise metric), as split_parity's scores table."""
    shown = rows[rows["score"].notna()].reset_index(drop=True)
    if shown.empty:
        return dg.MetadataValue.md("no scores: none could be computed")
    labels = [_row_label(row) for row in shown.itertuples()]
    height = 0.9 + 0.42 * len(shown)
    figure, axes = plt.subplots(figsize=(WIDTH_INCHES, height))
    positions = list(range(len(shown)))[::-1]  # first row on top
    for y, row in zip(positions, shown.itertuples(), strict=True):
        colour = NEW_TEST if row.test_set == "new test" else ORIGINAL
        low, high = row.low, row.high
        if pd.notna(low) and pd.notna(high):
            axes.plot([low, high], [y, y], color=colour, linewidth=3, solid_capstyle="butt", alpha=0.6)
        axes.plot([row.score], [y], "o", color=colour, markersize=7)
        axes.annotate(f"{row.score:.4g}", (row.score, y), textcoords="offset points", xytext=(0, 7), ha="center",
                      fontsize=8, color=colour)  # fmt: skip
    band = _tolerance_band(shown, tolerance)
    if band is not None:
        axes.axvspan(*band, color=ORIGINAL, alpha=0.12, label=f"tolerance ±{tolerance:g} around the original")
    axes.set_yticks(positions, labels, fontsize=9)
    axes.set_ylim(-0.7, len(shown) - 0.3)
    axes.set_xlabel(f"{metric or 'score'} (dot: score; bar: 95% bootstrap interval)", fontsize=9)
    axes.grid(axis="x", alpha=0.3)
    axes.plot([], [], "o", color=NEW_TEST, label="new test set")
    if (shown["test_set"] != "new test").any():
        axes.plot([], [], "o", color=ORIGINAL, label="original test set")
    axes.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.55 / (0.75 * height)), ncol=3)
    _tidy(axes)
    caption = (
        f"_Score tolerance ±{tolerance:g} not drawn: no baseline score on the original test set to hold the new one "
        "against._"
        if tolerance is not None and band is None
        else ""
    )
    return markdown_image(
        figure, "parity intervals: each score with its 95% interval, new vs original test set", caption
    )


def funnel_plot(funnel: pd.DataFrame) -> dg.MarkdownMetadataValue:
    """The candidate rules' funnel as bars of what each rule removed, on a log scale so that 3 and 2,666 both show;
    each bar labelled with what it removed and what remains. ``funnel``: rule, excluded, remaining."""
    steps = funnel.iloc[1:] if _starts_with_total(funnel) else funnel
    if steps.empty:
        return dg.MetadataValue.md("no rules enabled: every competition is a candidate")
    total = int(steps["remaining"].iloc[0] + steps["excluded"].iloc[0])
    figure, axes = plt.subplots(figsize=(WIDTH_INCHES, 0.9 + 0.42 * len(steps)))
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
    return markdown_image(figure, "candidate funnel: competitions each rule removed, and how many remain")


def complexity_mix_plot(counts: Mapping[str | None, int]) -> dg.MarkdownMetadataValue:
    """The benchmark's members by complexity (low, medium, high, then disputed and none given) as one bar each;
    ``counts`` as :func:`curation.curated.complexity_counts` gives them (None: no curator gave one)."""
    counts = {NONE_GIVEN if level is None else level: n for level, n in counts.items()}
    if not counts:
        return dg.MetadataValue.md("no members yet")
    order = [level for level in COMPLEXITY_ORDER if level in counts] + sorted(set(counts) - set(COMPLEXITY_ORDER))
    figure, axes = plt.subplots(figsize=(WIDTH_INCHES * 0.7, 2.4))
    colours = ["#7fb77e", "#f2c14e", "#e4572e", "#8e7dbe", "#bbbbbb", "#bbbbbb"]
    bars = axes.bar(order, [counts[level] for level in order], color=colours[: len(order)] + ["#bbbbbb"] * 9)
    axes.bar_label(bars, fontsize=9)
    axes.set_ylabel("members", fontsize=9)
    axes.set_title(f"{sum(counts.values())} members by complexity", fontsize=10)
    _tidy(axes)
    return markdown_image(figure, "complexity mix of the benchmark's members")


def leaderboard_plot(
    scores: pd.Series, thresholds: Mapping[str, float | None], higher_is_better: bool, metric: str = ""
) -> dg.MarkdownMetadataValue:
    """A leaderboard's score distribution (histogram) with the gold, silver and bronze thresholds as lines."""
    values = pd.to_numeric(scores, errors="coerce").dropna()
    if values.empty:
        return dg.MetadataValue.md("no scores on the leaderboard")
    figure, axes = plt.subplots(figsize=(WIDTH_INCHES, 2.6))
    axes.hist(values, bins=min(40, max(5, int(math.sqrt(len(values))))), color=NEW_TEST, alpha=0.7)
    for medal, colour in MEDAL_COLOURS.items():
        value = thresholds.get(medal)
        if value is not None and not pd.isna(value):
            axes.axvline(value, color=colour, linewidth=2, label=f"{medal} {value:.4g}")
    better = "higher" if higher_is_better else "lower"
    axes.set_xlabel(f"{metric or 'score'} ({better} is better)", fontsize=9)
    axes.set_ylabel("teams", fontsize=9)
    axes.set_title(f"{len(values):,} teams", fontsize=10)
    axes.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _tidy(axes)
    return markdown_image(figure, "leaderboard score distribution with the medal thresholds")


def _row_label(row) -> str:
    target = getattr(row, "target", ALL_TARGETS)
    suffix = f" / {target}" if isinstance(target, str) and target != ALL_TARGETS else ""
    return f"{row.submission} / {row.test_set}{suffix}"


def _tolerance_band(rows: pd.DataFrame, tolerance: float | None) -> tuple[float, float] | None:
    """The baseline's original-test score ± tolerance (its metric's own score), or None without one."""
    if tolerance is None:
        return None
    own = rows if "target" not in rows else rows[rows["target"].isin([ALL_TARGETS]) | rows["target"].isna()]
    original = own[(own["submission"] == "baseline") & (own["test_set"] != "new test")]
    if original.empty:
        return None
    score = float(original["score"].iloc[0])
    return score - tolerance, score + tolerance


def _starts_with_total(funnel: pd.DataFrame) -> bool:
    return len(funnel) > 0 and int(funnel["excluded"].iloc[0]) == 0 and str(funnel["rule"].iloc[0]).startswith("(")


def _tidy(axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=8)


def _alt(text: str) -> str:
    return text.replace("[", "(").replace("]", ")")
