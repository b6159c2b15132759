"""Shared fixtures. Real data is read in place from ../shared/data (never copied into the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared" / "data"
META_KAGGLE = SHARED / "meta-kaggle"
DUMPS = {
    "2024-03": META_KAGGLE / "Competitions.csv",
    "2023-09": META_KAGGLE / "versions" / "Competitions_2023-09.csv",
    "2022-03": META_KAGGLE / "versions" / "Competitions_2022-03.csv",
}
MLEBENCH_CATEGORIES = SHARED / "mle-bench" / "competition_categories.csv"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data root and annotation store, set through the environment as a user would."""
    root = tmp_path / "home"
    monkeypatch.setenv("MLECURATE_HOME", str(root))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(tmp_path / "annotations"))
    monkeypatch.delenv("MLECURATE_META_KAGGLE", raising=False)
    return root


@pytest.fixture(scope="session")
def real_competitions():
    from curation.meta_kaggle import read_competitions

    return read_competitions(DUMPS["2024-03"])
