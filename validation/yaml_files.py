"""The one reader of the YAML files people write by hand (annotations, split recipes): safe, strict and bounded.

>>> document = read_yaml_file(Path("titanic.yaml"))

- safe: plain YAML only (``yaml.SafeLoader``), no tag runs code;
- strict: a key given twice in one mapping is an error naming the key and both lines (YAML's last-wins would keep
  one value silently);
- no anchors or aliases (``&a`` / ``*a``): hand-written files have no use for them, and a few lines of nested
  aliases expand to gigabytes (an "alias bomb");
- bounded: a file above ``max_bytes`` is refused before it is read whole (``/dev/zero`` ends at once);
- UTF-8 only (a BOM is allowed): a binary or UTF-16 file is an error naming the file;
- booleans are YAML 1.2's, ``true`` and ``false`` (any of three letter cases) only: ``yes``, ``no``, ``on`` and
  ``off`` are text, as a label or a class is (tensorflow-speech-recognition-challenge's words include yes,
  no, on and off; PyYAML's YAML 1.1 read ``{yes: ..., on: ...}`` as the key True twice);
- numbers are written in decimal (``10``, ``-3``, ``0.25``, ``1.5e-3``, ``.inf``): YAML 1.1's other forms are text as
  written, as YAML 1.2 reads most of them, where PyYAML changed them silently: ``010`` (octal, 8), ``12:30``
  (base 60, 750), ``1_000``, ``0x1F`` and ``0b11`` (an unseen label ``010`` became the label ``8``). A key that
  takes a number says so when it is given one of them;
- dates and times are text as written (YAML 1.2's reading): web-traffic-time-series-forecasting's columns are named
  ``2015-07-01``, and PyYAML made them ``datetime.date`` objects no key takes.

Every failure is a :class:`YamlFileError` whose message starts with the file's path.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

MAX_YAML_BYTES = 1_000_000  # a recipe or an annotation is a few hundred bytes; 1 MB leaves room, never gigabytes


class YamlFileError(ValueError):
    """A hand-written YAML file cannot be read; the message names the file (and the line, when there is one)."""


class StrictSafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses duplicate keys, merge keys, anchors and aliases."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            name = event.anchor
            raise yaml.MarkedYAMLError(
                problem=f"anchors and aliases (&{name} / *{name}) are not allowed in mlecurate's YAML files; "
                "write the value out",
                problem_mark=event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.MarkedYAMLError(
                    problem="merge keys (<<) are not allowed in mlecurate's YAML files; write the keys out",
                    problem_mark=key_node.start_mark,
                )
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: SafeLoader's own error says so
                continue
            seen[key] = line
            if first is not None:
                raise yaml.MarkedYAMLError(
                    problem=f"key {key!r} is given twice (lines {first} and {line}); keep one",
                    problem_mark=key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


BOOL_TAG, INT_TAG, FLOAT_TAG = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
DECIMAL_INT = r"[-+]?(?:0|[1-9][0-9]*)"
# PyYAML's YAML 1.1 floats (an exponent needs a dot and a sign; a leading dot, no sign) without underscores or base
# 60: never more than PyYAML reads as a float, so every text its writer leaves unquoted is text here too
DECIMAL_FLOAT = (
    r"[-+]?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?|\.[0-9]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
# Out of the resolvers StrictSafeLoader inherits: YAML 1.1's booleans (yes/no/on/off), numbers (octal, base 60,
# underscores) and timestamps (a date is text, as a column named 2017-01-01 is); back in, the forms listed above
StrictSafeLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in (BOOL_TAG, INT_TAG, FLOAT_TAG, TIMESTAMP_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictSafeLoader.add_implicit_resolver(BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
StrictSafeLoader.add_implicit_resolver(INT_TAG, re.compile(f"^{DECIMAL_INT}$"), list("-+0123456789"))
StrictSafeLoader.add_implicit_resolver(FLOAT_TAG, re.compile(f"^(?:{DECIMAL_FLOAT})$"), list("-+0123456789."))
# Text YAML 1.1 would have read as a number: what a key taking a number says it was given
NUMBER_AS_TEXT = re.compile(
    r"[-+]?(?:0[0-9_]+|0x[0-9a-fA-F_]+|0b[01_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|"
    r"[0-9][0-9_]*_[0-9_]*(?:\.[0-9_]*)?|[0-9.]*[eE][-+]?[0-9]+|\.[0-9]+)"
)


def quote_hint(value: object) -> str:
    """For a key taking names (columns): how to write a name YAML reads as a number or true/false (a year column,
    ``2019``), where ``value`` (a name, a list or a mapping's values) holds one; "" otherwise. The value YAML made of
    it is not echoed as the name to write: ``1.50`` reads as 1.5."""
    values = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else [value]
    typed = next((v for v in values if isinstance(v, bool | int | float)), None)
    if typed is None:
        return ""
    kind = "true or false" if isinstance(typed, bool) else "a number"
    return f" (YAML reads a name such as 2019 or true unquoted as {kind}: quote it, exactly as the file writes it)"


def read_as_text_hint(value: object) -> str:
    """For a key taking a number: why ``value``, a text YAML 1.1 reads as a number, is text here, and what to write;
    "" for any other value."""
    if not isinstance(value, str) or not NUMBER_AS_TEXT.fullmatch(value.strip()):
        return ""
    return (
        " (read as text: mlecurate's YAML reads numbers written in decimal only, as 10, 0.05 or 5.0e-2, never octal "
        "010, base-60 12:30 or 1_000, and an exponent with a dot and a sign only: 5.0e-2, 1.0e+5)"
    )


def read_yaml_file(path: Path, what: str = "YAML file", max_bytes: int = MAX_YAML_BYTES) -> object:
    """The document in the YAML file ``path`` (``what`` it holds, for errors: "split recipe"), read by
    :class:`StrictSafeLoader`; raise :class:`YamlFileError`."""
    return parse_yaml_text(_read_text(Path(path), what, max_bytes), str(path))


def parse_yaml_text(text: str, where: str) -> object:
    """The document in ``text`` (from ``where``, named in errors), read by :class:`StrictSafeLoader`."""
    try:
        return yaml.load(text, Loader=StrictSafeLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = " ".join(str(part) for part in (error.context, error.problem) if part)
        raise YamlFileError(f"{where}: not valid YAML: {at}{problem}".replace("\n", " ")) from None
    except yaml.YAMLError as error:
        raise YamlFileError(f"{where}: not valid YAML: {error}".replace("\n", " ")) from None
    except RecursionError:  # thousands of nested brackets: PyYAML's parser recurses once per level
        raise YamlFileError(f"{where}: nested too deeply to be read (thousands of levels of [ or {{)") from None


def _read_text(path: Path, what: str, max_bytes: int) -> str:
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)  # never more than the limit, whatever the file claims to be
    except IsADirectoryError:
        raise YamlFileError(f"{path}: is a folder, expected a {what}") from None
    except OSError as error:
        raise YamlFileError(f"{path}: cannot read the {what} ({error.strerror or error})") from None
    if len(data) > max_bytes:
        raise YamlFileError(f"{path}: larger than {max_bytes:,} bytes; a {what} is far smaller")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlFileError(f"{path}: UTF-16 text; save it as UTF-8")
    if b"\x00" in data:
        raise YamlFileError(f"{path}: binary data (a NUL byte at offset {data.index(0):,}), expected a {what} in YAML")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise YamlFileError(
            f"{path}: not UTF-8 text (byte {error.start:,} cannot be decoded); save it as UTF-8"
        ) from None
