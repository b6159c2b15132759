"""Show a chart in the Dagster UI, inline, where its metadata is read.

>>> picture_metadata(context.instance, interval_plot(rows))  # Markdown: ![parity intervals: ...](/logs/...png)

Dagster 1.13's UI renders Markdown metadata, but strips ``data:`` image URLs (react-markdown's URL filter) and folds
any value of 1,000 characters or more behind a "[Show Markdown]" button, so a PNG inlined as base64 never shows.
What the webserver does serve is the instance's local compute-log folder, at ``/logs/<folder>/<name>/<extension>``
(with the file's content type). So each picture is written there once, named by its content's sha256 (the same chart
is one file; a file never changes once written), and the metadata is a short Markdown image pointing at it: shown
inline, without a click, on the asset's Overview, its events and its partitions.

The picture lives in the Dagster instance (``$DAGSTER_HOME/storage/mlecurate-pictures``), beside the runs it
describes; nothing removes it (a picture is a few tens of KB). An instance whose compute logs are not local gets a
sentence saying the picture is not shown, and so does a picture that could not be written (a full disk never fails
the step that drew it). A webserver behind ``--path-prefix``, or one that does not share the run's disk, cannot serve
the file and shows a broken image: that is not visible from here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import dagster as dg

# Dagster is pinned (pyproject): the webserver serves files for this class of compute-log manager only.
from dagster._core.storage.local_compute_log_manager import LocalComputeLogManager

from curation.plots import Chart
from validation.data_root import write_atomic

FOLDER = "mlecurate-pictures"  # under the compute-log folder, apart from Dagster's own per-run logs
PICTURE_LINK = re.compile(rf"\(/logs/{FOLDER}/([0-9a-f]{{32}})/png\)")


def remembered_picture(
    instance: dg.DagsterInstance, inputs: str, draw: Callable[[], Chart], what: str
) -> dg.MarkdownMetadataValue:
    """:func:`picture_metadata` of ``draw()``, drawn once per ``inputs`` (text naming everything the chart is a function
    of, its drawing code included): a leaderboard refreshed unchanged shows the picture already drawn for it instead of
    drawing it again (a quarter of a second each; 81 boards per scheduled refresh). What was shown is kept beside the
    pictures, under the sha256 of ``inputs``; it is drawn again when that or the picture it names is gone. An instance
    that cannot serve pictures gets the sentence saying so about ``what``, and nothing is drawn."""
    logs = instance.compute_log_manager
    if not isinstance(logs, LocalComputeLogManager):
        return _not_served(what, logs, "")
    key = hashlib.sha256(inputs.encode("utf-8")).hexdigest()[:32]
    shown = Path(logs.get_captured_local_path([FOLDER, "drawn", key], "md"))
    try:
        text = shown.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = None
    if text is not None and _pictures_exist(logs, text):
        return dg.MetadataValue.md(text)
    metadata = picture_metadata(instance, draw())
    if PICTURE_LINK.search(metadata.value):  # a picture, not a sentence that may not hold next time ("no snapshot")
        try:
            shown.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(shown, metadata.value.encode("utf-8"))
        except OSError:
            pass  # a full disk: drawn again next time, never a failed step
    return metadata


def _pictures_exist(logs: LocalComputeLogManager, text: str) -> bool:
    """Whether every picture the Markdown ``text`` points at is still on disk."""
    names = PICTURE_LINK.findall(text)
    return all(Path(logs.get_captured_local_path([FOLDER, name], "png")).exists() for name in names)


def picture_metadata(instance: dg.DagsterInstance, chart: Chart) -> dg.MarkdownMetadataValue:
    """``chart`` as Markdown metadata the UI shows inline: the picture (and its caption), or the sentence saying why
    there is nothing to draw."""
    if isinstance(chart, str):
        return dg.MetadataValue.md(chart)
    caption = f"\n\n{chart.caption}" if chart.caption else ""
    alt = chart.alt.replace("[", "(").replace("]", ")")
    logs = instance.compute_log_manager
    if not isinstance(logs, LocalComputeLogManager):
        return _not_served(alt, logs, caption)
    name = hashlib.sha256(chart.png).hexdigest()[:32]
    path = Path(logs.get_captured_local_path([FOLDER, name], "png"))
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, chart.png)
    except OSError as error:
        return dg.MetadataValue.md(
            f"_{alt}: not shown, {path} could not be written ({error.strerror or error})._{caption}"
        )
    return dg.MetadataValue.md(f"![{alt}](/logs/{FOLDER}/{name}/png){caption}")


def _not_served(alt: str, logs, caption: str) -> dg.MarkdownMetadataValue:
    return dg.MetadataValue.md(
        f"_{alt}: not shown. The UI serves pictures from the instance's local compute logs, and this instance "
        f"keeps them with {type(logs).__name__}._{caption}"
    )
