"""The fast and the precise grading paths agree: for good and bad submissions of every task, the report's score,
validity, errors and notes are the same whichever path grades it, and the well-formed ones of numeric metrics do take
the fast path (validation/grading.py, "The fast path")."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from validation import grading
from validation.data_root import PreparedFolder
from validation.grading import GradingReport, grade_submission, numbers
from validation.metrics import METRICS, _rank_sum

ROWS = 40
CLASSES = ["cat", "dog", "fish"]


def _answers(metric: str, rng: np.random.Generator) -> dict[str, list[str]]:
    """The answers' prediction columns, as text, for a metric's task."""
    task = METRICS[metric].task
    if task == "multiclass":
        labels = rng.integers(0, len(CLASSES), ROWS)
        return {c: [str(int(label == i)) for label in labels] for i, c in enumerate(CLASSES)}
    if task in ("binary", "multilabel"):
        return {c: [str(v) for v in rng.integers(0, 2, ROWS)] for c in (["a", "b"] if task == "multilabel" else ["t"])}
    if task == "regression":
        return {"t": [repr(float(v)) for v in rng.random(ROWS) * 10]}
    if task == "multi_target_regression":
        return {c: [f"{v:.3f}" for v in rng.random(ROWS) * 5] for c in ("x", "y")}
    if task == "distribution":  # the shares of each row's votes, as the split publishes them
        votes = rng.multinomial(rng.integers(1, 9, ROWS), [0.5, 0.3, 0.2])
        return {c: [repr(v) for v in votes[:, i] / votes.sum(axis=1)] for i, c in enumerate(CLASSES)}
    if metric == "quadratic_weighted_kappa":
        return {"t": [str(v) for v in rng.integers(0, 5, ROWS)]}
    if task == "classification":
        return {"t": [str(v) for v in rng.choice(["yes", "no", "maybe"], ROWS)]}
    if task == "ranking":
        return {"t": [" ".join(rng.choice(list("abcdefg"), 3, replace=False)) for _ in range(ROWS)]}
    return {"t": [" ".join(rng.choice(["the", "a", "cat", "sat"], 3)) for _ in range(ROWS)]}


def _predictions(metric: str, truth: dict[str, list[str]], rng: np.random.Generator) -> dict[str, list[str]]:
    """A fair model's predictions: floats written in full (17 digits), labels, words."""
    spec = METRICS[metric]
    if spec.task in ("multiclass", "distribution"):
        p = rng.random((ROWS, len(CLASSES))) + 0.1
        p /= p.sum(axis=1, keepdims=True)
        return {c: [repr(float(v)) for v in p[:, i]] for i, c in enumerate(CLASSES)}
    if spec.predicts_probabilities:
        return {c: [repr(float(min(1.0, int(v) * 0.4 + x * 0.6))) for v, x in zip(values, rng.random(ROWS), strict=True)]
                for c, values in truth.items()}  # fmt: skip
    if metric == "quadratic_weighted_kappa":
        return {c: [str(min(4, int(v) + int(x > 0.7))) for v, x in zip(values, rng.random(ROWS), strict=True)]
                for c, values in truth.items()}  # fmt: skip
    if spec.numeric_predictions:
        return {c: [repr(float(v) + float(x)) for v, x in zip(values, rng.random(ROWS), strict=True)]
                for c, values in truth.items()}  # fmt: skip
    return {c: list(reversed(values[:10])) + values[10:] for c, values in truth.items()}


IDS = {
    "row-numbers": lambda rng: [str(i) for i in range(ROWS)],
    "far-apart": lambda rng: [str(v) for v in rng.choice(10**15, ROWS, replace=False)],
    "negative": lambda rng: [str(i - ROWS // 2) for i in range(ROWS)],
    "text": lambda rng: [f"id{i:03d}" for i in range(ROWS)],
    "zero-padded": lambda rng: [f"{i:05d}" for i in range(ROWS)],
}


def _prepared(tmp_path: Path, metric: str, ids: str, seed: int = 0) -> tuple[PreparedFolder, list[list[str]]]:
    """A prepared folder for ``metric`` with ``ids``, and a good submission for it (a header and shuffled rows)."""
    rng = np.random.default_rng(seed)
    truth = _answers(metric, rng)
    id_text = IDS[ids](rng)
    prepared = PreparedFolder(tmp_path / f"{metric}-{ids}".replace("_", "-"))
    prepared.private.mkdir(parents=True)
    prepared.public.mkdir(parents=True)
    header = ["id", *truth]
    rows = [[i, *values] for i, *values in zip(id_text, *truth.values(), strict=True)]
    prepared.answers.write_text("".join(",".join(row) + "\n" for row in [header, *rows]))
    prepared.sample_submission.write_text(prepared.answers.read_text())
    prepared.manifest.write_text(json.dumps({"recipe": {"id_column": "id", "target_columns": list(truth)}}))
    guess = _predictions(metric, truth, rng)
    submission = [[i, *values] for i, *values in zip(id_text, *guess.values(), strict=True)]
    order = rng.permutation(ROWS)
    return prepared, [header, *[submission[i] for i in order]]


def _cell(value: str, row: int = 3, column: int = 1):
    def change(table):
        table[row][column] = value
        return table

    return change


def _nth(data: bytes, old: bytes, new: bytes, n: int) -> bytes:
    """``data`` with the ``n``-th (from 1) ``old`` replaced by ``new``."""
    parts = data.split(old)
    return old.join(parts[:n]) + new + old.join(parts[n:])


# Table changes (the submission as rows of text) and the variants built from them; the ones marked fast are
# well-formed, valid submissions of a numeric metric, which the fast path must grade itself.
TABLE_CHANGES = {
    "good": lambda t: t,
    "columns-reordered": lambda t: [row[::-1] for row in t],
    "value-exponent": _cell("1e-5"),
    # pandas 2.x's float parser crashes the process on an exponent past 32 bits and misreads larger ones
    "value-exponent-past-32-bits": _cell("1e2147483648"),
    "value-exponent-past-32-bits-negative": _cell("1e-4294967296"),
    "value-exponent-wrapping-to-zero": _cell("1e4294967296"),
    "value-exponent-seven-digits": _cell("-2.5E+0001000000"),
    "value-longer-than-a-csv-field": _cell("0.5" + "0" * 140_000),  # the csv module's field limit is 131,072
    "value-long": _cell("0.12345678901234567891234"),
    "value-many-leading-zeros": _cell("0.0000000000000000001234"),
    "value-negative-zero": _cell("-0"),
    "value-whole": _cell("1"),
    "value-whole-long": _cell("0000000000000000001"),
    "value-huge-integer": _cell("123456789012345678901234567890"),
    "value-whole-as-float": _cell("1.0"),
    "value-spaces": _cell(" 0.5 "),
    "value-plus": _cell("+0.5"),
    "value-empty": _cell(""),
    "value-nan": _cell("nan"),
    "value-NA": _cell("NA"),
    "value-inf": _cell("inf"),
    "value-overflow": _cell("1e400"),
    "value-TRUE": _cell("TRUE"),
    "value-true": _cell("true"),
    "value-word": _cell("maybe"),
    "value-above-1": _cell("1.5"),
    "value-negative": _cell("-0.5"),
    "value-comma-decimal": _cell("0,5"),
    "value-quoted": _cell('"0.5"'),
    "value-quoted-comma": _cell('"0,5"'),
    "all-values-whole": lambda t: [t[0]] + [[row[0], *("1" if v > "0.5" else "0" for v in row[1:])] for row in t[1:]],
    "all-values-zero": lambda t: [t[0]] + [[row[0], *("0" for _ in row[1:])] for row in t[1:]],
    "row-doubled-values": lambda t: (
        [t[0]] + [[row[0], *(v + "0" if "." in v else v for v in row[1:])] for row in t[1:]]
    ),
    "id-zero-padded": _cell("00" + "7", column=0),
    "id-plus": lambda t: _cell("+" + t[4][0], 4, 0)(t),
    "id-space": lambda t: _cell(" " + t[4][0], 4, 0)(t),
    "id-hex": _cell("0x1F", 4, 0),
    "id-minus-zero": _cell("-0", 4, 0),
    "id-repeated": lambda t: _cell(t[5][0], 4, 0)(t),
    "id-unknown": _cell("999999", 4, 0),
    "id-empty": _cell("", 4, 0),
    "row-missing": lambda t: t[:-1],
    "row-extra": lambda t: [*t, list(t[-1])],
    "field-missing": lambda t: [*t[:6], t[6][:-1], *t[7:]],
    "field-extra": lambda t: [*t[:6], [*t[6], "1"], *t[7:]],
    "every-row-a-field-extra": lambda t: [t[0]] + [[row[0], *row] for row in t[1:]],
    "header-repeated": lambda t: [[*t[0][:-1], t[0][0]], *t[1:]],
    "header-extra": lambda t: [[*t[0], "extra"], *[[*row, "0"] for row in t[1:]]],
    "header-missing": lambda t: [row[:-1] for row in t],
    "header-only": lambda t: t[:1],
}
BYTE_CHANGES = {
    "crlf": lambda b: b.replace(b"\n", b"\r\n"),
    "bom": lambda b: b"\xef\xbb\xbf" + b,
    "two-boms": lambda b: b"\xef\xbb\xbf\xef\xbb\xbf" + b,
    "no-final-newline": lambda b: b.rstrip(b"\n"),
    "blank-line": lambda b: _nth(b, b"\n", b"\n\n", 3),
    "blank-lines-at-start": lambda b: b"\n\n" + b,
    "blank-line-at-end": lambda b: b + b"\n",
    "whitespace-line": lambda b: _nth(b, b"\n", b"\n \n", 3),
    "lone-cr": lambda b: _nth(b, b"\n", b"\r", 4),
    "cr-at-end": lambda b: b + b"\r",
    "nul": lambda b: _nth(b, b"\n", b"\n\0", 4),
    "latin-1": lambda b: _nth(b, b"\n", b"\n\xe9", 4),
    "tabs": lambda b: b.replace(b",", b"\t"),
    "semicolons": lambda b: b.replace(b",", b";"),
}
FAST = {"good", "columns-reordered", "value-exponent", "value-long",
        "value-negative-zero", "value-whole", "value-whole-as-float", "value-spaces", "value-plus",
        "all-values-whole", "row-doubled-values", "crlf", "bom", "no-final-newline", ".gz", ".zip"}  # fmt: skip


def _write(tmp_path: Path, table: list[list[str]], change: str) -> Path:
    data = "".join(",".join(row) + "\n" for row in (TABLE_CHANGES.get(change, lambda t: t)([list(r) for r in table])))
    data = BYTE_CHANGES.get(change, lambda b: b)(data.encode())
    path = tmp_path / "submission.csv"
    if change == ".gz":
        path = tmp_path / "submission.csv.gz"
        path.write_bytes(gzip.compress(data))
    elif change == ".zip":
        path = tmp_path / "submission.zip"
        with zipfile.ZipFile(path, "w") as bundle:
            bundle.writestr("submission.csv", data)
    else:
        path.write_bytes(data)
    return path


def _graded_both_ways(path: Path, prepared: PreparedFolder, metric: str, monkeypatch) -> tuple[GradingReport, ...]:
    fast = grade_submission(path, prepared, metric)
    monkeypatch.setattr(grading, "FAST_PATH", False)
    precise = grade_submission(path, prepared, metric)
    monkeypatch.setattr(grading, "FAST_PATH", True)
    return fast, precise


def _outcome(report: GradingReport) -> tuple:
    return report.score, report.valid_submission, report.errors, report.notes


CHANGES = [*TABLE_CHANGES, *BYTE_CHANGES, ".gz", ".zip"]
NUMERIC = sorted(m for m, spec in METRICS.items() if spec.numeric_predictions)


@pytest.mark.parametrize("metric", sorted(METRICS))
@pytest.mark.parametrize("change", CHANGES)
def test_both_paths_report_the_same(tmp_path, monkeypatch, metric, change):
    prepared, table = _prepared(tmp_path, metric, "row-numbers")
    path = _write(tmp_path, table, change)
    fast, precise = _graded_both_ways(path, prepared, metric, monkeypatch)
    assert _outcome(fast) == _outcome(precise)
    took_fast = grading._graded_fast(path, prepared, METRICS[metric], GradingReport(prepared.slug))
    assert precise.valid_submission or not took_fast  # the fast path grades only what the precise path finds valid
    if change in FAST and METRICS[metric].numeric_predictions and precise.valid_submission:
        assert took_fast


@pytest.mark.parametrize("ids", sorted(IDS))
@pytest.mark.parametrize("metric", ["auc", "multiclass_log_loss", "rmse", "accuracy"])
@pytest.mark.parametrize("change", ["good", "id-zero-padded", "id-plus", "id-repeated", "id-unknown", "row-missing",
                                    "value-nan", "crlf"])  # fmt: skip
def test_both_paths_match_ids_the_same(tmp_path, monkeypatch, ids, metric, change):
    prepared, table = _prepared(tmp_path, metric, ids, seed=1)
    path = _write(tmp_path, table, change)
    fast, precise = _graded_both_ways(path, prepared, metric, monkeypatch)
    assert _outcome(fast) == _outcome(precise)
    if change in ("good", "crlf") and METRICS[metric].numeric_predictions:
        assert fast.valid_submission
        if ids != "zero-padded":  # "00007" is no integer as Python writes it: the precise path compares the text
            assert grading._graded_fast(path, prepared, METRICS[metric], GradingReport(prepared.slug))


@pytest.mark.parametrize("metric", ["auc", "rmse", "multiclass_log_loss"])
def test_both_paths_agree_on_a_larger_submission_with_ties(tmp_path, monkeypatch, metric):
    global ROWS
    rows, ROWS = ROWS, 3000
    try:
        prepared, table = _prepared(tmp_path, metric, "row-numbers", seed=2)
    finally:
        ROWS = rows
    for row in table[1:200]:  # ties: the same score on many rows
        row[1] = table[1][1]
    path = _write(tmp_path, table, "good")
    fast, precise = _graded_both_ways(path, prepared, metric, monkeypatch)
    assert fast.valid_submission and _outcome(fast) == _outcome(precise)


def test_pandas_reads_a_column_of_numbers_as_numbers_reads_its_text():
    """The fast path's premise: pandas' CSV float parser gives what ``numbers`` gives for the same text, to the bit
    (not what Python's float() gives: 17 digits are kept, a longer tail is dropped)."""
    rng = np.random.default_rng(3)
    texts = [repr(float(v)) for v in rng.random(3000)] + [repr(float(v)) for v in rng.random(1000) * 1e6]
    texts += [repr(float(v)) for v in rng.random(1000) * 1e-9] + [f"{v:.25f}" for v in rng.random(1000)]
    texts += [f"{v:.20e}" for v in rng.random(1000) * 1e12] + ["-0.5", "0.0000000000000000001234", "9007199254740993.5"]
    read = grading._read_plain(("v\n" + "\n".join(texts) + "\n").encode(), ["v"], ["v"])["v"].to_numpy()
    parsed = numbers(pd.Series(texts, dtype=object), errors="coerce").to_numpy()
    assert read.view(np.uint64).tolist() == parsed.view(np.uint64).tolist()
    assert sum(float(t) != v for t, v in zip(texts, read, strict=True)) > 0  # so Arrow's (correct) parse would differ


@pytest.mark.parametrize(
    "scores",
    [[0.5, 0.5, 0.1, 0.9, 0.5, 0.0, -0.0, 1.0], [3.0, -1.0, -1.0, 2.5, np.inf, 0.0, 7.0, -np.inf],
     [0.2, np.nan, 0.3, 0.3, 0.1, 0.9, 0.4, 0.6]],
)  # fmt: skip
def test_rank_sum_is_pandas_average_ranks_summed(scores):
    chosen = np.array([True, False, True, True, False, False, True, False])
    scores = np.array(scores)
    expected = pd.Series(scores).rank(method="average").to_numpy()[chosen].sum()
    assert np.array_equal(_rank_sum(scores, chosen), expected, equal_nan=True)


def test_rank_sum_on_a_million_scores_with_ties():
    rng = np.random.default_rng(4)
    scores = np.round(rng.random(1_000_000), 4)
    chosen = rng.random(1_000_000) < 0.3
    assert _rank_sum(scores, chosen) == pd.Series(scores).rank(method="average").to_numpy()[chosen].sum()


def test_a_huge_exponent_is_read_as_its_value_without_crashing():
    from validation.float_text import to_numeric
    from validation.leaderboard import LeaderboardError, leaderboard_from_frame

    text = pd.Series(["1e2147483648", "-1E-4294967296", "1e4294967296", "2e+0001000000", "0.5", None], dtype=object)
    parsed = to_numeric(text, errors="coerce").tolist()
    assert np.isnan(parsed[0]) and np.isnan(parsed[2]) and np.isnan(parsed[3])  # as pandas reads 1e400: no number
    assert parsed[1] == 0.0 and parsed[4] == 0.5  # 1e-400 is zero
    with pytest.raises(LeaderboardError, match=r"a board: line 2: score '1e2147483648' is not a number"):
        leaderboard_from_frame(pd.DataFrame({"score": ["1e2147483648", "0.5", "0.25"]}), "a board")  # no crash
