"""What the new test rows' ids give away by themselves, beside their rows.

- Read in order: a training file sorted by its label (otto-group's ``train.csv``: ids 1..61,878, class by class)
  keeps its ids when a split draws new test rows from it, so each new test id sits between training ids of its own
  label, and "the label of the nearest training id below" reads the new test set whole (sweep 195: 100% on otto;
  every check passed). Kaggle's own test set had ids of its own.
- Read by a piece: an id written ``<review>_<rating>`` (word2vec-nlp-tutorial's ``"11957_4"``, the sentiment being
  rating >= 7) gives the label by its second piece, which the new training set's ids teach (sweep 197: 100%).

:func:`labels_read_from_ids` tries both for each target of at least two labels (a class label, or one-hot answer
columns read as the class their largest value names, as multi-class log loss writes them) and says when a reading
agrees with at least ``ORDER_SHARE`` of the new test rows well beyond chance (Cohen's kappa at least
``ORDER_KAPPA``). Ids are ordered as numbers where every id is one, by their number where every id is one prefix and
digits (``id_7`` before ``id_10``), else as text. A temporal split is not judged: there each series' earlier rows
are the training set by design, and a label that runs on (a customer's state) is the task, whether the id names the
series by its order or by a piece (a word2vec-style rating in the id of a temporal split goes unjudged). The remedy
is the recipe's ``test_ids`` (the new test rows numbered anew); where the rows themselves run in order (a series
split at random), a split that keeps the runs apart (``temporal``, ``group``). A piece a public test column shows
(the customer of ``<customer>_<day>``) is a feature, not judged."""

from __future__ import annotations

from pathlib import Path

from validation.data_files import columns_of, id_number, literal, quote, reader_sql

ORDER_SHARE = 0.9  # new test labels a reading of the ids gives, at least
ORDER_KAPPA = 0.8  # and well beyond chance: Cohen's kappa at least this
MOST_LABELS = 1000  # a target of more distinct labels in the new test set is not judged (a regression's numbers)
LEAST_ROWS = 30  # new test rows read, at least (9 of 10 agreed by chance in 1 of 300 random splits: review 200)
PIECE_SUPPORT = 5  # training ids a piece's value holds, on average, at least (a piece of each id its own is no code)
PIECE_BREAK = r"[_\-]"  # what splits an id into pieces (not ".": a decimal id is one number)


def labels_read_from_ids(
    con,
    train: Path,
    answers: Path,
    id_column: str | None,
    targets: list[str],
    kind: str | None = None,
    test: Path | None = None,
) -> str | None:
    """What the ids give away (see the module's docstring), or None. ``test``: the new public test set, whose
    columns an id's piece may only repeat (a customer's id in ``<customer>_<day>``, the day of a date)."""
    if kind == "temporal":  # a series' earlier rows are its training set by design: its ids' order, and a piece
        return None  # naming the series (review 202: C0001_03, the customer in the id alone, its segment running on)
    if not id_column or id_column not in columns_of(con, train) or id_column not in columns_of(con, answers):
        return None
    train_columns, answer_columns = columns_of(con, train), columns_of(con, answers)
    key = _order_key(con, train, answers, id_column)
    for target in targets:
        if target not in train_columns:
            continue
        truth = _answer_labels(con, train, answers, id_column, target, answer_columns)
        if truth is None:
            continue
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE __id_known AS
                SELECT DISTINCT CAST({quote(id_column)} AS VARCHAR) AS id, CAST({quote(target)} AS VARCHAR) AS label
                FROM {reader_sql(train)} WHERE {quote(id_column)} IS NOT NULL AND {quote(target)} IS NOT NULL"""
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE __id_asked AS {truth}")
        try:
            labels = con.execute("SELECT count(DISTINCT label) FROM __id_asked").fetchall()[0][0]
            if not 2 <= labels <= MOST_LABELS:
                continue
            found = _read_in_order(con, key, target, id_column) or _read_by_piece(con, target, id_column, test)
            if found:
                return found
        finally:
            con.execute("DROP TABLE IF EXISTS __id_known")
            con.execute("DROP TABLE IF EXISTS __id_asked")
    return None


def _answer_labels(
    con, train: Path, answers: Path, id_column: str, target: str, answer_columns: list[str]
) -> str | None:
    """SQL of the new test rows' (id, label) for ``target``: its answers column, or the one-hot columns named after
    its training labels, read as the class whose value is largest; None when the answers write it otherwise."""
    source, key = reader_sql(answers), f"CAST({quote(id_column)} AS VARCHAR)"
    if target in answer_columns:
        return (
            f"SELECT DISTINCT {key} AS id, CAST({quote(target)} AS VARCHAR) AS label FROM {source} "
            f"WHERE {quote(id_column)} IS NOT NULL AND {quote(target)} IS NOT NULL"
        )
    classes = [
        row[0]
        for row in con.execute(f"SELECT DISTINCT CAST({quote(target)} AS VARCHAR) FROM {reader_sql(train)}").fetchall()
        if row[0] is not None
    ]
    if len(classes) < 2 or not set(classes) <= set(answer_columns):
        return None
    cells = " UNION ALL ".join(
        f"SELECT {key} AS id, {literal(c)} AS label, TRY_CAST({quote(c)} AS DOUBLE) AS p FROM {source}" for c in classes
    )
    return f"SELECT id, arg_max(label, p) AS label FROM ({cells}) WHERE id IS NOT NULL GROUP BY id"


def _order_key(con, train: Path, answers: Path, id_column: str) -> str:
    """The SQL of an id (text, column ``id``) as it is ordered: a number where every id of both files is one
    (:func:`id_number`, as ids are matched), its
    number where every id is one prefix and digits, else its text."""
    column = quote(id_column)
    texts = " UNION ALL ".join(
        f"SELECT CAST({column} AS VARCHAR) AS k FROM {reader_sql(path)} WHERE {column} IS NOT NULL"
        for path in (train, answers)
    )
    numbers, prefixed = con.execute(
        f"""SELECT count(*) = count({id_number("k")}),
                   count(*) = count(*) FILTER (WHERE regexp_matches(k, '^\\D*\\d{{1,18}}$'))
                   AND count(DISTINCT regexp_extract(k, '^\\D*')) = 1
            FROM ({texts})"""
    ).fetchall()[0]
    if numbers:
        return id_number("id")
    if prefixed:
        return "CAST(regexp_extract(id, '\\d+$') AS HUGEINT)"
    return "id"


def _read_in_order(con, key: str, target: str, id_column: str) -> str | None:
    agreeing, rows, kappa = _agreement(
        con,
        f"""SELECT a.label, n.label AS found
            FROM (SELECT {key} AS k, label FROM __id_asked) a
            ASOF JOIN (SELECT {key} AS k, label FROM __id_known) n ON a.k >= n.k""",
    )
    if not _gives_away(agreeing, rows, kappa):
        return None
    return (
        f"the ids give the {target} away read in order: the label of the nearest training {id_column} below is the new "
        f"test row's for {agreeing:,} of {rows:,} new test rows (Cohen's kappa {kappa:.2f}; neighbouring ids share "
        "labels: the training file runs in label order, or in runs of one label): number the new test rows anew with "
        "the recipe's test_ids (e.g. test_ids: 't{n:06d}'); if the rows themselves run in order (a series split at "
        "random), split by a temporal or group recipe"
    )


def _read_by_piece(con, target: str, id_column: str, test: Path | None) -> str | None:
    pieces = con.execute(
        f"""SELECT min(n), max(n) FROM (SELECT len(regexp_split_to_array(id, {literal(PIECE_BREAK)})) AS n
            FROM (SELECT id FROM __id_known UNION ALL SELECT id FROM __id_asked))"""
    ).fetchall()[0]
    if pieces[0] is None or pieces[0] != pieces[1] or pieces[0] < 2:
        return None
    for position in range(1, pieces[0] + 1):
        coded = con.execute(
            f"SELECT count(*) >= {PIECE_SUPPORT} * count(DISTINCT {_piece('id', position)}) FROM __id_known"
        ).fetchall()[0][0]
        if not coded or _shown_by_public_column(con, position, id_column, test):
            continue
        agreeing, rows, kappa = _agreement(
            con,
            f"""WITH code AS (SELECT {_piece("id", position)} AS v, mode(label) AS found FROM __id_known GROUP BY ALL)
                SELECT a.label, code.found FROM __id_asked a JOIN code ON {_piece("a.id", position)} = code.v""",
        )
        if _gives_away(agreeing, rows, kappa):
            return (
                f"the ids give the {target} away by piece {position} of {pieces[0]} (split at _ and -): the label the "
                f"new training rows' ids with that piece hold most is the new test row's for {agreeing:,} of {rows:,} "
                f"new test rows (Cohen's kappa {kappa:.2f}; e.g. a rating written into a review's id): number the new "
                "test rows anew with the recipe's test_ids (e.g. test_ids: 't{n:06d}'); if the piece names a group of "
                "rows that share a label (a patient), split by a group recipe"
            )
    return None


SHOWN_SHARE = 0.9  # public test rows a column shows an id's piece in, at least, for the piece to be its feature
SHOWN_COLUMNS = 200  # public test columns looked at, at most


def _shown_by_public_column(con, position: int, id_column: str, test: Path | None) -> bool:
    """Whether a column of the new public test set holds the id's piece among its words on nearly every row of each
    of the piece's values (a customer column beside ``<customer>_<day>``, a date beside ``2020-03-15``): a feature
    the agents have anyway, which numbering the rows anew would not hide (review 200). Not a column that repeats the
    id itself (a path ``audio/00012_yes.wav`` beside ``00012_yes`` shows the leak, not a feature), nor one that holds
    a piece's commonest value by chance (a float's ``0`` beside a 0/1 piece: each value must be shown; review 201);
    an empty cell shows nothing (review 202). One scan of the test set, grouped by the piece's value."""
    if test is None:
        return False
    columns = [c for c in columns_of(con, test) if c != id_column][:SHOWN_COLUMNS]
    if not columns:
        return False
    ident = f"CAST({quote(id_column)} AS VARCHAR)"
    piece = _piece(ident, position)
    measures = []
    for c in columns:
        text = f"CAST({quote(c)} AS VARCHAR)"
        words = f"regexp_split_to_array({text}, '[^A-Za-z0-9]+')"
        measures += [f"avg(coalesce(list_contains({words}, {piece}), false)::INT)",
                     f"avg(coalesce(contains({text}, {ident}), false)::INT)"]  # fmt: skip
    rows = con.execute(f"SELECT {', '.join(measures)} FROM {reader_sql(test)} GROUP BY {piece}").fetchall()
    return any(
        min(row[2 * i] for row in rows) >= SHOWN_SHARE and max(row[2 * i + 1] for row in rows) < SHOWN_SHARE
        for i in range(len(columns))
    )


def _piece(id_sql: str, position: int) -> str:
    """SQL of piece ``position`` (1-based) of an id split at :data:`PIECE_BREAK`."""
    return f"regexp_split_to_array({id_sql}, {literal(PIECE_BREAK)})[{position}]"


def _agreement(con, pairs: str) -> tuple[int, int, float]:
    """Rows of ``pairs`` (label, found) whose reading is right, rows, and Cohen's kappa."""
    rows, agreeing, chance = con.execute(
        f"""WITH read AS ({pairs}),
                 truth AS (SELECT label AS l, count(*) / (SELECT count(*) FROM read) AS p FROM read GROUP BY 1),
                 guess AS (SELECT found AS l, count(*) / (SELECT count(*) FROM read) AS p FROM read GROUP BY 1)
            SELECT (SELECT count(*) FROM read), (SELECT count(*) FILTER (WHERE label = found) FROM read),
                   (SELECT coalesce(sum(truth.p * guess.p), 0) FROM truth JOIN guess USING (l))"""
    ).fetchall()[0]
    kappa = 0.0 if chance >= 1 or not rows else (agreeing / rows - chance) / (1 - chance)
    return agreeing, rows, kappa


def _gives_away(agreeing: int, rows: int, kappa: float) -> bool:
    return rows >= LEAST_ROWS and agreeing >= ORDER_SHARE * rows and kappa >= ORDER_KAPPA
