"""Split a CSV file by row number as bytes: the new train set is the original's lines, not a rewrite of them.

>>> split_lines(Path("train.csv"), test_rows, test_hashes, total_rows=891, train_out=..., test_out=...)
True

When every row of a CSV file is one line (no quoted line break, no blank line: checked by counting, see below), the
rows that stay in training are copied as they were written (quoting, line ends, a byte-order mark in the header),
in the file's order. The test rows' lines go to ``test_out`` after the header, ordered by their unit hash (ties by
the line's bytes), so the builder only has to drop the target columns, reading them in order. That costs a read and
a write of the bytes, without parsing a field or formatting a value, which is why a split of a large CSV costs less
than DuckDB reading and writing it once.

The order is made in bounded memory: while copying, each test line is appended to one of a few bucket files by hash
range (:data:`BUCKET_BYTES` each, about); each bucket is then read whole, ordered, and appended to ``test_out``.
Memory is one read chunk (:data:`CHUNK_BYTES`), one bucket, and the test rows' numbers and hashes.

The mapping of rows to lines is proved, not assumed: DuckDB reported ``total_rows`` rows; the file must hold exactly
``total_rows`` lines after the header. A quoted line break or a skipped blank line adds a line, so any mismatch
means some row is not one line: every output is removed and ``False`` returned, and the caller splits through
DuckDB instead.
"""

from __future__ import annotations

import math
import os
from contextlib import ExitStack
from pathlib import Path

import numpy as np

CHUNK_BYTES = 16 << 20
BUCKET_BYTES = 64 << 20
NEWLINE = 10
IOV_MAX = 1024  # buffers one writev call takes (POSIX's minimum for IOV_MAX, Linux's value)


def line_ends(source: Path) -> int:
    """How many line feeds ``source`` holds: with a header line, at least as many as its rows (a quoted line break
    adds one more; only a file whose lines end in a lone CR has fewer)."""
    count = 0
    with open(source, "rb") as lines:
        while chunk := lines.read(CHUNK_BYTES):
            count += chunk.count(b"\n")
    return count


def split_lines(
    source: Path, test_rows: np.ndarray, test_hashes: np.ndarray, total_rows: int, train_out: Path, test_out: Path
) -> bool:
    """Copy the header and the lines of rows not in ``test_rows`` (0-based, ascending) to ``train_out``; the header
    and the lines of ``test_rows`` in ``test_hashes`` order to ``test_out``. ``False`` (nothing left behind) when
    rows are not lines."""
    test_rows = np.asarray(test_rows, dtype=np.int64)
    test_hashes = np.asarray(test_hashes, dtype=np.uint64)
    share = len(test_rows) / max(total_rows, 1)
    count = max(1, math.ceil(source.stat().st_size * share * 1.2 / BUCKET_BYTES))
    bucket_of = _buckets(test_hashes, count)
    buckets = [test_out.with_name(f"{test_out.name}.bucket-{b}") for b in range(count)]
    try:
        with ExitStack() as files:
            reader = files.enter_context(open(source, "rb", buffering=0))
            train = files.enter_context(open(train_out, "wb", buffering=0))
            bucket_files = [files.enter_context(open(path, "wb", buffering=0)).fileno() for path in buckets]
            router = _Router(test_rows, bucket_of, train.fileno(), bucket_files)
            lines = router.copy(reader)
        if lines != total_rows + 1:
            _remove(train_out, test_out)
            return False
        with open(test_out, "wb", buffering=0) as test:
            _write_fully(test.fileno(), memoryview(router.header))
            for b, path in enumerate(buckets):
                _write_ordered(path.read_bytes(), test_hashes[bucket_of == b], test.fileno())
                path.unlink()
    except BaseException:
        _remove(train_out, test_out)
        raise
    finally:
        _remove(*buckets)
    return True


def _buckets(hashes: np.ndarray, count: int) -> np.ndarray:
    """Each test row's bucket: ``count`` ranges of hash with about as many rows each, equal hashes together."""
    if count == 1 or len(hashes) == 0:
        return np.zeros(len(hashes), dtype=np.int64)
    ordered = np.sort(hashes)
    bounds = ordered[(np.arange(1, count) * len(hashes)) // count]
    return np.searchsorted(bounds, hashes, side="right")


class _Router:
    """Streams the file, sending each line to the train file or to its test row's bucket."""

    def __init__(self, test_rows: np.ndarray, bucket_of: np.ndarray, train: int, buckets: list[int]):
        self.test_rows, self.bucket_of, self.train, self.buckets = test_rows, bucket_of, train, buckets
        self.header = b""
        self.next_test = 0  # index into test_rows of the next test row to meet

    def copy(self, reader) -> int:
        """Route every line; return the number of lines (header included) seen."""
        buffer = bytearray(CHUNK_BYTES)
        view = memoryview(buffer)
        line = 0  # the file line number of the first line in the buffer (0: the header)
        carried = 0  # bytes of an unfinished line kept at the buffer's start
        while True:
            if carried == len(buffer):  # a line longer than the buffer: grow it
                view.release()
                buffer.extend(bytes(len(buffer)))
                view = memoryview(buffer)
            read = reader.readinto(view[carried:])
            filled = carried + read
            if not read:
                if filled:  # a last line without a line break
                    self._route(view, np.array([filled - 1]), line, unterminated=True)
                    line += 1
                view.release()
                return line
            ends = np.flatnonzero(np.frombuffer(buffer, dtype=np.uint8, count=filled) == NEWLINE)
            if len(ends) == 0:
                carried = filled
                continue
            self._route(view, ends, line)
            line += len(ends)
            rest = filled - int(ends[-1]) - 1
            view[:rest] = view[filled - rest : filled]
            carried = rest

    def _route(self, view: memoryview, ends: np.ndarray, line: int, unterminated: bool = False) -> None:
        """The lines ending at ``ends`` are file lines ``line`` onwards; test row r is file line r + 1."""
        if line == 0:
            self.header = bytes(view[: int(ends[0]) + 1])
        stop = int(np.searchsorted(self.test_rows, line + len(ends) - 2, side="right"))
        mine = self.test_rows[self.next_test : stop] + 1 - line  # their positions among these lines
        buckets = self.bucket_of[self.next_test : stop]
        self.next_test = stop
        starts = np.concatenate(([0], ends[:-1] + 1))
        test_starts, test_ends = starts[mine], ends[mine] + 1
        for b in np.unique(buckets).tolist():
            here = buckets == b
            _write_spans(self.buckets[b], view, test_starts[here], test_ends[here])
            if unterminated:  # the file's last line, without its line break: it gets one, not to run into the next
                _write_spans(self.buckets[b], memoryview(b"\n"), np.array([0]), np.array([1]))
        kept_starts = np.concatenate(([0], test_ends))
        kept_ends = np.concatenate((test_starts, [ends[-1] + 1]))
        nonempty = kept_ends > kept_starts
        _write_spans(self.train, view, kept_starts[nonempty], kept_ends[nonempty])


def _write_ordered(data: bytes, hashes: np.ndarray, out: int) -> None:
    """Append the lines of ``data`` (one per hash, in the same order: the file's) to ``out`` by hash; the rows of
    one unit keep the file's order (a sentence's tokens in text-normalization: ordered by their bytes, token 10 had
    come before token 2, a sweep)."""
    if not data:
        return
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == NEWLINE) + 1
    starts = np.concatenate(([0], ends[:-1]))
    order = np.argsort(hashes, kind="stable")
    _write_spans(out, memoryview(data), starts[order], ends[order])


def _write_spans(fd: int, view: memoryview, starts: np.ndarray, ends: np.ndarray) -> None:
    """Write ``view[starts[i]:ends[i]]`` for each i, in order, a ``writev`` call per :data:`IOV_MAX` spans."""
    for first in range(0, len(starts), IOV_MAX):
        begin, end = starts[first : first + IOV_MAX], ends[first : first + IOV_MAX]
        pieces = [view[b:e] for b, e in zip(begin.tolist(), end.tolist(), strict=True)]
        written = os.writev(fd, pieces)
        if written == int((end - begin).sum()):
            continue
        for piece in pieces:  # a short write (rare): finish the rest piece by piece
            if written >= len(piece):
                written -= len(piece)
                continue
            _write_fully(fd, piece[written:])
            written = 0


def _write_fully(fd: int, data: memoryview) -> None:
    while len(data):
        data = data[os.write(fd, data) :]


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
