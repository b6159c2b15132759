"""The split's own hash, the byte-level CSV split and the choice of test rows: defined, stable, and the same on
every route (byte copy or DuckDB, CSV or Parquet or JSON)."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest

import splits.builder as builder
import splits.csv_lines as csv_lines
import splits.test_rows as test_rows
from splits.builder import SplitError, build_split
from splits.test_rows import UNIT_HASH, latest_rows, register_unit_hash, round_half_up, rows_of_units
from splits.time_column import NotATime, TimeColumn
from splits.unit_hash import UNASSIGNED, reference_hash, unit_hashes
from validation.data_files import content_checksum, reader_sql
from validation.split_recipe import parse_recipe

# Pinned: the split of every competition depends on these numbers. A change here re-splits every competition.
KNOWN = [
    ("", 0, 16294208416658607535),
    ("0", 0, 2924185999052109541),
    ("PassengerId", 0, 6253297537554281189),
    ("12345678", 0, 4618271188168887741),
    ("0001_01", 42, 11556762641020672232),
    ("é漢字", 7, 3520471677267649322),
    ("x" * 20, 0, 7323804520781590793),
]


@pytest.mark.parametrize("text, seed, expected", KNOWN)
def test_the_hash_is_pinned_by_its_definition(text, seed, expected):
    assert reference_hash(text, seed) == expected
    assert int(unit_hashes(pa.array([text]), seed)[0]) == expected


def _texts(count: int, rng: random.Random) -> list[str | None]:
    alphabet = 'ab,"\n\r é漢0123456789'
    texts: list[str | None] = ["", None, "a" * 7, "a" * 8, "a" * 9, "b" * 16, "c" * 17, "🙂" * 5]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(count)]
    return texts


@pytest.mark.parametrize("seed", [0, 1, 42, -5, 2**63 + 11])
def test_the_vectorised_hash_agrees_with_the_definition(seed):
    texts = _texts(400, random.Random(seed % 1000))
    expected = [reference_hash(t, seed) for t in texts]
    assert [int(h) for h in unit_hashes(pa.array(texts), seed)] == expected
    assert [int(h) for h in unit_hashes(pa.array(texts, type=pa.large_string()), seed)] == expected
    assert [int(h) for h in unit_hashes(pa.array(texts).slice(5, 100), seed)] == expected[5:105]  # an offset view
    chunked = pa.chunked_array([pa.array(texts[:50]), pa.array(texts[50:])])
    assert [int(h) for h in unit_hashes(chunked, seed)] == expected
    assert expected[1] == UNASSIGNED  # a missing unit is never first


def test_the_sql_function_is_the_same_hash():
    texts = _texts(3000, random.Random(3))  # more than one DuckDB vector
    with duckdb.connect() as con:
        register_unit_hash(con)
        con.register("units", pa.table({"u": pa.array(texts)}))
        got = [row[0] for row in con.execute(f"SELECT {UNIT_HASH}(u, 9) FROM units").fetchall()]
    assert got == [reference_hash(t, 9) for t in texts]


def _split_lines(
    tmp_path: Path, data: bytes, test_rows: list[int], total: int, hashes: list[int] | None = None
) -> tuple[bool, bytes, bytes]:
    source = tmp_path / "in.csv"
    source.write_bytes(data)
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    hashes = hashes if hashes is not None else list(range(len(test_rows)))
    done = csv_lines.split_lines(
        source, np.array(test_rows, dtype=np.int64), np.array(hashes, dtype=np.uint64), total, train, test
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == (["in.csv", "test.csv", "train.csv"] if done else ["in.csv"])
    if not done:
        return False, b"", b""
    return True, train.read_bytes(), test.read_bytes()


@pytest.mark.parametrize("chunk, bucket", [(7, 1 << 20), (64, 40), (1 << 20, 1 << 20)])
def test_lines_are_copied_as_written(tmp_path, monkeypatch, chunk, bucket):
    monkeypatch.setattr(csv_lines, "CHUNK_BYTES", chunk)  # lines cut across reads, and lines longer than a read
    monkeypatch.setattr(csv_lines, "BUCKET_BYTES", bucket)  # one bucket, or one for about each test line
    lines = [b"\xef\xbb\xbfid,text\r\n"] + [f"{i},row {i} {'x' * (i % 13)}\r\n".encode() for i in range(50)]
    ok, train, test = _split_lines(tmp_path, b"".join(lines), [0, 7, 8, 49], 50, hashes=[30, 10, 20, 5])
    assert ok
    assert test == lines[0] + lines[50] + lines[8] + lines[9] + lines[1]  # in hash order
    assert train == b"".join(line for i, line in enumerate(lines) if i not in (1, 8, 9, 50))  # in file order


def test_rows_of_one_unit_keep_the_files_order(tmp_path):
    """A sweep's text-normalization: a sentence's tokens, ordered by their bytes, came out 0, 1, 10, 11, 2, ..."""
    data = b"g,v\nb,2\nb,1\na,9\nb,0\n"
    ok, train, test = _split_lines(tmp_path, data, [0, 1, 3], 4, hashes=[7, 7, 7])
    assert ok and test == b"g,v\nb,2\nb,1\nb,0\n" and train == b"g,v\na,9\n"


@pytest.mark.parametrize("form", ["csv", "parquet", "json"])
def test_a_group_splits_test_rows_keep_each_groups_order(tmp_path, form):
    """text-normalization's sentences split by sentence_id: each test sentence's tokens in the file's order, by
    bytes (CSV) and through DuckDB (Parquet, JSON)."""
    rows = [{"sentence_id": str(s), "token_id": str(t), "before": f"w{s}_{t}", "after": f"W{s}_{t}"}
            for s in range(300) for t in range(14)]  # fmt: skip
    raw = tmp_path / "raw"
    raw.mkdir()
    _write(raw / f"train.{form}", rows, form)
    recipe = {"kind": "group", "group_column": "sentence_id", "target_columns": ["after"], "test_file": None,
              "train_file": f"train.{form}"}  # fmt: skip
    result = build_split(parse_recipe(recipe, "r"), raw, tmp_path / "out", "c")
    with duckdb.connect() as con:
        test = con.execute(f"SELECT sentence_id, token_id FROM {reader_sql(result.test_file)}").fetchall()
    assert result.test_rows == 420 and len(test) == 420
    by_sentence: dict[str, list[int]] = {}
    for sentence, token in test:
        by_sentence.setdefault(str(sentence), []).append(int(token))
    assert all(tokens == list(range(14)) for tokens in by_sentence.values()), by_sentence


def test_a_last_line_without_a_line_break_is_a_row(tmp_path):
    ok, train, test = _split_lines(tmp_path, b"id\n1\n2\n3", [2], 3)
    assert ok and train == b"id\n1\n2\n" and test == b"id\n3\n"
    ok, train, test = _split_lines(tmp_path, b"id\n1\n2\n3", [0, 2], 3, hashes=[2, 1])
    assert ok and test == b"id\n3\n1\n"  # the last line does not run into the next one


@pytest.mark.parametrize(
    "data, rows",
    [
        (b'id,text\n1,"two\nlines"\n2,b\n', 2),  # a quoted line break: a row of two lines
        (b"id\n1\n\n2\n", 2),  # a blank line DuckDB skips
        (b"id\r1\r2\r", 2),  # old Mac line ends: no line breaks at all
    ],
)
def test_rows_that_are_not_lines_are_refused_and_nothing_is_left(tmp_path, data, rows):
    assert _split_lines(tmp_path, data, [0], rows)[0] is False


def _write(path: Path, rows: list[dict], kind: str) -> None:
    table = pa.Table.from_pylist(rows)
    with duckdb.connect() as con:
        con.register("t", table)
        options = {"csv": "FORMAT CSV, HEADER true", "parquet": "FORMAT PARQUET", "json": "FORMAT JSON, ARRAY true"}
        con.execute(f"COPY t TO '{path}' ({options[kind]})")


def _rows(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [
        {"id": f"r{i:05d}", "group": f"g{i % 37}", "label": rng.choice("abc"), "note": f"n{rng.random():.6f}",
         "extra": "x", "target": str(rng.randint(0, 1)), "day": f"2020-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}
        for i in range(count)
    ]  # fmt: skip


def _ids(path: Path) -> set[str]:
    readers = {
        ".csv": "read_csv('{}', all_varchar=true)",
        ".parquet": "read_parquet('{}')",
        ".json": "read_json_auto('{}')",
    }
    with duckdb.connect() as con:
        return {str(r[0]) for r in con.execute(f"SELECT id FROM {readers[path.suffix].format(path)}").fetchall()}


@pytest.mark.parametrize(
    "recipe",
    [
        {"kind": "random", "id_column": "id", "target_columns": ["target"]},
        {"kind": "group", "group_column": "group", "target_columns": ["target"], "test_fraction": 0.2},
        {"kind": "stratified", "id_column": "id", "target_columns": ["label"], "test_fraction": 0.15},
        {"kind": "temporal", "id_column": "id", "time_column": "day", "target_columns": ["target"]},  # JSON: a DATE
        {"kind": "random", "target_columns": ["target"]},  # no id: rows are their own units
    ],
    ids=["random", "group", "stratified", "temporal", "row-content"],
)
def test_every_route_chooses_the_same_rows(tmp_path, monkeypatch, recipe):
    """CSV split as bytes, CSV through DuckDB (a quoted line break forces it), Parquet and JSON: the same test ids."""
    routes = []
    split_lines = builder.split_lines
    monkeypatch.setattr(builder, "split_lines", lambda *args: routes.append(split_lines(*args)) or routes[-1])
    rows = _rows(3000, 1)
    chosen = {}
    for name, kind, data in [
        ("bytes", "csv", rows),
        ("duckdb", "csv", [*rows[:-1], dict(rows[-1], extra="two\nlines")]),
        ("parquet", "parquet", rows),
        ("json", "json", rows),
    ]:
        raw = tmp_path / name
        raw.mkdir()
        train_file = f"train.{kind}"
        _write(raw / train_file, data, kind)
        parsed = parse_recipe(recipe | {"train_file": train_file}, name)
        result = build_split(parsed, raw, tmp_path / f"out-{name}", name)
        assert result.train_rows + result.test_rows == 3000
        chosen[name] = _ids(result.answers_file) if recipe.get("id_column") else result.test_rows
        assert _ids(result.train_file).isdisjoint(_ids(result.test_file))
    assert routes == [True, False]  # the first CSV went as bytes, the second (a row of two lines) through DuckDB
    assert chosen["bytes"] == chosen["duckdb"] == chosen["parquet"] == chosen["json"]


def test_a_byte_split_keeps_the_original_lines_and_content(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    text = "id,text,target\r\n" + "".join(f'{i},"quoted, {i}",{i % 2}\r\n' for i in range(500))
    (raw / "train.csv").write_bytes(text.encode())
    recipe = parse_recipe({"kind": "random", "id_column": "id", "target_columns": ["target"]}, "lines")
    result = build_split(recipe, raw, tmp_path / "out", "lines")
    kept = result.train_file.read_bytes().split(b"\r\n")
    assert kept[0] == b"id,text,target" and all(line in text.encode() for line in kept)  # quoting and CRLF kept
    assert (result.train_rows, result.test_rows) == (450, 50)
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT * FROM read_csv('{raw / 'train.csv'}', all_varchar=true)) TO '{tmp_path / 'w.csv'}'")
    assert content_checksum(raw / "train.csv") == content_checksum(tmp_path / "w.csv")


def test_a_small_class_is_still_represented(tmp_path):
    """A class too small for the first read's hash bound is read again in full: each class keeps its share."""
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = [{"id": str(i), "label": "rare" if i % 500 == 0 else "common"} for i in range(20000)]
    _write(raw / "train.csv", rows, "csv")
    recipe = parse_recipe({"kind": "stratified", "id_column": "id", "target_columns": ["label"]}, "rare")
    result = build_split(recipe, raw, tmp_path / "out", "rare")
    with duckdb.connect() as con:
        counts = dict(
            con.execute(f"SELECT label, count(*) FROM read_csv('{result.answers_file}') GROUP BY 1").fetchall()
        )
    assert counts == {"rare": 4, "common": 1996}


def test_rows_without_a_unit_stay_in_training(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "train.csv").write_text("id,y\n" + "".join(f"{'' if i % 3 == 0 else i},{i % 2}\n" for i in range(300)))
    recipe = parse_recipe({"kind": "random", "id_column": "id", "target_columns": ["y"]}, "nulls")
    result = build_split(recipe, raw, tmp_path / "out", "nulls")
    assert "" not in _ids(result.answers_file) and "None" not in _ids(result.answers_file)
    assert result.test_rows == 30 and result.train_rows == 270


def _build(tmp_path: Path, text: str, recipe: dict, name: str = "c"):
    raw = tmp_path / f"raw-{name}"
    raw.mkdir()
    (raw / "train.csv").write_text(text)
    return build_split(parse_recipe(recipe, name), raw, tmp_path / f"out-{name}", name)


def test_a_stratified_unit_with_rows_under_several_labels_is_never_cut(tmp_path):
    text = "id,label\n" + "".join(f"{i},{lab}\n" for i in range(400) for lab in ("cat", "dog" if i % 3 else "bird"))
    recipe = {"kind": "stratified", "id_column": "id", "target_columns": ["label"], "test_fraction": 0.2}
    result = _build(tmp_path, text, recipe)
    assert _ids(result.train_file).isdisjoint(_ids(result.answers_file))
    assert result.train_rows + result.test_rows == 800


def test_the_test_rows_are_read_in_the_whole_files_dialect(tmp_path):
    """The whole file shows its escape character (\\") only in rows that may all stay in training."""
    rows = "".join(f'{i},"say \\"hi\\"",{i % 2}\n' for i in range(5)) + "".join(
        f'{i},"C:\\\\dir",{i % 2}\n' for i in range(5, 200)
    )
    result = _build(tmp_path, "id,v,y\n" + rows, {"kind": "random", "id_column": "id", "target_columns": ["y"]})
    with duckdb.connect() as con:
        values = con.execute(f"SELECT DISTINCT v FROM read_csv('{result.test_file}', all_varchar=true)").fetchall()
    assert set(values) <= {("C:\\dir",), ('say "hi"',)} and len(values) >= 1


@pytest.mark.parametrize("kind", ["random", "stratified", "temporal"])
@pytest.mark.parametrize("seed", [2**63, -(2**63) - 1, 10**30])
def test_any_whole_number_is_a_seed(tmp_path, kind, seed):
    text = "id,t,y\n" + "".join(f"{i},2020-01-{1 + i % 28:02d},{i % 2}\n" for i in range(300))
    recipe = {"kind": kind, "id_column": "id", "time_column": "t", "target_columns": ["y"], "seed": seed}
    if kind != "temporal":
        recipe.pop("time_column")
    assert _build(tmp_path, text, recipe).test_rows == 30


def test_train_test_split_draws_sklearns_rows_and_refuses_a_drawn_row_without_its_id(tmp_path):
    """``draw: train_test_split``: the test rows are sklearn's, row numbers in file order (a float share: its
    ceiling; test_rows: that many); a row without an id drawn is refused naming its row, where the hash draw passes
    over it."""
    from sklearn.model_selection import train_test_split

    text = "id,y\n" + "".join(f"{i},{i % 2}\n" for i in range(1001))
    for extra, size in (({"test_fraction": 0.1}, 101), ({"test_rows": 7, "seed": 3}, 7)):
        recipe = {"kind": "random", "id_column": "id", "target_columns": ["y"], "draw": "train_test_split"} | extra
        result = _build(tmp_path, text, recipe, name=f"n{size}")
        _, expected = train_test_split(
            np.arange(1001), test_size=extra.get("test_rows", 0.1), random_state=extra.get("seed", 0)
        )
        with duckdb.connect() as con:
            ids = con.execute(f"SELECT id FROM read_csv('{result.answers_file}', all_varchar=true)").fetchall()
        assert result.test_rows == size and sorted(int(i) for (i,) in ids) == sorted(expected.tolist())
    holey = "id,y\n" + "".join(f"{'' if i % 3 == 0 else i},{i % 2}\n" for i in range(300))
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["y"], "draw": "train_test_split"}
    with pytest.raises(
        SplitError,
        match=r"train\.csv: row [\d,]+ \(of \d+ drawn without one\) has no id, and train_test_split draws every row",
    ):
        _build(tmp_path, holey, recipe, name="holey")
    hashed = _build(tmp_path, holey, recipe | {"draw": "hash"}, name="hashed")
    assert hashed.test_rows == 30 and hashed.without_unit == 100  # drawn among the 200 rows with ids


def test_train_test_split_draws_ids_that_repeat_as_mlebench_draws_unique_ones(tmp_path):
    """Sweep 188's vinbigdata: a row per box, an image's rows sharing its image_id; MLE-bench draws over
    ``image_id.unique()`` (first appearances), where the draw over rows cut 84 of 84 drawn images across both sides.
    The ids are drawn as MLE-bench draws them, each with all its rows; test_rows counts ids."""
    from sklearn.model_selection import train_test_split

    rng = np.random.default_rng(5)
    images = [f"img{k:03d}" for k in rng.permutation(200)]
    rows = [(image, box) for image in images for box in range(int(rng.integers(1, 5)))]
    order = rng.permutation(len(rows))
    rows = [rows[k] for k in sorted(order[: len(rows) - 50])] + [rows[k] for k in sorted(order[len(rows) - 50 :])]
    text = "image_id,box,y\n" + "".join(f"{image},{box},{box % 2}\n" for image, box in rows)
    unique = list(dict.fromkeys(image for image, _ in rows))
    for extra, share in (({"test_fraction": 0.1}, 0.1), ({"test_rows": 17, "seed": 4}, 17)):
        recipe = {"kind": "random", "id_column": "image_id", "target_columns": ["y"], "draw": "train_test_split"}
        result = _build(tmp_path, text, recipe | extra, name=f"boxes{share}")
        _, expected = train_test_split(unique, test_size=share, random_state=extra.get("seed", 0))
        with duckdb.connect() as con:
            drawn = con.execute(f"SELECT image_id FROM read_csv('{result.answers_file}', all_varchar=true)").fetchall()
            kept = con.execute(
                f"SELECT DISTINCT image_id FROM read_csv('{result.train_file}', all_varchar=true)"
            ).fetchall()
        assert sorted({i for (i,) in drawn}) == sorted(expected) and not {i for (i,) in drawn} & {i for (i,) in kept}
        assert result.test_rows == sum(1 for image, _ in rows if image in set(expected))
    plain = "x,y\n" + "".join(f"{k},{k % 2}\n" for k in [*range(1000), 7])  # no id column, a row repeated
    result = _build(tmp_path, plain, {"kind": "random", "target_columns": ["y"], "draw": "train_test_split"}, "rows")
    assert result.test_rows == 101  # a review: drawn over distinct contents, 100 rows and 58 of sklearn's
    holes = "image_id,box,y\n" + "".join(f"{image if k % 9 else ''},{box},0\n" for k, (image, box) in enumerate(rows))
    recipe = {"kind": "random", "id_column": "image_id", "target_columns": ["y"], "draw": "train_test_split"}
    with pytest.raises(
        SplitError, match=r"ids \(image_id\) repeat and [\d,]+ row\(s\) have none \(row 1\): train_test_split draws"
    ):
        _build(tmp_path, holes, recipe, name="holes")
    with pytest.raises(SplitError, match="a test set of 200 of 200 ids leaves no ids on one side"):
        _build(tmp_path, text, recipe | {"test_rows": 200}, name="all")


def test_train_test_split_draws_a_group_splits_groups_as_mlebench_draws_them(tmp_path):
    """MLE-bench draws iwildcam-2019's locations and nfl's plays with train_test_split over the unique groups (a share
    of the groups); the hash draw counts rows (sweeps 185, 186: other test plays and locations, 57 rows for 61)."""
    from sklearn.model_selection import train_test_split

    rng = np.random.default_rng(8)
    locations = [f"loc{k}" for k in rng.permutation(60)]
    rows = [
        (f"img{n}", location)
        for n, location in enumerate(loc for loc in locations for _ in range(int(rng.integers(1, 9))))
    ]
    order = rng.permutation(len(rows))
    rows = [rows[k] for k in order]
    text = "id,location,y\n" + "".join(f"{i},{location},{n % 3}\n" for n, (i, location) in enumerate(rows))
    recipe = {"kind": "group", "group_column": "location", "id_column": "id", "target_columns": ["y"],
              "draw": "train_test_split", "test_fraction": 0.1}  # fmt: skip
    result = _build(tmp_path, text, recipe, name="groups")
    _, expected = train_test_split(list(dict.fromkeys(location for _, location in rows)), test_size=0.1, random_state=0)
    with duckdb.connect() as con:
        drawn = {
            i for (i,) in con.execute(f"SELECT id FROM read_csv('{result.answers_file}', all_varchar=true)").fetchall()
        }
    assert drawn == {i for i, location in rows if location in set(expected)} and len(expected) == 6
    raw = tmp_path / "raw-ratio"  # review 192: original_ratio's share was taken of the groups' count, not the rows'
    raw.mkdir()
    (raw / "train.csv").write_text(text)
    (raw / "test.csv").write_text("id,location\n" + "".join(f"t{k},new{k % 9}\n" for k in range(len(rows) // 4)))
    ratio = {k: v for k, v in recipe.items() if k != "test_fraction"} | {"original_ratio": True}
    result = build_split(parse_recipe(ratio, "r"), raw, tmp_path / "out-ratio", "ratio")
    assert abs(result.test_rows - len(rows) / 5) < len(rows) / 10, (result.test_rows, len(rows))  # a fifth, by groups


def test_a_damaged_row_far_down_names_the_competition_and_file(tmp_path):
    text = "id,y\n" + "".join(f"{i},{i % 2}\n" for i in range(50_000)) + "1,2,3,4,5\n"
    with pytest.raises(
        SplitError, match=r"^c: .*train\.csv: cannot be read to choose the test rows: line 50,002 has more fields"
    ):
        _build(tmp_path, text, {"kind": "random", "id_column": "id", "target_columns": ["y"]})


def test_many_classes_are_chosen_in_one_sort(tmp_path):
    """100,000 classes of ten rows (as many classes as test rows: more are refused), one row each in the test set."""
    text = "id,label\n" + "".join(f"{i},c{i // 10}\n" for i in range(1_000_000))
    recipe = {"kind": "stratified", "id_column": "id", "target_columns": ["label"], "test_fraction": 0.1}
    result = _build(tmp_path, text, recipe)
    assert result.test_rows == 100_000  # 10 * 0.1 = 1 per class


def _latest_in_duckdb(con, source: str, column: str, seed: int, target: int, numbers: bool = False):
    """The reference for the streamed temporal route, by DuckDB's ORDER BY: the latest instants (text read as
    TIMESTAMPTZ in UTC) or numbers (NaN is no time), then the rows without a time, ties by unit hash."""
    register_unit_hash(con)
    time = f"nullif(TRY_CAST({column} AS DOUBLE), 'nan')" if numbers else f"TRY_CAST({column} AS TIMESTAMPTZ)"
    con.execute("SET TimeZone = 'UTC'")
    latest = con.execute(
        f"""SELECT __mlecurate_h FROM (SELECT {time} AS __time, {UNIT_HASH}(CAST(id AS VARCHAR), {seed}) AS __mlecurate_h FROM {source}
            WHERE id IS NOT NULL) ORDER BY __time DESC NULLS LAST, __mlecurate_h LIMIT {target}"""
    ).fetchnumpy()["__mlecurate_h"]
    return rows_of_units(
        con, f"SELECT CAST(id AS VARCHAR) AS __mlecurate_unit FROM {source}", seed, latest.astype(np.uint64)
    )


LATEST = {
    "dates": (lambda i: f"2020-01-{1 + i % 28:02d}", False),  # many ties
    "timestamps-and-empty": (lambda i: f"2020-01-01 {i % 24:02d}:{i % 60:02d}:00" if i % 7 else "", False),
    "offsets": (lambda i: f"2020-01-{1 + i % 28:02d}T{i % 24:02d}:00:00{'+-'[i % 2]}{i % 13:02d}:30", False),
    "infinite-dates": (
        lambda i: ["infinity", "-infinity", "inf", "-inf", ""][i % 5] if i % 3 == 0 else f"2021-{1 + i % 12:02d}-05",
        False,
    ),  # fmt: skip
    "infinite-numbers": (
        lambda i: ["infinity", "-infinity", "nan", "inf", "-inf", "3.5", "12"][i % 7] if i % 5 == 0 else str(i),
        True,
    ),  # fmt: skip
}


@pytest.mark.parametrize("name", LATEST)
def test_the_streamed_latest_rows_are_the_ones_duckdb_orders(tmp_path, name):
    """Temporal splits keep the latest rows in numpy while streaming; DuckDB's ORDER BY must agree on every kind of
    time: ties, missing times (the earliest of all), offsets (by instant), and the infinities, which read as dates
    and as numbers ('inf' is a timestamp to DuckDB) and belong at the ends of either."""
    times, numbers = LATEST[name]
    path, spill = tmp_path / "train.csv", tmp_path / "hashes.bin"
    path.write_text("id,t\n" + "".join(f"{i},{times(i)}\n" for i in range(5000)))
    with duckdb.connect() as con:
        source = f"read_csv('{path}', all_varchar=true, header=true)"
        for target in (1, 300, 2600, 4000, 4900):
            streamed = latest_rows(
                con, source, "CAST(id AS VARCHAR)", TimeColumn("t"), 3, lambda _, n=target: n, 5001, spill
            )
            ordered = _latest_in_duckdb(con, source, '"t"', 3, target, numbers)
            assert streamed.rows.tolist() == ordered.rows.tolist(), target


def test_typed_times_in_parquet_stream_as_duckdb_orders_them(tmp_path):
    """A Parquet time column is a TIMESTAMP (or DATE, or number), not text: the streamed route reads it as DuckDB's
    ORDER BY does, ties and missing times included."""
    path, spill = tmp_path / "train.parquet", tmp_path / "hashes.bin"
    with duckdb.connect() as con:
        con.execute(f"""COPY (SELECT i::VARCHAR AS id,
                                     CASE WHEN i % 9 = 0 THEN NULL ELSE TIMESTAMP '2020-01-01' + INTERVAL (i % 40) DAY END AS t,
                                     DATE '2021-01-01' + CAST(i % 17 AS INTEGER) AS d, (i % 13) * 1.5 AS x
                              FROM range(3000) r(i)) TO '{path}' (FORMAT PARQUET)""")
        source = f"read_parquet('{path}')"
        for column in ("t", "d", "x"):
            for target in (1, 700, 2500, 2800):
                streamed = latest_rows(
                    con, source, "CAST(id AS VARCHAR)", TimeColumn(column), 5, lambda _, n=target: n, 3000, spill
                )
                ordered = _latest_in_duckdb(con, source, f'"{column}"', 5, target, numbers=column == "x")
                assert streamed.rows.tolist() == ordered.rows.tolist(), (column, target)


@pytest.mark.parametrize("most_rows", [5000, 9000, 10, 0], ids=["exact", "more-lines-than-rows", "fewer", "none"])
def test_latest_rows_need_no_row_count_and_keep_units_whole(tmp_path, most_rows):
    """The temporal route takes a bound on the rows (a CSV's line count) instead of counting them first: a bound
    too high costs only memory, one too low (a file whose lines end in a lone CR has no line feed) makes it read
    again. Units repeat here (an id on up to eight rows, at several times): every row of a chosen unit is found
    in the hashes spilled to disk, as DuckDB's route finds it by reading the file again."""
    path, spill = tmp_path / "train.csv", tmp_path / "hashes.bin"
    path.write_text("id,t\n" + "".join(f"{i % 700},2020-01-{1 + (i // 180) % 28:02d}\n" for i in range(5000)))
    with duckdb.connect() as con:
        source = f"read_csv('{path}', all_varchar=true, header=true)"
        seen = []

        def size(total):
            seen.append(total)
            return round_half_up(total * 0.2)

        streamed = latest_rows(con, source, "CAST(id AS VARCHAR)", TimeColumn("t"), 9, size, most_rows, spill)
        ordered = _latest_in_duckdb(con, source, '"t"', 9, 1000)
    assert streamed.rows.tolist() == ordered.rows.tolist()
    assert streamed.total == 5000 and seen[-1] == 5000
    assert len(streamed.rows) > 1000  # the chosen units' older rows came along
    assert not spill.exists()


def test_rows_without_a_unit_take_no_test_place_whatever_the_time(tmp_path):
    """Numbers and timestamps alike: the latest rows that have no unit (no id) are passed over, and the test set is
    as large as asked."""
    for name, time in [
        ("numbers", lambda i: str(i)),
        ("timestamps", lambda i: f"2020-01-01 {i // 60:02d}:{i % 60:02d}"),
    ]:
        path, spill = tmp_path / f"{name}.csv", tmp_path / "hashes.bin"
        path.write_text("id,t\n" + "".join(f"{'' if i >= 150 else i},{time(i)}\n" for i in range(200)))
        with duckdb.connect() as con:
            source = f"read_csv('{path}', all_varchar=true, header=true)"
            chosen = latest_rows(con, source, "CAST(id AS VARCHAR)", TimeColumn("t"), 1, lambda _: 40, 201, spill)
        assert chosen.rows.tolist() == list(range(110, 150)), name


@pytest.mark.parametrize(
    "times, found",
    [
        (lambda i: "10/01/2020" if i == 4321 else f"2020-01-{1 + i % 28:02d}", "holds '10/01/2020' at row 4322, "),
        (lambda i: "20200105" if i == 4321 else f"2020-01-{1 + i % 28:02d}",
         "holds '20200105' at row 4322, a number, after '2020-01-01' at row 1, a date or timestamp: "),
        (lambda i: "" if i < 4321 else "later", "holds 'later' at row 4322, "),
        (lambda i: "", "holds no time in any of its 5000 rows"),
    ],
    ids=["us-date", "dates-then-a-number", "empty-then-text", "all-empty"],
)  # fmt: skip
def test_a_value_that_is_not_a_time_is_found_in_the_streaming_read(tmp_path, monkeypatch, times, found):
    """The check rides the one read, batch by batch: the row is counted across batches and the value quoted from
    the file; the hashes spilled so far are removed."""
    monkeypatch.setattr(test_rows, "BATCH_ROWS", 1000)
    path, spill = tmp_path / "train.csv", tmp_path / "hashes.bin"
    path.write_text("id,t\n" + "".join(f"{i},{times(i)}\n" for i in range(5000)))
    with duckdb.connect() as con, pytest.raises(NotATime) as raised:
        source = f"read_csv('{path}', all_varchar=true, header=true)"
        latest_rows(con, source, "CAST(id AS VARCHAR)", TimeColumn("t"), 1, lambda _: 40, 5001, spill, "c: train.csv")
    assert str(raised.value).startswith(f"c: train.csv: split recipe key 'time_column': column 't' {found}")
    assert not spill.exists()
