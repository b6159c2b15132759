"""Whether each row's own file (recipe key ``row_files``) has what its format says it has: a warning check.

>>> check = check_row_files_whole(staging.public, facts.row_files)
>>> check.passed, check.found
(False, '2 of 1,200 row files look damaged: train/12.png (empty), train/57.png (a PNG cut short: ...)')

A split copies each row's file unchanged, so an empty image, or one cut short, reaches agents as it is. A file is
damaged when it is empty (but for text: a label file with no boxes is empty), or when its name says PNG, JPEG, GIF
or WAV and its first bytes are not that format's, or (PNG, GIF, WAV) its last bytes show it was cut short: no IEND
chunk, no trailer byte, fewer bytes than its RIFF header counts. Only a few bytes at each end are read (about 1.2 s
for 100,000 files, a tenth of such a split's time). A JPEG's end is not checked: cameras write kilobytes after the
end marker. The check warns; it does not stop the split (Kaggle may ship the files so, and agents would get them
so).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from validation.checks import Check
from validation.leakage import RowFileFact, SplitCheck

ROW_FILES_WHOLE = Check(
    "row_files_whole",
    "Every row's own file (recipe key `row_files`) but a text file has content, and a PNG, JPEG, GIF or WAV file "
    "starts (and, but for JPEG, ends) as its format does.",
    severity="warning",
    remedy="These files are so in the download (`raw/<slug>/`): download the competition again if it was cut short; "
    "if Kaggle ships them so, agents get them so too: say so in the annotation's note.",
)
SHOWN = 5  # damaged files named in the finding
TAIL = 4096  # bytes read at a file's end, where PNG's IEND chunk and GIF's trailer sit (and what follows them)
PNG_START = b"\x89PNG\r\n\x1a\n"


def _png(head: bytes, tail: bytes, size: int) -> str:
    if not head.startswith(PNG_START):
        return "not a PNG: it does not start with PNG's signature"
    return "" if b"IEND" in tail else f"a PNG cut short: no IEND chunk in its last {TAIL // 1024} KiB"


def _jpeg(head: bytes, tail: bytes, size: int) -> str:
    return "" if head.startswith(b"\xff\xd8\xff") else "not a JPEG: it does not start with JPEG's start marker"


def _gif(head: bytes, tail: bytes, size: int) -> str:
    if not head.startswith((b"GIF87a", b"GIF89a")):
        return "not a GIF: it does not start with GIF87a or GIF89a"
    return "" if tail.rstrip(b"\0").endswith(b";") else "a GIF cut short: it does not end with GIF's trailer byte"


def _wav(head: bytes, tail: bytes, size: int) -> str:
    if not (head.startswith((b"RIFF", b"RIFX", b"RF64")) and head[8:12] == b"WAVE"):
        return "not a WAV: it does not start with RIFF....WAVE"
    counted = int.from_bytes(head[4:8], "big" if head.startswith(b"RIFX") else "little") + 8
    if head.startswith(b"RF64") or counted in (8, 0xFFFFFFFF + 8):  # a 64-bit size elsewhere, or written streaming
        return ""
    # A last chunk of odd size may count its pad byte without having it.
    return "" if size >= counted - 1 else f"a WAV cut short: {size:,} bytes of the {counted:,} its header counts"


FORMATS = {".png": _png, ".jpg": _jpeg, ".jpeg": _jpeg, ".gif": _gif, ".wav": _wav}
# Text a row may have none of: an image's label file with no boxes, a recording's empty transcript.
MAY_BE_EMPTY = {".txt", ".csv", ".tsv", ".json", ".jsonl", ".xml", ".md"}


def damage(path: str | Path) -> str:
    """What is wrong with the file at ``path`` ("" when nothing is seen): a few bytes read at each end."""
    suffix = os.path.splitext(path)[1].lower()
    reader = FORMATS.get(suffix)
    if reader is None:
        return "empty" if suffix not in MAY_BE_EMPTY and os.stat(path).st_size == 0 else ""
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        if size == 0:
            return "empty"
        return reader(os.pread(fd, 16, 0), os.pread(fd, TAIL, max(0, size - TAIL)), size)
    finally:
        os.close(fd)


def check_row_files_whole(public: Path, row_files: Iterable[RowFileFact]) -> SplitCheck:
    """The :data:`ROW_FILES_WHOLE` check over the row files copied to ``public/``."""
    files = list(row_files)
    if not files:
        return SplitCheck(ROW_FILES_WHOLE.name, True, "no row files (the recipe sets no row_files)")
    top = str(public)
    damaged = [(f.path, problem) for f in files if (problem := damage(os.path.join(top, f.path)))]
    formats = sum(Path(f.path).suffix.lower() in FORMATS for f in files)
    metadata = {"row_files": len(files), "damaged": len(damaged), "of_known_formats": formats}
    if not damaged:
        known = (
            f"; {formats:,} PNG, JPEG, GIF or WAV files start as their formats do and none looks cut short"
            if formats
            else " (none is a PNG, JPEG, GIF or WAV file, whose contents this check reads: the others are checked "
            "for being empty only)"
        )
        return SplitCheck(ROW_FILES_WHOLE.name, True, f"{len(files):,} row files, none empty{known}", metadata)
    named = ", ".join(f"{path} ({problem})" for path, problem in damaged[:SHOWN])
    more = f", and {len(damaged) - SHOWN:,} more" if len(damaged) > SHOWN else ""
    return SplitCheck(
        ROW_FILES_WHOLE.name,
        False,
        f"{len(damaged):,} of {len(files):,} row files look damaged: {named}{more}",
        metadata,
    )
