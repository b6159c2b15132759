"""The curators' workbench in-process (Starlette's test client), on the real March 2024 Meta Kaggle screening and
spooky-author-identification's real data: the name asked once, the queue's filters and progress, a competition's
page, the form saving through the annotation store as `mlecurate annotate` does, and what it refuses."""

from __future__ import annotations

import html
import json
import re
import threading
from dataclasses import fields
from datetime import UTC, datetime

import pandas as pd
import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from curation.annotations import AnnotationError, AnnotationStore
from curation.cli import main
from curation.competition_data import fetch_competition
from curation.curated import annotations_frame
from curation.leaderboard_history import record_snapshot
from curation.settings import Settings
from curation.sources.folder import FolderSource
from curation.workbench.app import COOKIE, workbench_app
from curation.workbench.curator_queue import QueueFilterError, QueueFilters, QueueRow, curator_queue
from curation.workbench.description_html import description_html
from tests.conftest import SHARED, screened_warehouse
from validation.data_root import CANDIDATES, COMPETITIONS, DataRoot, write_atomic
from validation.leaderboard import Leaderboard
from validation.parity import ParityReport

SPOOKY = "spooky-author-identification"
EXCLUDED = "tourism2"  # 42 teams: the enough_teams rule drops it
RECIPE = "kind: stratified\nid_column: id\ntarget_columns: [author]\ntest_fraction: 0.1\nsample_submission_file: sample_submission.csv\n"  # fmt: skip
STAMP = re.compile(r"^updated_at: .*$", re.MULTILINE)


@pytest.fixture(scope="module")
def data_root(tmp_path_factory, real_competitions) -> DataRoot:
    """The real screening in the warehouse; spooky downloaded from the shared mirror, with a board and a parity
    report; bob's decisions on three candidates (one each: they need a second curator)."""
    root = DataRoot(tmp_path_factory.mktemp("workbench") / "home")
    screened_warehouse(root, real_competitions)
    fetch_competition(root.raw(SPOOKY), FolderSource(SHARED / "competitions"))
    scores = [0.25 + 0.002 * rank for rank in range(300)]  # log loss: lower is better
    record_snapshot(root.leaderboards(SPOOKY), SPOOKY, Leaderboard.from_scores(scores, "test board"), "test", False)
    sample = {"submission": "sample submission", "test_set": "new test", "target": None, "rows": 1958,
              "score": 1.0986, "low": 1.0986, "high": 1.0986}  # fmt: skip
    report = ParityReport(
        "multiclass_log_loss", rows=[sample], verdict="parity", reason="scores agree", sample_rank=301
    )
    write_atomic(root.prepared(SPOOKY).parity, json.dumps({"slug": SPOOKY, **report.to_dict()}))
    store = AnnotationStore(root.annotations)
    for slug in ("home-credit-default-risk", "ieee-fraud-detection", "leaf-classification"):
        store.update(slug, "bob", {"decision": "include", "complexity": "medium"})
    return root


@pytest.fixture
def home(data_root, tmp_path) -> DataRoot:
    """A fresh annotation store over the module's data root (each test's saves start from bob's three)."""
    annotations = tmp_path / "annotations"
    for path in data_root.annotations.glob("*/*.yaml"):
        target = annotations / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    return DataRoot(data_root.path, annotations)


def client(root: DataRoot, curator: str | None = "alice") -> TestClient:
    app = workbench_app(Settings(home=root.path, annotations=root.annotations))
    browser = TestClient(app, base_url="http://127.0.0.1:3100")
    if curator:
        browser.cookies.set(COOKIE, curator)
    return browser


def form_of(page: str) -> dict[str, str]:
    """The annotation form's fields as the page shows them (checked radios, text, hidden values)."""
    fields = {}
    for name, value in re.findall(r'<input type="radio" name="(\w+)" value="([^"]*)" checked>', page):
        fields[name] = value
    for name, value in re.findall(r'<input (?:id="\w+" )?name="(\w+)" value="([^"]*)"', page):
        fields[name] = value
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page):
        fields[name] = value
    for name, value in re.findall(r'<textarea id="\w+" name="(\w+)"[^>]*>([^<]*)</textarea>', page, re.S):
        fields[name] = value
    return {name: html.unescape(value) for name, value in fields.items()}


def save(browser: TestClient, slug: str, query: str = "", **changes) -> object:
    fields = form_of(browser.get(f"/competitions/{slug}").text) | changes
    return browser.post(f"/competitions/{slug}{query}", data=fields, follow_redirects=False)


def test_the_name_is_asked_once_and_remembered(home):
    browser = client(home, curator=None)
    asked = browser.get("/", follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"] == "/curator?next=%2F"
    refused = browser.post("/curator", data={"curator": "../alice", "next": "/"}, follow_redirects=False)
    assert refused.status_code == 400 and "must be a short name" in refused.text and COOKIE not in browser.cookies
    named = browser.post("/curator", data={"curator": "alice", "next": "/?segment=Featured"}, follow_redirects=False)
    assert named.status_code == 303 and named.headers["location"] == "/?segment=Featured"
    assert "SameSite=strict" in named.headers["set-cookie"] and "HttpOnly" in named.headers["set-cookie"]
    assert 'curator <strong id="curator-name">alice</strong>' in browser.get("/").text


def test_the_name_mlebenchs_import_writes_under_is_refused_everywhere_a_name_is_given(home):
    """mle-bench is the import's name: refused on the name form, in a save's name and from an old cookie (asked
    again), with the command line's message; nothing is saved under it."""
    message = escape(
        "curator 'mle-bench' is reserved: `mlecurate import-mlebench` writes its annotations under 'mle-bench'; "
        "annotate under your own name"
    )  # fmt: skip
    browser = client(home, curator=None)
    refused = browser.post("/curator", data={"curator": "mle-bench", "next": "/"}, follow_redirects=False)
    assert refused.status_code == 400 and message in refused.text and COOKIE not in browser.cookies
    typed = form_of(client(home).get(f"/competitions/{SPOOKY}").text) | {"decision": "exclude"}
    in_a_save = browser.post(f"/competitions/{SPOOKY}", data=typed | {"curator": "mle-bench"})
    assert in_a_save.status_code == 400 and message in in_a_save.text
    remembered = client(home, curator="MLE-Bench")  # a cookie set before the name was refused
    assert remembered.get("/", follow_redirects=False).headers["location"] == "/curator?next=%2F"
    saved = remembered.post(f"/competitions/{SPOOKY}", data=typed, follow_redirects=False)
    assert saved.status_code == 403 and "Who is curating?" in saved.text
    assert not list((home.annotations / SPOOKY).glob("*ench.yaml"))


def test_the_name_form_never_sends_a_curator_to_another_site(home):
    browser = client(home, curator=None)
    sent = browser.post("/curator", data={"curator": "alice", "next": "//evil.example/x"}, follow_redirects=False)
    assert sent.headers["location"] == "/"


def test_the_queue_counts_progress_for_everyone_and_for_the_curator(home):
    page = client(home).get("/").text
    assert re.search(r"<strong>0</strong> of 363 done \(0%\): 2 curator\(s\) decided alike, no dispute; 363 need", page)
    assert "Under review: 363 candidates." in page
    assert "<strong>0</strong> of 363 decided by alice" in page
    bob = client(home, "bob").get("/").text
    assert "<strong>3</strong> of 363 decided by bob (1%)" in bob
    assert "360 competition(s) in your queue" in bob  # bob's own decisions wait for someone else


def test_a_second_curator_finishes_a_competition_and_a_dispute_comes_first(home):
    alice = client(home)
    assert save(alice, "home-credit-default-risk", decision="include").status_code == 303
    assert save(alice, "ieee-fraud-detection", decision="exclude").status_code == 303
    page = client(home, "carol").get("/").text
    assert "<strong>1</strong> of 363 done" in page
    slugs = re.findall(r'<tr data-href="[^"]*" data-slug="([^"]+)"', page)
    assert slugs[:2] == ["ieee-fraud-detection", "leaf-classification"]  # disputed, then needs a second curator
    assert "home-credit-default-risk" not in slugs


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("segment=Research", lambda rows: set(rows["segment"]) == {"Research"}),
        ("metric=rmse", lambda rows: set(rows["metric"]) == {"rmse"}),
        ("min_teams=3000&max_teams=4000", lambda rows: rows["teams"].between(3000, 4000).all()),
        ("year=2019", lambda rows: rows["launched"].str.startswith("2019").all()),
        (
            "status=second",
            lambda rows: (
                set(rows["slug"]) == {"home-credit-default-risk", "ieee-fraud-detection", "leaf-classification"}
            ),
        ),  # fmt: skip
        ("status=undecided", lambda rows: len(rows) == 360),
        ("status=disputed", lambda rows: rows.empty),
    ],
)
def test_each_filter_narrows_the_queue(home, query, check):
    from urllib.parse import parse_qsl

    from curation.warehouse import Warehouse

    candidates = Warehouse(home.warehouse).read_table(CANDIDATES)
    filters = QueueFilters.from_query(dict(parse_qsl(query)))
    found = curator_queue(candidates, annotations_frame(AnnotationStore(home.annotations).all()), "alice", 2, filters)
    rows = pd.DataFrame(found.rows, columns=[f.name for f in fields(QueueRow)])
    everything = curator_queue(candidates, annotations_frame(AnnotationStore(home.annotations).all()), "alice", 2)
    assert 0 < len(rows) < len(everything.rows) or (query == "status=disputed" and rows.empty)
    assert check(rows)
    listed = re.findall(r'data-slug="([^"]+)"', client(home).get(f"/?{query}").text)
    assert listed == list(rows["slug"])


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("min_teams=many", "min_teams"),
        ("year=1066", "year"),
        ("status=later", "status"),
        ("suggested=easy", "suggested"),
    ],
)
def test_a_filter_that_cannot_be_used_is_named(home, query, named):
    page = client(home).get(f"/?{query}")
    assert page.status_code == 400 and f"filter &#39;{named}&#39;" in page.text
    with pytest.raises(QueueFilterError, match=f"filter '{named}'"):
        QueueFilters.from_query(dict([query.split("=")]))


def test_the_suggested_complexity_is_shown_and_filterable_when_the_screening_has_it(home, tmp_path):
    from curation.warehouse import Warehouse

    plain = client(home).get("/").text
    assert 'name="suggested"' not in plain and "<th>suggested</th>" not in plain
    root = DataRoot(tmp_path / "suggested", home.annotations)
    warehouse = Warehouse(root.warehouse)
    candidates = Warehouse(home.warehouse).read_table(CANDIDATES)
    high = candidates["total_teams"].fillna(0) > 3000
    candidates["suggested_complexity"] = ["high" if h else "low" for h in high]
    candidates["suggested_complexity_probability"] = 0.8
    candidates["suggested_complexity_reason"] = "many teams, a large dataset"
    warehouse.replace_tables({CANDIDATES: candidates, COMPETITIONS: Warehouse(home.warehouse).read_table(COMPETITIONS)})
    browser = client(root)
    page = browser.get("/?suggested=high").text
    listed = re.findall(r'data-slug="([^"]+)"', page)
    expected = set(candidates[high & candidates["is_candidate"]]["slug"])
    assert listed and set(listed) == expected
    assert "<th>suggested</th>" in page and 'high <span class="sub">80%</span>' in page
    competition = browser.get("/competitions/santander-customer-transaction-prediction").text
    assert "<strong>high</strong> (&gt; 10 h), probability 80%" in competition
    assert "what drove it: many teams, a large dataset" in competition


def test_a_competition_page_shows_what_a_curator_decides_on(home):
    page = client(home).get(f"/competitions/{SPOOKY}").text
    assert "Spooky Author Identification" in page and "<dt>candidate</dt><dd>yes</dd>" in page
    assert "<dt>graded with</dt><dd>multiclass_log_loss (Meta Kaggle&#39;s name)</dd>" in page
    assert re.search(r"<dt>teams</dt><dd>1,24\d</dd>", page)
    assert "downloaded (folder," in page and "<td>train.csv</td>" in page and "MB</td>" in page
    assert "300 teams, snapshot of" in page and "sample submission scores 1.0986 on the new test set (rank 301)" in page
    assert '<dt>parity</dt><dd>parity<div class="sub">scores agree</div>' in page
    assert 'src="/competitions/spooky-author-identification/leaderboard.png"' in page
    picture = client(home).get(f"/competitions/{SPOOKY}/leaderboard.png")
    assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
    assert "No description: unavailable: none in folder" in page  # the mirror holds no description.md


def test_an_excluded_competition_names_the_rule_an_include_overrides(home):
    page = client(home).get(f"/competitions/{EXCLUDED}").text
    assert "no: enough_teams (42 teams, fewer than 50)" in page
    assert "an include overrides rule enough_teams: 42 teams, fewer than 50" in page
    assert "no leaderboard snapshot yet" in page and "not downloaded yet" in page
    assert client(home).get(f"/competitions/{EXCLUDED}/leaderboard.png").status_code == 404


def test_every_curators_annotation_is_on_the_page(home):
    client(home).post("/competitions/leaf-classification", data={"decision": "exclude", "reason": "too small"})
    page = client(home).get("/competitions/leaf-classification").text
    assert re.search(
        r'data-curator="alice">\s*<strong>alice</strong>.*decision <strong>exclude</strong>: '
        r'<span class="written">too small</span>', page, re.S
    )  # fmt: skip
    assert re.search(r'data-curator="bob">\s*<strong>bob</strong>.*decision <strong>include</strong>', page, re.S)
    assert "Together: decision <strong>disputed</strong>" in page


def test_save_writes_the_file_mlecurate_annotate_writes(home, tmp_path, monkeypatch):
    """Byte for byte but the updated_at stamp (a second apart at most, written by each at its own time)."""
    saved = save(client(home), SPOOKY, decision="include", complexity="low", category="Text Classification",
                 reason="clean, small", note="a classic", split_recipe=RECIPE)  # fmt: skip
    assert saved.status_code == 303 and saved.headers["location"] == f"/competitions/{SPOOKY}?saved=1"
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(RECIPE)
    monkeypatch.setenv("MLECURATE_HOME", str(home.path))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(tmp_path / "cli"))
    assert main(["annotate", SPOOKY, "--curator", "alice", "--decision", "include", "--complexity", "low",
                 "--category", "Text Classification", "--reason", "clean, small", "--note", "a classic",
                 "--split-recipe", str(recipe)]) == 0  # fmt: skip
    web = (home.annotations / SPOOKY / "alice.yaml").read_text()
    cli = (tmp_path / "cli" / SPOOKY / "alice.yaml").read_text()
    assert STAMP.sub("", web) == STAMP.sub("", cli)
    assert len(STAMP.findall(web)) == 1 and "kind: stratified" in web


def test_save_and_next_moves_through_the_queue(home):
    browser = client(home)
    slugs = re.findall(r'data-slug="([^"]+)"', browser.get("/?segment=Research").text)
    at = slugs[0]
    for _ in range(3):
        moved = save(browser, at, "?segment=Research", decision="include", reason="a test", then="next")
        assert moved.status_code == 303
        at = moved.headers["location"].split("/competitions/")[1].split("?")[0]
        assert moved.headers["location"].endswith("?segment=Research")
    store = AnnotationStore(home.annotations)
    assert [store.get(slug, "alice").decision for slug in slugs[:3]] == ["include"] * 3
    assert at == re.findall(r'data-slug="([^"]+)"', browser.get("/?segment=Research").text)[0] == slugs[3]


def test_a_bad_recipe_is_refused_with_its_key_named_and_nothing_written(home):
    path = home.annotations / SPOOKY / "alice.yaml"
    refused = save(client(home), SPOOKY, decision="include", split_recipe="kind: stratified\ntarget_columns: [author]\ntest_fraction: 2\n")  # fmt: skip
    assert refused.status_code == 400
    assert "split recipe key &#39;test_fraction&#39;: expected a number between 0 and 1" in refused.text
    assert "the split recipe of spooky-author-identification by alice" in refused.text
    assert "test_fraction: 2" in refused.text  # what the curator typed stays in the form
    assert not path.exists()
    unknown = save(client(home), SPOOKY, split_recipe="kind: random\ntarget_columns: [author]\nseeed: 1\n")
    assert "split recipe key &#39;seeed&#39;: not a recipe key" in unknown.text and not path.exists()
    twice = save(client(home), SPOOKY, split_recipe="kind: random\nkind: group\n")
    assert "key &#39;kind&#39; is given twice" in twice.text and not path.exists()
    # A key only another kind reads is refused here as `mlecurate annotate --split-recipe` refuses it.
    other = save(client(home), SPOOKY, split_recipe="kind: random\ntarget_columns: [author]\ntime_column: id\n")
    assert "split recipe key &#39;time_column&#39;: only for kind temporal" in other.text and not path.exists()


def test_a_bad_recipe_leaves_an_existing_annotation_as_it_was(home):
    save(client(home), SPOOKY, decision="include", reason="first")
    path = home.annotations / SPOOKY / "alice.yaml"
    before = path.read_bytes()
    save(client(home), SPOOKY, decision="exclude", reason="second", split_recipe="kind: shuffled\n")
    assert path.read_bytes() == before


def test_a_save_keeps_the_curators_comments_and_says_when_one_goes(home):
    save(client(home), SPOOKY, decision="include", split_recipe=RECIPE)
    path = home.annotations / SPOOKY / "alice.yaml"
    text = path.read_text().replace("decision: include", "decision: include  # agreed with bob")
    path.write_text(text.replace("  kind: stratified", "  kind: stratified  # the authors' shares kept"))
    kept = save(client(home), SPOOKY, reason="three authors", then="next")
    assert kept.status_code == 303 and kept.headers["location"] != f"/competitions/{SPOOKY}?saved=1"  # on to the next
    assert "# agreed with bob" in path.read_text() and "# the authors' shares kept" in path.read_text()
    changed = save(client(home), SPOOKY, split_recipe=RECIPE.replace("0.1", "0.2"), then="next")
    assert changed.headers["location"] == f"/competitions/{SPOOKY}?saved=1&comments_lost=1"  # stays to say so
    page = client(home).get(changed.headers["location"]).text
    assert "1 comment(s) of your own in the file could not be kept" in page
    odd = client(home).get(f"/competitions/{SPOOKY}?saved=1&comments_lost=%C2%B2")  # "²": a digit int() refuses
    assert odd.status_code == 200 and 'id="comments-lost"' not in odd.text
    assert "# agreed with bob" in path.read_text() and "# the authors' shares kept" not in path.read_text()


def test_only_the_fields_changed_are_saved_so_two_open_pages_both_keep_theirs(home):
    first, second = client(home), client(home)
    shown_first = form_of(first.get(f"/competitions/{SPOOKY}").text)
    shown_second = form_of(second.get(f"/competitions/{SPOOKY}").text)
    first.post(f"/competitions/{SPOOKY}", data=shown_first | {"complexity": "high"})
    second.post(f"/competitions/{SPOOKY}", data=shown_second | {"reason": "texts by three authors"})
    kept = AnnotationStore(home.annotations).get(SPOOKY, "alice")
    assert (kept.complexity, kept.reason, kept.decision) == ("high", "texts by three authors", "undecided")


def test_an_emptied_field_is_cleared(home):
    save(client(home), SPOOKY, category="Text", note="to check")
    save(client(home), SPOOKY, note="")
    kept = AnnotationStore(home.annotations).get(SPOOKY, "alice")
    assert (kept.category, kept.note) == ("Text", None)


def test_two_curators_saving_at_once_lose_nothing(home):
    curators = [f"curator{n}" for n in range(8)]
    forms = {name: form_of(client(home, name).get(f"/competitions/{SPOOKY}").text) for name in curators}
    start, answers = threading.Barrier(len(curators)), {}

    def annotate(name: str) -> None:
        browser = client(home, name)
        start.wait()
        answers[name] = browser.post(f"/competitions/{SPOOKY}", data=forms[name] | {"decision": "include",
                                     "reason": f"by {name}", "complexity": "medium"}, follow_redirects=False)  # fmt: skip

    threads = [threading.Thread(target=annotate, args=(name,)) for name in curators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {name: answer.status_code for name, answer in answers.items()} == dict.fromkeys(curators, 303)
    saved = {a.curator: a.reason for a in AnnotationStore(home.annotations).for_competition(SPOOKY)}
    assert saved == {name: f"by {name}" for name in curators}


def test_a_post_from_another_site_or_without_a_name_saves_nothing(home):
    path = home.annotations / SPOOKY / "alice.yaml"
    forged = client(home).post(f"/competitions/{SPOOKY}", data={"decision": "include"},
                               headers={"Origin": "http://evil.example"})  # fmt: skip
    assert forged.status_code == 403 and not path.exists()
    nameless = client(home, None).post(f"/competitions/{SPOOKY}", data={"decision": "include"}, follow_redirects=False)
    assert nameless.status_code == 403 and "Who is curating?" in nameless.text and not path.exists()
    forged_name = client(home, None).post(f"/competitions/{SPOOKY}", data={"decision": "include", "curator": "alice"},
                                          headers={"Origin": "http://evil.example"})  # fmt: skip
    assert forged_name.status_code == 403 and not path.exists()


def test_a_save_after_the_name_is_forgotten_asks_it_and_keeps_what_was_typed(home):
    """The cookie expired while the curator typed: nothing is saved, the name is asked on a page that carries the
    form through, and the competition's page comes back with the typed fields, to save then."""
    path = home.annotations / SPOOKY / "alice.yaml"
    typed = form_of(client(home).get(f"/competitions/{SPOOKY}?segment=Featured").text) | {
        "decision": "include", "note": "first line\nsecond line", "reason": "clean", "then": "next"}  # fmt: skip
    browser = client(home, None)
    asked = browser.post(f"/competitions/{SPOOKY}?segment=Featured", data=typed, follow_redirects=False)
    assert asked.status_code == 403 and 'id="not-saved"' in asked.text and not path.exists()
    assert f'action="/competitions/{SPOOKY}?segment=Featured"' in asked.text
    carried = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', asked.text))
    assert {k: html.unescape(v) for k, v in carried.items()} == {k: v for k, v in typed.items() if k != "then"}
    refused = browser.post(f"/competitions/{SPOOKY}?segment=Featured", data=carried | {"curator": "../x"})
    assert refused.status_code == 400 and "must be a short name" in refused.text and 'value="clean"' in refused.text
    named = browser.post(f"/competitions/{SPOOKY}?segment=Featured", data=carried | {"curator": "alice"},
                         follow_redirects=False)  # fmt: skip
    assert named.status_code == 200 and 'id="form-notice"' in named.text and not path.exists()
    assert browser.cookies.get(COOKIE) == "alice"
    shown = form_of(named.text)
    assert (shown["decision"], shown["note"], shown["reason"]) == ("include", "first line\nsecond line", "clean")
    assert shown["was_decision"] == "undecided"  # what the form was first shown with: only changes are saved
    assert browser.post(f"/competitions/{SPOOKY}", data=shown, follow_redirects=False).status_code == 303
    kept = AnnotationStore(home.annotations).get(SPOOKY, "alice")
    assert (kept.decision, kept.note, kept.reason) == ("include", "first line\nsecond line", "clean")


@pytest.mark.parametrize("slug", ["no-such-competition", "a..b", "a%2F..%2F..%2Fetc"])
def test_an_unknown_or_impossible_slug_is_not_found_and_nothing_is_written(home, slug):
    browser = client(home)
    assert browser.get(f"/competitions/{slug}").status_code == 404
    assert browser.post(f"/competitions/{slug}", data={"decision": "include"}).status_code == 404
    assert sorted(p.parent.name for p in home.annotations.glob("*/*.yaml")) == [
        "home-credit-default-risk", "ieee-fraud-detection", "leaf-classification"]  # fmt: skip


def test_a_malformed_form_is_refused_naming_the_field(home):
    browser = client(home)
    twice = browser.post(f"/competitions/{SPOOKY}", content=b"decision=include&decision=exclude",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert twice.status_code == 400 and "field &#39;decision&#39; is given twice" in twice.text
    odd = browser.post(f"/competitions/{SPOOKY}", data={"decision": "maybe"})
    assert (
        odd.status_code == 400 and "field &#39;decision&#39;: expected one of include, exclude, undecided" in odd.text
    )
    huge = browser.post(f"/competitions/{SPOOKY}", content=b"note=" + b"x" * 1_100_000,
                        headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert huge.status_code == 400 and "larger than" in huge.text
    assert not (home.annotations / SPOOKY).exists()


def test_without_a_warehouse_the_page_says_what_to_build(tmp_path):
    root = DataRoot(tmp_path / "empty")
    page = client(root).get("/")
    assert (
        page.status_code == 503 and "table curation.candidates does not exist yet; materialise the asset" in page.text
    )


def test_a_malformed_annotation_file_is_named_and_the_other_pages_stay_usable(home):
    """One damaged file made every page of the queue a 500 naming it: it is named, left out, and nothing is lost."""
    broken = home.annotations / SPOOKY / "zed.yaml"
    broken.parent.mkdir(parents=True, exist_ok=True)
    damaged = "slug: spooky-author-identification\ncurator: zed\ndecision: perhaps\n"
    broken.write_text(damaged)
    named = "zed.yaml: field &#39;decision&#39;: expected one of include, exclude, undecided"
    queue = client(home).get("/")
    assert queue.status_code == 200 and 'id="unreadable"' in queue.text and named in queue.text
    assert "1 annotation file(s) cannot be read and are left out of the queue" in queue.text
    assert f'href="/competitions/{SPOOKY}' in queue.text  # still queued: nobody readable decided it
    page = client(home).get(f"/competitions/{SPOOKY}")
    assert page.status_code == 200 and "Cannot be read, left out of what is shown here: " in page.text
    assert named in page.text
    saved = client(home).post(f"/competitions/{SPOOKY}", data={"decision": "exclude"})
    assert saved.status_code == 200, saved.text  # alice
    assert AnnotationStore(home.annotations).get(SPOOKY, "alice").decision == "exclude"
    refused = client(home, "zed").post(f"/competitions/{SPOOKY}", data={"decision": "include"})
    assert refused.status_code == 400 and "Not saved: " in refused.text and named in refused.text
    assert broken.read_text() == damaged  # never saved over
    with pytest.raises(AnnotationError, match="zed.yaml: field 'decision'"):
        AnnotationStore(home.annotations).all()  # what decides and publishes still refuses it


def test_the_page_fetches_nothing_from_the_internet(home):
    browser = client(home)
    for path in ("/", f"/competitions/{SPOOKY}", "/curator"):
        page = browser.get(path).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', page)
        loaded = [s for s in sources if not s.startswith(("/", "http://127.0.0.1:3100/", "#"))]
        assert all(s.startswith("https://www.kaggle.com/competitions/") for s in loaded), loaded
        assert '<script src="http://127.0.0.1:3100/static/workbench.js"' in page
    assert browser.get("/static/workbench.js").status_code == 200


def test_a_stamp_differs_only_by_time(home):
    """The comparison with the command line's file masks updated_at alone: it is an ISO time of the save."""
    save(client(home), SPOOKY, decision="include")
    stamp = STAMP.search((home.annotations / SPOOKY / "alice.yaml").read_text()).group(0)
    assert abs(datetime.fromisoformat(stamp.split(": ", 1)[1].strip("'")) - datetime.now(UTC)).total_seconds() < 60


def test_serve_help_names_host_and_port(capsys):
    assert main(["serve", "--help"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "--host TEXT the address to listen on (this machine only by default) [default: 127.0.0.1]" in shown
    assert "--port INTEGER RANGE the port to listen on [default: 3100; 1<=x<=65535]" in shown


def test_a_complexity_dispute_is_not_done_and_waits_as_a_dispute(home):
    """Both include, medium against high: curation.consolidated says complexity disputed, so the queue does too."""
    assert save(client(home), "home-credit-default-risk", decision="include", complexity="high").status_code == 303
    page = client(home, "carol").get("/").text
    assert "<strong>0</strong> of 363 done" in page
    disputed = client(home, "carol").get("/?status=disputed").text
    assert re.findall(r'data-slug="([^"]+)"', disputed) == ["home-credit-default-risk"]
    assert '<div class="sub disputed-on">on complexity</div>' in disputed
    from curation.curated import consolidate
    from curation.warehouse import Warehouse

    candidates = Warehouse(home.warehouse).read_table(CANDIDATES)
    consolidated = consolidate(annotations_frame(AnnotationStore(home.annotations).all()), candidates).consolidated
    row = consolidated.set_index("slug").loc["home-credit-default-risk"]
    assert (row["decision"], row["complexity_status"]) == ("include", "disputed")


def test_the_command_line_queue_and_the_workbench_agree(home):
    """Same progress, same competitions waiting, in the same order: one status, shared."""
    from curation.queue import annotation_queue
    from curation.warehouse import Warehouse

    store = AnnotationStore(home.annotations)
    store.update("home-credit-default-risk", "alice", {"decision": "include", "complexity": "medium"})  # done
    store.update("ieee-fraud-detection", "alice", {"decision": "exclude"})  # disputed
    store.update(EXCLUDED, "mle-bench", {"decision": "include"}, imported=True)  # a rule's exclusion, included
    candidates = Warehouse(home.warehouse).read_table(CANDIDATES)
    annotations = annotations_frame(store.all())
    command_line = annotation_queue(candidates, annotations, 2)
    workbench = curator_queue(candidates, annotations, None, 2)
    assert command_line.progress == workbench.progress and (workbench.progress.done, workbench.progress.total) == (
        1,
        364,
    )
    assert command_line.waiting["slug"].tolist() == workbench.slugs
    assert workbench.slugs[:3] == ["ieee-fraud-detection", "leaf-classification", EXCLUDED]  # then by teams


def test_annotated_competitions_that_are_not_candidates_are_listed_marked_and_filterable(home):
    store = AnnotationStore(home.annotations)
    store.update(EXCLUDED, "mle-bench", {"decision": "include"}, imported=True)
    store.update(
        "brand-new-2026", "mle-bench", {"decision": "include"}, imported=True
    )  # outside the dump (--allow-unknown)
    page = client(home).get("/").text
    assert "of 365 done" in page and (
        "Under review: 363 candidates and 2 annotated competitions that are not (1 excluded by a rule, 1 outside "
        "the Meta Kaggle dump)." in page
    )
    assert '<div class="mark mark-excluded">excluded by rule enough_teams, included by mle-bench</div>' in page
    assert '<div class="mark mark-outside">outside the Meta Kaggle dump, included by mle-bench</div>' in page
    assert re.findall(r'data-slug="([^"]+)"', client(home).get("/?screening=excluded").text) == [EXCLUDED]
    assert re.findall(r'data-slug="([^"]+)"', client(home).get("/?screening=outside").text) == ["brand-new-2026"]
    candidates_only = re.findall(r'data-slug="([^"]+)"', client(home).get("/?screening=candidate").text)
    assert len(candidates_only) == 363 and EXCLUDED not in candidates_only
    assert client(home).get("/competitions/brand-new-2026").status_code == 200
    assert client(home).get("/?screening=other").status_code == 400


def test_a_description_loads_nothing_from_the_internet(data_root):
    """Kaggle's pictures are links (text and address), and every response forbids loading from elsewhere."""
    slug = "denoising-dirty-documents"
    source = SHARED / "mle-bench" / "competitions" / slug / "description.md"
    target = data_root.imported_description(slug)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source.read_text(encoding="utf-8") + "\n\n| a | b |\n|--:|:--|\n| 1 | 2 |\n")
    browser = client(data_root)
    page = browser.get(f"/competitions/{slug}")
    assert "storage.googleapis.com" in source.read_text(encoding="utf-8")
    assert not re.search(r"<img[^>]+src=\"https?:", page.text)
    assert re.search(r'<a class="image-link" href="https://storage\.googleapis\.com/[^"]+" rel="noreferrer">image: ',
                     page.text)  # fmt: skip
    assert 'style="' not in page.text and '<td class="align-right">1</td>' in page.text
    for path in ("/", f"/competitions/{slug}", "/curator", "/static/workbench.css", "/no-such-page"):
        assert browser.get(path).headers["content-security-policy"] == "default-src 'self'", path


@pytest.mark.parametrize("scheme", ["data", "DATA", "Data", "dAtA"])
def test_an_embedded_picture_is_told_whatever_the_case_of_its_scheme(scheme):
    """Schemes ignore case: ``DATA:`` was shown as a link to a data: address (and its base64 in full), ``data:`` as
    an embedded picture."""
    shown = description_html(f"![the plot]({scheme}:image/png;base64,iVBORw0KGgo=)")
    assert shown == '<p><span class="image-link">image: the plot (embedded, not shown)</span></p>\n'


@pytest.mark.parametrize("address", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "JavaScript:alert(1)",
                                     "VBScript:msgbox(1)"])  # fmt: skip
def test_a_script_address_is_never_a_link_whatever_its_case(address):
    shown = description_html(f"![x]({address}) and [y]({address})")
    assert "href" not in shown and "image-address" not in shown


def test_a_note_keeps_its_lines_and_the_name_link_keeps_the_filters(home):
    save(client(home), SPOOKY, note="first line\nsecond line", reason="one\ntwo")
    page = client(home).get(f"/competitions/{SPOOKY}?segment=Featured").text
    assert (
        '<span class="written">first line\nsecond line</span>' in page
        and '<span class="written">one\ntwo</span>' in page
    )
    css = client(home).get("/static/workbench.css").text
    assert ".written { white-space: pre-line; }" in css
    assert f'href="/curator?next=/competitions/{SPOOKY}%3Fsegment%3DFeatured" id="not-you"' in page
    named = client(home, None).post("/curator", data={"curator": "bob", "next": f"/competitions/{SPOOKY}?segment=Featured"},
                                     follow_redirects=False)  # fmt: skip
    assert named.headers["location"] == f"/competitions/{SPOOKY}?segment=Featured"
