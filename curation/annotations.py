"""Curators' annotations: one small YAML file per competition and curator, made to live in git.

>>> store = AnnotationStore(root.annotations)
>>> store.update("titanic", "alice", {"complexity": "low", "decision": "include", "reason": "classic tabular"})

Layout: ``<store>/<slug>/<curator>.yaml``. Several curators annotate one competition without ever touching each
other's files, so their edits merge in git without conflicts. A file looks like this::

    format: 1
    slug: spooky-author-identification
    curator: alice
    complexity: low            # low (< 2 h of engineer time), medium (2-10 h), high (> 10 h), as MLE-bench defines them
    category: Text Classification
    decision: include          # include | exclude | undecided
    reason: small, clean text classification with a standard metric
    note: ''
    split_recipe: null         # filled by the split-recipe work (how to re-split the public train set)
    updated_at: '2026-11-30T10:00:00+00:00'

A file holding comments of a curator's own is edited in place: only the changed fields are rewritten, the comments
kept (ruamel.yaml's round trip, checked to read back to the fields: :func:`_written`). Updates lock the competition's
folder, read, merge and write atomically: two ``annotate`` calls at once lose nothing,
and a failed write (a full disk, a read-only folder) is an :class:`AnnotationError` naming the file, with the
previous annotation left as it was. Files are read by :func:`validation.yaml_files.read_yaml_file` (no duplicate
keys, no aliases, at most 1 MB, UTF-8), and a ``split_recipe`` is validated by the one recipe validator,
:func:`validation.split_recipe.parse_recipe`, on every read and write.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path

import yaml
from ruamel.yaml import YAML as RoundTripYaml
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from validation.data_root import is_slug, write_atomic
from validation.split_recipe import RecipeError, parse_recipe
from validation.yaml_files import YamlFileError, parse_yaml_text, read_yaml_file

FORMAT_VERSION = 1
COMPLEXITIES = ("low", "medium", "high")
COMPLEXITY_HOURS = {"low": "< 2 h", "medium": "2-10 h", "high": "> 10 h"}
DECISIONS = ("include", "exclude", "undecided")
CURATOR_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MLEBENCH_CURATOR = "mle-bench"
# Names an import writes its annotations under, with the command that does: no person annotates as one (their work
# would count as MLE-bench's, and the next import would write over it).
IMPORT_CURATORS = {MLEBENCH_CURATOR: "mlecurate import-mlebench"}
# The first line of every file mlecurate writes, whose last key is updated_at (a file with it and without that key
# was cut short: require_whole).
HEADER = "# mlecurate annotation: one competition, one curator. Edit with `mlecurate annotate` or by hand.\n"
HEADER_MARK = b"# mlecurate annotation:"  # what of it survives an editor's BOM, CRLF line ends, or an edit of its words


class AnnotationError(ValueError):
    """An annotation is invalid; the message names the file (when there is one) and the field."""


class AnnotationRecipeError(AnnotationError):
    """An annotation's split recipe is invalid (the recipe validator's message, naming the file and key)."""


@dataclass(frozen=True)
class Annotation:
    slug: str
    curator: str
    complexity: str | None = None
    category: str | None = None
    decision: str = "undecided"
    reason: str | None = None
    note: str | None = None
    split_recipe: dict | None = None
    updated_at: str | None = None

    def to_document(self) -> dict:
        return {"format": FORMAT_VERSION, **asdict(self)}


EDITABLE_FIELDS = tuple(f.name for f in fields(Annotation) if f.name not in ("slug", "curator", "updated_at"))


def validate_slug(slug: str) -> str:
    if not is_slug(slug):
        raise AnnotationError(f"slug {slug!r} is not a Kaggle competition slug (letters, digits, '-', '_', '.')")
    return slug


def validate_curator(curator: str) -> str:
    """A curator's name as a file name in the store: any annotation's, an import's included."""
    if not isinstance(curator, str) or not CURATOR_PATTERN.fullmatch(curator):
        raise AnnotationError(f"curator {curator!r} must be a short name of letters, digits, '-', '_' or '.'")
    return curator


def validate_curator_name(curator: str) -> str:
    """A name a person annotates under (``mlecurate annotate``, the workbench): a valid curator name that no import
    writes under, in any case (``MLE-Bench.yaml`` is ``mle-bench.yaml`` on a case-insensitive disk)."""
    validate_curator(curator)
    for reserved, command in IMPORT_CURATORS.items():
        if curator.casefold() == reserved.casefold():
            raise AnnotationError(
                f"curator {curator!r} is reserved: `{command}` writes its annotations under {reserved!r}; annotate "
                "under your own name"
            )
    return curator


def check_annotation(annotation: Annotation, where: str = "") -> Annotation:
    """Validate every field; return the annotation with text fields tidied (complexity lower-case, spaces trimmed)."""
    prefix = f"{where}: " if where else ""

    def fail(field: str, message: str) -> AnnotationError:
        return AnnotationError(f"{prefix}field '{field}': {message}")

    try:
        validate_slug(annotation.slug)
    except AnnotationError as error:
        raise fail("slug", str(error)) from None
    try:
        validate_curator(annotation.curator)
    except AnnotationError as error:
        raise fail("curator", str(error)) from None
    for name in ("complexity", "category", "reason", "note", "updated_at"):
        value = getattr(annotation, name)
        if value is not None and not isinstance(value, str):
            quote = (
                f" (YAML reads a bare true/false as a boolean and a bare number as a number: quote "
                f"the text, e.g. {name}: '...')"
                if isinstance(value, bool | int | float)
                else ""
            )
            raise fail(name, f"expected text, found {type(value).__name__} {value!r}{quote}")
    complexity = annotation.complexity.strip().lower() if annotation.complexity else None
    if complexity is not None and complexity not in COMPLEXITIES:
        raise fail("complexity", f"expected one of {', '.join(COMPLEXITIES)}, found {annotation.complexity!r}")
    decision = (annotation.decision or "undecided").strip().lower() if isinstance(annotation.decision, str) else None
    if decision not in DECISIONS:
        raise fail("decision", f"expected one of {', '.join(DECISIONS)}, found {annotation.decision!r}")
    if annotation.split_recipe is not None and not isinstance(annotation.split_recipe, dict):
        raise fail("split_recipe", f"expected a mapping of recipe keys, found {annotation.split_recipe!r}")
    if annotation.split_recipe is not None:
        try:
            parse_recipe(
                annotation.split_recipe, where or f"the annotation of {annotation.slug} by {annotation.curator}"
            )
        except RecipeError as error:
            raise AnnotationRecipeError(str(error)) from None
    if annotation.updated_at is not None:
        try:
            datetime.fromisoformat(annotation.updated_at)
        except ValueError:
            raise fail("updated_at", f"expected an ISO 8601 time, found {annotation.updated_at!r}") from None
    return replace(
        annotation,
        complexity=complexity,
        decision=decision,
        category=annotation.category.strip() or None if annotation.category else None,
    )


def parse_annotation_document(document: object, where: str) -> Annotation:
    """Turn a loaded YAML document into an :class:`Annotation`, or raise naming ``where`` and the field."""
    if not isinstance(document, dict):
        raise AnnotationError(f"{where}: expected a mapping of annotation fields, found {type(document).__name__}")
    document = dict(document)
    version = document.pop("format", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise AnnotationError(
            f"{where}: field 'format': this mlecurate reads format {FORMAT_VERSION}, found {version!r}"
        )
    known = {f.name for f in fields(Annotation)}
    unknown = sorted(set(document) - known)
    if unknown:
        raise AnnotationError(
            f"{where}: field '{unknown[0]}' is not an annotation field (known: {', '.join(sorted(known))})"
        )
    for required in ("slug", "curator"):
        if not document.get(required):
            raise AnnotationError(f"{where}: field '{required}' is missing")
    if document.get("decision") is None:
        document.pop("decision", None)  # a bare "decision:" is no decision: require_decision says so
    return check_annotation(Annotation(**document), where)


COMMENT_START = re.compile(r"(?:^|(?<=\s))#", re.MULTILINE)  # where a YAML comment may start


def _comments(text: str) -> list[str]:
    """Each YAML comment in ``text`` but mlecurate's header: a ``#`` at a line's start or after white space that is
    not inside a value (a quoted ``'see #3'`` is none), as PyYAML's scanner places the values."""
    try:
        values = [(t.start_mark.index, t.end_mark.index) for t in yaml.scan(text) if isinstance(t, yaml.ScalarToken)]
    except yaml.YAMLError:  # not YAML: every '#' that could open a comment counts
        values = []
    found, at = [], 0
    while match := COMMENT_START.search(text, at):
        start = match.start()
        end = text.find("\n", start)
        end = len(text) if end < 0 else end  # the line's end, or the text's
        value = next(((a, b) for a, b in values if a <= start < b), None)
        if value is not None:  # a '#' inside a value: look again after it
            at = value[1]
            continue
        comment = text[start:end].rstrip()
        if comment != HEADER.strip():
            found.append(comment)
        at = end
    return found


def require_decision(document: dict, annotation: Annotation, where: str) -> None:
    """A file must say its decision: every file mlecurate writes does, and reading its absence as "undecided" took a
    competition whose file was cut short in an editor or a merge out of the benchmark without a word."""
    if document.get("decision") not in (None, ""):
        return
    if annotation.curator in IMPORT_CURATORS:  # no person annotates under its name: the import writes it again
        mend = f"run {IMPORT_CURATORS[annotation.curator]} again"
    else:
        mend = f"run: mlecurate annotate {annotation.slug} --curator {annotation.curator} --decision <decision>"
    raise AnnotationError(
        f"{where}: field 'decision' {'is empty' if 'decision' in document else 'is missing'} (expected one of "
        f"{', '.join(DECISIONS)}); every file mlecurate writes has one, so this one was written by hand or cut short. "
        f"Write 'decision: undecided' to leave it open, or {mend}"
    )


def require_whole(text_start: bytes, document: dict, where: str) -> None:
    """A file mlecurate wrote (it opens with :data:`HEADER_MARK`) ends with ``updated_at``: without it, the file was cut
    short, and what followed the cut (a split recipe, or its last keys) is lost; reading it would publish another
    split without a word."""
    written_by_us = text_start.removeprefix(b"\xef\xbb\xbf").startswith(HEADER_MARK)  # a BOM, CRLF, an edited line
    if not written_by_us or "updated_at" in document:
        return
    raise AnnotationError(
        f"{where}: field 'updated_at' is missing, and every file mlecurate writes ends with it: this one was cut "
        "short (in an editor, a copy or a merge), and the fields after the cut (its split_recipe, or the end of it) "
        "are lost. Restore it from version control (git diff shows what is missing); if what is left is right, add "
        "an updated_at line (an ISO time)"
    )


@dataclass(frozen=True)
class AnnotationStore:
    root: Path

    def path_for(self, slug: str, curator: str) -> Path:
        return self.root / validate_slug(slug) / f"{validate_curator(curator)}.yaml"

    def read(self, path: Path, needs_decision: bool = True) -> Annotation:
        """Read and validate one annotation file; its content must match its place in the store and, unless
        ``needs_decision`` is False (an update about to set it), say its decision."""
        try:
            document = read_yaml_file(path, what="annotation")
        except YamlFileError as error:
            raise AnnotationError(str(error)) from None
        if document is None or isinstance(document, dict):  # cut short before or after its first key
            with open(path, "rb") as handle:
                require_whole(handle.read(len(HEADER_MARK) + 3), document or {}, str(path))
        annotation = parse_annotation_document(document, str(path))
        if (annotation.slug, annotation.curator) != (path.parent.name, path.stem):
            raise AnnotationError(
                f"{path}: fields 'slug'/'curator' say {annotation.slug}/{annotation.curator} but the file sits at "
                f"{path.parent.name}/{path.name}; move the file or fix the fields"
            )
        if needs_decision:
            require_decision(document, annotation, str(path))
        return annotation

    def get(self, slug: str, curator: str) -> Annotation | None:
        path = self.path_for(slug, curator)
        return self.read(path) if path.exists() else None

    def for_competition(self, slug: str) -> list[Annotation]:
        folder = self.root / validate_slug(slug)
        if not self._folder_exists() or not folder.is_dir():
            return []
        return [self.read(path) for path in sorted(folder.glob("*.yaml"))]

    def has_annotations(self, slug: str) -> bool:
        """Whether any curator has a file for the competition (the files are not read: one that is damaged is named
        where the annotations are read, not here)."""
        folder = self.root / validate_slug(slug)
        return self._folder_exists() and next(folder.glob("*.yaml"), None) is not None

    def is_empty(self) -> bool:
        """True when the store holds no annotation file (its folder may not exist yet)."""
        return not self._folder_exists() or next(self.root.glob("*/*.yaml"), None) is None

    def _folder_exists(self) -> bool:
        """Whether the store's folder exists; a file in its place is an error (a mistyped MLECURATE_ANNOTATIONS)."""
        if self.root.exists() and not self.root.is_dir():
            raise AnnotationError(
                f"{self.root}: the annotation store (MLECURATE_ANNOTATIONS, default <home>/annotations) must be a "
                "folder, found a file"
            )
        return self.root.is_dir()

    def all(self) -> list[Annotation]:
        """Every annotation in the store, sorted by slug then curator; the first malformed file raises."""
        if not self._folder_exists():
            return []
        return [self.read(path) for path in sorted(self.root.glob("*/*.yaml"))]

    def readable(self, slug: str | None = None) -> tuple[list[Annotation], list[AnnotationError]]:
        """Every annotation of ``slug`` (of the whole store without one) that can be read, sorted as :meth:`all`,
        and the error naming each file that cannot. For pages that stay usable beside a damaged file (the
        workbench, which shows the errors); what decides or publishes reads with :meth:`all`, which raises."""
        if not self._folder_exists():
            return [], []
        pattern = f"{validate_slug(slug)}/*.yaml" if slug is not None else "*/*.yaml"
        annotations, unreadable = [], []
        for path in sorted(self.root.glob(pattern)):
            try:
                annotations.append(self.read(path))
            except AnnotationError as error:
                unreadable.append(error)
        return annotations, unreadable

    def update(
        self, slug: str, curator: str, changes: dict, now: datetime | None = None, imported: bool = False
    ) -> Annotation:
        """Merge ``changes`` into the curator's annotation of ``slug`` (creating it) and save it atomically. Only an
        import (``imported``) writes under a name reserved for one (:func:`validate_curator_name`)."""
        return self.save(slug, curator, changes, now, imported).annotation

    def save(
        self, slug: str, curator: str, changes: dict, now: datetime | None = None, imported: bool = False
    ) -> Saved:
        """:meth:`update`, saying how many of the curator's own comments the file held and how many it lost (counted
        under the lock, so another save in between cannot make one seem lost): what ``annotate`` and the
        workbench's save tell the curator."""
        if not imported:
            validate_curator_name(curator)
        unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
        if unknown:
            raise AnnotationError(f"field '{unknown[0]}' cannot be set (editable: {', '.join(EDITABLE_FIELDS)})")
        path = self.path_for(slug, curator)
        self._folder_exists()  # a file in the store's place is named as such, before anything is written
        try:
            with self._locked(path.parent):
                # An update that sets the decision mends a file without one (the way out its error names).
                current = (
                    self.read(path, needs_decision="decision" not in changes)
                    if path.exists()
                    else Annotation(slug=slug, curator=curator)
                )
                stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
                updated = check_annotation(replace(current, **changes, updated_at=stamp), f"{path}")
                before = _file_text(path)
                text = _written(before, updated, path)
                write_atomic(path, text)
        except OSError as error:  # a full disk, a read-only or unwritable folder: the previous file is untouched
            raise AnnotationError(
                f"{path}: cannot save the annotation ({error.strerror or error}); nothing was changed"
            ) from None
        comments = _comments(before)
        return Saved(updated, path, len(comments), sum((Counter(comments) - Counter(_comments(text))).values()))

    @contextlib.contextmanager
    def _locked(self, folder: Path) -> Iterator[None]:
        # flock on the competition's folder itself: no lock files to keep out of git.
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def check_store_not_emptied(store: AnnotationStore, rows_in_table: int) -> None:
    """Refuse to replace an annotations table of ``rows_in_table`` rows with an empty store: an empty or missing folder
    after annotating is far more often a mistyped MLECURATE_ANNOTATIONS than every curator's work deleted on purpose."""
    if rows_in_table and store.is_empty():
        state = "is empty" if store.root.is_dir() else "does not exist"
        raise AnnotationError(
            f"{store.root}: the annotation store {state}, but the warehouse holds {rows_in_table:,} annotations; "
            "refusing to replace them with none. Check MLECURATE_ANNOTATIONS (default <home>/annotations); if every "
            "annotation was removed on purpose, materialise competition_annotations with config allow_empty: true"
        )


class _PlainDumper(yaml.SafeDumper):
    """Writes shared values out in full: the reader refuses anchors and aliases."""

    def ignore_aliases(self, data) -> bool:
        return True


def _dump(annotation: Annotation) -> str:
    """The canonical text: the header, then the fields in order, non-ASCII text as written (``é``) unless a
    character would not read back (PyYAML writes a NEL, U+0085, raw and reads it as a line break): then escaped."""
    document = annotation.to_document()
    text = yaml.dump(document, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=100)
    if _read_back(text) != document:  # the strict reader every read goes through
        text = yaml.dump(document, Dumper=_PlainDumper, sort_keys=False, allow_unicode=False, width=100)
    return HEADER + text


def _read_back(text: str) -> object:
    """``text`` as the strict reader reads it; None where it cannot."""
    try:
        return parse_yaml_text(text, "the annotation written")
    except YamlFileError:
        return None


@dataclass(frozen=True)
class Saved:
    """What :meth:`AnnotationStore.save` wrote."""

    annotation: Annotation
    path: Path
    comments: int  # the curator's own comments the file held before (mlecurate's header aside)
    comments_lost: int  # how many of them the new text no longer holds


def _file_text(path: Path) -> str:
    """An annotation file's text before an update ("" for a new one). The read before the update has refused a
    file that is not UTF-8."""
    return path.read_text(encoding="utf-8-sig") if path.is_file() else ""


def _written(text: str, annotation: Annotation, path: Path) -> str:
    """The annotation file's new text, from its ``text`` now. A file holding comments of a curator's own keeps them:
    each changed field is set in place through ruamel.yaml's round trip (comments, key order and layout kept; those
    inside a field that changes, such as a replaced split recipe, go with it), provided the result reads back, as
    every annotation is read (PyYAML), to exactly the new fields with ``updated_at`` last (:func:`require_whole`).
    Any other file, or one that fails that, gets the canonical text (:func:`_dump`). ``annotate`` and the
    workbench's save say when comments were lost (:class:`Saved`)."""
    canonical = _dump(annotation)
    if not _comments(text):
        return canonical
    document = annotation.to_document()
    try:
        edited = _edited_in_place(text, document)
        read_back = parse_yaml_text(edited, str(path))  # the strict reader every read goes through
    except (RuamelError, YamlFileError, UnicodeDecodeError, ValueError, TypeError):
        return canonical
    header_kept = edited.startswith(HEADER_MARK.decode()) or not text.startswith(HEADER_MARK.decode())
    if read_back != document or list(read_back)[-1] != "updated_at" or not header_kept:  # require_whole needs both
        return canonical
    return edited


def _quoted_where_misread(value):
    """``value`` with each text that PyYAML, reading it unquoted, would take for another type (``1:20`` for 80, ``no``
    for False: YAML 1.1's rules, which ruamel.yaml's 1.2 writer does not all quote) marked to be written quoted."""
    if isinstance(value, dict):
        return {key: _quoted_where_misread(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_quoted_where_misread(item) for item in value]
    if isinstance(value, str) and _PYYAML_TYPES.resolve(yaml.ScalarNode, value, (True, False)) != _TEXT_TAG:
        return SingleQuotedScalarString(value)
    return value


_PYYAML_TYPES = yaml.resolver.Resolver()
_TEXT_TAG = "tag:yaml.org,2002:str"


def _edited_in_place(text: str, document: dict) -> str:
    """``text`` with each field of ``document`` that differs set to its value (``updated_at`` moved last)."""
    editor = RoundTripYaml()
    editor.width, editor.preserve_quotes = 100, True
    fields_now = editor.load(text)
    if not isinstance(fields_now, dict):
        raise ValueError("not a mapping")
    # what changed, as the strict reader reads the file: ruamel's YAML 1.2 takes 2017-01-01 for a date and 010 for
    # a number, and every field holding one would look changed and be rewritten, its comments lost
    read_now = parse_yaml_text(text, "the annotation as it was")
    for key, value in document.items():
        if key != "updated_at" and (key not in fields_now or read_now.get(key) != value):
            fields_now[key] = _quoted_where_misread(value)
    if list(fields_now)[-1:] != ["updated_at"]:
        fields_now.pop("updated_at", None)
    fields_now["updated_at"] = _quoted_where_misread(document["updated_at"])
    out = io.StringIO()
    editor.dump(fields_now, out)
    return out.getvalue()
