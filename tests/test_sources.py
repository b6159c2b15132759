"""Meta Kaggle sources: the demo, a folder, and Kaggle itself (the real client against the stub server)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from curation.meta_kaggle import read_competitions
from curation.sources import (
    CompetitionListing,
    FolderSource,
    NoLeaderboardError,
    NotProvided,
    SourceError,
    choose_sources,
)
from curation.sources.demo_meta_kaggle import demo_competitions_csv, write_demo_meta_kaggle
from curation.sources.kaggle_client import KaggleClient
from tests.conftest import DUMPS, META_KAGGLE, PROJECT, SHARED
from tests.kaggle_stub import KaggleStub


def test_demo_is_deterministic_and_shaped_like_the_real_dump(tmp_path):
    first = write_demo_meta_kaggle(tmp_path / "a").read_bytes()
    second = write_demo_meta_kaggle(tmp_path / "b").read_bytes()
    assert first == second
    real_header = DUMPS["2024-03"].read_bytes().split(b"\r\n", 1)[0]
    assert first.split(b"\r\n", 1)[0] == real_header  # same 42 columns, same order, same quoting
    assert first.split(b"\r\n")[1].startswith(b'"10000","')  # every field double-quoted
    parsed = read_competitions(tmp_path / "a" / "Competitions.csv")
    frame = parsed.table.to_pandas()
    assert 2000 <= len(frame) <= 5000
    shares = frame["host_segment"].value_counts(normalize=True)
    assert 0.85 < shares["Community"] < 0.93 and {"Featured", "Research", "Playground"} <= set(shares.index)
    assert (frame["enabled_date"].dt.year == 2000).sum() >= 2  # the dump's placeholder launch date
    assert frame["evaluation_algorithm_is_max"].isna().sum() == 1  # as in the real dump


def test_demo_is_not_rewritten_when_unchanged(tmp_path):
    path = write_demo_meta_kaggle(tmp_path)
    before = path.stat().st_mtime_ns
    write_demo_meta_kaggle(tmp_path)
    assert path.stat().st_mtime_ns == before
    assert hashlib.sha256(path.read_bytes()).hexdigest() == hashlib.sha256(demo_competitions_csv().encode()).hexdigest()


def _competitions_file(setting: str, workdir: Path) -> Path:
    return choose_sources(setting, KaggleClient()).meta_kaggle.competitions_file(workdir).path


def test_folder_source_accepts_folder_or_file(tmp_path):
    assert _competitions_file(str(META_KAGGLE), tmp_path) == DUMPS["2024-03"]
    assert _competitions_file(str(DUMPS["2022-03"]), tmp_path) == DUMPS["2022-03"]


def test_folder_without_competitions_csv_is_explained(tmp_path):
    with pytest.raises(SourceError, match=r"MLECURATE_META_KAGGLE='.*': no Competitions.csv there"):
        _competitions_file(str(tmp_path), tmp_path)


FETCH = (
    "from curation.settings import Settings; from curation.sources import choose_sources;"
    "from curation.sources.kaggle_client import KaggleClient; s = Settings.from_environment();"
    "print(choose_sources('kaggle', KaggleClient(s.kaggle)).meta_kaggle.competitions_file(s.data_root().sources('kaggle')).path)"
)


def _fetch_through_stub(stub: KaggleStub, home, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAGGLE_") and "proxy" not in k.lower()}
    env |= stub.client_environment() | {"MLECURATE_HOME": str(home), "HOME": str(home)} | (extra_env or {})
    return subprocess.run([sys.executable, "-c", FETCH], env=env, cwd=PROJECT, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


@pytest.fixture
def stub():
    server = KaggleStub(datasets={"kaggle/meta-kaggle": META_KAGGLE}).start()
    yield server
    server.stop()


@pytest.mark.parametrize("zipped", [False, True], ids=["plain", "zipped"])
def test_kaggle_source_downloads_only_competitions_csv(stub, home, zipped):
    stub.zip_files = zipped
    done = _fetch_through_stub(stub, home)
    assert done.returncode == 0, done.stderr
    path = done.stdout.strip().splitlines()[-1]
    assert path == str(home / "sources" / "meta-kaggle" / "Competitions.csv")
    assert hashlib.sha256(Path(path).read_bytes()).digest() == hashlib.sha256(DUMPS["2024-03"].read_bytes()).digest()
    api_calls = [r for r in stub.requests if r["verb"] == "POST"]
    assert [r["method"] for r in api_calls] == ["DownloadDataset"]
    assert api_calls[0]["body"] == {"ownerSlug": "kaggle", "datasetSlug": "meta-kaggle", "fileName": "Competitions.csv"}
    assert sorted(os.listdir(home / "sources" / "meta-kaggle")) == ["Competitions.csv"]  # no temp or zip left


def test_kaggle_source_retries_429_and_5xx_and_never_prints_the_key(stub, home):
    stub.fail("DownloadDataset", 429, "Too many requests", retry_after=0)
    stub.fail("DownloadDataset", 503, "Service Unavailable")
    done = _fetch_through_stub(stub, home)
    assert done.returncode == 0, done.stderr
    assert [r["method"] for r in stub.requests if r["verb"] == "POST"] == ["DownloadDataset"] * 3
    assert "stub-secret-key" not in done.stdout + done.stderr


def test_kaggle_source_reports_a_refusal_without_secrets(stub, home):
    stub.fail("DownloadDataset", 403, "Permission denied")
    done = _fetch_through_stub(stub, home)
    assert done.returncode != 0
    assert (
        "download Competitions.csv of dataset kaggle/meta-kaggle: Kaggle answered 403: Permission denied" in done.stderr
    )
    assert "stub-secret-key" not in done.stdout + done.stderr
    assert not (home / "sources" / "meta-kaggle" / "Competitions.csv").exists()


def test_kaggle_source_without_credentials_says_how_to_set_them(stub, home):
    env = {"KAGGLE_USERNAME": "", "KAGGLE_KEY": "", "KAGGLE_CONFIG_DIR": str(home / "no-config")}
    done = _fetch_through_stub(stub, home, env)
    assert done.returncode != 0
    assert "no Kaggle credentials: set KAGGLE_API_TOKEN, or KAGGLE_USERNAME and KAGGLE_KEY" in done.stderr
    assert stub.requests == []


# Descriptions and listings: Kaggle's pages and list entries through the real client; a mirror's files; the demo's.

COMPETITIONS = SHARED / "competitions"


def _kaggle_source_call(stub: KaggleStub, home: Path, code: str) -> subprocess.CompletedProcess:
    prelude = (
        "import json, dataclasses; from curation.sources.kaggle import KaggleSource;"
        "from curation.sources.kaggle_client import KaggleClient, KaggleCredentials;"
        "k = KaggleSource(KaggleClient(KaggleCredentials(username='stub-user', key='stub-secret-key-0123456789'),"
        " backoff_seconds=0.01));"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAGGLE_") and "proxy" not in k.lower()}
    env |= stub.client_environment() | {"HOME": str(home)}
    return subprocess.run([sys.executable, "-c", prelude + code], env=env, cwd=PROJECT, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


@pytest.fixture
def competitions_stub():
    slugs = ["titanic", "spaceship-titanic", "spooky-author-identification"]
    server = KaggleStub(competitions={slug: COMPETITIONS / slug for slug in slugs}).start()
    yield server
    server.stop()


def test_kaggle_description_is_the_competition_pages_through_the_real_client(competitions_stub, tmp_path):
    stub = competitions_stub
    stub.pages["spaceship-titanic"] = []  # Kaggle lists the competition but answers no pages
    stub.fail("ListCompetitionPages", 503, "Service Unavailable")  # retried like every call
    done = _kaggle_source_call(stub, tmp_path, "print(json.dumps([k.description(s) for s in "
                               "['spooky-author-identification', 'spaceship-titanic', 'no-such-competition']]))")  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    spooky, empty, unknown = json.loads(done.stdout.strip().splitlines()[-1])
    assert (empty, unknown) == (None, None)  # no pages, and Kaggle's 404 NotFound: no description, not an error
    headings = [line for line in spooky.splitlines() if line.startswith("## ")]
    assert headings == ["## Description", "## Evaluation", "## Data Description"]  # Kaggle's order; no rules page
    assert "Submissions are evaluated on **Multiclass Loss**." in spooky  # rendered HTML turned into Markdown
    assert "```\nid,target\n1,0\n2,1\n```" in spooky and "- **train.zip**" in spooky
    assert "<p>" not in spooky and "Competition Rules" not in spooky
    calls = [(r["method"], r["body"]) for r in stub.requests if r["method"] == "ListCompetitionPages"]
    assert calls == [("ListCompetitionPages", {"competitionName": "spooky-author-identification"})] * 2 + [
        ("ListCompetitionPages", {"competitionName": s}) for s in ("spaceship-titanic", "no-such-competition")
    ]
    assert "stub-secret-key" not in done.stdout + done.stderr


def test_kaggle_page_refusal_is_an_error_the_resolver_records(competitions_stub, tmp_path):
    competitions_stub.fail("ListCompetitionPages", 403, "Permission denied")
    done = _kaggle_source_call(competitions_stub, tmp_path, "k.description('titanic')")
    assert done.returncode != 0
    assert "read the pages of competition titanic: Kaggle answered 403: Permission denied" in done.stderr


def test_kaggle_listing_is_the_exact_slug_of_the_search(competitions_stub, tmp_path):
    competitions_stub.listings["lmsys-chatbot-arena"] = {
        "title": "LMSYS - Chatbot Arena Human Preference Predictions", "evaluationMetric": "Log Loss",
        "deadline": "2024-08-05T23:59:00.123Z", "teamCount": 1849, "category": "Featured", "reward": "$100,000",
        "awardsPoints": True, "isKernelsSubmissionsOnly": True,
    }  # fmt: skip
    done = _kaggle_source_call(competitions_stub, tmp_path, "print(json.dumps([dataclasses.asdict(k.listing(s)) "
                               "if k.listing(s) else None for s in ['titanic', 'lmsys-chatbot-arena', 'tita']]))")  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    titanic, arena, partial = json.loads(done.stdout.strip().splitlines()[-1])
    assert titanic == {  # the search for "titanic" lists spaceship-titanic first; the exact ref is taken
        "slug": "titanic", "source": "kaggle", "title": "Titanic - Machine Learning from Disaster",
        "evaluation_metric": "Categorization Accuracy", "deadline": "2030-01-01T00:00:00", "team_count": 15731,
        "url": "https://www.kaggle.com/competitions/titanic", "awards_medals": False, "code_competition": False,
    }  # fmt: skip
    assert arena["deadline"] == "2024-08-05T23:59:00.123000" and arena["team_count"] == 1849
    assert arena["evaluation_metric"] == "Log Loss" and arena["title"].startswith("LMSYS")
    assert (
        arena["awards_medals"] is True and arena["code_competition"] is True
    )  # awardsPoints, isKernelsSubmissionsOnly
    assert partial is None  # "tita" finds titanic and spaceship-titanic, neither of them exactly
    searches = [r["body"]["search"] for r in competitions_stub.requests if r["method"] == "ListCompetitions"]
    assert set(searches) == {"titanic", "lmsys-chatbot-arena", "tita"}


def test_pages_markdown_puts_the_overview_first_and_leaves_the_rules_out():
    from curation.sources.kaggle import pages_markdown

    pages = [("evaluation", "<p>Scored on <em>RMSE</em>.</p>", "text/html"), ("rules", "Be nice.", "text/markdown"),
             ("overview", "Predict **prices**.", "text/markdown"), ("data_description", "  ", "text/html"),
             ("prizes", "<table><tr><th>Place</th><th>Prize</th></tr><tr><td>1st</td><td>$5</td></tr></table>", "")]  # fmt: skip
    assert pages_markdown(pages) == (
        "## Overview\n\nPredict **prices**.\n\n## Evaluation\n\nScored on *RMSE*.\n\n"
        "## Prizes\n\n| Place | Prize |\n| --- | --- |\n| 1st | $5 |\n"
    )
    assert pages_markdown([("rules", "x", "")]) is None and pages_markdown([]) is None


def _members(archive: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(archive) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


@pytest.mark.parametrize("slug, files", [
    ("random-acts-of-pizza", ["test.json", "train.json"]),  # _zips/ (the original archives) is left out
    ("spooky-author-identification", ["sample_submission.csv", "test.csv", "train.csv"]),
    ("titanic", ["gender_submission.csv", "test.csv", "train.csv"]),  # PROVENANCE.md is left out
])  # fmt: skip
def test_an_unzipped_mirror_folder_is_bundled_as_it_is(tmp_path, slug, files):
    mirror = FolderSource(COMPETITIONS, name="mirror")  # ../shared/data/competitions, read in place
    first = mirror.download_competition(slug, tmp_path / "a")
    assert first == tmp_path / "a" / f"{slug}.zip" and sorted(os.listdir(tmp_path / "a")) == [f"{slug}.zip"]
    members = _members(first)
    assert sorted(members) == files
    assert all(members[name] == (COMPETITIONS / slug / name).read_bytes() for name in files)
    again = mirror.download_competition(slug, tmp_path / "b")
    assert first.read_bytes() == again.read_bytes()  # the same files give the same bytes, so the same sha256


def test_a_mirror_zip_wins_and_a_mirror_without_data_is_explained(tmp_path):
    import zipfile

    (tmp_path / "m" / "alpha" / "images" / "_cache").mkdir(parents=True)
    with zipfile.ZipFile(tmp_path / "m" / "alpha" / "alpha.zip", "w") as bundle:
        bundle.writestr("train.csv", "id,y\n1,0\n")
    (tmp_path / "m" / "alpha" / "train.csv").write_text("not this one\n")
    mirror = FolderSource(tmp_path / "m", name="mirror")
    assert _members(mirror.download_competition("alpha", tmp_path / "out")) == {"train.csv": b"id,y\n1,0\n"}
    (tmp_path / "m" / "alpha" / "alpha.zip").unlink()
    for name in ("description.md", "listing.json", "leaderboard.csv", ".hidden", "images/_cache/x.png"):
        (tmp_path / "m" / "alpha" / name).write_text("{}")
    (tmp_path / "m" / "alpha" / "images" / "leaf.png").write_bytes(b"png")
    assert sorted(_members(mirror.download_competition("alpha", tmp_path / "out"))) == ["images/leaf.png", "train.csv"]
    (tmp_path / "m" / "alpha" / "train.csv").unlink()
    (tmp_path / "m" / "alpha" / "images" / "leaf.png").unlink()
    with pytest.raises(
        NotProvided, match=r"alpha: the mirror .* has no alpha/alpha.zip and only files that are not data"
    ):
        mirror.download_competition("alpha", tmp_path / "out")
    with pytest.raises(NotProvided, match=r"beta: the mirror .* has no beta/beta.zip and no folder beta/"):
        mirror.download_competition("beta", tmp_path / "out")


def test_a_mistyped_mirror_folder_is_named_as_set_never_its_parent_searched(tmp_path):
    """MLECURATE_KAGGLE_MIRROR=<...>/mirrors where the competitions are in <...>/mirror: a root that is no folder was
    taken for a file's name and its parent searched, so the error named a folder the curator never set (and a parent
    holding <slug>/ would have been used without a word)."""
    import zipfile

    (tmp_path / "spooky").mkdir()  # the parent holds the competition: it must not be found there
    with zipfile.ZipFile(tmp_path / "spooky" / "spooky.zip", "w") as bundle:
        bundle.writestr("train.csv", "id,y\n1,0\n")
    sources = choose_sources("demo", KaggleClient(), mirror=tmp_path / "mirrors", leaderboards=tmp_path / "boards")
    with pytest.raises(NotProvided) as raised:
        sources.competition_data.download_competition("spooky", tmp_path / "out")
    assert str(raised.value) == f"spooky: MLECURATE_KAGGLE_MIRROR='{tmp_path / 'mirrors'}': no such folder"
    with pytest.raises(NoLeaderboardError, match=r"spooky: MLECURATE_LEADERBOARDS='.*/boards': no such folder$"):
        sources.leaderboards.leaderboard("spooky", tmp_path / "work")
    # Set to a file beside the competitions (a review found its folder searched as if it were Competitions.csv).
    (tmp_path / "notes.txt").write_text("not a mirror")
    (tmp_path / "spooky" / "leaderboard.csv").write_text("not this one")
    sources = choose_sources("demo", KaggleClient(), mirror=tmp_path / "notes.txt", leaderboards=tmp_path / "notes.txt")
    with pytest.raises(NotProvided, match=r"^spooky: MLECURATE_KAGGLE_MIRROR='.*/notes.txt': a file, not a folder$"):
        sources.competition_data.download_competition("spooky", tmp_path / "out")
    with pytest.raises(NoLeaderboardError, match=r"^spooky: MLECURATE_LEADERBOARDS='.*/notes.txt': a file, not a"):
        sources.leaderboards.leaderboard("spooky", tmp_path / "work")
    assert not (tmp_path / "out").exists()


def test_a_mirror_serves_its_description_and_listing(tmp_path):
    folder = tmp_path / "mirror" / "titanic"
    folder.mkdir(parents=True)
    mirror = FolderSource(tmp_path / "mirror", name="mirror")
    assert mirror.description("titanic") is None and mirror.listing("titanic") is None
    (folder / "description.md").write_text("# Titanic\n\nPredict survival.\n", encoding="utf-8-sig")
    (folder / "listing.json").write_text(json.dumps({
        "title": "Titanic - Machine Learning from Disaster", "evaluation_metric": "Categorization Accuracy",
        "deadline": "2030-01-01T00:00:00Z", "team_count": 15731, "url": "https://www.kaggle.com/competitions/titanic",
        "awards_medals": False, "code_competition": False,
    }))  # fmt: skip
    assert mirror.description("titanic") == "# Titanic\n\nPredict survival.\n"  # the byte-order mark is dropped
    assert mirror.listing("titanic") == CompetitionListing(
        "titanic", "mirror", "Titanic - Machine Learning from Disaster", "Categorization Accuracy",
        "2030-01-01T00:00:00Z", 15731, "https://www.kaggle.com/competitions/titanic", awards_medals=False,
        code_competition=False,
    )  # fmt: skip
    fallback = FolderSource(tmp_path / "meta", fallback=mirror)
    assert fallback.listing("titanic") == mirror.listing("titanic")  # what the folder lacks comes from its fallback


@pytest.mark.parametrize("content, message", [
    ('{"title": "T", "teams": 3}', "unknown key(s) 'teams'; known: title, evaluation_metric, deadline, team_count, url, "
                                   "awards_medals, code_competition"),
    ('{"awards_medals": "yes"}', "key 'awards_medals' must be true or false, not 'yes'"),
    ('{"code_competition": 1}', "key 'code_competition' must be true or false, not 1"),
    ('{"team_count": true}', "key 'team_count' must be a whole number, not True"),
    ('{"team_count": "many"}', "key 'team_count' must be a whole number, not 'many'"),
    ('{"team_count": -1}', "key 'team_count' must not be negative"),
    ('{"deadline": "next week"}', "key 'deadline' is not an ISO 8601 date: 'next week'"),
    ('{"title": 3}', "key 'title' must be text, not 3"),
    ('{"slug": "other"}', "key 'slug' says another competition; expected 'titanic'"),
    ('["title"]', "expected a JSON object"),
    ("{title: 1}", "not valid JSON"),
])  # fmt: skip
def test_a_bad_listing_json_names_the_file_key_and_competition(tmp_path, content, message):
    (tmp_path / "titanic").mkdir()
    (tmp_path / "titanic" / "listing.json").write_text(content)
    with pytest.raises(SourceError) as raised:
        FolderSource(tmp_path, name="mirror").listing("titanic")
    assert f"{tmp_path / 'titanic' / 'listing.json'} (competition titanic): " in str(raised.value)
    assert message in str(raised.value)


def test_the_demo_lists_and_describes_its_own_competitions():
    from curation.sources.demo import DemoSource
    from curation.sources.demo_meta_kaggle import demo_rows

    row = next(r for r in demo_rows() if r["HostSegmentTitle"] == "Featured")
    listed = DemoSource().listing(row["Slug"])
    assert listed is not None and listed.source == "demo" and listed.title == row["Title"]
    assert listed.evaluation_metric == row["EvaluationAlgorithmName"] and listed.team_count == int(row["TotalTeams"])
    month, day, year = row["DeadlineDate"][:10].split("/")
    assert listed.deadline.startswith(f"{year}-{month}-{day}T")
    description = DemoSource().description(row["Slug"])
    assert description.startswith("## Description\n\n") and "## Evaluation" in description
    assert "not real data" in description
    assert DemoSource().listing("titanic") is None and DemoSource().description("titanic") is None


def test_a_listed_deadline_with_an_offset_is_converted_to_utc_not_relabelled():
    from datetime import datetime, timedelta, timezone

    from curation.sources.kaggle_client import _naive_utc

    two_hours_east = datetime(2024, 8, 6, 1, 59, tzinfo=timezone(timedelta(hours=2)))
    assert _naive_utc(two_hours_east) == datetime(2024, 8, 5, 23, 59)
    assert _naive_utc(datetime(2024, 8, 5, 23, 59)) == datetime(2024, 8, 5, 23, 59)  # naive: taken as UTC already
