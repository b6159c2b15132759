"""validation.csv_records reads what the csv module reads, record for record and line for line, without its field
limit; where it gives up, the csv module has ways of its own."""

from __future__ import annotations

import csv
import io
import random

import pytest

from validation.csv_records import UnusualCsv, records

PIECES = ["a", "1 2 3", "", " ", '"q"', '"x,y"', '"line\nbreak"', '"say ""hi"""', '"cr\rin"', "é", "7" * 50]
ENDS = ["\n", "\r\n"]


def _csv_module(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text))
    return [(reader.line_num, row) for row in reader if row]


@pytest.mark.parametrize("seed", range(40))
def test_records_are_the_csv_modules_records(seed):
    r = random.Random(seed)
    lines = []
    for _ in range(r.randint(1, 12)):
        if r.random() < 0.1:
            lines.append("")  # an empty line
        else:
            lines.append(",".join(r.choice(PIECES) for _ in range(r.randint(1, 4))))
    text = "".join(line + r.choice(ENDS) for line in lines)
    if r.random() < 0.3:
        text = text.rstrip("\r\n")  # the last line without its end
    assert list(records(text)) == _csv_module(text), repr(text)


@pytest.mark.parametrize(
    "text",
    ['a,b"c\n', '"a"b,c\n', '"open,c\n', "a\rb\n", 'a,"b"x\n'],
    ids=["quote-in-unquoted", "text-after-quote", "quote-left-open", "lone-cr", "text-after-closing-quote"],
)
def test_what_only_the_csv_module_reads_its_way_is_left_to_it(text):
    with pytest.raises(UnusualCsv):
        list(records(text))


def test_a_field_of_megabytes_is_read_where_the_csv_module_refuses_it():
    mask = " ".join(f"{i * 3 + 1} 2" for i in range(300_000))
    text = f'id,mask\n"a","{mask}"\nb,{mask}\n'
    assert list(records(text)) == [(1, ["id", "mask"]), (2, ["a", mask]), (3, ["b", mask])]
    with pytest.raises(csv.Error, match="field larger than field limit"):
        _csv_module(text)
