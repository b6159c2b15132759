"""The annotation form: what a curator typed, turned into the changes :class:`curation.annotations.AnnotationStore`
saves, validated as ``mlecurate annotate`` validates them.

>>> form = parse_form(b"decision=include&was_decision=undecided&complexity=low&was_complexity=")
>>> changes = form_changes(form, where="the split recipe of titanic by alice")   # {"decision": "include", ...}
>>> store.update("titanic", "alice", changes)     # the store's lock, validation and atomic write

The form sends every field with the value it was shown with (``was_<field>``); only the fields the curator changed
are saved, as the command line saves only the flags it is given. So two pages open on one annotation, each changing
other fields, both keep their change. A field emptied is cleared (``annotate --clear FIELD`` on the command line). The split
recipe is YAML read by the one strict reader (:func:`validation.yaml_files.parse_yaml_text`), validated by the one
recipe validator (:func:`validation.split_recipe.parse_recipe`) and stored in its canonical form
(``SplitRecipe.to_document``), exactly as ``mlecurate annotate --split-recipe FILE`` stores a file's recipe; a bad
recipe raises :class:`validation.split_recipe.RecipeError` naming its key, before anything is written.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from curation.annotations import COMPLEXITIES, DECISIONS
from validation.split_recipe import RecipeError, parse_recipe, refuse_keys_of_other_kinds
from validation.yaml_files import MAX_YAML_BYTES, YamlFileError, parse_yaml_text

FORM_FIELDS = ("complexity", "category", "decision", "reason", "note", "split_recipe")
MAX_FORM_BYTES = MAX_YAML_BYTES + 64_000  # a recipe of the largest size a recipe file may have, and the other fields
WAS = "was_"  # prefix of the hidden fields holding the values the form was shown with


class FormError(ValueError):
    """A form cannot be saved as sent; the message names the field."""


def parse_form(body: bytes) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body as {name: value} (UTF-8; a name given twice is an error)."""
    if len(body) > MAX_FORM_BYTES:
        raise FormError(f"the form is larger than {MAX_FORM_BYTES:,} bytes; a recipe and a note are far smaller")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FormError(f"the form is not UTF-8 text ({error.reason} at byte {error.start})") from None
    form: dict[str, str] = {}
    for name, value in parse_qsl(text, keep_blank_values=True, errors="strict"):
        if name in form:
            raise FormError(f"field '{name}' is given twice")
        form[name] = value.replace("\r\n", "\n")  # browsers send a text area's line ends as CRLF
    return form


def form_changes(form: dict[str, str], where: str) -> dict:
    """The fields the curator changed, as :meth:`AnnotationStore.update` takes them; ``where`` names the recipe in
    errors (e.g. "the split recipe of titanic by alice")."""
    changes: dict = {}
    for name in FORM_FIELDS:
        if name not in form:
            continue
        value = form[name]
        if WAS + name in form and _same(form[WAS + name], value):
            continue
        changes[name] = _field_value(name, value, where)
    return changes


def recipe_from_text(text: str, where: str) -> dict | None:
    """The recipe in ``text`` (YAML) in its canonical stored form, or None for an empty text area."""
    if not text.strip():
        return None
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise RecipeError(f"{where}: larger than {MAX_YAML_BYTES:,} bytes; a split recipe is far smaller")
    try:
        document = parse_yaml_text(text, where)
    except YamlFileError as error:
        raise RecipeError(str(error)) from None
    recipe = parse_recipe(document, where)
    refuse_keys_of_other_kinds(recipe.kind, document, where)  # handed in, as `annotate --split-recipe` checks it
    return recipe.to_document()


def _field_value(name: str, value: str, where: str) -> object:
    if name == "split_recipe":
        return recipe_from_text(value, where)
    if name == "complexity" and value and value not in COMPLEXITIES:
        raise FormError(f"field 'complexity': expected one of {', '.join(COMPLEXITIES)}, found {value!r}")
    if name == "decision":
        if value not in DECISIONS:
            raise FormError(f"field 'decision': expected one of {', '.join(DECISIONS)}, found {value!r}")
        return value
    return value if value.strip() else None


def _same(shown: str, sent: str) -> bool:
    return shown.replace("\r\n", "\n").strip() == sent.strip()
