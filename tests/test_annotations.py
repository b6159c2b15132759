"""The annotation store: format, validation with file and field, and concurrent updates that lose nothing."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from curation.annotations import HEADER, AnnotationError, AnnotationStore, _comments


@pytest.fixture
def store(tmp_path) -> AnnotationStore:
    return AnnotationStore(tmp_path / "annotations")


def test_update_creates_then_merges(store):
    store.update("titanic", "alice", {"complexity": "Low", "decision": "include", "reason": "classic"})
    updated = store.update("titanic", "alice", {"category": "Tabular "})
    assert (updated.complexity, updated.decision, updated.reason, updated.category) == (
        "low",
        "include",
        "classic",
        "Tabular",
    )
    document = yaml.safe_load(store.path_for("titanic", "alice").read_text())
    assert document["format"] == 1 and document["slug"] == "titanic" and document["complexity"] == "low"


def test_curators_have_separate_files(store):
    store.update("titanic", "alice", {"decision": "include"})
    store.update("titanic", "bob", {"decision": "exclude"})
    assert sorted(p.name for p in (store.root / "titanic").iterdir()) == ["alice.yaml", "bob.yaml"]
    assert [a.curator for a in store.for_competition("titanic")] == ["alice", "bob"]


@pytest.mark.parametrize(
    "changes, field",
    [({"complexity": "trivial"}, "complexity"), ({"decision": "maybe"}, "decision"), ({"colour": "red"}, "colour")],
)
def test_bad_values_name_the_field(store, changes, field):
    with pytest.raises(AnnotationError, match=f"field '{field}'"):
        store.update("titanic", "alice", changes)
    assert not store.path_for("titanic", "alice").exists()


@pytest.mark.parametrize("slug", ["../etc", "a/b", "", "-x", "x" * 200])
def test_slugs_cannot_escape_the_store(store, slug):
    with pytest.raises(AnnotationError, match="slug"):
        store.update(slug, "alice", {"decision": "include"})


def test_bad_curator_name(store):
    with pytest.raises(AnnotationError, match="curator"):
        store.update("titanic", "../alice", {"decision": "include"})


RESERVED = (
    "curator '{}' is reserved: `mlecurate import-mlebench` writes its annotations under 'mle-bench'; annotate under "
    "your own name"
)


@pytest.mark.parametrize("name", ["mle-bench", "MLE-bench", "Mle-Bench"])
def test_a_name_an_import_writes_under_is_no_persons(store, name):
    """MLE-bench's import writes as mle-bench: a person annotating under that name had their work counted as
    MLE-bench's (and written over by the next import). Any case: MLE-bench.yaml is mle-bench.yaml on some disks."""
    with pytest.raises(AnnotationError) as raised:
        store.update("titanic", name, {"decision": "exclude"})
    assert str(raised.value) == RESERVED.format(name)
    assert not (store.root / "titanic").exists()
    assert store.update("titanic", "mle-bench", {"decision": "include"}, imported=True).curator == "mle-bench"
    assert store.get("titanic", "mle-bench").decision == "include"  # read back like any annotation


@pytest.mark.parametrize(
    "content, expected",
    [
        ("slug: titanic\ncurator: alice\ncomplexity: huge\n", "field 'complexity': expected one of low, medium, high"),
        ("slug: titanic\ncurator: alice\ncomplexty: low\n", "field 'complexty' is not an annotation field"),
        ("slug: titanic\ncomplexity: low\n", "field 'curator' is missing"),
        ("slug: titanic\ncurator: alice\nreason: [1, 2]\n", "field 'reason': expected text"),
        (
            "slug: titanic\ncurator: alice\nnote: false\n",
            "field 'note': expected text, found bool False (YAML reads a bare true/false as a boolean",
        ),
        ("slug: titanic\ncurator: alice\nformat: 7\n", "field 'format'"),
        ("slug: titanic\ncurator: alice\nsplit_recipe: random\n", "field 'split_recipe'"),
        ("slug: [unclosed\n", "not valid YAML"),
        ("slug: " + "[" * 5000 + "\n", "nested too deeply to be read"),  # a RecursionError made the workbench a 500
        ("- just\n- a list\n", "expected a mapping"),
        ("slug: titanic\ncurator: bob\n", "file sits at titanic/alice.yaml"),
        ("slug: titanic\ncurator: alice\ncomplexity: low\n", "field 'decision' is missing (expected one of include,"),
        ("slug: titanic\ncurator: alice\ndecision: ''\n", "field 'decision' is empty"),
    ],
)
def test_malformed_files_name_the_file_and_field(store, content, expected):
    path = store.root / "titanic" / "alice.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(content)
    with pytest.raises(AnnotationError) as error:
        store.all()
    assert str(path) in str(error.value) and expected in str(error.value)


def test_a_file_without_a_decision_is_refused_and_an_update_setting_it_mends_it(store):
    """A hand-written file without its decision read as "undecided": the competition left the benchmark with exit 0
    everywhere. Now the file and the way out are named; an update that sets the decision keeps the rest."""
    path = store.path_for("titanic", "alice")
    path.parent.mkdir(parents=True)
    for written, found in (("", "is missing"), ("decision:\n", "is empty"), ("decision: ''\n", "is empty")):
        path.write_text(f"slug: titanic\ncurator: alice\ncomplexity: medium\nreason: tabular\n{written}")
        with pytest.raises(AnnotationError) as refused:
            store.all()
        assert str(refused.value) == (
            f"{path}: field 'decision' {found} (expected one of include, exclude, undecided); every file mlecurate "
            "writes has one, so this one was written by hand or cut short. Write 'decision: undecided' to leave it "
            "open, or run: mlecurate annotate titanic --curator alice --decision <decision>"
        )
        with pytest.raises(AnnotationError, match="field 'decision' (is missing|is empty)"):
            store.update("titanic", "alice", {"note": "a note alone does not mend it"})
        mended = store.update("titanic", "alice", {"decision": "include"})
        assert (mended.decision, mended.complexity, mended.reason) == ("include", "medium", "tabular")
        assert store.all() == [mended]


def test_an_imported_file_without_a_decision_names_the_import_as_the_way_out(store):
    path = store.path_for("titanic", "mle-bench")
    path.parent.mkdir(parents=True)
    path.write_text("slug: titanic\ncurator: mle-bench\ncomplexity: low\n")
    with pytest.raises(AnnotationError, match=r"leave it open, or run mlecurate import-mlebench again$"):
        store.all()


def test_a_file_mlecurate_wrote_cut_short_at_any_line_is_refused_and_never_saved_over(store):
    """Cut at a line boundary (an editor, a copy, a merge) after its decision, a file lost its split recipe, or the
    recipe's last keys, and another split was published with exit 0. Every file mlecurate writes ends with
    updated_at: without it, the file is refused, by reads and by updates alike (which would save the loss)."""
    recipe = {"kind": "random", "id_column": "PassengerId", "target_columns": ["Survived"], "test_fraction": 0.2,
              "seed": 7}  # fmt: skip
    store.update("titanic", "alice", {"complexity": "medium", "decision": "include", "split_recipe": recipe})
    path = store.path_for("titanic", "alice")
    whole = path.read_text()
    lines = whole.splitlines(keepends=True)
    assert lines[-1].startswith("updated_at: ")
    cuts = [("".join(lines[:cut]), cut) for cut in range(1, len(lines))]  # the header alone, and on
    crlf = "".join(lines[:-1]).replace("\n", "\r\n")  # as git's autocrlf checks it out; and with an editor's BOM
    for text, cut in [*cuts, (crlf, "crlf"), ("\ufeff" + "".join(lines[:-2]), "bom")]:
        path.write_bytes(text.encode())
        with pytest.raises(AnnotationError) as refused:
            store.all()
        assert str(refused.value).startswith(f"{path}: field 'updated_at' is missing, and every file mlecurate "), cut
        assert "Restore it from version control (git diff shows what is missing)" in str(refused.value)
        with pytest.raises(AnnotationError, match="field 'updated_at' is missing"):
            store.update("titanic", "alice", {"decision": "exclude"})
        assert path.read_bytes() == text.encode()  # never saved over
    path.write_text(whole)
    assert store.get("titanic", "alice").split_recipe == recipe


def _annotate_many(root: str, field: str, count: int) -> None:
    store = AnnotationStore(Path(root))
    for index in range(count):
        store.update("titanic", "alice", {field: f"{field} {index}"})


def test_concurrent_updates_lose_nothing(store):
    # Two processes update different fields of the same file at once; both final values must survive.
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_annotate_many, args=(str(store.root), field, 40)) for field in ("reason", "note")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    final = store.get("titanic", "alice")
    assert (final.reason, final.note) == ("reason 39", "note 39")
    assert [p.name for p in (store.root / "titanic").iterdir()] == ["alice.yaml"]  # no temp files left


NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
HAND_EDITED = """\
# mlecurate annotation: one competition, one curator. Edit with `mlecurate annotate` or by hand.
format: 1
slug: titanic
curator: alice
# asked bob about the hours
complexity: low   # a notebook or two
category: Tabular
decision: include
reason: classic
note: ''
split_recipe:
  kind: random   # no groups in this data
  target_columns: [Survived]
updated_at: '2026-11-30T10:00:00+00:00'
# check the licence before the export
"""


def test_an_update_keeps_a_curators_comments_and_changes_only_its_fields(store):
    """`annotate` (and the workbench's save) rewrote a hand-edited file from its fields: its comments were lost."""
    path = store.path_for("titanic", "alice")
    path.parent.mkdir(parents=True)
    path.write_text(HAND_EDITED)
    changes = {"decision": "exclude", "note": "no", "reason": "1:20", "category": "null"}  # words PyYAML would misread
    updated = store.update("titanic", "alice", changes, now=NOW)
    text = path.read_text()
    expected = (
        HAND_EDITED.replace("decision: include", "decision: exclude")
        .replace("reason: classic", "reason: '1:20'")
        .replace("note: ''", "note: 'no'")
        .replace("category: Tabular", "category: 'null'")
        .replace("2026-11-30T10:00:00+00:00", NOW.isoformat())
    )
    assert text == expected
    assert store.get("titanic", "alice") == updated and (updated.note, updated.reason) == ("no", "1:20")
    assert updated.category == "null" and updated.split_recipe == {"kind": "random", "target_columns": ["Survived"]}


def test_a_recipe_of_dates_and_yaml_11_numbers_is_not_rewritten_by_an_edit_elsewhere(store):
    """Review 164: ruamel's YAML 1.2 reads 2017-01-01 as a date and 010 as a number where the strict reader keeps
    their text, so a recipe holding one looked changed on every edit and was rewritten, its comments lost."""
    path = store.path_for("titanic", "alice")
    path.parent.mkdir(parents=True)
    recipe_lines = (
        "split_recipe:\n"
        "  kind: random\n"
        "  target_columns: [2017-01-01]   # a day column\n"
        "  scored_rows: {day: 2019-01-01}\n"
        "  unseen_label: 010\n"
    )
    path.write_text(HAND_EDITED.replace("split_recipe:\n  kind: random   # no groups in this data\n"
                                        "  target_columns: [Survived]\n", recipe_lines))  # fmt: skip
    assert recipe_lines in path.read_text()
    store.update("titanic", "alice", {"note": "hello"}, now=NOW)
    text = path.read_text()
    assert recipe_lines in text and store.get("titanic", "alice").note == "hello"
    assert store.get("titanic", "alice").split_recipe["unseen_label"] == "010"


def test_a_replaced_recipe_takes_its_own_comments_along_and_the_others_stay(store):
    path = store.path_for("titanic", "alice")
    path.parent.mkdir(parents=True)
    path.write_text(HAND_EDITED)
    recipe = {"kind": "stratified", "target_columns": ["Survived"]}
    store.update("titanic", "alice", {"split_recipe": recipe}, now=NOW)
    text = path.read_text()
    assert "# no groups in this data" not in text and "kind: stratified" in text
    for comment in ("# asked bob about the hours", "# a notebook or two", "# check the licence before the export"):
        assert comment in text
    assert store.get("titanic", "alice").split_recipe == recipe


def test_a_hand_written_file_with_updated_at_before_other_keys_ends_with_it_after_an_update(store):
    path = store.path_for("titanic", "alice")
    path.parent.mkdir(parents=True)
    path.write_text(
        "slug: titanic  # by hand\ncurator: alice\nupdated_at: '2026-01-01T00:00:00+00:00'\ndecision: include\n"
    )
    store.update("titanic", "alice", {"complexity": "high"}, now=NOW)
    read_back = yaml.safe_load(path.read_text())
    assert list(read_back)[-1] == "updated_at" and read_back["complexity"] == "high"
    assert "# by hand" in path.read_text()


def test_a_round_trip_that_does_not_read_back_to_the_fields_is_not_written(store, monkeypatch):
    from curation import annotations

    path = store.path_for("titanic", "alice")
    path.parent.mkdir(parents=True)
    path.write_text(HAND_EDITED)
    monkeypatch.setattr(annotations, "_edited_in_place", lambda text, document: text)  # the change not made
    updated = store.update("titanic", "alice", {"decision": "exclude"}, now=NOW)
    assert path.read_text().startswith(annotations.HEADER) and "# asked bob" not in path.read_text()  # canonical
    assert store.get("titanic", "alice") == updated and updated.decision == "exclude"


def test_an_edit_in_place_that_would_drop_mlecurates_header_is_not_written(store):
    """ruamel.yaml drops a comment before a document start: the header went, and with it the cut-short check."""
    path = store.path_for("titanic", "alice")
    path.parent.mkdir(parents=True)
    path.write_text(HAND_EDITED.replace("format: 1\n", "---\n# mine\nformat: 1\n"))
    store.update("titanic", "alice", {"decision": "exclude"}, now=NOW)
    assert path.read_text().startswith(HEADER)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[: lines.index("split_recipe:")]) + "\n")  # cut before its recipe
    with pytest.raises(AnnotationError, match="field 'updated_at' is missing"):
        store.get("titanic", "alice")


def test_comments_are_told_from_a_hash_inside_a_value():
    assert _comments(HEADER + "slug: x  # a\nnote: 'see #3'\nreason: |\n  # inside\n  text\n# own line\n") == [
        "# a", "# own line"]  # fmt: skip
    assert _comments("note: 'see #3'\n") == []
    text = "note: 'see #3'  # asked bob\nreason: \"a # b\" # mine\n'a #b': c # last"  # after a value's #
    assert _comments(text) == ["# asked bob", "# mine", "# last"]


def test_a_lost_comment_is_counted_whatever_the_new_text_holds(store):
    path = store.path_for("titanic", "alice")
    path.parent.mkdir(parents=True)
    path.write_text(HAND_EDITED)
    saved = store.save("titanic", "alice", {"note": "PR #3 merged", "split_recipe": {"kind": "stratified",
                                            "target_columns": ["Survived"]}}, now=NOW)  # fmt: skip
    assert (saved.comments, saved.comments_lost) == (len(_comments(HAND_EDITED)), 1)  # "# no groups in this data"
    assert store.get("titanic", "alice").note == "PR #3 merged"


@pytest.mark.parametrize("note", ["a\x85b", "é\u2028ü", "tab\there", "  padded  ", "line1\nline2"])
def test_every_text_reads_back_as_it_was_saved(store, note):
    """A NEL (U+0085) was written raw and read back as a space: the note changed on its way through the file."""
    store.update("titanic", "alice", {"decision": "include", "note": note})
    assert store.get("titanic", "alice").note == note
