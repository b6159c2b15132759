"""A CSV text's records as Python's csv module reads them (its default dialect), without its field limit.

The csv module refuses a field past 131,072 characters, a limit that holds for the whole process; a run-length
encoded mask of a whole-slide image is megabytes (hubmap-kidney-segmentation). :func:`records` reads RFC 4180 text,
quoted (as R's ``write.csv`` and pandas' ``QUOTE_ALL`` write it) or not, record by record with one regular
expression per field, and gives up (:class:`UnusualCsv`) where the csv module has ways of its own: a quote inside
an unquoted field, text after a closing quote, a quote left open, a lone carriage return ending a line.

>>> [fields for _, fields in records('id,mask\\n"a","1 2"\\n\\nb,\\n')]
[['id', 'mask'], ['a', '1 2'], ['b', '']]
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_FIELD = re.compile(r'"[^"]*(?:""[^"]*)*"|[^,"\r\n]*')


class UnusualCsv(ValueError):
    """The text has what only the csv module reads its own way; read it with the csv module."""


def records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each non-empty record's last line number (as the csv module's ``line_num``: line feeds inside quoted fields
    count) and its fields, quotes removed; empty lines are skipped. Raises :class:`UnusualCsv` at the first thing
    only the csv module reads its own way."""
    position, end, line = 0, len(text), 0
    while position < end:
        line += 1
        if text[position] == "\n" or text.startswith("\r\n", position):  # an empty line
            position += 1 if text[position] == "\n" else 2
            continue
        fields = []
        while True:
            found = _FIELD.match(text, position)
            value, position = found.group(), found.end()
            if value.startswith('"'):
                line += value.count("\n")
                value = value[1:-1].replace('""', '"')
            fields.append(value)
            if position < end and text[position] == ",":
                position += 1
                continue
            if position == end:
                break
            if text[position] == "\n" or text.startswith("\r\n", position):
                position += 1 if text[position] == "\n" else 2
                break
            raise UnusualCsv(f"line {line:,}: {text[position]!r} where a field should end")
        yield line, fields
