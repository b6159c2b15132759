"""A competition's text: MLE-bench's descriptions imported, one resolver with its precedence, kept with the raw data
and read by the split; a text that cannot be fetched never fails the download."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from curation.cli import main
from curation.competition_data import fetch_competition, resolve_description, stored_description
from curation.sources import FolderSource, NotProvided
from splits.layout import prepare_annotated_split
from tests.conftest import PROJECT, SHARED
from validation.data_root import DataRoot

MLEBENCH = SHARED / "mle-bench" / "competitions"
SPOOKY = "spooky-author-identification"
MIRROR = SHARED / "competitions"


def test_import_descriptions_imports_every_mlebench_description(home, capsys):
    expected = sorted(p.parent.name for p in MLEBENCH.glob("*/description.md"))
    assert len(expected) == 82  # MLE-bench's competitions folder, as shipped here
    assert main(["import-descriptions", str(MLEBENCH)]) == 0
    assert f"imported 82 descriptions into {home / 'descriptions'}: 82 new" in capsys.readouterr().out
    root = DataRoot(home)
    assert sorted(p.stem for p in root.descriptions_root.glob("*.md")) == expected
    assert root.imported_description(SPOOKY).read_bytes() == (MLEBENCH / SPOOKY / "description.md").read_bytes()
    assert not list(root.descriptions_root.glob(".*"))  # no temporary file left
    assert main(["import-descriptions", str(MLEBENCH)]) == 0
    assert "82 unchanged" in capsys.readouterr().out


@pytest.mark.parametrize("layout, message", [
    ("missing", "no such folder"),
    ("empty", "the folder is empty; expected <slug>/description.md in it"),
    ("no-descriptions", "no <slug>/description.md in it (it holds alpha, notes.txt)"),
    ("empty-file", "alpha/description.md (competition alpha): the description is empty"),
    ("not-utf8", "alpha/description.md (competition alpha): not UTF-8 text"),
])  # fmt: skip
def test_import_descriptions_explains_bad_input(home, tmp_path, capsys, layout, message):
    folder = tmp_path / "descriptions-in"
    if layout != "missing":
        folder.mkdir()
    if layout in ("no-descriptions", "empty-file", "not-utf8"):
        (folder / "alpha").mkdir()
        (folder / "notes.txt").write_text("x")
    if layout == "no-descriptions":
        (folder / "alpha" / "leaderboard.csv").write_text("x")
    if layout in ("empty-file", "not-utf8"):
        (folder / "beta").mkdir()
        (folder / "beta" / "description.md").write_text("# Beta\n")
        (folder / "alpha" / "description.md").write_bytes(b"  \n" if layout == "empty-file" else b"\xff\xfe\x00bad")
    assert main(["import-descriptions", str(folder)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("mlecurate import-descriptions: error: ") and message in error, error
    assert not (home / "descriptions").exists()  # nothing is written when anything is wrong


@dataclass(frozen=True)
class TextSource:
    """The shared competitions as a source whose description is fixed text, None, or an error."""

    name: str
    text: str | None = None
    error: Exception | None = None

    def download_competition(self, slug: str, folder: Path) -> Path:
        return FolderSource(MIRROR, name="mirror").download_competition(slug, folder)

    def description(self, slug: str) -> str | None:
        if self.error is not None:
            raise self.error
        return self.text


def test_precedence_imported_then_data_source_then_meta_kaggle(tmp_path):
    imported = tmp_path / "descriptions" / "x.md"
    kaggle, meta = TextSource("kaggle", "## Description\n\nPages."), TextSource("meta-kaggle", "Overview column.")
    imported.parent.mkdir()
    imported.write_text("# Imported\n")
    assert resolve_description("x", kaggle, meta_kaggle=meta, imported=imported) == (
        "# Imported\n",
        f"imported: {imported}",
    )
    imported.unlink()
    assert resolve_description("x", kaggle, meta_kaggle=meta, imported=imported) == (kaggle.text, "from kaggle")
    assert resolve_description("x", TextSource("kaggle"), meta_kaggle=meta) == (
        "Overview column.",
        "from meta-kaggle (the Meta Kaggle source) (none in kaggle)",
    )
    failing = TextSource("kaggle", error=RuntimeError("read the pages of competition x: Kaggle answered 403: no"))
    text, origin = resolve_description("x", failing, meta_kaggle=meta)
    assert text == "Overview column." and "kaggle unavailable (RuntimeError: read the pages" in origin
    assert resolve_description("x", failing, meta_kaggle=TextSource("meta-kaggle")) == (
        None, "unavailable: kaggle unavailable (RuntimeError: read the pages of competition x: Kaggle answered 403: "
        "no); none in meta-kaggle",
    )  # fmt: skip
    assert resolve_description("x", meta, meta_kaggle=meta) == ("Overview column.", "from meta-kaggle")  # asked once


def test_a_failed_description_is_recorded_not_fatal(tmp_path):
    root = DataRoot(tmp_path / "home")
    raw = root.raw("titanic")
    raw.path.mkdir(parents=True)
    raw.description.write_text("stale text from an earlier fetch\n")
    record = fetch_competition(
        raw, TextSource("kaggle", error=NotProvided("titanic: the pages could not be read (stub outage)"))
    )
    assert record.status == "downloaded" and record.files == ["gender_submission.csv", "test.csv", "train.csv"]
    assert record.description == (
        "unavailable: kaggle unavailable (NotProvided: titanic: the pages could not be read (stub outage))"
    )
    assert not raw.description.exists()  # the stale text is not passed off as this fetch's
    assert json.loads(raw.record.read_text())["description"] == record.description
    assert stored_description(root, "titanic") == (None, record.description)


def test_an_imported_description_reaches_the_prepared_split(home, capsys):
    root = DataRoot(home)
    assert main(["import-descriptions", str(MLEBENCH)]) == 0
    capsys.readouterr()
    mirror = FolderSource(MIRROR, name="mirror")
    record = fetch_competition(root.raw(SPOOKY), mirror, imported=root.imported_description(SPOOKY))
    assert record.description == f"imported: {root.imported_description(SPOOKY)}"
    mlebench_text = (MLEBENCH / SPOOKY / "description.md").read_text()
    assert root.raw(SPOOKY).description.read_text() == mlebench_text  # kept with the raw data
    text, origin = stored_description(root, SPOOKY)
    assert text == mlebench_text and origin == record.description
    recipe = yaml.safe_load((PROJECT / "splits" / "recipes" / f"{SPOOKY}.yaml").read_text())
    prepared = prepare_annotated_split(SPOOKY, recipe, "alice", root.raw(SPOOKY).files, root.prepared_root, {},
                                       overview=text)  # fmt: skip
    assert prepared.published
    description = root.prepared(SPOOKY).description.read_text()
    assert "predict the author of excerpts from horror stories by Edgar Allan Poe" in description


def test_the_split_reads_what_was_stored_and_a_later_import_wins(tmp_path):
    root = DataRoot(tmp_path / "home")
    record = fetch_competition(root.raw("titanic"), TextSource("mirror", "from the mirror"))
    assert stored_description(root, "titanic") == ("from the mirror\n", "from mirror")
    assert record.description == "from mirror"
    root.imported_description("titanic").parent.mkdir(parents=True)
    root.imported_description("titanic").write_text("imported later\n")
    assert stored_description(root, "titanic") == (
        "imported later\n",
        f"imported: {root.imported_description('titanic')}",
    )
    assert stored_description(root, "never-fetched") == (
        None, "none: never-fetched has no download record (materialise competition_raw first)"
    )  # fmt: skip
