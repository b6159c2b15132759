"""Which rows of the training file become the new test set: one streaming read of the unit column.

>>> chosen = choose_test_rows(con, "SELECT CAST(id AS VARCHAR) AS __mlecurate_unit FROM ...", seed=0, fraction=0.1, path=path, where="titanic: ")
>>> chosen.rows, chosen.hashes, chosen.total     # row numbers (0-based, ascending), their unit hashes, rows read

Every row belongs to a unit (its id, its group, or its content) and units are ranked by
:func:`splits.unit_hash.unit_hashes` under the recipe's seed. The test set is the first ``round(rows * fraction)``
rows in hash order (for ``stratified``, each class's first rows, as many as its share of that, apportioned so that
the shares add up: :func:`_class_sizes`), and every row
whose unit hashes no higher than the last of them: a group is never cut, and the choice does not depend on the
order of the rows. A unit that would overshoot (it holds at least twice the rows still wanted: a group of most of the
file) is passed over for the next ones (:func:`_units_nearest`), unless what that leaves is further off than the
overshoot (:func:`_first`); the builder refuses a test set under half or over twice its size. ``temporal`` takes the
latest rows instead (:func:`latest_rows`). A row whose unit is missing (NULL) is never in the test set; the count of
such rows is kept (``ChosenRows.without_unit``) for the description.

DuckDB reads the file and streams the unit column (and the class, for ``stratified``) to numpy in file order; only
rows whose hash falls in the lowest ``1.1 * fraction`` of the hash range are kept (16 bytes each), so memory follows
the test set, not the file. Should too few fall there (a small file or a small class), the read is repeated keeping
every row of the classes that fell short (with many tiny classes, or with ``original_ratio`` or ``test_rows``,
whose share is known only after the count, that is every row: 16 bytes a row). A stratified unit chosen in one class takes its rows in
the others along, so a unit (an id with rows under several labels) is never cut.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from splits.time_column import INT64_MAX, BatchTimes, TimeCheck, TimeColumn
from splits.unit_hash import UNASSIGNED, unit_hashes
from validation.data_files import one_object_hint, setting

BATCH_ROWS = 1 << 20
SPILL_ROWS = 1 << 23  # unit hashes read back at a time (64 MB)
HEADROOM = 1.1  # rows kept while reading: hashes below this many times the test fraction of the range


class TooManyClasses(ValueError):
    """A stratified split of a target with fewer than two rows a class (a continuous one, or an id)."""


class TooFewRows(ValueError):
    """The file cannot give a test set of the asked size; the message names the file."""


@dataclass(frozen=True)
class ChosenRows:
    rows: np.ndarray  # row numbers in the file, ascending
    hashes: np.ndarray  # each chosen row's unit hash (uint64), aligned with rows
    total: int  # rows in the file
    # temporal only, what was divided by unit hash: "boundary" (rows sharing the time where the sets meet are on
    # both sides), "untimed" (the test set holds every timed row and some rows without a time), or ""
    divided: str = ""
    without_unit: int = 0  # random, group, stratified: rows whose unit (id, group) is missing, never in the test set
    # the rows asked for (whole units may miss them: _units_nearest; a stratified unit on rows of several classes
    # takes them all; a temporal split takes every row of the latest rows' units, however early)
    target: int = 0


def round_half_up(value: float) -> int:
    """SQL's and the recipe's rounding (2.5 -> 3), not Python's banker's rounding."""
    return int(np.floor(value + 0.5))


def test_size(total: int, fraction: float, path: Path, where: str, units: str = "rows") -> int:
    """The test set's size, ``fraction`` of ``total`` ``units`` (rows; ids, where a draw counts them)."""
    if total < 2:
        raise TooFewRows(f"{where}{path}: {total} row(s); a split needs at least 2{one_object_hint(path, total)}")
    target = round_half_up(total * fraction)
    if target < 1 or target >= total:
        raise TooFewRows(
            f"{where}{path}: a test set of {target} of {total} {units} leaves no {units} on one side; check the "
            "recipe's test_fraction, test_rows or original_ratio"
        )
    return target


def choose_test_rows(
    con, query: str, seed: int, fraction, path: Path, where: str, stratified_by: str | None = None
) -> ChosenRows:
    """The test rows of a ``random``, ``group`` or ``stratified`` split. ``query`` selects ``__mlecurate_unit`` (text) and,
    for a stratified split, ``__mlecurate_class`` (text) in file order; ``stratified_by`` names what the classes are
    (the target columns) in its error. ``fraction`` is a number or, for ``original_ratio`` and ``test_rows``, a function
    of the row count."""
    stratified = stratified_by is not None
    bound = _bound(fraction if not callable(fraction) else None)
    scan = _scan(con, query, seed, bound, stratified, full_classes=set())
    share = fraction(scan.total) if callable(fraction) else fraction
    target = test_size(scan.total, share, path, where)
    without_unit = scan.unassigned
    if not stratified:
        if len(scan.hashes) < target:  # few rows: read again, keeping all
            scan, bound = _scan(con, query, seed, UNASSIGNED - 1, False, set()), UNASSIGNED - 1
        chosen = _first(scan.rows, scan.hashes, target, scan.total, complete=bound >= UNASSIGNED - 1)
        if len(chosen.rows) < target and bound < UNASSIGNED - 1:  # large units passed over: read every unit
            scan = _scan(con, query, seed, UNASSIGNED - 1, False, set())
            chosen = _first(scan.rows, scan.hashes, target, scan.total)
        return replace(chosen, without_unit=without_unit, target=target)
    if len(scan.class_names) > scan.total / 2:
        raise TooManyClasses(
            f"{where}{path}: a stratified split keeps each class's share of the test set, but {stratified_by} has "
            f"{len(scan.class_names):,} classes among {scan.total:,} rows (fewer than two rows a class: a continuous "
            "target, or an id?); use kind random"
        )
    counts = np.array([scan.class_counts.get(code, 0) for code in range(len(scan.class_names))], dtype=np.int64)
    sizes = _class_sizes(scan.class_names, counts, target, scan.total, seed)
    wanted = dict(zip(scan.class_names, sizes.tolist(), strict=True))
    kept = np.bincount(scan.classes, minlength=len(scan.class_names))
    short = {name for code, name in enumerate(scan.class_names) if kept[code] < wanted[name]}
    if short:  # a small class: read again, keeping every row of the classes that fell short
        scan = _scan(con, query, seed, bound, True, full_classes=short)
    want = np.array([wanted.get(name, 0) for name in scan.class_names], dtype=np.int64)
    chosen = sorted_unique(_first_per_class(scan.hashes, scan.classes, want))
    if len(chosen) and int(chosen[-1]) > bound:  # a unit chosen in a short class may have rows in other classes
        return replace(rows_of_units(con, query, seed, chosen), without_unit=without_unit, target=target)
    sharing = Members(chosen).among(scan.hashes)  # every row of a chosen unit, whatever its class: a unit is never cut
    return ChosenRows(scan.rows[sharing], scan.hashes[sharing], scan.total, without_unit=without_unit, target=target)


def drawn_by_train_test_split(con, query: str, seed: int, fraction, rows: int | None, path: Path, where: str,
                              column: str = "", named: str = "ids") -> ChosenRows:  # fmt: skip
    """The test rows of a ``random`` split with ``draw: train_test_split``: as MLE-bench's prepare scripts draw them,
    scikit-learn's ``train_test_split`` over the rows in file order, or, where the unit ``column`` (the id, or a group
    split's group) repeats, over its values in the order they first appear, every row of a drawn id going to the test set;
    ``random_state`` the seed, ``test_size`` the share (a float: sklearn takes its ceiling of the rows or ids) or
    ``rows`` (a whole number of them: ``test_rows``); a group split's groups (``named`` "groups") are drawn so too,
    as MLE-bench draws iwildcam-2019's locations and nfl's plays. So the new test set is MLE-bench's, row for row
    (vinbigdata's ``image_id.unique()``: an image's box rows drawn one by one were cut across both sides, sweep 188), and depends
    on the rows' order, where the hash draw does not. Every row's unit hash is read (16 bytes a row); a row without
    an id drawn is refused, naming it, and so are ids that repeat beside rows without one (``unique()`` makes those
    one id, which no split can keep on one side)."""
    from sklearn.model_selection import train_test_split

    scan = _scan(con, query, seed, UNASSIGNED - 1, False, set())
    total = scan.total
    by_row = np.full(total, UNASSIGNED, dtype=np.uint64)
    by_row[scan.rows] = scan.hashes
    order, units = np.arange(total), "rows"
    blank = np.flatnonzero(by_row == UNASSIGNED)
    if column:
        _, first = np.unique(by_row, return_index=True)
        if len(first) + max(blank.size - 1, 0) < total:  # an id repeats (not the blank rows): draw the ids
            if blank.size:
                one = named.removesuffix("s")
                raise TooFewRows(
                    f"{where}{path}: {named} ({column}) repeat and {blank.size:,} row(s) have none (row "
                    f"{int(blank[0]) + 1:,}): "
                    f"train_test_split draws over the {named} as MLE-bench draws unique() ones, where the rows without "
                    f"one are one {one} whose rows no split keeps together; fill them in, or draw by hash (the default)"
                )
            order, units = np.sort(first), named
    count = len(order)
    share = rows if rows is not None else fraction(total) if callable(fraction) else fraction  # original_ratio: of rows
    size = rows if rows is not None else int(np.ceil(share * count))
    test_size(count, size / max(count, 1), path, where, units)  # refuses a test set of nothing, or of everything
    _, drawn = train_test_split(np.arange(count), test_size=share, random_state=seed)
    heads = np.sort(order[drawn])  # each drawn unit's first row
    if (missing := heads[by_row[heads] == UNASSIGNED]).size:
        raise TooFewRows(
            f"{where}{path}: row {int(missing[0]) + 1:,} (of {missing.size:,} drawn without one) has no id, and "
            "train_test_split draws every row: a test row needs its id; fill it in, or draw by hash (the default)"
        )
    chosen = np.flatnonzero(Members(by_row[heads]).among(by_row)) if units != "rows" else heads
    return ChosenRows(chosen.astype(np.int64), by_row[chosen], total, target=len(chosen))


def _class_sizes(names: list, counts: np.ndarray, target: int, total: int, seed: int) -> np.ndarray:
    """Each class's rows in a test set of ``target`` of ``total`` rows: its share rounded down, and the rows left over
    one each to the classes with the largest remainders (ties in the seeded hash order of the class names): the sizes
    add up to ``target``, each within one row of its share (the largest-remainder method, as scikit-learn's stratified
    split apportions). Rounding each share on its own made 30 classes of 25 rows at 10% a test set of 90, not 75."""
    exact = counts * target  # each share times ``total``: integers, no rounding error
    sizes = exact // total
    left = target - int(sizes.sum())
    if left:
        ties = unit_hashes(pa.array(names, type=pa.string()), seed)
        order = np.lexsort((ties, -(exact % total)))  # the largest remainder first, then by hash
        sizes[order[:left]] += 1
    return sizes


def _first_per_class(hashes: np.ndarray, classes: np.ndarray, want: np.ndarray) -> np.ndarray:
    """The hashes of each class's first ``want[class]`` rows in hash order (and of its rows tied with the last)."""
    count = len(want)
    order = np.lexsort((hashes, classes))  # by class, then hash: one sort, whatever the number of classes
    ordered = hashes[order]
    starts = np.searchsorted(classes[order], np.arange(count), side="left")
    take = np.minimum(want, np.bincount(classes, minlength=count))
    taking = take > 0
    last = np.zeros(count, dtype=np.uint64)
    last[taking] = ordered[starts[taking] + take[taking] - 1]
    return hashes[taking[classes] & (hashes <= last[classes])]


def latest_rows(
    con,
    source: str,
    unit: str,
    time: TimeColumn,
    seed: int,
    size: Callable[[int], int],
    most_rows: int,
    spill: Path,
    label: str = "",
) -> ChosenRows:
    """The test rows of a ``temporal`` split: the ``size(rows)`` latest rows by ``time`` (ties by unit hash), and
    every row sharing a unit with them. A column that is not a time is :class:`splits.time_column.NotATime`,
    raised before anything is written; ``label`` (the competition and the file) opens its message.

    One streaming read checks each row's time (:mod:`splits.time_column`) and keeps the latest rows in numpy (the
    best ``size(most_rows)`` and their ties, 24 bytes each, for instants and for numbers; rows without a time, the
    earliest of all, by hash) and writes every row's unit hash to ``spill`` (8 bytes a row, on disk); the rows of
    the chosen units are then found in that file, not by reading the data again. ``most_rows`` is what the file can
    hold at most (a CSV's line count: no count of the rows first); should the read find more, it is made again with
    the true count."""
    query = time.query(con, source, unit)
    try:
        with setting(con, "TimeZone", "UTC"):  # a time without an offset is UTC, whatever the session's zone
            return _latest_rows(con, query, source, time, seed, size, most_rows, spill, label)
    finally:
        spill.unlink(missing_ok=True)


def _latest_rows(con, query, source, time: TimeColumn, seed, size, most_rows, spill: Path, label) -> ChosenRows:
    try:
        room = max(size(most_rows), 1)
    except TooFewRows:
        room = max(most_rows, 1)  # the true count decides what to say; keep everything meanwhile
    instants, numbers, untimed = _Latest(room, np.int64), _Latest(room, np.float64), _Latest(room, np.uint64)
    check, total = TimeCheck(), 0
    with open(spill, "wb") as hashes_out, contextlib.closing(read_ahead(con, query)) as batches:
        for batch in batches:
            times = BatchTimes.of(batch)
            if check.offer(total, times):
                break  # not a time: said below, once the read has stopped
            h = unit_hashes(batch.column(0), seed)
            h.tofile(hashes_out)
            total += len(h)
            unit_known = h != UNASSIGNED  # a row without a unit is never in the test set: it takes no place there
            stamped, numbered = times.stamped & unit_known, times.numbered & unit_known
            instants.offer(-times.instants[stamped], h[stamped])
            numbers.offer(-times.numbers[numbered], h[numbered])
            rest = unit_known & ~times.stamped & ~times.numbered  # no time: after every row that has one
            untimed.offer(h[rest], h[rest])
    problem = check.problem()
    if problem is not None:
        raise time.refusal(con, source, label, problem)
    if total > most_rows:  # more rows than lines (a line end the count missed): read again, keeping enough
        return _latest_rows(con, query, source, time, seed, size, total, spill, label)
    target = size(total)
    if not check.timed:
        raise time.nothing_held(label, total)
    chosen, divided = _latest_of(instants, numbers, target, of_instants=check.first_instant is not None)
    if len(chosen) < target:  # the test set reaches rows without a time: by hash
        chosen, divided = np.concatenate((chosen, untimed.first(target - len(chosen)))), "untimed"
    return replace(_rows_in_spill(spill, chosen, total), divided=divided, target=target)


def _latest_of(instants: _Latest, numbers: _Latest, count: int, of_instants: bool) -> tuple[np.ndarray, str]:
    """The unit hashes of the ``count`` latest timed rows, and "boundary" when rows sharing the last one's time are
    left out (divided by hash; a row whose unit is chosen is not left out), else "". A column holds instants or
    numbers (TimeCheck refuses both); the infinities read as either ('inf' casts to a timestamp too), so the other
    kind holds only those, and they join the column's kind at its ends."""
    instant_keys, instant_hashes = instants.best()
    number_keys, number_hashes = numbers.best()
    if of_instants:
        number_keys = np.where(number_keys < 0, -INT64_MAX, INT64_MAX).astype(np.int64)
    else:
        instant_keys = np.where(instant_keys < 0, -np.inf, np.inf)
    keys = np.concatenate((instant_keys, number_keys))
    hashes = np.concatenate((instant_hashes, number_hashes))
    order = np.lexsort((hashes, keys))
    chosen = hashes[order[:count]]
    if not 0 < count < len(order):
        return chosen, ""
    at_boundary = hashes[keys == keys[order[count - 1]]]
    return chosen, "" if np.isin(at_boundary, chosen).all() else "boundary"


def _rows_in_spill(spill: Path, chosen_hashes: np.ndarray, total: int) -> ChosenRows:
    """:func:`rows_of_units`, over the unit hashes a streaming read wrote to ``spill`` (one uint64 a row)."""

    def spilled() -> Iterator[np.ndarray]:
        with open(spill, "rb") as hashes_in:
            for start in range(0, total, SPILL_ROWS):
                yield np.fromfile(hashes_in, dtype=np.uint64, count=min(SPILL_ROWS, total - start))

    return _rows_among(spilled(), chosen_hashes)


class _Latest:
    """The rows with the smallest keys seen so far (at least ``target`` of them, with every tie of the last)."""

    def __init__(self, target: int, dtype):
        self.target, self.dtype, self.waiting = target, dtype, 0
        self.keys: list[np.ndarray] = []  # negated microseconds or numbers (smallest first), or unit hashes
        self.hashes: list[np.ndarray] = []
        self.last = None  # the largest key that can still be among the first target (known after a prune)

    def offer(self, keys: np.ndarray, hashes: np.ndarray) -> None:
        if self.last is not None:  # a row after target rows already kept cannot get in
            kept = keys <= self.last
            keys, hashes = keys[kept], hashes[kept]
        self.keys.append(keys)
        self.hashes.append(hashes)
        self.waiting += len(keys)
        if self.waiting > 2 * self.target:  # keep the best target rows and their ties
            self._prune()

    def _prune(self) -> None:
        keys, hashes = _joined(self.keys, self.dtype), _joined(self.hashes, np.uint64)
        if len(keys) > self.target:
            self.last = np.partition(keys, self.target - 1)[self.target - 1]
            kept = keys <= self.last
            keys, hashes = keys[kept], hashes[kept]
        self.keys, self.hashes, self.waiting = [keys], [hashes], len(keys)

    def best(self) -> tuple[np.ndarray, np.ndarray]:
        """The keys and unit hashes kept: the first ``target`` rows by key and their ties, in no order."""
        self._prune()
        return self.keys[0], self.hashes[0]

    def first(self, count: int) -> np.ndarray:
        """The unit hashes of the first ``count`` rows by key, then hash."""
        if count <= 0:
            return np.zeros(0, dtype=np.uint64)
        keys, hashes = self.best()
        return hashes[np.lexsort((hashes, keys))[:count]]


UNIT_HASH = "mlecurate_unit_hash"


def register_unit_hash(con) -> None:
    """``mlecurate_unit_hash(text, seed)`` in SQL: :func:`splits.unit_hash.unit_hashes`, so DuckDB can order by it."""
    from duckdb.sqltypes import UBIGINT, VARCHAR

    def hashed(texts: pa.Array, seeds: pa.Array) -> pa.Array:
        seed = seeds[0].as_py() if len(seeds) else 0
        return pa.array(unit_hashes(texts, seed), type=pa.uint64())

    with contextlib.suppress(duckdb.InvalidInputException):  # not registered on this connection yet
        con.remove_function(UNIT_HASH)
    con.create_function(UNIT_HASH, hashed, [VARCHAR, UBIGINT], UBIGINT, type="arrow", null_handling="special")


def rows_of_units(con, query: str, seed: int, chosen_hashes: np.ndarray) -> ChosenRows:
    """Every row whose unit hash is one of ``chosen_hashes`` (the rows that share a unit with a chosen row)."""
    return _rows_among((unit_hashes(batch.column(0), seed) for batch in read_ahead(con, query)), chosen_hashes)


def _rows_among(hash_batches: Iterable[np.ndarray], chosen_hashes: np.ndarray) -> ChosenRows:
    """The rows (numbered across the batches of every row's unit hash, in file order) whose hash is chosen."""
    wanted = Members(chosen_hashes)
    rows, hashes, start = [], [], 0
    for h in hash_batches:
        hit = np.flatnonzero(wanted.among(h) & (h != UNASSIGNED))
        rows.append(hit + start)
        hashes.append(h[hit])
        start += len(h)
    return ChosenRows(_joined(rows, np.int64), _joined(hashes, np.uint64), start)


def read_ahead(con, query: str) -> Iterator[pa.RecordBatch]:
    """The query's Arrow batches, fetched by a second thread: DuckDB reads the next batch (without the GIL) while the
    caller hashes this one. Stopping early (an error in the caller) ends the fetching and leaves the connection free."""
    reader = con.sql(query).to_arrow_reader(BATCH_ROWS)
    batches: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def offer(item) -> bool:
        """Hand ``item`` over, unless the caller has stopped; False once it has."""
        while not stop.is_set():
            try:
                batches.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def fetch() -> None:
        try:
            for batch in reader:
                if not offer(batch):
                    return
            offer(_END)
        except BaseException as error:  # noqa: BLE001 - handed to the caller, which raises it
            offer(error)

    fetcher = threading.Thread(target=fetch, name="mlecurate-read-ahead", daemon=True)
    fetcher.start()
    try:
        while (item := batches.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        fetcher.join()
        reader.close()


_END = object()


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` for 64-bit hashes: one sort (numpy's hash-based unique took a second for a million)."""
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(ordered) else ordered


class Members:
    """Membership in a set of unit hashes, for millions of lookups: a table of the hashes' top 24 bits first (they
    are uniform, so it rules out most values with one look), a binary search for the rest."""

    TOP_BITS = 24

    def __init__(self, hashes: np.ndarray):
        self.ordered = sorted_unique(np.asarray(hashes, dtype=np.uint64))
        self.present = np.zeros(1 << self.TOP_BITS, dtype=bool)
        self.present[self.ordered >> np.uint64(64 - self.TOP_BITS)] = True

    def among(self, values: np.ndarray) -> np.ndarray:
        found = np.zeros(len(values), dtype=bool)
        if len(self.ordered) == 0:
            return found
        maybe = np.flatnonzero(self.present[values >> np.uint64(64 - self.TOP_BITS)])
        at = np.minimum(np.searchsorted(self.ordered, values[maybe]), len(self.ordered) - 1)
        found[maybe] = self.ordered[at] == values[maybe]
        return found


@dataclass
class _Scan:
    rows: np.ndarray
    hashes: np.ndarray
    classes: np.ndarray
    class_names: list
    class_counts: dict
    total: int
    unassigned: int  # rows whose unit is missing (NULL)


def _bound(fraction: float | None) -> int:
    if fraction is None:
        return UNASSIGNED - 1
    return min(int(min(fraction * HEADROOM + 0.001, 1.0) * 2.0**64), UNASSIGNED - 1)


def _scan(con, query: str, seed: int, bound: int, stratified: bool, full_classes: set) -> _Scan:
    rows, hashes, classes = [], [], []
    names: list = []
    codes: dict = {}
    counts = np.zeros(0, dtype=np.int64)  # rows per class
    start = unassigned = 0
    limit = np.uint64(bound)
    for batch in read_ahead(con, query):
        h = unit_hashes(batch.column(0), seed)
        unassigned += batch.column(0).null_count
        keep = h <= limit
        if stratified:
            label_codes = _class_codes(batch.column(1), names, codes)
            found = np.bincount(label_codes, minlength=len(names))
            counts = np.concatenate((counts, np.zeros(len(found) - len(counts), dtype=np.int64))) + found
            if full_classes:
                keep |= np.isin(label_codes, [codes[c] for c in full_classes if c in codes])
            keep &= h != UNASSIGNED
            classes.append(label_codes[keep])
        hit = np.flatnonzero(keep)
        rows.append(hit + start)
        hashes.append(h[hit])
        start += batch.num_rows
    return _Scan(
        rows=_joined(rows, np.int64), hashes=_joined(hashes, np.uint64), classes=_joined(classes, np.int64),
        class_names=names, class_counts=dict(enumerate(counts.tolist())), total=start, unassigned=unassigned,
    )  # fmt: skip


def _class_codes(labels: pa.Array, names: list, codes: dict) -> np.ndarray:
    """Each label's class number, the same across batches (NULL is a class of its own, as SQL's PARTITION BY)."""
    encoded = pc.dictionary_encode(labels.cast(pa.string()))
    local = []
    for value in encoded.dictionary.to_pylist():
        if value not in codes:
            codes[value] = len(names)
            names.append(value)
        local.append(codes[value])
    if labels.null_count and None not in codes:
        codes[None] = len(names)
        names.append(None)
    indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    mapping = np.array(local + [codes.get(None, -1)], dtype=np.int64)
    return mapping[indices]


def _first(rows: np.ndarray, hashes: np.ndarray, target: int, total: int, complete: bool = True) -> ChosenRows:
    """Whole units in hash order up to ``target`` rows: the ``target`` rows with the lowest hashes and every other
    row of the last one's unit; when that unit overshoots, :func:`_units_nearest` instead, if its size is nearer
    ``target`` by ratio (of 94 rows asked, 160 is nearer than 30; of 100, 100 is nearer than 1,168). Unless
    ``complete`` (every unit read, not only the lowest hashes), units passed over leave the rows short: the caller
    reads every unit and asks again, so the two are compared on all units."""
    assigned = hashes != UNASSIGNED
    rows, hashes = rows[assigned], hashes[assigned]
    if len(hashes) < target:
        target = len(hashes)
    if target == 0:
        return ChosenRows(np.zeros(0, np.int64), np.zeros(0, np.uint64), total)
    last = np.partition(hashes, target - 1)[target - 1]
    chosen = hashes <= last
    taken = int(chosen.sum())
    if taken > target:  # the last unit has more rows than were left to take
        nearest = Members(_units_nearest(hashes, target)).among(hashes)
        fewer = int(nearest.sum())
        if fewer < target and not complete or fewer and abs(np.log(fewer / target)) <= abs(np.log(taken / target)):
            chosen = nearest
    return ChosenRows(rows[chosen], hashes[chosen], total)


def _units_nearest(hashes: np.ndarray, target: int) -> np.ndarray:
    """Units (their hashes) taken in hash order, each only when it brings the rows taken nearer ``target`` (it holds
    fewer than twice the rows still wanted), until ``target`` is reached. Taking the next unit whole whatever its
    size made a group holding 90% of the rows, first in hash order, a 90% test set asked for 10%; with units of one
    row this is the plain prefix."""
    units, sizes = np.unique(hashes, return_counts=True)  # in hash order
    taken, count = [], 0
    for unit, size in zip(units.tolist(), sizes.tolist(), strict=True):
        if count >= target:
            break
        if size < 2 * (target - count):
            taken.append(unit)
            count += size
    return np.array(taken, dtype=np.uint64)


def _joined(parts: list, dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)
