"""Ids in label order: a training file sorted by its label (otto-group's ``train.csv``: ids 1..61,878, class by
class) keeps its ids when a split draws new test rows from it, so each new test id sits between training ids of its
own label, and "the label of the nearest training id below" reads the new test set whole (sweep 195: 100% on otto;
every check passed). Kaggle's own test set had ids of its own.

:func:`labels_read_from_id_order` reads each new test row's label so, for each target of few labels, and says
when that reading agrees with at least ``ORDER_SHARE`` of the new test rows well beyond chance (Cohen's kappa at
least ``ORDER_KAPPA``). Ids are ordered as numbers where every id is one, else as text. A target of many values (a
regression's) is not judged: neighbours agreeing there is a random split of a series, not a copy.
The remedy is the recipe's ``test_ids`` (the new test rows numbered anew), or a split that keeps the order apart
(``temporal``, ``group``)."""

from __future__ import annotations

from pathlib import Path

from validation.data_files import columns_of, quote, reader_sql

ORDER_SHARE = 0.9  # new test labels the nearest training id below reads, at least
ORDER_KAPPA = 0.8  # and well beyond chance: Cohen's kappa at least this
MOST_LABELS = 50  # a target of more distinct labels in the new test set is not judged
LEAST_ROWS = 10  # new test rows with a training id below, at least


def labels_read_from_id_order(con, train: Path, answers: Path, id_column: str | None, targets: list[str]) -> str | None:
    """What the ids give away when read in order (see the module's docstring), or None."""
    if not id_column or id_column not in columns_of(con, train) or id_column not in columns_of(con, answers):
        return None
    both = set(columns_of(con, train)) & set(columns_of(con, answers))  # a label both write alike (not as shares)
    key = _order_key(con, train, answers, id_column)
    for target in targets:
        if target not in both:
            continue
        found = _read_from_neighbours(con, train, answers, id_column, target, key)
        if found:
            return found
    return None


def _order_key(con, train: Path, answers: Path, id_column: str) -> str:
    """The SQL of an id as it is ordered: a number where every id of both files is one, else its text."""
    column = quote(id_column)
    texts = " UNION ALL ".join(
        f"SELECT CAST({column} AS VARCHAR) AS k FROM {reader_sql(path)} WHERE {column} IS NOT NULL"
        for path in (train, answers)
    )
    numbers = con.execute(f"SELECT count(*) = count(TRY_CAST(k AS DOUBLE)) FROM ({texts})").fetchall()[0][0]
    return f"TRY_CAST(CAST({column} AS VARCHAR) AS DOUBLE)" if numbers else f"CAST({column} AS VARCHAR)"


def _read_from_neighbours(con, train: Path, answers: Path, id_column: str, target: str, key: str) -> str | None:
    column, label = quote(id_column), f"CAST({quote(target)} AS VARCHAR)"
    labels = con.execute(f"SELECT count(DISTINCT {label}) FROM {reader_sql(answers)}").fetchall()[0][0]
    if not 2 <= labels <= MOST_LABELS:
        return None
    rows, agreeing, chance = con.execute(
        f"""WITH known AS (SELECT DISTINCT {key} AS k, {label} AS label FROM {reader_sql(train)}
                           WHERE {column} IS NOT NULL AND {quote(target)} IS NOT NULL),
                 asked AS (SELECT DISTINCT {key} AS k, {label} AS label FROM {reader_sql(answers)}
                           WHERE {column} IS NOT NULL AND {quote(target)} IS NOT NULL),
                 read AS (SELECT a.label, n.label AS found FROM asked a ASOF JOIN known n ON a.k >= n.k),
                 truth AS (SELECT label AS l, count(*) / (SELECT count(*) FROM read) AS p FROM read GROUP BY 1),
                 guess AS (SELECT found AS l, count(*) / (SELECT count(*) FROM read) AS p FROM read GROUP BY 1)
            SELECT (SELECT count(*) FROM read), (SELECT count(*) FILTER (WHERE label = found) FROM read),
                   (SELECT coalesce(sum(truth.p * guess.p), 0) FROM truth JOIN guess USING (l))"""
    ).fetchall()[0]
    if rows < LEAST_ROWS or chance >= 1:
        return None
    share = agreeing / rows
    kappa = (share - chance) / (1 - chance)
    if share < ORDER_SHARE or kappa < ORDER_KAPPA:
        return None
    return (
        f"the ids give the {target} away: the label of the nearest training {id_column} below is the new test row's "
        f"for {agreeing:,} of {rows:,} new test rows (Cohen's kappa {kappa:.2f}; the training file is in label order, "
        "and the new test rows kept their ids): number them anew with the recipe's test_ids (e.g. test_ids: "
        "'t{n:06d}'), or split by a temporal or group recipe"
    )
