"""Run-length encoded masks, as Kaggle's segmentation competitions write them: ``start length`` pairs of pixel numbers,
1-indexed, starts ascending, runs not overlapping (hubmap-kidney-segmentation's ``encoding``, carvana's ``rle_mask``).

>>> runs("1 3 10 2")
(array([ 1, 10]), array([ 4, 12]))
>>> overlap(runs("1 3 10 2"), runs("3 9"))   # pixels 3 and 10-11
3

A mask is compared with another as sets of pixel numbers, so no image size is needed: both count pixels the same
way (top-down then left-right, or the other way) when they come from one competition. An empty cell, or a lone
``-`` (contrails' sample), is an empty mask. Without the size, a predicted pixel past the image's last one counts as
a pixel predicted wrongly, where MLE-bench's decoder, given the answers' height and width, drops it.
"""

from __future__ import annotations

import numpy as np

EMPTY_MASKS = ("", "-")
# No image has this many pixels (a trillion: a million by a million); a pixel number past it is a mistake, and
# starts plus lengths stay far inside 64 bits
MAX_PIXEL = 10**12
_MAX_DIGITS = len(str(MAX_PIXEL))


def runs(text) -> tuple[np.ndarray, np.ndarray]:
    """A mask's runs as (starts, ends), ends exclusive; empty arrays for an empty mask. Raises ValueError saying what
    is wrong with a text that is no run-length encoding."""
    text = "" if text is None else str(text).strip()
    if text in EMPTY_MASKS:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    words = text.split()
    if not "".join(words).isdecimal():  # what the regular expression \d+(\s+\d+)* takes, at C speed
        raise ValueError("not start and length pairs of whole numbers")
    if max(map(len, words)) > _MAX_DIGITS and any(len(word.lstrip("0")) > _MAX_DIGITS for word in words):
        raise ValueError(f"a pixel number past {MAX_PIXEL:,} (no image has so many pixels)")  # never int() of them
    numbers = np.array(words, dtype=np.int64)
    if (numbers > MAX_PIXEL).any():
        raise ValueError(f"a pixel number past {MAX_PIXEL:,} (no image has so many pixels)")
    if len(numbers) % 2:
        raise ValueError(f"an odd count of numbers ({len(numbers):,}): a start without its length")
    starts, lengths = numbers[0::2], numbers[1::2]
    if (starts < 1).any() or (lengths < 1).any():
        raise ValueError("a start or a length of 0 (pixels are numbered from 1, and a run has at least one)")
    ends = starts + lengths
    if (starts[1:] < ends[:-1]).any():
        at = int(np.flatnonzero(starts[1:] < ends[:-1])[0])
        what = "before" if starts[at + 1] < starts[at] else "inside"
        raise ValueError(f"the run at {starts[at + 1]} starts {what} the one at {starts[at]} (length {lengths[at]})")
    return starts, ends


def first_bad_mask(values) -> tuple[int, int, str] | None:
    """(how many values are no run-length encoding, the position of the first, why), or None when all are."""
    bad, first = 0, None
    for position, text in enumerate(values):
        try:
            runs(text)
        except ValueError as error:
            bad += 1
            first = first or (position, str(error))
    return None if first is None else (bad, *first)


def size(mask: tuple[np.ndarray, np.ndarray]) -> int:
    """The mask's pixels."""
    starts, ends = mask
    return int((ends - starts).sum())


def coverage(masks: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The masks' run boundaries in order, and how many of the masks cover the stretch from each to the next (at one
    point, ends before starts: a run ending where another starts shares nothing with it)."""
    empty = np.zeros(0, dtype=np.int64)
    starts = np.concatenate([mask[0] for mask in masks] or [empty])
    ends = np.concatenate([mask[1] for mask in masks] or [empty])
    points = np.concatenate((starts, ends))
    steps = np.concatenate((np.ones(len(starts), dtype=np.int64), -np.ones(len(ends), dtype=np.int64)))
    order = np.lexsort((steps, points))
    return points[order], np.cumsum(steps[order])


def overlap(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> int:
    """The pixels two masks share: the stretches both cover."""
    if not len(a[0]) or not len(b[0]):
        return 0
    points, covering = coverage([a, b])
    return int(np.diff(points)[covering[:-1] == 2].sum())


def text(mask: tuple[np.ndarray, np.ndarray]) -> str:
    """A mask as its run-length encoding."""
    starts, ends = mask
    return " ".join(f"{start} {end - start}" for start, end in zip(starts.tolist(), ends.tolist(), strict=True))


def covered_by(boundaries: tuple[np.ndarray, np.ndarray], least: int) -> tuple[np.ndarray, np.ndarray]:
    """The mask of the pixels that at least ``least`` masks cover, from their :func:`coverage` (a mean mask, for
    ``least`` half of them): one sort serves every ``least``."""
    points, covering = boundaries
    kept = (covering[:-1] >= least) & (np.diff(points) > 0)
    lows, highs = points[:-1][kept], points[1:][kept]
    joined = np.concatenate(([True], lows[1:] != highs[:-1])) if len(lows) else np.zeros(0, dtype=bool)
    run_ends = np.concatenate((np.flatnonzero(joined)[1:] - 1, [len(lows) - 1])) if len(lows) else np.zeros(0, int)
    return lows[joined], highs[run_ends]
