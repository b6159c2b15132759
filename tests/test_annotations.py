"""The annotation store: format, validation with file and field, and concurrent updates that lose nothing."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
import yaml

from curation.annotations import AnnotationError, AnnotationStore


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
            "slug: titanic\ncurator: alice\nnote: no\n",
            "field 'note': expected text, found bool False (YAML reads a bare yes/no/on/off/true/false as a boolean",
        ),
        ("slug: titanic\ncurator: alice\nformat: 7\n", "field 'format'"),
        ("slug: titanic\ncurator: alice\nsplit_recipe: random\n", "field 'split_recipe'"),
        ("slug: [unclosed\n", "not valid YAML"),
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
