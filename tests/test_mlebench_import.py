"""Importing MLE-bench's competition_categories.csv as curator mle-bench."""

from __future__ import annotations

import pytest

from curation.annotations import AnnotationError, AnnotationStore
from curation.mlebench_import import import_mlebench_categories
from tests.conftest import MLEBENCH_CATEGORIES


def test_imports_all_75_with_complexity_and_tidy_category(tmp_path):
    store = AnnotationStore(tmp_path)
    summary = import_mlebench_categories(MLEBENCH_CATEGORIES, store)
    assert summary.imported == 75
    assert summary.by_complexity == {"low": 22, "medium": 38, "high": 15}
    spooky = store.get("spooky-author-identification", "mle-bench")
    assert (spooky.decision, spooky.complexity, spooky.category) == ("include", "low", "Text Classification")
    assert store.get("AI4Code", "mle-bench").complexity == "medium"  # slug case kept as Kaggle spells it


def test_importing_twice_changes_nothing_but_time(tmp_path):
    store = AnnotationStore(tmp_path)
    import_mlebench_categories(MLEBENCH_CATEGORIES, store)
    first = {(a.slug, a.complexity, a.category, a.decision) for a in store.all()}
    import_mlebench_categories(MLEBENCH_CATEGORIES, store)
    assert {(a.slug, a.complexity, a.category, a.decision) for a in store.all()} == first


def test_a_bad_row_writes_nothing(tmp_path):
    lines = MLEBENCH_CATEGORIES.read_text().splitlines()
    lines[5] = lines[5].rsplit(",", 1)[0] + ",Extreme"
    bad = tmp_path / "categories.csv"
    bad.write_text("\n".join(lines))
    store = AnnotationStore(tmp_path / "store")
    with pytest.raises(AnnotationError, match=r"categories\.csv line 6 \(.+\): column Complexity: .*'Extreme'"):
        import_mlebench_categories(bad, store)
    assert store.all() == []


def test_missing_column_is_named(tmp_path):
    bad = tmp_path / "categories.csv"
    bad.write_text("competition_id,category\nx,Tabular\n")
    with pytest.raises(AnnotationError, match="column.*Complexity missing"):
        import_mlebench_categories(bad, AnnotationStore(tmp_path / "store"))
