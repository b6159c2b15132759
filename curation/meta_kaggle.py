"""Read Meta Kaggle's ``Competitions.csv`` into a typed table, whichever dump it comes from.

>>> table = read_competitions(Path("../shared/data/meta-kaggle/Competitions.csv"))

Every Meta Kaggle field is double-quoted text: dates are ``MM/DD/YYYY HH:MM:SS``, booleans ``True``/``False``.
Dumps differ in their column sets (``LeaderboardDisplayFormat`` until 2023, ``ScoreTruncationNumDecimals`` after;
2025 adds the page texts and data sizes) and in one name (``InClass`` became ``Community`` in 2023). The typed table
has the same columns for every dump: a column a dump lacks is NULL, ``host_segment`` carries the current segment
name beside the raw ``host_segment_title``, and a column this module does not know is kept as text. A dump re-saved by
a spreadsheet program reads the same: a UTF-8 byte-order mark, quotes only where needed, CRLF or LF line endings.

DuckDB does the parsing and typing, so a 150 MB dump with full page texts reads in about a second.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from validation.data_files import ONE_FILE, literal, path_literal, quote

DATE_FORMAT = "%m/%d/%Y %H:%M:%S"
COMPETITIONS_FILE = "Competitions.csv"  # Meta Kaggle's name for it

# Segment names that older dumps used for what Kaggle now calls something else.
SEGMENT_RENAMES = {"InClass": "Community"}


@dataclass(frozen=True)
class Column:
    source: str  # the header in Competitions.csv
    name: str  # the column in meta_kaggle.competitions
    kind: str  # text | int | float | bool | timestamp
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("Id", "id", "int", required=True),
    Column("Slug", "slug", "text", required=True),
    Column("Title", "title", "text", required=True),
    Column("Subtitle", "subtitle", "text"),
    Column("HostSegmentTitle", "host_segment_title", "text", required=True),
    Column("ForumId", "forum_id", "int"),
    Column("OrganizationId", "organization_id", "int"),
    Column("EnabledDate", "enabled_date", "timestamp", required=True),
    Column("DeadlineDate", "deadline_date", "timestamp", required=True),
    Column("ProhibitNewEntrantsDeadlineDate", "prohibit_new_entrants_deadline_date", "timestamp"),
    Column("TeamMergerDeadlineDate", "team_merger_deadline_date", "timestamp"),
    Column("TeamModelDeadlineDate", "team_model_deadline_date", "timestamp"),
    Column("ModelSubmissionDeadlineDate", "model_submission_deadline_date", "timestamp"),
    Column("FinalLeaderboardHasBeenVerified", "final_leaderboard_has_been_verified", "bool"),
    Column("HasKernels", "has_kernels", "bool"),
    Column("OnlyAllowKernelSubmissions", "only_allow_kernel_submissions", "bool"),
    Column("HasLeaderboard", "has_leaderboard", "bool", required=True),
    Column("LeaderboardPercentage", "leaderboard_percentage", "float"),
    Column("ScoreTruncationNumDecimals", "score_truncation_num_decimals", "int"),
    Column("LeaderboardDisplayFormat", "leaderboard_display_format", "text"),
    Column("EvaluationAlgorithmAbbreviation", "evaluation_algorithm_abbreviation", "text"),
    Column("EvaluationAlgorithmName", "evaluation_algorithm_name", "text", required=True),
    Column("EvaluationAlgorithmDescription", "evaluation_algorithm_description", "text"),
    Column("EvaluationAlgorithmIsMax", "evaluation_algorithm_is_max", "bool", required=True),
    Column("MaxDailySubmissions", "max_daily_submissions", "int"),
    Column("NumScoredSubmissions", "num_scored_submissions", "int"),
    Column("MaxTeamSize", "max_team_size", "int"),
    Column("BanTeamMergers", "ban_team_mergers", "bool"),
    Column("EnableTeamModels", "enable_team_models", "bool"),
    Column("RewardType", "reward_type", "text"),
    Column("RewardQuantity", "reward_quantity", "float"),
    Column("NumPrizes", "num_prizes", "int"),
    Column("UserRankMultiplier", "user_rank_multiplier", "float"),
    Column("CanQualifyTiers", "can_qualify_tiers", "bool"),
    Column("TotalTeams", "total_teams", "int", required=True),
    Column("TotalCompetitors", "total_competitors", "int"),
    Column("TotalSubmissions", "total_submissions", "int"),
    Column("ValidationSetName", "validation_set_name", "text"),
    Column("ValidationSetValue", "validation_set_value", "text"),
    Column("EnableSubmissionModelHashes", "enable_submission_model_hashes", "bool"),
    Column("EnableSubmissionModelAttachments", "enable_submission_model_attachments", "bool"),
    Column("HostName", "host_name", "text"),
    Column("CompetitionTypeId", "competition_type_id", "int"),
    # Added in 2025 dumps.
    Column("LicenseName", "license_name", "text"),
    Column("Overview", "overview", "text"),
    Column("Rules", "rules", "text"),
    Column("DatasetDescription", "dataset_description", "text"),
    Column("TotalCompressedBytes", "total_compressed_bytes", "int"),
    Column("TotalUncompressedBytes", "total_uncompressed_bytes", "int"),
)

# The columns 2025 dumps added; the 2024 dump (and the demo) has the others, less LeaderboardDisplayFormat.
COLUMNS_ADDED_2025 = (
    "LicenseName",
    "Overview",
    "Rules",
    "DatasetDescription",
    "TotalCompressedBytes",
    "TotalUncompressedBytes",
)
REQUIRED_SOURCE_COLUMNS = tuple(c.source for c in COLUMNS if c.required)
# Required columns must exist; of their values only these must never be empty (real dumps have empty others,
# e.g. EvaluationAlgorithmIsMax of 'testing-a-competition-with-no-data').
IDENTITY_COLUMNS = ("Id", "Slug")

_SQL_TYPE = {
    "text": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMP",
}
_EXPECTED = {
    "int": "a whole number",
    "float": "a number",
    "bool": "True or False",
    "timestamp": "a date like MM/DD/YYYY HH:MM:SS",
}
MAX_EXAMPLES = 5


class MetaKaggleError(ValueError):
    """Competitions.csv cannot be read or typed; the message names the file, the line or column, and the row."""


@dataclass(frozen=True)
class CompetitionsTable:
    table: pa.Table  # typed, one row per competition, in file order
    path: Path
    dump_columns: tuple[str, ...]  # the header as found in the file
    missing_optional: tuple[str, ...]  # known columns this dump lacks (NULL in the table)
    extra_columns: tuple[str, ...]  # columns this module does not know (kept as text)


def read_competitions(path: Path) -> CompetitionsTable:
    """Parse and type a Meta Kaggle ``Competitions.csv``; raise :class:`MetaKaggleError` on any bad row or column."""
    path = Path(path)
    if not path.is_file():
        raise MetaKaggleError(f"{path}: no such file (expected Meta Kaggle's Competitions.csv)")
    header = _read_header(path)
    missing = [name for name in REQUIRED_SOURCE_COLUMNS if name not in header]
    if missing:
        raise MetaKaggleError(
            f"{path}: required column(s) {', '.join(missing)} missing from the header "
            f"(found {len(header)} columns: {', '.join(header)})"
        )
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise MetaKaggleError(f"{path}: column(s) {', '.join(duplicated)} appear more than once in the header")

    con = duckdb.connect()
    try:
        _load_text(con, path, header)
        _raise_on_bad_values(con, path, header)
        known = {c.source: c for c in COLUMNS}
        selects = [_typed_select(c, present=c.source in header) for c in COLUMNS]
        selects.insert(5, _segment_select("HostSegmentTitle"))
        extras = [h for h in header if h not in known]
        selects += [f"{quote(h)} AS {quote(_snake(h))}" for h in extras]
        table = con.sql(f"SELECT {', '.join(selects)} FROM raw ORDER BY _row").to_arrow_table()
    finally:
        con.close()
    return CompetitionsTable(
        table=table,
        path=path,
        dump_columns=tuple(header),
        missing_optional=tuple(c.source for c in COLUMNS if c.source not in header),
        extra_columns=tuple(extras),
    )


def _read_header(path: Path) -> list[str]:
    try:
        # utf-8-sig: a spreadsheet program saves the file with a byte-order mark, which is not part of "Id".
        with open(path, newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError as error:
        raise MetaKaggleError(f"{path}: not UTF-8 text ({error})") from error
    if not header:
        raise MetaKaggleError(f"{path}: the file is empty (expected a header row of Meta Kaggle columns)")
    return [name.strip() for name in header]


def _load_text(con: duckdb.DuckDBPyConnection, path: Path, header: list[str]) -> None:
    columns = "{" + ", ".join(f"{literal(h)}: 'VARCHAR'" for h in header) + "}"
    try:
        con.execute(
            f"""CREATE TEMP TABLE raw AS
                SELECT row_number() OVER () AS _row, * FROM read_csv({path_literal(path)},
                    auto_detect=false, header=true, columns={columns}, delim=',', quote='"', escape='"',
                    strict_mode=true, max_line_size=100000000{ONE_FILE})"""
        )
    except duckdb.Error as error:
        raise MetaKaggleError(f"{path}: {_describe_csv_error(str(error))}") from error
    rows = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    if rows == 0:
        raise MetaKaggleError(f"{path}: the file has a header but no competitions")


def _describe_csv_error(message: str) -> str:
    """Keep DuckDB's line number and its one-line diagnosis; drop its generic advice."""
    line = re.search(r"CSV Error on Line: (\d+)", message)
    lines = [part.strip() for part in message.splitlines() if part.strip()]
    diagnosis = next(
        (part for part in lines if part.endswith(".") and not part.startswith(("*", "Possible", "Original"))),
        lines[0] if lines else message,
    )
    hint = " (the file looks truncated or its quoting is broken)"
    return f"line {line.group(1)}: {diagnosis}{hint}" if line else f"{diagnosis}{hint}"


def _raise_on_bad_values(con: duckdb.DuckDBPyConnection, path: Path, header: list[str]) -> None:
    problems = []
    for column in COLUMNS:
        if column.source not in header:
            continue
        src = quote(column.source)
        if column.source in IDENTITY_COLUMNS:
            empty = con.execute(
                f"SELECT _row, Slug FROM raw WHERE {src} IS NULL ORDER BY _row LIMIT {MAX_EXAMPLES}"
            ).fetchall()
            if empty:
                problems.append(_problem(column.source, "is empty", empty))
        if column.kind == "text":
            continue
        bad = con.execute(
            f"""SELECT _row, Slug, {src} FROM raw
                WHERE {src} IS NOT NULL AND {_convert(column.kind, src)} IS NULL ORDER BY _row"""
        ).fetchall()
        if bad:
            problems.append(_problem(column.source, f"is not {_EXPECTED[column.kind]}", bad))
    if problems:
        raise MetaKaggleError(f"{path}: " + "; ".join(problems))


def _problem(column: str, what: str, rows: list[tuple]) -> str:
    shown = ", ".join(
        f"row {row[0]} (slug {row[1]!r})" + (f" has {row[2]!r}" if len(row) > 2 else "") for row in rows[:MAX_EXAMPLES]
    )
    more = f" and {len(rows) - MAX_EXAMPLES} more" if len(rows) > MAX_EXAMPLES else ""
    return f"column {column} {what} in {len(rows)} row(s): {shown}{more}"


def _convert(kind: str, expression: str) -> str:
    if kind == "timestamp":
        return f"try_strptime({expression}, '{DATE_FORMAT}')"
    if kind == "bool":
        return f"(CASE {expression} WHEN 'True' THEN true WHEN 'False' THEN false END)"
    return f"TRY_CAST(trim({expression}) AS {_SQL_TYPE[kind]})"


def _typed_select(column: Column, present: bool) -> str:
    if not present:
        return f"CAST(NULL AS {_SQL_TYPE[column.kind]}) AS {column.name}"
    src = quote(column.source)
    value = src if column.kind == "text" else _convert(column.kind, src)
    return f"{value} AS {column.name}"


def _segment_select(source: str) -> str:
    cases = " ".join(f"WHEN {literal(old)} THEN {literal(new)}" for old, new in SEGMENT_RENAMES.items())
    return f"CASE {quote(source)} {cases} ELSE {quote(source)} END AS host_segment"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", re.sub(r"\W+", "_", name)).lower()
