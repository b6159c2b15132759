"""The Kaggle source: Meta Kaggle's dataset, competition data, leaderboards and pages, through the real client.

>>> KaggleSource(KaggleClient(credentials)).download_competition("titanic", folder)

Only the files the pipeline reads are downloaded: ``Competitions.csv`` of the dataset ``kaggle/meta-kaggle``, never
the whole multi-GB dataset; the leaderboard download (the full board), never the 20-row view.

A competition's description is its pages (``kaggle competitions pages``), in Kaggle's order with the overview first,
each as ``## <Page Name>`` then its content; the rules page is left out (legal terms, not the task), and HTML content
is turned into Markdown. Its listing is the entry of Kaggle's competition search whose ref is exactly the slug.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markdownify import ATX, MarkdownConverter

from curation.meta_kaggle import COMPETITIONS_FILE
from curation.sources.base import CompetitionListing, FetchedBoard, NoLeaderboardError, SourceFile
from curation.sources.kaggle_client import KaggleClient, KaggleError
from validation.leaderboard import read_leaderboard

META_KAGGLE_DATASET = "kaggle/meta-kaggle"
OVERVIEW_PAGES = ("overview", "description")  # put first, whatever order Kaggle answers in
LEFT_OUT_PAGES = ("rules",)  # the competition's legal terms: not the task an agent is given


@dataclass(frozen=True)
class KaggleSource:
    client: KaggleClient
    name: str = "kaggle"

    def competitions_file(self, workdir: Path) -> SourceFile:
        path = self.client.download_dataset_file(META_KAGGLE_DATASET, COMPETITIONS_FILE, workdir)
        return SourceFile(path, f"kaggle: dataset {META_KAGGLE_DATASET}, file {COMPETITIONS_FILE}")

    def download_competition(self, slug: str, folder: Path) -> Path:
        return self.client.download_competition(slug, folder)

    def leaderboard(self, slug: str, workdir: Path) -> FetchedBoard:
        try:
            archive = self.client.download_leaderboard(slug, workdir)
        except KaggleError as error:
            if "404" in str(error) or "notfound" in str(error).lower().replace(" ", ""):
                raise NoLeaderboardError(f"{slug}: Kaggle has no leaderboard for it ({error})", self.name) from error
            raise
        try:
            return FetchedBoard(read_leaderboard(archive, f"Kaggle's leaderboard download for {slug}"), self.name)
        finally:
            archive.unlink(missing_ok=True)

    def listing(self, slug: str) -> CompetitionListing | None:
        facts = self.client.competition_listed(slug)
        if facts is None:
            return None
        return CompetitionListing(
            slug=slug, source=self.name, title=facts["title"], evaluation_metric=facts["evaluation_metric"],
            deadline=facts["deadline"], team_count=facts["team_count"], url=facts["url"],
            awards_medals=facts["awards_medals"], code_competition=facts["code_competition"],
        )  # fmt: skip

    def description(self, slug: str) -> str | None:
        """The competition's pages as Markdown (see the module docstring), or None when Kaggle has none."""
        try:
            pages = self.client.competition_pages(slug)
        except KaggleError as error:
            if "404" in str(error) or "notfound" in str(error).lower().replace(" ", ""):
                return None  # Kaggle has no pages for it
            raise
        return pages_markdown(pages)

    def score_submission(self, slug: str, submission: Path, message: str) -> float:
        private, _ = self.client.score_late_submission(slug, submission, message)
        return private


def pages_markdown(pages: list[tuple[str, str, str]]) -> str | None:
    """(name, content, mime type) pages as one Markdown text: ``## <Page Name>`` then the content, overview first,
    rules left out, HTML turned into Markdown; None when no page has content."""
    kept = [(name, content, mime) for name, content, mime in pages
            if content.strip() and name.strip().lower() not in LEFT_OUT_PAGES]  # fmt: skip
    kept.sort(key=lambda page: page[0].strip().lower() not in OVERVIEW_PAGES)  # stable: Kaggle's order otherwise
    sections = [f"## {_page_title(name)}\n\n{_markdown(content, mime).strip()}\n" for name, content, mime in kept]
    return "\n".join(sections) if sections else None


def _page_title(name: str) -> str:
    """``data-description`` -> ``Data Description``."""
    return " ".join(word.capitalize() for word in re.split(r"[-_\s]+", name.strip()) if word) or "Page"


def _markdown(content: str, mime: str) -> str:
    looks_like_html = re.search(r"<(p|div|h[1-6]|ul|ol|li|br|table|a|strong|em|pre|code)\b", content, re.IGNORECASE)
    if "html" in mime.lower() or (not mime and looks_like_html):
        return _PageMarkdown(heading_style=ATX, bullets="-").convert(content)
    return content


class _PageMarkdown(MarkdownConverter):
    """markdownify's HTML -> Markdown, with the page's own headings nested under its ``## <Page>`` (h1 -> ###)."""

    def convert_hN(self, n, el, text, parent_tags):  # noqa: N802 - markdownify's hook name
        return super().convert_hN(min(6, max(3, n + 1)), el, text, parent_tags)
