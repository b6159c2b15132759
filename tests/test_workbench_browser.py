"""The curators' workbench as a curator uses it: `mlecurate serve` on a demo data root built as `make demo` builds it,
driven in Debian's headless Chromium at 1600x1000 with the keyboard: three competitions annotated from the queue, a
bad recipe refused with its key named and nothing written, two curators (and one curator in two windows) saving
the same competition at once losing nothing, and the files written equal to `mlecurate annotate`'s for the same
input (byte for byte, but the updated_at stamp of the moment each was saved). And the queue over the real March 2024
screening with MLE-bench's annotations (long slugs, Meta Kaggle's long metric names) fits a 1280x800 window.

Screenshots go to ``workbench-screenshots/`` in pytest's temporary folder, and to MLECURATE_UI_SCREENSHOTS when set
(``workbench.png`` there is the README's picture).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from curation.annotations import AnnotationStore
from curation.mlebench_import import import_mlebench_categories
from tests.conftest import MLEBENCH_CATEGORIES, screened_warehouse
from tests.ui_browser import (
    BIN,
    PROJECT,
    Browser,
    browser_paths,
    demo_copy,
    demo_environment,
)
from validation.data_root import CANDIDATES, DataRoot

pytestmark = [pytest.mark.ui, pytest.mark.slow]

STAMP = re.compile(r"^updated_at: .*$", re.MULTILINE)
RECIPE_LINES = ["kind: stratified", "id_column: id", "target_columns: [target]", "test_fraction: 0.1"]


class Workbench:
    """`mlecurate serve` on a free local port, as `make curate` starts it."""

    def __init__(self, env: dict[str, str]):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen([str(BIN / "mlecurate"), "serve", "--port", str(port)], env=env, cwd=PROJECT,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, f"mlecurate serve exited: {self.process.stderr.read().decode()}"
            try:
                with urllib.request.urlopen(f"{self.url}/curator", timeout=5):
                    return
            except OSError:
                assert time.monotonic() < deadline, "mlecurate serve did not answer within 60 s"
                time.sleep(0.3)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    browser_paths()  # fail first, and say what to install, when Chromium is missing
    root, env, curated = demo_copy(tmp_path_factory, "workbench-ui")
    server = Workbench(env)
    shots = [root / "workbench-screenshots"] + (
        [Path(os.environ["MLECURATE_UI_SCREENSHOTS"])] if os.environ.get("MLECURATE_UI_SCREENSHOTS") else []
    )
    browsers: list[Browser] = []

    def browser(curator: str) -> Browser:
        opened = Browser(server.url, shots)
        browsers.append(opened)
        opened.open("/", "Who is curating?")
        name = opened.driver.find_element("id", "curator")
        name.send_keys(curator + "\n")
        opened.wait_for_text(f"decided by {curator}")
        return opened

    try:
        yield server, env, curated, AnnotationStore(Path(env["MLECURATE_ANNOTATIONS"])), browser
    finally:
        for opened in browsers:
            opened.quit()
        server.stop()


@pytest.fixture(scope="module")
def real_queue(tmp_path_factory, real_competitions):
    """`mlecurate serve` over the real screening (363 candidates, each with a suggested complexity) and MLE-bench's
    75 annotations: 24 of them excluded by a rule, 2 outside the dump, all in the queue."""
    browser_paths()
    root = tmp_path_factory.mktemp("workbench-real")
    env = demo_environment(root)
    data = DataRoot(Path(env["MLECURATE_HOME"]), Path(env["MLECURATE_ANNOTATIONS"]))
    warehouse = screened_warehouse(data, real_competitions)
    candidates = warehouse.read_table(CANDIDATES)  # with a suggested complexity, as the curation job leaves it
    candidates["suggested_complexity"] = ["high" if teams > 3000 else "medium" for teams in candidates["total_teams"]]
    candidates["suggested_complexity_probability"] = 0.8
    candidates["suggested_complexity_reason"] = "many teams"
    warehouse.replace_table(CANDIDATES, candidates)
    import_mlebench_categories(MLEBENCH_CATEGORIES, AnnotationStore(data.annotations))
    server = Workbench(env)
    try:
        yield server, root
    finally:
        server.stop()


# How the queue table sits in the window: the page's and the table's widths, the last column's right edge, and the
# cells that must stay on one line (dates, rewards, suggestions) but take more than one.
QUEUE_FIT = """
const table = document.getElementById('queue');
const heads = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
const oneLine = ['launched', 'deadline', 'reward', 'suggested'].map(name => heads.indexOf(name)).filter(i => i >= 0);
const broken = [];
for (const row of table.querySelectorAll('tbody tr')) {
  for (const at of oneLine) {
    const range = document.createRange();
    range.selectNodeContents(row.children[at]);
    const tops = [...range.getClientRects()].map(r => r.top);
    if (tops.length && Math.max(...tops) - Math.min(...tops) > 8) broken.push(row.children[at].innerText);
  }
}
return {window: document.documentElement.clientWidth, page: document.documentElement.scrollWidth,
        yours: table.querySelector('thead th:last-child').getBoundingClientRect().right, broken: broken.slice(0, 5)};
"""


def test_the_queue_fits_a_1280_px_window_without_scrolling_sideways(real_queue):
    server, root = real_queue
    browser = Browser(server.url, [root / "workbench-screenshots"])
    try:
        browser.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False},
        )
        browser.open("/", "Who is curating?")
        browser.driver.find_element("id", "curator").send_keys("erin\n")
        browser.wait_for_text("decided by erin")
        for query in ("", "?screening=excluded", "?decided_by_me=1"):
            browser.open(f"/{query}", "competition(s) in your queue")
            fit = browser.script(QUEUE_FIT)
            where = f"the queue{query} at 1280 px: {fit}"
            assert fit["page"] <= fit["window"] and fit["yours"] <= fit["window"], where
            assert not fit["broken"], where
            screenshot(browser, f"workbench-queue-1280{query.replace('?', '-').replace('=', '-')}.png")
        assert "of 382 done" in browser.text("#progress-overall")
    finally:
        browser.quit()


def keys(browser: Browser, text: str) -> None:
    browser.driver.find_element("tag name", "body").send_keys(text)


def type_into(browser: Browser, field: str, text: str) -> None:
    box = browser.driver.find_element("id", field)
    box.clear()
    box.send_keys(text)
    box.send_keys("\ue00c")  # Escape: leave the field, so the page's keys work again


def screenshot(browser: Browser, name: str) -> None:
    for folder in browser.shots:
        browser.driver.save_screenshot(str(folder / name))


def test_three_competitions_annotated_from_the_queue_with_the_keyboard(bench, tmp_path):
    server, env, curated, store, browser = bench
    alice = browser("alice")
    queued = re.findall(r'data-slug="([^"]+)"', alice.driver.page_source)
    screenshot(alice, "workbench-queue.png")
    keys(alice, "j")
    assert alice.driver.find_element("css selector", "#queue tr.current").get_attribute("data-slug") == queued[0]
    keys(alice, "\ue007")  # Enter opens the highlighted competition
    for number, slug in enumerate(queued[:3]):
        alice.wait_for_text("Your annotation")
        assert alice.driver.current_url.endswith(f"/competitions/{slug}")
        keys(alice, "i2")  # include, medium
        type_into(alice, "reason", f"a clear task {number}")
        if number == 0:
            type_into(alice, "category", "Tabular")
            type_into(alice, "note", "checked the data")
            recipe = alice.driver.find_element("id", "split_recipe")
            recipe.send_keys("\n".join(RECIPE_LINES))
            recipe.send_keys("\ue00c")
        keys(alice, "n")  # save, then the next competition
        alice.wait_until(lambda b, s=slug: not b.driver.current_url.endswith(f"/competitions/{s}"), f"left {slug}")
    alice.wait_for_text("Your annotation")
    assert alice.driver.current_url.split("?")[0].endswith(f"/competitions/{queued[3]}")
    for number, slug in enumerate(queued[:3]):
        saved = store.get(slug, "alice")
        assert (saved.decision, saved.complexity, saved.reason) == ("include", "medium", f"a clear task {number}")

    # The same input through the command line writes the same file.
    recipe_file = tmp_path / "recipe.yaml"
    recipe_file.write_text("\n".join(RECIPE_LINES) + "\n")
    cli_store = tmp_path / "cli-annotations"
    done = subprocess.run([str(BIN / "mlecurate"), "annotate", queued[0], "--curator", "alice", "--decision", "include",
                           "--complexity", "medium", "--category", "Tabular", "--reason", "a clear task 0", "--note",
                           "checked the data", "--split-recipe", str(recipe_file)],
                          env=env | {"MLECURATE_ANNOTATIONS": str(cli_store)}, cwd=PROJECT, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    web = store.path_for(queued[0], "alice").read_text()
    cli = (cli_store / queued[0] / "alice.yaml").read_text()
    assert STAMP.sub("", web) == STAMP.sub("", cli) and "kind: stratified" in web

    alice.open("/?status=undecided", "competition(s) in your queue")
    assert not set(queued[:3]) & set(re.findall(r'data-slug="([^"]+)"', alice.driver.page_source))
    alice.open(f"/competitions/{curated[0]}", "Leaderboard")
    alice.wait_until(lambda b: b.driver.execute_script(
        "const i = document.getElementById('board-picture'); return i && i.complete && i.naturalWidth > 0;"),
        "the leaderboard picture loaded")  # fmt: skip
    screenshot(alice, "workbench.png")


def test_a_bad_recipe_is_refused_with_its_key_named_and_nothing_written(bench):
    server, env, curated, store, browser = bench
    grace = browser("grace-ui")
    slug = curated[1]
    grace.open(f"/competitions/{slug}", "Your annotation")
    keys(grace, "x")
    box = grace.driver.find_element("id", "split_recipe")
    box.send_keys("kind: stratified\ntarget_columns: [target]\ntest_fraction: 2")
    box.send_keys("\ue009s")  # Ctrl+S saves while typing
    grace.wait_for_text("Not saved:")
    error = grace.driver.find_element("id", "form-error").text
    assert "split recipe key 'test_fraction': expected a number between 0 and 1" in error, error
    assert "test_fraction: 2" in grace.driver.find_element("id", "split_recipe").get_attribute("value")
    assert not store.path_for(slug, "grace-ui").exists()
    screenshot(grace, "workbench-bad-recipe.png")


def test_two_curators_saving_the_same_competition_at_once_lose_nothing(bench):
    server, env, curated, store, browser = bench
    slug = curated[2]
    sessions = {name: browser(name) for name in ("carol", "dave")}
    second_window = browser("carol")  # carol again, in another window: she changes another field there
    for session in [*sessions.values(), second_window]:
        session.open(f"/competitions/{slug}", "Your annotation")
    for name, session in sessions.items():
        keys(session, "i3")
        type_into(session, "reason", f"reason of {name}")
    type_into(second_window, "note", "a note from the second window")
    every = [*sessions.values(), second_window]
    for session in every:  # all three posts leave before any answer comes back
        session.driver.execute_script(
            "setTimeout(() => document.getElementById('annotation-form').requestSubmit(document.getElementById('save')), 300);"
        )
    for session in every:
        session.wait_for_text("Saved:")
    carol, dave = store.get(slug, "carol"), store.get(slug, "dave")
    assert (carol.decision, carol.complexity, carol.reason, carol.note) == (
        "include", "high", "reason of carol", "a note from the second window")  # fmt: skip
    assert (dave.decision, dave.complexity, dave.reason) == ("include", "high", "reason of dave")
