"""Competition data end to end: the real kaggle client against the stub server, faults, safe extraction, splits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from assets.parity import PARITY_CHECKS
from curation.annotations import AnnotationStore
from splits.layout import SPLIT_CHECKS
from tests.conftest import PROJECT, SHARED
from tests.kaggle_stub import KaggleStub, hostile_zip
from validation.archives import ArchiveError, UnsafeArchiveError, ZipLimits, extract_zip

COMPETITIONS = SHARED / "competitions"
RECIPES = PROJECT / "splits" / "recipes"
SLUGS = sorted(p.stem for p in RECIPES.glob("*.yaml"))
SECRET = "stub-secret-key"


def test_a_recipe_for_every_shared_competition():
    assert sorted(p.name for p in COMPETITIONS.iterdir() if p.is_dir()) == SLUGS


@pytest.fixture
def stub():
    server = KaggleStub(competitions={slug: COMPETITIONS / slug for slug in SLUGS}).start()
    yield server
    server.stop()


def _env(stub: KaggleStub, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("KAGGLE_", "MLECURATE_", "DAGSTER_")) and "proxy" not in k.lower()}  # fmt: skip
    return (
        env
        | stub.client_environment()
        | {
            "MLECURATE_HOME": str(tmp_path / "home"),
            "MLECURATE_ANNOTATIONS": str(tmp_path / "annotations"),
            "MLECURATE_META_KAGGLE": "kaggle",  # competition data from Kaggle, i.e. the stub
            "MLECURATE_LEADERBOARDS": str(SHARED / "mle-bench" / "competitions"),
            "HOME": str(tmp_path),
        }
    )


def _annotate_with_recipes(tmp_path: Path, slugs: list[str]) -> None:
    store = AnnotationStore(tmp_path / "annotations")
    for slug in slugs:
        recipe = yaml.safe_load((RECIPES / f"{slug}.yaml").read_text())
        store.update(slug, "alice", {"decision": "include", "complexity": "low", "split_recipe": recipe})


def _prepare(stub, tmp_path, slugs) -> tuple[dict, subprocess.CompletedProcess]:
    done = subprocess.run([sys.executable, str(PROJECT / "tests" / "run_prepare.py"), *slugs], env=_env(stub, tmp_path),
                          cwd=PROJECT, capture_output=True, text=True, timeout=600)  # fmt: skip
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == len(slugs), done.stderr[-3000:]
    assert SECRET not in done.stdout + done.stderr
    return {line["slug"]: line for line in lines}, done


def _manifest(tmp_path: Path, slug: str) -> dict:
    return json.loads((tmp_path / "home" / "prepared" / slug / "manifest.json").read_text())


@pytest.mark.slow
def test_every_shared_competition_downloads_and_splits(stub, tmp_path):
    _annotate_with_recipes(tmp_path, SLUGS)
    results, _ = _prepare(stub, tmp_path, SLUGS)
    for slug in SLUGS:
        assert results[slug]["success"], (slug, results[slug]["errors"])
        checks = results[slug]["checks"]
        assert len(checks) == len(SPLIT_CHECKS) + len(PARITY_CHECKS) and all(checks.values()), checks
        parity = json.loads((tmp_path / "home" / "prepared" / slug / "parity.json").read_text())
        assert parity["verdict"] == "parity", (slug, parity["reason"])
        assert parity["sample_medal"] in (False, None)
        prepared = tmp_path / "home" / "prepared" / slug
        public = sorted(p.name for p in (prepared / "public").iterdir())
        assert "sample_submission.csv" in public and "description.md" in public
        assert sorted(p.name for p in (prepared / "private").iterdir()) == ["answers.csv"]
        record = json.loads((tmp_path / "home" / "raw" / slug / "download.json").read_text())
        assert record["status"] == "downloaded" and len(record["zip_sha256"]) == 64
    rows = {slug: _manifest(tmp_path, slug)["rows"] for slug in SLUGS}
    assert rows["leaf-classification"] == {"original": 990, "train": 891, "test": 99}  # as MLE-bench's split
    assert rows["titanic"]["test"] == round(891 * 418 / (891 + 418))  # the original test share
    assert rows["detecting-insults-in-social-commentary"] == {"original": 3947, "train": 3947, "test": 2647,
                                                              "kaggle_test": 2647, "kaggle_test_unlabelled": 0}  # fmt: skip
    assert rows["random-acts-of-pizza"]["test"] == 404
    pizza = tmp_path / "home" / "prepared" / "random-acts-of-pizza" / "public"
    assert (pizza / "train.json").is_file() and (pizza / "test.json").is_file()
    assert (pizza / "sample_submission.csv").read_text().splitlines()[0] == "request_id,requester_received_pizza"

    # Running again gives identical checksums.
    first = {slug: [f.get("checksum") for f in _manifest(tmp_path, slug)["files"]] for slug in SLUGS}
    again, _ = _prepare(stub, tmp_path, ["titanic", "random-acts-of-pizza"])
    assert all(r["success"] for r in again.values())
    for slug in again:
        assert [f.get("checksum") for f in _manifest(tmp_path, slug)["files"]] == first[slug]


def _fetch(stub, tmp_path, slug="titanic") -> subprocess.CompletedProcess:
    code = (
        "import sys; from pathlib import Path; from curation.competition_data import fetch_competition;"
        "from curation.settings import Settings; from curation.sources.kaggle import KaggleSource;"
        "from curation.sources.kaggle_client import KaggleClient; from validation.data_root import DataRoot;"
        f"r = fetch_competition(DataRoot(Path(sys.argv[1])).raw({slug!r}), KaggleSource(KaggleClient(Settings.from_environment().kaggle)));"
        "print(r.status, len(r.files))"
    )
    return subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=_env(stub, tmp_path), cwd=PROJECT,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


@pytest.mark.parametrize(
    "fault",
    ["429", "500", "drop", "truncate"],
)
def test_transient_faults_are_retried(stub, tmp_path, fault):
    if fault == "429":
        stub.fail("DownloadDataFiles", 429, "Too many requests", retry_after=0)
    elif fault == "500":
        stub.fail("DownloadDataFiles", 500, "Internal Server Error")
    else:
        stub.break_download(fault)
    done = _fetch(stub, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-2:] == ["downloaded", "3"]
    assert SECRET not in done.stdout + done.stderr
    api_calls = [r for r in stub.requests if r["verb"] == "POST" and r["method"] != "ListCompetitionPages"]
    file_gets = [r for r in stub.requests if r["verb"] == "GET"]
    if fault in ("429", "500"):  # the API call failed once, then the file came whole
        assert (len(api_calls), len(file_gets)) == (2, 1)
    else:  # the transfer broke and was fetched again
        assert len(file_gets) >= 2
    files = tmp_path / "raw" / "titanic" / "files"
    assert sorted(p.name for p in files.iterdir()) == ["gender_submission.csv", "test.csv", "train.csv"]
    assert (files / "train.csv").read_bytes() == (COMPETITIONS / "titanic" / "train.csv").read_bytes()


def test_the_pages_are_fetched_with_the_data_and_kept_with_it(stub, tmp_path):
    done = _fetch(stub, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    record = json.loads((tmp_path / "raw" / "titanic" / "download.json").read_text())
    assert record["status"] == "downloaded" and record["description"] == "from kaggle"
    text = (tmp_path / "raw" / "titanic" / "description.md").read_text()
    assert text.startswith("## Description\n\n### Overview\n\nStart here! Predict survival on the Titanic")
    assert "- **train.csv**" in text  # the data-description page
    methods = [r["method"] for r in stub.requests if r["verb"] == "POST"]
    assert methods == ["DownloadDataFiles", "ListCompetitionPages"]


def test_a_failed_page_fetch_is_recorded_not_fatal(stub, tmp_path):
    stub.fail("ListCompetitionPages", 403, "Permission denied")
    done = _fetch(stub, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-2:] == ["downloaded", "3"]
    record = json.loads((tmp_path / "raw" / "titanic" / "download.json").read_text())
    assert record["description"] == (
        "unavailable: kaggle unavailable (KaggleError: read the pages of competition titanic: Kaggle answered 403: "
        "Permission denied)"
    )
    assert not (tmp_path / "raw" / "titanic" / "description.md").exists()
    assert SECRET not in done.stdout + done.stderr


def test_rules_not_accepted_is_recorded_for_curators(stub, tmp_path):
    stub.fail(
        "DownloadDataFiles", 403, "You must accept this competition's rules before you'll be able to download files."
    )
    done = _fetch(stub, tmp_path)
    assert done.returncode != 0 and "RulesNotAcceptedError" in done.stderr
    assert SECRET not in done.stdout + done.stderr
    record = json.loads((tmp_path / "raw" / "titanic" / "download.json").read_text())
    assert record["status"] == "needs_rules_acceptance"
    assert record["rules_url"] == "https://www.kaggle.com/competitions/titanic/rules"
    assert [r["method"] for r in stub.requests] == ["DownloadDataFiles"]  # a 403 is not retried


def test_rules_block_shows_in_queue_and_show(tmp_path, monkeypatch, capsys):
    from curation.cli import main

    monkeypatch.setenv("MLECURATE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(tmp_path / "annotations"))
    raw = tmp_path / "home" / "raw" / "titanic"
    raw.mkdir(parents=True)
    (raw / "download.json").write_text(json.dumps({
        "slug": "titanic", "status": "needs_rules_acceptance", "source": "kaggle", "at": "2026-11-30T10:00:00+00:00",
        "message": "titanic: needs rules acceptance", "rules_url": "https://www.kaggle.com/competitions/titanic/rules",
    }))  # fmt: skip
    AnnotationStore(tmp_path / "annotations").update("titanic", "alice", {"decision": "include"})
    assert main(["show", "titanic"]) == 0
    assert "needs_rules_acceptance" in capsys.readouterr().out
    import pandas as pd

    from curation.warehouse import Warehouse

    Warehouse(tmp_path / "home" / "warehouse.duckdb").replace_table("curation.candidates", pd.DataFrame({
        "slug": ["titanic"], "is_candidate": [True], "host_segment": ["Getting Started"], "total_teams": [100],
        "evaluation_algorithm_name": ["Categorization Accuracy"], "enabled_date": [pd.Timestamp("2012-09-28")],
        "deadline_date": [pd.Timestamp("2030-01-01")], "reward_type": ["Knowledge"], "reward_quantity": [None],
    }))  # fmt: skip
    assert main(["queue"]) == 0
    out = capsys.readouterr().out
    assert "needs rules acceptance (1)" in out and "titanic: https://www.kaggle.com/competitions/titanic/rules" in out


@pytest.mark.parametrize("kind, expected", [
    ("traversal", "'../x' would be written outside"), ("absolute", "'/etc/x' would be written outside"),
    ("bomb", "zip bomb"),
])  # fmt: skip
def test_hostile_archives_are_refused(stub, tmp_path, kind, expected):
    stub.serve_archive("titanic", hostile_zip(kind))
    done = _fetch(stub, tmp_path)
    assert done.returncode != 0 and expected in done.stderr
    assert not (tmp_path / "raw" / "titanic" / "files").exists()
    assert not (tmp_path / "raw" / "x").exists() and not (tmp_path / "x").exists()
    assert json.loads((tmp_path / "raw" / "titanic" / "download.json").read_text())["status"] == "failed"


def test_extraction_limits_are_counted_while_streaming(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("train.csv", "x" * 10_000)
    with pytest.raises(UnsafeArchiveError, match="expand to 10,000 bytes, more than the 5,000 allowed"):
        extract_zip(archive, tmp_path / "out", ZipLimits(max_total_bytes=5_000, max_ratio=1e9))
    assert not (tmp_path / "out").exists()
    assert extract_zip(archive, tmp_path / "out", ZipLimits(max_ratio=1e9)) == ["train.csv"]


def test_the_default_limits_take_mlebenchs_largest_downloads():
    """Every dataset size in MLE-bench's competition_categories.csv (up to 451 GB: contrails) is under the default
    total; the ratio, not the total, is what stops a bomb."""
    import pandas as pd

    sizes = pd.read_csv(SHARED / "mle-bench" / "competition_categories.csv")["dataset_size_GB"]
    assert sizes.max() > 400 and sizes.max() * 1e9 < ZipLimits().max_total_bytes


def test_a_download_of_more_than_100000_files_extracts(tmp_path):
    """imet-2020-fgvc7's zip holds about 168,000 images and tensorflow-speech's test.7z 150,000 clips: refused at
    100,000 members before (a newcomer's sweep), where herbarium-2021-fgvc8 ships 2.5 million."""
    archive = tmp_path / "imet-2020-fgvc7.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("train.csv", "id,attribute_ids\n1,13 147\n")
        for i in range(100_001):
            bundle.writestr(f"train/{i}.png", b"")
    files = extract_zip(archive, tmp_path / "out", ZipLimits())
    assert len(files) == 100_002 and (tmp_path / "out" / "train" / "100000.png").is_file()


def test_a_truncated_archive_is_named(tmp_path):
    archive = tmp_path / "titanic.zip"
    archive.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ArchiveError, match="titanic.zip: not a zip file"):
        extract_zip(archive, tmp_path / "out")


MLEBENCH_BOARDS = SHARED / "mle-bench" / "competitions"


def _client_call(stub, tmp_path, code: str) -> subprocess.CompletedProcess:
    prelude = (
        "import sys, json; from pathlib import Path; from curation.sources.kaggle_client import KaggleClient;"
        "from curation.settings import Settings; k = KaggleClient(Settings.from_environment().kaggle);"
    )
    return subprocess.run([sys.executable, "-c", prelude + code, str(tmp_path)], env=_env(stub, tmp_path), cwd=PROJECT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_listing_competitions_and_files(stub, tmp_path):
    done = _client_call(
        stub,
        tmp_path,
        "print(json.dumps([k.find_competitions('titanic'), k.list_competition_files('spooky-author-identification')]))",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found, files = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == ["spaceship-titanic", "titanic"]
    assert sorted(name for name, _ in files) == ["sample_submission.zip", "test.zip", "train.zip"]


def test_the_full_leaderboard_downloads_not_the_20_row_view(tmp_path):
    slug = "spooky-author-identification"
    server = KaggleStub(leaderboards={slug: MLEBENCH_BOARDS / slug / "leaderboard.csv"}).start()
    try:
        server.fail("DownloadLeaderboard", 429, "Too many requests", retry_after=0)
        done = _client_call(server, tmp_path, f"print(k.download_leaderboard({slug!r}, Path(sys.argv[1]) / 'boards'))")
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-2000:]
    with zipfile.ZipFile(tmp_path / "boards" / f"{slug}.zip") as bundle:
        board = bundle.read(bundle.namelist()[0])
    assert board == (MLEBENCH_BOARDS / slug / "leaderboard.csv").read_bytes()
    assert board.count(b"\n") > 1000  # every team, not the first page of 20
    assert [r["method"] for r in server.requests] == ["DownloadLeaderboard", "DownloadLeaderboard"]


def _insults_auc_scorer(submission: bytes) -> tuple[float, float]:
    """The stub's Kaggle: AUC of the Insult column against the released labels, rows in the test file's order."""
    import io

    import pandas as pd

    from validation.metrics import METRICS

    submitted = pd.read_csv(io.BytesIO(submission))
    truth = pd.read_csv(COMPETITIONS / "detecting-insults-in-social-commentary" / "test_with_solutions.csv")
    private = truth["Usage"] == "PrivateTest"
    score = METRICS["auc"].score
    return score(truth["Insult"][~private], submitted["Insult"][~private]), score(
        truth["Insult"][private], submitted["Insult"][private]
    )


INSULTS_LATE = {  # a 10% random split; no released labels in the recipe, so Kaggle must judge it
    "kind": "random", "target_columns": ["Insult"], "metric": "auc", "sample_submission_file": "sample_submission_null.csv",
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("refuse", [False, True], ids=["scored-by-kaggle", "late-submissions-refused"])
def test_parity_through_kaggle_late_submissions(stub, tmp_path, refuse):
    slug = "detecting-insults-in-social-commentary"
    stub.scorers[slug] = _insults_auc_scorer
    if refuse:
        stub.refuse_late.add(slug)
    AnnotationStore(tmp_path / "annotations").update(
        slug, "alice", {"decision": "include", "split_recipe": INSULTS_LATE}
    )
    done = subprocess.run([sys.executable, str(PROJECT / "tests" / "run_prepare.py"), "--late-submissions", slug],
                          env=_env(stub, tmp_path), cwd=PROJECT, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert SECRET not in done.stdout + done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["success"], result["errors"]
    report = json.loads((tmp_path / "home" / "prepared" / slug / "parity.json").read_text())
    kaggle_rows = {r["submission"]: r for r in report["rows"] if r["test_set"] == "original test (Kaggle)"}
    methods = [r["method"] for r in stub.requests if r["verb"] == "POST"]
    if refuse:
        assert kaggle_rows == {} and "late submissions refused" in report["notes"][0]
        assert "tells the original and new test sets apart" in report["reason"]  # fell back to feature parity
    else:
        assert kaggle_rows["sample submission"]["score"] == 0.5
        assert 0.8 < kaggle_rows["baseline"]["score"] < 0.95
        assert report["verdict"] == "parity" and "original test (Kaggle)" in report["reason"]
        assert methods.count("CreateSubmission") == 2 and "ListSubmissions" in methods
        assert len([r for r in stub.requests if r["verb"] == "PUT"]) == 2
