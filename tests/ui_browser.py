"""Drive the Dagster UI as a person does: a demo data root built as `make demo` builds it, `dagster dev` serving it as
`make ui` does, and Debian's headless Chromium through Selenium reading the rendered pages at 1600x1000.

Used by tests/test_ui_browser.py. Needs the `chromium` and `chromium-driver` Debian packages (`.ci/run` installs them)
and `selenium` (the `dev` extras).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from curation.warehouse import Warehouse
from validation.data_root import DataRoot

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WIDTH, HEIGHT = 1600, 1000
PARTITION_JOBS = ("refresh_leaderboards", "prepare_competition")  # as `make demo` runs them, board first
DAGSTER_YAML = "concurrency:\n  pools:\n    default_limit: 2\n"  # as `make demo` writes it


def browser_paths() -> tuple[str, str]:
    """Chromium and its driver, or an error saying how to install them."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        raise RuntimeError(
            "the UI tests need Debian's headless Chromium and its WebDriver: "
            "apt-get install -y chromium chromium-driver (.ci/run does this)"
        )
    return chromium, driver


def demo_environment(root: Path) -> dict[str, str]:
    """The environment of `make demo` / `make ui` for a data root at ``root``, free of the caller's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLECURATE_", "DAGSTER_"))}
    return env | {
        "MLECURATE_HOME": str(root / "home"),
        "MLECURATE_ANNOTATIONS": str(root / "annotations"),
        "MLECURATE_META_KAGGLE": "demo",
        "DAGSTER_HOME": str(root / "dagster"),
    }


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, cwd=PROJECT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def curate_demo(root: Path, env: dict[str, str]) -> list[str]:
    """`make demo`'s first half: the demo annotations and the curation job. Returns the curated competitions."""
    dagster_home = Path(env["DAGSTER_HOME"])
    dagster_home.mkdir(parents=True, exist_ok=True)
    (dagster_home / "dagster.yaml").write_text(DAGSTER_YAML)
    # Dagster's own "join the community" dialog covers the first page of a new instance; it is not ours to test.
    (dagster_home / ".nux").mkdir(exist_ok=True)
    (dagster_home / ".nux" / "nux.yaml").write_text("seen: 1\n")
    _run([str(BIN / "mlecurate"), "demo-annotations"], env)
    _run([str(BIN / "dagster"), "job", "execute", "-m", "pipelines", "-j", "curation"], env)
    return _run([str(BIN / "mlecurate"), "curated", "--slugs"], env).split()


def prepare_partition(env: dict[str, str], slug: str) -> None:
    """`make demo`'s second half, for one competition: its data, split, parity and leaderboard."""
    for job in PARTITION_JOBS:
        tags = json.dumps({"dagster/partition": slug})
        _run([str(BIN / "dagster"), "job", "execute", "-m", "pipelines", "-j", job, "--tags", tags], env)


def demo_copy(tmp_path_factory, name: str) -> tuple[Path, dict[str, str], list[str]]:
    """A demo data root of the caller's own at ``<tmp>/<name>``, as `make demo` leaves it with ``DEMO_SPLITS=1``: the
    demo annotations, the curation job, and the first curated competition's partition jobs. Returns the root, its
    environment and the curated competitions. The demo is built once a session (every xdist worker waits for the one
    build, under a file lock; it takes a minute of Dagster runs) and each caller gets a copy, its warehouse's views
    pointed at the copy's files: the UI tests launch runs in theirs and the workbench's write annotations."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the session's folder, above each worker's own
    built = shared / "demo-built"
    with open(shared / "demo-built.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built / "curated.txt").is_file():  # written last: a build that failed half-way is built again
            shutil.rmtree(built, ignore_errors=True)
            env = demo_environment(built)
            curated = curate_demo(built, env)
            prepare_partition(env, curated[0])
            (built / "curated.txt").write_text("\n".join(curated))
    root = tmp_path_factory.mktemp(name)
    shutil.copytree(built, root, symlinks=True, dirs_exist_ok=True)
    home = DataRoot(root / "home")
    Warehouse(home.warehouse).refresh_views(home)  # the views read the built root's files until pointed here
    return root, demo_environment(root), (root / "curated.txt").read_text().split()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DagsterDev:
    """`dagster dev -w workspace.yaml` on a free local port, as `make ui` starts it."""

    def __init__(self, env: dict[str, str]):
        self.url = f"http://127.0.0.1:{_free_port()}"
        port = self.url.rsplit(":", 1)[1]
        # dagster dev ignores SIGINT/SIGTERM when started from a script unless the default handlers are restored.
        self.process = subprocess.Popen(
            ["setsid", "env", "--default-signal=INT,TERM", str(BIN / "dagster"), "dev", "-w", "workspace.yaml",
             "-h", "127.0.0.1", "-p", port],
            env=env, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def wait_until_serving(self, timeout: float = 180) -> None:
        """Until the webserver answers and its code location has loaded (the catalogue lists assets)."""
        deadline, query = time.monotonic() + timeout, b'{"query": "{ assetNodes { id } }"}'
        while True:
            assert self.process.poll() is None, f"dagster dev exited with {self.process.returncode}"
            try:
                request = urllib.request.Request(
                    f"{self.url}/graphql", data=query, headers={"Content-Type": "application/json"}
                )
                with urllib.request.urlopen(request, timeout=10) as response:
                    if json.loads(response.read())["data"]["assetNodes"]:
                        return
            except (OSError, KeyError, TypeError, ValueError):
                pass
            assert time.monotonic() < deadline, f"dagster dev did not serve the catalogue within {timeout:g} s"
            time.sleep(0.5)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


@dataclass(frozen=True)
class GraphNode:
    name: str
    x: float
    y: float
    width: float
    height: float


# The JavaScript that reads the rendered lineage: each asset node's box and name, each edge's first and last point.
READ_GRAPH = """
const svg = document.querySelector('svg[class*=svgContainer]');
if (!svg) return null;
const nodes = [];
for (const box of svg.querySelectorAll('foreignObject')) {
  const name = box.querySelector('[class*=AssetNode_assetName]');
  if (name) nodes.push([name.innerText.trim(), +box.getAttribute('x'), +box.getAttribute('y'),
                       +box.getAttribute('width'), +box.getAttribute('height')]);
}
const edges = [];
for (const path of svg.querySelectorAll('path[marker-end]')) edges.push(path.getAttribute('d'));
return {nodes, edges};
"""

# Elements a person would have to scroll sideways to read: text wider than its box, in a box that clips or scrolls.
# A box with no text is not read: Dagster's own "recent updates" timeline track (dots, no words) was once 1524 px wide
# in its 881 px in CI. Pictures are checked on their own (their width against their cell's).
OVERFLOWING = """
const out = [];
for (const el of document.querySelectorAll('body *')) {
  if (el.closest('svg') || el.clientWidth === 0 || el.scrollWidth <= el.clientWidth + 1) continue;
  const style = getComputedStyle(el);
  if (style.overflowX === 'visible' && style.textOverflow !== 'ellipsis') continue;
  if (!el.innerText.trim()) continue;
  out.push(el.innerText.trim().split('\\n').slice(0, 3).join(' | ').slice(0, 160)
           + ` (${el.tagName.toLowerCase()}.${String(el.className).split(' ')[0]}: ${el.scrollWidth} px wide in ${el.clientWidth} px)`);
}
return out;
"""

METADATA_ROWS = """
const table = document.querySelector('[class*=assetEventMetadataScrollContainer] table');
if (!table) return [];
return [...table.querySelectorAll(':scope > tbody > tr')].map(
  row => [...row.querySelectorAll(':scope > td')].map(cell => cell.innerText.trim()));
"""

# Each picture in the metadata table, as the page shows it: its row's key, alt text, whether it loaded, its box.
METADATA_PICTURES = """
const table = document.querySelector('[class*=assetEventMetadataScrollContainer] table');
if (!table) return [];
const out = [];
for (const row of table.querySelectorAll(':scope > tbody > tr')) {
  const cells = row.querySelectorAll(':scope > td');
  for (const img of row.querySelectorAll('img')) {
    const box = img.getBoundingClientRect(), cell = img.closest('td').getBoundingClientRect();
    out.push({key: cells[0].innerText.trim(), alt: img.alt, loaded: img.complete && img.naturalWidth > 0,
              width: box.width, natural: img.naturalWidth, left: box.left, right: box.right,
              cell_right: cell.right, window: window.innerWidth});
  }
}
return out;
"""


def expand_truncated(shown: str, names: set[str]) -> str:
    """The full asset name behind a node label the zoomed-out graph shortens (``cand…_competitions``)."""
    if "…" not in shown:
        return shown
    head, tail = shown.split("…", 1)
    matches = [name for name in names if name.startswith(head) and name.endswith(tail)]
    return matches[0] if len(matches) == 1 else shown


def edges_between(nodes: list[GraphNode], paths: list[str]) -> set[tuple[str, str]]:
    """(upstream, downstream) for each drawn edge: it leaves the right side of one node and ends at the left side of
    another. An edge whose ends touch no node comes back as ('?', '?') with its path, so a test can say so."""
    edges = set()
    for path in paths:
        points = [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+)\s*,\s*(-?[\d.]+)", path)]
        (sx, sy), (ex, ey) = points[0], points[-1]
        source = [n.name for n in nodes if abs(n.x + n.width - sx) < 2 and n.y <= sy <= n.y + n.height]
        target = [n.name for n in nodes if -2 < n.x - ex < 16 and n.y <= ey <= n.y + n.height]
        edges.add((source[0], target[0]) if len(source) == len(target) == 1 else ("?", path))
    return edges


class Browser:
    """Headless Chromium on the UI at ``url``; every page it shows is saved as a screenshot in each of ``shots``."""

    def __init__(self, url: str, shots: list[Path]):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        chromium, driver = browser_paths()
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for argument in (
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            f"--window-size={WIDTH},{HEIGHT}",
        ):
            options.add_argument(argument)
        # Chromium's own temporary folders (a profile, its singleton socket) go to a folder removed on quit: under
        # /tmp they outlived the tests, one per browser.
        self.scratch = tempfile.mkdtemp(prefix="mlecurate-chromium-")
        service = Service(driver, env=os.environ | {"TMPDIR": self.scratch})
        self.driver = webdriver.Chrome(options=options, service=service)
        # The page itself 1600x1000, as a person's browser window shows it (--window-size counts the window's frame).
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )
        self.url, self.shots = url, shots
        for folder in shots:
            folder.mkdir(parents=True, exist_ok=True)

    def open(self, path: str, *texts: str, timeout: float = 60) -> None:
        """Go to ``path`` and wait until each of ``texts`` is shown."""
        self.driver.get(self.url + path)
        for text in texts:
            self.wait_for_text(text, timeout)

    def wait_for_text(self, text: str, timeout: float = 60) -> None:
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait

        literal = "concat('" + text.replace("'", "', \"'\", '") + "', '')"
        try:
            WebDriverWait(self.driver, timeout, poll_frequency=0.25).until(
                expected_conditions.presence_of_element_located((By.XPATH, f"//*[contains(text(), {literal})]"))
            )
        except TimeoutException:
            raise AssertionError(f"{self.driver.current_url} did not show {text!r} within {timeout:g} s") from None

    def wait_until(self, condition, what: str, timeout: float = 60):
        """Poll ``condition(self)`` until it returns something truthy; return that."""
        deadline = time.monotonic() + timeout
        while not (found := condition(self)):
            assert time.monotonic() < deadline, f"{self.driver.current_url}: {what} within {timeout:g} s"
            time.sleep(0.25)
        return found

    def screenshot(self, name: str) -> None:
        for folder in self.shots:
            self.driver.save_screenshot(str(folder / f"{name}.png"))

    def text(self, css: str = "body") -> str:
        """The rendered text of the first element matching ``css`` (including text scrolled out of view)."""
        return self.driver.execute_script(
            "const el = document.querySelector(arguments[0]); return el ? el.innerText : '';", css
        )

    def script(self, source: str, *arguments):
        return self.driver.execute_script(source, *arguments)

    def links_under(self, heading: str) -> list[str]:
        """The asset names linked in the list under a heading such as 'Upstream assets'."""
        from selenium.webdriver.common.by import By

        xpath = f"//span[text()='{heading}']/following-sibling::div[1]//a[starts-with(@href, '/assets/')]"
        return [a.get_attribute("href").split("/assets/", 1)[1] for a in self.driver.find_elements(By.XPATH, xpath)]

    def click_button(self, label: str) -> None:
        from selenium.webdriver.common.by import By

        self.driver.find_element(By.XPATH, f"//button[normalize-space()='{label}']").click()

    def press_alt(self, key: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        ActionChains(self.driver).key_down(Keys.ALT).send_keys(key).key_up(Keys.ALT).perform()

    def quit(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)
